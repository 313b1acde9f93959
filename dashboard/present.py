"""Display texts of the query layer's values: goal figures, changes, metric deltas, suppression texts, question names.

The query modules return language-neutral codes and numbers; this module (with `fmt` for numbers and dates and
`labels` for labels built from the marts' columns) turns them into what a page, a chart or the report shows.
The codes that both sides read are defined here, so that charts need no query module.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard import fmt
from dashboard.i18n import t

# Codes of the Pulssi frames: series, suppression reasons, question types.
REGION = "region"
UNIT = "unit"
SMALL = "small"
SECONDARY = "secondary"
LIKERT = "likert"
ENPS = "enps"

BEFORE_AFTER_MONTHS = (-6, 12)  # relative months of the before/after comparison; 0 = go-live month


def suppression_text(reason: str | None, k: int, lang: str = "fi") -> str:
    """Why a group's result is hidden, in words ('' when it is shown)."""
    if reason == SMALL:
        return t("suppression.small_group", lang, k=k)
    if reason == SECONDARY:
        return t("pulssi.suppressed_secondary", lang)
    return ""


def question_label(question_id: str, text: str | None, lang: str = "fi") -> str:
    """A short name of a question for axes and selectors (the catalogue text when no short name exists)."""
    key = f"pulssi_question.{question_id}"
    label = t(key, lang)
    return (text or question_id) if label == key else label


def with_privacy_text(df: pl.DataFrame, k: int, lang: str = "fi", column: str = "privacy") -> pl.DataFrame:
    """The frame with a text column that says, for each suppressed row, why its result is hidden."""
    mapping = {SMALL: suppression_text(SMALL, k, lang), SECONDARY: suppression_text(SECONDARY, k, lang)}
    return df.with_columns(
        pl.col("reason").replace_strict(mapping, default="", return_dtype=pl.String).alias(column)
    )


def delta_style(delta: float | None, better: str | None = None, precision: float = 0.0) -> dict[str, str]:
    """Arrow and colour for st.metric from the sign of a change (fmt writes the real minus sign, which
    Streamlit does not read as negative). `better`: "up", "down" or None (no judgement: grey); a change
    smaller than `precision` (half the last shown digit) gets no arrow, as it is shown as zero."""
    if delta is None or abs(delta) < precision or delta == 0:
        return {"delta_arrow": "off", "delta_color": "gray"}
    direction = "up" if delta > 0 else "down"
    if better is None:
        return {"delta_arrow": direction, "delta_color": "gray"}
    return {"delta_arrow": direction, "delta_color": "green" if direction == better else "red"}


# --- texts of the goal units --------------------------------------------------------------------------------

DECIMALS = {"score": 2, "share": 1, "enps": 0, "hours_week": 0, "ratio": 2}
# d3 formats of the same units for chart axes and tooltips
D3_FORMATS = {"score": ",.2f", "share": ".1%", "enps": ",.0f", "hours_week": ",.0f", "ratio": ",.2f"}


def value_text(value: float | None, unit: str | None, lang: str = "fi", *, hours_unit: bool = True) -> str:
    """A goal figure in its unit: score 3,38; share 82,4 %; eNPS 12; hours 323 h/vko; ratio 0,13.

    hours_unit=False leaves "h/vko" out (for a label that names the unit)."""
    if unit == "share":
        return fmt.percent(value, DECIMALS["share"], lang)
    if unit == "hours_week" and hours_unit:
        return fmt.hours(value, DECIMALS["hours_week"], lang)
    return fmt.number(value, DECIMALS.get(unit or "", 2), lang)


def change_text(value: float | None, unit: str | None, lang: str = "fi") -> str | None:
    """A change of a goal figure with its sign (shares in percentage points); None when there is none."""
    if value is None:
        return None
    if unit == "share":
        return fmt.signed_points(value, DECIMALS["share"], lang)
    text = fmt.signed(value, DECIMALS.get(unit or "", 2), lang)
    return f"{text}{fmt.NBSP}{'h/vecka' if lang == 'sv' else 'h/vko'}" if unit == "hours_week" else text


def with_texts(goals: pl.DataFrame, lang: str = "fi") -> pl.DataFrame:
    """Goal rows with baseline/target/current/change/progress/current-month as display texts (mixed units)."""

    def texts(column: str, func: Any) -> pl.Expr:
        return pl.struct(column, "unit").map_elements(
            lambda r: func(r[column], r["unit"], lang) or fmt.MISSING, return_dtype=pl.String
        ).alias(f"{column}_text")

    if goals.is_empty():
        return goals.with_columns(
            [pl.lit(None, pl.String).alias(f"{c}_text")
             for c in ("baseline", "target", "current", "change", "progress", "current_month")]
        )
    return goals.with_columns(
        texts("baseline", value_text), texts("target", value_text), texts("current", value_text),
        texts("change", change_text),
        pl.col("progress").map_elements(lambda p: fmt.percent(p, 0, lang), return_dtype=pl.String,
                                        skip_nulls=False).alias("progress_text"),
        pl.col("current_month").map_elements(lambda d: fmt.month_text(d, lang), return_dtype=pl.String,
                                             skip_nulls=False).alias("current_month_text"),
    )


def status_labelled(goals: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Goal rows with the status code replaced by its label in the UI language."""
    return goals.with_columns(
        pl.col("status").replace_strict(labels, default=pl.col("status"), return_dtype=pl.String).alias("status_label")
    )
