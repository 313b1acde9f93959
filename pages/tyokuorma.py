"""Työkuorma: load ratio per station and month, required vs capacity hours, FTE and absences, the spread."""

import polars as pl
import streamlit as st

from dashboard import fmt, present, ui
from dashboard import queries_workload as qw
from dashboard import scope as scope_rules
from dashboard.charts import workload as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.tyokuorma")
if ctx.month is None or qw.unit_series(ctx.db).is_empty():
    st.info(t("tyokuorma.empty"))
    st.stop()

region_series = qw.unit_series(ctx.db, None, ctx.scope)
unit_series = qw.unit_series(ctx.db, ctx.municipality, ctx.scope) if ctx.municipality else region_series
region = qw.kpis(region_series, ctx.month)
if not region:
    st.info(t("tyokuorma.empty_month"))
    st.stop()
unit = qw.kpis(unit_series, ctx.month)
region_label = t("filter.region")
unit_name = fmt.md_text(ctx.municipality or region_label)
# Totals that, without the manager's own stations, hold fewer than two other stations (dashboard/scope.py).
region_hidden = qw.hidden_total(region_series, ctx.month)
unit_hidden = qw.hidden_total(unit_series, ctx.month)
month_name = fmt.month_name(ctx.month, ctx.lang)
st.subheader(t("tyokuorma.heading", month=month_name, unit=fmt.md_text(ctx.unit_label)))


def ratio_text(value: float | None) -> str:
    """A load ratio with two decimals, or a word when it cannot be computed."""
    return fmt.number(value, 2, ctx.lang) if value is not None else t("tyokuorma.metric.no_value")


def ratio_delta(delta: float | None) -> str | None:
    """The change of a load ratio from the month before."""
    return fmt.signed(delta, 2, ctx.lang) if delta is not None else None


# --- key figures: region, municipality, station -------------------------------------------------------------
cols = st.columns(3)
if region_hidden:
    cols[0].caption(t("tyokuorma.privacy.hidden_total", unit=region_label))
else:
    cols[0].metric(
        t("tyokuorma.metric.region"), ratio_text(region["load_ratio"].value), ratio_delta(region["load_ratio"].delta),
        help=t("tyokuorma.metric.help"), **present.delta_style(region["load_ratio"].delta),
    )
if ctx.municipality and unit_hidden:
    cols[1].caption(t("tyokuorma.privacy.hidden_total", unit=fmt.md_text(ctx.municipality)))
elif ctx.municipality and unit:
    cols[1].metric(
        t("tyokuorma.metric.unit", unit=fmt.md_text(ctx.municipality)), ratio_text(unit["load_ratio"].value),
        ratio_delta(unit["load_ratio"].delta), help=t("tyokuorma.metric.help"),
        **present.delta_style(unit["load_ratio"].delta),
    )
if ctx.station_id:
    station = qw.station_kpi(ctx.db, ctx.scope, ctx.month, ctx.station_id)
    cols[2].metric(
        t("tyokuorma.metric.unit", unit=fmt.md_text(ctx.station_name(ctx.station_id))), ratio_text(station.value),
        ratio_delta(station.delta), help=t("tyokuorma.metric.station_help"), **present.delta_style(station.delta),
    )

# --- spread across stations ---------------------------------------------------------------------------------
spread_hidden = unit_hidden if unit else region_hidden
st.markdown(f"#### {t('tyokuorma.section.spread', unit=unit_name if unit else region_label)}")
spread = unit or region
spread_frame = unit_series if unit else region_series
if spread_hidden:
    st.info(t("tyokuorma.privacy.hidden_total", unit=unit_name if unit else region_label))
else:
    s1, s2, s3 = st.columns(3)
    cv, over, low, high, width = (spread[c] for c in ("load_ratio_cv", "overload_share", "load_ratio_min",
                                                       "load_ratio_max", "load_ratio_range"))
    # The two shares (a lower value is better) as a metric with its sparkline.
    shares = ((s1, cv, "load_ratio_cv", "cv", 1), (s2, over, "overload_share", "over", 0))
    for col, kpi, column, name, decimals in shares:
        col.metric(
            t(f"tyokuorma.spread.{name}"), fmt.percent(kpi.value, decimals, ctx.lang),
            fmt.signed_points(kpi.delta, decimals, ctx.lang) if kpi.delta is not None else None,
            help=t(f"tyokuorma.spread.{name}_help"), **present.delta_style(kpi.delta, "down"),
        )
        col.altair_chart(charts.spread_spark(spread_frame, column, t(f"tyokuorma.spread.{name}"), f".{decimals}%",
                                             ctx.lang), width="stretch")
    s3.metric(
        t("tyokuorma.spread.range"), f"{fmt.number(low.value, 2, ctx.lang)} – {fmt.number(high.value, 2, ctx.lang)}",
        ratio_delta(width.delta), help=t("tyokuorma.spread.range_help"), **present.delta_style(width.delta, "down"),
    )
    s3.altair_chart(charts.range_spark(spread_frame, ctx.lang), width="stretch")

# --- stations of the month ----------------------------------------------------------------------------------
rows = qw.station_month(ctx.db, ctx.scope, ctx.month, ctx.municipality, ctx.lang)
if rows.is_empty():
    st.info(t("tyokuorma.no_stations"))
else:
    references = qw.reference_values(ctx.db, ctx.month, ctx.municipality, region_label, ctx.municipality, ctx.scope)
    left, right = st.columns(2)
    with left:
        st.markdown(f"#### {t('tyokuorma.section.ratio')}")
        if rows["load_ratio"].drop_nulls().is_empty():
            st.info(t("tyokuorma.no_ratio"))
        else:
            st.altair_chart(charts.load_ratio_bars(rows, references, ctx.station_id, qw.LOW, qw.HIGH, ctx.lang),
                            width="stretch")
    with right:
        st.markdown(f"#### {t('tyokuorma.section.hours')}")
        st.altair_chart(charts.hours_dots(rows, ctx.station_id, ctx.lang), width="stretch")

    st.markdown(f"#### {t('tyokuorma.section.table')}")
    k = qw.k_anonymity(ctx.db)  # the k the shown suppression was decided with
    shown = qw.with_sick_leave_text(
        rows, k, t("tyokuorma.suppressed_small", k=k), t("tyokuorma.suppressed_hidden")
    ).with_columns(
        pl.when(pl.col("capacity_estimated") & (pl.col("secretary_fte") > 0))
        .then(pl.lit(t("tyokuorma.privacy.estimated_yes"))).otherwise(pl.lit("")).alias("estimated_text")
    )
    ui.table(
        shown,
        {
            "station_name": t("tyokuorma.col.station"), "municipality": t("tyokuorma.col.municipality"),
            "secretary_fte": t("tyokuorma.col.secretary_fte"),
            "secretary_net_fte": t("tyokuorma.col.secretary_net_fte"),
            "capacity_hours_week": t("tyokuorma.col.capacity"), "required_hours_week": t("tyokuorma.col.required"),
            "load_ratio": t("tyokuorma.col.load_ratio"), "estimated_text": t("tyokuorma.privacy.estimated_col"),
            "headcount": t("tyokuorma.col.headcount"),
            "sick_leave_text": t("tyokuorma.col.sick_leave"), "mapping_date": t("tyokuorma.col.mapping_date"),
        },
        key="tyokuorma_stations",
        decimals={"secretary_fte": 2, "secretary_net_fte": 2, "capacity_hours_week": 1, "required_hours_week": 1,
                  "load_ratio": 2},
        dates=("mapping_date",),
        file_stem=f"tyokuorma_{ctx.month:%Y-%m}",
    )
    st.caption(t("tyokuorma.table_note", k=k))
    if qw.has_estimated(rows):
        st.caption(t("tyokuorma.privacy.estimated_note", k=k))
    if ctx.station_id and scope_rules.sees_actual_capacity(ctx.scope, ctx.station_id):
        actual = qw.actual_capacity(ctx.db, ctx.scope, ctx.station_id).filter(pl.col("month") == ctx.month)
        if not actual.is_empty():
            row = actual.row(0, named=True)
            with st.expander(t("tyokuorma.privacy.actual_heading")):
                st.write(t(
                    "tyokuorma.privacy.actual_text", month=month_name,
                    net=fmt.number(row["secretary_net_fte"], 2, ctx.lang),
                    capacity=fmt.number(row["capacity_hours_week"], 1, ctx.lang), ratio=ratio_text(row["load_ratio"]),
                ))

# --- trend --------------------------------------------------------------------------------------------------
st.markdown(f"#### {t('tyokuorma.section.trend')}")
trend = qw.station_trend(ctx.db, ctx.scope, ctx.municipality, ctx.lang)
trend_refs = qw.reference_series(ctx.db, ctx.municipality, region_label, ctx.municipality, ctx.scope)
if trend["load_ratio"].drop_nulls().is_empty() and trend_refs["value"].drop_nulls().is_empty():
    st.info(t("tyokuorma.no_trend"))
else:
    st.altair_chart(
        charts.load_ratio_trend(trend, trend_refs, ctx.station_id, ctx.month, qw.LOW, qw.HIGH, lang=ctx.lang),
        width="stretch",
    )
    caption = t("tyokuorma.trend_caption")
    if ctx.station_id:
        caption += " " + t("tyokuorma.trend_caption_chosen", name=fmt.md_text(ctx.station_name(ctx.station_id)))
    st.caption(caption)
