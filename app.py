"""Työnjakoseuranta: the Streamlit entry point. It only routes; pages lay out; logic lives in dashboard/."""

import altair as alt  # noqa: F401 - imported before the first chart, so a rerun cannot cut its import short
import streamlit as st

from dashboard import ui
from dashboard.i18n import t

st.set_page_config(page_title="Työnjakoseuranta", page_icon=":material/assignment:", layout="wide")
ui.leave_pages_folder_mode()

db = ui.db_path()
ui.ensure_warehouse(db)
ui.language_selector()
# Recomputed on every run from the sign-in (or the demo selector), never trusted from earlier state.
st.session_state["_session"] = ui.session_for_run(db)

pages = [
    st.Page("pages/yleiskuva.py", title=t("nav.yleiskuva"), icon=":material/dashboard:", default=True),
    st.Page("pages/tyokuorma.py", title=t("nav.tyokuorma"), icon=":material/balance:"),
    st.Page("pages/tyonjako.py", title=t("nav.tyonjako"), icon=":material/assignment_ind:"),
    st.Page("pages/pulssi.py", title=t("nav.pulssi"), icon=":material/favorite:"),
    st.Page("pages/tavoitteet.py", title=t("nav.tavoitteet"), icon=":material/flag:"),
    st.Page("pages/kayttoonotto.py", title=t("nav.kayttoonotto"), icon=":material/rocket_launch:"),
    st.Page("pages/skenaariot.py", title=t("nav.skenaariot"), icon=":material/science:"),
]
if st.session_state["_session"].scope.can_upload:
    pages.append(st.Page("pages/tiedot.py", title=t("nav.tiedot"), icon=":material/upload_file:"))
st.navigation(pages).run()
