"""Charts of the Pulssi page: trend per question, stations × questions comparison, participation.

Builders take the frames of `dashboard.queries_pulssi` and only draw them: a suppressed group is drawn as
suppressed (a gap with a marker, or a grey crossed cell) and its tooltip says why; never as a number.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts.common import CATEGORICAL, DIVERGING, HEIGHT, finish
from dashboard.i18n import t
from dashboard.present import ENPS, REGION, question_label, with_privacy_text

SUPPRESSED_FILL = "#e5e5e5"
SUPPRESSED_MARK = "#6b6b6b"
MONTH_FORMAT = "%-m/%Y"


def for_table(df: pl.DataFrame) -> pl.DataFrame:
    """Empty figures as NaN, which `ui.table` shows as "–" (and exports as an empty cell) instead of "None"."""
    return df.with_columns(pl.col(c).fill_null(float("nan")) for c, dtype in df.schema.items() if dtype.is_float())


def _series_scale(labels: list[str]) -> tuple[alt.Scale, alt.Scale]:
    colours = [CATEGORICAL[0], CATEGORICAL[3]][: len(labels)]
    dashes = [[1, 0], [6, 3]][: len(labels)]
    return alt.Scale(domain=labels, range=colours), alt.Scale(domain=labels, range=dashes)


def trend_chart(trend: pl.DataFrame, series_labels: dict[str, str], question_type: str, k: int,
                lang: str = "fi") -> alt.Chart | alt.VConcatChart:
    """One question per month: a line for the region and one for the chosen unit.

    Suppressed months leave a gap in the line and get a grey cross in a strip under the chart, whose
    tooltip says why the result is hidden.
    """
    enps = question_type == ENPS
    value_title = t("pulssi.axis.enps" if enps else "pulssi.axis.mean", lang)
    value_format = ",.0f" if enps else ",.2f"
    labels = [series_labels[s] for s in (REGION, "unit") if s in series_labels]
    data = with_privacy_text(trend, k, lang).with_columns(
        pl.col("series").replace_strict(series_labels, default=None).alias("series_label")
    ).select("month", "series", "series_label", "value", "respondents", "responses", "suppressed", "privacy")
    colour, dash = _series_scale(labels)
    month_tip = alt.Tooltip("month:T", title=t("pulssi.tip.month", lang), format=MONTH_FORMAT)
    unit_tip = alt.Tooltip("series_label:N", title=t("pulssi.tip.unit", lang))
    resp_tip = alt.Tooltip("respondents:Q", title=t("pulssi.tip.respondents", lang), format=",d")
    x = alt.X("month:T", title=t("pulssi.axis.month", lang),
              axis=alt.Axis(format=MONTH_FORMAT, labelAngle=0, tickCount="month", grid=False))
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=40, filled=True), strokeWidth=2.5,
                   invalid="break-paths-filter-domains")
        .encode(
            x=x,
            y=alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=enps, nice=True)),
            color=alt.Color("series_label:N", title=t("pulssi.legend.unit", lang), scale=colour),
            strokeDash=alt.StrokeDash("series_label:N", title=t("pulssi.legend.unit", lang), scale=dash),
            tooltip=[month_tip, unit_tip, alt.Tooltip("value:Q", title=value_title, format=value_format), resp_tip],
        )
    )
    hidden = data.filter(pl.col("suppressed"))
    if hidden.is_empty():
        return finish(line.properties(height=HEIGHT), lang)
    # Suppressed months: a strip of grey crosses under the lines, one row per series, sharing the month axis.
    strip = (
        alt.Chart(hidden)
        .mark_point(shape="cross", filled=True, size=70, color=SUPPRESSED_MARK, opacity=0.9)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, labels=False, ticks=False,
                                                         domain=False, grid=False)),
            y=alt.Y("series_label:N", title=None, sort=labels,
                    axis=alt.Axis(labelExpr=f"'{t('pulssi.axis.suppressed', lang)}: ' + datum.label",
                                  labelLimit=260)),
            tooltip=[month_tip, unit_tip, alt.Tooltip("privacy:N", title=t("pulssi.tip.result", lang)), resp_tip],
        )
        .properties(height=alt.Step(16))
    )
    chart = alt.vconcat(line.properties(height=HEIGHT - 40), strip, spacing=2).resolve_scale(x="shared")
    return finish(chart, lang)


def comparison_chart(comparison: pl.DataFrame, k: int, lang: str = "fi") -> alt.LayerChart:
    """Stations × questions: each station's mean minus the region mean (diverging colours, signed labels).

    Suppressed cells are grey with a cross and the reason in the tooltip.
    """
    data = with_privacy_text(comparison, k, lang).with_columns(
        pl.struct("question_id", "question_text")
        .map_elements(lambda s: question_label(s["question_id"], s["question_text"], lang), return_dtype=pl.String)
        .alias("question"),
        pl.when(pl.col("suppressed")).then(pl.lit("×"))
        .when(pl.col("difference").is_null()).then(pl.lit("–"))
        .otherwise(None).alias("mark_text"),
        # The label's value rounded as shown, without a "−0,00" for a tiny negative difference.
        pl.when(pl.col("difference").round(2) == 0).then(0.0).otherwise(pl.col("difference").round(2))
        .alias("difference_label"),
    ).select(
        "name", "question", "question_text", "mean_score", "region_mean", "difference", "difference_label",
        "respondents", "privacy", "mark_text",
    )
    limit = data["difference"].abs().max()
    limit = max(float(limit), 0.5) if limit is not None else 0.5
    order = data.select("name").unique(maintain_order=True)["name"].to_list()
    questions = data.select("question").unique(maintain_order=True)["question"].to_list()
    station_title = t("pulssi.axis.station", lang)
    question_title = t("pulssi.axis.question", lang)
    diff_title = t("pulssi.axis.difference", lang)
    base = alt.Chart(data).encode(
        x=alt.X("question:N", title=question_title, sort=questions,
                axis=alt.Axis(labelAngle=-30, labelLimit=200, orient="top")),
        y=alt.Y("name:N", title=station_title, sort=order, axis=alt.Axis(labelLimit=240)),
    )
    common_tips = [
        alt.Tooltip("name:N", title=station_title),
        alt.Tooltip("question_text:N", title=question_title),
        alt.Tooltip("respondents:Q", title=t("pulssi.tip.respondents", lang), format=",d"),
    ]
    shown = base.transform_filter("datum.difference != null").mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "difference:Q", title=diff_title,
            scale=alt.Scale(scheme=DIVERGING, domain=[-limit, limit], domainMid=0),
            legend=alt.Legend(format="+.2f", gradientLength=220),
        ),
        tooltip=[
            *common_tips,
            alt.Tooltip("mean_score:Q", title=t("pulssi.tip.station_mean", lang), format=",.2f"),
            alt.Tooltip("region_mean:Q", title=t("pulssi.tip.region_mean", lang), format=",.2f"),
            alt.Tooltip("difference:Q", title=diff_title, format="+,.2f"),
        ],
    )
    labels = base.transform_filter("datum.difference != null").mark_text(fontSize=11).encode(
        text=alt.Text("difference_label:Q", format="+.2f"),
        color=alt.condition(f"abs(datum.difference) > {limit * 0.6}", alt.value("white"), alt.value("black")),
        tooltip=[
            *common_tips,
            alt.Tooltip("mean_score:Q", title=t("pulssi.tip.station_mean", lang), format=",.2f"),
            alt.Tooltip("region_mean:Q", title=t("pulssi.tip.region_mean", lang), format=",.2f"),
            alt.Tooltip("difference:Q", title=diff_title, format="+,.2f"),
        ],
    )
    hidden_tips = [
        *common_tips,
        alt.Tooltip("privacy:N", title=t("pulssi.tip.result", lang)),
    ]
    hidden = base.transform_filter("datum.difference == null").mark_rect(
        fill=SUPPRESSED_FILL, stroke="white", strokeWidth=1
    ).encode(tooltip=hidden_tips)
    hidden_marks = base.transform_filter("datum.difference == null").mark_text(
        fontSize=14, color=SUPPRESSED_MARK
    ).encode(text="mark_text:N", tooltip=hidden_tips)
    chart = alt.layer(shown, labels, hidden, hidden_marks).properties(height=alt.Step(24))
    return finish(chart, lang)


def participation_chart(participation: pl.DataFrame, lang: str = "fi") -> alt.LayerChart:
    """Participation per station in the month (bars), with the region's rate as a dashed line."""
    station_title = t("pulssi.axis.station", lang)
    rate_title = t("pulssi.axis.participation", lang)
    data = participation.select("name", "responses", "headcount", "participation_rate", "region_participation_rate")
    bars = (
        alt.Chart(data)
        .mark_bar(color=CATEGORICAL[1])
        .encode(
            y=alt.Y("name:N", title=station_title, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X("participation_rate:Q", title=rate_title, scale=alt.Scale(domain=[0, 1]),
                    axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("name:N", title=station_title),
                alt.Tooltip("participation_rate:Q", title=rate_title, format=".1%"),
                alt.Tooltip("responses:Q", title=t("pulssi.tip.responses", lang), format=",d"),
                alt.Tooltip("headcount:Q", title=t("pulssi.tip.headcount", lang), format=",d"),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if data["region_participation_rate"].drop_nulls().len():
        layers.append(
            alt.Chart(data.head(1))
            .mark_rule(color=CATEGORICAL[4], strokeDash=[6, 3], strokeWidth=2)
            .encode(
                x=alt.X("region_participation_rate:Q"),
                tooltip=[alt.Tooltip("region_participation_rate:Q", title=t("pulssi.tip.region_participation", lang),
                                     format=".1%")],
            )
        )
    chart = alt.layer(*layers).properties(height=alt.Step(20))
    return finish(chart, lang)
