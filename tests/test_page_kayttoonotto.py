"""Käyttöönotto page: query-layer functions on a tiny hand-made warehouse, and the page on the demo warehouse.

Expected values are computed by hand (tiny warehouse) or counted straight from the marts with duckdb (demo).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import page_helpers
import pyarrow as pa
import pytest
from page_helpers import csv_bytes, metrics, sql

from dashboard import fmt
from dashboard import queries_rollout as qr
from dashboard.access import Scope
from dashboard.i18n import t
from etl.load import InputFile, load

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/kayttoonotto.py"

# This file's page, opened in the shared ways.
page_alone = partial(page_helpers.page_alone, page=PAGE)

ALL = Scope("projektipaallikko")
MANAGER_A1 = Scope("esihenkilo", frozenset({"A1"}))


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five stations: A1 live (14 days late), A2 delayed, B1 and B2 planned for 2099, C1 without dates."""
    asemat = [
        ("asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"),
        ("A1", "Asema Yksi", "Station Ett", "Kunta1", 1, "1.1.2025", "15.1.2025"),
        ("A2", "Asema Kaksi", "", "Kunta1", 1, "1.1.2025", ""),
        ("B1", "Asema Bee", "", "Kunta2", 2, "1.1.2099", ""),
        ("B2", "Asema Bee Kaksi", "", "Kunta2", 2, "2.1.2099", ""),
        ("C1", "Asema Cee", "", "Kunta2", "", "", ""),
    ]
    loki = [
        ("avattu", "asema_id", "aihe", "tila", "ratkaistu"),
        ("1.1.2025", "A1", "Aihe yksi", "avoin", ""),
        ("1.2.2025", "A2", "Aihe kaksi", "ratkaistu", "11.2.2025"),
        ("1.3.2025", "", "Yleinen aihe", "avoin", ""),
        ("1.1.2025", "B1", "Aihe kolme", "ratkaistu", "21.1.2025"),
        ("5.1.2025", "A2", "Aihe neljä", "ratkaistu", "4.2.2025"),
    ]
    path = tmp_path_factory.mktemp("tiny_rollout") / "w.duckdb"
    result = load([InputFile("asemat.csv", csv_bytes(asemat)), InputFile("kysymysloki.csv", csv_bytes(loki))], db=path)
    assert result.ok, result.problem_lines()
    return path


def test_status_table(tiny_db: Path) -> None:
    table = qr.status_table(tiny_db, ALL)
    # By wave, then planned date, then name ("Asema Kaksi" before "Asema Yksi"); no wave last.
    assert table["station_id"].to_list() == ["A2", "A1", "B1", "B2", "C1"]
    rows = {r["station_id"]: r for r in table.iter_rows(named=True)}
    assert [rows[s]["status"] for s in ("A1", "A2", "B1", "C1")] == ["käytössä", "viivästynyt", "suunniteltu",
                                                                     "ei aloitettu"]
    assert rows["A1"]["delay_days"] == 14
    assert rows["A2"]["delay_days"] == (date.today() - date(2025, 1, 1)).days
    assert rows["B1"]["delay_days"] is None and rows["C1"]["delay_days"] is None
    assert (rows["A1"]["open_questions"], rows["A1"]["resolved_questions"]) == (1, 0)
    # A2: two resolved questions, 10 and 30 days → median 20.
    assert (rows["A2"]["open_questions"], rows["A2"]["resolved_questions"]) == (0, 2)
    assert rows["A2"]["median_days_to_resolve"] == pytest.approx(20)
    assert qr.status_table(tiny_db, ALL, "Kunta2")["station_id"].to_list() == ["B1", "B2", "C1"]
    assert qr.status_table(tiny_db, MANAGER_A1)["station_id"].to_list() == ["A1"]
    assert qr.status_table(tiny_db, ALL, lang="sv")["name"].to_list()[:2] == ["Asema Kaksi", "Station Ett"]


def test_timeline(tiny_db: Path) -> None:
    tl = qr.timeline(tiny_db, ALL)
    got = [(r["station_id"], r["kind"], r["date"], r["segment_end"]) for r in tl.iter_rows(named=True)]
    today = date.today()
    assert got == [
        ("A2", "planned", date(2025, 1, 1), today),  # delayed: the line runs to today
        ("A1", "actual", date(2025, 1, 15), date(2025, 1, 15)),
        ("A1", "planned", date(2025, 1, 1), date(2025, 1, 15)),
        ("B1", "planned", date(2099, 1, 1), None),
        ("B2", "planned", date(2099, 1, 2), None),
    ]  # C1 has no dates and no point
    assert set(qr.timeline(tiny_db, MANAGER_A1)["station_id"]) == {"A1"}


def test_status_counts(tiny_db: Path) -> None:
    counts = qr.status_counts(tiny_db)
    region = {r["status"]: (r["stations"], r["open_questions"]) for r in counts.iter_rows(named=True)}
    assert region == {"käytössä": (1, 1), "viivästynyt": (1, 0), "suunniteltu": (2, 0), "ei aloitettu": (1, 0)}
    muni = qr.status_counts(tiny_db, "Kunta1")
    assert muni["status"].to_list() == list(qr.STATUSES)
    assert muni["stations"].to_list() == [1, 1, 0, 0]
    assert qr.region_wide_questions(tiny_db) == {"open": 1, "resolved": 0}


def test_question_log(tiny_db: Path) -> None:
    log = qr.question_log(tiny_db, ALL)
    # Open first, oldest first; then resolved, latest resolved first.
    assert log["topic"].to_list() == ["Aihe yksi", "Yleinen aihe", "Aihe kaksi", "Aihe neljä", "Aihe kolme"]
    ages = dict(zip(log["topic"], log["age_days"], strict=True))
    assert (ages["Aihe kaksi"], ages["Aihe neljä"], ages["Aihe kolme"]) == (10, 30, 20)
    assert ages["Aihe yksi"] == (date.today() - date(2025, 1, 1)).days
    assert log.filter(log["region_wide"])["topic"].to_list() == ["Yleinen aihe"]
    assert qr.question_log(tiny_db, MANAGER_A1)["topic"].to_list() == ["Aihe yksi", "Yleinen aihe"]
    assert qr.question_log(tiny_db, ALL, "Kunta2")["topic"].to_list() == ["Yleinen aihe", "Aihe kolme"]
    assert qr.question_log(tiny_db, ALL, None, "A2")["topic"].to_list() == ["Yleinen aihe", "Aihe kaksi",
                                                                           "Aihe neljä"]


def test_scope_is_enforced(tiny_db: Path) -> None:
    with pytest.raises(PermissionError):
        qr.status_table(tiny_db, MANAGER_A1, None, "B1")
    with pytest.raises(PermissionError):
        qr.question_log(tiny_db, MANAGER_A1, None, "A2")
    with pytest.raises(PermissionError):
        qr.timeline(tiny_db, MANAGER_A1, None, "A2")


# --- the page on the demo warehouse -----------------------------------------------------------------------


def _open(make_app, db: Path, **kw):  # noqa: ANN001, ANN202
    at = make_app(db, page=PAGE, **kw)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _expected_counts(db: Path, municipality: str | None = None) -> dict[str, str]:
    where, params = ("WHERE municipality = ?", [municipality]) if municipality else ("", [])
    counts = dict(sql(db, f"SELECT status, count(*) FROM mart_rollout {where} GROUP BY status", params))  # noqa: S608
    stations = [r[0] for r in sql(db, f"SELECT station_id FROM mart_rollout {where}", params)]  # noqa: S608
    open_q = sql(db, "SELECT count(*) FROM stg_question_log WHERE status = 'avoin' AND (station_id IS NULL "
                      "OR list_contains(?, station_id))", [stations])[0][0]
    out = {t(f"rollout_status.{s}"): fmt.integer(counts.get(s, 0)) for s in qr.STATUSES}
    out[t("rollout.metric.open_questions")] = fmt.integer(open_q)
    return out


def _table(at, column: str):  # noqa: ANN001, ANN202
    found = [df.value for df in at.dataframe if t(column) in df.value.columns]
    assert len(found) == 1
    return found[0]


def _status_table(at):  # noqa: ANN001, ANN202
    return _table(at, "rollout.column.planned")


def _question_table(at):  # noqa: ANN001, ANN202
    return _table(at, "rollout.column.topic")


def _chart_rows(at) -> list[dict]:  # noqa: ANN001
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    rows: list[dict] = []
    for dataset in charts[0].proto.datasets:
        rows += pa.ipc.open_stream(dataset.data.data).read_all().to_pylist()
    return rows


def test_page_on_empty_warehouse(make_app, empty_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, empty_db)
    assert t("rollout.empty") in [i.value for i in at.info]
    assert "Tiedot-sivulla" in t("rollout.empty")
    assert not at.get("vega_lite_chart") and not at.dataframe and not at.metric


def test_status_counts_equal_the_mart(make_app, demo_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, demo_db)
    assert metrics(at) == _expected_counts(demo_db)
    # The status table: every station of the mart, with its open questions.
    table = _status_table(at)
    mart = dict(sql(demo_db, "SELECT name_fi, open_questions FROM mart_rollout"))
    shown = dict(zip(table[t("rollout.column.station")], table[t("rollout.column.open_questions")], strict=True))
    assert shown == {name: str(n) for name, n in mart.items()}
    statuses = dict(sql(demo_db, "SELECT name_fi, status FROM mart_rollout"))
    shown_status = dict(zip(table[t("rollout.column.station")], table[t("rollout.column.status")], strict=True))
    assert shown_status == {name: t(f"rollout_status.{s}") for name, s in statuses.items()}
    # The timeline: one planned point per station with a planned date, one actual per live date.
    rows = _chart_rows(at)
    planned, actual = sql(demo_db, "SELECT count(planned_go_live), count(go_live) FROM mart_rollout")[0]
    assert sum(r["kind"] == "planned" for r in rows) == planned
    assert sum(r["kind"] == "actual" for r in rows) == actual
    # The question log: open questions first, as many as the log holds.
    log = _question_table(at)
    n_open, n_all = sql(demo_db, "SELECT count(*) FILTER (WHERE status = 'avoin'), count(*) FROM stg_question_log")[0]
    states = log[t("rollout.column.question_status")].tolist()
    assert len(states) == n_all
    assert states == [t("rollout.questions.open")] * n_open + [t("rollout.questions.resolved")] * (n_all - n_open)
    ages = [int(a) for a in log[t("rollout.column.age")].tolist()[:n_open]]
    assert ages == sorted(ages, reverse=True)


def test_municipality_filter_changes_the_counts(make_app, demo_db: Path) -> None:  # noqa: ANN001
    at = _open(make_app, demo_db)
    before = metrics(at)
    at.selectbox(key="f_municipality").set_value("Lohja").run()
    assert not at.exception
    assert metrics(at) == _expected_counts(demo_db, "Lohja") != before
    lohja = {r[0] for r in sql(demo_db, "SELECT name_fi FROM mart_rollout WHERE municipality = 'Lohja'")}
    assert set(_status_table(at)[t("rollout.column.station")]) == lohja
    assert {r["name"] for r in _chart_rows(at)} <= lohja


def test_station_manager_sees_only_own_station(
    make_app, demo_db: Path, monkeypatch: pytest.MonkeyPatch  # noqa: ANN001
) -> None:
    own, other = "ESP-KIL", "RAA-KRJ"
    own_name = sql(demo_db, "SELECT name_fi FROM mart_rollout WHERE station_id = ?", [own])[0][0]
    others = {r[0] for r in sql(demo_db, "SELECT name_fi FROM mart_rollout WHERE station_id <> ?", [own])}
    for state in (None, {"f_station": other}, "alone"):
        if state == "alone":  # the page run on its own with the crafted value, so no other page can drop it first
            at = page_alone(monkeypatch, demo_db, Scope("esihenkilo", frozenset({own})), {"f_station": other})
        else:
            at = _open(make_app, demo_db, role="esihenkilo", station=own, state=state)
        assert at.selectbox(key="f_station").value != other
        for df in at.dataframe:
            cells = {str(v) for col in df.value.columns for v in df.value[col].tolist()}
            assert not cells & others, cells & others
        assert set(_status_table(at)[t("rollout.column.station")]) == {own_name}
        assert {r["name"] for r in _chart_rows(at)} == {own_name}
        # Own questions and region-wide ones only.
        log = _question_table(at)
        assert set(log[t("rollout.column.station")]) == {own_name, t("rollout.questions.region_wide")}
        n_log = sql(demo_db, "SELECT count(*) FROM stg_question_log WHERE station_id = ? OR station_id IS NULL",
                     [own])[0][0]
        assert len(log) == n_log
        # The municipality / region counts stay visible.
        assert metrics(at) == _expected_counts(demo_db)
