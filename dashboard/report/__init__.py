"""The monthly leadership report: content from the query layer, laid out by Typst into a PDF."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from dashboard.access import Scope
from dashboard.report.data import Unit, build

TEMPLATE = Path(__file__).resolve().parent / "raportti.typ"

__all__ = ["TEMPLATE", "Unit", "build", "compile_pdf", "pdf"]


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
    return compile_pdf(build(db, scope, month, unit or Unit(), lang, generated))
