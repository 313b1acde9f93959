"""Presentation of scenarios for the page, the downloads and the PDF: sentences, tables and the before/after chart."""

from __future__ import annotations

import altair as alt
import polars as pl

from core.roles import ROLE_NAMES
from dashboard import fmt
from dashboard.charts.common import finish
from dashboard.i18n import t
from dashboard.scenarios.model import Absence, Centralise, Reassign, Scenario, Staffing
from dashboard.scenarios.projection import HIGH, LOW, Projection
from dashboard.scenarios.proposal import Proposal

BEFORE_COLOUR, AFTER_COLOUR, BAND_FILL = "#9a9a9a", "#1f5f99", "#e6e6e6"


def role_name(code: str, lang: str) -> str:
    """A role code in the UI language."""
    fi, sv = ROLE_NAMES.get(code, (code, code))
    return sv if lang == "sv" else fi


def describe(scenario: Scenario, station_names: dict[str, str], task_names: dict[str, str], lang: str) -> list[str]:
    """One sentence per change."""
    def names(ids: list[str]) -> str:
        return ", ".join(station_names.get(s, s) for s in ids)

    out = []
    for c in scenario.changes:
        if isinstance(c, Reassign | Centralise):
            task = task_names.get(c.task_id, c.task_id) if c.task_id else c.task_group
        if isinstance(c, Reassign):
            if c.hours_week is not None:
                amount = t("skenaariot.describe.hours", lang, hours=fmt.number(c.hours_week, 1, lang))
            elif c.share is not None:
                amount = t("skenaariot.describe.share", lang, share=fmt.percent(c.share, 0, lang))
            else:
                amount = t("skenaariot.describe.all", lang)
            out.append(t("skenaariot.describe.reassign", lang, task=task, amount=amount,
                         from_role=role_name(c.from_role, lang), to_role=role_name(c.to_role, lang),
                         stations=names(c.stations), owner=t("skenaariot.describe.owner", lang) if c.owner_follows
                         else ""))
        elif isinstance(c, Centralise):
            to = station_names.get(c.to_station, c.to_station) if c.to_station else c.pool_name
            fte = t("skenaariot.describe.fte", lang, moved=fmt.number(c.fte_moved, 1, lang),
                    added=fmt.number(c.fte_added, 1, lang)) if c.fte_moved or c.fte_added else ""
            out.append(t("skenaariot.describe.centralise", lang, task=task, share=fmt.percent(c.share, 0, lang),
                         stations=names(c.stations), to=to, fte=fte))
        elif isinstance(c, Staffing):
            out.append(t("skenaariot.describe.staffing", lang, station=station_names.get(c.station, c.station),
                         delta=fmt.signed(c.fte_delta, 1, lang), role=role_name(c.role, lang)))
        elif isinstance(c, Absence):
            out.append(t("skenaariot.describe.absence", lang, stations=names(c.stations),
                         share=fmt.percent(c.share, 1, lang)))
    return out


def station_rows(stations: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Station rows with `station_name` in the UI language and the band before and after."""
    primary = "name_sv" if lang == "sv" else "name_fi"
    return stations.with_columns(pl.coalesce(primary, "name_fi", "station_id").alias("station_name"))


def station_columns(lang: str) -> dict[str, str]:
    """Columns of the station table and download."""
    return {
        "station_name": t("skenaariot.col.station", lang), "municipality": t("skenaariot.col.municipality", lang),
        "load_ratio_before": t("skenaariot.col.ratio_before", lang),
        "load_ratio_after": t("skenaariot.col.ratio_after", lang),
        "required_hours_week_before": t("skenaariot.col.required_before", lang),
        "required_hours_week_after": t("skenaariot.col.required_after", lang),
        "capacity_hours_week_before": t("skenaariot.col.capacity_before", lang),
        "capacity_hours_week_after": t("skenaariot.col.capacity_after", lang),
        "secretary_fte_before": t("skenaariot.col.fte_before", lang),
        "secretary_fte_after": t("skenaariot.col.fte_after", lang),
        "compliance_share_before": t("skenaariot.col.compliance_before", lang),
        "compliance_share_after": t("skenaariot.col.compliance_after", lang),
        "clinician_admin_hours_week_before": t("skenaariot.col.clinician_before", lang),
        "clinician_admin_hours_week_after": t("skenaariot.col.clinician_after", lang),
    }


STATION_DECIMALS = {"load_ratio_before": 2, "load_ratio_after": 2, "secretary_fte_before": 2, "secretary_fte_after": 2}
STATION_PERCENT = ("compliance_share_before", "compliance_share_after")


def band_changes(stations: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Stations that come back into the 0.9–1.1 band, and those that leave it (by `station_name`)."""
    def inside(col: str) -> pl.Expr:
        return pl.col(col).is_between(LOW, HIGH).fill_null(False)

    real = stations.filter(~pl.col("is_pool"))
    back = real.filter(~inside("load_ratio_before") & inside("load_ratio_after"))["station_name"].to_list()
    left = real.filter(inside("load_ratio_before") & ~inside("load_ratio_after"))["station_name"].to_list()
    return back, left


REGION_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("skenaariot.col.load_ratio", "load_ratio", "ratio"), ("skenaariot.col.capacity", "capacity_hours_week", "hours"),
    ("skenaariot.col.required", "required_hours_week", "hours"),
    ("skenaariot.col.compliance", "compliance_share", "share"),
    ("skenaariot.col.clinician_admin", "clinician_admin_hours_week", "hours"),
    ("skenaariot.metric.cv", "load_ratio_cv", "share"), ("skenaariot.metric.over", "overload_share", "share"),
    ("skenaariot.metric.in_band", "stations_in_band", "count"),
)


def _text(x: float | None, kind: str, lang: str, signed: bool = False) -> str:
    """A figure of the region table in the UI language (each row has its own unit)."""
    if kind == "share":
        return fmt.signed_points(x, 1, lang) if signed else fmt.percent(x, 1, lang)
    decimals = {"ratio": 3, "hours": 1, "count": 0}[kind]
    return fmt.signed(x, decimals, lang) if signed else fmt.number(x, decimals, lang)


def region_table(projection: Projection, lang: str) -> pl.DataFrame:
    """The region's figures before and after as rows (label, before, after, change) in the UI language's format."""
    r = projection.region()
    rows = []
    for key, col, kind in REGION_ITEMS:
        before, after = _f(r[f"{col}_before"]), _f(r[f"{col}_after"])
        change = after - before if before is not None and after is not None else None
        rows.append((t(key, lang), _text(before, kind, lang), _text(after, kind, lang),
                     _text(change, kind, lang, signed=True)))
    return pl.DataFrame(rows, schema={"figure": pl.String, "before": pl.String, "after": pl.String,
                                      "change": pl.String}, orient="row")


def _f(x: object) -> float | None:
    return float(x) if x is not None else None  # type: ignore[arg-type]


def goal_rows(projection: Projection, lang: str) -> pl.DataFrame:
    """Goal-2 and goal-5 indicators with the indicator name in the UI language."""
    g = projection.goals
    name = "indicator_name_sv" if lang == "sv" else "indicator_name"
    return g.with_columns(pl.coalesce(name, "indicator_name").alias("indicator"))


def transfer_rows(proposal: Proposal, station_names: dict[str, str], lang: str) -> pl.DataFrame:
    """The proposed transfers as a table."""
    return pl.DataFrame(
        {"giver": [station_names.get(tr.giver, tr.giver) if tr.giver else t("skenaariot.describe.new", lang)
                   for tr in proposal.transfers],
         "taker": [station_names.get(tr.taker, tr.taker) for tr in proposal.transfers],
         "fte": [tr.fte for tr in proposal.transfers]},
        schema={"giver": pl.String, "taker": pl.String, "fte": pl.Float64},
    )


def before_after_chart(stations: pl.DataFrame, lang: str) -> alt.LayerChart:
    """Per station: the load ratio before (grey dot) and after (blue dot), joined by a line; 0.9–1.1 shaded."""
    before, after = t("skenaariot.chart.before", lang), t("skenaariot.chart.after", lang)
    data = stations.select("station_id", "station_name", "load_ratio_before", "load_ratio_after")
    order = data.sort("load_ratio_after", descending=True, nulls_last=True)["station_name"].to_list()
    long = data.unpivot(index=["station_id", "station_name"], on=["load_ratio_before", "load_ratio_after"],
                        variable_name="series", value_name="load_ratio").with_columns(
        pl.col("series").replace_strict({"load_ratio_before": before, "load_ratio_after": after})
    ).filter(pl.col("load_ratio").is_not_null())
    y = alt.Y("station_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=260, labelOverlap=False))
    axis = t("skenaariot.chart.axis", lang)
    band = alt.Chart(pl.DataFrame({"low": [LOW], "high": [HIGH]})).mark_rect(color=BAND_FILL, opacity=0.8).encode(
        x="low:Q", x2="high:Q")
    link = alt.Chart(data.drop_nulls(["load_ratio_before", "load_ratio_after"])).mark_rule(
        color="#b0b0b0", strokeWidth=2).encode(y=y, x=alt.X("load_ratio_before:Q", title=axis), x2="load_ratio_after:Q")
    dots = alt.Chart(long).mark_point(size=90, filled=True).encode(
        y=y,
        x=alt.X("load_ratio:Q", title=axis, axis=alt.Axis(format=",.1f", tickMinStep=0.1),
                scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=t("skenaariot.chart.series", lang),
                        scale=alt.Scale(domain=[before, after], range=[BEFORE_COLOUR, AFTER_COLOUR])),
        shape=alt.Shape("series:N", scale=alt.Scale(domain=[before, after], range=["circle", "diamond"]), legend=None),
        tooltip=[alt.Tooltip("station_name:N", title=t("skenaariot.col.station", lang)),
                 alt.Tooltip("series:N", title=t("skenaariot.chart.series", lang)),
                 alt.Tooltip("load_ratio:Q", title=axis, format=",.3f")],
    )
    return finish(alt.layer(band, link, dots).properties(height=alt.Step(20)), lang)
