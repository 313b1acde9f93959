"""Tiedot: the project manager uploads files, sees the validation report, the changes and the load log."""

import streamlit as st

from dashboard import fmt, loading, queries, ui
from dashboard.i18n import t

session = ui.session()
if not session.scope.can_upload:
    st.warning(t("data.not_allowed"))
    st.stop()
db = ui.db_path()
demo_mode = session.mode == "demo"
demo_warehouse = queries.warehouse_state(db)["origin"] == "demo"
if queries.warehouse_state(db)["ready"]:
    ui.page_context(session, "nav.tiedot", month=False, unit=False)
else:
    st.title(t("nav.tiedot"))

if demo_mode:
    st.warning(t("data.demo_read_only"))
elif demo_warehouse:
    st.warning(t("data.demo_replace_warning"))
st.subheader(t("data.upload_heading"))
st.caption(t("data.upload_help"))
uploads = st.file_uploader(t("data.files"), type=["csv", "xlsx"], accept_multiple_files=True, key="uploads")
# Streamlit writes the uploader's own texts in English only: say the same in the UI language.
st.caption(t("data.uploader_note", mb=st.get_option("server.maxUploadSize")))
auto = "__auto__"
source = st.selectbox(
    t("data.source"), [auto, *loading.source_codes()], format_func=lambda s: t("data.source_auto") if s == auto else s,
    key="upload_source",
)
confirmed = True
if demo_warehouse and not demo_mode:
    confirmed = st.checkbox(t("data.demo_replace_confirm"), key="confirm_replace_demo")
c1, c2, _ = st.columns([1, 1, 3])
do_check = c1.button(t("data.check"), disabled=not uploads, key="btn_check")
do_load = c2.button(t("data.load"), type="primary", disabled=not uploads or demo_mode or not confirmed,
                    key="btn_load", help=t("data.load_off_in_demo") if demo_mode else None)
if demo_mode:
    st.caption(t("data.load_off_in_demo"))

if (do_check or do_load) and uploads:
    files = [(u.name, u.getvalue()) for u in uploads]
    with st.status(t("data.working"), expanded=True) as status:
        bar = st.progress(0.0)
        steps = {"luettu": 1, "tarkistettu": 2}
        seen: dict[str, int] = {}

        def progress(file_name: str, stage: str, rows: int) -> None:
            seen[file_name] = max(seen.get(file_name, 0), steps.get(stage, 0))
            bar.progress(min(sum(seen.values()) / (2 * len(files)), 1.0))
            status.write(t("data.progress", file=fmt.md_text(file_name), stage=stage, rows=fmt.integer(rows)))

        try:
            result = loading.run_load(session.scope, files, db, None if source == auto else source, progress,
                                      dry_run=do_check or demo_mode, demo_mode=demo_mode,
                                      replace_demo=demo_warehouse and confirmed)
        except PermissionError:
            status.update(label=t("data.done_with_problems"), state="error")
            st.error(t("data.load_off_in_demo"))
            st.stop()
        except loading.WAREHOUSE_ERRORS as exc:
            status.update(label=t("data.done_with_problems"), state="error")
            st.error(str(exc))
            st.stop()
        except loading.IO_ERRORS:
            # Reading the served warehouse failed (the disk went away, a damaged file): one sentence, no traceback.
            status.update(label=t("data.done_with_problems"), state="error")
            st.error(t("data.io_error"))
            st.stop()
        bar.progress(1.0)
        status.update(label=t("data.done") if result.ok else t("data.done_with_problems"),
                      state="complete" if result.ok else "error")
    st.session_state["last_result"] = (do_check or demo_mode, result)
    if do_load and result.ok:
        # Once more from the top: the header, the demo warning and the tables show the new warehouse version.
        st.rerun()

if "last_result" in st.session_state:
    was_check, result = st.session_state["last_result"]
    if result.refusal:
        st.error(t("data.demo_refused"))
    elif not result.ok:
        st.error(t("data.rejected"))
        st.markdown(f"##### {t('data.problems_heading')}")
        ui.table(
            loading.problems_frame(result),
            {"file": t("data.col_file"), "row": t("data.col_row"), "column": t("data.col_column"),
             "message": t("data.col_message")},
            key="problems", file_stem="validointiraportti",
        )
    elif was_check:
        st.success(t("data.check_ok"))
    else:
        st.success(t("data.loaded"))
    for notice in result.notices:
        (st.warning if result.clears_demo and was_check else st.info)(notice)
    if was_check and result.ok and result.clears_demo:
        st.warning(t("data.check_clears_demo"))
    st.markdown(f"##### {t('data.summary_heading')}")
    ui.table(
        loading.summary_frame(result, checking=was_check),
        {"file": t("data.col_file"), "source": t("data.col_source"), "rows": t("data.col_rows"),
         "outcome": t("data.col_outcome"), "problems": t("data.col_problems"), "change": t("data.col_change")},
        key="summary", file_stem="latauksen_yhteenveto",
    )

if queries.warehouse_state(db)["ready"]:
    st.subheader(t("data.freshness_heading"))
    ui.table(
        loading.with_source_names(queries.freshness(db)),
        {"source": t("data.col_source"), "last_loaded": t("data.col_last_attempt"),
         "last_success": t("data.col_last_success"), "loads": t("data.col_loads")},
        key="freshness", file_stem="tuoreus",
    )
    st.markdown(f"##### {t('data.months_heading')}")
    ui.table(
        loading.with_source_names(queries.data_months(db)),
        {"source": t("data.col_source"), "first_month": t("data.col_first"), "last_month": t("data.col_last")},
        key="months", months=("first_month", "last_month"), file_stem="aikajaksot",
    )
    st.subheader(t("data.log_heading"))
    ui.table(
        loading.log_with_texts(queries.load_log(db, session.scope)),
        {"load_id": t("data.col_load_id"), "loaded_at": t("data.col_time"), "file_name": t("data.col_file"),
         "source": t("data.col_source"), "rows": t("data.col_rows"), "outcome": t("data.col_outcome"),
         "message": t("data.col_message")},
        key="load_log", file_stem="latausloki",
    )
