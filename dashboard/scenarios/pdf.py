"""A one-page PDF of a scenario's projection, typeset with Typst (the template ships in this package)."""

from __future__ import annotations

import json
from pathlib import Path

import typst

from core.settings import settings
from dashboard import fmt
from dashboard.i18n import t
from dashboard.scenarios.present import region_table
from dashboard.scenarios.projection import Projection

TEMPLATE = Path(__file__).with_name("scenario.typ")
MAX_STATION_ROWS = 30  # keeps the page to one sheet; the CSV/Excel download has every row


def _ratio(x: object, lang: str) -> str:
    return fmt.number(x, 2, lang) if x is not None else fmt.MISSING  # type: ignore[arg-type]


def document(projection: Projection, stations: list[dict[str, object]], changes: list[str], lang: str) -> dict:
    """The data the template prints (every text already in the user's language)."""
    s = settings()
    freed = projection.freed_clinician_hours

    rows = [list(row) for row in region_table(projection, lang).iter_rows()]
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
