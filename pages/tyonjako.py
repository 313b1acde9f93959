"""Työnjaon toteutuminen: compliance per station and task group, tasks done by another role, change between rounds."""

import streamlit as st

from dashboard import fmt, present, ui
from dashboard import queries_labour as ql
from dashboard.charts import labour as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.tyonjako", month=False)
options = ql.round_options(ctx.db)
if not options:
    st.info(t("tyonjako.empty"))
    st.stop()


def round_text(option: ql.RoundSel) -> str:
    """The round selector's words for an option."""
    return t("tyonjako.round_latest") if option == ql.LATEST else t("tyonjako.round_n", n=option)


with st.sidebar:
    if st.session_state.get("f_round") not in options:
        st.session_state.pop("f_round", None)
    round_sel = st.selectbox(t("tyonjako.round"), options, format_func=round_text, key="f_round",
                             help=t("tyonjako.round_help"))

region_label = t("filter.region")
unit_name = fmt.md_text(ctx.municipality or region_label)
role_names = {code: t(f"tyonjako.role.{code}") for code in ql.ROLE_CODES}
st.subheader(t("tyonjako.heading", round=round_text(round_sel), unit=fmt.md_text(ctx.unit_label)))

# --- key figures --------------------------------------------------------------------------------------------
unit_total = ql.unit_compliance(ctx.db, round_sel, ctx.municipality).filter(ql.all_groups())
clinician = ql.unit_clinician(ctx.db, ctx.municipality)
cols = st.columns(3)
cols[0].metric(
    t("tyonjako.metric.unit", unit=unit_name),
    fmt.percent(unit_total["compliance_share"][0] if not unit_total.is_empty() else None, 1, ctx.lang),
    help=t("tyonjako.metric.unit_help"),
)
chosen_round = ql.station_round(ctx.db, ctx.scope, ctx.station_id, round_sel) if ctx.station_id else None
if ctx.station_id:
    change = chosen_round["change_from_previous"] if chosen_round else None
    cols[1].metric(
        t("tyonjako.metric.station", name=fmt.md_text(ctx.station_name(ctx.station_id))),
        fmt.percent(chosen_round["compliance_share"] if chosen_round else None, 1, ctx.lang),
        fmt.signed_points(change, 1, ctx.lang) if change is not None else None,
        help=t("tyonjako.metric.station_help"), **present.delta_style(change, "up"),
    )
cols[2].metric(
    t("tyonjako.metric.clinician", unit=unit_name), fmt.hours(clinician.value, 1, ctx.lang),
    f"{fmt.signed(clinician.delta, 1, ctx.lang)} {t('tyonjako.metric.since_first')}"
    if clinician.delta is not None else None,
    help=t("tyonjako.metric.clinician_help"), **present.delta_style(clinician.delta, "down"),
)

# --- heatmap ------------------------------------------------------------------------------------------------
st.markdown(f"#### {t('tyonjako.section.heatmap')}")
cells = ql.heatmap_table(ctx.db, ctx.scope, round_sel, ctx.municipality, ctx.lang, region_label,
                         t("tyonjako.all_groups"))
if cells.filter(ql.station_rows()).is_empty():
    st.info(t("tyonjako.no_station_round", round=round_text(round_sel)))
if not cells.is_empty():
    st.altair_chart(charts.compliance_heatmap(cells, ctx.lang), width="stretch")
    st.caption(t("tyonjako.heatmap_caption"))
    wide = ql.heatmap_wide(cells)
    groups = [c for c in wide.columns if c != "row_label"]
    ui.table(
        wide, {"row_label": t("tyonjako.col.unit"), **{g: f"{g} (%)" for g in groups}},
        key="tyonjako_heatmap", percent=tuple(groups), file_stem="tyonjako_tehtavaryhmat",
    )

# --- the chosen station's misplaced tasks -------------------------------------------------------------------
if not ctx.station_id:
    st.info(t("tyonjako.choose_station"))
else:
    name = fmt.md_text(ctx.station_name(ctx.station_id))
    st.markdown(f"#### {t('tyonjako.section.detail', name=name)}")
    if chosen_round is None:
        st.info(t("tyonjako.no_round_station", name=name, round=round_text(round_sel)))
    else:
        wrong = ql.with_role_names(ql.misplaced(ctx.db, ctx.scope, ctx.station_id, round_sel), role_names)
        if wrong.filter(ql.has_hours()).is_empty():
            st.info(t("tyonjako.no_misplaced", name=name))
        else:
            st.altair_chart(charts.misplaced_bars(wrong, role_names, ctx.lang), width="stretch")
        previous = chosen_round["previous_mapping_date"]
        st.caption(
            t("tyonjako.detail_caption", previous=fmt.date_text(previous)) if previous
            else t("tyonjako.detail_caption_first")
        )
        if not wrong.is_empty():
            ui.table(
                wrong,
                {
                    "task_name": t("tyonjako.col.task"), "task_group": t("tyonjako.col.task_group"),
                    "owner_name": t("tyonjako.col.owner"), "performer_name": t("tyonjako.col.performer"),
                    "hours_week": t("tyonjako.col.hours"), "previous_hours_week": t("tyonjako.col.previous_hours"),
                    "change_from_previous": t("tyonjako.col.change_hours"),
                    "mapping_date": t("tyonjako.col.mapping_date"),
                },
                key="tyonjako_tasks", dates=("mapping_date",), file_stem=f"tyonjako_tehtavat_{ctx.station_id}",
            )
            st.markdown(f"##### {t('tyonjako.section.by_role')}")
            ui.table(
                ql.with_role_names(ql.misplaced_by_role(wrong), role_names),
                {
                    "performer_name": t("tyonjako.col.performer"), "hours_week": t("tyonjako.col.hours"),
                    "previous_hours_week": t("tyonjako.col.previous_hours"),
                    "change_from_previous": t("tyonjako.col.change_hours"),
                },
                key="tyonjako_roles", file_stem=f"tyonjako_tekijat_{ctx.station_id}",
            )

# --- rounds per station -------------------------------------------------------------------------------------
st.markdown(f"#### {t('tyonjako.section.rounds')}")
rounds = ql.rounds_by_station(ctx.db, ctx.scope, ctx.municipality, ctx.lang)
if rounds.is_empty():
    st.info(t("tyonjako.no_stations"))
else:
    st.altair_chart(charts.rounds_dots(rounds, t("tyonjako.round_n"), ctx.lang), width="stretch")
    st.caption(t("tyonjako.rounds_caption"))
    ui.table(
        rounds,
        {
            "station_name": t("tyonjako.col.station"), "municipality": t("tyonjako.col.municipality"),
            "round_no": t("tyonjako.col.round_no"), "mapping_date": t("tyonjako.col.mapping_date"),
            "compliance_share": t("tyonjako.col.compliance"), "change_from_previous": t("tyonjako.col.change_pp"),
            "total_hours_week": t("tyonjako.col.total_hours"),
            "clinician_admin_hours_week": t("tyonjako.col.clinician_hours"),
        },
        key="tyonjako_rounds", percent=("compliance_share", "change_from_previous"), dates=("mapping_date",),
        file_stem="tyonjako_kierrokset",
    )

# --- clinician admin hours ----------------------------------------------------------------------------------
st.markdown(f"#### {t('tyonjako.section.clinician')}")
hours = ql.clinician_hours(ctx.db, ctx.scope, ctx.municipality, ctx.lang)
if hours.is_empty():
    st.info(t("tyonjako.no_stations"))
else:
    st.altair_chart(charts.clinician_bars(hours, ctx.lang), width="stretch")
    st.caption(t("tyonjako.clinician_caption"))
    ui.table(
        hours,
        {
            "station_name": t("tyonjako.col.station"), "municipality": t("tyonjako.col.municipality"),
            "first_mapping_date": t("tyonjako.col.first_date"), "first_hours_week": t("tyonjako.col.first_hours"),
            "latest_mapping_date": t("tyonjako.col.latest_date"), "latest_hours_week": t("tyonjako.col.latest_hours"),
            "change_hours_week": t("tyonjako.col.change_hours"), "rounds": t("tyonjako.col.rounds"),
        },
        key="tyonjako_clinician", dates=("first_mapping_date", "latest_mapping_date"),
        file_stem="tyonjako_kliinikot",
    )
