"""Käyttöönotto: waves, planned and actual go-live, status counts, the status table and the question log."""

from datetime import date

import polars as pl
import streamlit as st

from dashboard import fmt, queries, ui
from dashboard import queries_rollout as qr
from dashboard.charts import rollout as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.kayttoonotto", month=False)
if queries.stations(ctx.db).is_empty():
    st.info(t("rollout.empty"))
    st.stop()

lang = ctx.lang
today = date.today()
counts_unit = fmt.md_text(ctx.municipality or t("filter.region"))
status_labels = {s: t(f"rollout_status.{s}") for s in qr.STATUSES}

# Every figure under a heading belongs to the unit the heading names: the status counts are the municipality's or
# the region's, so they stand under that unit's heading, and a chosen station's rows under the station's own.
st.subheader(t("rollout.heading", unit=counts_unit))

# --- status counts (municipality or region totals, which every user may see) --------------------------
counts = qr.status_counts(ctx.db, ctx.municipality)
region_wide = qr.region_wide_questions(ctx.db)
cols = st.columns(len(qr.STATUSES) + 1)
for col, row in zip(cols, counts.iter_rows(named=True), strict=False):
    col.metric(
        status_labels[row["status"]], fmt.integer(row["stations"], lang),
        help=t("rollout.metric.status_help", status=status_labels[row["status"]].lower()),
    )
cols[-1].metric(
    t("rollout.metric.open_questions"), fmt.integer(int(counts["open_questions"].sum()) + region_wide["open"], lang),
    help=t("rollout.metric.open_help", region_wide=region_wide["open"]),
)
st.caption(t("rollout.counts_scope", unit=counts_unit))

if fmt.md_text(ctx.unit_label) != counts_unit:
    st.subheader(t("rollout.heading", unit=fmt.md_text(ctx.unit_label)))
table = qr.status_table(ctx.db, ctx.scope, ctx.municipality, ctx.station_id, lang)
if table.is_empty():
    st.info(t("rollout.no_stations"))
else:
    # --- timeline -------------------------------------------------------------------------------------
    st.markdown(f"#### {t('rollout.section.timeline')}")
    timeline = qr.timeline(ctx.db, ctx.scope, ctx.municipality, ctx.station_id, lang)
    if timeline.is_empty():
        st.info(t("rollout.timeline.empty"))
    else:
        st.altair_chart(charts.timeline_chart(timeline, today, lang), width="stretch")
        st.caption(t("rollout.timeline.caption"))
    undated = table.filter(pl.col("planned_go_live").is_null() & pl.col("go_live").is_null())["name"].to_list()
    if undated:
        st.caption(t("rollout.timeline.no_dates", names=", ".join(fmt.md_text(n) for n in undated)))

    # --- status table ---------------------------------------------------------------------------------
    st.markdown(f"#### {t('rollout.section.table')}")
    ui.table(
        table.with_columns(pl.col("status").replace_strict(status_labels, default=pl.col("status"))),
        {
            "name": t("rollout.column.station"), "municipality": t("rollout.column.municipality"),
            "wave": t("rollout.column.wave"), "planned_go_live": t("rollout.column.planned"),
            "go_live": t("rollout.column.actual"), "status": t("rollout.column.status"),
            "delay_days": t("rollout.column.delay"), "open_questions": t("rollout.column.open_questions"),
            "resolved_questions": t("rollout.column.resolved_questions"),
            "median_days_to_resolve": t("rollout.column.median_days"),
        },
        key="rollout_status", dates=("planned_go_live", "go_live"), decimals={"median_days_to_resolve": 0},
        file_stem="kayttoonotto_tila",
    )

# --- question log -------------------------------------------------------------------------------------
st.markdown(f"#### {t('rollout.section.questions')}")
log = qr.question_log(ctx.db, ctx.scope, ctx.municipality, ctx.station_id)
if log.is_empty():
    st.info(t("rollout.questions.empty"))
else:
    question_status = {qr.OPEN: t("rollout.questions.open"), qr.RESOLVED: t("rollout.questions.resolved")}
    ui.table(
        log.with_columns(
            pl.when(pl.col("region_wide")).then(pl.lit(t("rollout.questions.region_wide")))
            .otherwise(pl.col("station_id").map_elements(ctx.station_name, return_dtype=pl.String))
            .alias("station_name"),
            pl.col("status").replace_strict(question_status, default=pl.col("status")),
        ),
        {
            "question_no": t("rollout.column.question_no"), "opened": t("rollout.column.opened"),
            "station_name": t("rollout.column.station"), "topic": t("rollout.column.topic"),
            "status": t("rollout.column.question_status"), "resolved": t("rollout.column.resolved"),
            "age_days": t("rollout.column.age"),
        },
        key="rollout_questions", dates=("opened", "resolved"), file_stem="kayttoonotto_kysymysloki",
    )
    st.caption(t("rollout.questions.caption"))
