"""The planner's proposal: the fewest secretary FTE transfers (0.1 FTE steps) that bring every station into the
0.9–1.1 load-ratio band, or, where that is impossible, that minimise the worst load ratio.

A small mixed-integer program solved by HiGHS (`highspy`), lexicographically:
1. band: is there a set of transfers with every station (with required hours) in 0.9 ≤ required / capacity ≤ 1.1?
   Linear, because capacity > 0: 0.9 · capacity ≤ required ≤ 1.1 · capacity.
2. otherwise: maximise z = min capacity / required (the reciprocal of the worst load ratio, so linear).
3. with the band (or z ≥ z*) held: minimise the number of transfers, then the FTE moved.
Moving f FTE from station i to j changes capacity by f × (net/gross FTE of the station) × weekly hours, the same
rule as a `Staffing` change of a scenario; the proposal is returned as such changes and checked by projecting them.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from dashboard.access import Scope
from dashboard.scenarios.model import Scenario, Staffing
from dashboard.scenarios.projection import HIGH, LOW, Projection, project

STEP = 0.1  # FTE
NEW = "__new__"  # the giver of FTE from outside the stations
MAX_PAIRS = 20_000  # above this, each station keeps only its most useful partners
VERIFY_TOLERANCE = 1e-6
EXACT_PAIRS = 3_000  # up to this many candidate pairs the worst ratio is maximised exactly in one MIP
BISECT_STEPS, BISECT_TOLERANCE = 14, 2e-4  # above it: bisection on the ceiling to 0.02 % of the worst ratio


class ProposalLimits(BaseModel):
    """What the user allows: the unit, which stations may give or take, the largest single move, new FTE."""

    model_config = ConfigDict(extra="forbid")

    municipality: str | None = None  # None = the whole region
    givers: list[str] | None = None  # None = every station of the unit
    takers: list[str] | None = None
    max_move: float = Field(1.0, ge=STEP, le=20)
    new_fte: float = Field(0.0, ge=0, le=50)  # FTE from outside, placed in full (e.g. "where should 0.5 FTE go?")
    time_limit: float = Field(20.0, gt=0, le=600)


@dataclass
class Transfer:
    """One move of FTE: from a station (or from outside, `giver` None) to a station."""

    giver: str | None
    taker: str
    fte: float


@dataclass
class Proposal:
    """The solver's answer, checked by recomputation."""

    transfers: list[Transfer]
    band_feasible: bool
    worst_before: float | None
    worst_after: float | None
    predicted: dict[str, float]  # station -> load ratio the solver expects
    scenario: Scenario  # the starting scenario plus one Staffing change per side of each transfer
    projection: Projection | None = None
    max_discrepancy: float = 0.0
    solve_seconds: float = 0.0
    status: str = ""
    stations: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """Whether projecting the proposed changes gives the load ratios the solver computed."""
        return self.projection is not None and self.max_discrepancy <= VERIFY_TOLERANCE


@dataclass
class _Unit:
    ids: list[str]
    required: np.ndarray
    capacity: np.ndarray
    fte: np.ndarray
    per_step: np.ndarray  # capacity change (h/week) of one 0.1 FTE step


def _unit(projection: Projection, limits: ProposalLimits, scope: Scope) -> _Unit:
    st = projection.stations.filter(~pl.col("is_pool") & pl.col("required_hours_week_after").is_not_null())
    if limits.municipality is not None:
        st = st.filter(pl.col("municipality") == limits.municipality)
    if not scope.all_stations:
        st = st.filter(pl.col("station_id").is_in(sorted(scope.stations or ())))
    st = st.sort("station_id")
    wh = projection.base.weekly_hours
    region_ratio = projection.base.net_ratio()[""]
    fte = st["secretary_fte_after"].fill_null(0).to_numpy().astype(float)
    capacity = st["capacity_hours_week_after"].fill_null(0).to_numpy().astype(float)
    ratio = np.where(fte > 0, capacity / wh / np.where(fte > 0, fte, 1), region_ratio)
    return _Unit(st["station_id"].to_list(), st["required_hours_week_after"].to_numpy().astype(float), capacity,
                 fte, ratio * wh * STEP)


def _load(required: float, capacity: float) -> float:
    if capacity > 0:
        return required / capacity
    return math.inf if required > 0 else 0.0


def _pairs(u: _Unit, givers: set[str], takers: set[str], new: bool) -> list[tuple[int, int]]:
    """Candidate (giver index or -1 for new FTE, taker index): only from a less to a more loaded station."""
    load = [_load(r, c) for r, c in zip(u.required, u.capacity, strict=True)]
    idx = {s: i for i, s in enumerate(u.ids)}
    g = [idx[s] for s in u.ids if s in givers]
    t = [idx[s] for s in u.ids if s in takers]
    pairs = [(i, j) for i in g for j in t if i != j and load[i] < load[j]]
    if len(pairs) > MAX_PAIRS:
        # Large regions: each taker keeps `keep` givers spread evenly over the givers less loaded than it (all
        # takers picking the same few lowest-loaded givers would exhaust those and leave the rest unused).
        keep = max(5, MAX_PAIRS // max(len(t), 1))
        by_load = sorted(g, key=lambda i: load[i])
        kept = []
        for rank, j in enumerate(sorted(t, key=lambda j: -load[j])):
            lower = [i for i in by_load if i != j and load[i] < load[j]]
            if len(lower) <= keep:
                kept += [(i, j) for i in lower]
            else:
                stride = len(lower) / keep
                kept += [(lower[(int(m * stride) + rank) % len(lower)], j) for m in range(keep)]
        pairs = sorted(set(kept))
    if new:
        pairs += [(-1, j) for j in t]
    return pairs


class _Mip:
    """Transfer variables x (integer steps) and y (transfer used) over the candidate pairs, rows in CSR form."""

    def __init__(self, u: _Unit, pairs: list[tuple[int, int]], limits: ProposalLimits, with_z: bool,
                 ceiling: float = HIGH, floor: float | None = LOW) -> None:
        self.u, self.pairs, self.with_z, self.ceiling, self.floor = u, pairs, with_z, ceiling, floor
        n = len(pairs)
        self.n = n
        cap = int(math.floor(limits.max_move / STEP + 1e-9))
        upper = [min(cap, int(math.floor(u.fte[i] / STEP + 1e-9))) if i >= 0 else cap for i, _ in pairs]
        if not with_z:
            # In the band no giver may end above HIGH and no taker below LOW: a tight bound per pair makes the
            # LP relaxation of "transfer used" strong (the solve takes a fraction of a second instead of minutes).
            upper = [min(up, _slack_out(u, i, ceiling) if i >= 0 else up, _slack_in(u, j, floor, up))
                     for up, (i, j) in zip(upper, pairs, strict=True)]
        self.upper = np.array([max(0, up) for up in upper], dtype=float)
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        for p in range(n):  # x_p <= U_p * y_p
            self.rows.append(([p, n + p], [1.0, -self.upper[p]], -highspy.kHighsInf, 0.0))
        out: dict[int, list[int]] = {}
        into: dict[int, list[int]] = {}
        for p, (i, j) in enumerate(pairs):
            out.setdefault(i, []).append(p)
            into.setdefault(j, []).append(p)
        self.out, self.into = out, into
        for i, ps in out.items():  # a station gives at most its FTE; new FTE is placed in full
            if i >= 0:
                self.rows.append((ps, [1.0] * len(ps), 0.0, math.floor(u.fte[i] / STEP + 1e-9)))
            else:
                steps = round(limits.new_fte / STEP)
                self.rows.append((ps, [1.0] * len(ps), steps, steps))
        if not with_z:
            # Valid cuts: a station outside the band needs at least ceil(steps needed / largest move) transfers.
            for s, need in _needs(u, ceiling, floor).items():
                ps = (out if need < 0 else into).get(s, [])
                biggest = max((self.upper[p] for p in ps), default=0.0)
                if biggest > 0:
                    self.rows.append(([n + p for p in ps], [1.0] * len(ps), math.ceil(abs(need) / biggest - 1e-9),
                                      highspy.kHighsInf))

    def net_change(self, s: int) -> tuple[list[int], list[float]]:
        """Column indices and coefficients of a station's capacity change (h/week)."""
        cols = [*self.into.get(s, []), *self.out.get(s, [])]
        a = self.u.per_step[s]
        return cols, [a] * len(self.into.get(s, [])) + [-a] * len(self.out.get(s, []))

    def solve(self, extra: list[tuple[list[int], list[float], float, float]], cost: np.ndarray, maximise: bool,
              time_limit: float) -> tuple[str, np.ndarray | None]:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("mip_abs_gap", 0.5 if not maximise else 1e-9)
        h.setOptionValue("mip_rel_gap", 0.0 if not maximise else 1e-6)
        ncol = 2 * self.n + (1 if self.with_z else 0)
        lower = np.zeros(ncol)
        upper = np.concatenate([self.upper, np.ones(self.n), [highspy.kHighsInf] if self.with_z else []])
        h.addVars(ncol, lower, upper)
        if self.n:
            h.changeColsIntegrality(2 * self.n, np.arange(2 * self.n, dtype=np.int32),
                                    np.array([highspy.HighsVarType.kInteger] * (2 * self.n)))
        rows = self.rows + extra
        starts, index, values, lo, hi = [], [], [], [], []
        for cols, coefs, low, high in rows:
            starts.append(len(index))
            index.extend(cols)
            values.extend(coefs)
            lo.append(low)
            hi.append(high)
        if rows:
            h.addRows(len(rows), np.array(lo, dtype=float), np.array(hi, dtype=float), len(index),
                      np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(values, dtype=float))
        h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), cost.astype(float))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize)
        h.run()
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal or (
            status == highspy.HighsModelStatus.kTimeLimit and h.getInfo().primal_solution_status == 2
        ):
            text = h.modelStatusToString(status)
            if status != highspy.HighsModelStatus.kOptimal:  # a time limit: say how far from proven optimal
                text += f" (mip gap {h.getInfo().mip_gap:.1%})"
            return text, np.array(h.getSolution().col_value)
        return h.modelStatusToString(status), None


def _slack_out(u: _Unit, i: int, ceiling: float) -> int:
    """Steps a station can give and stay at or below the ceiling."""
    if u.required[i] <= 0:
        return int(math.floor(u.fte[i] / STEP + 1e-9))
    return int(math.floor((u.capacity[i] - u.required[i] / ceiling) / u.per_step[i] + 1e-9)) if u.per_step[i] else 0


def _slack_in(u: _Unit, j: int, floor: float | None, otherwise: int) -> int:
    """Steps a station can take and stay at or above the floor (no floor: `otherwise`)."""
    if floor is None:
        return otherwise
    if u.required[j] <= 0:
        return 0
    return int(math.floor((u.required[j] / floor - u.capacity[j]) / u.per_step[j] + 1e-9)) if u.per_step[j] else 0


def _needs(u: _Unit, ceiling: float, floor: float | None) -> dict[int, int]:
    """Steps a station outside the band must at least take (positive) or give (negative) to reach it."""
    out = {}
    for s in range(len(u.ids)):
        if u.required[s] <= 0 or not u.per_step[s]:
            continue
        if u.required[s] > ceiling * u.capacity[s]:
            out[s] = math.ceil((u.required[s] / ceiling - u.capacity[s]) / u.per_step[s] - 1e-9)
        elif floor is not None and u.required[s] < floor * u.capacity[s]:
            out[s] = -math.ceil((u.capacity[s] - u.required[s] / floor) / u.per_step[s] - 1e-9)
    return out


def _band_rows(m: _Mip) -> list[tuple[list[int], list[float], float, float]]:
    rows = []
    u, high, low = m.u, m.ceiling, m.floor
    for s in range(len(u.ids)):
        if u.required[s] <= 0:
            continue  # a station without required hours has no load to bring into the band
        cols, coefs = m.net_change(s)
        # required <= ceiling * capacity'  and  floor * capacity' <= required
        rows.append((cols, [high * c for c in coefs], u.required[s] - high * u.capacity[s], highspy.kHighsInf))
        if low is not None:
            rows.append((cols, [low * c for c in coefs], -highspy.kHighsInf, u.required[s] - low * u.capacity[s]))
    return rows


def _z_rows(m: _Mip, z_col: int) -> list[tuple[list[int], list[float], float, float]]:
    rows = []
    u = m.u
    for s in range(len(u.ids)):
        if u.required[s] <= 0:
            continue
        cols, coefs = m.net_change(s)  # capacity + change - z * required >= 0
        rows.append(([*cols, z_col], [*coefs, -u.required[s]], -u.capacity[s], highspy.kHighsInf))
    return rows


def _fewest_cost(m: _Mip) -> np.ndarray:
    """Number of transfers first, then the steps moved (weighted so it never outweighs one transfer)."""
    # eps · (all steps) < 0.4, so with an absolute gap of 0.5 the number of transfers is proven minimal.
    eps = 0.4 / (1.0 + float(m.upper.sum()))
    z = [0.0] if m.with_z else []
    return np.concatenate([np.full(m.n, eps), np.ones(m.n), z])


def _bisect_worst(u: _Unit, pairs: list[tuple[int, int]], limits: ProposalLimits, worst: float
                  ) -> tuple[str, np.ndarray | None, _Mip]:
    """Large regions: the smallest ceiling on every load ratio that transfers can meet, by bisection over
    feasibility problems (each as fast as the band problem), then the fewest transfers under that ceiling."""
    lo, hi = 0.0, worst
    best: tuple[str, np.ndarray | None, _Mip] | None = None
    budget = limits.time_limit / 4
    for _ in range(BISECT_STEPS):
        if hi - lo <= BISECT_TOLERANCE * hi:
            break
        mid = (lo + hi) / 2
        m = _Mip(u, pairs, limits, with_z=False, ceiling=mid, floor=None)
        status, x = m.solve(_band_rows(m), np.zeros(2 * m.n), False, budget)
        if x is not None:
            hi, best = mid, (status, x, m)
        else:
            lo = mid
    m = _Mip(u, pairs, limits, with_z=False, ceiling=hi, floor=None)
    status, x = m.solve(_band_rows(m), _fewest_cost(m), False, limits.time_limit)
    if x is None and best is not None:
        return best
    return status, x, m


def propose(projection: Projection, limits: ProposalLimits, scope: Scope) -> Proposal:
    """Solve the transfer problem on a projection's after-figures and verify the answer by projecting it."""
    started = time.perf_counter()
    u = _unit(projection, limits, scope)
    allowed = set(u.ids)
    givers = allowed & set(limits.givers if limits.givers is not None else u.ids)
    takers = allowed & set(limits.takers if limits.takers is not None else u.ids)
    pairs = _pairs(u, givers, takers, limits.new_fte > 0)
    loads = [_load(r, c) for r, c in zip(u.required, u.capacity, strict=True) if r > 0]
    worst_before = max(loads) if loads else None

    band = _Mip(u, pairs, limits, with_z=False)
    status, x = band.solve(_band_rows(band), _fewest_cost(band), False, limits.time_limit)
    feasible = x is not None
    mip = band
    if not feasible and len(pairs) > EXACT_PAIRS and worst_before is not None:
        status, x, mip = _bisect_worst(u, pairs, limits, worst_before)
    elif not feasible:
        mip = _Mip(u, pairs, limits, with_z=True)
        z_col = 2 * mip.n
        cost = np.zeros(2 * mip.n + 1)
        cost[z_col] = 1.0
        status, x = mip.solve(_z_rows(mip, z_col), cost, True, limits.time_limit)
        if x is not None:
            z_star = float(x[z_col])
            hold = ([z_col], [1.0], z_star * (1 - 1e-7), highspy.kHighsInf)
            status2, x2 = mip.solve([*_z_rows(mip, z_col), hold], _fewest_cost(mip), False, limits.time_limit)
            if x2 is not None:
                status, x = status2, x2
    transfers: list[Transfer] = []
    if x is not None:
        for p, (i, j) in enumerate(pairs):
            steps = round(float(x[p]))
            if steps > 0:
                transfers.append(Transfer(None if i < 0 else u.ids[i], u.ids[j], round(steps * STEP, 1)))
    capacity = u.capacity.copy()
    index = {s: k for k, s in enumerate(u.ids)}
    for tr in transfers:
        steps = round(tr.fte / STEP)
        capacity[index[tr.taker]] += steps * u.per_step[index[tr.taker]]
        if tr.giver is not None:
            capacity[index[tr.giver]] -= steps * u.per_step[index[tr.giver]]
    predicted = {s: _load(u.required[k], capacity[k]) for k, s in enumerate(u.ids)}
    after_loads = [predicted[s] for k, s in enumerate(u.ids) if u.required[k] > 0]
    scenario = _as_scenario(projection.scenario, transfers)
    proposal = Proposal(transfers, feasible, worst_before, max(after_loads) if after_loads else None, predicted,
                        scenario, status=status, stations=u.ids)
    proposal.solve_seconds = time.perf_counter() - started
    verify(proposal, projection, scope)
    return proposal


def _as_scenario(start: Scenario, transfers: list[Transfer]) -> Scenario:
    """The starting scenario plus, per transfer, FTE removed at the giver and added at the taker."""
    changes = list(start.changes)
    for tr in transfers:
        if tr.giver is not None:
            changes.append(Staffing(station=tr.giver, role="toimistosihteeri", fte_delta=-tr.fte))
        changes.append(Staffing(station=tr.taker, role="toimistosihteeri", fte_delta=tr.fte))
    return Scenario(name=start.name, base_month=start.base_month, changes=changes)


def verify(proposal: Proposal, projection: Projection, scope: Scope) -> None:
    """Project the proposed scenario and record how far its load ratios are from the solver's."""
    after = project(projection.base, proposal.scenario, scope)
    proposal.projection = after
    got = dict(after.stations.select("station_id", "load_ratio_after").iter_rows())
    worst = 0.0
    for s, expected in proposal.predicted.items():
        value = got.get(s)
        if value is None:
            worst = max(worst, 0.0 if math.isinf(expected) or expected == 0 else math.inf)
        elif math.isinf(expected):
            worst = math.inf
        else:
            worst = max(worst, abs(value - expected))
    proposal.max_discrepancy = worst
