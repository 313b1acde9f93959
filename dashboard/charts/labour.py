"""Charts of the Työnjaon toteutuminen page: compliance heatmap, misplaced tasks, rounds, clinician admin hours.

Builders only draw the frames the query layer returns; every text comes from the locale files.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.charts.common import CATEGORICAL, SEQUENTIAL, finish
from dashboard.i18n import t

DATE_FORMAT = "%-d.%-m.%Y"
# Light → dark blues: later rounds are darker, so the order reads in grey print too.
ROUND_BLUES = ["#b9d3ea", "#6b9ac4", "#2f5f8f", "#0b2545", "#000000"]
# Fixed colour per performing role: secretary roles blue, clinical roles orange to dark brown, others grey.
ROLE_COLOURS = {
    "toimistosihteeri": "#8fbce6",
    "terveyskeskusavustaja": "#3d7ab8",
    "sairaanhoitaja": "#e0a33a",
    "terveydenhoitaja": "#f3d19a",
    "lahihoitaja": "#b5651d",
    "laakari": "#5c2a06",
    "esihenkilo": "#8c8c8c",
    "muu": "#d4d4d4",
}


def _round_range(n: int) -> list[str]:
    if n <= len(ROUND_BLUES) - 1:
        return ROUND_BLUES[len(ROUND_BLUES) - 1 - n: len(ROUND_BLUES) - 1]
    return (ROUND_BLUES * (n // len(ROUND_BLUES) + 1))[:n]


def compliance_heatmap(data: pl.DataFrame, lang: str = "fi") -> alt.LayerChart:
    """Compliance share per row (station or total) × task group on a sequential scale (0–100 %), the share
    printed in each cell, hours in the tooltip. `data` (queries_labour.heatmap_table): row_label, group_label,
    compliance_share, compliant_hours_week, total_hours_week, mapping_date, row_order, col_order."""
    row_order = data.sort("row_order")["row_label"].unique(maintain_order=True).to_list()
    column_order = data.sort("col_order")["group_label"].unique(maintain_order=True).to_list()
    share_title = t("tyonjako.chart.share_axis", lang)
    x = alt.X("group_label:N", title=None, sort=column_order,
              axis=alt.Axis(labelAngle=-30, labelLimit=200, orient="top", labelOverlap=False))
    y = alt.Y("row_label:N", title=None, sort=row_order, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    tooltip = [
        alt.Tooltip("row_label:N", title=t("tyonjako.col.station", lang)),
        alt.Tooltip("group_label:N", title=t("tyonjako.col.task_group", lang)),
        alt.Tooltip("compliance_share:Q", title=t("tyonjako.col.compliance", lang), format=".1%"),
        alt.Tooltip("compliant_hours_week:Q", title=t("tyonjako.col.compliant_hours", lang), format=",.1f"),
        alt.Tooltip("total_hours_week:Q", title=t("tyonjako.col.total_hours", lang), format=",.1f"),
        alt.Tooltip("mapping_date:T", title=t("tyonjako.col.mapping_date", lang), format=DATE_FORMAT),
    ]
    rect = alt.Chart(data).mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        x=x, y=y,
        color=alt.Color("compliance_share:Q", title=share_title,
                        scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
                        legend=alt.Legend(format="%", orient="bottom", gradientLength=240)),
        tooltip=tooltip,
    )
    text = alt.Chart(data).mark_text(fontSize=11).encode(
        x=x, y=y, text=alt.Text("compliance_share:Q", format=".0%"),
        color=alt.condition("datum.compliance_share < 0.6", alt.value("#ffffff"), alt.value("#000000")),
        tooltip=tooltip,
    )
    # A step per row (not a total height): Streamlit fits a total height around axes and legend too.
    return finish(alt.layer(rect, text).properties(height=alt.Step(22)), lang)


def misplaced_bars(rows: pl.DataFrame, role_names: dict[str, str], lang: str = "fi") -> alt.Chart:
    """Stacked horizontal bars: per task the hours/week that other roles than the owner do, by performing role."""
    data = rows.filter(pl.col("hours_week") > 0).with_columns(
        pl.col("performer_role").replace_strict(role_names, default=pl.col("performer_role")).alias("performer"),
        pl.col("owner_role").replace_strict(role_names, default=pl.col("owner_role")).alias("owner"),
    )
    order = (
        data.group_by("task_name").agg(pl.col("hours_week").sum()).sort("hours_week", descending=True)["task_name"]
        .to_list()
    )
    codes = [c for c in ROLE_COLOURS if c in set(data["performer_role"].to_list())]
    codes += sorted(set(data["performer_role"].to_list()) - set(codes))
    domain = [role_names.get(c, c) for c in codes]
    colours = [ROLE_COLOURS.get(c, "#bdbdbd") for c in codes]
    hours_title = t("tyonjako.chart.hours_axis", lang)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("task_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=300, labelOverlap=False)),
        x=alt.X("hours_week:Q", title=hours_title, stack="zero"),
        color=alt.Color("performer:N", title=t("tyonjako.col.performer", lang),
                        scale=alt.Scale(domain=domain, range=colours)),
        order=alt.Order("performer:N"),
        tooltip=[
            alt.Tooltip("task_name:N", title=t("tyonjako.col.task", lang)),
            alt.Tooltip("task_group:N", title=t("tyonjako.col.task_group", lang)),
            alt.Tooltip("owner:N", title=t("tyonjako.col.owner", lang)),
            alt.Tooltip("performer:N", title=t("tyonjako.col.performer", lang)),
            alt.Tooltip("hours_week:Q", title=hours_title, format=",.1f"),
            alt.Tooltip("previous_hours_week:Q", title=t("tyonjako.col.previous_hours", lang), format=",.1f"),
            alt.Tooltip("change_from_previous:Q", title=t("tyonjako.col.change_hours", lang), format="+,.1f"),
        ],
    ).properties(height=alt.Step(20))
    return finish(chart, lang)


def rounds_dots(rounds: pl.DataFrame, round_label: str, lang: str = "fi") -> alt.LayerChart:
    """Compliance share of each mapping round per station: a grey line from the lowest to the highest round and
    one dot per round (later rounds darker). `round_label` is the legend text with a {n} placeholder."""
    data = rounds.with_columns(
        pl.col("round_no").map_elements(lambda n: round_label.format(n=n), return_dtype=pl.String).alias("round")
    )
    labels = [round_label.format(n=n) for n in sorted(data["round_no"].unique().to_list())]
    latest = data.filter(pl.col("is_latest")).sort("compliance_share")["station_name"].to_list()
    y = alt.Y("station_name:N", title=None, sort=latest, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    span = data.group_by("station_id", "station_name").agg(
        pl.col("compliance_share").min().alias("low"), pl.col("compliance_share").max().alias("high")
    )
    share_title = t("tyonjako.chart.share_axis", lang)
    line = alt.Chart(span).mark_rule(color="#b0b0b0", strokeWidth=2).encode(
        y=y, x=alt.X("low:Q", title=share_title), x2="high:Q"
    )
    dots = alt.Chart(data).mark_point(filled=True, size=80, opacity=1).encode(
        y=y,
        x=alt.X("compliance_share:Q", title=share_title, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("round:N", title=t("tyonjako.chart.round", lang),
                        scale=alt.Scale(domain=labels, range=_round_range(len(labels)))),
        shape=alt.Shape("round:N", title=t("tyonjako.chart.round", lang), scale=alt.Scale(domain=labels)),
        tooltip=[
            alt.Tooltip("station_name:N", title=t("tyonjako.col.station", lang)),
            alt.Tooltip("round:N", title=t("tyonjako.chart.round", lang)),
            alt.Tooltip("mapping_date:T", title=t("tyonjako.col.mapping_date", lang), format=DATE_FORMAT),
            alt.Tooltip("compliance_share:Q", title=t("tyonjako.col.compliance", lang), format=".1%"),
            alt.Tooltip("change_from_previous:Q", title=t("tyonjako.col.change_pp", lang), format="+.1%"),
            alt.Tooltip("total_hours_week:Q", title=t("tyonjako.col.total_hours", lang), format=",.1f"),
        ],
    )
    return finish(alt.layer(line, dots).properties(height=alt.Step(20)), lang)


def clinician_bars(hours: pl.DataFrame, lang: str = "fi") -> alt.Chart:
    """Grouped horizontal bars per station: clinician admin hours/week in the first round (light) and in the
    latest round (dark)."""
    first, latest = t("tyonjako.series.first_round", lang), t("tyonjako.series.latest_round", lang)
    long = pl.concat([
        hours.select("station_id", "station_name", pl.lit(first).alias("round"),
                     pl.col("first_mapping_date").alias("mapping_date"), pl.col("first_hours_week").alias("hours")),
        hours.select("station_id", "station_name", pl.lit(latest).alias("round"),
                     pl.col("latest_mapping_date").alias("mapping_date"), pl.col("latest_hours_week").alias("hours")),
    ]).join(hours.select("station_id", "change_hours_week"), on="station_id")
    order = hours.sort("latest_hours_week", descending=True)["station_name"].to_list()
    hours_title = t("tyonjako.chart.clinician_axis", lang)
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("station_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
        yOffset=alt.YOffset("round:N", sort=[first, latest]),
        x=alt.X("hours:Q", title=hours_title),
        color=alt.Color("round:N", title=None, sort=[first, latest],
                        scale=alt.Scale(domain=[first, latest], range=[CATEGORICAL[2], CATEGORICAL[0]])),
        tooltip=[
            alt.Tooltip("station_name:N", title=t("tyonjako.col.station", lang)),
            alt.Tooltip("round:N", title=t("tyonjako.chart.round", lang)),
            alt.Tooltip("mapping_date:T", title=t("tyonjako.col.mapping_date", lang), format=DATE_FORMAT),
            alt.Tooltip("hours:Q", title=hours_title, format=",.1f"),
            alt.Tooltip("change_hours_week:Q", title=t("tyonjako.col.change_hours", lang), format="+,.1f"),
        ],
    ).properties(height=alt.Step(11))
    return finish(chart, lang)
