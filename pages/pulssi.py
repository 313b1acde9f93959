"""Pulssi: monthly trends per question, stations × questions, participation, eNPS, the unit's figures, comments."""

import streamlit as st

from dashboard import fmt, present, ui
from dashboard import queries_pulssi as qp
from dashboard.charts import pulssi as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.pulssi", role_group=True)
months = qp.pulssi_months(ctx.db)
if not months:
    st.info(t("pulssi.empty"))
    st.stop()

lang, k = ctx.lang, qp.k_anonymity(ctx.db)
unit = fmt.md_text(ctx.unit_label)
month = ctx.month if ctx.month is not None else months[-1]
month_text = fmt.month_name(month, lang)
has_month = month in months
series_labels = {present.REGION: t("filter.region")}
if not qp.is_region(ctx.municipality, ctx.station_id):
    series_labels[present.UNIT] = ctx.unit_label

st.subheader(t("pulssi.heading", month=month_text, unit=unit))
if ctx.role_group:
    st.caption(t("pulssi.role_group_note", group=t(f"role_group.{ctx.role_group}")))
st.caption(t("pulssi.privacy_note", k=k))
if not has_month:
    st.info(t("pulssi.no_month", month=month_text))


def _shown(value: float | None, suppressed: bool, text: str) -> str:
    """A metric's text: the value, or 'piilotettu' for a suppressed group, or '–' when there is none."""
    if suppressed:
        return t("pulssi.suppressed_short")
    return text if value is not None else fmt.MISSING


def _delta(delta: float | None) -> dict[str, object]:
    """st.metric arguments for a change shown with a real minus sign (Streamlit only sees a '-' as negative)."""
    if delta is None:
        return {"delta": None}
    text = fmt.signed(delta, 0, lang)
    if text == fmt.signed(0, 0, lang):
        return {"delta": text, "delta_arrow": "off", "delta_color": "off"}
    down = delta < 0
    return {"delta": text, "delta_arrow": "down" if down else "up", "delta_color": "red" if down else "green"}


# --- key figures of the month -------------------------------------------------------------------------
enps_id = qp.enps_question(ctx.db)
figures = qp.unit_figures(ctx.db, ctx.scope, month, ctx.municipality, ctx.station_id, ctx.role_group, lang)
if has_month:
    cols = st.columns(4)
    if figures.is_empty():
        cols[0].info(t("pulssi.no_unit_month", unit=unit, month=month_text))
    else:
        first = figures.row(0, named=True)
        cols[0].metric(
            t("pulssi.metric.participation", unit=unit), fmt.percent(first["participation_rate"], 0, lang),
            help=t("pulssi.metric.participation_help"),
        )
        cols[1].metric(t("pulssi.metric.responses", unit=unit), fmt.integer(first["responses"], lang))
    if enps_id is not None:
        enps_trend = qp.question_trend(ctx.db, ctx.scope, enps_id, ctx.municipality, ctx.station_id, ctx.role_group)
        for col, series, label in (
            (cols[2], present.REGION, t("pulssi.metric.enps_region")),
            (cols[3], present.UNIT, t("pulssi.metric.enps_unit", unit=unit)),
        ):
            if series not in series_labels:
                continue
            v = qp.month_value(enps_trend, series, month)
            col.metric(
                label,
                _shown(v.value, v.suppressed, fmt.number(v.value, 0, lang)),
                help=present.suppression_text(v.reason, k, lang) if v.suppressed else t("pulssi.metric.enps_help"),
                **_delta(v.delta),
            )

# --- trend per question -------------------------------------------------------------------------------
st.markdown(f"#### {t('pulssi.section.trend')}")
catalogue = qp.question_catalogue(ctx.db, lang)
likert = catalogue.filter(catalogue["question_type"] == present.LIKERT)
labels = {
    row["question_id"]: present.question_label(row["question_id"], row["question_text"], lang)
    for row in likert.iter_rows(named=True)
}
texts = dict(zip(catalogue["question_id"].to_list(), catalogue["question_text"].to_list(), strict=True))
if labels:
    if st.session_state.get("pulssi_question") not in labels:
        st.session_state.pop("pulssi_question", None)
    question_id = st.selectbox(
        t("pulssi.question"), list(labels), format_func=lambda q: labels[q], key="pulssi_question",
    )
    st.caption(fmt.md_text(texts.get(question_id) or ""))
    trend = qp.question_trend(ctx.db, ctx.scope, question_id, ctx.municipality, ctx.station_id, ctx.role_group)
    if trend.is_empty():
        st.info(t("pulssi.trend.no_series"))
    else:
        st.altair_chart(charts.trend_chart(trend, series_labels, present.LIKERT, k, lang), width="stretch")
        st.caption(t("pulssi.trend.caption"))

if has_month:
    # --- stations × questions ---------------------------------------------------------------------------
    st.markdown(f"#### {t('pulssi.section.comparison')}")
    comparison = qp.station_comparison(ctx.db, ctx.scope, month, ctx.municipality, ctx.role_group, lang)
    if comparison.is_empty():
        st.info(t("pulssi.comparison.empty"))
    else:
        st.altair_chart(charts.comparison_chart(comparison, k, lang), width="stretch")
        st.caption(t("pulssi.comparison.caption"))
        with st.expander(t("pulssi.comparison.table")):
            ui.table(
                charts.for_table(present.with_privacy_text(comparison, k, lang)),
                {
                    "name": t("pulssi.column.station"), "municipality": t("pulssi.column.municipality"),
                    "question_text": t("pulssi.column.question"), "respondents": t("pulssi.column.respondents"),
                    "mean_score": t("pulssi.column.mean"), "region_mean": t("pulssi.column.region_mean"),
                    "difference": t("pulssi.column.difference"), "privacy": t("pulssi.column.privacy"),
                },
                key="pulssi_comparison", decimals={"mean_score": 2, "region_mean": 2, "difference": 2},
                file_stem=f"pulssi_asemat_{fmt.month_text(month).replace('/', '_')}",
            )

    # --- participation ----------------------------------------------------------------------------------
    st.markdown(f"#### {t('pulssi.section.participation')}")
    participation = qp.station_participation(ctx.db, ctx.scope, month, ctx.municipality, ctx.role_group, lang)
    if participation.is_empty():
        st.info(t("pulssi.participation.empty"))
    else:
        st.altair_chart(charts.participation_chart(participation, lang), width="stretch")
        st.caption(t("pulssi.participation.caption"))
        with st.expander(t("pulssi.participation.table")):
            ui.table(
                charts.for_table(participation),
                {
                    "name": t("pulssi.column.station"), "municipality": t("pulssi.column.municipality"),
                    "responses": t("pulssi.column.responses"), "headcount": t("pulssi.column.headcount"),
                    "participation_rate": t("pulssi.column.participation"),
                },
                key="pulssi_participation", percent=("participation_rate",),
                file_stem=f"pulssi_vastausaste_{fmt.month_text(month).replace('/', '_')}",
            )

# --- eNPS trend ---------------------------------------------------------------------------------------
st.markdown(f"#### {t('pulssi.section.enps')}")
if enps_id is None:
    st.info(t("pulssi.enps.no_question"))
else:
    enps_all = qp.question_trend(ctx.db, ctx.scope, enps_id, ctx.municipality, ctx.station_id, ctx.role_group)
    if enps_all.is_empty():
        st.info(t("pulssi.trend.no_series"))
    else:
        st.altair_chart(charts.trend_chart(enps_all, series_labels, present.ENPS, k, lang), width="stretch")
        st.caption(t("pulssi.enps.caption", text=fmt.md_text(texts.get(enps_id) or enps_id)))

if has_month:
    # --- the unit's figures per question ----------------------------------------------------------------
    st.markdown(f"#### {t('pulssi.section.table')}: {unit}")
    if figures.is_empty():
        st.info(t("pulssi.no_unit_month", unit=unit, month=month_text))
    else:
        ui.table(
            charts.for_table(present.with_privacy_text(figures, k, lang)),
            {
                "question_text": t("pulssi.column.question"), "respondents": t("pulssi.column.respondents"),
                "mean_score": t("pulssi.column.mean"), "favourable_share": t("pulssi.column.favourable"),
                "enps": t("pulssi.column.enps"), "participation_rate": t("pulssi.column.participation"),
                "privacy": t("pulssi.column.privacy"),
            },
            key="pulssi_unit", percent=("favourable_share", "participation_rate"),
            decimals={"mean_score": 2, "enps": 0},
            file_stem=f"pulssi_{fmt.month_text(month).replace('/', '_')}",
        )

    # --- comments ---------------------------------------------------------------------------------------
    st.markdown(f"#### {t('pulssi.section.comments')}")
    found = qp.unit_comments(ctx.db, ctx.scope, month, ctx.municipality, ctx.station_id)
    st.caption(t("pulssi.comments.intro", minimum=found.minimum))
    if found.status == "shown":
        st.caption(t("pulssi.comments.count", count=fmt.integer(found.comments.height, lang)))
        ui.table(
            found.comments, {"comment": t("pulssi.column.comment")}, key="pulssi_comments",
            file_stem=f"pulssi_kommentit_{fmt.month_text(month).replace('/', '_')}",
        )
    else:
        st.info(t(f"pulssi.comments.{found.status}", unit=unit, responses=found.responses, minimum=found.minimum))

st.caption(t("pulssi.before_after_note"))
