"""AppTests of the Skenaariot page for each role, on the demo warehouse; figures checked against the marts."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from page_helpers import fi_number, metric_value
from streamlit.testing.v1 import AppTest

from dashboard.access import Scope
from dashboard.scenarios import store
from dashboard.scenarios.model import parse_scenario
from warehouse import db as wdb

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/skenaariot.py"
TEXTS = tomllib.loads((ROOT / "locales" / "fi" / "skenaariot.toml").read_text(encoding="utf-8"))["skenaariot"]
OWN, OTHER = "ESP-KIV", "ESP-ISO"


@pytest.fixture(autouse=True)
def appstate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Saved scenarios of each test in its own app-state file."""
    path = tmp_path / "appstate.sqlite"
    monkeypatch.setenv(store.APPSTATE_ENV, str(path))
    return path


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with wdb.read(db) as con:
        return con.sql(sql, params=params or []).fetchall()


def latest_month(db: Path) -> date:
    return rows(db, "SELECT max(month) FROM mart_workload")[0][0]


def shown_text(at: AppTest) -> str:
    """Every table cell, markdown and message of the page as one text."""
    parts = [str(df.value.to_dict()) for df in at.dataframe]
    parts += [m.value for m in at.markdown] + [e.value for e in at.error] + [w.value for w in at.warning]
    return "\n".join(parts)


def test_project_manager_builds_a_change_and_the_region_ratio_moves(make_app, demo_db: Path) -> None:
    at = make_app(demo_db, page=PAGE)
    assert not at.exception
    month = latest_month(demo_db)
    req, cap = rows(demo_db, "SELECT sum(required_hours_week), sum(capacity_hours_week) FROM mart_workload "
                             "WHERE month = ? AND load_ratio IS NOT NULL", [month])[0]
    assert fi_number(metric_value(at, "Kuormitussuhde, koko alue")) == pytest.approx(round(req / cap, 2))
    assert len(at.get("vega_lite_chart")) == 1
    at.selectbox(key="sc_kind").set_value("staffing").run()
    at.selectbox(key="sc_st").set_value(OTHER)
    at.number_input(key="sc_fd").set_value(2.0)
    next(b for b in at.button if b.label == TEXTS["add"]).click().run()
    assert not at.exception and not at.error
    assert at.session_state["sc_changes"] == [
        {"kind": "staffing", "station": OTHER, "role": "toimistosihteeri", "fte_delta": 2.0}]
    fte, net = rows(demo_db, "SELECT secretary_fte, secretary_net_fte FROM mart_workload WHERE station_id = ? "
                             "AND month = ?", [OTHER, month])[0]
    after = req / (cap + 2.0 * net / fte * 36.25)
    assert fi_number(metric_value(at, "Kuormitussuhde, koko alue")) == pytest.approx(round(after, 2))
    assert "1. Ison Omenan terveysasema: +2,0 htv (toimistosihteeri)" in shown_text(at)


def test_station_manager_sees_own_station_and_region_context(make_app, demo_db: Path) -> None:
    at = make_app(demo_db, page=PAGE, role="esihenkilo", station=OWN)
    assert not at.exception
    text = shown_text(at)
    assert "Kivenlahden terveysasema" in text
    assert "Ison Omenan terveysasema" not in text
    assert metric_value(at, "Kuormitussuhde, koko alue")  # the region stays as context


def test_station_manager_crafted_scenario_on_another_station_is_refused(make_app, demo_db: Path) -> None:
    crafted = [{"kind": "staffing", "station": OTHER, "role": "toimistosihteeri", "fte_delta": -1.0}]
    at = make_app(demo_db, page=PAGE, role="esihenkilo", station=OWN, state={"sc_changes": crafted})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(f"asema {OTHER} ei kuulu käyttöoikeuksiisi" in e for e in errors), errors
    assert "Ison Omenan terveysasema" not in shown_text(at)


def test_leadership_reads_saved_scenarios_only(make_app, demo_db: Path) -> None:
    at = make_app(demo_db, page=PAGE, role="johto")
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "sc_kind"]
    assert [i.value for i in at.info] == [TEXTS["saved_none"], TEXTS["compare_need"]]
    month = latest_month(demo_db)
    change = {"kind": "staffing", "station": OTHER, "role": "toimistosihteeri", "fte_delta": 1.0}
    store.save(demo_db, parse_scenario({"name": "Lisää Isoon Omenaan", "base_month": month, "changes": [change]}),
               "pm@example.fi")
    store.save(demo_db, parse_scenario({"name": "Vanha", "base_month": date(2019, 1, 1), "changes": [change]}),
               "pm@example.fi")
    at = make_app(demo_db, page=PAGE, role="johto")
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Lisää Isoon Omenaan · pm@example.fi") for label in labels), labels
    warnings = [w.value for w in at.warning]
    assert any("lähtökuukautta 1/2019 ei enää ole tietovarastossa" in w for w in warnings), warnings
    assert len(at.get("vega_lite_chart")) == 1  # the computable one is drawn


def test_saved_scenario_of_another_station_is_hidden_from_a_manager(make_app, demo_db: Path) -> None:
    change = {"kind": "staffing", "station": OTHER, "role": "toimistosihteeri", "fte_delta": 1.0}
    store.save(demo_db, parse_scenario({"name": "Muiden asema", "base_month": latest_month(demo_db),
                                        "changes": [change]}), "pm@example.fi")
    assert store.listing(demo_db, Scope("esihenkilo", frozenset({OWN}))) == []
    at = make_app(demo_db, page=PAGE, role="esihenkilo", station=OWN)
    assert "Muiden asema" not in [e.label for e in at.expander]


def test_proposal_tab_places_new_fte_and_hands_it_over_as_a_scenario(make_app, demo_db: Path) -> None:
    at = make_app(demo_db, page=PAGE)
    at.multiselect(key="sc_p_g").set_value([])
    at.number_input(key="sc_p_new").set_value(0.5)
    next(b for b in at.button if b.label == TEXTS["form"]["run"]).click().run()
    assert not at.exception
    proposal = at.session_state["sc_proposal_result"]
    assert proposal.verified and [t.giver for t in proposal.transfers] == [None] * len(proposal.transfers)
    assert TEXTS["verified"] in [c.value for c in at.caption]
    next(b for b in at.button if b.label == TEXTS["use_proposal"]).click().run()
    assert not at.exception
    assert at.session_state["sc_changes"] == [c.model_dump() for c in proposal.scenario.changes]
    assert all(c["kind"] == "staffing" and c["fte_delta"] > 0 for c in at.session_state["sc_changes"])
    assert TEXTS["proposal_taken"] in [s.value for s in at.success]


def test_swedish_page_has_every_text(make_app, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_LANG", "sv")  # AppTest formats widget values outside the run too
    at = make_app(demo_db, page=PAGE, state={"lang": "sv"})
    assert not at.exception
    assert [h.value for h in at.title] == ["Scenarier"]
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.label for m in at.metric]
    texts += [s.label for s in at.selectbox] + [b.label for b in at.button] + [str(d.value.columns) for d in
                                                                                at.dataframe]
    assert not [x for x in texts if "skenaariot." in x], texts
    assert "Belastningskvot, hela området" in [m.label for m in at.metric]
