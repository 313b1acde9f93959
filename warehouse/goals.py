"""Evaluation goals: indicator values from the marts, progress against baseline and target.

The five evaluation goals and their indicators are configured in `config/tavoitteet.toml` (see
docs/tavoitteet.md for the project manager's guide). Every indicator names one metric of the fixed set
below. Metrics read ONLY the published marts, never raw tables, and use only values the marts show: a
suppressed Pulssi or sick-leave group gives no value (its mean/rate is NULL in the mart and is skipped).

| metric                  | parameters                                        | station grain | unit         |
| ----------------------- | ------------------------------------------------- | ------------- | ------------ |
| `pulssi_mean`           | `question`, `role_group` (optional)               | yes           | `score` 1–5  |
| `pulssi_favourable`     | `question`, `role_group` (optional)               | yes           | `share`      |
| `pulssi_enps`           | `question` (default `enps`), `role_group` (opt.)  | yes           | `enps`       |
| `sick_leave_rate`       | `role_group` (optional)                           | yes           | `share`      |
| `clinician_admin_hours` | –                                                 | yes           | `hours_week` |
| `compliance_share`      | –                                                 | yes           | `share`      |
| `stations_live_share`   | –                                                 | no            | `share`      |
| `load_ratio_cv`         | –                                                 | no            | `ratio`      |
| `overload_share`        | `threshold` (default `overload_ratio`, 1.1)       | yes (0/1)     | `share`      |

Value of a month for the region (per station: the station's own row or rounds):
- `pulssi_mean` / `pulssi_favourable` / `pulssi_enps`: `mean_score` / `favourable_share` / `enps` of the
  `mart_pulssi` region row (municipality and station_id NULL) of the question and role group (NULL = all
  roles); per station the station row.
- `sick_leave_rate`: `mart_sick_leave.sick_leave_rate` of the region row of the role group; per station the
  station row.
- `clinician_admin_hours`: Σ `clinician_admin_hours_week` of `mart_compliance` (task_group NULL) over each
  station's latest mapping round on or before the month's last day; per station its latest round: the region and
  station rows of `mart_compliance_unit`.
- `compliance_share`: Σ `compliant_hours_week` / Σ `total_hours_week` over the same latest rounds (the same rows).
- `stations_live_share`: stations of `mart_rollout` with `go_live` on or before the month's last day / all
  stations.
- `load_ratio_cv`: population standard deviation / mean of `mart_workload.load_ratio` over the stations with a
  load ratio that month (at least 2 stations): the region rows of `mart_workload_unit`.
- `overload_share`: share of the stations with a load ratio that month whose load ratio > threshold (over
  months: the share of station-months); per station 1 or 0: the rows of `mart_workload_unit` when the threshold
  is the `overload_ratio` the warehouse was built with, else `f_overload_share` over its station rows.
Units: `score` = Pulssi mean 1–5, `share` = fraction 0..1, `enps` = −100..100, `hours_week` = hours a week,
`ratio` = plain ratio.

Reference month: the latest month with staffing rows (`mart_workload`), else the latest month of any mart.
- current: the value of the reference month; if that month has no value (Pulssi not run, group suppressed),
  the latest value of the two months before it (`current_month` tells which). Mapping metrics
  (`clinician_admin_hours`, `compliance_share`) use every station's latest mapping round instead.
- baseline, by `kind`:
  - `before_go_live` (`months` = N): per station, the mean of its values in the N months before its go-live
    month (stations live by the end of the reference month). Region: the mean of those station baselines
    when at least MIN_BASELINE_STATIONS stations have one; otherwise (and always for metrics without a
    station grain) the mean of the region values in the N months before the first go-live month of the region.
    Not allowed for `clinician_admin_hours`, whose region value is a sum over stations.
  - `period` (`start`, `end` as YYYY-MM): the mean of the values in those months.
  - `first_round` (mapping metrics only): each station's first mapping round; region = the metric over those.
- progress (`progress_of`): 1 when current is at or beyond target in the good direction; 0 when the baseline
  already was at or beyond target (so current has fallen behind it) or target == baseline; otherwise
  (current − baseline) / (target − baseline) clipped to 0..1. NULL when baseline or current is empty.
- status (`status_of`, thresholds `[tilarajat]` of the file): 'hyvä' when progress ≥ hyva (0.5), 'riski' when
  progress ≥ riski (0.1), 'heikko' below that, 'ei tietoa' when progress is NULL.

Published tables: `mart_goal_progress` (goal × indicator, region), `mart_goal_progress_station`
(goal × indicator × station, for metrics with a station grain), `mart_goal_trend` (goal × indicator × month,
region values for sparklines) and `mart_before_after` (measure × role group × month relative to go-live).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from core.settings import PROJECT_ROOT, Settings, config_dir, load_toml_model, settings

GOALS_FILE = "tavoitteet.toml"
CURRENT_LOOKBACK_MONTHS = 3  # the reference month and the two before it
MIN_BASELINE_STATIONS = 3  # a before_go_live region baseline averages at least this many stations
BEFORE_AFTER_RANGE = (-6, 12)  # relative months of mart_before_after; 0 = go-live month
Z_95 = 1.96

STATUS_GOOD, STATUS_RISK, STATUS_POOR, STATUS_NONE = "hyvä", "riski", "heikko", "ei tietoa"

MetricName = Literal[
    "pulssi_mean", "pulssi_favourable", "pulssi_enps", "sick_leave_rate", "clinician_admin_hours",
    "compliance_share", "stations_live_share", "load_ratio_cv", "overload_share",
]
RoleGroup = Literal["sihteerit", "kliiniset", "muut"]
# A station's target: "none" (the station is compared with its own baseline only, no target, progress or status),
# "same" (the region's target as it stands), "same_relative_change" (the station's baseline × target / the region's
# baseline), "same_absolute_change" (the station's baseline + target − the region's baseline); derived targets are
# cut to the unit's range, and a station without a baseline gets none.
StationTarget = Literal["none", "same", "same_relative_change", "same_absolute_change"]


@dataclass(frozen=True)
class MetricSpec:
    """What a metric accepts and how its values behave."""

    unit: str  # score | share | enps | hours_week | ratio
    params: frozenset[str] = frozenset()  # parameters the metric accepts
    required: frozenset[str] = frozenset()  # of which these must be given
    station_grain: bool = True  # has a value per station
    mapping: bool = False  # follows mapping rounds (first_round baseline, latest round as current)
    summed: bool = False  # region value is a sum over stations (no before_go_live average)


METRICS: dict[str, MetricSpec] = {
    "pulssi_mean": MetricSpec("score", frozenset({"question", "role_group"}), frozenset({"question"})),
    "pulssi_favourable": MetricSpec("share", frozenset({"question", "role_group"}), frozenset({"question"})),
    "pulssi_enps": MetricSpec("enps", frozenset({"question", "role_group"})),
    "sick_leave_rate": MetricSpec("share", frozenset({"role_group"})),
    "clinician_admin_hours": MetricSpec("hours_week", mapping=True, summed=True),
    "compliance_share": MetricSpec("share", mapping=True),
    "stations_live_share": MetricSpec("share", station_grain=False),
    "load_ratio_cv": MetricSpec("ratio", station_grain=False),
    "overload_share": MetricSpec("share", frozenset({"threshold"})),
}
PARAM_DEFAULTS: dict[tuple[str, str], object] = {
    ("pulssi_enps", "question"): "enps",
}
UNIT_RANGES: dict[str, tuple[float, float]] = {
    "score": (1.0, 5.0), "share": (0.0, 1.0), "enps": (-100.0, 100.0), "hours_week": (0.0, math.inf),
    "ratio": (0.0, math.inf),
}


# ---------------------------------------------------------------------------------------------------------
# Configuration file
# ---------------------------------------------------------------------------------------------------------
def _month_text(value: object) -> object:
    """Accept a TOML date for a month as well as 'YYYY-MM'."""
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    return value


YearMonth = Annotated[str, BeforeValidator(_month_text), Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


def parse_month(text: str) -> date:
    """'2024-11' → date(2024, 11, 1)."""
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class BeforeGoLive(BaseModel):
    """The months before each station's go-live, averaged over stations."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["before_go_live"]
    months: int = Field(3, ge=1, le=24)


class Period(BaseModel):
    """Fixed calendar months, start..end inclusive."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["period"]
    start: YearMonth
    end: YearMonth

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"jakson loppu {end} on ennen alkua {start}")
        return end


class FirstRound(BaseModel):
    """Each station's first mapping round (mapping metrics only)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["first_round"]


Baseline = Annotated[BeforeGoLive | Period | FirstRound, Field(discriminator="kind")]


class Indicator(BaseModel):
    """One indicator (mittari) of a goal."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=60)
    nimi: str = Field(min_length=1)
    nimi_sv: str | None = None
    metric: MetricName
    question: str | None = Field(None, min_length=1, validate_default=True)
    role_group: RoleGroup | None = Field(None, validate_default=True)
    threshold: float | None = Field(None, gt=0, validate_default=True)
    direction: Literal["up", "down"]
    baseline: Baseline
    target: float
    # How a station's own target is derived (None = the file's `station_target`); see STATION_TARGETS.
    station_target: StationTarget | None = None

    @field_validator("question", "role_group", "threshold")
    @classmethod
    def _parameter(cls, value: Any, info: ValidationInfo) -> Any:
        metric = info.data.get("metric")
        if metric is None:  # the metric itself is invalid and reported
            return value
        name = info.field_name or ""
        spec = METRICS[metric]
        if value is not None and name not in spec.params:
            raise ValueError(f"mittari {metric} ei käytä parametria {name}")
        if value is None and name in spec.required:
            raise ValueError(f"mittari {metric} tarvitsee parametrin {name}")
        if value is None and (metric, name) == ("overload_share", "threshold"):
            return settings().overload_ratio  # the threshold of config/asetukset.toml, as the marts use it
        if value is None:
            return PARAM_DEFAULTS.get((metric, name))
        return value

    @field_validator("baseline")
    @classmethod
    def _baseline_fits(cls, value: BeforeGoLive | Period | FirstRound, info: ValidationInfo) -> Any:
        metric = info.data.get("metric")
        if metric is None:
            return value
        spec = METRICS[metric]
        if isinstance(value, FirstRound) and not spec.mapping:
            raise ValueError(
                f"first_round sopii vain kartoitusmittareille (clinician_admin_hours, compliance_share), ei {metric}"
            )
        if isinstance(value, BeforeGoLive) and spec.summed:
            raise ValueError(
                f"before_go_live ei sovi mittarille {metric} (asemien summa); käytä first_round tai period"
            )
        return value

    @field_validator("target")
    @classmethod
    def _target_in_range(cls, value: float, info: ValidationInfo) -> float:
        if not math.isfinite(value):
            raise ValueError("tavoitteen pitää olla äärellinen luku")
        metric = info.data.get("metric")
        if metric is None:
            return value
        low, high = UNIT_RANGES[METRICS[metric].unit]
        if not low <= value <= high:
            hint = " (osuus kirjoitetaan 0..1, esim. 0.85 eikä 85)" if METRICS[metric].unit == "share" else ""
            raise ValueError(f"mittarin {metric} tavoite {value} ei ole välillä {low:g}..{high:g}{hint}")
        return value

    @property
    def spec(self) -> MetricSpec:
        """The metric's specification."""
        return METRICS[self.metric]


class Goal(BaseModel):
    """One evaluation goal (tavoite) with its indicators."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1, le=5)
    otsikko: str = Field(min_length=1)
    otsikko_sv: str | None = None
    mittarit: list[Indicator] = Field(min_length=1)


class Thresholds(BaseModel):
    """Status thresholds on progress (0..1)."""

    model_config = ConfigDict(extra="forbid")

    hyva: float = Field(0.5, gt=0, le=1)
    riski: float = Field(0.1, ge=0, lt=1)

    @field_validator("riski")
    @classmethod
    def _below_good(cls, value: float, info: ValidationInfo) -> float:
        good = info.data.get("hyva")
        if good is not None and value >= good:
            raise ValueError(f"riskiraja {value} pitää olla pienempi kuin hyvän raja {good}")
        return value


class GoalsConfig(BaseModel):
    """The whole `config/tavoitteet.toml`."""

    model_config = ConfigDict(extra="forbid")

    tilarajat: Thresholds = Field(default_factory=Thresholds)
    station_target: StationTarget = "none"
    tavoitteet: list[Goal] = Field(min_length=1)

    @field_validator("tavoitteet")
    @classmethod
    def _unique_ids(cls, goals: list[Goal]) -> list[Goal]:
        goal_ids = [g.id for g in goals]
        dup_goals = sorted({i for i in goal_ids if goal_ids.count(i) > 1})
        if dup_goals:
            raise ValueError(f"tavoitteen id toistuu: {', '.join(map(str, dup_goals))}")
        ind_ids = [i.id for g in goals for i in g.mittarit]
        dup = sorted({i for i in ind_ids if ind_ids.count(i) > 1})
        if dup:
            raise ValueError(f"mittarin id toistuu: {', '.join(dup)}")
        return goals


def default_goals_path() -> Path:
    """config_dir()/tavoitteet.toml; the project's own file when the config folder has none."""
    path = config_dir() / GOALS_FILE
    if not path.exists() and (PROJECT_ROOT / "config" / GOALS_FILE).exists():
        return PROJECT_ROOT / "config" / GOALS_FILE
    return path


def load_goals(path: Path | str | None = None) -> GoalsConfig:
    """Read and validate the goals file; a bad file raises ConfigError naming the file and field."""
    return load_toml_model(Path(path) if path is not None else default_goals_path(), GoalsConfig)


# ---------------------------------------------------------------------------------------------------------
# Progress and status (pure)
# ---------------------------------------------------------------------------------------------------------
def _empty(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def progress_of(baseline: float | None, target: float, current: float | None, direction: str) -> float | None:
    """Share of the way from baseline to target, 0..1 (None when baseline or current is empty)."""
    if _empty(baseline) or _empty(current) or _empty(target):
        return None
    assert baseline is not None and current is not None
    good = 1.0 if direction == "up" else -1.0
    tol = 1e-9 * max(1.0, abs(target))
    if (current - target) * good >= -tol:
        return 1.0  # at or beyond the target
    if (target - baseline) * good <= tol:
        return 0.0  # target == baseline, or the baseline already met the target and current has fallen behind
    return min(1.0, max(0.0, (current - baseline) / (target - baseline)))


def status_of(progress: float | None, thresholds: Thresholds | None = None) -> str:
    """'hyvä' / 'riski' / 'heikko' by the thresholds, 'ei tietoa' without a progress."""
    t = thresholds or Thresholds()
    if _empty(progress):
        return STATUS_NONE
    assert progress is not None
    if progress >= t.hyva:
        return STATUS_GOOD
    if progress >= t.riski:
        return STATUS_RISK
    return STATUS_POOR


# ---------------------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------------------
def add_months(d: date, n: int) -> date:
    """First day of the month n months after d's month."""
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def month_label(d: date) -> str:
    """Finnish month: 7/2025."""
    return f"{d.month}/{d.year}"


def range_label(start: date, end: date) -> str:
    """Finnish month range: 5–7/2025, 11/2024–1/2025, 7/2025."""
    if start == end:
        return month_label(start)
    if start.year == end.year:
        return f"{start.month}–{end.month}/{end.year}"
    return f"{month_label(start)}–{month_label(end)}"


# ---------------------------------------------------------------------------------------------------------
# Reading the marts (every query is a constant with bound parameters)
# ---------------------------------------------------------------------------------------------------------
MONTHS_CTE = """
WITH months AS (
    SELECT month FROM mart_workload
    UNION SELECT month FROM mart_pulssi
    UNION SELECT date_trunc('month', mapping_date)::DATE FROM mart_compliance
)
"""
REFERENCE_MONTH_SQL = MONTHS_CTE + "SELECT (SELECT max(month) FROM mart_workload), (SELECT max(month) FROM months)"
ROLLOUT_SQL = "SELECT station_id, go_live FROM mart_rollout ORDER BY station_id"
# Region rows (municipality and station NULL) and station rows; the value column is picked by a bound name.
PULSSI_SQL = """
SELECT station_id, month,
       CASE ? WHEN 'mean_score' THEN mean_score WHEN 'favourable_share' THEN favourable_share ELSE enps END AS value
FROM mart_pulssi
WHERE question_id = ? AND role_group IS NOT DISTINCT FROM ?::VARCHAR
  AND (station_id IS NOT NULL OR municipality IS NULL) AND NOT coalesce(suppressed, FALSE)
"""
SICK_LEAVE_SQL = """
SELECT station_id, month, sick_leave_rate AS value
FROM mart_sick_leave
WHERE role_group IS NOT DISTINCT FROM ?::VARCHAR
  AND (station_id IS NOT NULL OR municipality IS NULL) AND NOT coalesce(suppressed, FALSE)
"""
ROUNDS_SQL = """
SELECT station_id, mapping_date, compliant_hours_week, total_hours_week, clinician_admin_hours_week
FROM mart_compliance
WHERE task_group IS NULL
ORDER BY station_id, mapping_date
"""
# Each station's latest mapping round on or before the last day of every month, and those rounds summed over the
# region: the rows of mart_compliance_unit (int_station_month_round defines "latest round" once).
_MAPPING_UNIT = MONTHS_CTE + """
SELECT station_id, month, compliant_hours_week, total_hours_week, clinician_admin_hours_week
FROM mart_compliance_unit
WHERE task_group IS NULL AND level = ? AND month IN (SELECT month FROM months)
ORDER BY station_id, month
"""
MAPPING_MONTHLY_SQL = _MAPPING_UNIT.replace("level = ?", "level = 'station'")
MAPPING_REGION_SQL = _MAPPING_UNIT.replace("level = ?", "level = 'region'")
LIVE_SHARE_SQL = MONTHS_CTE + """
SELECT NULL::VARCHAR AS station_id, m.month,
       avg(CASE WHEN r.go_live <= last_day(m.month) THEN 1.0 ELSE 0.0 END) AS value
FROM months AS m
CROSS JOIN mart_rollout AS r
WHERE r.closed_on IS NULL OR r.closed_on >= m.month
GROUP BY m.month
"""
# The region rows of mart_workload_unit (its spread is defined there once, by f_load_ratio_cv); a spread needs two
# stations with a ratio.
LOAD_CV_SQL = """
SELECT NULL::VARCHAR AS station_id, month, load_ratio_cv AS value
FROM mart_workload_unit
WHERE level = 'region' AND stations_with_ratio >= 2
"""
# The threshold mart_workload_unit was built with (ref_settings.overload_ratio of config/asetukset.toml).
OVERLOAD_THRESHOLD_SQL = "SELECT max(overload_threshold) FROM mart_workload_unit"
# Per station 1 or 0 and the region's share, as mart_workload_unit publishes them at its threshold.
OVERLOAD_SQL = """
SELECT station_id, month, stations_overloaded::DOUBLE AS value
FROM mart_workload_unit
WHERE level = 'station' AND stations_with_ratio > 0
UNION ALL
SELECT NULL, month, overload_share
FROM mart_workload_unit
WHERE level = 'region'
"""
# An indicator with a threshold of its own: the same definition (f_overload_share) over the same station ratios.
OVERLOAD_AT_SQL = """
SELECT station_id, month, f_overload_share(load_ratio, $threshold) AS value
FROM mart_workload_unit
WHERE level = 'station' AND load_ratio IS NOT NULL
GROUP BY station_id, month
UNION ALL
SELECT NULL, month, f_overload_share(load_ratio, $threshold)
FROM mart_workload_unit
WHERE level = 'station'
GROUP BY month
"""
# Station values of the before/after measures (suppressed groups have NULL values and are dropped).
BA_PULSSI_SQL = """
SELECT 'pulssi_mean' AS measure, question_id, role_group, station_id, month, mean_score AS value
FROM mart_pulssi
WHERE station_id IS NOT NULL AND question_type = 'likert' AND (role_group IS NULL OR role_group = 'sihteerit')
  AND mean_score IS NOT NULL AND NOT coalesce(suppressed, FALSE)
"""
BA_SICK_LEAVE_SQL = """
SELECT 'sick_leave_rate' AS measure, NULL::VARCHAR AS question_id, role_group, station_id, month,
       sick_leave_rate AS value
FROM mart_sick_leave
WHERE station_id IS NOT NULL AND (role_group IS NULL OR role_group = 'sihteerit')
  AND sick_leave_rate IS NOT NULL AND NOT coalesce(suppressed, FALSE)
"""
BA_LOAD_SQL = """
SELECT 'load_ratio' AS measure, NULL::VARCHAR AS question_id, NULL::VARCHAR AS role_group, station_id, month,
       load_ratio AS value
FROM mart_workload
WHERE load_ratio IS NOT NULL
"""

BA_UNITS = {"pulssi_mean": "score", "sick_leave_rate": "share", "load_ratio": "ratio", "compliance_share": "share"}

PROGRESS_SCHEMA: dict[str, Any] = {
    "goal_id": pl.Int32, "goal_title": pl.String, "goal_title_sv": pl.String, "indicator_id": pl.String,
    "indicator_order": pl.Int32, "indicator_name": pl.String, "indicator_name_sv": pl.String,
    "metric": pl.String, "question_id": pl.String, "role_group": pl.String, "direction": pl.String,
    "unit": pl.String, "baseline_kind": pl.String, "baseline": pl.Float64, "baseline_label": pl.String,
    "baseline_start": pl.Date, "baseline_end": pl.Date, "baseline_stations": pl.Int32, "target": pl.Float64,
    "current": pl.Float64, "current_month": pl.Date, "progress": pl.Float64, "status": pl.String,
    "baseline_months": pl.Int32,
}
STATION_SCHEMA: dict[str, Any] = {**PROGRESS_SCHEMA, "station_id": pl.String, "station_target": pl.String}
TREND_SCHEMA: dict[str, Any] = {"goal_id": pl.Int32, "indicator_id": pl.String, "month": pl.Date, "value": pl.Float64}
BEFORE_AFTER_SCHEMA: dict[str, Any] = {
    "measure": pl.String, "question_id": pl.String, "role_group": pl.String, "unit": pl.String,
    "relative_month": pl.Int32, "mean_value": pl.Float64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "n_stations": pl.Int32, "comparison_value": pl.Float64, "comparison_n": pl.Int32,
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
    return con.sql(sql, params=params or []).fetchall()


_UNIT_MARTS = ("mart_workload_unit", "mart_compliance_unit")
_HAS_TABLE = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"


def _unit_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | dict[str, object] | None = None,
               ) -> list[tuple[Any, ...]]:
    """Rows of a query on the unit marts; none where the database holds only the station marts (a bare copy of
    them, as goal tests and tools make: there a unit mart would be empty anyway, its station marts being empty)."""
    if any(name in sql and not _rows(con, _HAS_TABLE, [name])[0][0] for name in _UNIT_MARTS):
        return []
    return con.sql(sql, params=params or []).fetchall()


# ---------------------------------------------------------------------------------------------------------
# Values of one indicator
# ---------------------------------------------------------------------------------------------------------
Round = tuple[date, float, float, float]  # mapping_date, compliant, total, clinician


@dataclass
class Context:
    """What every indicator needs: the reference month, the stations and their go-live months."""

    reference: date | None  # latest month with staffing rows (else of any mart)
    stations: list[str]
    go_live: dict[str, date]  # go-live month of the stations live by the end of the reference month
    rounds: dict[str, list[Round]]  # mapping rounds per station, oldest first


@dataclass
class Values:
    """Monthly values of one indicator: the region series and, where the metric has one, per station."""

    region: dict[date, float]
    station: dict[str, dict[date, float]]


@dataclass
class Evaluation:
    """Baseline and current value of an indicator for the region or one station."""

    baseline: float | None = None
    baseline_label: str = ""
    baseline_start: date | None = None
    baseline_end: date | None = None
    baseline_stations: int | None = None
    current: float | None = None
    current_month: date | None = None


def _mapping_value(metric: str, rounds: Iterable[tuple[float, float, float]]) -> float | None:
    """The mapping metric over (compliant, total, clinician) of a set of station rounds."""
    items = list(rounds)
    if not items:
        return None
    # math.fsum is exactly rounded, so the value does not depend on the order the rows came in.
    if metric == "clinician_admin_hours":
        return math.fsum(c for _, _, c in items)
    total = math.fsum(t for _, t, _ in items)
    return math.fsum(c for c, _, _ in items) / total if total else None


def _split(rows: list[tuple[Any, ...]]) -> Values:
    """(station_id | NULL, month, value) rows → region and station series (NULL values dropped)."""
    v = Values({}, defaultdict(dict))
    for station_id, month, value in rows:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if station_id is None:
            v.region[month] = float(value)
        else:
            v.station[station_id][month] = float(value)
    return v


def indicator_values(con: duckdb.DuckDBPyConnection, ind: Indicator) -> Values:
    """Monthly values of an indicator from the marts (bound parameters from the validated config)."""
    m = ind.metric
    if m in ("pulssi_mean", "pulssi_favourable", "pulssi_enps"):
        column = {"pulssi_mean": "mean_score", "pulssi_favourable": "favourable_share"}.get(m, "enps")
        return _split(_rows(con, PULSSI_SQL, [column, ind.question, ind.role_group]))
    if m == "sick_leave_rate":
        return _split(_rows(con, SICK_LEAVE_SQL, [ind.role_group]))
    if m == "stations_live_share":
        return _split(_rows(con, LIVE_SHARE_SQL))
    if m == "load_ratio_cv":
        return _split(_unit_rows(con, LOAD_CV_SQL))
    if m == "overload_share":
        built = _unit_rows(con, OVERLOAD_THRESHOLD_SQL)
        if built and ind.threshold == built[0][0]:
            return _split(_unit_rows(con, OVERLOAD_SQL))
        return _split(_unit_rows(con, OVERLOAD_AT_SQL, {"threshold": ind.threshold}))
    # mapping metrics: each station's latest round on or before every month's last day, and the region's sums
    def series(sql: str) -> dict[str, dict[date, float]]:
        out: dict[str, dict[date, float]] = defaultdict(dict)
        for station_id, month, compliant, total, clinician in _unit_rows(con, sql):
            value = _mapping_value(m, [(float(compliant or 0), float(total or 0), float(clinician or 0))])
            if value is not None:
                out[station_id][month] = value
        return out

    return Values(series(MAPPING_REGION_SQL).get(None, {}), series(MAPPING_MONTHLY_SQL))


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return math.fsum(items) / len(items) if items else None  # exactly rounded: independent of the row order


def _window_mean(series: dict[date, float], start: date, end: date) -> float | None:
    return _mean(v for month, v in series.items() if start <= month <= end)


def _current(series: dict[date, float], reference: date | None) -> tuple[float | None, date | None]:
    if reference is None:
        return None, None
    for k in range(CURRENT_LOOKBACK_MONTHS):
        month = add_months(reference, -k)
        if month in series:
            return series[month], month
    return None, None


def _station_before(series: dict[date, float], go_live: date, months: int) -> float | None:
    return _window_mean(series, add_months(go_live, -months), add_months(go_live, -1))


def evaluate_region(ind: Indicator, values: Values, ctx: Context) -> Evaluation:
    """Baseline and current of the region."""
    ev = Evaluation()
    b = ind.baseline
    if ind.spec.mapping:
        latest = [r[-1] for r in ctx.rounds.values() if r]
        ev.current = _mapping_value(ind.metric, [(c, t, h) for _, c, t, h in latest])
        ev.current_month = max(d for d, *_ in latest).replace(day=1) if latest else None
    else:
        ev.current, ev.current_month = _current(values.region, ctx.reference)
    if isinstance(b, Period):
        ev.baseline_start, ev.baseline_end = parse_month(b.start), parse_month(b.end)
        ev.baseline = _window_mean(values.region, ev.baseline_start, ev.baseline_end)
        ev.baseline_label = range_label(ev.baseline_start, ev.baseline_end)
    elif isinstance(b, FirstRound):
        first = [r[0] for r in ctx.rounds.values() if r]
        ev.baseline = _mapping_value(ind.metric, [(c, t, h) for _, c, t, h in first])
        if first:
            ev.baseline_start = min(d for d, *_ in first).replace(day=1)
            ev.baseline_end = max(d for d, *_ in first).replace(day=1)
            ev.baseline_stations = len(first)
            ev.baseline_label = f"asemien ensimmäiset kartoitukset ({range_label(ev.baseline_start, ev.baseline_end)})"
        else:
            ev.baseline_label = "ei kartoituksia"
    else:
        per_station = []
        if ind.spec.station_grain:
            for station_id, go_live in ctx.go_live.items():
                value = _station_before(values.station.get(station_id, {}), go_live, b.months)
                if value is not None:
                    per_station.append(value)
        if len(per_station) >= MIN_BASELINE_STATIONS:
            ev.baseline = _mean(per_station)
            ev.baseline_stations = len(per_station)
            ev.baseline_label = f"{b.months} kk ennen käyttöönottoa, {len(per_station)} aseman keskiarvo"
        elif ctx.go_live:
            first_live = min(ctx.go_live.values())
            ev.baseline_start, ev.baseline_end = add_months(first_live, -b.months), add_months(first_live, -1)
            ev.baseline = _window_mean(values.region, ev.baseline_start, ev.baseline_end)
            ev.baseline_label = (f"{b.months} kk ennen ensimmäistä käyttöönottoa "
                                 f"({range_label(ev.baseline_start, ev.baseline_end)}), koko alue")
        else:
            ev.baseline_label = "ei käyttöönottoja"
    return ev


def evaluate_station(ind: Indicator, values: Values, ctx: Context, station_id: str) -> Evaluation:
    """Baseline and current of one station (metrics with a station grain)."""
    ev = Evaluation()
    series = values.station.get(station_id, {})
    rounds = ctx.rounds.get(station_id, [])
    b = ind.baseline
    if ind.spec.mapping:
        if rounds:
            d, c, t, h = rounds[-1]
            ev.current, ev.current_month = _mapping_value(ind.metric, [(c, t, h)]), d.replace(day=1)
    else:
        ev.current, ev.current_month = _current(series, ctx.reference)
    if isinstance(b, Period):
        ev.baseline_start, ev.baseline_end = parse_month(b.start), parse_month(b.end)
        ev.baseline = _window_mean(series, ev.baseline_start, ev.baseline_end)
        ev.baseline_label = range_label(ev.baseline_start, ev.baseline_end)
    elif isinstance(b, FirstRound):
        if rounds:
            d, c, t, h = rounds[0]
            ev.baseline = _mapping_value(ind.metric, [(c, t, h)])
            ev.baseline_start = ev.baseline_end = d.replace(day=1)
            ev.baseline_label = f"kartoitus {d.day}.{d.month}.{d.year}"
        else:
            ev.baseline_label = "ei kartoituksia"
    elif station_id in ctx.go_live:
        go_live = ctx.go_live[station_id]
        ev.baseline_start, ev.baseline_end = add_months(go_live, -b.months), add_months(go_live, -1)
        ev.baseline = _window_mean(series, ev.baseline_start, ev.baseline_end)
        ev.baseline_label = f"{b.months} kk ennen käyttöönottoa ({range_label(ev.baseline_start, ev.baseline_end)})"
    else:
        ev.baseline_label = "ei käyttöönottoa"
    return ev


def trend_end(ind: Indicator, ctx: Context) -> date | None:
    """Last month of an indicator's trend: the reference month, or the latest mapping round if later."""
    ends = [ctx.reference] if ctx.reference else []
    if ind.spec.mapping:
        ends += [r[-1][0].replace(day=1) for r in ctx.rounds.values() if r]
    return max(ends) if ends else None


# ---------------------------------------------------------------------------------------------------------
# Building the marts
# ---------------------------------------------------------------------------------------------------------
def load_context(con: duckdb.DuckDBPyConnection) -> Context:
    """Reference month, stations, go-live months and mapping rounds from the marts."""
    staffing_month, any_month = _rows(con, REFERENCE_MONTH_SQL)[0]
    reference = staffing_month or any_month
    stations, go_live = [], {}
    for station_id, live in _rows(con, ROLLOUT_SQL):
        stations.append(station_id)
        if live is not None and reference is not None and live.replace(day=1) <= reference:
            go_live[station_id] = live.replace(day=1)
    rounds: dict[str, list[Round]] = defaultdict(list)
    for station_id, mapping_date, compliant, total, clinician in _rows(con, ROUNDS_SQL):
        rounds[station_id].append((mapping_date, float(compliant or 0), float(total or 0), float(clinician or 0)))
    return Context(reference, stations, go_live, dict(rounds))


def station_target(ind: Indicator, kind: str, station_baseline: float | None,
                   region_baseline: float | None) -> float | None:
    """A station's own target by the configured derivation (None where there is none)."""
    if kind == "none":
        return None
    if kind == "same":
        return ind.target
    if _empty(station_baseline) or _empty(region_baseline):
        return None
    assert station_baseline is not None and region_baseline is not None
    if kind == "same_relative_change":
        if region_baseline == 0:
            return None
        value = station_baseline * ind.target / region_baseline
    else:
        value = station_baseline + ind.target - region_baseline
    low, high = UNIT_RANGES[ind.spec.unit]
    return min(high, max(low, value))


def _row(goal: Goal, order: int, ind: Indicator, ev: Evaluation, thresholds: Thresholds,
         target: float | None = None, *, region: bool = True) -> dict[str, Any]:
    target = ind.target if region else target
    progress = progress_of(ev.baseline, target, ev.current, ind.direction) if target is not None else None
    return {
        "goal_id": goal.id, "goal_title": goal.otsikko, "goal_title_sv": goal.otsikko_sv or goal.otsikko,
        "indicator_id": ind.id, "indicator_order": order, "indicator_name": ind.nimi,
        "indicator_name_sv": ind.nimi_sv or ind.nimi, "metric": ind.metric, "question_id": ind.question,
        "role_group": ind.role_group, "direction": ind.direction, "unit": ind.spec.unit,
        "baseline_kind": ind.baseline.kind, "baseline": ev.baseline, "baseline_label": ev.baseline_label,
        "baseline_start": ev.baseline_start, "baseline_end": ev.baseline_end,
        "baseline_stations": ev.baseline_stations, "target": target, "current": ev.current,
        "current_month": ev.current_month, "progress": progress, "status": status_of(progress, thresholds),
        "baseline_months": ind.baseline.months if isinstance(ind.baseline, BeforeGoLive) else None,
    }


def goal_frames(con: duckdb.DuckDBPyConnection, goals: GoalsConfig) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """mart_goal_progress, mart_goal_progress_station and mart_goal_trend as frames."""
    ctx = load_context(con)
    region_rows: list[dict[str, Any]] = []
    station_rows: list[dict[str, Any]] = []
    trend_rows: list[dict[str, Any]] = []
    for goal in sorted(goals.tavoitteet, key=lambda g: g.id):
        for order, ind in enumerate(goal.mittarit, start=1):
            values = indicator_values(con, ind)
            region_ev = evaluate_region(ind, values, ctx)
            region_rows.append(_row(goal, order, ind, region_ev, goals.tilarajat))
            if ind.spec.station_grain:
                kind = ind.station_target or goals.station_target
                for station_id in ctx.stations:
                    ev = evaluate_station(ind, values, ctx, station_id)
                    # A station is compared with its own baseline; its target is derived as configured, or none.
                    target = station_target(ind, kind, ev.baseline, region_ev.baseline)
                    row = _row(goal, order, ind, ev, goals.tilarajat, target, region=False)
                    station_rows.append({**row, "status": row["status"] if target is not None else None,
                                         "station_id": station_id, "station_target": kind})
            end = trend_end(ind, ctx)
            for month in sorted(values.region):
                if end is not None and month <= end:
                    trend_rows.append({"goal_id": goal.id, "indicator_id": ind.id, "month": month,
                                       "value": values.region[month]})
    return (
        pl.DataFrame(region_rows, schema=PROGRESS_SCHEMA, orient="row"),
        pl.DataFrame(station_rows, schema=STATION_SCHEMA, orient="row"),
        pl.DataFrame(trend_rows, schema=TREND_SCHEMA, orient="row"),
    )


def _station_values_before_after(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Long frame of station values: measure, question_id, role_group, station_id, month, value."""
    schema = {"measure": pl.String, "question_id": pl.String, "role_group": pl.String, "station_id": pl.String,
              "month": pl.Date, "value": pl.Float64}
    rows: list[tuple[Any, ...]] = []
    for sql in (BA_PULSSI_SQL, BA_SICK_LEAVE_SQL, BA_LOAD_SQL):
        rows.extend(_rows(con, sql))
    for station_id, month, compliant, total, _ in _unit_rows(con, MAPPING_MONTHLY_SQL):
        if total:
            rows.append(("compliance_share", None, None, station_id, month, float(compliant or 0) / float(total)))
    return pl.DataFrame(rows, schema=schema, orient="row")


def before_after_frame(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """mart_before_after: station values aligned on the month relative to each station's go-live.

    mean_value, n_stations and the 95 % interval come from the stations with a (non-suppressed) value at that
    relative month. comparison_value: for each such station s and its calendar month c, the mean of the values
    of the other stations not yet live at c (go-live month after c); those means averaged over s.
    comparison_n: the distinct stations behind comparison_value.
    """
    values = _station_values_before_after(con)
    live = pl.DataFrame(
        [(s, d.replace(day=1)) for s, d in _rows(con, ROLLOUT_SQL) if d is not None],
        schema={"station_id": pl.String, "go_month": pl.Date}, orient="row",
    )
    lo, hi = BEFORE_AFTER_RANGE
    keys = ["measure", "question_id", "role_group"]
    values = values.with_columns(pl.concat_str([pl.col(k).fill_null("") for k in keys], separator="|").alias("key"))
    month_index = pl.col("month").dt.year().cast(pl.Int32) * 12 + pl.col("month").dt.month().cast(pl.Int32)
    go_index = pl.col("go_month").dt.year().cast(pl.Int32) * 12 + pl.col("go_month").dt.month().cast(pl.Int32)
    treated = (
        values.join(live, on="station_id", how="inner")
        .with_columns((month_index - go_index).alias("relative_month"))
        .filter(pl.col("relative_month").is_between(lo, hi))
    )
    # Values are sorted inside each group before a mean or deviation: join and group order vary between runs.
    stats = treated.group_by("key", "relative_month").agg(
        pl.len().cast(pl.Int32).alias("n_stations"),
        pl.col("value").sort().mean().alias("mean_value"),
        pl.col("value").sort().std(ddof=1).alias("sd"),
    )
    half = Z_95 * pl.col("sd") / pl.col("n_stations").cast(pl.Float64).sqrt()
    stats = stats.with_columns(
        pl.when(pl.col("n_stations") >= 2).then(pl.col("mean_value") - half).alias("ci_low"),
        pl.when(pl.col("n_stations") >= 2).then(pl.col("mean_value") + half).alias("ci_high"),
    )
    not_live = (
        values.join(live, on="station_id", how="left")
        .filter(pl.col("go_month").is_null() | (pl.col("go_month") > pl.col("month")))
        .select("key", pl.col("station_id").alias("other"), "month", pl.col("value").alias("other_value"))
    )
    # A treated station's comparison is the mean of the other not-yet-live stations of its calendar month: the month's
    # sum and count of not-live values, less the station itself when it is one of them (before its go-live). Pairing
    # every treated station with every other station was hundreds of millions of rows at national scale.
    month_sums = not_live.group_by("key", "month").agg(
        pl.col("other_value").sort().sum().alias("sum"), pl.len().alias("n"))
    own = not_live.select("key", pl.col("other").alias("station_id"), "month", pl.col("other_value").alias("own"))
    per_station = (
        treated.select("key", "station_id", "month", "relative_month")
        .join(month_sums, on=["key", "month"], how="inner")
        .join(own, on=["key", "station_id", "month"], how="left")
        .with_columns((pl.col("n") - pl.col("own").is_not_null().cast(pl.UInt32)).alias("others"))
        .filter(pl.col("others") > 0)
        .with_columns(((pl.col("sum") - pl.col("own").fill_null(0.0)) / pl.col("others")).alias("v"))
    )
    comparison = per_station.group_by("key", "relative_month").agg(pl.col("v").sort().mean().alias("comparison_value"))
    # comparison_n: the distinct other stations behind it. A not-live station o of month c counts for relative month r
    # when some treated station other than o sits at (r, c): (r, c) has two treated stations, or one that is not o.
    at = treated.group_by("key", "relative_month", "month").agg(
        pl.len().alias("treated"), pl.col("station_id").first().alias("only"))
    counted = (
        at.join(not_live.select("key", "month", "other"), on=["key", "month"], how="inner")
        .filter((pl.col("treated") >= 2) | (pl.col("only") != pl.col("other")))
        .group_by("key", "relative_month").agg(pl.col("other").n_unique().cast(pl.Int32).alias("comparison_n"))
    )
    comparison = comparison.join(counted, on=["key", "relative_month"], how="left")
    present = treated.select(["key", *keys]).unique()
    grid = present.join(
        pl.DataFrame({"relative_month": list(range(lo, hi + 1))}, schema={"relative_month": pl.Int32}), how="cross"
    )
    out = (
        grid.join(stats, on=["key", "relative_month"], how="left")
        .join(comparison, on=["key", "relative_month"], how="left")
        .with_columns(
            pl.col("n_stations").fill_null(0),
            pl.col("comparison_n").fill_null(0),
            pl.col("measure").replace_strict(BA_UNITS, default=None, return_dtype=pl.String).alias("unit"),
        )
        .sort("measure", "question_id", "role_group", "relative_month", nulls_last=False)
    )
    return out.select([pl.col(c).cast(t) for c, t in BEFORE_AFTER_SCHEMA.items()])


_PUBLISH = {
    table: f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM __goal_frame"
    for table in ("mart_goal_progress", "mart_goal_progress_station", "mart_goal_trend", "mart_before_after")
}


def _publish(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace a goal mart with a frame."""
    con.register("__goal_frame", frame)
    try:
        con.execute(_PUBLISH[table])
    finally:
        con.unregister("__goal_frame")


def build_goal_marts(con: duckdb.DuckDBPyConnection, s: Settings, goals: GoalsConfig | None = None) -> None:
    """Build mart_goal_progress, mart_goal_progress_station, mart_goal_trend and mart_before_after.

    Runs last in the build: it reads only the marts built before it. `s` is accepted for the build step's
    signature; suppression has already been applied in the marts read here.
    """
    del s
    goals = goals or load_goals()
    progress, station, trend = goal_frames(con, goals)
    _publish(con, "mart_goal_progress", progress)
    _publish(con, "mart_goal_progress_station", station)
    _publish(con, "mart_goal_trend", trend)
    _publish(con, "mart_before_after", before_after_frame(con))
