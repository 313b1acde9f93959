"""Documentation stays complete: every mart, setting and contract column is described for users."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from etl.contract import SOURCES, columns
from warehouse.build import MARTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("mart", MARTS)
def test_every_mart_is_documented(mart: str) -> None:
    assert f"`{mart}`" in (ROOT / "docs" / "marts.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{name}`" in (ROOT / "docs" / "marts.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("source", "column"), [(s, c) for s, spec in SOURCES.items() for c in columns(spec.model)]
)
def test_every_contract_column_is_documented_for_users(source: str, column: str) -> None:
    text = (ROOT / "docs" / "aineistot.md").read_text(encoding="utf-8")
    section = text.split(f"### `{source}`", 1)[1].split("\n### ", 1)[0]
    assert f"`{column}`" in section


def test_readme_starts_with_the_two_newcomer_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("## ")]
    assert "bash scripts/demo.sh" in head and "bash scripts/test.sh" in head
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
