"""The unit-level marts (mart_workload_unit, mart_compliance_unit, mart_compliance_round_unit) against values worked
by hand, on a tiny warehouse built through the real loader.

Four stations, every secretary full time without absence (capacity 5 × 36.25 = 181.25 h/week where a station has
five secretaries):

    A (Lohja)   5 secretaries; round 10.5.2025: T1 by a secretary 150 h and by a nurse 50 h, T3 by a nurse 30 h
                (required 200, mapped 230, compliant 180, clinician admin 50); round 1.7.2025: T1 by a secretary 99 h
    B (Lohja)   5 secretaries; round 30.6.2025: T1 by a secretary 100 h and by an assistant 50 h
                (required 150, mapped 150, compliant 100: an assistant is not the owner role)
    C (Karjaa)  5 secretaries; round 1.6.2025: T1 by a secretary 170 h
    D (Karjaa)  5 nurses, no secretaries; round 1.6.2025: T1 by a nurse 8 h (capacity 0: no load ratio)

Staffing in June and July 2025; mapping months May, June and July.
"""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import SETTINGS_TOML, Month, load_ok, query, set_env  # noqa: E402

pytest_plugins = ("etl_helpers",)

CAP = 5 * 36.25
MAY, JUN, JUL = date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1)

ASEMAT = [
    ["asema_id", "nimi", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
    ["A", "Asema A", "Lohja", 1, None, None],
    ["B", "Asema B", "Lohja", 1, None, None],
    ["C", "Asema C", "Karjaa", 2, None, None],
    ["D", "Asema D", "Karjaa", 2, None, None],
]
TEHTAVAT = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
    ["T1", "Ajanvaraus", "Ajanvaraus", "toimistosihteeri"],
    ["T3", "Haavahoito", "Kliininen työ", "sairaanhoitaja"],
]
KARTOITUS = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    [date(2025, 5, 10), "A", "T1", "toimistosihteeri", 150],
    [date(2025, 5, 10), "A", "T1", "sairaanhoitaja", 50],
    [date(2025, 5, 10), "A", "T3", "sairaanhoitaja", 30],
    [date(2025, 7, 1), "A", "T1", "toimistosihteeri", 99],
    [date(2025, 6, 30), "B", "T1", "toimistosihteeri", 100],
    [date(2025, 6, 30), "B", "T1", "terveyskeskusavustaja", 50],
    [date(2025, 6, 1), "C", "T1", "toimistosihteeri", 170],
    [date(2025, 6, 1), "D", "T1", "sairaanhoitaja", 8],
]
HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv",
          "muu_poissaolo_pv"]
HENKILOSTO = [
    HEADER,
    *[
        [Month(2025, m), f"{station}{i}", station, "sairaanhoitaja" if station == "D" else "toimistosihteeri", 100,
         "vakinainen", 0, 0]
        for m in (6, 7) for station in "ABCD" for i in range(5)
    ],
]
FILES = {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kartoitus.csv": KARTOITUS, "henkilosto.csv": HENKILOSTO}


def _build(tmp_path_factory: pytest.TempPathFactory, etl_config: Path, extra_settings: str = "") -> Path:
    config = tmp_path_factory.mktemp("config-units")
    for f in etl_config.iterdir():
        config.joinpath(f.name).write_bytes(f.read_bytes())
    (config / "asetukset.toml").write_text(SETTINGS_TOML + extra_settings, encoding="utf-8")
    path = tmp_path_factory.mktemp("units") / "tyonjako.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, config)
        load_ok(path, FILES)
    return path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    return _build(tmp_path_factory, etl_config)


def _row(db: Path, table: str, month_col: str, month: object, level: str, unit: str | None,
         task_group: str | None = None) -> dict[str, Any]:
    where = {"region": "", "municipality": " AND municipality = ?", "station": " AND station_id = ?"}[level]
    group = " AND task_group IS NOT DISTINCT FROM ?" if table != "mart_workload_unit" else ""
    params: list[Any] = [month, level, *([unit] if unit else []), *([task_group] if group else [])]
    sql = f"SELECT * FROM {table} WHERE {month_col} = ? AND level = ?{where}{group}"  # noqa: S608 - test constants
    from warehouse import db as wdb

    with wdb.read(db) as con:
        rel = con.sql(sql, params=params)
        rows = rel.fetchall()
        assert len(rows) == 1, rows
        return dict(zip(rel.columns, rows[0], strict=True))


def workload(db: Path, month: date, level: str, unit: str | None = None) -> dict[str, Any]:
    return _row(db, "mart_workload_unit", "month", month, level, unit)


def compliance(db: Path, month: date, level: str, unit: str | None = None, group: str | None = None) -> dict[str, Any]:
    return _row(db, "mart_compliance_unit", "month", month, level, unit, group)


# --- mart_workload_unit -----------------------------------------------------------------------------------------
def test_region_load_ratio_is_required_over_capacity_of_the_stations_with_a_ratio(db: Path) -> None:
    r = workload(db, JUN, "region")
    assert r["load_ratio"] == pytest.approx((200 + 150 + 170) / (3 * CAP))
    # D's 8 h count in the required sum, not in the ratio (D has no capacity, so no ratio)
    assert r["required_hours_week"] == pytest.approx(528)
    assert r["capacity_hours_week"] == pytest.approx(3 * CAP)
    assert r["secretary_fte"] == pytest.approx(15) and r["secretary_net_fte"] == pytest.approx(15)
    assert (r["stations"], r["stations_with_ratio"]) == (4, 3)
    assert r["municipality"] is None and r["station_id"] is None


def test_region_spread_and_overload(db: Path) -> None:
    r = workload(db, JUN, "region")
    ratios = [200 / CAP, 150 / CAP, 170 / CAP]
    assert r["load_ratio_cv"] == pytest.approx(statistics.pstdev(ratios) / statistics.mean(ratios))
    # A: 200 / 181.25 = 1.103 > 1.1; B 0.828, C 0.938
    assert r["overload_share"] == pytest.approx(1 / 3)
    assert r["stations_overloaded"] == 1 and r["overload_threshold"] == 1.1
    assert r["load_ratio_min"] == pytest.approx(150 / CAP) and r["load_ratio_max"] == pytest.approx(200 / CAP)
    assert r["load_ratio_range"] == pytest.approx(50 / CAP)
    # D has no secretaries: its (zero) capacity is the contract's estimate and nothing is withheld
    assert r["capacity_estimated_stations"] == 1 and r["capacity_withheld_stations"] == 0


def test_municipality_rows(db: Path) -> None:
    lohja = workload(db, JUN, "municipality", "Lohja")
    assert lohja["load_ratio"] == pytest.approx(350 / (2 * CAP))
    assert lohja["load_ratio_cv"] == pytest.approx(statistics.pstdev([200, 150]) / 175)
    assert lohja["overload_share"] == pytest.approx(0.5) and lohja["stations"] == 2
    karjaa = workload(db, JUN, "municipality", "Karjaa")
    assert karjaa["load_ratio"] == pytest.approx(170 / CAP) and karjaa["load_ratio_cv"] == 0
    assert (karjaa["stations"], karjaa["stations_with_ratio"], karjaa["overload_share"]) == (2, 1, 0)


def test_station_rows_repeat_the_station_figures_of_mart_workload(db: Path) -> None:
    rows = query(db, """
        SELECT u.station_id, u.month, u.load_ratio, w.load_ratio, u.capacity_hours_week, w.capacity_hours_week
        FROM mart_workload_unit AS u JOIN mart_workload AS w USING (station_id, month) WHERE u.level = 'station'
    """)
    assert len(rows) == 8  # four stations × June and July
    for _, _, unit_ratio, ratio, unit_cap, cap in rows:
        assert unit_ratio == ratio and unit_cap == cap  # byte-identical, not only close
    assert workload(db, JUN, "station", "A")["municipality"] == "Lohja"


def test_july_uses_the_round_of_the_first_of_july(db: Path) -> None:
    assert workload(db, JUL, "station", "A")["load_ratio"] == pytest.approx(99 / CAP)
    assert workload(db, JUL, "region", None)["load_ratio"] == pytest.approx((99 + 150 + 170) / (3 * CAP))


def test_overload_threshold_comes_from_the_settings(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> None:
    path = _build(tmp_path_factory, etl_config, "overload_ratio = 0.9\n")
    r = workload(path, JUN, "region")
    # A 1.103 and C 0.938 are above 0.9
    assert r["overload_share"] == pytest.approx(2 / 3) and r["overload_threshold"] == 0.9
    assert query(path, "SELECT overload_ratio, load_ratio_low, load_ratio_high FROM ref_settings") == [(0.9, 0.9, 1.1)]


# --- mart_compliance_unit ---------------------------------------------------------------------------------------
def test_compliance_region_in_june_sums_each_stations_latest_round(db: Path) -> None:
    r = compliance(db, JUN, "region")
    assert r["total_hours_week"] == pytest.approx(230 + 150 + 170 + 8)
    assert r["compliant_hours_week"] == pytest.approx(180 + 100 + 170)
    assert r["compliance_share"] == pytest.approx(450 / 558)
    assert r["clinician_admin_hours_week"] == pytest.approx(50 + 8)
    assert r["stations_mapped"] == 4
    assert (r["first_mapping_date"], r["last_mapping_date"]) == (date(2025, 5, 10), date(2025, 6, 30))


def test_compliance_month_before_staffing_holds_the_stations_mapped_by_then(db: Path) -> None:
    r = compliance(db, MAY, "region")
    assert (r["total_hours_week"], r["stations_mapped"]) == (pytest.approx(230), 1)
    assert query(db, "SELECT count(*) FROM mart_compliance_unit WHERE month = ? AND station_id = 'C'", [MAY]) == [(0,)]


def test_compliance_july_takes_the_new_round(db: Path) -> None:
    r = compliance(db, JUL, "region")
    assert r["total_hours_week"] == pytest.approx(99 + 150 + 170 + 8)
    assert r["compliance_share"] == pytest.approx((99 + 100 + 170) / 427)
    assert r["clinician_admin_hours_week"] == pytest.approx(8)
    assert compliance(db, JUL, "station", "A")["last_mapping_date"] == date(2025, 7, 1)


def test_compliance_municipality_and_task_group_rows(db: Path) -> None:
    karjaa = compliance(db, JUN, "municipality", "Karjaa")
    assert karjaa["compliance_share"] == pytest.approx(170 / 178) and karjaa["clinician_admin_hours_week"] == 8
    clinical = compliance(db, JUN, "region", None, "Kliininen työ")
    assert (clinical["total_hours_week"], clinical["compliance_share"], clinical["stations_mapped"]) == (30, 1.0, 1)
    booking = compliance(db, JUN, "municipality", "Lohja", "Ajanvaraus")
    assert booking["total_hours_week"] == pytest.approx(200 + 150)
    assert booking["compliance_share"] == pytest.approx(250 / 350)


def test_compliance_round_unit(db: Path) -> None:
    first = _row(db, "mart_compliance_round_unit", "round_no", 1, "region", None, None)
    assert first["total_hours_week"] == pytest.approx(558) and first["stations_mapped"] == 4
    second = _row(db, "mart_compliance_round_unit", "round_no", 2, "region", None, None)
    assert (second["total_hours_week"], second["compliance_share"], second["stations_mapped"]) == (99, 1.0, 1)


def test_latest_round_is_defined_once_for_workload_and_compliance(db: Path) -> None:
    # mart_workload's round of every station-month is int_station_month_round's, and so is the compliance mart's
    rows = query(db, """
        SELECT w.station_id, w.month, w.mapping_date, r.mapping_date, c.last_mapping_date
        FROM mart_workload AS w
        JOIN int_station_month_round AS r USING (station_id, month)
        JOIN mart_compliance_unit AS c
            ON c.station_id = w.station_id AND c.month = w.month AND c.level = 'station' AND c.task_group IS NULL
    """)
    assert len(rows) == 8
    assert all(a == b == c for _, _, a, b, c in rows)
    assert {(s, m): d for s, m, d, _, _ in rows}[("B", JUN)] == date(2025, 6, 30)  # the month's last day counts


def test_suppression_reason_is_stored_beside_the_rate(tmp_path_factory: pytest.TempPathFactory,
                                                      etl_config: Path) -> None:
    # E (Karjaa) has two people: its rate is hidden as a small group; then Karjaa's total less C and D would give
    # E's rate, so C or D (or both) is hidden too (secondary suppression), whatever today's k says.
    files = {**FILES, "asemat.csv": [*ASEMAT, ["E", "Asema E", "Karjaa", 2, None, None]],
             "henkilosto.csv": [*HENKILOSTO, *[[Month(2025, 6), f"E{i}", "E", "sairaanhoitaja", 100, "vakinainen", i,
                                                0] for i in range(2)]]}
    config = tmp_path_factory.mktemp("config-reason")
    for f in etl_config.iterdir():
        config.joinpath(f.name).write_bytes(f.read_bytes())
    path = tmp_path_factory.mktemp("reason") / "tyonjako.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, config)
        load_ok(path, files)
    rows = {s: (hidden, reason) for s, hidden, reason in query(path, """
        SELECT station_id, sick_leave_suppressed, sick_leave_suppression_reason FROM mart_workload WHERE month = ?
    """, [JUN])}
    assert rows["E"] == (True, "small_group")
    assert rows["A"] == (False, None) and rows["B"] == (False, None)
    others = {rows["C"], rows["D"]}
    assert (True, "secondary") in others and others <= {(False, None), (True, "secondary")}


def test_the_query_layer_selects_the_unit_rows(db: Path) -> None:
    from dashboard import queries
    from dashboard import queries_labour as ql

    series = queries.workload_series(db, "Lohja")
    assert series["month"].to_list() == [JUN, JUL]
    assert series["load_ratio"][0] == workload(db, JUN, "municipality", "Lohja")["load_ratio"]
    assert queries.workload_series(db, threshold=1.1).height == 2
    with pytest.raises(ValueError, match="ylikuormitusraja"):
        queries.workload_series(db, threshold=1.0)  # a second definition is refused, not computed
    latest = ql.unit_compliance(db, ql.LATEST).filter(ql.all_groups()).row(0, named=True)
    assert latest["total_hours_week"] == pytest.approx(427) and latest["stations"] == 4
    second = ql.unit_compliance(db, 2, "Lohja").filter(ql.all_groups()).row(0, named=True)
    assert (second["total_hours_week"], second["stations"]) == (99, 1)
