"""A one-page PDF of a scenario's projection, typeset with Typst (the template ships in this package)."""

from __future__ import annotations

import json
from pathlib import Path

import typst

from dashboard import fmt
from dashboard.i18n import t
from dashboard.scenarios.projection import Projection
from warehouse.settings import settings

TEMPLATE = Path(__file__).with_name("scenario.typ")
MAX_STATION_ROWS = 30  # keeps the page to one sheet; the CSV/Excel download has every row


def _ratio(x: object, lang: str) -> str:
    return fmt.number(x, 2, lang) if x is not None else fmt.MISSING  # type: ignore[arg-type]


def document(projection: Projection, stations: list[dict[str, object]], changes: list[str], lang: str) -> dict:
    """The data the template prints (every text already in the user's language)."""
    s = settings()
    r = projection.region()
    freed = projection.freed_clinician_hours

    def pair(label: str, key: str, kind: str) -> list[str]:
        before, after = r[f"{key}_before"], r[f"{key}_after"]
        if kind == "ratio":
            a, b = _ratio(before, lang), _ratio(after, lang)
            delta = fmt.signed(after - before, 2, lang) if before is not None and after is not None else fmt.MISSING
        elif kind == "share":
            a, b = fmt.percent(before, 1, lang), fmt.percent(after, 1, lang)
            delta = fmt.signed_points((after - before) if before is not None and after is not None else None, 1, lang)
        else:
            a, b = fmt.number(before, 1, lang), fmt.number(after, 1, lang)
            delta = fmt.signed((after or 0) - (before or 0), 1, lang)
        return [label, a, b, delta]

    rows = [
        pair(t("skenaariot.col.load_ratio", lang), "load_ratio", "ratio"),
        pair(t("skenaariot.col.capacity", lang), "capacity_hours_week", "hours"),
        pair(t("skenaariot.col.required", lang), "required_hours_week", "hours"),
        pair(t("skenaariot.col.compliance", lang), "compliance_share", "share"),
        pair(t("skenaariot.col.clinician_admin", lang), "clinician_admin_hours_week", "hours"),
        pair(t("skenaariot.metric.cv", lang), "load_ratio_cv", "share"),
        pair(t("skenaariot.metric.over", lang), "overload_share", "share"),
    ]
    station_rows = [
        [str(x["station_name"]), _ratio(x["load_ratio_before"], lang), _ratio(x["load_ratio_after"], lang),
         fmt.number(x["required_hours_week_after"], 1, lang), fmt.number(x["capacity_hours_week_after"], 1, lang)]
        for x in stations[:MAX_STATION_ROWS]
    ]
    return {
        "lang": lang,
        "county": s.county_name_sv if lang == "sv" else s.county_name,
        "title": t("skenaariot.pdf.title", lang, name=projection.scenario.name),
        "subtitle": t("skenaariot.pdf.subtitle", lang, month=fmt.month_name(projection.base.month, lang),
                      hours=fmt.number(freed, 1, lang), fte=fmt.number(projection.fte(freed), 2, lang)),
        "changes_title": t("skenaariot.section.changes", lang),
        "changes": changes or [t("skenaariot.no_changes", lang)],
        "region_title": t("skenaariot.section.region", lang),
        "region_head": [t("skenaariot.col.figure", lang), t("skenaariot.col.before", lang),
                        t("skenaariot.col.after", lang), t("skenaariot.col.change", lang)],
        "region_rows": rows,
        "stations_title": t("skenaariot.section.stations", lang),
        "station_head": [t("skenaariot.col.station", lang), t("skenaariot.col.ratio_before", lang),
                         t("skenaariot.col.ratio_after", lang), t("skenaariot.col.required", lang),
                         t("skenaariot.col.capacity", lang)],
        "station_rows": station_rows,
        "note": t("skenaariot.pdf.note", lang),
        "footer": t("skenaariot.pdf.footer", lang),
    }


def to_pdf(projection: Projection, stations: list[dict[str, object]], changes: list[str], lang: str) -> bytes:
    """The PDF bytes (only the fonts embedded in typst; no system fonts, no downloads)."""
    data = json.dumps(document(projection, stations, changes, lang), ensure_ascii=False, default=str)
    return typst.compile(str(TEMPLATE), sys_inputs={"data": data}, ignore_system_fonts=True)
