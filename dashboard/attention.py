"""Huomiot: what needs attention in a month, by configurable rules over the same query functions as the pages.

Every rule reads through the scoped query layer, so a station manager gets items only for the stations they may
see (plus the totals every user may see), and a suppressed Pulssi score (empty in the marts) never makes an item.
The rules and their settings are described in docs/raportti.md; the settings live in the [huomiot] section of
config/asetukset.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from core.settings import settings
from dashboard import fmt, queries
from dashboard import queries_rollout as qr
from dashboard.access import Scope
from dashboard.i18n import t

# The page where each rule's figure shows (st.page_link target).
PAGES = {
    "overload": "pages/tyokuorma.py",
    "pulssi_drop": "pages/pulssi.py",
    "participation": "pages/pulssi.py",
    "late_go_live": "pages/kayttoonotto.py",
    "open_question": "pages/kayttoonotto.py",
    "source_missing": "pages/tiedot.py",
}
RULES = tuple(PAGES)


class Rules(BaseModel):
    """The [huomiot] section of config/asetukset.toml."""

    model_config = ConfigDict(extra="forbid")

    overload_ratio: float = Field(1.1, gt=0)
    overload_months: int = Field(2, ge=1, le=12)
    pulssi_drop: float = Field(0.3, gt=0)
    enps_drop: float = Field(15, gt=0)
    pulssi_window: int = Field(3, ge=1, le=12)
    participation_min: float = Field(0.6, gt=0, le=1)
    question_open_days: int = Field(60, ge=1)
    monthly_sources: list[str] = Field(default_factory=lambda: ["henkilosto", "pulssi"])


def rules() -> Rules:
    """The configured rules (defaults where the section or a key is missing)."""
    return Rules.model_validate(settings().huomiot)


@dataclass(frozen=True)
class Item:
    """One attention item: which rule, which unit, which month, the figure and what it is compared with."""

    rule: str
    unit: str
    month: date
    value: float | None = None
    reference: float | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def page(self) -> str:
        """The page where the figure shows."""
        return PAGES[self.rule]


def _add_months(d: date, n: int) -> date:
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _station_name(row: dict[str, object], lang: str) -> str:
    name = row.get("name_sv") if lang == "sv" else None
    return str(name or row.get("name_fi") or row.get("station_name") or row.get("station_id"))


def overload(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
             station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Stations above the load-ratio limit in each of the last `overload_months` calendar months up to the month."""
    cfg = cfg or rules()
    wanted = [_add_months(month, -i) for i in range(cfg.overload_months)]
    # One month at a time in SQL (oldest first, the order the stations' rows come in).
    unit = None if station_id is not None else municipality
    df = pl.concat([queries.workload(db, scope, m, station_id, unit) for m in reversed(wanted)], how="vertical_relaxed")
    df = df.filter(pl.col("load_ratio") > cfg.overload_ratio)
    items = []
    for sid, rows in df.group_by("station_id", maintain_order=True):
        if rows.height < len(wanted):
            continue
        rows = rows.sort("month")
        row = rows.row(-1, named=True)
        previous = rows["load_ratio"][-2] if rows.height > 1 else None
        items.append(Item("overload", _station_name(row, lang), month, row["load_ratio"], previous,
                          {"months": cfg.overload_months, "limit": cfg.overload_ratio, "station_id": sid[0]}))
    return sorted(items, key=lambda i: -(i.value or 0))


def _pulssi_units(db: str | Path, scope: Scope, municipality: str | None, station_id: str | None,
                  lang: str) -> pl.DataFrame:
    """All-roles Pulssi rows of the chosen unit and of each station of it in the scope, in one frame: `unit` (its
    name) and `unit_no` (the chosen unit first, then its stations in the order they first appear)."""
    if station_id is not None:
        rows = queries.pulssi_rows(db, scope, with_stations=True, station_id=station_id)
    else:
        rows = queries.pulssi_rows(db, scope, total=True, total_municipality=municipality, with_stations=True,
                                   municipality=municipality)
    name = pl.col("station_name")
    if lang == "sv":
        name = pl.when(pl.col("station_name_sv").is_not_null() & (pl.col("station_name_sv") != "")).then(
            pl.col("station_name_sv")).otherwise(name)
    rows = rows.with_columns(
        pl.when(pl.col("station_id").is_null()).then(pl.lit(municipality or t("filter.region", lang)))
        .otherwise(pl.coalesce(name.cast(pl.String), pl.col("station_id"))).alias("unit"),
        pl.col("station_id").fill_null("").alias("__unit_key"),
    )
    order = rows.select("__unit_key").unique(maintain_order=True).with_row_index("unit_no")
    return rows.join(order, on="__unit_key", how="left").drop("__unit_key")


def pulssi_drops(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                 station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Questions whose shown value fell by the set amount from the mean of the unit's previous Pulssi months."""
    cfg = cfg or rules()
    rows = _pulssi_units(db, scope, municipality, station_id, lang).with_row_index("__row").with_columns(
        pl.when(pl.col("question_type") == "enps").then(pl.col("enps")).otherwise(pl.col("mean_score"))
        .alias("value")
    )
    keys = ["unit_no", "question_id"]
    # Questions in the order they first appear in the unit's rows; a suppressed group has an empty value: it never
    # makes an item, now or in the window.
    first = rows.group_by(keys).agg(pl.col("__row").min().alias("__first"))
    now = rows.filter((pl.col("month") == month) & pl.col("value").is_not_null()).unique(keys, keep="first")
    window = (
        rows.filter((pl.col("month") < month) & pl.col("value").is_not_null())
        .group_by(keys)
        .agg(pl.len().alias("__n"), pl.col("value").sort_by("month").tail(cfg.pulssi_window).alias("__window"))
        .filter(pl.col("__n") >= cfg.pulssi_window)
    )
    found = now.join(window, on=keys).join(first, on=keys).sort("unit_no", "__first")
    items = []
    for row in found.iter_rows(named=True):
        enps = row["question_type"] == "enps"
        # The mean of the window as a Series computes it (the figure the pages and the report have always shown).
        mean, value = float(pl.Series(row["__window"], dtype=pl.Float64).mean()), float(row["value"])  # type: ignore[arg-type]
        if mean - value >= (cfg.enps_drop if enps else cfg.pulssi_drop) - 1e-9:
            text = row["text_sv"] if lang == "sv" and row["text_sv"] else row["text_fi"]
            items.append(Item("pulssi_drop", row["unit"], month, value, mean,
                              {"question": str(text or row["question_id"]), "enps": enps,
                               "window": cfg.pulssi_window}))
    return items


def low_participation(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                      station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Units whose Pulssi participation in the month is below the set share (participation is never suppressed)."""
    cfg = cfg or rules()
    rates = (
        _pulssi_units(db, scope, municipality, station_id, lang)
        .filter(pl.col("month") == month)
        .group_by("unit_no", "unit").agg(pl.col("participation_rate").max())
        .filter(pl.col("participation_rate").is_not_null() & (pl.col("participation_rate") < cfg.participation_min))
        .sort("unit_no")
    )
    items = [Item("participation", unit, month, float(rate), cfg.participation_min)
             for _, unit, rate in rates.iter_rows()]
    return sorted(items, key=lambda i: i.value or 0.0)


def late_go_lives(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                  station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Stations whose planned go-live has passed without going live (status as on the Käyttöönotto page)."""
    df = qr.status_table(db, scope, municipality, station_id, lang).filter(pl.col("status") == qr.DELAYED)
    return [
        Item("late_go_live", str(r["name"]), month, r["delay_days"], None, {"planned": r["planned_go_live"]})
        for r in df.iter_rows(named=True)
    ]


def old_questions(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                  station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Rollout questions open for more than the set number of days (region-wide ones included)."""
    cfg = cfg or rules()
    df = qr.question_log(db, scope, municipality, station_id).filter(
        (pl.col("status") == qr.OPEN) & (pl.col("age_days") > cfg.question_open_days)
    )
    names = queries.stations(db)
    by_id = {r["station_id"]: _station_name(r, lang) for r in names.iter_rows(named=True)}
    return [
        Item("open_question", by_id.get(r["station_id"], t("huomiot.region_wide", lang)) if r["station_id"]
             else t("huomiot.region_wide", lang), month, r["age_days"], cfg.question_open_days,
             {"topic": r["topic"], "opened": r["opened"]})
        for r in df.iter_rows(named=True)
    ]


def missing_sources(db: str | Path, scope: Scope, month: date, municipality: str | None = None,
                    station_id: str | None = None, lang: str = "fi", cfg: Rules | None = None) -> list[Item]:
    """Monthly sources whose last loaded month is before the warehouse's latest month."""
    cfg = cfg or rules()
    months = queries.months(db)
    if not months:
        return []
    latest = months[-1]
    loaded = {r["source"]: r["last_month"] for r in queries.data_months(db).iter_rows(named=True)}
    return [
        Item("source_missing", t(f"data.source_name.{source}", lang), latest, None, None, {"last": loaded.get(source)})
        for source in cfg.monthly_sources
        if loaded.get(source) is None or loaded[source] < latest
    ]


_RULE_FUNCS = {
    "overload": overload, "pulssi_drop": pulssi_drops, "participation": low_participation,
    "late_go_live": late_go_lives, "open_question": old_questions, "source_missing": missing_sources,
}


def items(db: str | Path, scope: Scope, month: date, municipality: str | None = None, station_id: str | None = None,
          lang: str = "fi") -> list[Item]:
    """Every attention item of the month and unit, rule by rule in a fixed order."""
    queries._check_station(scope, station_id)  # noqa: SLF001 - same layer
    cfg = rules()
    out: list[Item] = []
    for rule in RULES:
        out.extend(_RULE_FUNCS[rule](db, scope, month, municipality, station_id, lang, cfg))
    return out


def grouped(found: list[Item], lang: str = "fi", limit: int | None = None) -> list[tuple[str, list[Item], int]]:
    """Items by rule in rule order as (rule, the first `limit` items, how many more), rules without items left out."""
    out = []
    for rule in RULES:
        of_rule = [i for i in found if i.rule == rule]
        if of_rule:
            shown = of_rule if limit is None else of_rule[:limit]
            out.append((rule, shown, len(of_rule) - len(shown)))
    return out


def describe(item: Item, lang: str = "fi") -> str:
    """One item as a sentence naming the unit, the figure and the month."""
    month = fmt.month_name(item.month, lang)
    key = f"huomiot.rule.{item.rule}"
    if item.rule == "overload":
        return t(key, lang, unit=item.unit, value=fmt.number(item.value, 2, lang),
                 previous=fmt.number(item.reference, 2, lang), limit=fmt.number(item.extra["limit"], 2, lang),
                 months=item.extra["months"], month=month)
    if item.rule == "pulssi_drop":
        enps = bool(item.extra["enps"])
        decimals = 0 if enps else 2
        return t(key, lang, unit=item.unit, question=item.extra["question"],
                 value=fmt.number(item.value, decimals, lang), mean=fmt.number(item.reference, decimals, lang),
                 window=item.extra["window"], month=month)
    if item.rule == "participation":
        return t(key, lang, unit=item.unit, value=fmt.percent(item.value, 0, lang),
                 limit=fmt.percent(item.reference, 0, lang), month=month)
    if item.rule == "late_go_live":
        return t(key, lang, unit=item.unit, planned=fmt.date_text(item.extra["planned"], lang),  # type: ignore[arg-type]
                 days=fmt.integer(item.value, lang), month=month)
    if item.rule == "open_question":
        return t(key, lang, unit=item.unit, topic=item.extra["topic"], days=fmt.integer(item.value, lang),
                 opened=fmt.date_text(item.extra["opened"], lang), month=month)  # type: ignore[arg-type]
    last = item.extra.get("last")
    return t(key, lang, unit=item.unit, month=month,
             last=fmt.month_name(last, lang) if last else t("huomiot.never", lang))  # type: ignore[arg-type]
