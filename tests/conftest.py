"""Shared fixtures: a demo warehouse and an empty one built once per test session, and an AppTest factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built by `etl demo` (the project's realistic demo data)."""
    from etl.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    return build_demo(path)


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the schema and empty marts but no data."""
    from warehouse import db as wdb
    from warehouse.build import build_marts, create_schema

    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    with wdb.writer_lock(path), wdb.new_version(path) as con:
        create_schema(con)
        build_marts(con)
    return path


AppFactory = Callable[..., AppTest]


@pytest.fixture
def make_app(monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """Build and run the app on a warehouse, as a demo-mode role, optionally on one page."""

    def factory(db: Path, page: str | None = None, role: str = "projektipaallikko", station: str | None = None,
                state: dict[str, object] | None = None) -> AppTest:
        monkeypatch.setenv("TYONJAKO_DB", str(db))
        monkeypatch.setenv("TYONJAKO_NO_AUTO_DEMO", "1")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["demo_role"] = role
        if station:
            at.session_state["demo_station"] = station
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    return factory
