"""Tests of the Työkuorma page (AppTest) and of its query layer (dashboard.queries_workload).

Figures on the page are checked against values computed here straight from the mart tables; the query layer is
checked on a tiny hand-made warehouse whose figures are computed by hand below.
"""

from __future__ import annotations

import statistics
import tomllib
from datetime import date
from functools import partial
from pathlib import Path

import page_helpers
import polars as pl
import pytest
from page_helpers import chart_text, fi_number, half_up, metric_value, other_station_strings, sql, table_strings
from polars.testing import assert_frame_equal

from dashboard import present
from dashboard import queries_workload as qw
from dashboard.access import Scope
from etl.load import InputFile, load

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/tyokuorma.py"

# This file's page, opened in the shared ways.
first_run_on_page = partial(page_helpers.first_run_on_page, page=PAGE)
page = partial(page_helpers.open_page, page=PAGE)

TEXTS = tomllib.loads((ROOT / "locales" / "fi" / "tyokuorma.toml").read_text(encoding="utf-8"))["tyokuorma"]
WEEKLY_HOURS = 36.25

# --- helpers ------------------------------------------------------------------------------------------------


def region_ratio(db: Path, month: date) -> float:
    (value,) = sql(
        db,
        "SELECT sum(required_hours_week) / sum(capacity_hours_week) FROM mart_workload "
        "WHERE month = ? AND load_ratio IS NOT NULL",
        [month],
    )[0]
    return value


# --- page on the demo warehouse -----------------------------------------------------------------------------


def test_renders_on_demo_data(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    assert len(at.get("vega_lite_chart")) >= 6
    assert at.dataframe, "the station table is missing"
    headers = set(at.dataframe[0].value.columns)
    assert {"Asema", "Sihteerien htv", "Sihteerien nettohtv", "Kapasiteetti (h/vko)", "Tarvittavat tunnit (h/vko)",
            "Kuormitussuhde", "Henkilöstö (hlö)", "Sairauspoissaolo (%)"} <= headers
    labels = [b.label for b in at.get("download_button")] if at.get("download_button") else []
    assert labels.count("Lataa CSV") >= 1 and labels.count("Lataa Excel") >= 1


def test_empty_warehouse_says_what_to_load(make_app, empty_db: Path) -> None:
    at = page(make_app, empty_db)
    infos = [i.value for i in at.info]
    assert TEXTS["empty"] in infos, infos
    assert not at.get("vega_lite_chart")
    assert not at.dataframe


def test_region_metric_equals_mart_and_follows_the_month(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    month = at.session_state["f_month"]
    shown = fi_number(metric_value(at, "Kuormitussuhde, koko alue"))
    assert shown == pytest.approx(half_up(region_ratio(demo_db, month), 2), abs=1e-9)

    # Another month whose regional ratio differs visibly.
    months = [r[0] for r in sql(demo_db, "SELECT DISTINCT month FROM mart_workload WHERE load_ratio IS NOT NULL")]
    other = max(months, key=lambda m: abs(region_ratio(demo_db, m) - region_ratio(demo_db, month)))
    assert half_up(region_ratio(demo_db, other), 2) != half_up(region_ratio(demo_db, month), 2)
    at.selectbox(key="f_month").set_value(other).run()
    assert not at.exception
    assert fi_number(metric_value(at, "Kuormitussuhde, koko alue")) == pytest.approx(
        half_up(region_ratio(demo_db, other), 2), abs=1e-9
    )


def test_spread_metrics_equal_mart(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    month = at.session_state["f_month"]
    ratios = [r[0] for r in sql(demo_db, "SELECT load_ratio FROM mart_workload WHERE month = ? AND load_ratio "
                                         "IS NOT NULL", [month])]
    cv = statistics.pstdev(ratios) / statistics.fmean(ratios)
    over = sum(r > 1.1 for r in ratios) / len(ratios)
    assert fi_number(metric_value(at, "Vaihtelukerroin")) == pytest.approx(half_up(cv * 100, 1), abs=1e-9)
    assert fi_number(metric_value(at, "Asemia yli 1,1")) == pytest.approx(half_up(over * 100), abs=1e-9)
    low, high = (fi_number(p) for p in metric_value(at, "Pienin – suurin").split(" – "))
    assert (low, high) == (half_up(min(ratios), 2), half_up(max(ratios), 2))


def test_station_filter_shows_the_station_ratio(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    month = at.session_state["f_month"]
    rows = sql(demo_db, "SELECT w.station_id, r.name_fi, w.load_ratio FROM mart_workload w JOIN mart_rollout r "
                        "USING (station_id) WHERE month = ? AND load_ratio IS NOT NULL ORDER BY load_ratio", [month])
    (low_id, low_name, low_ratio), (high_id, high_name, high_ratio) = rows[0], rows[-1]
    at.selectbox(key="f_station").set_value(low_id).run()
    assert fi_number(metric_value(at, f"Kuormitussuhde, {low_name}")) == pytest.approx(half_up(low_ratio, 2), abs=1e-9)
    at.selectbox(key="f_station").set_value(high_id).run()
    shown = metric_value(at, f"Kuormitussuhde, {high_name}")
    assert fi_number(shown) == pytest.approx(half_up(high_ratio, 2), abs=1e-9)
    assert half_up(low_ratio, 2) != half_up(high_ratio, 2)
    # The table row of the station holds the same figures as the mart.
    table = at.dataframe[0].value
    row = table[table["Asema"] == high_name].iloc[0]
    assert fi_number(row["Kuormitussuhde"]) == pytest.approx(round(high_ratio, 2), abs=1e-9)


def test_municipality_filter_adds_the_municipality_ratio(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    month = at.session_state["f_month"]
    at.selectbox(key="f_municipality").set_value("Espoo").run()
    (expected,) = sql(
        demo_db,
        "SELECT sum(w.required_hours_week) / sum(w.capacity_hours_week) FROM mart_workload w JOIN mart_rollout r "
        "USING (station_id) WHERE w.month = ? AND r.municipality = 'Espoo' AND w.load_ratio IS NOT NULL",
        [month],
    )[0]
    assert fi_number(metric_value(at, "Kuormitussuhde, Espoo")) == pytest.approx(round(expected, 2), abs=1e-9)
    shown = set(at.dataframe[0].value["Kunta"].tolist())
    assert shown == {"Espoo"}


def test_station_manager_sees_only_own_station(make_app, demo_db: Path) -> None:
    own = "ESP-KAL"
    at = page(make_app, demo_db, role="esihenkilo", station=own)
    forbidden = other_station_strings(demo_db, own)
    assert at.dataframe
    assert not (table_strings(at) & forbidden)
    text = chart_text(at)
    assert not [name for name in forbidden if name in text]
    assert "Kalajärven terveysasema" in table_strings(at)
    # Region figures stay visible.
    assert metric_value(at, "Kuormitussuhde, koko alue")


def test_crafted_station_state_does_not_reveal_another_station(make_app, demo_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    own, other = "ESP-KAL", "ESP-ISO"
    forbidden = other_station_strings(demo_db, own)
    # Through the fixture: the crafted value is set before the first run.
    at = page(make_app, demo_db, role="esihenkilo", station=own, state={"f_station": other})
    assert not (table_strings(at) & forbidden)
    # Straight onto this page, so that the crafted value meets this page's filters first.
    at = first_run_on_page(monkeypatch, demo_db, role="esihenkilo", station=own, f_station=other)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Työkuorma"]
    assert at.session_state["f_station"] != other
    assert not (table_strings(at) & forbidden)
    assert not [name for name in forbidden if name in chart_text(at)]
    assert not [m.label for m in at.metric if "Ison Omenan" in m.label]


# --- a tiny hand-made warehouse -----------------------------------------------------------------------------
# Stations A1 and A2 in municipality Alfa, B1 in Beta. Tasks T1 (toimistosihteeri) and T2 (terveyskeskusavustaja)
# are secretary tasks; T3 (sairaanhoitaja) is not. Staffing Jan–Mar 2025; Feb 2025 has 20 working days.

ASEMAT = """asema_id;nimi;nimi_sv;kunta;aalto;suunniteltu_kayttoonotto;kayttoonotto
A1;Aasema;Astation;Alfa;1;1.1.2025;1.1.2025
A2;Ahvenaseman asema;;Alfa;1;1.2.2025;
B1;Beeasema;Bstation;Beta;2;1.3.2025;
"""
TEHTAVAT = """tehtava_id;tehtava;tehtavaryhma;vastuurooli;automatisoitavissa
T1;Ajanvaraus;G1;toimistosihteeri;ei
T2;Arkistointi;G1;terveyskeskusavustaja;ei
T3;Haavanhoito;G2;sairaanhoitaja;ei
"""
KARTOITUS = """kartoituspvm;asema_id;tehtava_id;suorittaja;tunnit_viikossa
15.1.2025;A1;T1;toimistosihteeri;10
15.1.2025;A1;T1;sairaanhoitaja;4
15.1.2025;A1;T2;terveyskeskusavustaja;6
15.1.2025;A1;T2;toimistosihteeri;2
15.1.2025;A1;T3;sairaanhoitaja;8
10.3.2025;A1;T1;toimistosihteeri;12
10.3.2025;A1;T1;sairaanhoitaja;1
10.3.2025;A1;T2;terveyskeskusavustaja;8
10.3.2025;A1;T3;sairaanhoitaja;8
5.2.2025;A2;T1;toimistosihteeri;5
5.2.2025;A2;T1;laakari;5
5.2.2025;A2;T2;terveyskeskusavustaja;10
20.1.2025;B1;T1;toimistosihteeri;8
20.1.2025;B1;T2;terveyskeskusavustaja;8
20.1.2025;B1;T3;sairaanhoitaja;4
"""
STAFF = {
    "A1": [("a1s1", "toimistosihteeri", 40), ("a1s2", "terveyskeskusavustaja", 20)]
    + [(f"a1n{i}", "sairaanhoitaja", 100) for i in range(4)],
    "A2": [("a2s1", "toimistosihteeri", 100), ("a2s2", "terveyskeskusavustaja", 50)],
    "B1": [("b1s1", "toimistosihteeri", 20), ("b1s2", "terveyskeskusavustaja", 10)]
    + [(f"b1d{i}", "laakari", 100) for i in range(3)],
}
SICK_FEB = {"a1s1": 4, "b1d0": 4}  # sick-leave days in February 2025


def _staffing_csv() -> bytes:
    lines = ["kuukausi;henkilo_id;asema_id;rooli;tyoaikaprosentti;palvelussuhde;sairauspoissaolo_pv;muu_poissaolo_pv"]
    for month in ("2025-01", "2025-02", "2025-03"):
        for station, people in STAFF.items():
            for pid, role, pct in people:
                sick = SICK_FEB.get(pid, 0) if month == "2025-02" else 0
                lines.append(f"{month};{pid};{station};{role};{pct};vakinainen;{sick};0")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny_workload") / "w.duckdb"
    files = [InputFile("asemat.csv", ASEMAT.encode()), InputFile("tehtavat.csv", TEHTAVAT.encode()),
             InputFile("kartoitus.csv", KARTOITUS.encode()), InputFile("henkilosto.csv", _staffing_csv())]
    result = load(files, db=path, origin="demo")
    assert result.ok, result
    return path


JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
# Hand-computed figures.
# Every station has 2 secretaries (< k = 5), so the contract's revision 2 publishes their capacity with the sick
# leave taken at the region's secretary rate r, not their own. February: secretary FTE 0.4 + 0.2 + 1.0 + 0.5 + 0.2
# + 0.1 = 2.4, sick FTE-days 0.4 × 4 = 1.6 (a1s1), r = 1.6 / (2.4 × 20) = 1/30; January and March r = 0.
# A1: secretary FTE 0.4 + 0.2; in Feb net 0.6 × (1 − 1/30) = 0.58 (recorded: 0.4·0.8 + 0.2 = 0.52).
# Required hours of A1: round 15.1. T1 10+4, T2 6+2 = 22; round 10.3. T1 12+1, T2 8 = 21.
A1_CAP = {JAN: 0.6 * WEEKLY_HOURS, FEB: 0.58 * WEEKLY_HOURS, MAR: 0.6 * WEEKLY_HOURS}
A1_REQ = {JAN: 22.0, FEB: 22.0, MAR: 21.0}
# A2: 1.5 FTE; first mapping 5.2.2025 (none in January); required T1 5+5, T2 10 = 20.
A2_CAP = {JAN: 1.5 * WEEKLY_HOURS, FEB: 1.45 * WEEKLY_HOURS, MAR: 1.5 * WEEKLY_HOURS}  # Feb 1.5 × 29/30
A2_REQ = {JAN: None, FEB: 20.0, MAR: 20.0}
# B1: 0.3 FTE; required T1 8 + T2 8 = 16.
B1_CAP = {JAN: 0.3 * WEEKLY_HOURS, FEB: 0.29 * WEEKLY_HOURS, MAR: 0.3 * WEEKLY_HOURS}  # Feb 0.3 × 29/30
B1_REQ = 16.0


def test_unit_series_region_by_hand(tiny_db: Path) -> None:
    series = qw.unit_series(tiny_db)
    assert series["month"].to_list() == [JAN, FEB, MAR]
    feb = series.filter(series["month"] == FEB).row(0, named=True)
    ratios = [A1_REQ[FEB] / A1_CAP[FEB], A2_REQ[FEB] / A2_CAP[FEB], B1_REQ / B1_CAP[FEB]]
    # The estimate moves sick leave between stations but keeps the region's total: 21.025 + 52.5625 + 10.5125 = 84.1.
    assert feb["load_ratio"] == pytest.approx((22 + 20 + 16) / (21.025 + 52.5625 + 10.5125))
    assert feb["load_ratio_cv"] == pytest.approx(statistics.pstdev(ratios) / statistics.fmean(ratios))
    assert feb["overload_share"] == pytest.approx(1 / 3)  # B1 1.522 is above 1.1; A1 1.046 is not
    assert feb["load_ratio_min"] == pytest.approx(20 / 52.5625)
    assert feb["load_ratio_max"] == pytest.approx(16 / 10.5125)
    assert feb["load_ratio_range"] == pytest.approx(16 / 10.5125 - 20 / 52.5625)
    # January: A2 has no mapping round yet, so its capacity is left out of the ratio.
    jan = series.filter(series["month"] == JAN).row(0, named=True)
    assert jan["load_ratio"] == pytest.approx((22 + 16) / (0.6 * WEEKLY_HOURS + 0.3 * WEEKLY_HOURS))
    assert (jan["stations_with_ratio"], jan["stations"]) == (2, 3)


def test_unit_series_municipality_by_hand(tiny_db: Path) -> None:
    feb = qw.unit_series(tiny_db, "Alfa").filter(pl.col("month") == FEB).row(0, named=True)
    assert feb["load_ratio"] == pytest.approx((22 + 20) / (0.58 * WEEKLY_HOURS + 1.45 * WEEKLY_HOURS))
    assert feb["overload_share"] == pytest.approx(0)
    assert qw.unit_series(tiny_db, "Gamma").is_empty()


def test_unit_series_region_matches_shared_query(tiny_db: Path) -> None:
    from dashboard import queries

    columns = ["month", "load_ratio", "load_ratio_cv", "overload_share", "load_ratio_min", "load_ratio_max"]
    assert_frame_equal(qw.unit_series(tiny_db).select(columns), queries.workload_region(tiny_db).select(columns),
                       check_dtypes=False)


def test_kpis_compare_with_the_month_before(tiny_db: Path) -> None:
    k = qw.kpis(qw.unit_series(tiny_db), MAR)
    feb_ratio = (22 + 20 + 16) / (0.52 * WEEKLY_HOURS + 1.5 * WEEKLY_HOURS + 0.3 * WEEKLY_HOURS)
    mar_ratio = (21 + 20 + 16) / (0.6 * WEEKLY_HOURS + 1.5 * WEEKLY_HOURS + 0.3 * WEEKLY_HOURS)
    assert k["load_ratio"].value == pytest.approx(mar_ratio)
    assert k["load_ratio"].reference == pytest.approx(feb_ratio)
    assert k["load_ratio"].delta == pytest.approx(mar_ratio - feb_ratio)
    assert qw.kpis(qw.unit_series(tiny_db), date(2024, 12, 1)) == {}


def test_station_month_scope_bands_and_sick_leave(tiny_db: Path) -> None:
    everyone = Scope("johto")
    rows = qw.station_month(tiny_db, everyone, FEB)
    by_id = {r["station_id"]: r for r in rows.iter_rows(named=True)}
    assert by_id["A1"]["load_ratio"] == pytest.approx(22 / 21.025)
    assert by_id["A1"]["capacity_estimated"] is True
    assert by_id["A1"]["band"] == "within"
    assert by_id["A2"]["band"] == "under"
    assert by_id["B1"]["band"] == "over"
    assert by_id["A1"]["station_name"] == "Aasema"
    # B1: 5 people, 3.3 FTE; 4 sick days of a full-timer in a month of 20 working days.
    assert by_id["B1"]["sick_leave_pct"] == pytest.approx(100 * 4 / (3.3 * 20))
    assert by_id["A2"]["sick_leave_pct"] is None  # 2 people: suppressed
    assert by_id["A1"]["sick_leave_pct"] is None  # 6 people, hidden by secondary suppression beside A2
    manager = Scope("esihenkilo", frozenset({"A1"}))
    assert qw.station_month(tiny_db, manager, FEB)["station_id"].to_list() == ["A1"]
    assert qw.station_month(tiny_db, everyone, FEB, "Beta")["station_id"].to_list() == ["B1"]
    assert qw.station_month(tiny_db, Scope("esihenkilo", frozenset({"A1"})), FEB, "Beta").is_empty()
    # Swedish names fall back to the Finnish one where there is none.
    sv = {r["station_id"]: r["station_name"] for r in qw.station_month(tiny_db, everyone, FEB, lang="sv").iter_rows(
        named=True)}
    assert sv == {"A1": "Astation", "A2": "Ahvenaseman asema", "B1": "Bstation"}


def test_sick_leave_text(tiny_db: Path) -> None:
    rows = qw.with_sick_leave_text(qw.station_month(tiny_db, Scope("johto"), FEB), 5, "alle 5 henkilöä", "piilotettu")
    texts = {r["station_id"]: r["sick_leave_text"] for r in rows.iter_rows(named=True)}
    assert texts == {"A1": "piilotettu", "A2": "alle 5 henkilöä", "B1": "6,1"}


def test_station_kpi_and_scope(tiny_db: Path) -> None:
    k = qw.station_kpi(tiny_db, Scope("johto"), MAR, "A1")
    assert k.value == pytest.approx(21 / 21.75)
    assert k.reference == pytest.approx(22 / 21.025)
    with pytest.raises(PermissionError):
        qw.station_kpi(tiny_db, Scope("esihenkilo", frozenset({"A1"})), MAR, "B1")


def test_trend_and_references(tiny_db: Path) -> None:
    manager = Scope("esihenkilo", frozenset({"A2"}))
    trend = qw.station_trend(tiny_db, manager)
    assert set(trend["station_id"].to_list()) == {"A2"}
    assert trend.sort("month")["load_ratio"].to_list()[1:] == pytest.approx([20 / 52.5625, 20 / 54.375])
    refs = qw.reference_values(tiny_db, FEB, "Alfa", "Koko alue")
    assert refs["label"].to_list() == ["Koko alue", "Alfa"]
    assert refs["value"].to_list() == pytest.approx([58 / 84.1, 42 / 73.5875])
    series = qw.reference_series(tiny_db, None, "Koko alue")
    assert series.height == 3 and set(series["label"].to_list()) == {"Koko alue"}


# --- the page on the tiny warehouse -------------------------------------------------------------------------


def test_page_on_tiny_warehouse_marks_small_groups(make_app, tiny_db: Path) -> None:
    at = page(make_app, tiny_db, state={"f_month": FEB})
    at.selectbox(key="f_month").set_value(FEB).run()
    assert fi_number(metric_value(at, "Kuormitussuhde, koko alue")) == round(58 / 84.1, 2)
    assert fi_number(metric_value(at, "Asemia yli 1,1")) == round(100 * 1 / 3)
    table = at.dataframe[0].value
    sick = dict(zip(table["Asema"], table["Sairauspoissaolo (%)"], strict=True))
    assert sick["Ahvenaseman asema"] == "alle 5 henkilöä"
    assert sick["Aasema"] == TEXTS["suppressed_hidden"]
    assert sick["Beeasema"] == "6,1"
    assert all(v for v in sick.values())  # never blank


def test_delta_style_reads_the_sign() -> None:
    assert present.delta_style(-0.018, "down") == {"delta_arrow": "down", "delta_color": "green"}
    assert present.delta_style(0.02, "down") == {"delta_arrow": "up", "delta_color": "red"}
    assert present.delta_style(0.02, "up") == {"delta_arrow": "up", "delta_color": "green"}
    assert present.delta_style(-0.5) == {"delta_arrow": "down", "delta_color": "gray"}
    off = {"delta_arrow": "off", "delta_color": "gray"}
    assert present.delta_style(0.0, "down") == present.delta_style(None) == off
