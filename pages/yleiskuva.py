"""Yleiskuva: the month at a glance for leadership."""

import streamlit as st

from dashboard import attention, fmt, overview, present, ui
from dashboard import queries_goals as qg
from dashboard.charts import overview as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.yleiskuva")
if ctx.month is None:
    st.info(t("empty.no_months"))
    st.stop()

series = overview.series(ctx.db, ctx.scope, ctx.municipality, ctx.station_id)
k = overview.kpis(series, ctx.month)
st.subheader(t("overview.heading", month=fmt.month_name(ctx.month, ctx.lang), unit=fmt.md_text(ctx.unit_label)))


def _report_pdf() -> bytes:
    """The month's report for the chosen unit and the user's scope (made only when the button is pressed)."""
    from dashboard import report

    unit = report.Unit(ctx.municipality if not ctx.station_id else None, ctx.station_id)
    return report.pdf(ctx.db, ctx.scope, ctx.month, unit, ctx.lang)


stem = f"{t('raportti.file_stem')}_{ctx.month:%Y-%m}"
st.download_button(
    t("raportti.download"), _report_pdf, f"{stem}.pdf", "application/pdf", key="report_pdf",
    help=t("raportti.download_help"), on_click="ignore", icon=":material/picture_as_pdf:",
)

row1 = st.columns(4)
live, total = k["stations_live"], k["stations_total"]
row1[0].metric(
    t("overview.stations_live"),
    f"{fmt.integer(live.value)} / {fmt.integer(total.value)}",
    fmt.signed(live.delta, 0) if live.delta else None,
    help=t("overview.stations_live_help"), **present.delta_style(live.delta, "up"),
)
comp = k["compliance_share"]
row1[1].metric(
    t("overview.compliance"), fmt.percent(comp.value),
    fmt.signed_points(comp.delta) if comp.delta is not None else None,
    help=t("overview.compliance_help"), **present.delta_style(comp.delta, "up", 0.0005),
)
clin = k["clinician_admin_hours_week"]
row1[2].metric(
    t("overview.clinician_hours"), fmt.hours(clin.value),
    fmt.signed(clin.delta) + " " + t("overview.since_first_round") if clin.delta is not None else None,
    help=t("overview.clinician_hours_help"), **present.delta_style(clin.delta, "down", 0.05),
)
sick = k["sick_leave_rate"]
row1[3].metric(
    t("overview.sick_leave"),
    fmt.percent(sick.value) if sick.value is not None else t("suppressed.short"),
    fmt.signed_points(sick.delta) if sick.delta is not None else None,
    help=t("overview.sick_leave_help"), **present.delta_style(sick.delta, "down", 0.0005),
)

row2 = st.columns(4)
pidx, part, enps = k["pulssi_index"], k["participation_rate"], k["enps"]
has_pulssi = part.value is not None or pidx.value is not None
row2[0].metric(
    t("overview.pulssi_index"),
    fmt.number(pidx.value, 2) if pidx.value is not None else (t("suppressed.short") if has_pulssi else "–"),
    fmt.signed(pidx.delta, 2) if pidx.delta is not None else None,
    help=t("overview.pulssi_index_help"), **present.delta_style(pidx.delta, "up", 0.005),
)
row2[1].metric(
    t("overview.participation"), fmt.percent(part.value, 0) if part.value is not None else "–",
    fmt.signed_points(part.delta) if part.delta is not None else None, **present.delta_style(part.delta, "up", 0.005),
)
row2[2].metric(
    t("overview.enps"), fmt.number(enps.value, 0) if enps.value is not None else "–",
    fmt.signed(enps.delta, 0) if enps.delta is not None else None, **present.delta_style(enps.delta, "up", 0.5),
)
if not has_pulssi:
    row2[3].info(t("empty.no_pulssi_month"))

# --- Huomiot: what needs attention, each with a link to the page where its figure shows ----------------------
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#$~|"})
found = attention.items(ctx.db, ctx.scope, ctx.month, ctx.municipality, ctx.station_id, ctx.lang)
with st.container(border=True):
    st.markdown(f"#### {t('huomiot.heading')}")
    if not found:
        st.caption(t("huomiot.none"))
    for rule, items, _ in attention.grouped(found, ctx.lang):
        # A short list is open; a long one (e.g. participation at many stations) is folded, with its count.
        with st.expander(f"{t(f'huomiot.title.{rule}')} ({len(items)})", expanded=len(items) <= 3):
            for item in items:
                text_col, link_col = st.columns([5, 1], vertical_alignment="center")
                # Data (station names, question topics) is shown as written, not read as Markdown.
                text_col.markdown(attention.describe(item, ctx.lang).translate(_MARKDOWN_SPECIAL))
                page_key = item.page.removeprefix("pages/").removesuffix(".py")
                if item.page != "pages/tiedot.py" or ctx.scope.can_upload:  # Tiedot is the project manager's
                    link_col.page_link(item.page, label=t(f"nav.{page_key}"), icon=":material/arrow_forward:")
    st.caption(t("huomiot.caption"))

st.markdown(f"#### {t('overview.trends')}")
trend_cols = st.columns(4)
for col, (column, title, number_format) in zip(
    trend_cols,
    (
        ("compliance_share", t("overview.compliance"), ".0%"),
        ("pulssi_index", t("overview.pulssi_index"), ",.2f"),
        ("participation_rate", t("overview.participation"), ".0%"),
        ("sick_leave_rate", t("overview.sick_leave"), ".1%"),
    ),
    strict=True,
):
    col.caption(title)
    if series[column].drop_nulls().is_empty():
        col.caption(t("empty.no_series"))
    else:
        col.altair_chart(charts.sparkline(series, column, title, number_format, ctx.lang), width="stretch")

st.markdown(f"#### {t('overview.goals')}")
goals = present.with_texts(qg.goal_progress(ctx.db, ctx.lang), ctx.lang) if qg.has_goal_marts(ctx.db) else None
if goals is None or goals.is_empty():
    st.info(t("empty.no_goals"))
else:
    labels = {code: t(f"goal_status.{code}") for code in charts.GOAL_STATUS_COLOURS}
    st.altair_chart(charts.goal_bars(goals, labels, ctx.lang), width="stretch")
    ui.table(
        present.status_labelled(goals, labels),
        {
            "goal_id": t("goals.goal"), "name": t("goals.indicator"), "baseline_text": t("goals.baseline"),
            "current_text": t("goals.current"), "target_text": t("goals.target"),
            "progress_text": t("goals.progress_pct"), "status_label": t("goals.status"),
        },
        key="overview_goals", file_stem="tavoitteet_yhteenveto",
    )
