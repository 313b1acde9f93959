"""Honest unit views for a station manager (issues 8 and 9), through the pages of the demo warehouse.

* Työkuorma: a municipality whose total holds fewer than two stations besides the manager's own is hidden with a
  sentence (the demo has one-station municipalities); leadership sees the same total.
* Käyttöönotto: every figure under a heading belongs to the unit the heading names (region counts under the region's
  heading, the manager's station under its own).
* Arviointitavoitteet: the station table compares the station with its own baseline and shows no region target.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import duckdb

from dashboard import queries
from dashboard import queries_workload as qw
from dashboard.access import Scope

ROOT = Path(__file__).resolve().parents[1]
FI = tomllib.loads((ROOT / "locales" / "fi.toml").read_text(encoding="utf-8"))
WORKLOAD = tomllib.loads((ROOT / "locales" / "fi" / "tyokuorma.toml").read_text(encoding="utf-8"))["tyokuorma"]
ROLLOUT = tomllib.loads((ROOT / "locales" / "fi" / "kayttoonotto.toml").read_text(encoding="utf-8"))["rollout"]
GOALS = tomllib.loads((ROOT / "locales" / "fi" / "tavoitteet.toml").read_text(encoding="utf-8"))["tavoitteet"]


def sql(db: Path, query: str, params: list[object] | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def open_page(make_app, db: Path, page: str, **kw: Any) -> Any:  # noqa: ANN001, ANN401
    at = make_app(db, page=page, **kw)
    assert not at.exception, [e.value for e in at.exception]
    return at


def lonely_and_crowded(db: Path) -> tuple[str, str]:
    """A one-station municipality and a station of a municipality with several stations."""
    counts = sql(db, "SELECT municipality, count(*), min(station_id) FROM mart_rollout GROUP BY ALL ORDER BY ALL")
    lonely = next(m for m, n, _ in counts if n == 1)
    crowded_station = next(s for _, n, s in counts if n >= 3)
    return lonely, crowded_station


def test_workload_page_hides_a_one_station_municipality_from_a_manager(make_app, demo_db: Path) -> None:
    lonely, own = lonely_and_crowded(demo_db)
    hidden = WORKLOAD["privacy"]["hidden_total"].format(unit=lonely)
    at = open_page(make_app, demo_db, "pages/tyokuorma.py", role="esihenkilo", station=own,
                   state={"f_municipality": lonely})
    assert at.selectbox(key="f_municipality").value == lonely
    shown = [i.value for i in at.info] + [c.value for c in at.caption]
    assert hidden in shown
    assert not [m for m in at.metric if m.label == WORKLOAD["metric"]["unit"].format(unit=lonely)]
    # The query layer gives nothing of it either.
    manager = Scope("esihenkilo", frozenset({own}))
    series = qw.unit_series(demo_db, lonely, manager)
    assert series["hidden"].all() and series["load_ratio"].drop_nulls().is_empty()
    assert queries.sick_leave(demo_db, manager, municipality=lonely).is_empty()
    # Leadership sees the municipality's figure.
    leader = open_page(make_app, demo_db, "pages/tyokuorma.py", role="johto", state={"f_municipality": lonely})
    assert [m for m in leader.metric if m.label == WORKLOAD["metric"]["unit"].format(unit=lonely)]
    assert hidden not in [i.value for i in leader.info] + [c.value for c in leader.caption]


def test_rollout_headings_name_the_unit_of_their_figures(make_app, demo_db: Path) -> None:
    own = "ESP-KIL"
    (own_name,) = sql(demo_db, "SELECT name_fi FROM mart_rollout WHERE station_id = ?", [own])[0]
    at = open_page(make_app, demo_db, "pages/kayttoonotto.py", role="esihenkilo", station=own,
                   state={"f_station": own})
    region = FI["filter"]["region"]
    headings = [h.value for h in at.subheader]
    # The status counts are the region's: under the region's heading; the station's table under its own.
    assert headings == [ROLLOUT["heading"].format(unit=region), ROLLOUT["heading"].format(unit=own_name)]
    assert ROLLOUT["counts_scope"].format(unit=region) in [c.value for c in at.caption]
    # Without a chosen station the page has one heading: the unit of every figure on it.
    at = open_page(make_app, demo_db, "pages/kayttoonotto.py", role="johto")
    assert [h.value for h in at.subheader] == [ROLLOUT["heading"].format(unit=region)]


def test_goal_station_table_has_no_region_target(make_app, demo_db: Path) -> None:
    own = "ESP-KAL"
    at = open_page(make_app, demo_db, "pages/tavoitteet.py", role="esihenkilo", station=own)
    at.selectbox(key="gd_indicator").set_value("tyonjaon_toteutuminen").run()
    assert not at.exception
    tables = [df.value for df in at.dataframe if "Asema" in df.value.columns]
    assert tables
    assert not [c for c in tables[0].columns if c.startswith("Tavoite") or c.startswith("Tila")]
    assert GOALS["station_target"]["none"] in [c.value for c in at.caption]
    # The mart agrees: station rows of an indicator without a station target carry no target, progress or status.
    rows = sql(demo_db, "SELECT count(*), count(target), count(progress), count(status) FROM "
                        "mart_goal_progress_station WHERE indicator_id = 'tyonjaon_toteutuminen'")
    assert rows[0][0] > 0 and rows[0][1:] == (0, 0, 0)


def test_scope_rule_counts_other_stations() -> None:
    from dashboard import scope as scope_rules

    own = Scope("esihenkilo", frozenset({"A"}))
    # Own + one other, or one other alone: the other station's figure by subtraction → hidden.
    assert not scope_rules.total_visible(own, ["A", "O0"])
    assert not scope_rules.total_visible(own, ["O0"])
    assert not scope_rules.total_visible(own, ["A"])
    assert scope_rules.total_visible(own, ["A", "O0", "O1"])
    assert scope_rules.total_visible(Scope("johto"), ["O0"])
