"""The README's first command: on a fresh machine the dashboard builds the demo warehouse by itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_first_start_builds_the_demo_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "data" / "tyonjako.duckdb"
    monkeypatch.setenv("TYONJAKO_DB", str(db))
    monkeypatch.delenv("TYONJAKO_NO_AUTO_DEMO", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception, [e.value for e in at.exception]
    assert db.exists() and (tmp_path / "data" / "tyonjako.duckdb.key").exists()
    assert any("Esittelytila" in i.value for i in at.info)
    assert len(at.metric) >= 6  # the overview's key figures, drawn from the new warehouse
