"""Derived privacy (contract revision 2, "Absence-derived figures are health data too").

* Hand-computed: a tiny warehouse built through the real loader, with the estimated capacity of a station under k
  secretaries worked out by hand (region rate r, other absence as recorded, each person-row floored at 0).
* Property (hypothesis): over random stations and staffing, every published absence-derived figure equals its
  definition (so the vectors below are the figures the marts really publish), and no combination of published
  figures gives the sick leave (or the absence) of fewer than k people beyond what the sick-leave mart's own shown
  rates give (which the suppression must keep at nothing; tests/test_privacy_suppression.py).

How the property is checked. Every figure the marts publish about absence is linear in the unknown sick days s_p
and other-absence days o_p of the person-rows p (FTE, working days, roles and stations are known to the reader):
a sick-leave rate is Σ FTE·s / Σ FTE·wd; a recorded net FTE is Σ FTE − Σ FTE·(s + o)/wd; an estimated one is
Σ FTE − Σ FTE·o/wd − r·Σ FTE with r = Σ_region secretaries FTE·s / Σ FTE·wd; other absence days are Σ o.
(The data are drawn so that no floor binds.) A reader can compute exactly the linear combinations of the published
rows. A group G of fewer than k people leaks when some combination depends on the sick days of G and on nothing
but the sick and other days of G: dim(span ∩ R^{s_G, o_G}) > dim(span ∩ R^{o_G}). Other absence alone is not
protected (the contract keeps it "as recorded"). Groups checked: every person, every station × role group, every
station's secretaries, its other staff and all its staff, every municipality × role group and every municipality.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import Month, load_ok  # noqa: E402

from dashboard import queries  # noqa: E402
from dashboard import queries_workload as qw  # noqa: E402
from dashboard.access import Scope  # noqa: E402
from warehouse import db as wdb  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

K = 5
WEEKLY_HOURS = 36.25
JUN = Month(2025, 6)  # 20 working days
WD = 20
STAFF_HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                "sairauspoissaolo_pv", "muu_poissaolo_pv"]
TASKS = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
    ["T1", "Ajanvaraus", "Ajanvaraus", "terveyskeskusavustaja"],
    ["T2", "Haavahoito", "Kliininen työ", "sairaanhoitaja"],
]
ROLE = {"sihteerit": "toimistosihteeri", "kliiniset": "sairaanhoitaja", "muut": "muu"}


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    with wdb.read(db) as con:
        rel = con.sql(sql, params=params or [])
        cols = rel.columns
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


# ---------------------------------------------------------------------------------------------------------------
# Hand-computed: two stations, X with 2 secretaries (estimated) and Y with 5 (recorded)
# ---------------------------------------------------------------------------------------------------------------
HAND_STATIONS = [
    ["asema_id", "nimi", "kunta"],
    ["X", "Xasema", "Xkunta"],
    ["Y", "Yasema", "Ykunta"],
    ["Z1", "Z yksi", "Zkunta"],
    ["Z2", "Z kaksi", "Zkunta"],
]
HAND_MAPPING = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    [date(2025, 6, 2), "X", "T1", "terveyskeskusavustaja", 30],
    [date(2025, 6, 2), "Y", "T1", "terveyskeskusavustaja", 100],
]
HAND_STAFF = [
    STAFF_HEADER,
    # X: x1 full time, 4 sick and 2 other days; x2 half time, away the whole month for other reasons.
    [JUN, "x1", "X", "toimistosihteeri", 100, "vakinainen", 4, 2],
    [JUN, "x2", "X", "terveyskeskusavustaja", 50, "vakinainen", 0, 20],
    *[[JUN, f"xn{i}", "X", "sairaanhoitaja", 100, "vakinainen", 1, 0] for i in range(5)],
    # Y: five full-time secretaries, y0 with 6 sick days.
    *[[JUN, f"y{i}", "Y", "toimistosihteeri", 100, "vakinainen", 6 if i == 0 else 0, 0] for i in range(5)],
]


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import csv_bytes, inputs, set_env

    from etl.load import load

    path = tmp_path_factory.mktemp("derived") / "w.duckdb"
    files = {"asemat.csv": HAND_STATIONS, "tehtavat.csv": TASKS, "kartoitus.csv": HAND_MAPPING,
             "henkilosto.csv": HAND_STAFF}
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        # Marked as demo data, so that the app opens it in demo mode (role selector) for the page test.
        result = load(inputs({name: csv_bytes(r) for name, r in files.items()}), db=path, origin="demo")
    assert result.ok, result
    return path


# Region secretaries: FTE 1 + 0.5 + 5 = 6.5; Σ FTE × sick days = 1×4 + 0.5×0 + 1×6 = 10; r = 10 / (6.5 × 20) = 1/13.
R = 1 / 13
# X published: x1 1 × (1 − 2/20 − 1/13) = 107/130; x2 0.5 × (1 − 20/20 − 1/13) < 0 → 0 (each person-row floored).
X_NET = 107 / 130
X_ACTUAL = 1 * (1 - 6 / 20) + 0  # recorded: x1 0.7, x2 0
Y_NET = 5 - 6 / 20  # 4.7, recorded (5 secretaries)


def test_estimated_capacity_by_hand(hand_db: Path) -> None:
    (x,) = rows(hand_db, "SELECT * FROM mart_workload WHERE station_id = 'X'")
    assert x["capacity_estimated"] is True
    assert x["secretary_fte"] == pytest.approx(1.5)
    assert x["secretary_net_fte"] == pytest.approx(X_NET)
    assert x["capacity_hours_week"] == pytest.approx(X_NET * WEEKLY_HOURS)
    assert x["load_ratio"] == pytest.approx(30 / (X_NET * WEEKLY_HOURS))
    # The absence totals would undo the estimate: hidden. The unweighted sick-day count is not published.
    assert (x["net_fte"], x["other_absence_days"]) == (None, None)
    assert "sick_days" not in x
    (y,) = rows(hand_db, "SELECT * FROM mart_workload WHERE station_id = 'Y'")
    assert y["capacity_estimated"] is False
    assert y["secretary_net_fte"] == pytest.approx(Y_NET)
    assert y["load_ratio"] == pytest.approx(100 / (Y_NET * WEEKLY_HOURS))
    # Y's net FTE follows its sick-leave rate: here secondary suppression hides the rate (X's small groups), so
    # the station's absence total is hidden with it.
    assert y["sick_leave_suppressed"] is True and y["net_fte"] is None


def test_region_rate_and_actual_figures_stay_internal(hand_db: Path) -> None:
    (x,) = rows(hand_db, "SELECT * FROM int_workload_capacity WHERE station_id = 'X'")
    assert x["region_secretary_sick_rate"] == pytest.approx(R)
    assert x["actual_secretary_net_fte"] == pytest.approx(X_ACTUAL)
    from warehouse.build import MARTS

    assert "int_workload_capacity" not in MARTS
    published = {r["column_name"] for r in rows(
        hand_db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'mart_workload'")}
    assert not published & {"actual_secretary_net_fte", "actual_capacity_hours_week", "actual_load_ratio",
                            "estimated_secretary_net_fte", "region_secretary_sick_rate", "sick_days"}


def test_totals_come_from_the_published_station_figures(hand_db: Path) -> None:
    (region,) = qw.unit_series(hand_db).to_dicts()
    assert region["capacity_hours_week"] == pytest.approx((X_NET + Y_NET) * WEEKLY_HOURS)
    assert region["load_ratio"] == pytest.approx(130 / ((X_NET + Y_NET) * WEEKLY_HOURS))
    assert region["estimated_stations"] == 1
    (xkunta,) = qw.unit_series(hand_db, "Xkunta").to_dicts()
    assert xkunta["secretary_net_fte"] == pytest.approx(X_NET)


def test_only_the_stations_own_manager_sees_its_actual_capacity(hand_db: Path) -> None:
    own = qw.actual_capacity(hand_db, Scope("esihenkilo", frozenset({"X"})), "X")
    assert own["secretary_net_fte"].to_list() == pytest.approx([X_ACTUAL])
    assert own["load_ratio"].to_list() == pytest.approx([30 / (X_ACTUAL * WEEKLY_HOURS)])
    for scope in (Scope("johto"), Scope("projektipaallikko"), Scope("esihenkilo", frozenset({"Y"}))):
        with pytest.raises(PermissionError):
            qw.actual_capacity(hand_db, scope, "X")
    # Y's figures are not estimated: there is nothing internal to show.
    assert qw.actual_capacity(hand_db, Scope("esihenkilo", frozenset({"Y"})), "Y").is_empty()
    # What every scope's workload query gives is the published figure.
    for scope in (Scope("johto"), Scope("esihenkilo", frozenset({"X"}))):
        x = queries.workload(hand_db, scope, station_id="X")
        assert x["secretary_net_fte"].to_list() == pytest.approx([X_NET])


def test_page_says_estimated_and_shows_actual_to_own_manager_only(make_app, hand_db: Path) -> None:
    def page(role: str, station: str | None) -> Any:
        at = make_app(hand_db, page="pages/tyokuorma.py", role=role, station=station,
                      state={"f_station": station} if station else None)
        assert not at.exception, [e.value for e in at.exception]
        return at

    manager = page("esihenkilo", "X")
    captions = " ".join(c.value for c in manager.caption)
    assert "alueen sihteerien sairauspoissaoloprosentilla" in captions
    # The region total holds one station besides X (Y; Z1 and Z2 have no staffing): hidden, with a sentence.
    assert any("kokonaislukua ei näytetä" in i.value for i in manager.info)
    expanders = [e.label for e in manager.expander]
    assert any("vain aseman esihenkilölle" in label for label in expanders)
    texts = " ".join(m.value for m in manager.markdown)
    assert "0,70" in texts  # the recorded 0.7 net FTE, to X's own manager
    leader = page("johto", None)
    assert not [e for e in leader.expander if "vain aseman esihenkilölle" in e.label]
    assert "0,70" not in " ".join(m.value for m in leader.markdown)


# ---------------------------------------------------------------------------------------------------------------
# Property: random stations and staffing
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """One person-row of the drawn staffing."""

    pid: str
    station: str
    municipality: str
    group: str
    fte: float
    sick: int
    other: int


people_counts = st.tuples(st.integers(0, 7), st.integers(0, 7), st.integers(0, 2))  # secretaries, clinical, other
person_values = st.tuples(st.sampled_from([50, 80, 100]), st.integers(0, 5), st.integers(0, 4))


@st.composite
def regions(draw: st.DrawFn) -> list[Person]:
    """1–3 municipalities of 1–3 stations each; small absences so that no net FTE floor binds."""
    ids = count()
    out: list[Person] = []
    for m in range(draw(st.integers(1, 3))):
        for s in range(draw(st.integers(1, 3))):
            station = f"M{m}S{s}"
            for group, n in zip(("sihteerit", "kliiniset", "muut"), draw(people_counts), strict=True):
                for _ in range(n):
                    pct, sick, other = draw(person_values)
                    out.append(Person(f"p{next(ids)}", station, f"Kunta{m}", group, pct / 100, sick, other))
    return out


def build_region(path: Path, staff: list[Person]) -> None:
    stations = sorted({(p.station, p.municipality) for p in staff})
    load_ok(path, {
        "asemat.csv": [["asema_id", "nimi", "kunta"], *[[s, f"Asema {s}", m] for s, m in stations]],
        "tehtavat.csv": TASKS,
        "kartoitus.csv": [["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
                          *[[date(2025, 6, 1), s, "T1", "terveyskeskusavustaja", 40] for s, _ in stations]],
        "henkilosto.csv": [STAFF_HEADER, *[[JUN, p.pid, p.station, ROLE[p.group], round(p.fte * 100), "vakinainen",
                                            p.sick, p.other] for p in staff]],
    })


class Model:
    """The published figures as vectors over (s_1..s_n, o_1..o_n), checked against the marts' values."""

    def __init__(self, staff: list[Person]) -> None:
        self.staff = staff
        self.n = len(staff)
        self.vectors: list[np.ndarray] = []
        self.sick_vectors = 0  # how many of the vectors are mart_sick_leave's shown rates (they come first)
        secretaries = [p for p in staff if p.group == "sihteerit"]
        self.r_den = sum(p.fte * WD for p in secretaries)
        self.r = sum(p.fte * p.sick for p in secretaries) / self.r_den if self.r_den else 0.0

    def vec(self) -> np.ndarray:
        return np.zeros(2 * self.n)

    def add(self, v: np.ndarray) -> None:
        self.vectors.append(v)

    def sick_rate(self, members: list[int]) -> tuple[float, np.ndarray]:
        v = self.vec()
        for i in members:
            v[i] = self.staff[i].fte
        fte_wd = sum(self.staff[i].fte * WD for i in members)
        return sum(self.staff[i].fte * self.staff[i].sick for i in members) / fte_wd, v

    def recorded_net(self, members: list[int]) -> tuple[float, np.ndarray]:
        v = self.vec()
        for i in members:
            v[i] = v[self.n + i] = -self.staff[i].fte / WD
        value = sum(self.staff[i].fte * (1 - (self.staff[i].sick + self.staff[i].other) / WD) for i in members)
        return value, v

    def estimated_net(self, members: list[int]) -> tuple[float, np.ndarray]:
        v = self.vec()
        total_fte = sum(self.staff[i].fte for i in members)
        for i in members:
            v[self.n + i] = -self.staff[i].fte / WD
        for j, q in enumerate(self.staff):
            if q.group == "sihteerit":
                v[j] -= total_fte * q.fte / self.r_den
        value = sum(self.staff[i].fte * (1 - self.staff[i].other / WD - self.r) for i in members)
        return value, v

    def other_days(self, members: list[int]) -> tuple[float, np.ndarray]:
        v = self.vec()
        for i in members:
            v[self.n + i] = 1.0
        return float(sum(self.staff[i].other for i in members)), v


def _dim_within(span: np.ndarray, coords: list[int]) -> int:
    """dim(row space of `span` ∩ the coordinate subspace of `coords`)."""
    if not coords or span.size == 0:
        return 0
    basis = np.eye(span.shape[1])[coords]
    rank = np.linalg.matrix_rank
    return rank(span) + len(coords) - rank(np.vstack([span, basis]))


def leaking_groups(model: Model) -> list[str]:
    """Groups of 1..k−1 people whose sick days some combination of the published figures gives."""
    return [f"{name} ({size} people)" for (name, size), d in leak_dims(model).items() if d]


def leak_dims(model: Model) -> dict[tuple[str, int], int]:
    """Per natural group of 1..k−1 people: how many independent combinations of the published figures depend on
    the group's sick days and on nothing but its sick and other days (0 = nothing leaks)."""
    if not model.vectors:
        return {}
    span = np.vstack(model.vectors)
    span = span / np.maximum(np.abs(span).max(axis=1, keepdims=True), 1e-12)
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(model.staff):
        groups[f"person {p.pid}"] = [i]
        for name, ok in ((f"{p.station}/{p.group}", True), (f"{p.station}/others", p.group != "sihteerit"),
                         (f"{p.station}/all", True), (f"{p.municipality}/{p.group}", True),
                         (f"{p.municipality}/all", True), (f"region/{p.group}", True)):
            if ok:
                groups.setdefault(name, []).append(i)
    out = {}
    for name, members in groups.items():
        if not 0 < len(members) < K:
            continue
        sick_and_other = [*members, *[model.n + i for i in members]]
        other_only = [model.n + i for i in members]
        out[(name, len(members))] = _dim_within(span, sick_and_other) - _dim_within(span, other_only)
    return out


def published_model(db: Path, staff: list[Person]) -> Model:
    """Read what the marts publish, check each figure against its definition and collect its vector."""
    model = Model(staff)
    members_of = {}
    for i, p in enumerate(staff):
        members_of.setdefault(("station", p.station), []).append(i)
        members_of.setdefault(("station_group", p.station, p.group), []).append(i)
    # Sick-leave rates of every shown group of mart_sick_leave.
    for row in rows(db, "SELECT * FROM mart_sick_leave WHERE sick_leave_rate IS NOT NULL"):
        members = [i for i, p in enumerate(staff)
                   if row["municipality"] in (None, p.municipality) and row["station_id"] in (None, p.station)
                   and row["role_group"] in (None, p.group)]
        value, v = model.sick_rate(members)
        assert row["sick_leave_rate"] == pytest.approx(value), row
        model.add(v)
    region_rate_shown = bool(rows(db, "SELECT 1 FROM mart_sick_leave WHERE municipality IS NULL AND station_id IS "
                                      "NULL AND role_group = 'sihteerit' AND sick_leave_rate IS NOT NULL"))
    if sum(p.group == "sihteerit" for p in staff) < K:
        assert not region_rate_shown
    model.sick_vectors = len(model.vectors)
    work = rows(db, "SELECT * FROM mart_workload")
    assert work and "sick_days" not in work[0]
    for row in work:
        station = members_of.get(("station", row["station_id"]), [])
        sec = members_of.get(("station_group", row["station_id"], "sihteerit"), [])
        assert row["capacity_estimated"] == (len(sec) < K), row
        if row["capacity_estimated"] and sec and not region_rate_shown:
            # The estimate carries the region's secretary rate: only where that rate is itself shown.
            assert (row["secretary_net_fte"], row["capacity_hours_week"], row["load_ratio"]) == (None, None, None)
        else:
            value, v = model.estimated_net(sec) if row["capacity_estimated"] and sec else model.recorded_net(sec)
            assert row["secretary_net_fte"] == pytest.approx(value, abs=1e-9), row
            assert row["capacity_hours_week"] == pytest.approx(value * WEEKLY_HOURS, abs=1e-9)
            if value > 0:
                assert row["load_ratio"] == pytest.approx(40 / (value * WEEKLY_HOURS))
            if sec:
                model.add(v)
        if row["sick_leave_rate"] is not None:
            value, v = model.sick_rate(station)
            assert row["sick_leave_rate"] == pytest.approx(value)
            model.add(v)
        if row["net_fte"] is not None:
            value, v = model.recorded_net(station)
            assert row["net_fte"] == pytest.approx(value)
            model.add(v)
        if row["other_absence_days"] is not None:
            value, v = model.other_days(station)
            assert row["other_absence_days"] == value
            model.add(v)
    return model


# A region that takes every path: a recorded station (6 secretaries, 6 nurses), estimated ones (2 secretaries beside
# 5 nurses; a lone part-time secretary with one other person; 3 secretaries beside 5 nurses) and a shown region rate.
MIXED = [
    *[Person(f"a{i}", "A", "KuntaA", "sihteerit", (100, 80, 50)[i % 3] / 100, i % 4, i % 3) for i in range(6)],
    *[Person(f"an{i}", "A", "KuntaA", "kliiniset", 1.0, i % 2, 1) for i in range(6)],
    *[Person(f"b{i}", "B", "KuntaB", "sihteerit", 1.0, 3 * i, 1) for i in range(2)],
    *[Person(f"bn{i}", "B", "KuntaB", "kliiniset", 0.8, i, 0) for i in range(5)],
    Person("c0", "C", "KuntaA", "sihteerit", 0.5, 2, 0), Person("c1", "C", "KuntaA", "muut", 1.0, 0, 2),
    # D: 3 secretaries in a municipality of their own, so that the region's secretary rate can be shown.
    *[Person(f"d{i}", "D", "KuntaD", "sihteerit", 1.0, i, 2 - i) for i in range(3)],
    *[Person(f"dn{i}", "D", "KuntaD", "kliiniset", 1.0, 1, 1) for i in range(5)],
]

# Without C and with six more secretaries at E: the region's secretary rate is shown, so B and D publish the estimate
# and A (6 secretaries, 6 nurses) its recorded figures with the station's net FTE.
SHOWN_RATE = [p for p in MIXED if p.station != "C"] + [
    Person(f"e{i}", "E", "KuntaE", "sihteerit", 1.0, i % 3, 1) for i in range(6)
]


@example(staff=SHOWN_RATE)
@example(staff=MIXED)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(staff=regions())
def test_no_published_combination_gives_the_sick_leave_of_fewer_than_k(
    staff: list[Person], tmp_path_factory: pytest.TempPathFactory
) -> None:
    if not staff:
        return
    path = tmp_path_factory.mktemp("prop") / "w.duckdb"
    build_region(path, staff)
    model = published_model(path, staff)
    # The workload figures reveal nothing more about any small group's sick leave than the sick-leave mart's own
    # shown rates do (model.sick_vectors); that those reveal nothing is the suppression's property
    # (tests/test_privacy_suppression.py).
    sick_only = Model(staff)
    sick_only.vectors = model.vectors[: model.sick_vectors]
    assert {g: d for g, d in leak_dims(model).items() if d} == {g: d for g, d in leak_dims(sick_only).items() if d}
    # Totals over stations are sums of the published station figures.
    series = queries.workload_series(path).row(0, named=True)
    published = pl.DataFrame(rows(path, "SELECT capacity_hours_week FROM mart_workload"))
    shown = published["capacity_hours_week"].drop_nulls()
    assert series["capacity_hours_week"] == (pytest.approx(shown.sum()) if shown.len() else None)


def test_the_leak_check_finds_the_leak_of_recorded_figures() -> None:
    """The check is not vacuous: publishing a lone secretary's recorded net FTE next to a shown station is a leak."""
    staff = [Person("a", "S", "M", "sihteerit", 1.0, 2, 1),
             *[Person(f"n{i}", "S", "M", "kliiniset", 1.0, 1, 0) for i in range(5)]]
    model = Model(staff)
    model.add(model.recorded_net([0])[1])
    assert "person a (1 people)" in leaking_groups(model)
    # The estimate (other absence as recorded, sick leave at the region rate) leaks too while the region holds
    # fewer than k secretaries (r is then their own rate: the mart publishes nothing there) ...
    staff.append(Person("b", "T", "M", "sihteerit", 1.0, 3, 0))
    model = Model(staff)
    model.add(model.estimated_net([0])[1])
    assert "M/sihteerit (2 people)" in leaking_groups(model)
    # ... and not once the region has k: five more secretaries at T.
    staff += [Person(f"t{i}", "T", "N", "sihteerit", 1.0, i, 0) for i in range(4)]
    model = Model(staff)
    model.add(model.estimated_net([0])[1])
    model.add(model.sick_rate(list(range(6)))[1])
    assert leaking_groups(model) == []


def test_demo_totals_hidden_from_a_manager_in_one_station_municipalities(demo_db: Path) -> None:
    stations = queries.stations(demo_db)
    per_muni = stations.group_by("municipality").agg(pl.col("station_id").sort())
    lonely = {r["municipality"]: r["station_id"] for r in per_muni.iter_rows(named=True) if len(r["station_id"]) == 1}
    assert lonely, "the demo has one-station municipalities"
    manager_station = next(s for s in stations["station_id"].to_list()
                           if stations.filter(pl.col("station_id") == s)["municipality"][0] not in lonely)
    manager = Scope("esihenkilo", frozenset({manager_station}))
    for municipality in lonely:
        series = qw.unit_series(demo_db, municipality, manager)
        assert series["hidden"].all(), municipality
        assert series["load_ratio"].null_count() == series.height
        assert queries.sick_leave(demo_db, manager, municipality=municipality).is_empty()
        assert queries.pulssi_unit(demo_db, manager, municipality=municipality).is_empty()
        # Leadership sees every total.
        assert not qw.unit_series(demo_db, municipality, Scope("johto"))["hidden"].any()
    assert not qw.unit_series(demo_db, None, manager)["hidden"].any()  # the region has many other stations



def test_two_loads_in_any_row_order_give_identical_figures(tmp_path: Path) -> None:
    """Deterministic sums: the same staffing in another row order gives byte-identical workload and goal figures."""
    import random

    rng = random.Random(20251129)
    staff = [Person(f"p{i}", f"M{i % 3}S{i % 5}", f"Kunta{i % 3}", ("sihteerit", "kliiniset", "muut")[i % 3],
                    rng.choice([33.3, 50, 62.5, 80, 100]) / 100, rng.randint(0, 7), rng.randint(0, 5))
             for i in range(60)]
    shuffled = staff[:]
    rng.shuffle(shuffled)
    # The figures this module owns: capacity and load (sick-leave rates come from mart_sick_leave, built elsewhere)
    # and the goal indicators built on them.
    workload_metrics = "metric IN ('load_ratio_cv', 'overload_share')"
    queries_ = {
        "int_workload_capacity": "SELECT * FROM int_workload_capacity",
        "mart_workload": "SELECT * EXCLUDE (sick_leave_rate) FROM mart_workload",
        "mart_goal_progress": f"SELECT * FROM mart_goal_progress WHERE {workload_metrics}",
        "mart_goal_progress_station": f"SELECT * FROM mart_goal_progress_station WHERE {workload_metrics}",
        "mart_goal_trend": "SELECT t.* FROM mart_goal_trend AS t JOIN mart_goal_progress AS p USING (indicator_id) "
                           f"WHERE p.{workload_metrics}",
    }
    tables = tuple(queries_)
    snapshots = []
    for order, name in ((staff, "a"), (shuffled, "b")):
        path = tmp_path / f"{name}.duckdb"
        build_region(path, order)
        with wdb.read(path) as con:
            snapshots.append({t: con.sql(f"{q} ORDER BY ALL").fetchall() for t, q in queries_.items()})
            assert all(snapshots[-1].values())
    for table in tables:
        assert snapshots[0][table] == snapshots[1][table], table
