"""Who is using the dashboard: OIDC sign-in when configured, else demo mode on demo data only."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from dashboard.access import ROLES, Scope, load_access, scope_for
from dashboard.i18n import t

ALLOW_NO_AUTH_ENV = "TYONJAKO_ALLOW_NO_AUTH"


@dataclass(frozen=True)
class Session:
    """The scope of this run, and how it was decided."""

    scope: Scope
    mode: str  # "oidc", "demo" or "intranet"


def _nothing() -> None:
    """An empty page: routing target while a visitor may see no page at all."""


def stop_without_pages() -> None:
    """Stop the run with no page list in the sidebar (the automatic pages/ list would name every page)."""
    st.navigation([st.Page(_nothing, title=t("app.title"), default=True)], position="hidden")
    st.stop()


def run_again_through_app() -> None:
    """Leave Streamlit's automatic pages/ mode through its public switch, and run again through app.py.

    Streamlit 1.67 decides from the folder's name alone (a pages/ folder beside the main script), before app.py
    runs, that the first run after a server start is an old-style multipage run: it lists every page file and runs
    a page URL without app.py. Any call of st.navigation switches that mode off for the server's life, so a page
    that finds itself run alone calls it (hidden, listing nothing) and reruns, now through app.py and its sign-in.
    """
    st.navigation([st.Page(_nothing, title=t("app.title"), default=True)], position="hidden")
    st.rerun()


def auth_configured() -> bool:
    """Whether `[auth]` is set in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all means no sign-in configured
        return False


def no_auth_allowed() -> bool:
    """The explicit switch for a closed intranet without sign-in."""
    return os.environ.get(ALLOW_NO_AUTH_ENV, "") == "1"


def _role_selector(station_ids: list[str], station_names: dict[str, str], mode: str) -> Scope:
    """The sidebar role selector of demo and intranet modes (recomputed every run, never trusted from state)."""
    with st.sidebar:
        st.markdown(f"**{t('auth.role_selector')}**")
        role = st.selectbox(
            t("auth.role"), list(ROLES), format_func=lambda r: t(f"role.{r}"), key="demo_role",
        )
        if role == "esihenkilo":
            if st.session_state.get("demo_station") not in station_ids:
                st.session_state.pop("demo_station", None)
            if not station_ids:
                return Scope("esihenkilo", frozenset(), f"{mode}:esihenkilo")
            station = st.selectbox(
                t("auth.managed_station"), station_ids, format_func=lambda s: station_names.get(s, s),
                key="demo_station",
            )
            return Scope("esihenkilo", frozenset({station}), f"{mode}:esihenkilo")
        return Scope(role, None, f"{mode}:{role}")


def current_session(origin: str | None, station_ids: list[str], station_names: dict[str, str]) -> Session:
    """Decide the scope of this run, or stop the script with a plain explanation."""
    if auth_configured():
        if not st.user.is_logged_in:
            st.title(t("app.title"))
            st.info(t("auth.please_sign_in"))
            if st.button(t("auth.sign_in"), type="primary"):
                st.login()
            stop_without_pages()
        email = str(st.user.get("email") or "")
        scope = scope_for(email, load_access())
        if scope is None:
            st.title(t("app.title"))
            st.warning(t("auth.not_listed", email=email or "?"))
            if st.button(t("auth.sign_out")):
                st.logout()
            stop_without_pages()
        with st.sidebar:
            st.caption(t("auth.signed_in_as", email=email, role=t(f"role.{scope.role}")))
            if st.button(t("auth.sign_out"), key="logout"):
                st.logout()
        return Session(scope, "oidc")
    if origin in (None, "demo") and not no_auth_allowed():
        # Demo mode: anyone may look, nobody may write (the Tiedot page offers the check only).
        st.info(t("auth.demo_banner"), icon=":material/info:")
        return Session(_role_selector(station_ids, station_names, "demo"), "demo")
    if no_auth_allowed():
        # The operator's explicit switch for a closed intranet: its visitors are trusted, also to load files.
        st.warning(t("auth.intranet_banner"), icon=":material/lock_open:")
        return Session(_role_selector(station_ids, station_names, "intranet"), "intranet")
    st.title(t("app.title"))
    st.error(t("auth.configure_sign_in"))
    stop_without_pages()
    raise AssertionError("unreachable")
