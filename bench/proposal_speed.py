"""Time the planner's FTE-transfer proposal: the demo region (24 stations) and a synthetic 600-station region.

Run: .venv/bin/python bench/proposal_speed.py [--db PATH]   (builds a demo warehouse in a temporary folder if no
--db is given). Prints seconds per case; nothing is written into the project.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl

from dashboard.access import Scope
from dashboard.scenarios.model import Scenario
from dashboard.scenarios.projection import Base, project, read_base
from dashboard.scenarios.proposal import ProposalLimits, propose

SCOPE = Scope("projektipaallikko")


def synthetic_base(n: int, seed: int = 7) -> Base:
    """A region of n stations: 2–8 secretary FTE each, load ratios drawn from 0.7–1.35, one mapped task each."""
    rng = random.Random(seed)
    ids = [f"S{i:04d}" for i in range(n)]
    fte = [round(rng.uniform(2, 8), 1) for _ in ids]
    net = [f * rng.uniform(0.85, 0.97) for f in fte]
    required = [round(nf * 36.25 * rng.uniform(0.7, 1.35) * 2) / 2 for nf in net]
    stations = pl.DataFrame({
        "station_id": ids, "secretary_fte": fte, "secretary_net_fte": net,
        "capacity_hours_week": [x * 36.25 for x in net], "required_hours_week": required,
        "load_ratio": [r / (x * 36.25) for r, x in zip(required, net, strict=True)],
        "mapping_date": [date(2026, 1, 5)] * n, "name_fi": ids, "name_sv": ids,
        "municipality": [f"K{i % 30:02d}" for i in range(n)], "capacity_estimated": [False] * n,
    })
    tasks = pl.DataFrame({
        "station_id": ids, "task_id": ["T01"] * n, "task_name": ["Ajanvaraus"] * n,
        "task_group": ["Ajanvaraus"] * n, "owner_role": ["terveyskeskusavustaja"] * n,
        "performer_role": ["terveyskeskusavustaja"] * n, "hours_week": required,
    })
    catalogue = tasks.select("task_id", "task_name", "task_group", "owner_role").unique()
    return Base(date(2026, 1, 1), 36.25, stations, tasks, catalogue, pl.DataFrame(
        schema={"goal_id": pl.Int32, "indicator_id": pl.String, "indicator_name": pl.String,
                "indicator_name_sv": pl.String, "metric": pl.String, "direction": pl.String, "unit": pl.String,
                "baseline": pl.Float64, "target": pl.Float64, "current": pl.Float64}))


def timed(base: Base, limits: ProposalLimits, label: str) -> None:
    """Project an empty scenario, propose, and print the time and the outcome."""
    started = time.perf_counter()
    projection = project(base, Scenario(name=label, base_month=base.month), SCOPE)
    proposal = propose(projection, limits, SCOPE)
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s (solver {proposal.solve_seconds:.2f} s), status {proposal.status}, "
          f"band {'reachable' if proposal.band_feasible else 'not reachable'}, {len(proposal.transfers)} transfers, "
          f"worst {proposal.worst_before:.3f} -> {proposal.worst_after:.3f}, verified {proposal.verified}")


def main() -> None:
    """Run both cases."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else None
        if db is None:
            from etl.demo import build_demo

            db = build_demo(Path(tmp) / "demo.duckdb")
        from dashboard.scenarios.projection import base_months

        base = read_base(db, base_months(db)[-1])
        assert base is not None
        timed(base, ProposalLimits(), "demo region, 24 stations")
        timed(base, ProposalLimits(givers=[], new_fte=0.5), "demo region, where should 0.5 new FTE go")
        big = synthetic_base(600)
        timed(big, ProposalLimits(time_limit=30), "synthetic region, 600 stations (30 s per solver phase)")
        timed(big, ProposalLimits(municipality="K00", time_limit=30), "one municipality of it, 20 stations")


if __name__ == "__main__":
    main()
