"""Tests of the evaluation goals: metrics from the marts, baseline/current/progress/status, before/after, config.

One small hand-made warehouse is loaded once (etl.load.load from in-memory CSVs); every expected value
below is computed by hand from its design, with the arithmetic in the comments.

Design (all staff 100 % FTE, no other absence; working days 2025: Jan 21, Feb 20, Mar 21, Apr 20, May 20, Jun 20):
- stations A (Espoo, live 10.3.2025), B (Espoo, live 15.4.2025), C (Hanko, never live); months 1–6/2025.
- each station each month: secretaries s1–s5 (3 toimistosihteeri, 2 terveyskeskusavustaja) and clinicians
  c1–c5 (3 sairaanhoitaja, 2 lääkäri). Sick days: A c1 2 every month; B c1 4 in Jan–Mar; C s1 5 in June.
- secretary capacity 5 × 36.25 = 181.25 h/week; C in June: s1 absent 5/20 → net FTE 4.75 → 172.1875 h/week.
- mapping rounds (hours/week, T1 owner terveyskeskusavustaja, T2 owner toimistosihteeri, T3 owner sairaanhoitaja):
  A 15.1.2025: T1 tka 100, T1 sh 20, T2 ts 60, T2 tka 10, T3 sh 50 → total 240, compliant 210, clinician 20,
               secretary-task (required) 190
  A 20.5.2025: T1 tka 120, T2 ts 70, T2 lää 5, T3 sh 50 → total 245, compliant 240, clinician 5, required 195
  B 10.2.2025: T1 tka 150, T1 sh 30, T2 ts 50, T3 sh 40, T3 tka 10 → total 280, compliant 240, clinician 30,
               required 230
  B 5.6.2025:  T1 tka 140, T2 ts 50, T3 sh 40 → total 230, compliant 230, clinician 0, required 190
  C 20.1.2025: T1 tka 100, T2 ts 45, T2 lää 25, T3 sh 30 → total 200, compliant 175, clinician 25, required 170
- Pulssi, every month, per station: 5 secretary and 5 clinician responses (C secretaries only 4 in May → suppressed).
  hallinta: secretaries all answer A: 3 (Jan–Feb) then 4; B: 2 (Jan–Mar) then 4; C: 3. Clinicians 5,4,3,3,2 (Σ 17).
  jaksaminen: everybody 4 in Jan–May, not asked in June. enps: secretaries 10,9,8,6,3; clinicians 9,9,9,7,5.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import ConfigError
from etl.load import InputFile, load
from warehouse import goals as g

MONTHS = [date(2025, m, 1) for m in range(1, 7)]
WD = {1: 21, 2: 20, 3: 21, 4: 20, 5: 20, 6: 20}
CAP = 5 * 36.25  # 181.25

TEST_GOALS = """
# The station tests below compare each station with the region's target as it stands (the default is "none").
station_target = "same"

[[tavoitteet]]
id = 1
otsikko = "Hallinta"

[[tavoitteet.mittarit]]
id = "hallinta"
nimi = "Hallinta, kaikki"
metric = "pulssi_mean"
question = "hallinta"
direction = "up"
baseline = { kind = "before_go_live", months = 2 }
target = 4.0

[[tavoitteet.mittarit]]
id = "sairaus"
nimi = "Sairauspoissaolot"
metric = "sick_leave_rate"
direction = "down"
baseline = { kind = "period", start = "2025-01", end = "2025-02" }
target = 0.005

[[tavoitteet.mittarit]]
id = "jaksaminen"
nimi = "Jaksaminen"
metric = "pulssi_mean"
question = "jaksaminen"
direction = "up"
baseline = { kind = "period", start = "2025-01", end = "2025-01" }
target = 4.5

[[tavoitteet]]
id = 2
otsikko = "Aikaa potilastyöhön"

[[tavoitteet.mittarit]]
id = "kliinikot"
nimi = "Kliinikoiden sihteerityö"
metric = "clinician_admin_hours"
direction = "down"
baseline = { kind = "first_round" }
target = 15

[[tavoitteet]]
id = 3
otsikko = "Yhteinen toimintatapa"

[[tavoitteet.mittarit]]
id = "live"
nimi = "Asemat käytössä"
metric = "stations_live_share"
direction = "up"
baseline = { kind = "before_go_live", months = 1 }
target = 1.0

[[tavoitteet.mittarit]]
id = "compliance"
nimi = "Toteutuminen"
metric = "compliance_share"
direction = "up"
baseline = { kind = "first_round" }
target = 1.0

[[tavoitteet]]
id = 5
otsikko = "Joustavuus"

[[tavoitteet.mittarit]]
id = "cv"
nimi = "Vaihtelu"
metric = "load_ratio_cv"
direction = "down"
baseline = { kind = "period", start = "2025-02", end = "2025-02" }
target = 0.02

[[tavoitteet.mittarit]]
id = "overload"
nimi = "Ylikuormitus"
metric = "overload_share"
direction = "down"
baseline = { kind = "before_go_live", months = 2 }
target = 0.0
"""


# ---------------------------------------------------------------------------------------------------------
# The hand-made warehouse
# ---------------------------------------------------------------------------------------------------------
def _csv(rows: list[list[object]]) -> bytes:
    return "\n".join(";".join("" if v is None else str(v) for v in r) for r in rows).encode("utf-8")


def _files() -> list[InputFile]:
    asemat = [["asema_id", "nimi", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
              ["A", "Asema A", "Espoo", 1, "1.3.2025", "10.3.2025"],
              ["B", "Asema B", "Espoo", 1, "1.4.2025", "15.4.2025"],
              ["C", "Asema C", "Hanko", None, None, None]]
    tehtavat = [["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
                ["T1", "Ajanvaraus", "Asiakaspalvelu", "terveyskeskusavustaja"],
                ["T2", "Sanelut", "Sanelut", "toimistosihteeri"],
                ["T3", "Haavahoito", "Kliininen", "sairaanhoitaja"]]
    rounds = {  # (date, station): [(task, performer, hours), ...]
        ("15.1.2025", "A"): [("T1", "terveyskeskusavustaja", 100), ("T1", "sairaanhoitaja", 20),
                             ("T2", "toimistosihteeri", 60), ("T2", "terveyskeskusavustaja", 10),
                             ("T3", "sairaanhoitaja", 50)],
        ("20.5.2025", "A"): [("T1", "terveyskeskusavustaja", 120), ("T2", "toimistosihteeri", 70),
                             ("T2", "laakari", 5), ("T3", "sairaanhoitaja", 50)],
        ("10.2.2025", "B"): [("T1", "terveyskeskusavustaja", 150), ("T1", "sairaanhoitaja", 30),
                             ("T2", "toimistosihteeri", 50), ("T3", "sairaanhoitaja", 40),
                             ("T3", "terveyskeskusavustaja", 10)],
        ("5.6.2025", "B"): [("T1", "terveyskeskusavustaja", 140), ("T2", "toimistosihteeri", 50),
                            ("T3", "sairaanhoitaja", 40)],
        ("20.1.2025", "C"): [("T1", "terveyskeskusavustaja", 100), ("T2", "toimistosihteeri", 45),
                             ("T2", "laakari", 25), ("T3", "sairaanhoitaja", 30)],
    }
    kartoitus: list[list[object]] = [["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"]]
    kartoitus += [[day, station, *row] for (day, station), rows in rounds.items() for row in rows]
    kysymykset = [["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max", "tavoite"],
                  ["hallinta", "Hallinta", "likert", 1, 5, 1], ["jaksaminen", "Jaksaminen", "likert", 1, 5, 1],
                  ["enps", "Suosittelu", "enps", 0, 10, None]]
    sec_roles = ["toimistosihteeri"] * 3 + ["terveyskeskusavustaja"] * 2
    cli_roles = ["sairaanhoitaja"] * 3 + ["laakari"] * 2
    henkilosto = [["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                   "sairauspoissaolo_pv", "muu_poissaolo_pv"]]
    pulssi = [["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "jaksaminen", "enps"]]
    for m in MONTHS:
        month = f"{m.year}-{m.month:02d}"
        for station in "ABC":
            for i, role in enumerate(sec_roles, start=1):
                sick = 5 if (station == "C" and m.month == 6 and i == 1) else 0
                henkilosto.append([month, f"{station}s{i}", station, role, 100, "vakinainen", sick, 0])
            for i, role in enumerate(cli_roles, start=1):
                sick = 0
                if i == 1 and station == "A":
                    sick = 2
                if i == 1 and station == "B" and m.month <= 3:
                    sick = 4
                henkilosto.append([month, f"{station}c{i}", station, role, 100, "vakinainen", sick, 0])
            sec_value = {"A": 3 if m.month < 3 else 4, "B": 2 if m.month < 4 else 4, "C": 3}[station]
            n_sec = 4 if (station == "C" and m.month == 5) else 5
            jaks = 4 if m.month < 6 else None
            for i, e in enumerate([10, 9, 8, 6, 3][:n_sec]):
                pulssi.append([month, f"{station}-s{i}", station, "toimistosihteeri", sec_value, jaks, e])
            for i, (h, e) in enumerate(zip([5, 4, 3, 3, 2], [9, 9, 9, 7, 5], strict=True)):
                pulssi.append([month, f"{station}-c{i}", station, "sairaanhoitaja", h, jaks, e])
    return [InputFile(name, _csv(rows)) for name, rows in (
        ("asemat.csv", asemat), ("tehtavat.csv", tehtavat), ("kartoitus.csv", kartoitus),
        ("kysymykset.csv", kysymykset), ("henkilosto.csv", henkilosto), ("pulssi.csv", pulssi))]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("goals")
    conf = base / "config"
    conf.mkdir()
    (conf / "tavoitteet.toml").write_text(TEST_GOALS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TYONJAKO_PSEUDONYM_KEY", "test-key")
        mp.setenv("TYONJAKO_CONFIG_DIR", str(conf))
        db = base / "w.duckdb"
        result = load(_files(), db=db)
        assert result.ok, result.problem_lines()
    return db


@pytest.fixture(scope="module")
def con(warehouse: Path):
    c = duckdb.connect(str(warehouse), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def cfg() -> g.GoalsConfig:
    return g.GoalsConfig.model_validate(tomllib.loads(TEST_GOALS))


def _ind(cfg: g.GoalsConfig, indicator_id: str) -> g.Indicator:
    return next(i for goal in cfg.tavoitteet for i in goal.mittarit if i.id == indicator_id)


def _indicator(**kw: object) -> g.Indicator:
    base: dict[str, object] = {"id": "x", "nimi": "x", "direction": "up", "baseline": {"kind": "period",
                                                                                     "start": "2025-01",
                                                                                     "end": "2025-01"}}
    return g.Indicator.model_validate({**base, **kw})


def _region(frame: pl.DataFrame, indicator_id: str) -> dict[str, object]:
    return frame.filter(pl.col("indicator_id") == indicator_id).row(0, named=True)


def _station(frame: pl.DataFrame, indicator_id: str, station_id: str) -> dict[str, object]:
    return frame.filter((pl.col("indicator_id") == indicator_id) & (pl.col("station_id") == station_id)).row(
        0, named=True)


J, F, M, A, MY, JN = MONTHS


# ---------------------------------------------------------------------------------------------------------
# Metrics, one by one
# ---------------------------------------------------------------------------------------------------------
def test_working_days_of_the_design(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(con.sql("SELECT month, working_days FROM ref_working_days WHERE month BETWEEN ? AND ?",
                        params=[J, JN]).fetchall())
    assert rows == {date(2025, k, 1): v for k, v in WD.items()}


def test_pulssi_mean(con: duckdb.DuckDBPyConnection) -> None:
    sec = g.indicator_values(con, _indicator(metric="pulssi_mean", question="hallinta", role_group="sihteerit",
                                              target=4))
    # Jan, secretaries: A 5×3, B 5×2, C 5×3 → (15 + 10 + 15) / 15
    assert sec.region[J] == pytest.approx(40 / 15)
    assert sec.station["B"][J] == pytest.approx(2.0)
    # Apr: A 4, B 4, C 3 → (20 + 20 + 15) / 15
    assert sec.region[A] == pytest.approx(55 / 15)
    # C's secretaries: only 4 respondents in May → suppressed, no value
    assert MY not in sec.station["C"]
    assert sec.station["C"][A] == pytest.approx(3.0)
    allr = g.indicator_values(con, _indicator(metric="pulssi_mean", question="hallinta", target=4))
    # Jan, all roles: secretaries Σ 40 + clinicians 3 × 17 = 91 over 30 answers
    assert allr.region[J] == pytest.approx(91 / 30)
    # May: C has 4 secretary answers → secretaries 20 + 20 + 12 = 52, clinicians 51 → 103 / 29
    assert allr.region[MY] == pytest.approx(103 / 29)
    # Station C in May, all roles (9 respondents) is suppressed too: C's clinicians follow from the region's and
    # Espoo's, so C's total minus them would give its 4 secretaries (suppression closes every such derivation).
    assert MY not in allr.station["C"]


def test_pulssi_favourable(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="pulssi_favourable", question="hallinta", target=0.8))
    # Jan: answers 4–5 only from clinicians (5 and 4) → 2 per station = 6 of 30
    assert v.region[J] == pytest.approx(6 / 30)
    # Jun: secretaries of A and B answer 4 (10), C 3 (0); clinicians 6 → 16 of 30
    assert v.region[JN] == pytest.approx(16 / 30)
    # Station A, Jun: 5 secretaries + 2 clinicians of 10
    assert v.station["A"][JN] == pytest.approx(0.7)


def test_pulssi_enps(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="pulssi_enps", target=30))
    assert _indicator(metric="pulssi_enps", target=30).question == "enps"  # the default question
    # Jan, all 30 answers: promoters (9–10) 3×2 + 3×3 = 15, detractors (0–6) 3×2 + 3×1 = 9 → 100 × 6 / 30
    assert v.region[J] == pytest.approx(20.0)
    sec = g.indicator_values(con, _indicator(metric="pulssi_enps", role_group="sihteerit", target=30))
    # Station A secretaries 10, 9, 8, 6, 3: 2 promoters, 2 detractors → 0
    assert sec.station["A"][J] == pytest.approx(0.0)
    cli = g.indicator_values(con, _indicator(metric="pulssi_enps", role_group="kliiniset", target=50))
    # Clinicians 9, 9, 9, 7, 5 at each station: 9 promoters, 3 detractors of 15 → 100 × 6 / 15
    assert cli.region[J] == pytest.approx(40.0)


def test_sick_leave_rate(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="sick_leave_rate", target=0.01))
    # Jan: sick days A 2 + B 4 = 6; Σ FTE × working days = 30 × 21 = 630
    assert v.region[J] == pytest.approx(6 / 630)
    # Jun: A 2 + C 5 = 7 of 30 × 20
    assert v.region[JN] == pytest.approx(7 / 600)
    # Station B, Jan: 4 of 10 × 21
    assert v.station["B"][J] == pytest.approx(4 / 210)
    sec = g.indicator_values(con, _indicator(metric="sick_leave_rate", role_group="sihteerit", target=0.01))
    # Secretaries, Jun: C s1 5 days of 15 × 20; station C 5 of 5 × 20
    assert sec.region[JN] == pytest.approx(5 / 300)
    assert sec.station["C"][JN] == pytest.approx(0.05)
    assert sec.region[MY] == 0.0


def test_clinician_admin_hours(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="clinician_admin_hours", target=10, direction="down",
                                           baseline={"kind": "first_round"}))
    # Jan: rounds A 15.1. (20) and C 20.1. (25); B has no round yet
    assert v.region[J] == pytest.approx(45)
    # Feb–Apr: A 20 + B 30 + C 25
    assert v.region[F] == v.region[A] == pytest.approx(75)
    # May: A's round 20.5. (5) + 30 + 25; Jun: B's round 5.6. (0) → 5 + 0 + 25
    assert v.region[MY] == pytest.approx(60)
    assert v.region[JN] == pytest.approx(30)
    assert v.station["A"][A] == 20 and v.station["A"][JN] == 5


def test_compliance_share(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="compliance_share", target=1, baseline={"kind": "first_round"}))
    # Jan: (210 + 175) / (240 + 200)
    assert v.region[J] == pytest.approx(385 / 440)
    # Feb: (210 + 240 + 175) / (240 + 280 + 200)
    assert v.region[F] == pytest.approx(625 / 720)
    # Jun: (240 + 230 + 175) / (245 + 230 + 200)
    assert v.region[JN] == pytest.approx(645 / 675)
    assert v.station["B"][F] == pytest.approx(240 / 280)


def test_stations_live_share(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="stations_live_share", target=1))
    # A live 10.3., B 15.4., C never; 3 stations
    assert [v.region[m] for m in MONTHS] == pytest.approx([0, 0, 1 / 3, 2 / 3, 2 / 3, 2 / 3])
    assert v.station == {}


def test_load_ratio_cv(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="load_ratio_cv", target=0.1, direction="down"))
    # Feb: load ratios A 190/181.25, B 230/181.25, C 170/181.25 → CV is scale-free: pstdev/mean of 190, 230, 170
    # mean 196.667; squared deviations 44.44 + 1111.11 + 711.11 = 1866.67; /3 = 622.22; sd 24.944 → 0.12684
    assert v.region[F] == pytest.approx(math.sqrt(1866.6667 / 3) / (590 / 3), rel=1e-4)
    assert v.region[F] == pytest.approx(statistics.pstdev([190, 230, 170]) / statistics.mean([190, 230, 170]))
    # Jun: A 195/181.25, B 190/181.25, C 170/172.1875 (C's s1 absent 5 of 20 days → net FTE 4.75)
    jun = [195 / CAP, 190 / CAP, 170 / (4.75 * 36.25)]
    assert v.region[JN] == pytest.approx(statistics.pstdev(jun) / statistics.mean(jun))
    # Jan: B has no mapping round yet → A and C only
    assert v.region[J] == pytest.approx(statistics.pstdev([190, 170]) / statistics.mean([190, 170]))


def test_overload_share(con: duckdb.DuckDBPyConnection) -> None:
    v = g.indicator_values(con, _indicator(metric="overload_share", target=0.05, direction="down"))
    assert _indicator(metric="overload_share", target=0.05).threshold == 1.1
    # Jan: A 1.048, C 0.938 → 0 of 2; Feb: B 230/181.25 = 1.269 > 1.1 → 1 of 3; Jun: none
    assert v.region[J] == 0.0
    assert v.region[F] == pytest.approx(1 / 3)
    assert v.region[JN] == 0.0
    assert v.station["B"][F] == 1.0 and v.station["B"][JN] == 0.0
    # threshold 1.05: Feb also A (1.048)? no; May A 195/181.25 = 1.076 > 1.05 and B 1.269 → 2 of 3
    low = g.indicator_values(con, _indicator(metric="overload_share", threshold=1.05, target=0.05))
    assert low.region[MY] == pytest.approx(2 / 3)


# ---------------------------------------------------------------------------------------------------------
# Baseline, current, progress and status in mart_goal_progress
# ---------------------------------------------------------------------------------------------------------
def test_goal_progress_region(con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig) -> None:
    region, _, _ = g.goal_frames(con, cfg)
    assert region.height == 8 and region["goal_id"].to_list() == [1, 1, 1, 2, 3, 3, 5, 5]

    # hallinta, all roles: only 2 stations have a before-go-live baseline (< 3) → region months before the
    # first go-live (Mar): Jan–Feb, each 91/30. Current Jun: secretaries 20 + 20 + 15, clinicians 51 → 106/30.
    r = _region(region, "hallinta")
    assert r["baseline"] == pytest.approx(91 / 30)
    assert r["baseline_start"] == J and r["baseline_end"] == F
    assert "ensimmäistä käyttöönottoa" in r["baseline_label"]
    assert r["current"] == pytest.approx(106 / 30) and r["current_month"] == JN
    # improving: (3.5333 − 3.0333) / (4 − 3.0333) = 0.5 / 0.9667 = 0.5172 → hyvä (≥ 0.5)
    assert r["progress"] == pytest.approx(0.5 / (4 - 91 / 30))
    assert r["status"] == "hyvä"
    assert r["unit"] == "score" and r["metric"] == "pulssi_mean" and r["goal_title"] == "Hallinta"

    # sick leave: baseline Jan–Feb = (6/630 + 6/600) / 2 = 0.009762; current Jun 7/600 = 0.011667 → worse → 0
    r = _region(region, "sairaus")
    assert r["baseline"] == pytest.approx((6 / 630 + 6 / 600) / 2)
    assert r["current"] == pytest.approx(7 / 600)
    assert r["progress"] == 0.0 and r["status"] == "heikko"

    # jaksaminen: not asked in June → current falls back to May (4.0); baseline Jan 4.0, target 4.5 → flat → 0
    r = _region(region, "jaksaminen")
    assert r["current"] == pytest.approx(4.0) and r["current_month"] == MY
    assert r["baseline"] == pytest.approx(4.0)
    assert r["progress"] == 0.0 and r["status"] == "heikko"

    # clinician hours: first rounds 20 + 30 + 25 = 75; latest rounds 5 + 0 + 25 = 30 (latest round 5.6. → Jun)
    # progress (30 − 75) / (15 − 75) = 0.75
    r = _region(region, "kliinikot")
    assert (r["baseline"], r["current"], r["current_month"]) == (75.0, 30.0, JN)
    assert r["progress"] == pytest.approx(0.75) and r["status"] == "hyvä"
    assert r["baseline_stations"] == 3

    # stations live: no station grain → the month before the first go-live (Feb) = 0; current Jun 2/3
    r = _region(region, "live")
    assert r["baseline"] == 0.0 and r["current"] == pytest.approx(2 / 3)
    assert r["progress"] == pytest.approx(2 / 3)

    # compliance: first rounds 625/720 = 0.86806, latest 645/675 = 0.95556 → 0.0875 / 0.13194 = 0.66316
    r = _region(region, "compliance")
    assert r["baseline"] == pytest.approx(625 / 720) and r["current"] == pytest.approx(645 / 675)
    assert r["progress"] == pytest.approx((645 / 675 - 625 / 720) / (1 - 625 / 720))

    # CV: baseline Feb 0.12684; current Jun (see test_load_ratio_cv); target 0.02
    r = _region(region, "cv")
    jun = [195 / CAP, 190 / CAP, 170 / (4.75 * 36.25)]
    cv_feb = statistics.pstdev([190, 230, 170]) / statistics.mean([190, 230, 170])
    cv_jun = statistics.pstdev(jun) / statistics.mean(jun)
    assert r["baseline"] == pytest.approx(cv_feb) and r["current"] == pytest.approx(cv_jun)
    assert r["progress"] == pytest.approx((cv_jun - cv_feb) / (0.02 - cv_feb))

    # overload: region fallback Jan–Feb = (0/2 + 1/3) / 2 = 1/6; current Jun 0 = target → 1
    r = _region(region, "overload")
    assert r["baseline"] == pytest.approx(1 / 6) and r["current"] == 0.0
    assert r["progress"] == 1.0 and r["status"] == "hyvä"


def test_before_go_live_station_average(con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(g, "MIN_BASELINE_STATIONS", 2)
    region, _, _ = g.goal_frames(con, cfg)
    # A: Jan–Feb (2 months before Mar) all-roles 3.2 = (15 + 17) / 10; B: Feb–Mar 2.7 = (10 + 17) / 10
    r = _region(region, "hallinta")
    assert r["baseline"] == pytest.approx((3.2 + 2.7) / 2)
    assert r["baseline_stations"] == 2 and "2 aseman keskiarvo" in r["baseline_label"]
    # overload: A Jan–Feb 0, 0 → 0; B Feb–Mar 1, 1 → 1 → (0 + 1) / 2
    assert _region(region, "overload")["baseline"] == pytest.approx(0.5)


def test_goal_progress_station(con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig) -> None:
    _, station, _ = g.goal_frames(con, cfg)
    # station grain: hallinta, sairaus, jaksaminen, kliinikot, compliance, overload (not live, cv) × 3 stations
    assert station.height == 6 * 3
    assert set(station["indicator_id"]) == {"hallinta", "sairaus", "jaksaminen", "kliinikot", "compliance",
                                            "overload"}
    # A: baseline Jan–Feb 3.2, current Jun 3.7 = (20 + 17) / 10 → 0.5 / 0.8 = 0.625
    r = _station(station, "hallinta", "A")
    assert r["baseline"] == pytest.approx(3.2) and r["current"] == pytest.approx(3.7)
    assert r["progress"] == pytest.approx(0.625) and r["status"] == "hyvä"
    assert r["baseline_start"] == J and r["baseline_end"] == F
    # B: Feb–Mar 2.7 → (3.7 − 2.7) / (4 − 2.7) = 0.7692
    assert _station(station, "hallinta", "B")["progress"] == pytest.approx(1 / 1.3)
    # C never went live: no baseline → no progress
    r = _station(station, "hallinta", "C")
    assert r["baseline"] is None and r["progress"] is None and r["status"] == "ei tietoa"
    assert r["current"] == pytest.approx(3.2)
    # compliance, A: first round 210/240 = 0.875, latest 240/245 → (0.97959 − 0.875) / 0.125 = 0.8367
    r = _station(station, "compliance", "A")
    assert r["progress"] == pytest.approx((240 / 245 - 0.875) / 0.125)
    assert r["baseline_label"] == "kartoitus 15.1.2025"
    # overload, A: baseline Jan–Feb 0, current 0, target 0 → target == baseline, current at target → 1
    assert _station(station, "overload", "A")["progress"] == 1.0
    # overload, B: baseline Feb–Mar 1, current Jun 0 → at target → 1
    r = _station(station, "overload", "B")
    assert r["baseline"] == 1.0 and r["progress"] == 1.0
    # clinician hours, B: first 30, latest 0 → beyond target 15 → 1; C: one round only → 25 vs 25 → 0
    assert _station(station, "kliinikot", "B")["progress"] == 1.0
    r = _station(station, "kliinikot", "C")
    assert r["baseline"] == r["current"] == 25.0 and r["progress"] == 0.0 and r["status"] == "heikko"


def test_station_rows_without_a_station_target_compare_with_their_own_baseline(
    con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig
) -> None:
    """Issue 8: by default ("none") a station row has its own baseline and current value but no target, progress or
    status (the region's target is not the station's); a derived target follows the station's own baseline."""
    none = cfg.model_copy(update={"station_target": "none"})
    _, station, _ = g.goal_frames(con, none)
    r = _station(station, "hallinta", "A")
    assert r["baseline"] == pytest.approx(3.2) and r["current"] == pytest.approx(3.7)
    assert (r["target"], r["progress"], r["status"], r["station_target"]) == (None, None, None, "none")
    assert station["target"].null_count() == station.height
    # same_relative_change: the region goes from its baseline b to target T; station A's target = 3.2 × T / b.
    relative = cfg.model_copy(update={"station_target": "same_relative_change"})
    region, station, _ = g.goal_frames(con, relative)
    b, target = _region(region, "hallinta")["baseline"], _ind(cfg, "hallinta").target
    r = _station(station, "hallinta", "A")
    assert r["target"] == pytest.approx(min(5.0, 3.2 * target / b))
    assert r["progress"] == pytest.approx(g.progress_of(3.2, r["target"], 3.7, "up"))
    # C never went live: no baseline, so no derived target either.
    assert _station(station, "hallinta", "C")["target"] is None
    # same_absolute_change: 3.2 + (T − b).
    absolute = cfg.model_copy(update={"station_target": "same_absolute_change"})
    _, station, _ = g.goal_frames(con, absolute)
    assert _station(station, "hallinta", "A")["target"] == pytest.approx(min(5.0, 3.2 + target - b))


def test_goal_trend(con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig) -> None:
    _, _, trend = g.goal_frames(con, cfg)
    live = trend.filter(pl.col("indicator_id") == "live").sort("month")
    assert live["month"].to_list() == MONTHS
    assert live["value"].to_list() == pytest.approx([0, 0, 1 / 3, 2 / 3, 2 / 3, 2 / 3])
    # jaksaminen has no June value
    assert trend.filter(pl.col("indicator_id") == "jaksaminen")["month"].max() == MY


def test_published_marts(con: duckdb.DuckDBPyConnection) -> None:
    # the load itself ran build_goal_marts with the test config (TYONJAKO_CONFIG_DIR)
    cols = {r[0] for r in con.sql("DESCRIBE mart_goal_progress").fetchall()}
    assert {"goal_id", "indicator_id", "baseline", "target", "current", "progress", "goal_title", "indicator_name",
            "metric", "direction", "unit", "status", "current_month", "baseline_label"} <= cols
    st_cols = {r[0] for r in con.sql("DESCRIBE mart_goal_progress_station").fetchall()}
    assert cols | {"station_id", "station_target"} == st_cols
    assert con.sql("SELECT count(*) FROM mart_goal_progress").fetchall() == [(8,)]
    progress = [r[0] for r in con.sql("SELECT progress FROM mart_goal_progress WHERE progress IS NOT NULL").fetchall()]
    assert all(0 <= p <= 1 for p in progress)
    ba_cols = {r[0] for r in con.sql("DESCRIBE mart_before_after").fetchall()}
    assert {"measure", "role_group", "relative_month", "mean_value", "ci_low", "ci_high", "n_stations",
            "comparison_value", "comparison_n"} <= ba_cols
    assert con.sql("SELECT count(*) FROM mart_goal_trend").fetchall()[0][0] > 0


def test_empty_warehouse(con: duckdb.DuckDBPyConnection, cfg: g.GoalsConfig) -> None:
    mem = duckdb.connect()
    for table in ("mart_workload", "mart_pulssi", "mart_sick_leave", "mart_compliance", "mart_rollout"):
        mem.register("__empty", con.sql(f"SELECT * FROM {table} LIMIT 0").pl())  # noqa: S608 - test constants
        mem.execute(f"CREATE TABLE {table} AS SELECT * FROM __empty")
        mem.unregister("__empty")
    g.build_goal_marts(mem, None, cfg)  # type: ignore[arg-type]
    rows = mem.sql("SELECT status, count(*) FROM mart_goal_progress GROUP BY status").fetchall()
    assert rows == [("ei tietoa", 8)]
    assert mem.sql("SELECT count(*) FROM mart_before_after").fetchall() == [(0,)]
    assert mem.sql("SELECT count(*) FROM mart_goal_progress_station").fetchall() == [(0,)]


# ---------------------------------------------------------------------------------------------------------
# Before / after go-live
# ---------------------------------------------------------------------------------------------------------
def _ba(frame: pl.DataFrame, measure: str, question: str | None = None, role_group: str | None = None) -> dict:
    f = frame.filter(pl.col("measure") == measure)
    f = f.filter(pl.col("question_id").is_null() if question is None else pl.col("question_id") == question)
    f = f.filter(pl.col("role_group").is_null() if role_group is None else pl.col("role_group") == role_group)
    return {r["relative_month"]: r for r in f.iter_rows(named=True)}


def test_before_after_alignment(con: duckdb.DuckDBPyConnection) -> None:
    ba = g.before_after_frame(con)
    h = _ba(ba, "pulssi_mean", "hallinta")
    assert sorted(h) == list(range(-6, 13))
    # Station values, all roles: A Jan–Feb 3.2, Mar–Jun 3.7; B Jan–Mar 2.7, Apr–Jun 3.7; C (never live) 3.2,
    # May 29/9. A goes live in Mar (month 0), B in Apr: A Jan = −2, B Jan = −3.
    assert h[-3]["n_stations"] == 1 and h[-3]["mean_value"] == pytest.approx(2.7)
    assert h[-3]["ci_low"] is None and h[-3]["ci_high"] is None
    # −3: B in Jan; not yet live in Jan besides B: A 3.2, C 3.2 → 3.2
    assert h[-3]["comparison_value"] == pytest.approx(3.2) and h[-3]["comparison_n"] == 2
    # −2: A Jan 3.2, B Feb 2.7 → 2.95, sd 0.35355, ± 1.96 × 0.35355 / √2 = ± 0.49
    r = h[-2]
    assert r["n_stations"] == 2 and r["mean_value"] == pytest.approx(2.95)
    assert r["ci_low"] == pytest.approx(2.46) and r["ci_high"] == pytest.approx(3.44)
    # comparison: A@Jan ← B 2.7, C 3.2 = 2.95; B@Feb ← A 3.2, C 3.2 = 3.2 → 3.075 from A, B, C
    assert r["comparison_value"] == pytest.approx(3.075) and r["comparison_n"] == 3
    # −1: B@Mar ← A is live in March, so only C 3.2; A@Feb ← B 2.7, C 3.2 → (2.95 + 3.2) / 2
    assert h[-1]["comparison_value"] == pytest.approx(3.075) and h[-1]["comparison_n"] == 2
    # 0: A Mar 3.7, B Apr 3.7 → 3.7, sd 0 → interval 3.7..3.7
    r = h[0]
    assert r["mean_value"] == pytest.approx(3.7) and r["ci_low"] == pytest.approx(3.7) and r["n_stations"] == 2
    # +1: A@Apr ← C 3.2; B@May ← C is suppressed in May (see test_pulssi_mean) → 3.2 from A only
    assert h[1]["comparison_value"] == pytest.approx(3.2) and h[1]["comparison_n"] == 1
    # +3: only A (Jun) so far: a single station gives no interval
    assert h[3]["n_stations"] == 1 and h[3]["ci_low"] is None
    # +4 … +12 and −6 … −4: no station has data
    assert h[4]["n_stations"] == 0 and h[4]["mean_value"] is None and h[4]["comparison_value"] is None
    assert h[-4]["n_stations"] == 0


def test_before_after_other_measures(con: duckdb.DuckDBPyConnection) -> None:
    ba = g.before_after_frame(con)
    # sick leave, all roles, month 0: A Mar 2 / (10 × 21), B Apr 0 → mean 0.0047619
    s = _ba(ba, "sick_leave_rate")
    assert s[0]["mean_value"] == pytest.approx((2 / 210 + 0) / 2)
    # load ratio, month 0: A Mar 190/181.25, B Apr 230/181.25 → 210/181.25
    lr = _ba(ba, "load_ratio")
    assert lr[0]["mean_value"] == pytest.approx(210 / CAP)
    # −1: A Feb 190/181.25, B Mar 230/181.25; comparison: A@Feb ← B 230, C 170; B@Mar ← C 170
    assert lr[-1]["comparison_value"] == pytest.approx(((230 + 170) / 2 / CAP + 170 / CAP) / 2)
    # compliance, month 0: A Mar (round 15.1.) 210/240, B Apr (round 10.2.) 240/280
    c = _ba(ba, "compliance_share")
    assert c[0]["mean_value"] == pytest.approx((210 / 240 + 240 / 280) / 2)
    # −3: B Jan has no round yet → no value
    assert c[-3]["n_stations"] == 0
    # suppressed groups give no point: C's secretaries in May (4 respondents) are never in any comparison value.
    sec = _ba(ba, "pulssi_mean", "hallinta", "sihteerit")
    # +1: A Apr 4, B May 4; comparison A@Apr ← C 3; B@May ← C suppressed → only A's comparison counts
    assert sec[1]["mean_value"] == pytest.approx(4.0)
    assert sec[1]["comparison_value"] == pytest.approx(3.0)
    assert set(ba["measure"]) == {"pulssi_mean", "sick_leave_rate", "load_ratio", "compliance_share"}
    assert set(ba.filter(pl.col("measure") == "pulssi_mean")["question_id"]) == {"hallinta", "jaksaminen"}


# ---------------------------------------------------------------------------------------------------------
# Progress and status (pure)
# ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "target", "current", "direction", "expected"),
    [
        (3.0, 4.0, 3.5, "up", 0.5),  # improving, half-way
        (3.0, 4.0, 2.5, "up", 0.0),  # worsening → clipped to 0
        (3.0, 4.0, 3.0, "up", 0.0),  # flat
        (3.0, 4.0, 4.2, "up", 1.0),  # beyond target → 1
        (0.06, 0.04, 0.05, "down", 0.5),  # improving downwards
        (0.06, 0.04, 0.07, "down", 0.0),  # worsening downwards
        (0.06, 0.04, 0.03, "down", 1.0),
        (4.0, 4.0, 4.0, "up", 1.0),  # target == baseline, current at target
        (4.0, 4.0, 4.1, "up", 1.0),  # … beyond it
        (4.0, 4.0, 3.9, "up", 0.0),  # … short of it
        (0.0, 0.0, 0.0, "down", 1.0),
        (0.0, 0.05, 0.1, "down", 0.0),  # baseline already better than target, current fell behind it
        (0.0, 0.05, 0.02, "down", 1.0),  # … still within target
    ],
)
def test_progress_of(baseline: float, target: float, current: float, direction: str, expected: float) -> None:
    assert g.progress_of(baseline, target, current, direction) == pytest.approx(expected)


def test_progress_of_empty() -> None:
    assert g.progress_of(None, 4.0, 3.0, "up") is None
    assert g.progress_of(3.0, 4.0, None, "up") is None
    assert g.progress_of(float("nan"), 4.0, 3.0, "up") is None


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.sampled_from(["up", "down"]))
def test_progress_is_clipped(baseline: float, target: float, current: float, direction: str) -> None:
    p = g.progress_of(baseline, target, current, direction)
    assert p is not None and 0.0 <= p <= 1.0


def test_status_of() -> None:
    assert g.status_of(None) == "ei tietoa"
    assert g.status_of(1.0) == "hyvä" and g.status_of(0.5) == "hyvä"
    assert g.status_of(0.49) == "riski" and g.status_of(0.1) == "riski"
    assert g.status_of(0.09) == "heikko" and g.status_of(0.0) == "heikko"
    t = g.Thresholds(hyva=0.8, riski=0.3)
    assert g.status_of(0.7, t) == "riski" and g.status_of(0.2, t) == "heikko" and g.status_of(0.8, t) == "hyvä"


# ---------------------------------------------------------------------------------------------------------
# Configuration file
# ---------------------------------------------------------------------------------------------------------
def test_project_config_loads() -> None:
    goals = g.load_goals(Path(__file__).resolve().parents[1] / "config" / "tavoitteet.toml")
    assert [x.id for x in goals.tavoitteet] == [1, 2, 3, 4, 5]
    metrics = {i.metric for x in goals.tavoitteet for i in x.mittarit}
    assert metrics == set(g.METRICS) - {"pulssi_favourable", "pulssi_enps"}


def test_default_path_falls_back_to_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_CONFIG_DIR", str(tmp_path))
    assert g.default_goals_path().name == "tavoitteet.toml" and g.default_goals_path().exists()
    (tmp_path / "tavoitteet.toml").write_text(TEST_GOALS, encoding="utf-8")
    assert g.default_goals_path() == tmp_path / "tavoitteet.toml"
    assert len(g.load_goals().tavoitteet) == 4


def _bad(tmp_path: Path, replace: tuple[str, str]) -> str:
    text = TEST_GOALS.replace(*replace, 1)
    assert text != TEST_GOALS
    path = tmp_path / "tavoitteet.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        g.load_goals(path)
    message = str(err.value)
    assert str(path) in message
    return message


def test_config_unknown_metric(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ('metric = "pulssi_mean"', 'metric = "pulssi_average"'))
    assert "tavoitteet.0.mittarit.0.metric:" in msg and "pulssi_mean" in msg


def test_config_missing_target(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ("target = 15\n", "\n"))
    assert "tavoitteet.1.mittarit.0.target:" in msg and "Field required" in msg


def test_config_wrong_direction(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ('direction = "down"', 'direction = "alas"'))
    assert "tavoitteet.0.mittarit.1.direction:" in msg


def test_config_bad_period(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ('start = "2025-01", end = "2025-02"', 'start = "2025-13", end = "2025-02"'))
    assert "tavoitteet.0.mittarit.1.baseline.period.start:" in msg
    msg = _bad(tmp_path, ('start = "2025-01", end = "2025-02"', 'start = "2025-03", end = "2025-02"'))
    assert "tavoitteet.0.mittarit.1.baseline.period.end:" in msg and "ennen alkua" in msg


def test_config_parameters(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ('question = "hallinta"\n', ""))
    assert "tavoitteet.0.mittarit.0.question:" in msg and "tarvitsee" in msg
    msg = _bad(tmp_path, ('metric = "clinician_admin_hours"', 'metric = "clinician_admin_hours"\nrole_group = "muut"'))
    assert "tavoitteet.1.mittarit.0.role_group:" in msg and "ei käytä" in msg
    msg = _bad(tmp_path, ('question = "hallinta"', 'question = "hallinta"\nrole_group = "sihteeri"'))
    assert "tavoitteet.0.mittarit.0.role_group:" in msg


def test_config_baseline_fits_metric(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ('baseline = { kind = "before_go_live", months = 2 }\ntarget = 4.0',
                          'baseline = { kind = "first_round" }\ntarget = 4.0'))
    assert "tavoitteet.0.mittarit.0.baseline:" in msg and "first_round" in msg
    msg = _bad(tmp_path, ('baseline = { kind = "first_round" }\ntarget = 15',
                          'baseline = { kind = "before_go_live" }\ntarget = 15'))
    assert "tavoitteet.1.mittarit.0.baseline:" in msg
    msg = _bad(tmp_path, ('kind = "period", start = "2025-01", end = "2025-02"', 'kind = "ennen"'))
    assert "tavoitteet.0.mittarit.1.baseline:" in msg


def test_config_target_range_and_ids(tmp_path: Path) -> None:
    msg = _bad(tmp_path, ("target = 0.005", "target = 85"))
    assert "tavoitteet.0.mittarit.1.target:" in msg and "0.85" in msg
    msg = _bad(tmp_path, ('id = "sairaus"', 'id = "hallinta"'))
    assert "tavoitteet:" in msg and "hallinta" in msg
    msg = _bad(tmp_path, ("id = 5", "id = 6"))
    assert "tavoitteet.3.id:" in msg
    msg = _bad(tmp_path, ('nimi = "Hallinta, kaikki"', 'nimi = "Hallinta, kaikki"\nextra = 1'))
    assert "tavoitteet.0.mittarit.0.extra:" in msg
