"""Charts of the Työkuorma page: load ratio per station, required vs capacity hours, trends, spread sparklines.

Builders only draw the frames the query layer returns; every text comes from the locale files.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import fmt
from dashboard.charts.common import CATEGORICAL, HEIGHT, finish
from dashboard.i18n import t

# Fill per band, of clearly different lightness so that the over-1.1 bars stand out in grey print too.
BAND_COLOURS = {"under": "#d9d9d9", "within": "#6b9ac4", "over": "#8b1e0f"}
BAND_FILL = "#e6e6e6"
REFERENCE_DASH = [6, 3]
MONTH_FORMAT = "%-m/%Y"


def _band_labels(lang: str) -> dict[str, str]:
    return {band: t(f"tyokuorma.band.{band}", lang) for band in BAND_COLOURS}


def _band_rect(orient: str, low: float, high: float) -> alt.Chart:
    """The shaded 0.9–1.1 band, vertical (x) or horizontal (y)."""
    data = pl.DataFrame({"low": [low], "high": [high]})
    enc = {"x": alt.X("low:Q"), "x2": "high:Q"} if orient == "x" else {"y": alt.Y("low:Q"), "y2": "high:Q"}
    return alt.Chart(data).mark_rect(color=BAND_FILL, opacity=0.7).encode(**enc)


def load_ratio_bars(rows: pl.DataFrame, references: pl.DataFrame, chosen: str | None = None,
                    low: float = 0.9, high: float = 1.1, lang: str = "fi") -> alt.LayerChart:
    """Horizontal bars of the month's load ratio per station, the 0.9–1.1 band shaded, a dashed rule per
    reference value (`references`: label, value) and the value printed at the end of each bar; bars above the
    band are dark red, the chosen station is outlined."""
    labels = _band_labels(lang)
    data = rows.filter(pl.col("load_ratio").is_not_null()).select(
        "station_id", "station_name", "load_ratio", "required_hours_week", "capacity_hours_week",
        pl.col("band").replace_strict(labels, default=None).alias("band_label"),
        (pl.col("station_id") == (chosen or "")).alias("chosen"),
        pl.col("load_ratio").map_elements(lambda v: f"{fmt.number(v, 2, lang)} \u25b2", return_dtype=pl.String)
        .alias("over_label"),
    )
    order = data.sort("load_ratio", descending=True)["station_name"].to_list()
    title_ratio = t("tyokuorma.chart.load_ratio_axis", lang)
    y = alt.Y("station_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    tooltip = [
        alt.Tooltip("station_name:N", title=t("tyokuorma.col.station", lang)),
        alt.Tooltip("load_ratio:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.3f"),
        alt.Tooltip("required_hours_week:Q", title=t("tyokuorma.col.required", lang), format=",.1f"),
        alt.Tooltip("capacity_hours_week:Q", title=t("tyokuorma.col.capacity", lang), format=",.1f"),
        alt.Tooltip("band_label:N", title=t("tyokuorma.chart.band", lang)),
    ]
    bars = alt.Chart(data).mark_bar(height={"band": 0.75}).encode(
        y=y,
        x=alt.X("load_ratio:Q", title=title_ratio, axis=alt.Axis(format=",.1f")),
        color=alt.Color(
            "band_label:N", title=t("tyokuorma.chart.band", lang),
            scale=alt.Scale(domain=list(labels.values()), range=list(BAND_COLOURS.values())),
        ),
        stroke=alt.condition("datum.chosen", alt.value("#000000"), alt.value(None)),
        strokeWidth=alt.condition("datum.chosen", alt.value(2.5), alt.value(0)),
        tooltip=tooltip,
    )
    over = data.filter(pl.col("load_ratio") > high)
    text = alt.Chart(data.filter(pl.col("load_ratio") <= high)).mark_text(align="left", dx=4, fontSize=11).encode(
        y=y, x="load_ratio:Q", text=alt.Text("load_ratio:Q", format=",.2f"), tooltip=tooltip,
    )
    # Stations above the band: the value in bold with an exclamation mark, so they stand out without colour.
    text_over = alt.Chart(over).mark_text(align="left", dx=4, fontSize=11, fontWeight="bold").encode(
        y=y, x="load_ratio:Q", text=alt.Text("over_label:N"), tooltip=tooltip,
    )
    rule = alt.Chart(references).mark_rule(color="#000000", strokeDash=REFERENCE_DASH, strokeWidth=1.5).encode(
        x="value:Q",
        tooltip=[
            alt.Tooltip("label:N", title=t("tyokuorma.chart.reference", lang)),
            alt.Tooltip("value:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.3f"),
        ],
    )
    rule_text = alt.Chart(references).mark_text(align="left", dx=3, dy=-6, fontSize=11, baseline="bottom").encode(
        x="value:Q", y=alt.value(0), text="label:N",
    )
    # A step per station (not a total height): Streamlit fits a total height around axes and legend too.
    chart = alt.layer(_band_rect("x", low, high), bars, text, text_over, rule, rule_text).properties(
        height=alt.Step(20)
    )
    return finish(chart, lang)


def hours_dots(rows: pl.DataFrame, chosen: str | None = None, lang: str = "fi") -> alt.LayerChart:
    """Dot plot per station: required hours (filled dark circle) against capacity (open square), h/week,
    joined by a line; the chosen station's label is bold."""
    required, capacity = t("tyokuorma.series.required", lang), t("tyokuorma.series.capacity", lang)
    wide = rows.select(
        "station_id", "station_name", "required_hours_week", "capacity_hours_week", "load_ratio",
    )
    long = wide.unpivot(
        index=["station_id", "station_name", "load_ratio"],
        on=["required_hours_week", "capacity_hours_week"], variable_name="series", value_name="hours",
    ).with_columns(
        pl.col("series").replace_strict({"required_hours_week": required, "capacity_hours_week": capacity})
    ).filter(pl.col("hours").is_not_null())
    order = wide.sort("required_hours_week", descending=True, nulls_last=True)["station_name"].to_list()
    y = alt.Y("station_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    hours_title = t("tyokuorma.chart.hours_axis", lang)
    link = alt.Chart(wide.drop_nulls(["required_hours_week", "capacity_hours_week"])).mark_rule(
        color="#9a9a9a", strokeWidth=2
    ).encode(y=y, x=alt.X("required_hours_week:Q", title=hours_title), x2="capacity_hours_week:Q")
    dots = alt.Chart(long).mark_point(size=90, strokeWidth=2).encode(
        y=y,
        x=alt.X("hours:Q", title=hours_title, axis=alt.Axis(format=",.0f")),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=[required, capacity], range=[CATEGORICAL[0], CATEGORICAL[3]])),
        shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=[required, capacity],
                                                                   range=["circle", "square"])),
        fill=alt.Fill("series:N", legend=None,
                      scale=alt.Scale(domain=[required, capacity], range=[CATEGORICAL[0], "#ffffff"])),
        tooltip=[
            alt.Tooltip("station_name:N", title=t("tyokuorma.col.station", lang)),
            alt.Tooltip("series:N", title=t("tyokuorma.chart.series", lang)),
            alt.Tooltip("hours:Q", title=hours_title, format=",.1f"),
            alt.Tooltip("load_ratio:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.3f"),
        ],
    )
    chart = alt.layer(link, dots).properties(height=alt.Step(20))
    if chosen:
        chart = chart.properties(
            title=alt.TitleParams(t("tyokuorma.chart.chosen_note", lang,
                                    name=_name_of(rows, chosen)), fontSize=12, fontWeight="normal", anchor="start")
        )
    return finish(chart, lang)


def _name_of(rows: pl.DataFrame, station_id: str) -> str:
    hit = rows.filter(pl.col("station_id") == station_id)
    return str(hit["station_name"][0]) if not hit.is_empty() else station_id


def load_ratio_trend(trend: pl.DataFrame, references: pl.DataFrame, chosen: str | None = None,
                     month: object | None = None, low: float = 0.9, high: float = 1.1,
                     lang: str = "fi") -> alt.LayerChart:
    """Load ratio per station over the months (thin grey lines), the chosen station thick and dark, reference
    series (`references`: month, label, value) dashed black, the 0.9–1.1 band shaded and the chosen month ruled."""
    data = trend.filter(pl.col("load_ratio").is_not_null()).with_columns(
        (pl.col("station_id") == (chosen or "")).alias("chosen")
    )
    ratio_title = t("tyokuorma.chart.load_ratio_axis", lang)
    x = alt.X("month:T", title=t("tyokuorma.chart.month_axis", lang),
              axis=alt.Axis(format=MONTH_FORMAT, labelAngle=0, tickCount=8))
    tooltip = [
        alt.Tooltip("station_name:N", title=t("tyokuorma.col.station", lang)),
        alt.Tooltip("month:T", title=t("tyokuorma.col.month", lang), format=MONTH_FORMAT),
        alt.Tooltip("load_ratio:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.3f"),
    ]
    others = alt.Chart(data.filter(~pl.col("chosen"))).mark_line(color="#a6a6a6", strokeWidth=1.2, opacity=0.8).encode(
        x=x, y=alt.Y("load_ratio:Q", title=ratio_title, scale=alt.Scale(zero=False)),
        detail="station_id:N", tooltip=tooltip,
    )
    layers: list[alt.Chart] = [_band_rect("y", low, high), others]
    picked = data.filter(pl.col("chosen"))
    if not picked.is_empty():
        layers.append(
            alt.Chart(picked).mark_line(color=CATEGORICAL[0], strokeWidth=3.5, point=alt.OverlayMarkDef(size=30))
            .encode(x=x, y="load_ratio:Q", tooltip=tooltip)
        )
    refs = references.filter(pl.col("value").is_not_null())
    if not refs.is_empty():
        layers.append(
            alt.Chart(refs).mark_line(color="#000000", strokeDash=REFERENCE_DASH, strokeWidth=2).encode(
                x=x, y="value:Q", detail="label:N",
                tooltip=[
                    alt.Tooltip("label:N", title=t("tyokuorma.chart.reference", lang)),
                    alt.Tooltip("month:T", title=t("tyokuorma.col.month", lang), format=MONTH_FORMAT),
                    alt.Tooltip("value:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.3f"),
                ],
            )
        )
    if month is not None:
        layers.append(
            alt.Chart(pl.DataFrame({"month": [month]})).mark_rule(color="#555555", strokeWidth=1).encode(x="month:T")
        )
    return finish(alt.layer(*layers).properties(height=HEIGHT), lang)


def spread_spark(series: pl.DataFrame, column: str, title: str, number_format: str = ",.2f",
                 lang: str = "fi") -> alt.Chart:
    """A small line of one monthly spread figure with exact values in the tooltip."""
    data = series.select("month", column).drop_nulls()
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=14), color=CATEGORICAL[0], strokeWidth=1.8)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, labelAngle=0, tickCount=3, grid=False)),
            y=alt.Y(f"{column}:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=number_format,
                                                                                        tickCount=3)),
            tooltip=[
                alt.Tooltip("month:T", title=t("tyokuorma.col.month", lang), format=MONTH_FORMAT),
                alt.Tooltip(f"{column}:Q", title=title, format=number_format),
            ],
        )
        .properties(height=80)
    )
    return finish(chart, lang)


def range_spark(series: pl.DataFrame, lang: str = "fi") -> alt.LayerChart:
    """A small band of the lowest and highest station load ratio per month, with the regional ratio as a line."""
    data = series.select("month", "load_ratio", "load_ratio_min", "load_ratio_max").drop_nulls(
        ["load_ratio_min", "load_ratio_max"]
    )
    x = alt.X("month:T", title=None, axis=alt.Axis(format=MONTH_FORMAT, labelAngle=0, tickCount=3, grid=False))
    tooltip = [
        alt.Tooltip("month:T", title=t("tyokuorma.col.month", lang), format=MONTH_FORMAT),
        alt.Tooltip("load_ratio_min:Q", title=t("tyokuorma.spread.min", lang), format=",.2f"),
        alt.Tooltip("load_ratio_max:Q", title=t("tyokuorma.spread.max", lang), format=",.2f"),
        alt.Tooltip("load_ratio:Q", title=t("tyokuorma.col.load_ratio", lang), format=",.2f"),
    ]
    band = alt.Chart(data).mark_area(color=CATEGORICAL[2], opacity=0.6).encode(
        x=x, y=alt.Y("load_ratio_min:Q", title=None, scale=alt.Scale(zero=False),
                     axis=alt.Axis(format=",.1f", tickCount=3)),
        y2="load_ratio_max:Q", tooltip=tooltip,
    )
    line = alt.Chart(data).mark_line(color=CATEGORICAL[0], strokeWidth=1.8).encode(
        x=x, y="load_ratio:Q", tooltip=tooltip
    )
    return finish(alt.layer(band, line).properties(height=80), lang)
