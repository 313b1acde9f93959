"""The monthly leadership report: content from the query layer, laid out by Typst into a PDF.

The package imports nothing heavy at the top, so that `python -m etl` can offer the `report` command cheaply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.access import Scope

TEMPLATE = Path(__file__).resolve().parent / "raportti.typ"

__all__ = ["TEMPLATE", "Unit", "build", "compile_pdf", "pdf"]


@dataclass(frozen=True)
class Unit:
    """The report's unit: the region (both None), a municipality, or one station."""

    municipality: str | None = None
    station_id: str | None = None


def build(db: str | Path, scope: Scope, month: date | None, unit: Unit | None = None, lang: str = "fi",
          generated: datetime | None = None) -> dict[str, Any]:
    """The report's content (see dashboard.report.data.build)."""
    from dashboard.report import data

    return data.build(db, scope, month, unit, lang, generated)


def compile_pdf(content: dict[str, object]) -> bytes:
    """Lay the report out with Typst: the embedded fonts only, so the PDF is the same on every machine."""
    import typst

    return typst.compile(
        str(TEMPLATE), sys_inputs={"data": json.dumps(content, ensure_ascii=False, default=str)},
        ignore_system_fonts=True,
    )


def pdf(db: str | Path, scope: Scope, month: date | None, unit: Unit | None = None, lang: str = "fi",
        generated: datetime | None = None) -> bytes:
    """The month's report for a unit as PDF bytes, with the scope's privacy and access rules."""
    return compile_pdf(build(db, scope, month, unit, lang, generated))
