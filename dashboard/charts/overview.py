"""Charts of the Yleiskuva page: small trend lines under the key figures, goal progress bars."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts.common import CATEGORICAL, GOAL_STATUS_COLOURS, finish
from dashboard.i18n import t

__all__ = ["GOAL_STATUS_COLOURS", "goal_bars", "sparkline"]


def sparkline(frame: pl.DataFrame, column: str, title: str, fmt: str = ",.1f", lang: str = "fi") -> alt.Chart:
    """A small line of one monthly series, with exact values in the tooltip."""
    data = frame.select("month", column).drop_nulls()
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=18), color=CATEGORICAL[0], strokeWidth=2)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%-m/%Y", labelAngle=0, tickCount=4, grid=False)),
            y=alt.Y(f"{column}:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt, tickCount=3)),
            tooltip=[
                alt.Tooltip("month:T", title=t("filter.month", lang), format="%-m/%Y"),
                alt.Tooltip(f"{column}:Q", title=title, format=fmt),
            ],
        )
        .properties(height=90)
    )
    return finish(chart, lang)


def goal_bars(goals: pl.DataFrame, labels: dict[str, str], lang: str = "fi") -> alt.Chart:
    """Progress (0–100 %) of each goal indicator, coloured by status (legend in the UI language)."""
    name = "name" if "name" in goals.columns else "indicator_name"  # `name` is in the UI language
    data = goals.select(
        pl.concat_str([pl.lit(t("overview.chart.goal_prefix", lang)), pl.col("goal_id").cast(pl.String), pl.lit(": "),
                       pl.col(name)])
        .alias("indicator"),
        "progress", "status", pl.col("status").replace_strict(labels, default=pl.col("status"),
                                                              return_dtype=pl.String).alias("status_label"),
        pl.col("current_text"), pl.col("baseline_text"), pl.col("target_text"),
    )
    label_expr = "{" + ", ".join(f"'{code}': '{text}'" for code, text in labels.items()) + "}[datum.label]"
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("indicator:N", title=None, sort=None, axis=alt.Axis(labelLimit=460)),
            x=alt.X("progress:Q", title=t("overview.chart.progress_axis", lang),
                    scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
            color=alt.Color(
                "status:N", title=t("goals.status", lang),
                scale=alt.Scale(domain=list(GOAL_STATUS_COLOURS), range=list(GOAL_STATUS_COLOURS.values())),
                legend=alt.Legend(labelExpr=label_expr),
            ),
            tooltip=[
                alt.Tooltip("indicator:N", title=t("goals.indicator", lang)),
                alt.Tooltip("progress:Q", title=t("overview.chart.progress", lang), format=".0%"),
                alt.Tooltip("baseline_text:N", title=t("goals.baseline", lang)),
                alt.Tooltip("current_text:N", title=t("goals.current", lang)),
                alt.Tooltip("target_text:N", title=t("goals.target", lang)),
                alt.Tooltip("status_label:N", title=t("goals.status", lang)),
            ],
        )
        .properties(height=alt.Step(22))
    )
    return finish(chart, lang)
