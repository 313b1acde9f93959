"""Page scaffolding shared by every page: warehouse check, sign-in, sidebar filters, header, tables."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import streamlit as st

from core.roles import ROLE_GROUPS
from core.settings import settings
from dashboard import fmt, queries
from dashboard.access import Scope
from dashboard.auth import Session, current_session, run_again_through_app
from dashboard.export import to_csv_bytes, to_excel_bytes
from dashboard.i18n import available_langs, current_lang, t
from warehouse import db as wdb

ALL = "__all__"
_demo_lock = threading.Lock()


@dataclass
class PageContext:
    """What a page needs: the warehouse, the user's scope and the chosen filters."""

    db: Path
    session: Session
    lang: str
    months: list[date] = field(default_factory=list)
    month: date | None = None
    municipality: str | None = None
    station_id: str | None = None
    role_group: str | None = None
    stations: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def scope(self) -> Scope:
        """The user's scope."""
        return self.session.scope

    def station_name(self, station_id: str | None) -> str:
        """A station's name in the UI language."""
        if station_id is None or self.stations.is_empty():
            return station_id or ""
        row = self.stations.filter(pl.col("station_id") == station_id)
        if row.is_empty():
            return station_id
        name = row["name_sv" if self.lang == "sv" else "name_fi"][0]
        return str(name or station_id)

    @property
    def unit_label(self) -> str:
        """The chosen unit (station, municipality or the whole region) in words."""
        if self.station_id:
            return self.station_name(self.station_id)
        return self.municipality or t("filter.region")


def k_anonymity(db: Path) -> int:
    """The k the warehouse was built with, for the texts that quote it."""
    return queries.built_k(db)


def db_path() -> Path:
    """The served warehouse."""
    return wdb.resolve(None)


def ensure_warehouse(db: Path) -> None:
    """Build the demo warehouse on first start, when no warehouse exists."""
    import os

    if db.exists() or os.environ.get("TYONJAKO_NO_AUTO_DEMO") == "1":
        return
    with _demo_lock:
        if db.exists():
            return
        from dashboard.loading import build_demo  # local: the loader's imports are needed on first start only

        with st.spinner(t("app.building_demo")):
            build_demo(db)


def session_for_run(db: Path) -> Session:
    """Sign-in / demo-mode decision for this run (app.py calls this before navigation)."""
    state = queries.warehouse_state(db)
    stations = queries.stations(db) if state["ready"] else pl.DataFrame()
    ids = stations["station_id"].to_list() if not stations.is_empty() else []
    names = dict(zip(ids, stations["name_fi"].to_list(), strict=True)) if ids else {}
    return current_session(state["origin"], ids, names)  # type: ignore[arg-type]


def language_selector() -> None:
    """Language choice in the sidebar (Finnish first)."""
    langs = available_langs()
    with st.sidebar:
        st.selectbox(
            t("filter.language"), list(langs), format_func=lambda code: langs[code], key="lang",
            on_change=_relabel_choices,
        )


def _relabel_choices() -> None:
    """Send every kept choice to the browser again, so it shows the choice in the new language.

    A keyed selectbox keeps its identity when only its labels change, and the browser would go on showing the old
    language's label ("lokakuu 2026" in Swedish mode); a value set through Session State is sent anew.
    """
    for key in list(st.session_state):
        if isinstance(key, str) and (key.startswith(("f_", "demo_")) or key in RELABELLED):
            st.session_state[key] = st.session_state[key]


# Keyed choices of the pages whose labels depend on the language (the sidebar's f_* and demo_* keys always do).
RELABELLED = {"sc_st"}


def _keep_valid(key: str, options: list[object]) -> None:
    """Drop a stale or crafted widget value that is not among the options."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def page_context(session: Session, title_key: str, *, month: bool = True, unit: bool = True,
                 role_group: bool = False) -> PageContext:
    """Draw the header and the sidebar filters this page uses; stop with a plain sentence if there is no data."""
    db = db_path()
    ctx = PageContext(db=db, session=session, lang=current_lang())
    header(ctx, title_key)
    state = queries.warehouse_state(db)
    if not state["ready"]:
        st.info(t("empty.no_warehouse"))
        st.stop()
    ctx.stations = queries.stations(db)
    ctx.months = queries.months(db)
    with st.sidebar:
        if month and ctx.months:
            options = list(reversed(ctx.months))
            _keep_valid("f_month", options)
            ctx.month = st.selectbox(
                t("filter.month"), options, format_func=lambda d: fmt.month_name(d, ctx.lang), key="f_month"
            )
        if unit:
            munis = sorted({m for m in ctx.stations["municipality"].to_list() if m})
            options_m = [ALL, *munis]
            _keep_valid("f_municipality", options_m)
            chosen_m = st.selectbox(
                t("filter.municipality"), options_m,
                format_func=lambda m: t("filter.region") if m == ALL else m, key="f_municipality",
            )
            ctx.municipality = None if chosen_m == ALL else chosen_m
            # A station closed before the chosen month began is not offered for it (its history stays).
            allowed = queries.station_choices(db, ctx.scope, ctx.month)
            if ctx.municipality:
                allowed = allowed.filter(pl.col("municipality") == ctx.municipality)
            options_s = [ALL, *allowed["station_id"].to_list()]
            _keep_valid("f_station", options_s)
            if not ctx.scope.all_stations and "f_station" not in st.session_state and len(options_s) > 1:
                # A station manager starts on their own station rather than on the totals.
                st.session_state["f_station"] = options_s[1]
            chosen_s = st.selectbox(
                t("filter.station"), options_s,
                format_func=lambda s: t("filter.all_stations") if s == ALL else ctx.station_name(s), key="f_station",
            )
            ctx.station_id = None if chosen_s == ALL else chosen_s
            if not ctx.scope.all_stations:
                st.caption(t("filter.scope_note"))
        if role_group:
            options_r = [ALL, *ROLE_GROUPS]
            _keep_valid("f_role_group", options_r)
            chosen_r = st.selectbox(
                t("filter.role_group"), options_r,
                format_func=lambda g: t("filter.all_roles") if g == ALL else t(f"role_group.{g}"), key="f_role_group",
            )
            ctx.role_group = None if chosen_r == ALL else chosen_r
    return ctx


def header(ctx: PageContext, title_key: str) -> None:
    """County name, page title and the data's freshness."""
    s = settings()
    county = s.county_name_sv if ctx.lang == "sv" else s.county_name
    st.caption(county)
    st.title(t(title_key))
    state = queries.warehouse_state(ctx.db)
    if state["ready"]:
        last = state["last_loaded"]
        months = queries.data_months(ctx.db)
        pulssi_last = months.filter(pl.col("source") == "pulssi")["last_month"]
        pulssi_text = fmt.month_text(pulssi_last[0]) if len(pulssi_last) and pulssi_last[0] else "–"
        when = fmt.datetime_text(last) if last else "–"
        st.caption(t("app.freshness", when=when, pulssi=pulssi_text))


def table(df: pl.DataFrame, columns: dict[str, str], key: str, *, percent: tuple[str, ...] = (),
          decimals: dict[str, int] | None = None, dates: tuple[str, ...] = (), months: tuple[str, ...] = (),
          file_stem: str | None = None) -> None:
    """Show a table with Finnish headers and formats, and offer it as CSV and Excel with the same figures."""
    decimals = decimals or {}
    if df.is_empty():
        st.info(t("empty.no_rows"))
        return
    shown = exportable(df, columns, percent=percent, decimals=decimals, months=months)
    display = shown.with_columns(
        [
            pl.col(columns[c]).map_elements(
                _number_formatter(decimals.get(c, 0 if df[c].dtype.is_integer() else 1)), return_dtype=pl.String
            )
            for c in columns
            if c in df.columns and df[c].dtype.is_numeric() and c not in months
        ]
        + [
            pl.col(columns[c]).map_elements(fmt.date_text, return_dtype=pl.String)
            for c in columns
            if c in df.columns and c not in months and (c in dates or df[c].dtype == pl.Date)
        ]
        + [
            pl.col(columns[c]).map_elements(fmt.datetime_text, return_dtype=pl.String)
            for c in columns
            if c in df.columns and df[c].dtype == pl.Datetime
        ]
    )
    display = display.with_columns(
        [pl.col(c).fill_null(fmt.MISSING) for c, dtype in display.schema.items() if dtype == pl.String]
    )
    st.dataframe(display, hide_index=True, width="stretch")
    stem = file_stem or key
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(t("download.csv"), to_csv_bytes(shown), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    c2.download_button(
        t("download.excel"), to_excel_bytes(shown, sheet=stem[:31]), f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )


def _number_formatter(decimals: int):  # noqa: ANN202 - returns a small closure
    return lambda v: fmt.number(v, decimals)


def exportable(df: pl.DataFrame, columns: dict[str, str], *, percent: tuple[str, ...] = (),
               decimals: dict[str, int] | None = None, months: tuple[str, ...] = ()) -> pl.DataFrame:
    """The figures exactly as a table shows them: selected columns, Finnish headers, shares as rounded %."""
    decimals = decimals or {}
    exprs = []
    for col, header_text in columns.items():
        if col not in df.columns:
            continue
        e = pl.col(col)
        if col in percent:
            e = (e * 100).round(decimals.get(col, 1))
        elif col in months:
            e = e.map_elements(fmt.month_text, return_dtype=pl.String)
        elif df[col].dtype.is_float():
            e = e.round(decimals.get(col, 1))
        exprs.append(e.alias(header_text))
    return df.select(exprs)


def leave_pages_folder_mode() -> None:
    """On a session's first run, switch Streamlit's automatic pages/ mode off and run again (app.py calls this first).

    In that mode (see `auth.run_again_through_app`) widgets get other ids than in the runs after it, so a click on
    the first run's sign-in button would be lost; one rerun per new session avoids it, with public calls only.
    """
    if not st.session_state.get("_left_pages_mode"):
        st.session_state["_left_pages_mode"] = True
        run_again_through_app()


def session() -> Session:
    """The session that app.py decided for this run."""
    if "_session" not in st.session_state:
        # A page URL opened first after a server start ran this page without app.py.
        st.session_state["_left_pages_mode"] = True
        run_again_through_app()
    return st.session_state["_session"]
