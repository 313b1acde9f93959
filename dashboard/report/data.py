"""The monthly report's content: the pages' figures for one month and unit, as display texts for the template.

Every figure comes from the same query functions as the pages (dashboard/overview.py, dashboard/queries*.py), so
the report shows what the pages show, with the same privacy rules and the same access scope. This module only
selects and formats; it computes no figure of its own.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from core.settings import settings
from dashboard import attention, fmt, labels, overview, present, queries
from dashboard import queries_goals as qg
from dashboard import queries_labour as ql
from dashboard import queries_pulssi as qp
from dashboard import queries_rollout as qr
from dashboard import queries_workload as qw
from dashboard.access import Scope
from dashboard.charts import goals as goal_charts
from dashboard.charts import overview as overview_charts
from dashboard.charts import workload as workload_charts
from dashboard.charts.common import GOAL_STATUS_COLOURS
from dashboard.i18n import t
from dashboard.report import Unit, svg

MONTHLY_SOURCES = ("henkilosto", "pulssi", "kartoitus")
ATTENTION_LIMIT = 5  # items per rule in the report; the rest are counted in one line


def _station_names(db: str | Path, lang: str) -> dict[str, str]:
    st = queries.stations(db)
    col = "name_sv" if lang == "sv" else "name_fi"
    return {r["station_id"]: str(r[col] or r["name_fi"] or r["station_id"]) for r in st.iter_rows(named=True)}


def unit_label(db: str | Path, unit: Unit, lang: str) -> str:
    """The unit in words: a station's name, a municipality, or the whole region."""
    if unit.station_id:
        return _station_names(db, lang).get(unit.station_id, unit.station_id)
    return unit.municipality or t("filter.region", lang)


def _kpi(label: str, value: str, change: str | None, note: str = "") -> dict[str, str]:
    return {"label": label, "value": value, "change": change or "", "note": note}


def _at_a_glance(frame: pl.DataFrame, month: date, lang: str) -> tuple[list[dict[str, str]], bool]:
    """The Yleiskuva key figures and their change, as the page shows them; and whether the month has Pulssi."""
    k = overview.kpis(frame, month)
    if not k:
        return [], False
    live, total = k["stations_live"], k["stations_total"]
    comp, clin, sick = k["compliance_share"], k["clinician_admin_hours_week"], k["sick_leave_rate"]
    pidx, part, enps = k["pulssi_index"], k["participation_rate"], k["enps"]
    has_pulssi = part.value is not None or pidx.value is not None
    hidden = t("suppressed.short", lang)
    rows = [
        _kpi(t("overview.stations_live", lang), f"{fmt.integer(live.value, lang)} / {fmt.integer(total.value, lang)}",
             fmt.signed(live.delta, 0, lang) if live.delta else None, t("raportti.vs_previous", lang)),
        _kpi(t("overview.compliance", lang), fmt.percent(comp.value, 1, lang),
             fmt.signed_points(comp.delta, 1, lang) if comp.delta is not None else None,
             t("raportti.vs_previous", lang)),
        _kpi(t("overview.clinician_hours", lang), fmt.hours(clin.value, 1, lang),
             fmt.signed(clin.delta, 1, lang) if clin.delta is not None else None,
             t("overview.since_first_round", lang)),
        _kpi(t("overview.sick_leave", lang), fmt.percent(sick.value, 1, lang) if sick.value is not None else hidden,
             fmt.signed_points(sick.delta, 1, lang) if sick.delta is not None else None,
             t("raportti.vs_previous", lang)),
    ]
    if has_pulssi:
        rows += [
            _kpi(t("overview.pulssi_index", lang),
                 fmt.number(pidx.value, 2, lang) if pidx.value is not None else hidden,
                 fmt.signed(pidx.delta, 2, lang) if pidx.delta is not None else None, t("raportti.vs_previous", lang)),
            _kpi(t("overview.participation", lang), fmt.percent(part.value, 0, lang),
                 fmt.signed_points(part.delta, 1, lang) if part.delta is not None else None,
                 t("raportti.vs_previous", lang)),
            _kpi(t("overview.enps", lang), fmt.number(enps.value, 0, lang) if enps.value is not None else hidden,
                 fmt.signed(enps.delta, 0, lang) if enps.delta is not None else None, t("raportti.vs_previous", lang)),
        ]
    return rows, has_pulssi


def _sparklines(frame: pl.DataFrame, month: date, lang: str) -> list[dict[str, str]]:
    upto = frame.filter(pl.col("month") <= month)
    out = []
    for column, key, number_format in (
        ("compliance_share", "overview.compliance", ".0%"),
        ("pulssi_index", "overview.pulssi_index", ",.2f"),
        ("participation_rate", "overview.participation", ".0%"),
        ("sick_leave_rate", "overview.sick_leave", ".1%"),
    ):
        if column in upto.columns and upto[column].drop_nulls().len() >= 2:
            chart = overview_charts.sparkline(upto, column, t(key, lang), number_format, lang)
            out.append({"title": t(key, lang), "svg": svg.render(chart, width=190, height=70)})
    return out


def _goals(db: str | Path, month: date, lang: str) -> dict[str, Any]:
    if not qg.has_goal_marts(db):
        return {"rows": [], "empty": t("raportti.goals.empty", lang)}
    goals = present.with_texts(qg.goal_progress(db, lang), lang)
    if goals.is_empty() or not qg.has_figures(goals):
        return {"rows": [], "empty": t("raportti.goals.empty", lang)}
    trend = qg.goal_trend(db).filter(pl.col("month") <= month)
    rows = []
    for goal_id, title, indicators in qg.goals_of(goals):
        for r in indicators.iter_rows(named=True):
            series = trend.filter(pl.col("indicator_id") == r["indicator_id"])
            spark = ""
            if series["value"].drop_nulls().len() >= 2:
                chart = goal_charts.trend_sparkline(series, r["unit"], r["target"], r["name"], lang)
                spark = svg.render(chart, width=120, height=34, axes=False)
            status = r["status"] or "ei tietoa"
            rows.append({
                "goal": str(goal_id), "title": title, "indicator": r["name"],
                "baseline": r["baseline_text"], "baseline_label": labels.baseline_label(r, lang),
                "target": r["target_text"], "current": r["current_text"],
                "current_month": fmt.month_text(r["current_month"], lang) if r["current_month"] else "",
                "status": t(f"goal_status.{status}", lang), "colour": GOAL_STATUS_COLOURS.get(status, "#b8b8b8"),
                "trend": spark,
            })
    return {"rows": rows, "empty": ""}


def _workload(db: str | Path, scope: Scope, month: date, unit: Unit, lang: str) -> dict[str, Any]:
    rows = qw.station_month(db, scope, month, unit.municipality, lang)
    if unit.station_id:
        rows = rows.filter(pl.col("station_id") == unit.station_id)
    series = qw.unit_series(db, unit.municipality)
    now = series.filter(pl.col("month") == month)
    unit_ratio = now["load_ratio"][0] if not now.is_empty() else None
    out: dict[str, Any] = {
        "unit_ratio": fmt.number(unit_ratio, 2, lang),
        "unit_label": unit.municipality or t("filter.region", lang),
        "overload_share": fmt.percent(now["overload_share"][0], 0, lang) if not now.is_empty() else fmt.MISSING,
        "chart": "", "over": [], "rows": [], "empty": "", "estimated": "",
    }
    shown = rows.filter(pl.col("load_ratio").is_not_null())
    if shown.is_empty():
        out["empty"] = t("raportti.workload.empty", lang)
        return out
    references = qw.reference_values(db, month, unit.municipality, t("filter.region", lang), unit.municipality)
    chart = workload_charts.load_ratio_bars(shown, references, unit.station_id, qw.LOW, qw.HIGH, lang)
    out["chart"] = svg.render(chart, width=300)
    band = {b: t(f"tyokuorma.band.{b}", lang) for b in qw.BANDS}
    out["rows"] = [
        {"station": r["station_name"], "ratio": fmt.number(r["load_ratio"], 2, lang), "band": band.get(r["band"], "")}
        for r in shown.sort("load_ratio", descending=True).iter_rows(named=True)
    ]
    out["over"] = [f"{r['station']} ({r['ratio']})" for r in out["rows"]
                   if r["band"] == band["over"]]
    if "capacity_estimated" in rows.columns and rows["capacity_estimated"].fill_null(False).any():
        out["estimated"] = t("raportti.workload.estimated", lang)
    return out


def _labour(frame: pl.DataFrame, db: str | Path, scope: Scope, month: date, unit: Unit,
            lang: str) -> dict[str, Any]:
    now = frame.filter(pl.col("month") == month)
    if now.is_empty() or now["compliance_share"][0] is None:
        return {"empty": t("raportti.labour.empty", lang), "rows": []}
    r = now.row(0, named=True)
    first, current = r["first_round_clinician_hours_week"], r["clinician_admin_hours_week"]
    freed = first - current if first is not None and current is not None else None
    latest = ql.station_latest(db, scope, month, unit.municipality, unit.station_id)
    name_col = "name_sv" if lang == "sv" else "name_fi"
    rows = [
        {"station": str(x[name_col] or x["name_fi"]), "date": fmt.date_text(x["mapping_date"], lang),
         "share": fmt.percent(x["compliance_share"], 0, lang),
         "clinician": fmt.number(x["clinician_admin_hours_week"], 1, lang)}
        for x in latest.sort(name_col).iter_rows(named=True)
    ]
    return {
        "empty": "", "compliance": fmt.percent(r["compliance_share"], 1, lang),
        "stations_mapped": fmt.integer(r["stations_mapped"], lang),
        "clinician_now": fmt.hours(current, 1, lang), "clinician_first": fmt.hours(first, 1, lang),
        "freed": fmt.hours(freed, 1, lang), "rows": rows,
    }


def _pulssi(db: str | Path, scope: Scope, month: date, unit: Unit, lang: str) -> dict[str, Any]:
    figures = qp.unit_figures(db, scope, month, unit.municipality, unit.station_id, None, lang)
    if figures.is_empty():
        return {"empty": t("raportti.pulssi.empty", lang), "rows": []}
    k = qp.k_anonymity(db)
    months = [m for m in qp.pulssi_months(db) if m < month][-3:]
    unit_rows = queries.pulssi_unit(db, scope, unit.municipality, unit.station_id, None)
    history = unit_rows.filter(pl.col("month").is_in(months))
    # The last twelve Pulssi months up to the report's month, for a small trend per question.
    recent = [m for m in qp.pulssi_months(db) if m <= month][-12:]
    rows = []
    for r in figures.iter_rows(named=True):
        enps = r["question_type"] == present.ENPS
        value = r["enps"] if enps else r["mean_score"]
        decimals = 0 if enps else 2
        past = history.filter(pl.col("question_id") == r["question_id"])
        past_values = past["enps" if enps else "mean_score"].drop_nulls()
        mean = float(past_values.mean()) if past_values.len() else None  # type: ignore[arg-type]
        hidden = bool(r["suppressed"])
        # Suppressed months are empty in the mart, so the line only joins shown values.
        series = unit_rows.filter((pl.col("question_id") == r["question_id"]) & pl.col("month").is_in(recent)).select(
            "month", pl.col("enps" if enps else "mean_score").alias("value"))
        spark = ""
        if series["value"].drop_nulls().len() >= 2:
            chart = overview_charts.sparkline(series, "value", str(r["question_text"] or r["question_id"]),
                                              ",.0f" if enps else ",.2f", lang)
            spark = svg.render(chart, width=110, height=18, axes=False)
        rows.append({
            "question": str(r["question_text"] or r["question_id"]),
            "value": t("suppressed.short", lang) if hidden else fmt.number(value, decimals, lang),
            "favourable": "" if hidden or enps else fmt.percent(r["favourable_share"], 0, lang),
            "mean3": fmt.number(mean, decimals, lang),
            "change": "" if hidden or mean is None or value is None else fmt.signed(value - mean, decimals, lang),
            "respondents": fmt.integer(r["respondents"], lang),
            "note": qp_suppression(r["reason"], k, lang) if hidden else "",
            "trend": spark,
        })
    first = figures.row(0, named=True)
    return {
        "empty": "", "rows": rows,
        "participation": fmt.percent(first["participation_rate"], 0, lang),
        "responses": fmt.integer(first["responses"], lang), "headcount": fmt.integer(first["headcount"], lang),
        "months3": ", ".join(fmt.month_text(m, lang) for m in months),
    }


def qp_suppression(reason: str | None, k: int, lang: str) -> str:
    """Why a Pulssi group is hidden, as the Pulssi page says it."""
    return present.suppression_text(reason, k, lang)


def _rollout(db: str | Path, scope: Scope, unit: Unit, lang: str) -> dict[str, Any]:
    counts = qr.status_counts(db, unit.municipality)
    region_wide = qr.region_wide_questions(db)
    table = qr.status_table(db, scope, unit.municipality, unit.station_id, lang)
    late = table.filter(pl.col("status") == qr.DELAYED)
    log = qr.question_log(db, scope, unit.municipality, unit.station_id).filter(pl.col("status") == qr.OPEN)
    return {
        "unit_label": unit.municipality or t("filter.region", lang),
        "counts": [{"status": t(f"rollout_status.{r['status']}", lang), "n": fmt.integer(r["stations"], lang)}
                   for r in counts.iter_rows(named=True)],
        "open_questions": fmt.integer(int(counts["open_questions"].sum()) + region_wide["open"], lang),
        "late": [{"station": r["name"], "planned": fmt.date_text(r["planned_go_live"], lang),
                  "days": fmt.integer(r["delay_days"], lang)} for r in late.iter_rows(named=True)],
        "questions": [{"opened": fmt.date_text(r["opened"], lang), "topic": str(r["topic"]),
                       "station": str(r["station_name"]) if r["station_id"] else t("huomiot.region_wide", lang),
                       "days": fmt.integer(r["age_days"], lang)} for r in log.head(8).iter_rows(named=True)],
        "questions_more": max(0, log.height - 8),
    }


def _data_note(db: str | Path, lang: str) -> dict[str, Any]:
    months = {r["source"]: r["last_month"] for r in queries.data_months(db).iter_rows(named=True)}
    sources = [
        {"source": t(f"data.source_name.{s}", lang),
         "last": fmt.month_name(months.get(s), lang) if months.get(s) else t("raportti.data.none", lang)}
        for s in MONTHLY_SOURCES
    ]
    return {"sources": sources, "privacy": t("raportti.data.privacy", lang, k=settings().k_anonymity)}


def build(db: str | Path, scope: Scope, month: date | None, unit: Unit | None = None, lang: str = "fi",
          generated: datetime | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready texts and SVG charts (month None = the warehouse's latest month)."""
    unit = unit or Unit()
    queries._check_station(scope, unit.station_id)  # noqa: SLF001 - same layer
    s = settings()
    state = queries.warehouse_state(db)
    months = queries.months(db) if state["ready"] else []
    if month is None and months:
        month = months[-1]
    base: dict[str, Any] = {
        "lang": lang,
        "county": s.county_name_sv if lang == "sv" else s.county_name,
        "title": t("raportti.title", lang),
        "unit": unit_label(db, unit, lang) if state["ready"] else t("filter.region", lang),
        "month": fmt.month_name(month, lang) if month else "",
        "generated": t("raportti.generated", lang, when=fmt.datetime_text(generated or datetime.now(fmt.HELSINKI),
                                                                          lang)),
        "scope_note": "" if scope.all_stations else t("raportti.scope_note", lang),
        "l": _static_texts(lang),
        "empty": "",
    }
    if not state["ready"] or month is None or month not in months:
        base["empty"] = t("raportti.empty_warehouse", lang) if not months else t("raportti.empty_month", lang)
        base["data"] = _data_note(db, lang) if state["ready"] else {
            "sources": [], "privacy": t("raportti.data.privacy", lang, k=s.k_anonymity)}
        return base
    frame = overview.series(db, scope, unit.municipality, unit.station_id)
    glance, has_pulssi = _at_a_glance(frame, month, lang)
    items = attention.items(db, scope, month, unit.municipality, unit.station_id, lang)
    base.update({
        "attention": [attention.describe(i, lang) for _, shown, _ in attention.grouped(items, lang, ATTENTION_LIMIT)
                      for i in shown],
        "attention_more": [t("raportti.attention_more", lang, n=more, rule=t(f"huomiot.title.{rule}", lang))
                           for rule, _, more in attention.grouped(items, lang, ATTENTION_LIMIT) if more],
        "kpis": glance,
        "no_pulssi": "" if has_pulssi else t("raportti.pulssi.none_month", lang),
        "sparklines": _sparklines(frame, month, lang),
        "goals": _goals(db, month, lang),
        "workload": _workload(db, scope, month, unit, lang),
        "labour": _labour(frame, db, scope, month, unit, lang),
        "pulssi": _pulssi(db, scope, month, unit, lang) if has_pulssi else {
            "empty": t("raportti.pulssi.none_month", lang), "rows": []},
        "rollout": _rollout(db, scope, unit, lang),
        "data": _data_note(db, lang),
    })
    return base


_STATIC_KEYS = (
    "attention", "attention_none", "glance", "figure", "value", "change", "basis", "trends", "goals", "goal",
    "indicator", "baseline", "target", "current", "status", "trend", "workload", "workload_intro", "station",
    "load_ratio", "band", "over_heading", "over_none", "labour", "compliance", "clinician_now", "clinician_first",
    "freed", "mapping_date", "share", "clinician_hours", "pulssi", "question", "mean3", "favourable",
    "respondents", "participation", "rollout", "late_heading", "late_none", "planned", "delay_days",
    "open_questions", "questions_heading", "questions_none", "opened", "topic", "days_open", "more", "data",
    "source", "last_month", "page", "trend12", "goals_note",
)


def _static_texts(lang: str) -> dict[str, str]:
    return {key: t(f"raportti.l.{key}", lang) for key in _STATIC_KEYS}
