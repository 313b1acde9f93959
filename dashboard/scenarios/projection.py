"""The projection of a scenario: the base month's published figures, the changes applied, the figures recomputed.

Privacy: the base is what the marts publish: `mart_workload`'s capacity and secretary net FTE (for a station with
fewer than k secretaries already computed with the region's sick-leave rate) and the mapping hours of
`mart_compliance_tasks` (not sensitive). Nothing beneath the published figures is read, so no projection can
reveal what suppression hides. Station rows outside the user's scope are dropped in `for_scope`.

One definition of each figure: the station and unit figures are computed by the macros of
`warehouse/definitions.sql` (the same file the build runs before the marts) in an in-memory DuckDB, over the base
rows with the scenario's changes applied. A scenario without changes therefore reproduces the marts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from core.settings import settings
from dashboard.access import Scope
from dashboard.scenarios.model import (
    POOL_PREFIX,
    Absence,
    Catalogue,
    Centralise,
    Problem,
    Reassign,
    Scenario,
    ScenarioError,
    Staffing,
    _num,
    check,
    role_group,
)
from warehouse import SQL_DIR
from warehouse import db as wdb
from warehouse.build import DEFINITIONS
from warehouse.goals import progress_of

LOW, HIGH = settings().load_ratio_low, settings().load_ratio_high  # config/asetukset.toml, as the marts
GOAL_METRICS = ("clinician_admin_hours", "load_ratio_cv", "overload_share", "compliance_share")

# --- reading the base (marts only, bound parameters) ----------------------------------------------------------
_MONTHS = "SELECT DISTINCT month FROM mart_workload ORDER BY month"
_BASE_STATIONS = """
SELECT w.*, r.name_fi, r.name_sv, r.municipality
FROM mart_workload AS w LEFT JOIN mart_rollout AS r USING (station_id)
WHERE w.month = ?
ORDER BY r.municipality, r.name_fi
"""
_BASE_TASKS = """
SELECT t.station_id, t.task_id, t.task_name, t.task_group, t.owner_role, t.performer_role, t.hours_week
FROM mart_compliance_tasks AS t
JOIN mart_workload AS w ON w.station_id = t.station_id AND w.mapping_date = t.mapping_date
WHERE w.month = ?
"""
_TASK_CATALOGUE = """
SELECT DISTINCT task_id, task_name, task_group, owner_role FROM mart_compliance_tasks ORDER BY task_group, task_id
"""
_WEEKLY_HOURS = "SELECT weekly_hours FROM ref_settings"
_GOALS = """
SELECT goal_id, indicator_id, indicator_name, indicator_name_sv, metric, direction, unit, baseline, target, current
FROM mart_goal_progress WHERE goal_id IN (2, 5) AND metric IN (?, ?, ?, ?)
ORDER BY goal_id, indicator_order
"""

# --- the figures, by the shared definitions -------------------------------------------------------------------
_STATION_FIGURES = """
-- Hours summed as exact decimals, as the marts do: the same hours give the same figures to the last digit.
WITH mapped AS (
    SELECT station_id,
           coalesce(sum(h) FILTER (WHERE f_is_required(owner_group)), 0)::DOUBLE AS required,
           sum(h)::DOUBLE AS total_hours_week,
           coalesce(sum(h) FILTER (WHERE f_is_compliant(performer_role, owner_role)), 0)::DOUBLE
               AS compliant_hours_week,
           coalesce(sum(h) FILTER (WHERE f_is_clinician_admin(owner_group, performer_group)), 0)::DOUBLE
               AS clinician_admin_hours_week,
           coalesce(sum(h) FILTER (WHERE performer_group = 'kliiniset'), 0)::DOUBLE AS clinical_task_hours_week
    FROM (SELECT *, hours_week::DECIMAL(18, 10) AS h FROM sc_tasks) GROUP BY station_id
)
SELECT s.station_id, s.municipality, s.is_pool, s.secretary_fte, s.secretary_net_fte,
       f_capacity_hours(s.secretary_net_fte, $wh) AS capacity_hours_week,
       CASE WHEN s.has_round THEN coalesce(m.required, 0) END AS required_hours_week,
       f_load_ratio(CASE WHEN s.has_round THEN coalesce(m.required, 0) END,
                    f_capacity_hours(s.secretary_net_fte, $wh)) AS load_ratio,
       m.total_hours_week, m.compliant_hours_week,
       f_compliance_share(m.compliant_hours_week, m.total_hours_week) AS compliance_share,
       m.clinician_admin_hours_week, m.clinical_task_hours_week
FROM sc_stations AS s LEFT JOIN mapped AS m USING (station_id)
ORDER BY s.station_id
"""
# Units: the region and each municipality; the region load ratio is Σ required / Σ capacity over the stations
# with a ratio (as on the Työkuorma page); the spread is over real stations (a pooled team is not a station).
_UNIT_FIGURES = """
SELECT CASE WHEN grouping(municipality) = 1 THEN NULL ELSE municipality END AS municipality,
       grouping(municipality) = 1 AS is_region,
       sum(capacity_hours_week) AS capacity_hours_week,
       sum(required_hours_week) AS required_hours_week,
       f_load_ratio(sum(required_hours_week) FILTER (WHERE load_ratio IS NOT NULL),
                    sum(capacity_hours_week) FILTER (WHERE load_ratio IS NOT NULL)) AS load_ratio,
       f_compliance_share(sum(compliant_hours_week), sum(total_hours_week)) AS compliance_share,
       coalesce(sum(clinician_admin_hours_week), 0) AS clinician_admin_hours_week,
       coalesce(sum(clinical_task_hours_week), 0) AS clinical_task_hours_week,
       f_load_ratio_cv(CASE WHEN NOT is_pool THEN load_ratio END) AS load_ratio_cv,
       f_overload_share(CASE WHEN NOT is_pool THEN load_ratio END, $high) AS overload_share,
       count(*) FILTER (WHERE NOT is_pool AND load_ratio BETWEEN $low AND $high) AS stations_in_band,
       count(*) FILTER (WHERE NOT is_pool AND load_ratio IS NOT NULL) AS stations_with_ratio
FROM sc_figures
WHERE municipality IS NOT NULL OR is_pool
GROUP BY GROUPING SETS ((municipality), ())
HAVING grouping(municipality) = 1 OR municipality IS NOT NULL
ORDER BY is_region DESC, municipality
"""

STATION_SCHEMA = {
    "station_id": pl.String, "municipality": pl.String, "is_pool": pl.Boolean, "has_round": pl.Boolean,
    "secretary_fte": pl.Float64, "secretary_net_fte": pl.Float64,
}
TASK_SCHEMA = {
    "station_id": pl.String, "task_id": pl.String, "task_group": pl.String, "owner_role": pl.String,
    "performer_role": pl.String, "hours_week": pl.Float64,
}
FIGURES = ("secretary_fte", "capacity_hours_week", "required_hours_week", "load_ratio", "compliance_share",
           "clinician_admin_hours_week", "clinical_task_hours_week")


@dataclass
class Base:
    """The published figures a scenario starts from."""

    month: date
    weekly_hours: float
    stations: pl.DataFrame  # mart_workload row of the month + names, municipality, capacity_estimated
    tasks: pl.DataFrame  # each station's mapping round of the month: task × performing role, hours/week
    catalogue: pl.DataFrame  # task_id, task_name, task_group, owner_role
    goals: pl.DataFrame  # goal-2 and goal-5 indicators of mart_goal_progress

    def catalogue_check(self) -> Catalogue:
        """What a scenario on this base may name."""
        hours: dict[tuple[str, str, str], float] = defaultdict(float)
        for s, k, r, h in self.tasks.select("station_id", "task_id", "performer_role", "hours_week").iter_rows():
            hours[s, k, r] += h
        return Catalogue(
            stations=frozenset(self.stations["station_id"].to_list()),
            tasks=dict(self.catalogue.select("task_id", "task_group").iter_rows()),
            hours=dict(hours),
            secretary_fte=dict(self.stations.select("station_id", "secretary_fte").iter_rows()),
        )

    def net_ratio(self) -> dict[str, float]:
        """Net / gross secretary FTE per station (published figures); the region's where a station has none."""
        region = _ratio(self.stations["secretary_net_fte"].sum(), self.stations["secretary_fte"].sum())
        out = {}
        for s, fte, net in self.stations.select("station_id", "secretary_fte", "secretary_net_fte").iter_rows():
            out[s] = _ratio(net, fte) if fte and fte > 0 else region
        out[""] = region
        return out


def _ratio(net: float | None, fte: float | None) -> float:
    return float(net) / float(fte) if fte and net is not None else 1.0


def base_months(db: str | Path) -> list[date]:
    """Months with staffing (a scenario's possible base months), oldest first."""
    with wdb.read(db) as con:
        return [r[0] for r in con.sql(_MONTHS).fetchall()]


def read_base(db: str | Path, month: date) -> Base | None:
    """The base of a month from the marts; None when the warehouse holds no staffing for that month."""
    with wdb.read(db) as con:
        stations = con.sql(_BASE_STATIONS, params=[month]).pl()
        if stations.is_empty():
            return None
        if "capacity_estimated" not in stations.columns:  # a warehouse built before the second contract revision
            stations = stations.with_columns(pl.lit(False).alias("capacity_estimated"))
        tasks = con.sql(_BASE_TASKS, params=[month]).pl()
        catalogue = con.sql(_TASK_CATALOGUE).pl()
        weekly = con.sql(_WEEKLY_HOURS).fetchall()[0][0]
        goals = con.sql(_GOALS, params=list(GOAL_METRICS)).pl()
    return Base(month, float(weekly), stations.with_columns(pl.col("capacity_estimated").fill_null(False)),
                tasks, catalogue, goals)


# --- applying the changes -------------------------------------------------------------------------------------
@dataclass
class _State:
    """Mutable inputs of the figures: per-station FTE and net FTE, and the mapped task rows."""

    fte: dict[str, float]
    net: dict[str, float]
    ratio: dict[str, float]
    municipality: dict[str, str | None]
    has_round: dict[str, bool]
    pools: set[str]
    rows: dict[tuple[str, str, str], float]  # (station, task, performer) -> hours
    owner: dict[tuple[str, str], str]  # (station, task) -> owner role
    group: dict[str, str]  # task -> task group

    @classmethod
    def of(cls, base: Base) -> _State:
        st = base.stations
        rows: dict[tuple[str, str, str], float] = defaultdict(float)
        owner: dict[tuple[str, str], str] = {}
        for s, k, o, r, h in base.tasks.select("station_id", "task_id", "owner_role", "performer_role",
                                               "hours_week").iter_rows():
            rows[s, k, r] += h
            owner[s, k] = o
        return cls(
            fte=dict(st.select("station_id", "secretary_fte").iter_rows()),
            net=dict(st.select("station_id", "secretary_net_fte").iter_rows()),
            ratio=base.net_ratio(),
            municipality=dict(st.select("station_id", "municipality").iter_rows()),
            has_round=dict(st.select("station_id", pl.col("mapping_date").is_not_null()).iter_rows()),
            pools=set(),
            rows=rows,
            owner=owner,
            group=dict(base.catalogue.select("task_id", "task_group").iter_rows()),
        )

    def owner_of(self, station: str, task: str, catalogue: dict[str, str]) -> str:
        return self.owner.get((station, task), catalogue[task])

    def add_fte(self, station: str, delta: float) -> None:
        self.fte[station] = self.fte.get(station, 0.0) + delta
        self.net[station] = max(0.0, self.net.get(station, 0.0) + delta * self.ratio.get(station, self.ratio[""]))

    def stations_frame(self) -> pl.DataFrame:
        ids = sorted(self.fte)
        return pl.DataFrame(
            {"station_id": ids, "municipality": [self.municipality.get(s) for s in ids],
             "is_pool": [s in self.pools for s in ids], "has_round": [self.has_round.get(s, False) for s in ids],
             "secretary_fte": [self.fte[s] for s in ids], "secretary_net_fte": [self.net[s] for s in ids]},
            schema=STATION_SCHEMA,
        )

    def tasks_frame(self, owners: dict[str, str]) -> pl.DataFrame:
        keys = [k for k, h in self.rows.items() if h > 1e-12]
        return pl.DataFrame(
            {"station_id": [s for s, _, _ in keys], "task_id": [k for _, k, _ in keys],
             "task_group": [self.group.get(k) for _, k, _ in keys],
             "owner_role": [self.owner_of(s, k, owners) for s, k, _ in keys],
             "performer_role": [r for _, _, r in keys], "hours_week": [self.rows[key] for key in keys]},
            schema=TASK_SCHEMA,
        )


def _apply(state: _State, scenario: Scenario, cat: Catalogue, owners: dict[str, str]) -> None:
    for n, c in enumerate(scenario.changes, start=1):
        if isinstance(c, Absence):
            for s in c.stations:
                state.ratio[s] = 1.0 - c.share
                state.net[s] = state.fte.get(s, 0.0) * (1.0 - c.share)
        elif isinstance(c, Staffing):
            state.add_fte(c.station, c.fte_delta)
        elif isinstance(c, Reassign):
            _reassign(state, c, cat)
        elif isinstance(c, Centralise):
            _centralise(state, c, cat, owners, n)


def _reassign(state: _State, c: Reassign, cat: Catalogue) -> None:
    tasks = cat.task_ids(c)
    for s in c.stations:
        have = {k: state.rows.get((s, k, c.from_role), 0.0) for k in tasks}
        total = sum(have.values())
        for k, h in have.items():
            if h <= 0:
                continue
            if c.hours_week is not None:
                moved = min(h, c.hours_week * h / total)  # an hour amount is spread over the tasks by their hours
            else:
                moved = h * (c.share if c.share is not None else 1.0)
            state.rows[s, k, c.from_role] = h - moved
            state.rows[s, k, c.to_role] = state.rows.get((s, k, c.to_role), 0.0) + moved
        if c.owner_follows:
            for k in tasks:
                state.owner[s, k] = c.to_role


def _centralise(state: _State, c: Centralise, cat: Catalogue, owners: dict[str, str], n: int) -> None:
    tasks = cat.task_ids(c)
    receiver = c.to_station if c.to_station is not None else POOL_PREFIX + c.pool_name
    if c.to_station is None and receiver not in state.pools:
        state.pools.add(receiver)
        state.fte.setdefault(receiver, 0.0)
        state.net.setdefault(receiver, 0.0)
        state.municipality[receiver] = None
    state.has_round[receiver] = True
    moved_by_station: dict[str, float] = defaultdict(float)
    for (s, k, r), h in list(state.rows.items()):
        if s in c.stations and k in tasks and h > 0:
            moved = h * c.share
            owner = state.owner_of(s, k, owners)
            state.rows[s, k, r] = h - moved
            state.rows[receiver, k, owner] = state.rows.get((receiver, k, owner), 0.0) + moved
            state.owner.setdefault((receiver, k), owner)
            moved_by_station[s] += moved
    total = sum(moved_by_station.values())
    if c.fte_moved > 0 and total > 0:
        for s, h in moved_by_station.items():
            part = c.fte_moved * h / total
            if part > state.fte.get(s, 0.0) + 1e-9:
                values = {"station": s, "asked": _num(part), "have": _num(state.fte.get(s, 0.0))}
                raise ScenarioError([Problem("too_much_fte", values, n)])
            state.add_fte(s, -part)
    if c.fte_moved + c.fte_added > 0:
        state.add_fte(receiver, c.fte_moved + c.fte_added)


# --- the projection -------------------------------------------------------------------------------------------
@dataclass
class Projection:
    """Figures before and after a scenario: per station (and pooled team), per unit, and the goal indicators."""

    scenario: Scenario
    base: Base
    stations: pl.DataFrame  # station_id, names, municipality, is_pool, capacity_estimated, <figure>_before/_after
    units: pl.DataFrame  # municipality (NULL = region), is_region, <figure>_before/_after
    goals: pl.DataFrame  # goal_id, indicator, baseline, target, before, after, progress_before, progress_after

    def region(self) -> dict[str, object]:
        """The region row as a dict."""
        return self.units.filter(pl.col("is_region")).row(0, named=True)

    @property
    def freed_clinician_hours(self) -> float:
        """Clinician admin hours a week freed in the region (negative when the scenario adds them)."""
        r = self.region()
        return float(r["clinician_admin_hours_week_before"] or 0) - float(r["clinician_admin_hours_week_after"] or 0)

    @property
    def freed_clinical_hours(self) -> float:
        """Hours a week that clinical roles no longer spend on mapped tasks (any owner)."""
        r = self.region()
        return float(r["clinical_task_hours_week_before"] or 0) - float(r["clinical_task_hours_week_after"] or 0)

    def fte(self, hours: float) -> float:
        """Hours a week as FTE."""
        return hours / self.base.weekly_hours


def _figures(con: duckdb.DuckDBPyConnection, stations: pl.DataFrame, tasks: pl.DataFrame, wh: float
             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    tasks = tasks.with_columns(
        pl.col("owner_role").replace_strict(_GROUPS, return_dtype=pl.String).alias("owner_group"),
        pl.col("performer_role").replace_strict(_GROUPS, return_dtype=pl.String).alias("performer_group"),
    )
    con.register("sc_stations", stations)
    con.register("sc_tasks", tasks)
    figures = con.sql(_STATION_FIGURES, params={"wh": wh}).pl()
    con.register("sc_figures", figures)
    units = con.sql(_UNIT_FIGURES, params={"low": LOW, "high": HIGH}).pl()
    for name in ("sc_stations", "sc_tasks", "sc_figures"):
        con.unregister(name)
    return figures, units


_GROUPS = {code: role_group(code) for code in (
    "toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "terveydenhoitaja", "lahihoitaja", "laakari",
    "esihenkilo", "muu")}


def definitions_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the warehouse's figure definitions (the very file the build runs)."""
    con = duckdb.connect()
    con.execute((SQL_DIR / DEFINITIONS).read_text(encoding="utf-8"))
    return con


def project(base: Base, scenario: Scenario, scope: Scope) -> Projection:
    """Apply a scenario to its base and compute every figure before and after (ScenarioError when it is bad)."""
    cat = base.catalogue_check()
    problems = check(scenario, cat, scope)
    if problems:
        raise ScenarioError(problems)
    owners = dict(base.catalogue.select("task_id", "owner_role").iter_rows())
    before_state, after_state = _State.of(base), _State.of(base)
    _apply(after_state, scenario, cat, owners)
    con = definitions_connection()
    try:
        before, units_before = _figures(con, before_state.stations_frame(), before_state.tasks_frame(owners),
                                        base.weekly_hours)
        after, units_after = _figures(con, after_state.stations_frame(), after_state.tasks_frame(owners),
                                      base.weekly_hours)
    finally:
        con.close()
    keep = ["station_id", "secretary_fte", "capacity_hours_week", "required_hours_week", "load_ratio",
            "compliance_share", "clinician_admin_hours_week", "clinical_task_hours_week"]
    names = base.stations.select("station_id", "name_fi", "name_sv", "capacity_estimated")
    stations = (
        after.select("station_id", "municipality", "is_pool", *[pl.col(c).alias(f"{c}_after") for c in keep[1:]])
        .join(before.select(keep).rename({c: f"{c}_before" for c in keep[1:]}), on="station_id", how="left")
        .join(names, on="station_id", how="left")
        .with_columns(
            pl.coalesce("name_fi", pl.col("station_id").str.strip_prefix(POOL_PREFIX)).alias("name_fi"),
            pl.coalesce("name_sv", "name_fi", pl.col("station_id").str.strip_prefix(POOL_PREFIX)).alias("name_sv"),
            pl.col("capacity_estimated").fill_null(False),
            (pl.col("load_ratio_after") - pl.col("load_ratio_before")).alias("load_ratio_change"),
        )
        .sort("is_pool", "municipality", "name_fi", nulls_last=True)
    )
    unit_cols = [c for c in units_before.columns if c not in ("municipality", "is_region")]
    units = units_after.rename({c: f"{c}_after" for c in unit_cols}).join(
        units_before.rename({c: f"{c}_before" for c in unit_cols}), on=["municipality", "is_region"], how="left",
        nulls_equal=True,
    )
    projection = Projection(scenario, base, stations, units, pl.DataFrame())
    projection.goals = _goals(base, projection)
    return projection


_GOAL_FIGURE = {"clinician_admin_hours": "clinician_admin_hours_week", "load_ratio_cv": "load_ratio_cv",
                "overload_share": "overload_share", "compliance_share": "compliance_share"}


def _goals(base: Base, projection: Projection) -> pl.DataFrame:
    """Goal-2 and goal-5 indicators as they would stand: the base month's value before and after, progress."""
    region = projection.region()
    rows = []
    for g in base.goals.iter_rows(named=True):
        figure = _GOAL_FIGURE[g["metric"]]
        before, after = region[f"{figure}_before"], region[f"{figure}_after"]
        rows.append({
            "goal_id": g["goal_id"], "indicator_id": g["indicator_id"], "indicator_name": g["indicator_name"],
            "indicator_name_sv": g["indicator_name_sv"], "metric": g["metric"], "unit": g["unit"],
            "direction": g["direction"], "baseline": g["baseline"], "target": g["target"],
            "before": before, "after": after,
            "progress_before": progress_of(g["baseline"], g["target"], before, g["direction"]),
            "progress_after": progress_of(g["baseline"], g["target"], after, g["direction"]),
        })
    schema = {"goal_id": pl.Int32, "indicator_id": pl.String, "indicator_name": pl.String,
              "indicator_name_sv": pl.String, "metric": pl.String, "unit": pl.String, "direction": pl.String,
              "baseline": pl.Float64, "target": pl.Float64, "before": pl.Float64, "after": pl.Float64,
              "progress_before": pl.Float64, "progress_after": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def for_scope(projection: Projection, scope: Scope) -> pl.DataFrame:
    """Station rows the scope may see (a pooled team is shown to whoever may run the scenario that made it)."""
    if scope.all_stations:
        return projection.stations
    allowed = sorted(scope.stations or ())
    return projection.stations.filter(pl.col("is_pool") | pl.col("station_id").is_in(allowed))


def run(db: str | Path, scenario: Scenario, scope: Scope) -> Projection:
    """Read the scenario's base and project it; ScenarioError when the base month is gone or a change is bad."""
    base = read_base(db, scenario.base_month)
    if base is None:
        raise ScenarioError([Problem("base_missing", {"month": f"{scenario.base_month.month}/"
                                                                f"{scenario.base_month.year}"})])
    return project(base, scenario, scope)
