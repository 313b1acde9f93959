"""Tests of the Työnjaon toteutuminen page (AppTest) and of its query layer (dashboard.queries_labour).

Figures on the page are checked against values computed here straight from the mart tables; the query layer is
checked on a tiny hand-made warehouse whose figures are computed by hand below.
"""

from __future__ import annotations

import tomllib
from datetime import date
from functools import partial
from pathlib import Path

import page_helpers
import polars as pl
import pytest
from page_helpers import chart_text, fi_number, metric, other_station_strings, sql, table_strings
from streamlit.testing.v1 import AppTest

from dashboard import queries_labour as ql
from dashboard.access import Scope
from etl.load import InputFile, load

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/tyonjako.py"

# This file's page, opened in the shared ways.
first_run_on_page = partial(page_helpers.first_run_on_page, page=PAGE)
page = partial(page_helpers.open_page, page=PAGE)

TEXTS = tomllib.loads((ROOT / "locales" / "fi" / "tyonjako.toml").read_text(encoding="utf-8"))["tyonjako"]
REGION = "Työnjaon toteutuma, Koko alue"

# --- helpers ------------------------------------------------------------------------------------------------


# Each station's rounds numbered from its first; `pick` is 'latest' or a round number.
_ROUNDS = """
WITH r AS (
    SELECT *, row_number() OVER (PARTITION BY station_id ORDER BY mapping_date) AS n,
           count(*) OVER (PARTITION BY station_id) AS rounds
    FROM mart_compliance WHERE task_group IS NULL
)
"""


def region_share(db: Path, pick: str | int) -> float:
    cond = "n = rounds" if pick == "latest" else f"n = {int(pick)}"
    return sql(db, _ROUNDS + f"SELECT sum(compliant_hours_week) / sum(total_hours_week) FROM r WHERE {cond}")[0][0]


def station_share(db: Path, station: str, pick: str | int) -> tuple[float, float | None]:
    """The station's share in the chosen round, and in the round before it (None for a first round)."""
    rows = sql(db, _ROUNDS + "SELECT n, rounds, compliance_share FROM r WHERE station_id = ? ORDER BY n", [station])
    idx = len(rows) - 1 if pick == "latest" else int(pick) - 1
    return rows[idx][2], (rows[idx - 1][2] if idx else None)


def frame_with(at: AppTest, header: str):  # noqa: ANN201 - a pandas frame
    for df in at.dataframe:
        if header in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {header!r}")


# --- page on the demo warehouse -----------------------------------------------------------------------------


def test_renders_on_demo_data_and_asks_for_a_station(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    assert len(at.get("vega_lite_chart")) >= 3
    assert len(at.dataframe) >= 3
    assert TEXTS["choose_station"] in [i.value for i in at.info]
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Lataa CSV") >= 3 and labels.count("Lataa Excel") >= 3


def test_empty_warehouse_says_what_to_load(make_app, empty_db: Path) -> None:
    at = page(make_app, empty_db)
    assert TEXTS["empty"] in [i.value for i in at.info]
    assert not at.get("vega_lite_chart")
    assert not at.dataframe


def test_region_share_equals_mart_and_follows_the_round(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    assert at.session_state["f_round"] == "latest"
    latest = region_share(demo_db, "latest")
    assert fi_number(metric(at, REGION).value) == pytest.approx(round(latest * 100, 1), abs=1e-9)
    first = region_share(demo_db, 1)
    assert round(first * 100, 1) != round(latest * 100, 1)
    at.selectbox(key="f_round").set_value(1).run()
    assert not at.exception
    assert fi_number(metric(at, REGION).value) == pytest.approx(round(first * 100, 1), abs=1e-9)
    # Clinician admin hours: latest rounds against first rounds.
    (latest_hours, first_hours) = sql(
        demo_db, _ROUNDS + "SELECT sum(clinician_admin_hours_week) FILTER (WHERE n = rounds), "
                           "sum(clinician_admin_hours_week) FILTER (WHERE n = 1) FROM r")[0]
    clin = metric(at, "Kliinikoiden sihteeritehtävät, Koko alue")
    assert fi_number(clin.value.replace("h/vko", "")) == pytest.approx(round(latest_hours, 1), abs=1e-9)
    assert fi_number(clin.delta.split(" vs.")[0]) == pytest.approx(round(latest_hours - first_hours, 1), abs=1e-9)


def test_station_share_and_change_equal_mart(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db)
    at.selectbox(key="f_station").set_value("ESP-KAL").run()
    now, before = station_share(demo_db, "ESP-KAL", "latest")
    m = metric(at, "Työnjaon toteutuma, Kalajärven terveysasema")
    assert fi_number(m.value) == pytest.approx(round(now * 100, 1), abs=1e-9)
    assert fi_number(m.delta) == pytest.approx(round((now - before) * 100, 1), abs=1e-9)
    assert TEXTS["choose_station"] not in [i.value for i in at.info]

    at.selectbox(key="f_round").set_value(1).run()
    first, none = station_share(demo_db, "ESP-KAL", 1)
    assert none is None
    assert fi_number(metric(at, "Työnjaon toteutuma, Kalajärven terveysasema").value) == pytest.approx(
        round(first * 100, 1), abs=1e-9
    )

    at.selectbox(key="f_station").set_value("ESP-ISO").run()
    iso, _ = station_share(demo_db, "ESP-ISO", 1)
    assert round(iso * 100, 1) != round(first * 100, 1)
    assert fi_number(metric(at, "Työnjaon toteutuma, Ison Omenan terveysasema").value) == pytest.approx(
        round(iso * 100, 1), abs=1e-9
    )


def test_heatmap_table_and_misplaced_hours_equal_mart(make_app, demo_db: Path) -> None:
    at = page(make_app, demo_db, state={"f_station": "ESP-KAL"})
    at.selectbox(key="f_station").set_value("ESP-KAL").run()
    group, share = sql(demo_db, """
        SELECT task_group, compliance_share FROM mart_compliance
        WHERE station_id = 'ESP-KAL' AND task_group IS NOT NULL
          AND mapping_date = (SELECT max(mapping_date) FROM mart_compliance WHERE station_id = 'ESP-KAL')
        ORDER BY task_group LIMIT 1""")[0]
    heat = frame_with(at, "Asema tai alue")
    row = heat[heat["Asema tai alue"] == "Kalajärven terveysasema"].iloc[0]
    assert fi_number(row[f"{group} (%)"]) == pytest.approx(round(share * 100, 1), abs=1e-9)

    (wrong_hours,) = sql(demo_db, """
        SELECT sum(hours_week) FROM mart_compliance_tasks
        WHERE station_id = 'ESP-KAL' AND NOT compliant
          AND mapping_date = (SELECT max(mapping_date) FROM mart_compliance_tasks WHERE station_id = 'ESP-KAL')""")[0]
    tasks = frame_with(at, "Vastuurooli")  # hours are multiples of 0.5, so the shown one decimal is exact
    assert sum(fi_number(v) for v in tasks["Tunnit (h/vko)"]) == pytest.approx(wrong_hours, abs=1e-6)
    by_role = [df.value for df in at.dataframe if "Tekijä" in df.value.columns and "Vastuurooli" not in df.value]
    assert len(by_role) == 1
    assert sum(fi_number(v) for v in by_role[0]["Tunnit (h/vko)"]) == pytest.approx(wrong_hours, abs=1e-6)
    assert len(at.get("vega_lite_chart")) >= 4  # the task chart joins the three region-wide charts


def test_station_manager_sees_only_own_station(make_app, demo_db: Path) -> None:
    own = "ESP-KAL"
    forbidden = other_station_strings(demo_db, own)
    at = page(make_app, demo_db, role="esihenkilo", station=own)
    at.selectbox(key="f_station").set_value(own).run()
    assert not at.exception
    assert len(at.dataframe) >= 4
    assert not (table_strings(at) & forbidden)
    assert not [name for name in forbidden if name in chart_text(at)]
    assert "Kalajärven terveysasema" in table_strings(at)
    assert fi_number(metric(at, REGION).value) == pytest.approx(round(region_share(demo_db, "latest") * 100, 1))


def test_crafted_station_state_does_not_reveal_another_station(make_app, demo_db: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    own, other = "ESP-KAL", "ESP-ISO"
    forbidden = other_station_strings(demo_db, own)
    at = page(make_app, demo_db, role="esihenkilo", station=own, state={"f_station": other})
    assert not (table_strings(at) & forbidden)
    at = first_run_on_page(monkeypatch, demo_db, role="esihenkilo", station=own, f_station=other)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Työnjaon toteutuminen"]
    assert at.session_state["f_station"] != other
    assert not (table_strings(at) & forbidden)
    assert not [name for name in forbidden if name in chart_text(at)]
    assert not [m.label for m in at.metric if "Ison Omenan" in m.label]


# --- a tiny hand-made warehouse -----------------------------------------------------------------------------
# A1 and A2 in Alfa, B1 in Beta. T1 (G1) is owned by toimistosihteeri, T2 (G1) by terveyskeskusavustaja,
# T3 (G2) by sairaanhoitaja. A1 has two rounds, A2 and B1 one each.

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
10.3.2025;A1;T3;toimistosihteeri;1
5.2.2025;A2;T1;toimistosihteeri;5
5.2.2025;A2;T1;laakari;5
5.2.2025;A2;T2;terveyskeskusavustaja;10
20.1.2025;B1;T1;toimistosihteeri;8
20.1.2025;B1;T2;terveyskeskusavustaja;8
20.1.2025;B1;T3;sairaanhoitaja;4
"""
A1_R1, A1_R2 = date(2025, 1, 15), date(2025, 3, 10)
EVERYONE = Scope("johto")


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tiny_labour") / "w.duckdb"
    files = [InputFile("asemat.csv", ASEMAT.encode()), InputFile("tehtavat.csv", TEHTAVAT.encode()),
             InputFile("kartoitus.csv", KARTOITUS.encode())]
    result = load(files, db=path, origin="demo")
    assert result.ok, result
    return path


# Hand-computed, per round (total hours; hours done by the owner; secretary tasks done by clinicians):
# A1 round 1: 30 h; owner 10 + 6 + 8 = 24; clinicians 4 (T1 by sairaanhoitaja).
# A1 round 2: 30 h; owner 12 + 8 + 8 = 28; clinicians 1.
# A2 round 1: 20 h; owner 5 + 10 = 15; clinicians 5 (T1 by laakari).
# B1 round 1: 20 h; owner 20; clinicians 0.


def test_round_options(tiny_db: Path, empty_db: Path) -> None:
    assert ql.round_options(tiny_db) == [ql.LATEST, 1, 2]
    assert ql.round_options(empty_db) == []


def test_unit_compliance_by_hand(tiny_db: Path) -> None:
    def total(round_sel: ql.RoundSel, municipality: str | None = None) -> dict:
        df = ql.unit_compliance(tiny_db, round_sel, municipality)
        return df.filter(df["task_group"].is_null()).row(0, named=True)

    latest = total(ql.LATEST)
    assert (latest["total_hours_week"], latest["compliant_hours_week"]) == (70, 63)
    assert latest["compliance_share"] == pytest.approx(63 / 70)
    assert latest["clinician_admin_hours_week"] == 6
    assert total(1)["compliance_share"] == pytest.approx(59 / 70)
    assert total(1)["clinician_admin_hours_week"] == 9
    assert total(2)["compliance_share"] == pytest.approx(28 / 30)  # only A1 has a second round
    assert total(2)["stations"] == 1
    assert total(ql.LATEST, "Alfa")["compliance_share"] == pytest.approx((28 + 15) / 50)
    # Group G1 over the latest rounds: A1 12+1+8 (owner 20), A2 20 (owner 15), B1 16 (owner 16).
    g1 = ql.unit_compliance(tiny_db, ql.LATEST).filter(pl.col("task_group") == "G1").row(0, named=True)
    assert g1["compliance_share"] == pytest.approx(51 / 57)
    clin = ql.unit_clinician(tiny_db)
    assert (clin.value, clin.reference, clin.delta) == (6, 9, -3)


def test_heatmap_scope_rounds_and_totals(tiny_db: Path) -> None:
    manager = Scope("esihenkilo", frozenset({"A1"}))
    heat = ql.heatmap(tiny_db, manager, ql.LATEST)
    assert set(heat["station_id"].to_list()) == {"A1"}
    assert set(heat["mapping_date"].to_list()) == {A1_R2}
    assert ql.heatmap(tiny_db, EVERYONE, 2)["station_id"].unique().to_list() == ["A1"]
    cells = ql.heatmap_table(tiny_db, manager, ql.LATEST, "Alfa", region_label="Koko alue", all_groups_label="Kaikki")
    rows = cells.select("row_label", "row_kind").unique(maintain_order=True).rows()
    assert rows == [("Koko alue", "total"), ("Alfa", "total"), ("Aasema", "station")]
    all_col = cells.filter((cells["group_label"] == "Kaikki") & (cells["row_label"] == "Aasema"))
    assert all_col["compliance_share"][0] == pytest.approx(28 / 30)
    wide = ql.heatmap_wide(cells)
    assert wide.columns == ["row_label", "Kaikki", "G1", "G2"]
    assert wide.row(2)[0] == "Aasema"
    assert wide.row(2)[1:] == pytest.approx((28 / 30, 20 / 21, 8 / 9))


def test_station_round_and_rounds_by_station(tiny_db: Path) -> None:
    latest = ql.station_round(tiny_db, EVERYONE, "A1", ql.LATEST)
    assert latest["compliance_share"] == pytest.approx(28 / 30)
    assert latest["previous_compliance_share"] == pytest.approx(0.8)
    assert latest["change_from_previous"] == pytest.approx(28 / 30 - 0.8)
    assert ql.station_round(tiny_db, EVERYONE, "A2", 2) is None
    with pytest.raises(PermissionError):
        ql.station_round(tiny_db, Scope("esihenkilo", frozenset({"A2"})), "A1", ql.LATEST)
    rounds = ql.rounds_by_station(tiny_db, EVERYONE, "Alfa")
    a1 = rounds.filter(rounds["station_id"] == "A1")
    assert a1["round_no"].to_list() == [1, 2]
    assert a1["change_from_previous"].to_list() == [None, pytest.approx(28 / 30 - 0.8)]
    assert rounds.filter(rounds["station_id"] == "A2")["change_from_previous"].to_list() == [None]
    assert "B1" not in rounds["station_id"].to_list()


def test_clinician_hours_first_and_latest(tiny_db: Path) -> None:
    hours = {r["station_id"]: r for r in ql.clinician_hours(tiny_db, EVERYONE).iter_rows(named=True)}
    assert (hours["A1"]["first_hours_week"], hours["A1"]["latest_hours_week"], hours["A1"]["change_hours_week"]) == (
        4, 1, -3)
    assert (hours["A1"]["first_mapping_date"], hours["A1"]["latest_mapping_date"]) == (A1_R1, A1_R2)
    assert (hours["A2"]["first_hours_week"], hours["A2"]["latest_hours_week"], hours["A2"]["rounds"]) == (5, 5, 1)
    assert set(ql.clinician_hours(tiny_db, Scope("esihenkilo", frozenset({"B1"})))["station_id"]) == {"B1"}


def test_misplaced_tasks_with_change(tiny_db: Path) -> None:
    latest = ql.misplaced(tiny_db, EVERYONE, "A1", ql.LATEST)
    got = {(r["task_id"], r["performer_role"]): (r["hours_week"], r["previous_hours_week"], r["change_from_previous"])
           for r in latest.iter_rows(named=True)}
    assert got == {
        ("T1", "sairaanhoitaja"): (1, 4, -3),
        ("T3", "toimistosihteeri"): (1, 0, 1),  # new in round 2
        ("T2", "toimistosihteeri"): (0, 2, -2),  # moved back to the owner
    }
    assert set(latest["mapping_date"].to_list()) == {A1_R2}
    first = ql.misplaced(tiny_db, EVERYONE, "A1", 1)
    assert {(r["task_id"], r["hours_week"], r["change_from_previous"]) for r in first.iter_rows(named=True)} == {
        ("T1", 4, None), ("T2", 2, None)}
    assert ql.misplaced(tiny_db, EVERYONE, "A1", 3).is_empty()
    assert ql.misplaced(tiny_db, EVERYONE, "B1", ql.LATEST).is_empty()
    by_role = {r["performer_role"]: (r["hours_week"], r["previous_hours_week"], r["change_from_previous"])
               for r in ql.misplaced_by_role(latest).iter_rows(named=True)}
    assert by_role == {"sairaanhoitaja": (1, 4, -3), "toimistosihteeri": (1, 2, -1)}
    with pytest.raises(PermissionError):
        ql.misplaced(tiny_db, Scope("esihenkilo", frozenset({"B1"})), "A1", ql.LATEST)


def test_page_on_tiny_warehouse(make_app, tiny_db: Path) -> None:
    at = page(make_app, tiny_db)
    assert fi_number(metric(at, REGION).value) == 90.0  # 63 / 70
    at.selectbox(key="f_station").set_value("A1").run()
    m = metric(at, "Työnjaon toteutuma, Aasema")
    assert (fi_number(m.value), fi_number(m.delta)) == (93.3, 13.3)
    tasks = frame_with(at, "Vastuurooli")
    moved = tasks[tasks["Tehtävä"] == "Arkistointi"].iloc[0]
    assert (moved["Tekijä"], moved["Tunnit (h/vko)"], moved["Muutos (h/vko)"]) == ("toimistosihteeri", "0,0", "−2,0")
    at.selectbox(key="f_station").set_value("A2").run()
    at.selectbox(key="f_round").set_value(2).run()
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any("Ahvenaseman asema" in text and "2. kierros" in text for text in infos), infos
