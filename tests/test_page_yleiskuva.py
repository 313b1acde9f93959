"""Yleiskuva: renders on the demo and an empty warehouse; key figures equal values computed from the marts."""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

import pytest
from page_helpers import metrics, sql

from dashboard import fmt

PAGE = "pages/yleiskuva.py"


def _latest_month(db: Path) -> date:
    return sql(db, "SELECT max(month) FROM mart_workload", [])[0][0]


def _region_compliance(db: Path, month: date) -> float:
    """Σ compliant / Σ total over each station's latest round on or before the month's last day."""
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return sql(db, """
        WITH latest AS (SELECT station_id, max(mapping_date) AS d FROM mart_compliance
                        WHERE task_group IS NULL AND mapping_date <= ? GROUP BY station_id)
        SELECT sum(compliant_hours_week) / sum(total_hours_week) FROM mart_compliance c
        JOIN latest l ON l.station_id = c.station_id AND l.d = c.mapping_date WHERE c.task_group IS NULL""",
        [end])[0][0]


def test_renders_and_key_figures_equal_the_marts(make_app, demo_db: Path) -> None:
    at = make_app(demo_db, role="johto")
    assert not at.exception, [e.value for e in at.exception]
    month = _latest_month(demo_db)
    shown = metrics(at)
    end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    live, total = sql(demo_db, "SELECT count(*) FILTER (WHERE go_live <= ?), count(*) FROM mart_rollout", [end])[0]
    assert shown["Asemia uudessa työnjaossa"] == f"{live} / {total}"
    assert shown["Työnjaon toteutuma"] == fmt.percent(_region_compliance(demo_db, month))
    sick = sql(demo_db, """SELECT sick_leave_rate FROM mart_sick_leave WHERE month = ? AND municipality IS NULL
                            AND station_id IS NULL AND role_group IS NULL""", [month])[0][0]
    assert shown["Sairauspoissaolot"] == fmt.percent(sick)
    index, participation = sql(demo_db, """
        SELECT avg(mean_score) FILTER (WHERE question_type = 'likert'), max(participation_rate) FROM mart_pulssi
        WHERE month = ? AND municipality IS NULL AND station_id IS NULL AND role_group IS NULL""", [month])[0]
    assert shown["Pulssi-indeksi (1–5)"] == fmt.number(index, 2)
    assert shown["Pulssiin vastanneet"] == fmt.percent(participation, 0)
    assert len(at.get("vega_lite_chart")) >= 4


def test_an_earlier_month_changes_the_figures(make_app, demo_db: Path) -> None:
    months = [r[0] for r in sql(demo_db, "SELECT DISTINCT month FROM mart_workload ORDER BY 1 DESC", [])]
    latest = make_app(demo_db, role="johto")
    earlier = make_app(demo_db, role="johto", state={"f_month": months[6]})
    assert metrics(earlier)["Työnjaon toteutuma"] == fmt.percent(_region_compliance(demo_db, months[6]))
    assert metrics(earlier) != metrics(latest)


@pytest.mark.parametrize("role", ["johto", "projektipaallikko"])
def test_renders_on_an_empty_warehouse(make_app, empty_db: Path, role: str) -> None:
    at = make_app(empty_db, role=role)
    assert not at.exception, [e.value for e in at.exception]
    assert any("henkilöstö- eikä Pulssi-tietoja" in i.value for i in at.info)
