"""Tests of the Arviointitavoitteet page (AppTest).

Figures shown on the page are compared with the goal marts read here straight through duckdb, independently of
dashboard.queries_goals.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import partial
from pathlib import Path

import page_helpers
import pyarrow as pa
import pytest
from page_helpers import fi_number, half_up, sql, table_strings
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/tavoitteet.py"

# This file's page, opened in the shared ways.
first_run_on_page = partial(page_helpers.first_run_on_page, page=PAGE)
page = partial(page_helpers.open_page, page=PAGE)

TEXTS = tomllib.loads((ROOT / "locales" / "fi" / "tavoitteet.toml").read_text(encoding="utf-8"))["tavoitteet"]
NBSP = "\u00a0"

# --- helpers ------------------------------------------------------------------------------------------------


def indicator_block(at: AppTest, name: str):  # noqa: ANN201 - an AppTest container block
    """The container of one indicator: the innermost container whose Markdown names it and that holds 3 metrics."""
    hits = [c for c in at.container if any(name in m.value.replace("\\", "") for m in c.markdown)
            and len(c.metric) == 3]
    assert hits, f"no indicator block for {name!r}"
    return min(hits, key=lambda c: len(c.markdown))


def chart_specs(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("vega_lite_chart")]


def before_after_chart(at: AppTest):  # noqa: ANN201 - an AppTest chart element
    hits = [c for c in at.get("vega_lite_chart") if "relative_month" in c.proto.spec]
    assert len(hits) == 1, len(hits)
    return hits[0]


def chart_rows(chart) -> list[dict]:  # noqa: ANN001 - an AppTest chart element
    """The rows of a before/after chart's point datasets (those with the number of stations)."""
    rows: list[dict] = []
    for ds in chart.proto.datasets:
        table = pa.ipc.open_stream(ds.data.data).read_all()
        if "n_stations" in table.column_names:
            rows += table.to_pylist()
    assert rows, "the chart has no points"
    return rows


def table_with(at: AppTest, header: str):  # noqa: ANN201 - a pandas frame
    hits = [df.value for df in at.dataframe if header in df.value.columns]
    assert hits, f"no table with column {header!r}"
    return hits[0]


# --- rendering ------------------------------------------------------------------------------------------------


def test_renders_on_demo_data(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    headings = [s.value for s in at.subheader]
    assert [h.split(":")[0] for h in headings] == [f"Tavoite {i}" for i in range(1, 6)]
    goal_count = sql(demo_db, "SELECT count(DISTINCT goal_id), count(*) FROM mart_goal_progress")[0]
    assert len(headings) == goal_count[0]
    assert len(at.metric) == 3 * goal_count[1]  # baseline, current and target of every indicator
    assert before_after_chart(at)
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Lataa CSV") == 3 and labels.count("Lataa Excel") == 3  # summary, before/after, stations
    # "since when": the first go-live and the reference month are said in words
    (first,) = sql(demo_db, "SELECT min(go_live) FROM mart_rollout")[0]
    text = " ".join(m.value for m in at.markdown)
    assert f"{first.day}.{first.month}.{first.year}" in text
    assert not at.info


def test_renders_on_an_empty_warehouse(make_app, empty_db: Path) -> None:
    at = page(make_app, empty_db)
    infos = [i.value for i in at.info]
    assert TEXTS["empty"]["no_figures"] in infos
    assert TEXTS["empty"]["no_live"] in infos
    assert not [c for c in at.get("vega_lite_chart") if "relative_month" in c.proto.spec]
    # the configured targets are still shown, with dashes for the missing figures
    block = indicator_block(at, "Työnjaon toteutuminen")
    values = {m.label: m.value for m in block.metric}
    assert values["Tavoite"] == f"85,0{NBSP}%"
    assert values["Lähtötaso"] == values["Nykyinen"] == "\u2013"


def test_renders_in_swedish(make_app, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest formats widget values outside the script run too, where the language comes from the environment
    monkeypatch.setenv("TYONJAKO_LANG", "sv")
    at = page(make_app, demo_db, state={"lang": "sv"})
    assert at.title[0].value == "Utvärderingsmål"
    assert [s.value.split(":")[0] for s in at.subheader] == [f"Mål {i}" for i in range(1, 6)]
    assert {m.label for m in at.metric} >= {"Utgångsnivå", "Nuvarande", "Mål"}


# --- figures equal the marts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator_id", "percent", "decimals"),
    [("tyonjaon_toteutuminen", True, 1), ("hallinta_sihteerit", False, 2), ("kliinikoiden_sihteerityo", False, 0)],
)
def test_card_figures_equal_the_mart(make_app, demo_db: Path, indicator_id: str, percent: bool,
                                     decimals: int) -> None:
    name, baseline, target, current, month, label = sql(
        demo_db, 'SELECT indicator_name, baseline, target, "current", current_month, baseline_label '
                 "FROM mart_goal_progress WHERE indicator_id = ?", [indicator_id],
    )[0]
    at = page(make_app, demo_db)
    block = indicator_block(at, name)
    shown = {m.label.split(" (")[0]: fi_number(m.value) for m in block.metric}
    scale = 100 if percent else 1
    assert shown["Lähtötaso"] == pytest.approx(half_up(baseline * scale, decimals), abs=1e-9)
    assert shown["Tavoite"] == pytest.approx(half_up(target * scale, decimals), abs=1e-9)
    assert shown["Nykyinen"] == pytest.approx(half_up(current * scale, decimals), abs=1e-9)
    captions = [c.value.replace("\\", "") for c in block.caption]
    assert label in captions  # since when: the baseline period
    assert f"kuukausi {month.month}/{month.year}" in captions  # and the month of the current value


def test_summary_table_equals_the_mart(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    table = table_with(at, "Lähtötason jakso")
    rows = sql(demo_db, 'SELECT indicator_name, "current", unit, status FROM mart_goal_progress '
                        "ORDER BY goal_id, indicator_order")
    assert table["Mittari"].tolist() == [r[0] for r in rows]
    status_words = {"hyvä": "Hyvä", "riski": "Riskissä", "heikko": "Heikko", "ei tietoa": "Ei tietoa"}
    assert table["Tila"].tolist() == [status_words[r[3]] for r in rows]
    for shown, (_, current, unit, _) in zip(table["Nykyinen"].tolist(), rows, strict=True):
        expected = {"share": (100, 1), "score": (1, 2), "hours_week": (1, 0), "ratio": (1, 2)}[unit]
        assert fi_number(shown) == pytest.approx(half_up(current * expected[0], expected[1]), abs=1e-9)


# --- before / after ---------------------------------------------------------------------------------------------


def _mart_means(db: Path, measure: str) -> dict[int, float]:
    rows = sql(db, "SELECT relative_month, mean_value FROM mart_before_after WHERE measure = ? AND question_id IS "
                   "NULL AND role_group IS NULL AND mean_value IS NOT NULL", [measure])
    return dict(rows)


def test_changing_the_measure_changes_the_chart_data(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    at.selectbox(key="ga_measure").set_value("load_ratio").run()
    assert not at.exception
    load = {r["relative_month"]: r["mean_value"] for r in chart_rows(before_after_chart(at))
            if r.get("mean_value") is not None}
    assert load == pytest.approx(_mart_means(demo_db, "load_ratio"))

    at.selectbox(key="ga_measure").set_value("compliance_share").run()
    assert not at.exception
    compliance = {r["relative_month"]: r["mean_value"] for r in chart_rows(before_after_chart(at))
                  if r.get("mean_value") is not None}
    assert compliance == pytest.approx(_mart_means(demo_db, "compliance_share"))
    assert compliance != pytest.approx(load)
    # the table of the points follows the chart
    table = table_with(at, "Kuukausi käyttöönotosta")
    assert [fi_number(v) for v in table["Kuukausi käyttöönotosta"]] == list(range(-6, 13))
    expected = _mart_means(demo_db, "compliance_share")
    shown = dict(zip([int(fi_number(v)) for v in table["Kuukausi käyttöönotosta"]],
                     table["Käyttöön ottaneet asemat, keskiarvo (%)"], strict=True))
    assert {m: fi_number(v) for m, v in shown.items()} == pytest.approx(
        {m: half_up(v * 100, 1) for m, v in expected.items()}, abs=1e-9
    )


def test_question_and_role_group_choose_the_series(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    assert at.selectbox(key="ga_measure").value == "pulssi_mean"
    at.selectbox(key="ga_question").set_value("hallinta").run()
    assert not at.exception
    expected = dict(sql(demo_db, "SELECT relative_month, n_stations FROM mart_before_after WHERE measure = "
                                 "'pulssi_mean' AND question_id = 'hallinta' AND role_group IS NULL"))
    shown = {r["relative_month"]: r["n_stations"] for r in chart_rows(before_after_chart(at))}
    assert {m: shown[m] for m in expected if m in shown} == {m: n for m, n in expected.items() if m in shown}
    assert shown  # tooltips carry the number of stations
    at.selectbox(key="ga_measure").set_value("sick_leave_rate").run()
    at.selectbox(key="ga_role").set_value("sihteerit").run()
    assert not at.exception
    means = {r["relative_month"]: r["mean_value"] for r in chart_rows(before_after_chart(at))
             if r.get("mean_value") is not None}
    expected_sl = dict(sql(demo_db, "SELECT relative_month, mean_value FROM mart_before_after WHERE measure = "
                                    "'sick_leave_rate' AND role_group = 'sihteerit' AND mean_value IS NOT NULL"))
    assert means == pytest.approx(expected_sl)


def test_station_manager_sees_no_thin_before_after_points(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db, role="esihenkilo", station="ESP-KAL")
    at.selectbox(key="ga_measure").set_value("sick_leave_rate").run()
    at.selectbox(key="ga_role").set_value("sihteerit").run()
    assert not at.exception
    thin = {m for (m,) in sql(demo_db, "SELECT relative_month FROM mart_before_after WHERE measure = "
                                       "'sick_leave_rate' AND role_group = 'sihteerit' AND n_stations BETWEEN 1 AND 2")}
    assert thin, "the demo data should have points behind one or two stations"
    rows = chart_rows(before_after_chart(at))
    assert not [r for r in rows if r["relative_month"] in thin and r.get("mean_value") is not None]


# --- drill-down and scopes -----------------------------------------------------------------------------------------


def _station_names(db: Path) -> dict[str, str]:
    return dict(sql(db, "SELECT station_id, name_fi FROM mart_rollout"))


def test_project_manager_drilldown_has_every_station(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    at.selectbox(key="gd_indicator").set_value("tyonjaon_toteutuminen").run()
    table = table_with(at, "Asema")
    names = _station_names(demo_db)
    assert sorted(table["Asema"].tolist()) == sorted(names.values())
    current = dict(sql(demo_db, 'SELECT r.name_fi, p."current" FROM mart_goal_progress_station p JOIN mart_rollout r '
                                "USING (station_id) WHERE indicator_id = 'tyonjaon_toteutuminen'"))
    shown = dict(zip(table["Asema"], table["Nykyinen (%)"], strict=True))
    assert {k: fi_number(v) for k, v in shown.items()} == pytest.approx(
        {k: half_up(v * 100, 1) for k, v in current.items()}, abs=1e-9
    )


def test_municipality_filter_narrows_the_drilldown(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    at.selectbox(key="f_municipality").set_value("Espoo").run()
    assert not at.exception
    assert set(table_with(at, "Asema")["Kunta"].tolist()) == {"Espoo"}
    assert TEXTS["region_note"] in [c.value for c in at.caption]


def test_station_manager_sees_only_own_station(make_app, demo_db: Path) -> None:
    own = "ESP-KAL"
    names = _station_names(demo_db)
    forbidden = {name for sid, name in names.items() if sid != own} | {sid for sid in names if sid != own}
    at = page(make_app, demo_db, role="esihenkilo", station=own)
    for indicator in at.selectbox(key="gd_indicator").options:
        at.selectbox(key="gd_indicator").set_value(indicator).run()
        assert not at.exception
        assert table_with(at, "Asema")["Asema"].tolist() == [names[own]]
        assert not (table_strings(at) & forbidden)
    # the region cards stay
    assert len(at.subheader) == 5


def test_crafted_station_state_does_not_reveal_another_station(make_app, demo_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    own, other = "ESP-KAL", "ESP-ISO"
    names = _station_names(demo_db)
    # Through the fixture: the crafted value is set before the first run (of the default page).
    at = page(make_app, demo_db, role="esihenkilo", station=own, state={"f_station": other})
    assert names[other] not in table_strings(at)
    # Straight onto this page, so that the crafted values meet this page's filters first.
    at = first_run_on_page(monkeypatch, demo_db, role="esihenkilo", station=own, f_station=other,
                           f_municipality="Espoo", gd_indicator="no_such_indicator", ga_measure="no_such_measure")
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Arviointitavoitteet"]
    assert at.session_state["f_station"] != other
    shown = table_strings(at)
    assert names[other] not in shown and other not in shown
    assert table_with(at, "Asema")["Asema"].tolist() == [names[own]]


def test_reference_month_is_the_marts(make_app, demo_db: Path) -> None:
    (month,) = sql(demo_db, "SELECT max(current_month) FROM mart_goal_progress")[0]
    assert isinstance(month, date)
    at = page(make_app, demo_db)
    months = {"1": "tammikuu", "2": "helmikuu", "3": "maaliskuu", "4": "huhtikuu", "5": "toukokuu", "6": "kesäkuu",
              "7": "heinäkuu", "8": "elokuu", "9": "syyskuu", "10": "lokakuu", "11": "marraskuu", "12": "joulukuu"}
    assert f"{months[str(month.month)]} {month.year}" in " ".join(m.value for m in at.markdown)
