"""Charts of the Käyttöönotto page: planned and actual go-live of every station, grouped by wave."""

from __future__ import annotations

from datetime import date

import altair as alt
import polars as pl

from dashboard.charts.common import STATUS_COLOURS, finish
from dashboard.i18n import t

DATE_FORMAT = "%-d.%-m.%Y"
TODAY_COLOUR = "#4a4a4a"


def wave_label(wave: int | None, lang: str = "fi") -> str:
    """'Aalto 2' / 'Ei aaltoa'."""
    return t("rollout.no_wave", lang) if wave is None else t("rollout.wave_label", lang, wave=wave)


def timeline_chart(timeline: pl.DataFrame, today: date, lang: str = "fi") -> alt.FacetChart:
    """A row per station, grouped by wave: planned go-live (open circle), actual (filled diamond), a line
    between them (to today while delayed), coloured by status; today as a dashed vertical line."""
    status_labels = {s: t(f"rollout_status.{s}", lang) for s in STATUS_COLOURS}
    kind_labels = {"planned": t("rollout.kind.planned", lang), "actual": t("rollout.kind.actual", lang)}
    waves = {w: wave_label(w, lang) for w in timeline["wave"].drop_nulls().unique().to_list()}
    data = timeline.with_columns(
        pl.col("wave").replace_strict(waves, default=wave_label(None, lang), return_dtype=pl.String)
        .alias("wave_label"),
        pl.col("wave").fill_null(10_000).alias("wave_order"),
        pl.col("status").replace_strict(status_labels, default=pl.col("status")).alias("status_label"),
        pl.col("kind").replace_strict(kind_labels).alias("kind_label"),
        pl.lit(today).alias("today"),
    ).select(
        "name", "wave_label", "wave_order", "order", "kind", "kind_label", "date", "planned_go_live", "go_live",
        "segment_end", "status_label", "delay_days", "open_questions", "today",
    )
    station_title = t("rollout.axis.station", lang)
    date_title = t("rollout.axis.date", lang)
    colour = alt.Color(
        "status_label:N", title=t("rollout.legend.status", lang),
        scale=alt.Scale(domain=list(status_labels.values()), range=list(STATUS_COLOURS.values())),
    )
    tips = [
        alt.Tooltip("name:N", title=station_title),
        alt.Tooltip("wave_label:N", title=t("rollout.tip.wave", lang)),
        alt.Tooltip("planned_go_live:T", title=t("rollout.tip.planned", lang), format=DATE_FORMAT),
        alt.Tooltip("go_live:T", title=t("rollout.tip.actual", lang), format=DATE_FORMAT),
        alt.Tooltip("status_label:N", title=t("rollout.legend.status", lang)),
        alt.Tooltip("delay_days:Q", title=t("rollout.tip.delay", lang), format=",d"),
        alt.Tooltip("open_questions:Q", title=t("rollout.tip.open_questions", lang), format=",d"),
    ]
    y = alt.Y("name:N", title=None, sort=alt.EncodingSortField("order", op="min"), axis=alt.Axis(labelLimit=260))
    x = alt.X("date:T", title=date_title, axis=alt.Axis(format="%-m/%Y", labelAngle=0, grid=True))
    segment = (
        alt.Chart()
        .transform_filter("datum.kind == 'planned' && datum.segment_end != null")
        .mark_rule(strokeWidth=3, opacity=0.7)
        .encode(x=x, x2="segment_end:T", y=y, color=colour, tooltip=tips)
    )
    shape = alt.Shape("kind_label:N", title=t("rollout.legend.kind", lang),
                      scale=alt.Scale(domain=list(kind_labels.values()), range=["circle", "diamond"]))
    planned = (
        alt.Chart()
        .transform_filter("datum.kind == 'planned'")
        .mark_point(filled=False, size=90, strokeWidth=2)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=tips)
    )
    actual = (
        alt.Chart()
        .transform_filter("datum.kind == 'actual'")
        .mark_point(filled=True, size=110, opacity=1)
        .encode(x=x, y=y, color=colour, shape=shape, tooltip=tips)
    )
    today_rule = (
        alt.Chart()
        .mark_rule(color=TODAY_COLOUR, strokeDash=[4, 4], strokeWidth=1.5)
        .encode(x=alt.X("today:T"), tooltip=[alt.Tooltip("today:T", title=t("rollout.tip.today", lang),
                                                           format=DATE_FORMAT)])
    )
    chart = (
        alt.layer(segment, planned, actual, today_rule, data=data)
        .properties(height=alt.Step(20), width=760)
        .facet(
            row=alt.Row("wave_label:N", title=None, sort=alt.EncodingSortField("wave_order", op="min"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold",
                                          labelOrient="top", labelFontSize=13)),
            spacing=12,
        )
        .resolve_scale(y="independent")
    )
    return finish(chart, lang)
