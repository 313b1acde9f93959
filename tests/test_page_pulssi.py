"""Pulssi page: query-layer functions on a tiny hand-made warehouse, and the page itself on the demo warehouse.

Expected figures are computed by hand (tiny warehouse) or read straight from the marts with duckdb (demo),
never through the query layer under test.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path

import page_helpers
import pyarrow as pa
import pytest
from page_helpers import csv_bytes, metrics, sql

from dashboard import fmt, present
from dashboard import queries_pulssi as qp
from dashboard.access import Scope
from dashboard.i18n import t
from etl.load import InputFile, load

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/pulssi.py"

# This file's page, opened in the shared ways.
page_alone = partial(page_helpers.page_alone, page=PAGE)

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
ALL = Scope("johto")
MANAGER_A1 = Scope("esihenkilo", frozenset({"A1"}))


# --- a tiny warehouse whose figures are computed by hand ------------------------------------------------


def _responses(rows: list[tuple[object, ...]], month: str, station: str, q1: list[int], enps: list[int],
               comments: tuple[str, ...] = ()) -> None:
    for i, (a, b) in enumerate(zip(q1, enps, strict=True)):
        comment = comments[i] if i < len(comments) else ""
        rows.append((month, f"{station}-{month.replace('/', '-')}-{i}", station, "toimistosihteeri", a, b, comment))


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two municipalities; every respondent a secretary (so role groups add no extra suppression).

    January: A1 6 responses, A2 10, B1 3, B2 3 (B1 and B2 under k = 5, together 6). February: A1 4, A2 10.
    Headcounts every month: A1 8, A2 20, B1 4, B2 4 (region 36).
    """
    asemat = [
        ("asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"),
        ("A1", "Asema Yksi", "Station Ett", "Kunta1", 1, "1.1.2025", "15.1.2025"),
        ("A2", "Asema Kaksi", "", "Kunta1", 1, "1.1.2025", ""),
        ("B1", "Asema Bee", "", "Kunta2", 2, "1.1.2099", ""),
        ("B2", "Asema Bee Kaksi", "", "Kunta2", 2, "1.1.2099", ""),
    ]
    kysymykset = [
        ("kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min", "asteikko_max", "tavoite"),
        ("q1", "Kysymys yksi", "Fråga ett", "likert", 1, 5, 1),
        ("enps", "Suosittelisitko", "", "enps", 0, 10, ""),
    ]
    staff: list[tuple[object, ...]] = [
        ("kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv",
         "muu_poissaolo_pv"),
    ]
    for month in ("1/2025", "2/2025"):
        for station, n in (("A1", 8), ("A2", 20), ("B1", 4), ("B2", 4)):
            staff += [(month, f"{station}-{i}", station, "toimistosihteeri", 100, "vakinainen", 0, 0) for i in range(n)]
    pulssi: list[tuple[object, ...]] = [("kuukausi", "vastaus_id", "asema_id", "rooli", "q1", "enps", "kommentti")]
    _responses(pulssi, "1/2025", "A1", [5, 4, 4, 3, 2, 2], [10, 9, 8, 7, 6, 0], ("Salainen kommentti",))
    _responses(pulssi, "1/2025", "A2", [5, 5, 5, 4, 4, 4, 3, 3, 2, 1], [10, 10, 10, 9, 8, 8, 7, 5, 3, 1],
               ("Hyvä kuukausi", "Kiirettä riittää"))
    _responses(pulssi, "1/2025", "B1", [1, 2, 3], [0, 0, 10])
    _responses(pulssi, "1/2025", "B2", [5, 5, 5], [10, 10, 10])
    _responses(pulssi, "2/2025", "A1", [5, 5, 4, 4], [10, 10, 10, 10])
    _responses(pulssi, "2/2025", "A2", [5, 5, 4, 4, 4, 4, 4, 4, 3, 3], [9] * 10)
    path = tmp_path_factory.mktemp("tiny_pulssi") / "w.duckdb"
    result = load(
        [InputFile("asemat.csv", csv_bytes(asemat)), InputFile("kysymykset.csv", csv_bytes(kysymykset)),
         InputFile("henkilosto.csv", csv_bytes(staff)), InputFile("pulssi.csv", csv_bytes(pulssi))],
        db=path,
    )
    assert result.ok, result.problem_lines()
    return path


def _row(df, **where):  # noqa: ANN001, ANN202 - small test helper
    for key, value in where.items():
        df = df.filter(df[key] == value)
    assert df.height == 1, (where, df)
    return df.row(0, named=True)


def test_question_trend_region_and_station(tiny_db: Path) -> None:
    trend = qp.question_trend(tiny_db, ALL, "q1", "Kunta1", "A1")
    assert set(trend["series"]) == {"region", "unit"}
    # Region: January (20 + 36 + 6 + 15) / 22 = 3.5; February (18 + 40) / 14.
    assert _row(trend, series="region", month=JAN)["value"] == pytest.approx(3.5)
    assert _row(trend, series="region", month=FEB)["value"] == pytest.approx(58 / 14)
    # A1: January (5 + 4 + 4 + 3 + 2 + 2) / 6; February only 4 respondents: suppressed, never a number.
    assert _row(trend, series="unit", month=JAN)["value"] == pytest.approx(20 / 6)
    feb = _row(trend, series="unit", month=FEB)
    assert feb["suppressed"] and feb["value"] is None and feb["reason"] == present.SMALL and feb["respondents"] == 4
    # A2 has 10 respondents in February but is hidden so that A1 cannot be worked out from Kunta1 − A2.
    a2 = _row(qp.question_trend(tiny_db, ALL, "q1", None, "A2"), series="unit", month=FEB)
    assert a2["suppressed"] and a2["value"] is None and a2["reason"] == present.SECONDARY


def test_question_trend_region_only_and_enps(tiny_db: Path) -> None:
    trend = qp.question_trend(tiny_db, ALL, "enps")
    assert set(trend["series"]) == {"region"}
    # January promoters 2 + 4 + 1 + 3 = 10, detractors 2 + 3 + 2 + 0 = 7 of 22; February all 9–10.
    assert _row(trend, month=JAN)["value"] == pytest.approx(100 * 3 / 22)
    assert _row(trend, month=FEB)["value"] == pytest.approx(100.0)
    a2 = qp.question_trend(tiny_db, ALL, "enps", None, "A2")
    assert _row(a2, series="unit", month=JAN)["value"] == pytest.approx(10.0)  # 4 promoters − 3 detractors of 10


def test_month_value_and_delta(tiny_db: Path) -> None:
    trend = qp.question_trend(tiny_db, ALL, "q1", None, "A1")
    region = qp.month_value(trend, "region", FEB)
    assert region.value == pytest.approx(58 / 14) and region.delta == pytest.approx(58 / 14 - 3.5)
    unit = qp.month_value(trend, "unit", FEB)
    assert unit.suppressed and unit.value is None and unit.delta is None and unit.reason == present.SMALL
    first = qp.month_value(trend, "unit", JAN)
    assert first.value == pytest.approx(20 / 6) and first.delta is None
    assert not qp.month_value(trend, "unit", date(2025, 3, 1)).present


def test_station_comparison(tiny_db: Path) -> None:
    comp = qp.station_comparison(tiny_db, ALL, JAN)
    assert sorted(comp["station_id"]) == ["A1", "A2", "B1", "B2"]  # likert questions only
    assert set(comp["question_id"]) == {"q1"}
    assert _row(comp, station_id="A1")["difference"] == pytest.approx(20 / 6 - 3.5)
    assert _row(comp, station_id="A2")["difference"] == pytest.approx(3.6 - 3.5)
    assert _row(comp, station_id="A2")["region_mean"] == pytest.approx(3.5)
    b1 = _row(comp, station_id="B1")
    assert b1["suppressed"] and b1["mean_score"] is None and b1["difference"] is None and b1["reason"] == present.SMALL
    assert sorted(qp.station_comparison(tiny_db, ALL, JAN, "Kunta2")["station_id"]) == ["B1", "B2"]
    assert qp.station_comparison(tiny_db, ALL, JAN, role_group="kliiniset").is_empty()
    assert qp.station_comparison(tiny_db, MANAGER_A1, JAN)["station_id"].to_list() == ["A1"]
    assert _row(qp.station_comparison(tiny_db, ALL, JAN, lang="sv"), station_id="A1")["name"] == "Station Ett"


def test_station_participation(tiny_db: Path) -> None:
    part = qp.station_participation(tiny_db, ALL, JAN)
    expected = {"A1": (6, 8, 0.75), "A2": (10, 20, 0.5), "B1": (3, 4, 0.75), "B2": (3, 4, 0.75)}
    got = {
        r["station_id"]: (r["responses"], r["headcount"], r["participation_rate"]) for r in part.iter_rows(named=True)
    }
    assert got == expected  # participation stays visible for the suppressed B1 and B2
    assert part["region_participation_rate"].unique().to_list() == [pytest.approx(22 / 36)]
    feb = qp.station_participation(tiny_db, MANAGER_A1, FEB)
    assert feb["station_id"].to_list() == ["A1"] and feb["participation_rate"][0] == pytest.approx(4 / 8)
    # In February only A1 and A2 answered: for A1's manager the region total is A2's figure by subtraction, so it is
    # hidden (dashboard/scope.py); in January (four stations answered) the manager sees it.
    assert feb["region_participation_rate"][0] is None
    jan = qp.station_participation(tiny_db, MANAGER_A1, JAN)
    assert jan["region_participation_rate"][0] == pytest.approx(22 / 36)


def test_unit_figures(tiny_db: Path) -> None:
    a1 = qp.unit_figures(tiny_db, ALL, JAN, "Kunta1", "A1")
    assert a1["question_id"].to_list() == ["q1", "enps"]
    q1, enps = a1.row(0, named=True), a1.row(1, named=True)
    assert q1["mean_score"] == pytest.approx(20 / 6) and q1["favourable_share"] == pytest.approx(0.5)
    assert q1["respondents"] == 6 and q1["participation_rate"] == pytest.approx(0.75) and not q1["suppressed"]
    assert enps["enps"] == pytest.approx(0.0) and enps["mean_score"] is None
    muni = qp.unit_figures(tiny_db, ALL, JAN, "Kunta2")
    assert _row(muni, question_id="q1")["mean_score"] == pytest.approx(21 / 6)  # B1 + B2 together: 6 people
    hidden = qp.unit_figures(tiny_db, ALL, FEB, None, "A1")
    assert hidden["suppressed"].all() and hidden["mean_score"].is_null().all() and hidden["enps"].is_null().all()
    assert set(hidden["reason"]) == {present.SMALL}


def test_unit_comments(tiny_db: Path) -> None:
    a2 = qp.unit_comments(tiny_db, ALL, JAN, None, "A2")
    assert a2.status == "shown" and sorted(a2.comments["comment"]) == ["Hyvä kuukausi", "Kiirettä riittää"]
    assert a2.comments.columns == ["comment"]  # no role, person or time
    a1 = qp.unit_comments(tiny_db, ALL, JAN, None, "A1")
    assert a1.status == "too_few" and a1.responses == 6 and a1.comments.is_empty() and a1.minimum == 10
    region = qp.unit_comments(tiny_db, ALL, JAN)
    assert region.status == "shown" and region.comments.height == 3 and region.responses == 22
    assert qp.unit_comments(tiny_db, ALL, FEB, None, "A2").status == "none"
    assert qp.unit_comments(tiny_db, ALL, FEB, None, "B1").status == "no_responses"


def test_scope_is_enforced(tiny_db: Path) -> None:
    with pytest.raises(PermissionError):
        qp.question_trend(tiny_db, MANAGER_A1, "q1", None, "A2")
    with pytest.raises(PermissionError):
        qp.unit_figures(tiny_db, MANAGER_A1, JAN, None, "B1")
    with pytest.raises(PermissionError):
        qp.unit_comments(tiny_db, MANAGER_A1, JAN, None, "A2")
    # Region and municipality totals stay visible to a station manager.
    assert _row(qp.unit_figures(tiny_db, MANAGER_A1, JAN), question_id="q1")["mean_score"] == pytest.approx(3.5)
    assert qp.pulssi_months(tiny_db) == [JAN, FEB]
    assert qp.enps_question(tiny_db) == "enps"


# --- the page on the demo warehouse -----------------------------------------------------------------------


def _latest_month(db: Path) -> date:
    query = "SELECT max(month) FROM (SELECT month FROM mart_workload UNION SELECT month FROM mart_pulssi)"
    return sql(db, query)[0][0]


def _frames(at) -> list:  # noqa: ANN001
    return [df.value for df in at.dataframe]


def _unit_table(at):  # noqa: ANN001, ANN202
    found = [df for df in _frames(at) if t("pulssi.column.favourable") in df.columns]
    assert len(found) == 1
    return found[0]


def _chart_rows(at) -> list[list[dict]]:  # noqa: ANN001
    out = []
    for chart in at.get("vega_lite_chart"):
        rows: list[dict] = []
        for dataset in chart.proto.datasets:
            rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
        out.append(rows)
    return out


def _texts(at) -> str:  # noqa: ANN001
    parts = [e.value for e in (*at.info, *at.caption, *at.markdown, *at.subheader)]
    return "\n".join(str(p) for p in parts)


def _open(make_app, db: Path, **kw):  # noqa: ANN001, ANN202
    at = make_app(db, page=PAGE, **kw)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_on_empty_warehouse(make_app, empty_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, empty_db)
    assert t("pulssi.empty") in [i.value for i in at.info]
    assert "Tiedot-sivulla" in t("pulssi.empty")
    assert not at.get("vega_lite_chart") and not at.dataframe


def test_page_region_figures_equal_the_mart(make_app, demo_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, demo_db)
    month = _latest_month(demo_db)
    assert len(at.get("vega_lite_chart")) >= 4  # trend, stations × questions, participation, eNPS
    responses, rate = sql(demo_db, """
        SELECT max(responses), max(participation_rate) FROM mart_pulssi
        WHERE month = ? AND municipality IS NULL AND station_id IS NULL AND role_group IS NULL""", [month])[0]
    enps = sql(demo_db, """
        SELECT enps FROM mart_pulssi WHERE month = ? AND municipality IS NULL AND station_id IS NULL
        AND role_group IS NULL AND question_type = 'enps'""", [month])[0][0]
    region = t("filter.region")
    shown_metrics = metrics(at)
    assert shown_metrics[t("pulssi.metric.participation", unit=region)] == fmt.percent(rate, 0)
    assert shown_metrics[t("pulssi.metric.responses", unit=region)] == fmt.integer(responses)
    assert shown_metrics[t("pulssi.metric.enps_region")] == fmt.number(enps, 0)
    # The unit table: each question's mean as the mart holds it, rounded to two decimals.
    table = _unit_table(at)
    means = dict(sql(demo_db, """
        SELECT q.text_fi, p.mean_score FROM mart_pulssi p JOIN stg_questions q USING (question_id)
        WHERE p.month = ? AND p.municipality IS NULL AND p.station_id IS NULL AND p.role_group IS NULL
        AND p.question_type = 'likert'""", [month]))
    shown = dict(zip(table[t("pulssi.column.question")], table[t("pulssi.column.mean")], strict=True))
    assert {q: shown[q] for q in means} == {q: fmt.number(v, 2) for q, v in means.items()}
    # The region shows every pool of the month (each comment sits in exactly one pool).
    n_comments = sql(demo_db, """SELECT count(*) FROM mart_pulssi_comments WHERE month = ?""", [month])[0][0]
    comment_tables = [df for df in _frames(at) if t("pulssi.column.comment") in df.columns]
    assert n_comments > 0 and len(comment_tables) == 1 and len(comment_tables[0]) == n_comments


def test_filters_change_the_figures(make_app, demo_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, demo_db)
    month = _latest_month(demo_db)
    before = metrics(at)
    station, name = "ESP-ISO", "Ison Omenan terveysasema"
    at.selectbox(key="f_station").set_value(station).run()
    assert not at.exception
    rate, responses = sql(demo_db, """SELECT max(participation_rate), max(responses) FROM mart_pulssi
        WHERE month = ? AND station_id = ? AND role_group IS NULL""", [month, station])[0]
    enps = sql(demo_db, """SELECT enps FROM mart_pulssi WHERE month = ? AND station_id = ? AND role_group IS NULL
        AND question_type = 'enps'""", [month, station])[0][0]
    shown_metrics = metrics(at)
    assert shown_metrics[t("pulssi.metric.participation", unit=name)] == fmt.percent(rate, 0)
    assert shown_metrics[t("pulssi.metric.responses", unit=name)] == fmt.integer(responses)
    assert shown_metrics[t("pulssi.metric.enps_unit", unit=name)] == fmt.number(enps, 0)
    assert shown_metrics != before
    # The trend now has the station's line beside the region's.
    trend_labels = {r.get("series_label") for r in _chart_rows(at)[0]}
    assert trend_labels == {t("filter.region"), name}
    # An earlier month: the region's eNPS of that month.
    earlier = date(month.year - 1, month.month, 1)
    at.selectbox(key="f_month").set_value(earlier).run()
    enps_then = sql(demo_db, """SELECT enps FROM mart_pulssi WHERE month = ? AND municipality IS NULL
        AND station_id IS NULL AND role_group IS NULL AND question_type = 'enps'""", [earlier])[0][0]
    assert metrics(at)[t("pulssi.metric.enps_region")] == fmt.number(enps_then, 0)
    # A role group: the station's secretaries only.
    at.selectbox(key="f_role_group").set_value("sihteerit").run()
    rate_sec = sql(demo_db, """SELECT max(participation_rate) FROM mart_pulssi
        WHERE month = ? AND station_id = ? AND role_group = 'sihteerit'""", [earlier, station])[0][0]
    assert metrics(at)[t("pulssi.metric.participation", unit=name)] == fmt.percent(rate_sec, 0)


def test_suppressed_group_is_shown_as_suppressed(make_app, demo_db: Path) -> None:  # noqa: ANN001
    month = _latest_month(demo_db)
    station, name, respondents = sql(demo_db, """
        SELECT p.station_id, r.name_fi, max(p.respondents) FROM mart_pulssi p JOIN mart_rollout r USING (station_id)
        WHERE p.month = ? AND p.role_group IS NULL AND p.suppressed AND p.respondents BETWEEN 1 AND 4
        GROUP BY ALL ORDER BY 1 LIMIT 1""", [month])[0]
    at = _open(make_app, demo_db, state={"f_station": station})
    assert at.selectbox(key="f_station").value == station
    small = t("suppression.small_group", k=5)
    assert small.startswith("alle 5 vastaajaa")
    # eNPS of the station: "piilotettu" with the reason, never a number.
    enps_metric = next(m for m in at.metric if m.label == t("pulssi.metric.enps_unit", unit=name))
    assert enps_metric.value == t("pulssi.suppressed_short")
    assert enps_metric.proto.help == small
    # Unit table: every score empty ("–") and the reason in the privacy column; respondents stay visible.
    table = _unit_table(at)
    assert set(table[t("pulssi.column.mean")]) == {fmt.MISSING}
    assert set(table[t("pulssi.column.enps")]) == {fmt.MISSING}
    assert set(table[t("pulssi.column.privacy")]) == {small}
    assert set(table[t("pulssi.column.respondents")]) <= {str(n) for n in range(1, 5)}
    assert str(respondents) in set(table[t("pulssi.column.respondents")])
    # Stations × questions chart: the station's cells carry no score and say why.
    comparison = next(rows for rows in _chart_rows(at) if rows and "difference" in rows[0])
    cells = [r for r in comparison if r["name"] == name]
    assert cells and all(r["mean_score"] is None and r["difference"] is None for r in cells)
    assert {r["privacy"] for r in cells} == {small}
    # Trend: the month is a gap in the station's line, and a marker in the "Piilotettu" strip says why.
    trend = _chart_rows(at)[0]
    marker = [r for r in trend if r["series_label"] == name and r["month"] == month]
    assert marker and all(r["value"] is None and r["suppressed"] and r["privacy"] == small for r in marker)
    assert "Piilotettu" in json.dumps(json.loads(at.get("vega_lite_chart")[0].proto.spec), ensure_ascii=False)


def _other_names(db: Path, own: str) -> set[str]:
    return {r[0] for r in sql(db, "SELECT name_fi FROM mart_rollout WHERE station_id <> ?", [own])}


def _assert_only_own(at, db: Path, own: str) -> None:  # noqa: ANN001
    others = _other_names(db, own)
    own_name = sql(db, "SELECT name_fi FROM mart_rollout WHERE station_id = ?", [own])[0][0]
    for df in _frames(at):
        cells = {str(v) for col in df.columns for v in df[col].tolist()}
        assert not cells & others, cells & others
    for rows in _chart_rows(at):
        names = {r.get("name") for r in rows if "name" in r} | {r.get("series_label") for r in rows}
        assert not names & others, names & others
        assert not {r.get("station_id") for r in rows} - {None, own}
    station_frames = [df for df in _frames(at) if t("pulssi.column.station") in df.columns]
    assert station_frames and all(set(df[t("pulssi.column.station")]) == {own_name} for df in station_frames)


def test_station_manager_sees_only_own_station(
    make_app, demo_db: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    own, other = "ESP-ISO", "ESP-LEP"
    at = _open(make_app, demo_db, role="esihenkilo", station=own)
    _assert_only_own(at, demo_db, own)
    assert at.selectbox(key="f_station").options == [t("filter.all_stations"), "Ison Omenan terveysasema"]
    # A crafted widget value for another station is dropped, not shown.
    crafted = _open(make_app, demo_db, role="esihenkilo", station=own, state={"f_station": other})
    assert crafted.selectbox(key="f_station").value != other
    _assert_only_own(crafted, demo_db, own)
    assert "Leppävaaran terveysasema" not in _texts(crafted)
    # The page run on its own with the crafted value (so that no other page can have dropped it first).
    alone = page_alone(monkeypatch, demo_db, Scope("esihenkilo", frozenset({own})), {"f_station": other})
    assert alone.selectbox(key="f_station").value != other
    _assert_only_own(alone, demo_db, own)
    assert "Leppävaaran terveysasema" not in _texts(alone)
    # The own station chosen: its figures are shown.
    at.selectbox(key="f_station").set_value(own).run()
    assert not at.exception
    _assert_only_own(at, demo_db, own)
