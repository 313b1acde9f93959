"""Display labels built from the warehouse's language-neutral columns (the marts hold no UI text)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from dashboard import fmt
from dashboard.i18n import t


def month_range(start: date | None, end: date | None, lang: str = "fi") -> str:
    """A month range in numbers: 5–7/2025, 11/2024–1/2025, 7/2025."""
    if start is None or end is None:
        return fmt.MISSING
    if start == end:
        return fmt.month_text(start, lang)
    if start.year == end.year:
        return f"{start.month}\u2013{fmt.month_text(end, lang)}"
    return f"{fmt.month_text(start, lang)}\u2013{fmt.month_text(end, lang)}"


def baseline_label(row: Mapping[str, Any], lang: str = "fi", *, station: bool = False) -> str:
    """What a goal indicator's baseline is, from baseline_kind / _start / _end / _stations / _months.

    `station` = a row of mart_goal_progress_station (one station's own baseline)."""
    kind = row.get("baseline_kind")
    start, end = row.get("baseline_start"), row.get("baseline_end")
    stations, months = row.get("baseline_stations"), row.get("baseline_months")
    period = month_range(start, end, lang)
    if kind == "period":
        return period
    if kind == "first_round":
        if start is None:
            return t("baseline.no_rounds", lang)
        if station:
            return t("baseline.round", lang, period=period)
        return t("baseline.first_rounds", lang, period=period)
    if kind == "before_go_live":
        if station:
            return t("baseline.before_station", lang, months=months, period=period) if start else \
                t("baseline.no_go_live", lang)
        if stations and start is None:
            return t("baseline.before_mean", lang, months=months, stations=stations)
        if start is not None:
            return t("baseline.before_first", lang, months=months, period=period)
        return t("baseline.no_go_lives", lang)
    return str(row.get("baseline_label") or "")


def with_baseline_labels(goals: pl.DataFrame, lang: str = "fi", *, station: bool = False) -> pl.DataFrame:
    """Goal rows with `baseline_label` rebuilt in the UI language from the neutral columns."""
    if goals.is_empty() or "baseline_kind" not in goals.columns:
        return goals
    texts = [baseline_label(row, lang, station=station) for row in goals.iter_rows(named=True)]
    return goals.with_columns(pl.Series("baseline_label", texts, dtype=pl.String))
