"""Helpers of the page tests (tests/test_page_*.py): read the warehouse, read what an AppTest shows, open a page."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import Scope
from dashboard.auth import Session

ROOT = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"

# An app of one page: app.py's session decision, then only that page in the navigation.
ONLY_THIS_PAGE = """
import streamlit as st
from dashboard import ui
st.session_state["_session"] = ui.session_for_run(ui.db_path())
st.navigation([st.Page({page!r}, default=True)]).run()
"""


def sql(db: Path, query: str, params: list[object] | None = None) -> list[tuple]:
    """Rows of a read-only query on the warehouse file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).fetchall()
    finally:
        con.close()


def csv_bytes(rows: list[tuple[object, ...]]) -> bytes:
    """Rows as a semicolon CSV file, the first row being the header."""
    return ("\n".join(";".join(str(c) for c in row) for row in rows) + "\n").encode()


def fi_number(text: str) -> float:
    """A Finnish-formatted figure ("1 234,56", "−0,02", "12,7 %", "+3,1 %-yks.", "323 h/vko") as a float."""
    cleaned = text.replace("%-yks.", "").replace("h/vko", "").replace(NBSP, "").replace(" ", "").replace("%", "")
    return float(cleaned.replace("\u2212", "-").replace(",", "."))


def half_up(x: float, decimals: int = 0) -> float:
    """Rounding as the pages show figures (half away from zero: 328,5 → 329), not Python's half-to-even."""
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def metric(at: AppTest, label: str) -> Any:  # noqa: ANN401 - an AppTest Metric element
    """The one metric with this label."""
    hits = [m for m in at.metric if m.label == label]
    assert hits, f"no metric {label!r}; metrics: {[m.label for m in at.metric]}"
    return hits[0]


def metric_value(at: AppTest, label: str) -> str:
    """The shown value of the metric with this label."""
    return metric(at, label).value


def metrics(at: AppTest) -> dict[str, str]:
    """Every metric's label and shown value."""
    return {m.label: m.value for m in at.metric}


def table_strings(at: AppTest) -> set[str]:
    """Every cell and header of every dataframe shown on the page."""
    out: set[str] = set()
    for df in at.dataframe:
        frame = df.value
        out |= {str(c) for c in frame.columns}
        for col in frame.columns:
            out |= {str(v) for v in frame[col].tolist()}
    return out


def chart_text(at: AppTest) -> str:
    """The specs and the string values of every chart's datasets, as one text."""
    parts: list[str] = []
    for chart in at.get("vega_lite_chart"):
        parts.append(chart.proto.spec)
        for ds in chart.proto.datasets:
            table = pa.ipc.open_stream(ds.data.data).read_all()
            for name in table.column_names:
                parts += [str(v) for v in table.column(name).to_pylist()]
    return "\n".join(parts)


def other_station_strings(db: Path, own: str) -> set[str]:
    """Ids and names of every station but `own`: none of them may show for a manager of `own`."""
    rows = sql(db, "SELECT station_id, name_fi, name_sv FROM mart_rollout WHERE station_id <> ?", [own])
    return {v for row in rows for v in row if v}


def open_page(make_app: Any, db: Path, *, page: str, **kwargs: object) -> AppTest:  # noqa: ANN401
    """The page through app.py (conftest's make_app), with no exception shown."""
    at = make_app(db, page=page, **kwargs)
    assert not at.exception, [e.value for e in at.exception]
    return at


def first_run_on_page(monkeypatch: pytest.MonkeyPatch, db: Path, role: str, station: str | None = None, *,
                      page: str, **state: object) -> AppTest:
    """An app of this page alone, with the given session state before its very first run (make_app runs the
    default page first, whose filters would already drop a crafted value before this page sees it)."""
    monkeypatch.setenv("TYONJAKO_DB", str(db))
    monkeypatch.setenv("TYONJAKO_NO_AUTO_DEMO", "1")
    at = AppTest.from_string(ONLY_THIS_PAGE.format(page=str(ROOT / page)), default_timeout=90)
    at.session_state["demo_role"] = role
    if station:
        at.session_state["demo_station"] = station
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def page_alone(monkeypatch: pytest.MonkeyPatch, db: Path, scope: Scope, state: dict[str, object], *,
               page: str) -> AppTest:
    """The page script alone, with the scope app.py would decide and crafted session state, run once."""
    monkeypatch.setenv("TYONJAKO_DB", str(db))
    monkeypatch.setenv("TYONJAKO_NO_AUTO_DEMO", "1")
    at = AppTest.from_file(str(ROOT / page), default_timeout=90)
    at.session_state["_session"] = Session(scope, "demo")
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
