"""A seeded national-scale data set in the contract's file formats (for the benchmark, never committed)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from etl.demo_data import TASKS

# National scale: ≈ 600 stations, 170 000 staff, 60 months, ≈ 4 M Pulssi responses.
NATIONAL_STATIONS = 600
NATIONAL_STAFF = 170_000
MONTHS = 60
RESPONSE_RATE = 0.39  # 170 000 × 60 × 0.39 ≈ 4 M responses
FIRST_MONTH = date(2021, 1, 1)
ROLES = ("toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "terveydenhoitaja", "lahihoitaja", "laakari",
         "esihenkilo", "muu")
ROLE_SHARE = (0.08, 0.04, 0.33, 0.15, 0.18, 0.12, 0.03, 0.07)
QUESTIONS = ("hallinta", "jaksaminen", "tyonjako_selkeys", "osaamisen_jakaminen", "esihenkilotuki", "kuormitus",
             "enps")
CONTRACTS = ("vakinainen", "maaraaikainen", "sijainen")


@dataclass(frozen=True)
class BenchFiles:
    """The files of one generated set: master data, the history's monthly files and one further month."""

    master: list[Path]
    history: list[Path]
    next_month: list[Path]

    @property
    def full(self) -> list[Path]:
        """Every file of the full load."""
        return [*self.master, *self.history]


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


def generate(out: Path, scale: float = 1 / 16, *, seed: int = 12, months: int = MONTHS, stations: int | None = None,
             staff: int | None = None) -> BenchFiles:
    """Write asemat, tehtavat, kartoitus and one henkilosto and pulssi CSV per month (+ one month more) to out.

    `stations` and `staff` override the scale's counts (small sets for tests).
    """
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_st = stations or max(3, round(NATIONAL_STATIONS * scale))
    n_staff = staff or max(60, round(NATIONAL_STAFF * scale))
    n_mun = max(2, round(1.2 * math.sqrt(n_st)))
    stations = [f"S{i:04d}" for i in range(n_st)]
    municipality = [f"Kunta {i % n_mun:03d}" for i in range(n_st)]
    wave = rng.integers(1, 5, n_st)
    planned = [add_months(FIRST_MONTH, 12 + 9 * int(w)) for w in wave]
    live = [p if w < 4 else None for p, w in zip(planned, wave, strict=True)]
    asemat = pl.DataFrame({
        "asema_id": stations, "nimi": [f"Terveysasema {s}" for s in stations], "kunta": municipality,
        "aalto": wave.tolist(), "suunniteltu_kayttoonotto": [d.isoformat() for d in planned],
        "kayttoonotto": [d.isoformat() if d else None for d in live],
    })
    master = [_csv(asemat, out / "asemat.csv")]
    tehtavat = pl.DataFrame([t[:5] for t in TASKS], orient="row",
                            schema=["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa"])
    master.append(_csv(tehtavat, out / "tehtavat.csv"))
    master.append(_csv(_mappings(rng, stations), out / "kartoitus.csv"))

    # Staff: a fixed roster, stations of uneven size, each person with a role and a part-time percentage.
    weights = rng.lognormal(0, 0.5, n_st)
    staff_station = rng.choice(n_st, n_staff, p=weights / weights.sum())
    staff_role = rng.choice(len(ROLES), n_staff, p=ROLE_SHARE)
    staff_pct = rng.choice([100, 100, 100, 80, 60], n_staff)
    staff_contract = rng.choice(3, n_staff, p=[0.8, 0.15, 0.05])
    ids = rng.permutation(np.arange(10_000_000, 10_000_000 + 3 * n_staff))[:n_staff]
    station_mood = rng.normal(0, 0.4, n_st)
    history: list[Path] = []
    extra: list[Path] = []
    for i in range(months + 1):
        month = add_months(FIRST_MONTH, i)
        target = history if i < months else extra
        target.append(_henkilosto(rng, month, ids, stations, staff_station, staff_role, staff_pct, staff_contract,
                                  out))
        target.append(_pulssi(rng, month, stations, staff_station, staff_role, station_mood, out))
    return BenchFiles(master, history, extra)


def _csv(frame: pl.DataFrame, path: Path) -> Path:
    frame.write_csv(path, separator=";")
    return path


def _mappings(rng: np.random.Generator, stations: list[str]) -> pl.DataFrame:
    """Three mapping rounds per station: each secretary task mostly by its owner, the rest by others."""
    rows = []
    for r, offset in enumerate((0, 24, 48)):
        day = add_months(FIRST_MONTH, offset).replace(day=10)
        for sid in stations:
            for tid, _, _, owner, _, weight, _, others in TASKS:
                hours = max(0.5, weight * rng.uniform(0.8, 1.2) * 2.0)
                own = 0.7 + 0.08 * r
                rows.append((day.isoformat(), sid, tid, owner, round(hours * own * 2) / 2))
                rows.append((day.isoformat(), sid, tid, others[0], round(hours * (1 - own) * 2) / 2 or 0.5))
    return pl.DataFrame(rows, orient="row",
                        schema=["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"])


def _henkilosto(rng: np.random.Generator, month: date, ids: np.ndarray, stations: list[str], station: np.ndarray,
                role: np.ndarray, pct: np.ndarray, contract: np.ndarray, out: Path) -> Path:
    n = len(ids)
    sick = np.minimum(rng.poisson(0.8, n), 8)
    other = np.minimum(rng.poisson(1.5, n), 8)
    frame = pl.DataFrame({
        "kuukausi": [month.strftime("%Y-%m")] * n,
        "henkilo_id": ids.astype(str),
        "asema_id": np.asarray(stations)[station],
        "rooli": np.asarray(ROLES)[role],
        "tyoaikaprosentti": pct,
        "palvelussuhde": np.asarray(CONTRACTS)[contract],
        "sairauspoissaolo_pv": sick,
        "muu_poissaolo_pv": other,
    })
    return _csv(frame, out / f"henkilosto_{month:%Y-%m}.csv")


def _pulssi(rng: np.random.Generator, month: date, stations: list[str], station: np.ndarray, role: np.ndarray,
            mood: np.ndarray, out: Path) -> Path:
    who = np.flatnonzero(rng.random(len(station)) < RESPONSE_RATE)
    n = len(who)
    columns: dict[str, object] = {
        "kuukausi": [month.strftime("%Y-%m")] * n,
        "vastaus_id": [f"V{j:07d}" for j in range(n)],
        "asema_id": np.asarray(stations)[station[who]],
        "rooli": np.asarray(ROLES)[role[who]],
    }
    base = mood[station[who]]
    for q in QUESTIONS:
        if q == "enps":
            values = np.clip(np.rint(rng.normal(7 + 2 * base, 2, n)), 0, 10)
        else:
            values = np.clip(np.rint(rng.normal(3.4 + base, 1, n)), 1, 5)
        answered = rng.random(n) >= 0.04  # a question left unanswered now and then
        columns[q] = pl.select(pl.when(pl.Series(answered)).then(pl.Series(q, values.astype(np.int64))))\
            .to_series().alias(q)
    columns["kommentti"] = [f"Kommentti {j}" if c < 0.02 else None for j, c in enumerate(rng.random(n))]
    return _csv(pl.DataFrame(columns), out / f"pulssi_{month:%Y-%m}.csv")
