"""Charts of the Arviointitavoitteet page: progress bar and trend sparkline per indicator, before/after go-live.

Builders only draw the frames the query layer (dashboard.queries_goals) returns; they compute no figures.
Every text comes from the locale files; colours differ in lightness and lines in dash, so the charts still read
when printed in grey.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts.common import CATEGORICAL, GOAL_STATUS_COLOURS, HEIGHT, finish
from dashboard.i18n import t
from dashboard.present import BEFORE_AFTER_MONTHS, D3_FORMATS

MONTH_FORMAT = "%-m/%Y"
TRACK = "#ececec"
TRACK_STROKE = "#9a9a9a"
LIVE_COLOUR = CATEGORICAL[0]  # dark blue, solid line
COMPARISON_COLOUR = "#6b6b6b"  # mid grey, dashed line
BAND_COLOUR = CATEGORICAL[2]  # light blue interval band
TARGET_DASH = [4, 3]
COMPARISON_DASH = [6, 4]
LABEL_ROOM = 0.3  # share of the progress scale left free after 100 % for the label


def _axis_format(unit: str | None, whole_percent: bool = False) -> str:
    if unit == "share" and whole_percent:
        return ".0%"
    return D3_FORMATS.get(unit or "", ",.2f")


def progress_bar(progress: float | None, status: str, lang: str = "fi") -> alt.LayerChart:
    """One indicator's progress from baseline (0 %) to target (100 %): a grey track, a bar in the status colour
    and the percentage printed after the bar."""
    value = progress if progress is not None else 0.0
    domain = [0, 1 + LABEL_ROOM]  # room after a full bar for its "100 %" label
    data = pl.DataFrame(
        {"progress": [value], "status": [t(f"goal_status.{status}", lang)], "code": [status], "track": [1.0]}
    )
    x = alt.X("progress:Q", scale=alt.Scale(domain=domain, nice=False), axis=None)
    tooltip = [
        alt.Tooltip("progress:Q", title=t("tavoitteet.chart.progress", lang), format=".0%"),
        alt.Tooltip("status:N", title=t("tavoitteet.chart.status", lang)),
    ]
    track = alt.Chart(data).mark_bar(color=TRACK, stroke=TRACK_STROKE, strokeWidth=0.5, height=14).encode(
        x=alt.X("track:Q", scale=alt.Scale(domain=domain, nice=False), axis=None), tooltip=tooltip
    )
    bar = alt.Chart(data).mark_bar(height=14).encode(
        x=x,
        color=alt.Color(
            "code:N", legend=None,
            scale=alt.Scale(domain=list(GOAL_STATUS_COLOURS), range=list(GOAL_STATUS_COLOURS.values())),
        ),
        tooltip=tooltip,
    )
    label = alt.Chart(data).mark_text(align="left", dx=4, fontSize=12, fontWeight="bold", color="#222222").encode(
        x=x, text=alt.Text("progress:Q", format=".0%")
    )
    chart = alt.layer(track, bar, label).properties(height=26)
    return finish(chart.configure_view(strokeWidth=0), lang)


def trend_sparkline(trend: pl.DataFrame, unit: str | None, target: float | None, name: str,
                    lang: str = "fi") -> alt.LayerChart:
    """Monthly region values of one indicator (`trend`: month, value) with the target as a dashed rule."""
    data = trend.select("month", "value").drop_nulls()
    value_format = _axis_format(unit)
    line = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=14), color=LIVE_COLOUR, strokeWidth=2).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, labelAngle=0, tickCount=3, grid=False)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False),
                axis=alt.Axis(format=_axis_format(unit, whole_percent=True), tickCount=3)),
        tooltip=[
            alt.Tooltip("month:T", title=t("tavoitteet.chart.month", lang), format=MONTH_FORMAT),
            alt.Tooltip("value:Q", title=name, format=value_format),
        ],
    )
    layers: list[alt.Chart] = [line]
    if target is not None:
        rule = alt.Chart(pl.DataFrame({"target": [target]})).mark_rule(
            color=COMPARISON_COLOUR, strokeDash=TARGET_DASH, strokeWidth=1.2
        ).encode(
            y="target:Q",
            tooltip=[alt.Tooltip("target:Q", title=t("tavoitteet.chart.target", lang), format=value_format)],
        )
        layers.append(rule)
    return finish(alt.layer(*layers).properties(height=90), lang)


def before_after_chart(series: pl.DataFrame, unit: str | None, value_title: str, lang: str = "fi") -> alt.LayerChart:
    """Before/after go-live: x = months relative to each station's go-live (−6…+12).

    A solid line of the mean over the stations live long enough with its 95 % interval band, a dashed comparison
    line of the stations not yet live in the same calendar months, a vertical rule at 0 labelled with the go-live,
    and the number of stations behind each point in the tooltip.
    """
    lo, hi = BEFORE_AFTER_MONTHS
    live_label = t("tavoitteet.chart.live", lang)
    comparison_label = t("tavoitteet.chart.comparison", lang)
    value_format = _axis_format(unit)
    base = series.select(
        "relative_month", "mean_value", "ci_low", "ci_high", "n_stations", "comparison_value", "comparison_n"
    )
    long = pl.concat(
        [
            base.with_columns(pl.lit(live_label).alias("series"), pl.col("mean_value").alias("value")),
            base.with_columns(pl.lit(comparison_label).alias("series"), pl.col("comparison_value").alias("value")),
        ]
    ).filter(pl.col("value").is_not_null())
    x = alt.X(
        "relative_month:Q", title=t("tavoitteet.chart.relative_axis", lang),
        scale=alt.Scale(domain=[lo, hi], nice=False),
        axis=alt.Axis(values=list(range(lo, hi + 1)), format="d", grid=False),
    )
    y_axis = alt.Axis(format=_axis_format(unit, whole_percent=True), title=value_title)
    tooltip = [
        alt.Tooltip("series:N", title=t("tavoitteet.chart.series", lang)),
        alt.Tooltip("relative_month:Q", title=t("tavoitteet.chart.relative_month", lang), format="d"),
        alt.Tooltip("mean_value:Q", title=t("tavoitteet.chart.mean", lang), format=value_format),
        alt.Tooltip("ci_low:Q", title=t("tavoitteet.chart.ci_low", lang), format=value_format),
        alt.Tooltip("ci_high:Q", title=t("tavoitteet.chart.ci_high", lang), format=value_format),
        alt.Tooltip("n_stations:Q", title=t("tavoitteet.chart.n_stations", lang), format="d"),
        alt.Tooltip("comparison_value:Q", title=t("tavoitteet.chart.comparison_value", lang), format=value_format),
        alt.Tooltip("comparison_n:Q", title=t("tavoitteet.chart.comparison_n", lang), format="d"),
    ]
    band = alt.Chart(base.filter(pl.col("ci_low").is_not_null())).mark_area(
        color=BAND_COLOUR, opacity=0.55
    ).encode(x=x, y=alt.Y("ci_low:Q", axis=y_axis, scale=alt.Scale(zero=False)), y2="ci_high:Q")
    series_domain = [live_label, comparison_label]
    legend = alt.Legend(labelLimit=0, symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=400)
    lines = alt.Chart(long).mark_line(strokeWidth=2.2, point=alt.OverlayMarkDef(size=30, filled=True)).encode(
        x=x,
        y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, legend=legend,
                        scale=alt.Scale(domain=series_domain, range=[LIVE_COLOUR, COMPARISON_COLOUR])),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=legend,
                                  scale=alt.Scale(domain=series_domain, range=[[1, 0], COMPARISON_DASH])),
        tooltip=tooltip,
    )
    zero = pl.DataFrame({"relative_month": [0], "label": [t("tavoitteet.chart.go_live", lang)]})
    rule = alt.Chart(zero).mark_rule(color="#222222", strokeWidth=1.5).encode(x=x)
    rule_label = alt.Chart(zero).mark_text(align="left", baseline="top", dx=4, dy=2, fontSize=12,
                                           color="#222222").encode(
        x=x, y=alt.value(0), text="label:N"
    )
    chart = alt.layer(band, lines, rule, rule_label).properties(height=HEIGHT)
    return finish(chart, lang)

