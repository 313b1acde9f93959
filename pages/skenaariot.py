"""Skenaariot: the what-if planner. Build changes, see before/after, let the planner propose FTE transfers, save."""

import polars as pl
import streamlit as st

from dashboard import fmt, ui
from dashboard.i18n import t
from dashboard.present import delta_style
from dashboard.scenarios import present, store
from dashboard.scenarios.model import ScenarioError, parse_scenario
from dashboard.scenarios.pdf import to_pdf
from dashboard.scenarios.projection import for_scope, project, read_base
from dashboard.scenarios.proposal import ProposalLimits, propose

ctx = ui.page_context(ui.session(), "nav.skenaariot", unit=False)
lang, scope = ctx.lang, ctx.scope
can_edit = scope.role != "johto"
st.caption(t("skenaariot.intro"))
if not scope.all_stations:
    st.caption(t("skenaariot.scope_note"))

base = read_base(ctx.db, ctx.month) if ctx.month else None
names = {s: ctx.station_name(s) for s in ctx.stations["station_id"].to_list()} if not ctx.stations.is_empty() else {}
task_names = dict(base.catalogue.select("task_id", "task_name").iter_rows()) if base else {}
own = [s for s in (base.stations["station_id"].to_list() if base else []) if scope.sees_station(s)]
municipality_of = dict(base.stations.select("station_id", "municipality").iter_rows()) if base else {}
own_munis = sorted({municipality_of[s] for s in own if municipality_of.get(s)})


def show_errors(exc: ScenarioError) -> None:
    """Every problem of a scenario as its own sentence."""
    for text in exc.texts(lang):
        st.error(text)


def delta(region: dict, figure: str) -> float | None:
    """After minus before of a region figure (None when either is empty)."""
    before, after = region[f"{figure}_before"], region[f"{figure}_after"]
    return after - before if before is not None and after is not None else None


def show_projection(projection, key: str) -> None:  # noqa: ANN001 - a Projection
    """Before/after figures, the chart, the tables and the downloads of one projection."""
    r = projection.region()
    rows = present.station_rows(for_scope(projection, scope), lang)
    c1, c2, c3, c4 = st.columns(4)
    ratio_delta = delta(r, "load_ratio")
    c1.metric(t("skenaariot.metric.region_ratio"), fmt.number(r["load_ratio_after"], 2, lang),
              fmt.signed(ratio_delta, 2, lang), **delta_style(ratio_delta, None, 0.005))
    cv_delta = delta(r, "load_ratio_cv")
    c2.metric(t("skenaariot.metric.cv"), fmt.percent(r["load_ratio_cv_after"], 1, lang),
              fmt.signed_points(cv_delta, 1, lang), **delta_style(cv_delta, "down", 0.0005))
    over_delta = delta(r, "overload_share")
    c3.metric(t("skenaariot.metric.over"), fmt.percent(r["overload_share_after"], 0, lang),
              fmt.signed_points(over_delta, 0, lang), **delta_style(over_delta, "down", 0.005))
    freed = projection.freed_clinician_hours
    c4.metric(t("skenaariot.metric.freed"), fmt.hours(freed, 1, lang), t("skenaariot.metric.freed_fte",
              fte=fmt.number(projection.fte(freed), 2, lang)), delta_arrow="off", delta_color="gray")
    st.write(t("skenaariot.freed", hours=fmt.number(freed, 1, lang), fte=fmt.number(projection.fte(freed), 2, lang)))
    if abs(projection.freed_clinical_hours) > 1e-9:
        st.write(t("skenaariot.freed_clinical", hours=fmt.signed(-projection.freed_clinical_hours, 1, lang)))
    back, left = present.band_changes(rows)
    st.write(t("skenaariot.back_in_band", names=", ".join(back)) if back else t("skenaariot.none_back"))
    if left:
        st.write(t("skenaariot.left_band", names=", ".join(left)))
    if rows["capacity_estimated"].any():
        st.caption(t("skenaariot.estimated_note", k=ui.k_anonymity(ctx.db)))
    st.markdown(f"#### {t('skenaariot.section.chart')}")
    st.altair_chart(present.before_after_chart(rows, lang), width="stretch")
    st.markdown(f"#### {t('skenaariot.section.region')}")
    ui.table(present.region_table(projection, lang),
             {"figure": t("skenaariot.col.figure"), "before": t("skenaariot.col.before"),
              "after": t("skenaariot.col.after"), "change": t("skenaariot.col.change")},
             key=f"{key}_region", file_stem="skenaario_alue")
    munis = projection.units.filter(~pl.col("is_region"))
    if not munis.is_empty():
        st.markdown(f"#### {t('skenaariot.section.municipalities')}")
        ui.table(munis, {"municipality": t("skenaariot.col.municipality"),
                         "load_ratio_before": t("skenaariot.col.ratio_before"),
                         "load_ratio_after": t("skenaariot.col.ratio_after"),
                         "stations_in_band_before": t("skenaariot.col.in_band_before"),
                         "stations_in_band_after": t("skenaariot.col.in_band_after"),
                         "clinician_admin_hours_week_before": t("skenaariot.col.clinician_before"),
                         "clinician_admin_hours_week_after": t("skenaariot.col.clinician_after")},
                 key=f"{key}_munis", decimals={"load_ratio_before": 2, "load_ratio_after": 2},
                 file_stem="skenaario_kunnat")
    st.markdown(f"#### {t('skenaariot.section.stations')}")
    ui.table(rows, present.station_columns(lang), key=f"{key}_stations", percent=present.STATION_PERCENT,
             decimals=present.STATION_DECIMALS, file_stem="skenaario_asemat")
    goals = present.goal_rows(projection, lang)
    if not goals.is_empty():
        st.markdown(f"#### {t('skenaariot.section.goals')}")
        ui.table(goals, {"indicator": t("skenaariot.col.indicator"), "baseline": t("skenaariot.col.baseline"),
                         "target": t("skenaariot.col.target"), "before": t("skenaariot.col.before"),
                         "after": t("skenaariot.col.after"), "progress_before": t("skenaariot.col.progress_before"),
                         "progress_after": t("skenaariot.col.progress_after")},
                 key=f"{key}_goals", percent=("progress_before", "progress_after"),
                 decimals={"baseline": 3, "target": 3, "before": 3, "after": 3}, file_stem="skenaario_tavoitteet")
    changes = present.describe(projection.scenario, names, task_names, lang)
    pdf = to_pdf(projection, rows.to_dicts(), changes, lang)
    st.download_button(t("skenaariot.pdf_download"), pdf, "skenaario.pdf", "application/pdf", key=f"{key}_pdf")


def current_scenario() -> dict:
    """The scenario being built, as plain data."""
    return {"name": st.session_state.get("sc_name") or t("skenaariot.default_name"), "base_month": ctx.month,
            "changes": list(st.session_state.get("sc_changes", []))}


def change_form() -> None:
    """Pick a kind of change, fill in its form, add it to the scenario."""
    assert base is not None
    kinds = ["reassign", "centralise", "staffing", "absence"]
    kind = st.selectbox(t("skenaariot.kind_label"), kinds, format_func=lambda k: t(f"skenaariot.kind.{k}"),
                        key="sc_kind")
    tasks = base.catalogue["task_id"].to_list()
    groups = sorted(set(base.catalogue["task_group"].to_list()))
    roles = list(present.ROLE_NAMES)
    with st.form(f"sc_form_{kind}", clear_on_submit=False):
        data: dict = {"kind": kind}
        if kind in ("reassign", "centralise", "absence"):
            picked = st.multiselect(t("skenaariot.form.stations"), own, format_func=names.get,
                                    key=f"sc_{kind}_stations", placeholder=t("skenaariot.form.choose"))
            muni = st.selectbox(t("skenaariot.form.all_of"), ["", *own_munis],
                                format_func=lambda m: m or t("skenaariot.form.none"), key=f"sc_{kind}_muni")
            data["stations"] = sorted(set(picked) | {s for s in own if muni and municipality_of.get(s) == muni})
        if kind in ("reassign", "centralise"):
            task = st.selectbox(t("skenaariot.form.task"), tasks,
                                format_func=lambda k: f"{k} {task_names.get(k, '')}", key=f"sc_{kind}_task")
            group = st.selectbox(t("skenaariot.form.task_group"), ["", *groups],
                                 format_func=lambda g: g or t("skenaariot.form.any_group"), key=f"sc_{kind}_group")
            data["task_id"], data["task_group"] = (None, group) if group else (task, None)
        if kind == "reassign":
            data["from_role"] = st.selectbox(t("skenaariot.form.from_role"), roles, index=roles.index("sairaanhoitaja"),
                                             format_func=lambda r: present.role_name(r, lang), key="sc_from")
            data["to_role"] = st.selectbox(t("skenaariot.form.to_role"), roles,
                                           index=roles.index("terveyskeskusavustaja"),
                                           format_func=lambda r: present.role_name(r, lang), key="sc_to")
            amount = st.radio(t("skenaariot.form.amount"), ["all", "share", "hours"], horizontal=True,
                              format_func=lambda a: t(f"skenaariot.form.amount_{a}"), key="sc_amount")
            share = st.number_input(t("skenaariot.form.share"), 1, 100, 50, key="sc_share")
            hours = st.number_input(t("skenaariot.form.hours"), 0.5, 200.0, 2.0, step=0.5, key="sc_hours")
            data["share"] = share / 100 if amount == "share" else None
            data["hours_week"] = hours if amount == "hours" else None
            data["owner_follows"] = st.checkbox(t("skenaariot.form.owner_follows"), key="sc_owner")
        elif kind == "centralise":
            target = st.selectbox(t("skenaariot.form.to_station"), ["", *own],
                                  format_func=lambda s: names.get(s, s) if s else t("skenaariot.form.pool"),
                                  key="sc_target")
            data["to_station"] = target or None
            data["pool_name"] = st.text_input(t("skenaariot.form.pool_name"), "Keskitetty tiimi", key="sc_pool")
            data["share"] = st.number_input(t("skenaariot.form.share"), 1, 100, 100, key="sc_c_share") / 100
            data["fte_moved"] = st.number_input(t("skenaariot.form.fte_moved"), 0.0, 100.0, 0.0, 0.1, key="sc_fm")
            data["fte_added"] = st.number_input(t("skenaariot.form.fte_added"), 0.0, 100.0, 0.0, 0.1, key="sc_fa")
        elif kind == "staffing":
            data["station"] = st.selectbox(t("skenaariot.form.station"), own, format_func=names.get, key="sc_st")
            data["role"] = st.selectbox(t("skenaariot.form.role"), ["toimistosihteeri", "terveyskeskusavustaja"],
                                        format_func=lambda r: present.role_name(r, lang), key="sc_role")
            data["fte_delta"] = st.number_input(t("skenaariot.form.fte_delta"), -50.0, 50.0, 0.5, 0.1, key="sc_fd")
        else:
            data["share"] = st.number_input(t("skenaariot.form.absence_share"), 0.0, 90.0, 10.0, 0.5,
                                            key="sc_abs") / 100
        if st.form_submit_button(t("skenaariot.add")):
            candidate = current_scenario()
            candidate["changes"] = [*candidate["changes"], data]
            try:
                parse_scenario(candidate)
            except ScenarioError as exc:
                show_errors(exc)
            else:
                st.session_state["sc_changes"] = candidate["changes"]


def build_tab() -> None:
    """The scenario being built and its projection."""
    st.text_input(t("skenaariot.name_label"), key="sc_name", placeholder=t("skenaariot.default_name"))
    change_form()
    changes = st.session_state.get("sc_changes", [])
    st.markdown(f"#### {t('skenaariot.section.changes')}")
    try:
        scenario = parse_scenario(current_scenario())
        projection = project(base, scenario, scope)
    except ScenarioError as exc:
        # Nothing of a refused scenario is echoed back: only why it was refused, and a way to start over.
        show_errors(exc)
        if st.button(t("skenaariot.clear"), key="sc_clear_bad"):
            st.session_state["sc_changes"] = []
            st.rerun()
        return
    for n, text in enumerate(present.describe(scenario, names, task_names, lang), start=1):
        left, right = st.columns([6, 1])
        left.write(f"{n}. {text}")
        if right.button(t("skenaariot.remove", n=n), key=f"sc_remove_{n}"):
            st.session_state["sc_changes"] = [c for i, c in enumerate(changes, start=1) if i != n]
            st.rerun()
    if not changes:
        st.caption(t("skenaariot.no_changes"))
    elif st.button(t("skenaariot.clear"), key="sc_clear"):
        st.session_state["sc_changes"] = []
        st.rerun()
    show_projection(projection, "sc_build")
    if st.button(t("skenaariot.save"), key="sc_save", disabled=not changes):
        store.save(ctx.db, scenario, scope.user or scope.role)
        st.success(t("skenaariot.saved"))


def proposal_tab() -> None:
    """Let the planner propose FTE transfers on top of the scenario being built."""
    try:
        start = project(base, parse_scenario(current_scenario()), scope)
    except ScenarioError:
        st.info(t("skenaariot.fix_first"))
        return
    munis = sorted({m for m in base.stations["municipality"].to_list() if m})
    with st.form("sc_proposal"):
        muni = st.selectbox(t("skenaariot.form.municipality"), ["", *munis],
                            format_func=lambda m: m or t("skenaariot.form.region"), key="sc_p_muni")
        givers = st.multiselect(t("skenaariot.form.givers"), own, default=own, format_func=names.get, key="sc_p_g",
                                placeholder=t("skenaariot.form.choose"))
        takers = st.multiselect(t("skenaariot.form.takers"), own, default=own, format_func=names.get, key="sc_p_t",
                                placeholder=t("skenaariot.form.choose"))
        max_move = st.number_input(t("skenaariot.form.max_move"), 0.1, 10.0, 1.0, 0.1, key="sc_p_max")
        new_fte = st.number_input(t("skenaariot.form.new_fte"), 0.0, 20.0, 0.0, 0.1, key="sc_p_new")
        run = st.form_submit_button(t("skenaariot.form.run"))
    if run:
        limits = ProposalLimits(municipality=muni or None, givers=givers, takers=takers, max_move=max_move,
                                new_fte=new_fte)
        st.session_state["sc_proposal_result"] = propose(start, limits, scope)
    proposal = st.session_state.get("sc_proposal_result")
    if proposal is None or proposal.scenario.base_month != ctx.month:
        return
    st.markdown(f"#### {t('skenaariot.section.proposal')}")
    n = len(proposal.transfers)
    if proposal.band_feasible:
        st.success(t("skenaariot.band_ok", n=n) if n else t("skenaariot.no_transfers"))
    else:
        st.warning(t("skenaariot.band_no", n=n, before=fmt.number(proposal.worst_before, 2, lang),
                     after=fmt.number(proposal.worst_after, 2, lang)))
    st.caption(t("skenaariot.proposal_time", seconds=fmt.number(proposal.solve_seconds, 2, lang)))
    if proposal.verified:
        st.caption(t("skenaariot.verified"))
    else:
        st.error(t("skenaariot.not_verified", diff=fmt.number(proposal.max_discrepancy, 6, lang)))
    if n:
        ui.table(present.transfer_rows(proposal, names, lang),
                 {"giver": t("skenaariot.col.giver"), "taker": t("skenaariot.col.taker"),
                  "fte": t("skenaariot.col.fte")},
                 key="sc_transfers", file_stem="ehdotus_siirrot")
        taken = [c.model_dump() for c in proposal.scenario.changes]
        if st.session_state.get("sc_changes") == taken:
            st.success(t("skenaariot.proposal_taken"))
        elif st.button(t("skenaariot.use_proposal"), key="sc_use"):
            st.session_state["sc_changes"] = taken
            st.rerun()  # the Rakenna tab, drawn above, shows the proposal at once
        if proposal.projection is not None:
            show_projection(proposal.projection, "sc_prop")


def saved_tab() -> None:
    """Saved scenarios the user may see; each recomputed on today's warehouse."""
    saved = store.listing(ctx.db, scope)
    if not saved:
        st.info(t("skenaariot.saved_none"))
        return
    for item in saved:
        when = fmt.datetime_text(item.saved_at, lang)
        label = t("skenaariot.saved_by", name=item.name, author=item.author, when=when,
                  month=fmt.month_text(item.base_month, lang))
        with st.expander(label):
            try:
                scenario = parse_scenario(item.body)
            except ScenarioError as exc:
                show_errors(exc)
                continue
            for text in present.describe(scenario, names, task_names, lang):
                st.write(f"- {text}")
            saved_base = read_base(ctx.db, scenario.base_month)
            if saved_base is None:
                st.warning(t("skenaariot.base_gone", name=scenario.name, month=fmt.month_text(scenario.base_month)))
            else:
                try:
                    show_projection(project(saved_base, scenario, scope), f"sc_saved_{item.id}")
                except ScenarioError as exc:
                    show_errors(exc)
            if can_edit and st.button(t("skenaariot.open"), key=f"sc_open_{item.id}"):
                st.session_state["sc_changes"] = [c.model_dump() for c in scenario.changes]
                st.session_state["sc_name"] = scenario.name
                st.rerun()


def compare_tab() -> None:
    """Two saved scenarios side by side (region figures after each)."""
    saved = {s.id: s for s in store.listing(ctx.db, scope)}
    if len(saved) < 2:
        st.info(t("skenaariot.compare_need"))
        return
    ids = list(saved)
    c1, c2 = st.columns(2)
    a = c1.selectbox(t("skenaariot.compare_a"), ids, format_func=lambda i: saved[i].name, key="sc_cmp_a")
    b = c2.selectbox(t("skenaariot.compare_b"), ids, index=1, format_func=lambda i: saved[i].name, key="sc_cmp_b")
    frames = []
    for sid, label in ((a, "a"), (b, "b")):
        scenario = parse_scenario(saved[sid].body)
        sbase = read_base(ctx.db, scenario.base_month)
        if sbase is None:
            st.warning(t("skenaariot.base_gone", name=scenario.name, month=fmt.month_text(scenario.base_month)))
            return
        table = present.region_table(project(sbase, scenario, scope), lang)
        frames.append(table.select("figure", pl.col("before"), pl.col("after").alias(label)))
    both = frames[0].join(frames[1].select("figure", "b"), on="figure")
    ui.table(both, {"figure": t("skenaariot.col.figure"), "before": t("skenaariot.col.before"),
                    "a": saved[a].name, "b": saved[b].name},
             key="sc_compare", file_stem="skenaariot_vertailu")


if can_edit and base is None:
    st.info(t("skenaariot.no_base"))
if can_edit and base is not None:
    tab_build, tab_proposal, tab_saved, tab_compare = st.tabs(
        [t("skenaariot.tab.build"), t("skenaariot.tab.proposal"), t("skenaariot.tab.saved"),
         t("skenaariot.tab.compare")])
    with tab_build:
        build_tab()
    with tab_proposal:
        proposal_tab()
else:
    st.caption(t("skenaariot.readonly") if not can_edit else "")
    tab_saved, tab_compare = st.tabs([t("skenaariot.tab.saved"), t("skenaariot.tab.compare")])
with tab_saved:
    saved_tab()
with tab_compare:
    compare_tab()
