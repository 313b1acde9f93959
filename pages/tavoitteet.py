"""Arviointitavoitteet: where the reform stands on each of the five goals, and since when.

One card per goal (baseline, target, current value, progress, status and trend of each indicator), the before/after
go-live comparison and a per-station drill-down. Every figure comes from dashboard.queries_goals.
"""

import polars as pl
import streamlit as st

from dashboard import fmt, labels, present, queries, ui
from dashboard import queries_goals as qg
from dashboard.charts import goals as charts
from dashboard.i18n import t

ctx = ui.page_context(ui.session(), "nav.tavoitteet", month=False, unit=True)
lang = ctx.lang

if not qg.has_goal_marts(ctx.db):
    st.info(t("tavoitteet.empty.no_marts"))
    st.stop()
goals = labels.with_baseline_labels(qg.goal_progress(ctx.db, lang), lang)
if goals.is_empty():
    st.info(t("tavoitteet.empty.no_goals"))
    st.stop()

BADGE_COLOURS = {"hyvä": "green", "riski": "orange", "heikko": "red", "ei tietoa": "gray"}


def status_text(code: str | None) -> str:
    """A goal status code in words."""
    return t(f"goal_status.{code or 'ei tietoa'}")


def with_status_text(df: pl.DataFrame) -> pl.DataFrame:
    """Rows with the status in words (`status_text`)."""
    return df.with_columns(pl.col("status").map_elements(status_text, return_dtype=pl.String).alias("status_text"))


def keep_valid(key: str, options: list[object]) -> None:
    """Drop a stale or crafted widget value that is not among the options."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def dashes_for_missing(df: pl.DataFrame) -> pl.DataFrame:
    """Missing decimals as NaN: ui.table shows them as "–" and the downloads leave the cell empty (a null would
    be shown as "None")."""
    return df.with_columns(pl.col(c).fill_null(float("nan")) for c, dtype in df.schema.items() if dtype.is_float())


def plain(text: str) -> str:
    """Text from the configuration or the data, with Markdown's special characters escaped."""
    return fmt.md_text(text)


# --- intro: what the page shows, and since when --------------------------------------------------------------
st.write(t("tavoitteet.intro"))
since = qg.since(ctx.db)
if since["stations_live"]:
    when = t(
        "tavoitteet.since", first=fmt.date_text(since["first_go_live"], lang), live=fmt.integer(since["stations_live"]),
        total=fmt.integer(since["stations_total"]),
    )
else:
    when = t("tavoitteet.since_none", total=fmt.integer(since["stations_total"]))
if since["reference_month"] is not None:
    when += " " + t("tavoitteet.reference", month=fmt.month_name(since["reference_month"], lang))
st.markdown(when)
if ctx.municipality or ctx.station_id:
    st.caption(t("tavoitteet.region_note"))
if not qg.has_figures(goals):
    st.info(t("tavoitteet.empty.no_figures"))

# --- one card per goal -------------------------------------------------------------------------------------------
trend = qg.goal_trend(ctx.db)


def value(x: float | None, unit: str) -> str:
    """A figure of a card in its unit (hours without "h/vko", which the label carries)."""
    return present.value_text(x, unit, lang, hours_unit=False)


def indicator_row(row: dict) -> None:
    """Name and status, baseline, current, target, progress bar and trend of one indicator."""
    unit, status = row["unit"], row["status"] or "ei tietoa"
    with st.container():
        badge = f":{BADGE_COLOURS.get(status, 'gray')}-badge[{status_text(status)}]"
        st.markdown(f"**{plain(row['name'])}** &nbsp; {badge}")
        cols = st.columns([1.1, 1.1, 1.1, 1.2, 1.7])
        # hours: the unit goes to the label, so that the figure fits the column
        in_label = t("tavoitteet.unit_suffix.hours_week") if unit == "hours_week" else ""
        cols[0].metric(t("tavoitteet.baseline") + in_label, value(row["baseline"], unit))
        label = row["baseline_label"] or ""
        cols[0].caption(plain(label))
        direction = row["direction"]
        cols[1].metric(
            t("tavoitteet.current") + in_label, value(row["current"], unit),
            present.change_text(row["change"], unit, lang),
            **present.delta_style(row["change"], "down" if direction == "down" else "up"),
        )
        if row["current_month"] is not None:
            cols[1].caption(t("tavoitteet.current_month", month=fmt.month_text(row["current_month"], lang)))
        cols[2].metric(t("tavoitteet.target") + in_label, value(row["target"], unit))
        cols[2].caption(t(f"tavoitteet.direction_{direction}"))
        cols[3].caption(t("tavoitteet.progress"))
        if row["progress"] is None:
            cols[3].caption(t("tavoitteet.no_progress"))
        else:
            cols[3].altair_chart(charts.progress_bar(row["progress"], status, lang), width="stretch")
        cols[4].caption(t("tavoitteet.trend"))
        series = trend.filter(pl.col("indicator_id") == row["indicator_id"])
        if series["value"].drop_nulls().is_empty():
            cols[4].caption(t("tavoitteet.no_trend"))
        else:
            cols[4].altair_chart(
                charts.trend_sparkline(series, unit, row["target"], row["name"], lang), width="stretch"
            )


for goal_id, title, rows in qg.goals_of(goals):
    with st.container(border=True):
        st.subheader(t("tavoitteet.goal_heading", id=goal_id, title=title))
        for row in rows.iter_rows(named=True):
            indicator_row(row)

with st.expander(t("tavoitteet.summary.title")):
    ui.table(
        with_status_text(present.with_texts(goals, lang)),
        {
            "goal_id": t("tavoitteet.summary.goal"), "name": t("tavoitteet.summary.indicator"),
            "baseline_text": t("tavoitteet.summary.baseline"), "baseline_label": t("tavoitteet.summary.baseline_label"),
            "target_text": t("tavoitteet.summary.target"), "current_text": t("tavoitteet.summary.current"),
            "current_month_text": t("tavoitteet.summary.current_month"), "change_text": t("tavoitteet.summary.change"),
            "progress_text": t("tavoitteet.summary.progress"), "status_text": t("tavoitteet.summary.status"),
        },
        key="tavoitteet_summary", file_stem="arviointitavoitteet",
    )

# --- before / after go-live ----------------------------------------------------------------------------------
st.markdown(f"#### {t('tavoitteet.ba.heading')}")
st.caption(t("tavoitteet.ba.intro"))
options = qg.before_after_options(ctx.db, ctx.scope)
k_scoped = qg.MIN_SCOPED_STATIONS
if since["stations_live"] == 0:
    st.info(t("tavoitteet.empty.no_live"))
elif options.is_empty():
    if ctx.scope.all_stations or not qg.has_before_after(ctx.db):
        st.info(t("tavoitteet.empty.no_before_after"))
    else:
        st.info(t("tavoitteet.empty.no_points_scoped", k=k_scoped))
else:
    c1, c2, c3 = st.columns(3)
    measures = options["measure"].unique(maintain_order=True).to_list()
    keep_valid("ga_measure", measures)
    measure = c1.selectbox(
        t("tavoitteet.ba.measure"), measures, format_func=lambda m: t(f"tavoitteet.ba.measure_name.{m}"),
        key="ga_measure",
    )
    chosen = options.filter(pl.col("measure") == measure)
    question = None
    question_ids = [q for q in chosen["question_id"].unique(maintain_order=True).to_list() if q is not None]
    if question_ids:
        catalogue = queries.questions(ctx.db)
        text_column = "text_sv" if lang == "sv" else "text_fi"
        texts = {r["question_id"]: r[text_column] or r["text_fi"] or r["question_id"]
                 for r in catalogue.iter_rows(named=True)}
        keep_valid("ga_question", question_ids)
        question = c2.selectbox(
            t("tavoitteet.ba.question"), question_ids, format_func=lambda q: texts.get(q, q), key="ga_question"
        )
        chosen = chosen.filter(pl.col("question_id") == question)
    roles = [ui.ALL if g is None else g for g in chosen["role_group"].unique(maintain_order=True).to_list()]
    keep_valid("ga_role", roles)
    role = c3.selectbox(
        t("tavoitteet.ba.role_group"), roles,
        format_func=lambda g: t("tavoitteet.ba.all_roles") if g == ui.ALL else t(f"role_group.{g}"), key="ga_role",
        disabled=len(roles) < 2,
    )
    role_group = None if role == ui.ALL else role
    series = qg.before_after(ctx.db, ctx.scope, measure, question, role_group)
    unit = series["unit"][0] if not series.is_empty() else None
    if not qg.has_points(series):
        st.info(t("tavoitteet.empty.no_points") if ctx.scope.all_stations
                else t("tavoitteet.empty.no_points_scoped", k=k_scoped))
    else:
        st.altair_chart(
            charts.before_after_chart(series, unit, t(f"tavoitteet.ba.axis.{measure}"), lang), width="stretch"
        )
        if not ctx.scope.all_stations:
            st.caption(t("tavoitteet.ba.scoped_note", k=k_scoped))
        st.markdown(f"##### {t('tavoitteet.ba.table')}")
        value_columns = ("mean_value", "ci_low", "ci_high", "comparison_value", "difference")
        share = unit == "share"
        suffix = t(f"tavoitteet.unit_suffix.{unit}")
        headers = {
            c: t(f"tavoitteet.ba.col.{c}")
            + (t("tavoitteet.unit_suffix.share_change") if share and c == "difference" else
               suffix if c in value_columns else "")
            for c in ("relative_month", "mean_value", "ci_low", "ci_high", "n_stations", "comparison_value",
                      "comparison_n", "difference")
        }
        parts = [measure, question or "", "kaikki" if role_group is None else role_group]
        ui.table(
            dashes_for_missing(series), headers, key="tavoitteet_before_after",
            percent=value_columns if share else (),
            decimals={c: 1 if share else 2 for c in value_columns},
            file_stem="ennen_jalkeen_" + "_".join(p for p in parts if p),
        )

# --- per station -----------------------------------------------------------------------------------------------
st.markdown(f"#### {t('tavoitteet.drill.heading')}")
if not qg.drilldown_allowed(ctx.scope):
    st.info(t("tavoitteet.empty.no_drilldown"))
else:
    indicators = qg.station_indicators(ctx.db, ctx.scope, lang)
    if indicators.is_empty():
        st.info(t("tavoitteet.empty.no_station_indicators"))
    else:
        st.caption(t("tavoitteet.drill.intro"))
        names = {r["indicator_id"]: f"{r['goal_id']}: {r['name']}" for r in indicators.iter_rows(named=True)}
        units = dict(zip(indicators["indicator_id"], indicators["unit"], strict=True))
        ids = list(names)
        with_values = indicators["stations_with_value"].to_list()
        keep_valid("gd_indicator", ids)
        indicator = st.selectbox(
            t("tavoitteet.drill.indicator"), ids, format_func=names.__getitem__, key="gd_indicator",
            index=with_values.index(max(with_values)),  # the one with most station figures
        )
        rows = labels.with_baseline_labels(
            qg.station_progress(ctx.db, ctx.scope, indicator, ctx.municipality, ctx.station_id, lang), lang,
            station=True,
        )
        if not ctx.scope.all_stations:
            st.caption(t("tavoitteet.drill.scoped"))
        if rows.is_empty():
            st.info(t("tavoitteet.empty.no_station_rows"))
        else:
            unit = units[indicator]
            share = unit == "share"
            suffix = t(f"tavoitteet.unit_suffix.{unit}")
            change_suffix = t("tavoitteet.unit_suffix.share_change") if share else suffix
            digits = present.DECIMALS.get(unit, 2)
            # A station is compared with its own baseline; a target (and so progress and status) only where the
            # configuration derives one for stations (config/tavoitteet.toml, station_target).
            has_target = rows["target"].drop_nulls().len() > 0
            shown = with_status_text(present.with_texts(rows, lang)).with_columns(
                pl.col("go_live").map_elements(lambda d: fmt.date_text(d, lang), return_dtype=pl.String,
                                               skip_nulls=False).alias("go_live_text"),
                pl.when(pl.col("target").is_null()).then(pl.lit(fmt.MISSING)).otherwise(pl.col("status_text"))
                .alias("status_text"),
            )
            rule = rows["station_target"][0] if "station_target" in rows.columns else "none"
            if has_target:
                st.caption(t("tavoitteet.station_target.derived", rule=t(f"tavoitteet.station_target.{rule}")))
            else:
                st.caption(t("tavoitteet.station_target.none"))
            target_headers = {
                "target": t("tavoitteet.drill.target", unit=suffix),
                "progress": t("tavoitteet.drill.progress"), "status_text": t("tavoitteet.drill.status"),
            } if has_target else {}
            ui.table(
                dashes_for_missing(shown),
                {
                    "station_name": t("tavoitteet.drill.station"), "municipality": t("tavoitteet.drill.municipality"),
                    "go_live_text": t("tavoitteet.drill.go_live"),
                    "baseline": t("tavoitteet.drill.baseline", unit=suffix),
                    "baseline_label": t("tavoitteet.drill.baseline_label"),
                    "current": t("tavoitteet.drill.current", unit=suffix),
                    "current_month_text": t("tavoitteet.drill.current_month"),
                    "change": t("tavoitteet.drill.change", unit=change_suffix),
                    **target_headers,
                },
                key="tavoitteet_stations",
                percent=("baseline", "current", "change", "target", "progress") if share else ("progress",),
                decimals={"baseline": digits, "current": digits, "change": digits, "target": digits, "progress": 0},
                file_stem=f"tavoitteet_asemittain_{indicator}",
            )
