"""Tests of dashboard.queries_goals: goal progress, trend, before/after and the station drill-down.

Most tests use a tiny hand-made warehouse holding only the marts the module reads, with figures chosen so that
every expectation below can be checked by hand; a few compare the module with the demo warehouse read straight
through duckdb.

Hand-made design:
- stations (mart_rollout): S1 Alfa, live 10.3.2025; S2 Alfa, live 5.5.2025; S3 Beta, not live. Staffing months
  1–6/2025 (mart_workload), so the reference month is 6/2025.
- mart_goal_progress: goal 1 "Hallinta" with indicators z_first (order 1, score, up: baseline 3.0, target 4.0,
  current 3.5 → change +0.5, progress 0.5, hyvä) and a_second (order 2, share, down: baseline 0.06, target 0.04,
  current 0.055 → change −0.005, progress 0.25, riski); goal 2 "Aika" without a Swedish title, indicator k
  (hours_week, down, baseline 900, target 400, no current → ei tietoa). Rows are inserted in a scrambled order.
- mart_goal_progress_station: z_first for S1 (3.2 → 3.8), S2 (3.0 → 3.1) and S3 (no baseline, 2.9); a_second for
  S1 only, without a current value.
- mart_before_after, load_ratio: relative months −7 (outside −6…+12), −1 (n 3, comparison 3), 0 (n 2, comparison
  1), 1 (n 1, no interval) and 2 (n 0); sick_leave_rate (sihteerit): month 0 n 4, interval −0.01…0.09;
  pulssi_mean hallinta (sihteerit): only month 3 with n 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from dashboard import present
from dashboard import queries_goals as qg
from dashboard.access import Scope
from warehouse import goals as wg

ALL = Scope("projektipaallikko")
LEADERSHIP = Scope("johto")
S1_MANAGER = Scope("esihenkilo", frozenset({"S1"}))
S3_MANAGER = Scope("esihenkilo", frozenset({"S3"}))
NOBODY = Scope("esihenkilo", frozenset())


def _progress_row(goal_id: int, title: str, title_sv: str | None, ind: str, order: int, name: str, unit: str,
                  direction: str, baseline: float | None, target: float, current: float | None,
                  progress: float | None, status: str, **extra: Any) -> dict[str, Any]:
    row = {c: None for c in wg.PROGRESS_SCHEMA}
    row.update(goal_id=goal_id, goal_title=title, goal_title_sv=title_sv, indicator_id=ind, indicator_order=order,
               indicator_name=name, indicator_name_sv=f"{name} sv", metric="x", direction=direction, unit=unit,
               baseline_kind="before_go_live", baseline=baseline, baseline_label=f"lähtö {ind}", target=target,
               current=current, current_month=date(2025, 6, 1) if current is not None else None,
               progress=progress, status=status)
    row.update(extra)
    return row


PROGRESS = [
    _progress_row(2, "Aika", None, "k", 1, "Kliinikkotunnit", "hours_week", "down", 900.0, 400.0, None, None,
                  "ei tietoa"),
    _progress_row(1, "Hallinta", "Kontroll", "a_second", 2, "Poissaolot", "share", "down", 0.06, 0.04, 0.055, 0.25,
                  "riski"),
    _progress_row(1, "Hallinta", "Kontroll", "z_first", 1, "Hallinta ka.", "score", "up", 3.0, 4.0, 3.5, 0.5, "hyvä"),
]
STATION = [
    {**_progress_row(1, "Hallinta", "Kontroll", "z_first", 1, "Hallinta ka.", "score", "up", 3.2, 4.0, 3.8, 0.75,
                     "hyvä"), "station_id": "S1"},
    {**_progress_row(1, "Hallinta", "Kontroll", "z_first", 1, "Hallinta ka.", "score", "up", 3.0, 4.0, 3.1, 0.1,
                     "riski"), "station_id": "S2"},
    {**_progress_row(1, "Hallinta", "Kontroll", "z_first", 1, "Hallinta ka.", "score", "up", None, 4.0, 2.9, None,
                     "ei tietoa"), "station_id": "S3"},
    {**_progress_row(1, "Hallinta", "Kontroll", "a_second", 2, "Poissaolot", "share", "down", 0.07, 0.04, None, None,
                     "ei tietoa"), "station_id": "S1"},
]
TREND = [
    {"goal_id": 1, "indicator_id": "z_first", "month": date(2025, m, 1), "value": v}
    for m, v in ((1, 3.0), (2, 3.1), (6, 3.5))
] + [{"goal_id": 1, "indicator_id": "a_second", "month": date(2025, 6, 1), "value": 0.055}]


def _ba(measure: str, question: str | None, role: str | None, unit: str, rel: int, mean: float | None,
        low: float | None, high: float | None, n: int, comp: float | None, comp_n: int) -> dict[str, Any]:
    return {"measure": measure, "question_id": question, "role_group": role, "unit": unit, "relative_month": rel,
            "mean_value": mean, "ci_low": low, "ci_high": high, "n_stations": n, "comparison_value": comp,
            "comparison_n": comp_n}


BEFORE_AFTER = [
    _ba("load_ratio", None, None, "ratio", -7, 1.5, 1.4, 1.6, 3, 1.2, 3),
    _ba("load_ratio", None, None, "ratio", -1, 1.2, 1.0, 1.4, 3, 1.1, 3),
    _ba("load_ratio", None, None, "ratio", 0, 1.0, 0.9, 1.1, 2, 1.05, 1),
    _ba("load_ratio", None, None, "ratio", 1, 0.9, None, None, 1, None, 0),
    _ba("load_ratio", None, None, "ratio", 2, None, None, None, 0, None, 0),
    _ba("sick_leave_rate", None, "sihteerit", "share", 0, 0.04, -0.01, 0.09, 4, 0.05, 3),
    _ba("pulssi_mean", "hallinta", "sihteerit", "score", 3, 3.4, None, None, 1, None, 0),
]
ROLLOUT = pl.DataFrame(
    {"station_id": ["S1", "S2", "S3"], "name_fi": ["Yksi", "Kaksi", "Kolme"], "name_sv": ["Ett", None, "Tre"],
     "municipality": ["Alfa", "Alfa", "Beta"], "go_live": [date(2025, 3, 10), date(2025, 5, 5), None]}
)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny_goals") / "w.duckdb"
    frames = {
        "mart_goal_progress": pl.DataFrame(PROGRESS, schema=wg.PROGRESS_SCHEMA, orient="row"),
        "mart_goal_progress_station": pl.DataFrame(STATION, schema=wg.STATION_SCHEMA, orient="row"),
        "mart_goal_trend": pl.DataFrame(TREND, schema=wg.TREND_SCHEMA, orient="row"),
        "mart_before_after": pl.DataFrame(BEFORE_AFTER, schema=wg.BEFORE_AFTER_SCHEMA, orient="row"),
        "mart_rollout": ROLLOUT,
        "mart_workload": pl.DataFrame({"station_id": ["S1"] * 6, "month": [date(2025, m, 1) for m in range(1, 7)]}),
    }
    con = duckdb.connect(str(path))
    try:
        for name, frame in frames.items():
            con.register("f", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM f")
            con.unregister("f")
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def no_goal_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse from before the goal marts: only mart_rollout and mart_workload."""
    path = tmp_path_factory.mktemp("no_goals") / "w.duckdb"
    con = duckdb.connect(str(path))
    try:
        con.register("f", ROLLOUT)
        con.execute("CREATE TABLE mart_rollout AS SELECT * FROM f")
        con.execute("CREATE TABLE mart_workload (station_id VARCHAR, month DATE)")
    finally:
        con.close()
    return path


# --- goal progress ----------------------------------------------------------------------------------------------


def test_goal_progress_order_change_and_language(tiny_db: Path) -> None:
    goals = qg.goal_progress(tiny_db)
    assert goals["indicator_id"].to_list() == ["z_first", "a_second", "k"]  # goal, then indicator order
    assert goals["change"].to_list()[:2] == pytest.approx([0.5, -0.005])
    assert goals["change"][2] is None
    assert goals["title"].to_list() == ["Hallinta", "Hallinta", "Aika"]
    assert goals["name"][0] == "Hallinta ka."
    sv = qg.goal_progress(tiny_db, "sv")
    assert sv["title"].to_list() == ["Kontroll", "Kontroll", "Aika"]  # no Swedish title: the Finnish one
    assert sv["name"][0] == "Hallinta ka. sv"


def test_goals_of_and_has_figures(tiny_db: Path) -> None:
    goals = qg.goal_progress(tiny_db)
    grouped = qg.goals_of(goals)
    assert [(g, title, rows["indicator_id"].to_list()) for g, title, rows in grouped] == [
        (1, "Hallinta", ["z_first", "a_second"]), (2, "Aika", ["k"])
    ]
    assert qg.has_figures(goals)
    assert not qg.has_figures(goals.with_columns(pl.lit(None, pl.Float64).alias(c) for c in ("baseline", "current")))
    assert not qg.has_figures(goals.clear())


def test_trend(tiny_db: Path) -> None:
    trend = qg.goal_trend(tiny_db, "z_first")
    assert trend["month"].to_list() == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 6, 1)]
    assert trend["value"].to_list() == pytest.approx([3.0, 3.1, 3.5])
    assert set(trend["unit"].to_list()) == {"score"}
    assert qg.goal_trend(tiny_db).height == 4


def test_since(tiny_db: Path) -> None:
    assert qg.since(tiny_db) == {
        "stations_total": 3, "stations_live": 2, "first_go_live": date(2025, 3, 10),
        "latest_go_live": date(2025, 5, 5), "reference_month": date(2025, 6, 1),
    }


def test_missing_goal_marts(no_goal_db: Path) -> None:
    assert not qg.has_goal_marts(no_goal_db)
    assert qg.goal_progress(no_goal_db).is_empty()
    assert qg.goal_trend(no_goal_db).is_empty()
    assert qg.before_after_options(no_goal_db, ALL).is_empty()
    assert not qg.has_before_after(no_goal_db)
    assert qg.station_indicators(no_goal_db, ALL).is_empty()
    assert qg.station_progress(no_goal_db, ALL, "z_first").is_empty()


# --- before / after ---------------------------------------------------------------------------------------------


def test_before_after_full_scope(tiny_db: Path) -> None:
    assert qg.has_before_after(tiny_db)
    series = qg.before_after(tiny_db, ALL, "load_ratio")
    assert series["relative_month"].to_list() == [-1, 0, 1, 2]  # −7 lies outside −6…+12
    assert series["mean_value"].to_list()[:3] == pytest.approx([1.2, 1.0, 0.9])
    assert series["n_stations"].to_list() == [3, 2, 1, 0]
    assert series["comparison_value"].to_list()[:2] == pytest.approx([1.1, 1.05])
    # difference = mean − comparison: 1.2 − 1.1, 1.0 − 1.05; none without a comparison
    assert series["difference"].to_list()[:2] == pytest.approx([0.1, -0.05])
    assert series["difference"][2] is None
    assert not any(series["hidden"].to_list())
    assert qg.has_points(series)


def test_before_after_is_blanked_below_three_stations_for_a_station_manager(tiny_db: Path) -> None:
    series = qg.before_after(tiny_db, S1_MANAGER, "load_ratio")
    assert series["n_stations"].to_list() == [3, 2, 1, 0]  # counts stay
    assert series["mean_value"][0] == pytest.approx(1.2)
    assert series["mean_value"].to_list()[1:] == [None, None, None]
    assert series["ci_low"].to_list()[1:] == [None, None, None]
    assert series["comparison_value"][0] == pytest.approx(1.1)
    assert series["comparison_value"][1] is None  # behind one station
    assert series["hidden"].to_list() == [False, True, True, False]
    assert series["comparison_hidden"].to_list() == [False, True, False, False]
    lone = qg.before_after(tiny_db, S1_MANAGER, "pulssi_mean", "hallinta", "sihteerit")
    assert not qg.has_points(lone)
    assert qg.has_points(qg.before_after(tiny_db, LEADERSHIP, "pulssi_mean", "hallinta", "sihteerit"))


def test_before_after_options_follow_the_scope(tiny_db: Path) -> None:
    full = qg.before_after_options(tiny_db, ALL)
    assert full.select("measure", "question_id", "role_group", "points").rows() == [
        ("pulssi_mean", "hallinta", "sihteerit", 1), ("sick_leave_rate", None, "sihteerit", 1),
        ("load_ratio", None, None, 3),
    ]
    scoped = qg.before_after_options(tiny_db, S1_MANAGER)
    assert scoped.select("measure", "points").rows() == [("sick_leave_rate", 1), ("load_ratio", 1)]


def test_interval_is_cut_at_the_possible_values(tiny_db: Path) -> None:
    series = qg.before_after(tiny_db, ALL, "sick_leave_rate", None, "sihteerit")
    assert series["ci_low"].to_list() == [0.0]  # −0.01 is no sick-leave rate
    assert series["ci_high"].to_list() == pytest.approx([0.09])
    assert qg.before_after(tiny_db, ALL, "sick_leave_rate", None, None).is_empty()


# --- station drill-down -----------------------------------------------------------------------------------------


def test_station_progress_all_stations(tiny_db: Path) -> None:
    rows = qg.station_progress(tiny_db, LEADERSHIP, "z_first")
    assert rows["station_id"].to_list() == ["S2", "S1", "S3"]  # by municipality, then name
    assert rows["station_name"].to_list() == ["Kaksi", "Yksi", "Kolme"]
    by_id = {r["station_id"]: r for r in rows.iter_rows(named=True)}
    assert by_id["S1"]["change"] == pytest.approx(0.6)
    assert by_id["S3"]["change"] is None
    assert by_id["S1"]["go_live"] == date(2025, 3, 10)
    assert qg.station_progress(tiny_db, ALL, "z_first", municipality="Beta")["station_id"].to_list() == ["S3"]
    assert qg.station_progress(tiny_db, ALL, "z_first", station_id="S2")["station_id"].to_list() == ["S2"]
    sv = qg.station_progress(tiny_db, ALL, "z_first", lang="sv")
    assert sv["station_name"].to_list() == ["Kaksi", "Ett", "Tre"]  # S2 has no Swedish name


def test_station_manager_sees_only_own_stations(tiny_db: Path) -> None:
    rows = qg.station_progress(tiny_db, S1_MANAGER, "z_first")
    assert rows["station_id"].to_list() == ["S1"]
    assert qg.station_progress(tiny_db, S1_MANAGER, "z_first", municipality="Beta").is_empty()
    with pytest.raises(PermissionError):
        qg.station_progress(tiny_db, S1_MANAGER, "z_first", station_id="S2")
    assert qg.station_progress(tiny_db, S3_MANAGER, "a_second").is_empty()
    assert qg.station_progress(tiny_db, NOBODY, "z_first").is_empty()
    assert qg.drilldown_allowed(ALL) and qg.drilldown_allowed(S1_MANAGER) and not qg.drilldown_allowed(NOBODY)


def test_station_indicators_count_the_scope(tiny_db: Path) -> None:
    full = qg.station_indicators(tiny_db, ALL)
    assert full.select("indicator_id", "unit", "stations_with_value").rows() == [
        ("z_first", "score", 3), ("a_second", "share", 0)
    ]
    assert qg.station_indicators(tiny_db, S3_MANAGER)["stations_with_value"].to_list() == [1, 0]
    assert qg.station_indicators(tiny_db, NOBODY)["stations_with_value"].to_list() == [0, 0]


# --- texts --------------------------------------------------------------------------------------------------------


def test_value_and_change_texts() -> None:
    nbsp = "\u00a0"
    assert present.value_text(3.375, "score") == "3,38"
    assert present.value_text(0.8236, "share") == f"82,4{nbsp}%"
    assert present.value_text(929.4, "hours_week") == f"929{nbsp}h/vko"
    assert present.value_text(929.4, "hours_week", hours_unit=False) == "929"
    assert present.value_text(929.4, "hours_week", "sv") == f"929{nbsp}h/vecka"
    assert present.value_text(-12.4, "enps") == "\u221212"
    assert present.value_text(None, "ratio") == "\u2013"
    assert present.change_text(-0.025, "share") == f"\u22122,5{nbsp}%-yks."
    assert present.change_text(-606.0, "hours_week") == f"\u2212606{nbsp}h/vko"
    assert present.change_text(0.375, "score") == "+0,38"
    assert present.change_text(None, "score") is None


def test_with_texts(tiny_db: Path) -> None:
    shown = present.with_texts(qg.goal_progress(tiny_db))
    first = shown.row(0, named=True)
    assert (first["baseline_text"], first["current_text"], first["target_text"]) == ("3,00", "3,50", "4,00")
    assert (first["change_text"], first["progress_text"], first["current_month_text"]) == ("+0,50", "50\u00a0%",
                                                                                          "6/2025")
    last = shown.row(2, named=True)
    assert (last["current_text"], last["change_text"], last["progress_text"]) == ("\u2013", "\u2013", "\u2013")


@pytest.mark.parametrize(
    ("change", "direction", "expected"),
    [(0.5, "up", ("green", "up")), (-0.5, "up", ("red", "down")), (-0.5, "down", ("green", "down")),
     (0.5, "down", ("red", "up")), (0.0, "up", ("gray", "off")), (None, "down", ("gray", "off"))],
)
def test_delta_style(change: float | None, direction: str, expected: tuple[str, str]) -> None:
    colour, arrow = expected
    assert present.delta_style(change, direction) == {"delta_color": colour, "delta_arrow": arrow}


# --- the demo warehouse -------------------------------------------------------------------------------------------


def _sql(db: Path, query: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def test_demo_goal_progress_equals_the_mart(demo_db: Path) -> None:
    goals = qg.goal_progress(demo_db)
    expected = _sql(demo_db, 'SELECT indicator_id, baseline, target, "current", progress, status FROM '
                             "mart_goal_progress ORDER BY goal_id, indicator_order")
    assert goals.select("indicator_id", "baseline", "target", "current", "progress", "status").rows() == expected
    assert sorted(set(goals["goal_id"].to_list())) == [1, 2, 3, 4, 5]


def test_demo_before_after_equals_the_mart_for_the_project_manager(demo_db: Path) -> None:
    series = qg.before_after(demo_db, ALL, "compliance_share")
    expected = _sql(demo_db, "SELECT relative_month, mean_value, n_stations, comparison_value, comparison_n "
                             "FROM mart_before_after WHERE measure = 'compliance_share' ORDER BY relative_month")
    assert series.select("relative_month", "mean_value", "n_stations", "comparison_value",
                         "comparison_n").rows() == expected
    assert series["relative_month"].to_list() == list(range(-6, 13))


def test_demo_station_manager_drilldown(demo_db: Path) -> None:
    own = "ESP-KAL"
    for indicator in qg.station_indicators(demo_db, ALL)["indicator_id"].to_list():
        rows = qg.station_progress(demo_db, Scope("esihenkilo", frozenset({own})), indicator)
        assert rows["station_id"].to_list() == [own]
    everyone = qg.station_progress(demo_db, ALL, "tyonjaon_toteutuminen")
    (stations,) = _sql(demo_db, "SELECT count(*) FROM mart_rollout")[0]
    assert everyone.height == stations
