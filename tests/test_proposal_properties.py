"""Properties of the planner's proposal on random small regions (hypothesis): whatever the loads and limits, the
proposal respects the limits, its load ratios are the ones the projection recomputes, and a reachable band is met."""

from __future__ import annotations

from datetime import date

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.access import Scope
from dashboard.scenarios.model import Scenario
from dashboard.scenarios.projection import Base, project
from dashboard.scenarios.proposal import ProposalLimits, propose

SCOPE = Scope("projektipaallikko")
MONTH = date(2026, 1, 1)
GOALS = pl.DataFrame(schema={"goal_id": pl.Int32, "indicator_id": pl.String, "indicator_name": pl.String,
                             "indicator_name_sv": pl.String, "metric": pl.String, "direction": pl.String,
                             "unit": pl.String, "baseline": pl.Float64, "target": pl.Float64, "current": pl.Float64})

station = st.tuples(
    st.integers(10, 80).map(lambda x: x / 10),  # secretary FTE
    st.integers(80, 100).map(lambda x: x / 100),  # net / gross
    st.integers(60, 140).map(lambda x: x / 100),  # load ratio
)


def base_of(stations: list[tuple[float, float, float]]) -> Base:
    """A region from (FTE, net share, load ratio) per station; required hours to the half hour."""
    ids = [f"S{i}" for i in range(len(stations))]
    fte = [f for f, _, _ in stations]
    net = [f * share for f, share, _ in stations]
    required = [round(n * 36.25 * ratio * 2) / 2 for n, (_, _, ratio) in zip(net, stations, strict=True)]
    frame = pl.DataFrame({
        "station_id": ids, "secretary_fte": fte, "secretary_net_fte": net,
        "capacity_hours_week": [n * 36.25 for n in net], "required_hours_week": required,
        "load_ratio": [r / (n * 36.25) for r, n in zip(required, net, strict=True)],
        "mapping_date": [date(2026, 1, 5)] * len(ids), "name_fi": ids, "name_sv": ids,
        "municipality": ["K"] * len(ids), "capacity_estimated": [False] * len(ids),
    })
    tasks = pl.DataFrame({
        "station_id": ids, "task_id": ["T1"] * len(ids), "task_name": ["Ajanvaraus"] * len(ids),
        "task_group": ["Ajanvaraus"] * len(ids), "owner_role": ["terveyskeskusavustaja"] * len(ids),
        "performer_role": ["terveyskeskusavustaja"] * len(ids), "hours_week": required,
    })
    return Base(MONTH, 36.25, frame, tasks, tasks.select("task_id", "task_name", "task_group", "owner_role").unique(),
                GOALS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stations=st.lists(station, min_size=2, max_size=7), data=st.data())
def test_proposal_respects_limits_and_is_verified(stations: list[tuple[float, float, float]],
                                                  data: st.DataObject) -> None:
    base = base_of(stations)
    ids = base.stations["station_id"].to_list()
    givers = data.draw(st.lists(st.sampled_from(ids), unique=True))
    takers = data.draw(st.lists(st.sampled_from(ids), unique=True))
    max_move = data.draw(st.integers(1, 15)) / 10
    limits = ProposalLimits(givers=givers, takers=takers, max_move=max_move, time_limit=30)
    projection = project(base, Scenario(name="p", base_month=MONTH), SCOPE)
    p = propose(projection, limits, SCOPE)
    assert p.verified, p.max_discrepancy
    fte = dict(zip(ids, base.stations["secretary_fte"].to_list(), strict=True))
    given_away = {s: 0.0 for s in ids}
    for tr in p.transfers:
        assert tr.giver in givers and tr.taker in takers and tr.giver != tr.taker
        assert 0 < tr.fte <= max_move + 1e-9
        assert abs(tr.fte * 10 - round(tr.fte * 10)) < 1e-9  # whole 0.1 FTE steps
        given_away[tr.giver] += tr.fte
    assert all(given_away[s] <= fte[s] + 1e-9 for s in ids)
    ratios = list(p.predicted.values())
    if p.band_feasible:
        assert all(0.9 - 1e-9 <= r <= 1.1 + 1e-9 for r in ratios)
    else:
        assert p.worst_after <= p.worst_before + 1e-9  # minimising the worst ratio is never worse than doing nothing
