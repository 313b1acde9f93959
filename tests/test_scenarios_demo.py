"""The project manager's three questions of issue 11, answered on the demo data; expected values from the marts.

1. "If the assistants take over laboratory results from the nurses at Kivenlahti…" (T23, owned by the nurse)
2. "Where should the next 0.5 FTE go?"
3. "If Espoo's phone service (T01) is pooled, which stations come back into 0.9–1.1?"
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.access import Scope
from dashboard.scenarios.model import parse_scenario
from dashboard.scenarios.present import band_changes, station_rows
from dashboard.scenarios.projection import base_months, project, read_base
from dashboard.scenarios.proposal import ProposalLimits, propose
from warehouse import db as wdb

PM = Scope("projektipaallikko")


def rows(db: Path, sql: str, params: list[object]) -> list[tuple]:
    with wdb.read(db) as con:
        return con.sql(sql, params=params).fetchall()


@pytest.fixture(scope="module")
def base(demo_db: Path):  # noqa: ANN201 - a Base
    found = read_base(demo_db, base_months(demo_db)[-1])
    assert found is not None
    return found


def _round_hours(db: Path, month: object, task: str) -> dict[tuple[str, str], float]:
    """(station, performer) → hours of a task in each station's round of the month, from the marts."""
    got = rows(db, "SELECT t.station_id, t.performer_role, t.hours_week FROM mart_compliance_tasks t "
                   "JOIN mart_workload w ON w.station_id = t.station_id AND w.mapping_date = t.mapping_date "
                   "WHERE w.month = ? AND t.task_id = ?", [month, task])
    return {(s, r): h for s, r, h in got}


def test_kivenlahti_laboratory_results_to_the_assistants(demo_db: Path, base) -> None:  # noqa: ANN001
    hours = _round_hours(demo_db, base.month, "T23")
    nurse = hours.get(("ESP-KIV", "sairaanhoitaja"), 0.0)
    all_t23 = sum(h for (s, _), h in hours.items() if s == "ESP-KIV")
    assert nurse > 0
    p = project(base, parse_scenario({"name": "lab", "base_month": base.month, "changes": [
        {"kind": "reassign", "stations": ["ESP-KIV"], "task_id": "T23", "from_role": "sairaanhoitaja",
         "to_role": "terveyskeskusavustaja", "owner_follows": True}]}), PM)
    kiv = p.stations.filter(p.stations["station_id"] == "ESP-KIV").row(0, named=True)
    req, cap = rows(demo_db, "SELECT required_hours_week, capacity_hours_week FROM mart_workload "
                             "WHERE station_id = 'ESP-KIV' AND month = ?", [base.month])[0]
    # the task becomes the assistants' own: all its hours count as secretary work at Kivenlahti
    assert kiv["required_hours_week_after"] == pytest.approx(req + all_t23)
    assert kiv["load_ratio_after"] == pytest.approx((req + all_t23) / cap)
    assert p.freed_clinical_hours == pytest.approx(nurse)


def test_where_the_next_half_fte_goes(demo_db: Path, base) -> None:  # noqa: ANN001
    p = propose(project(base, parse_scenario({"name": "0,5", "base_month": base.month}), PM),
                ProposalLimits(givers=[], new_fte=0.5), PM)
    assert p.verified and sum(t.fte for t in p.transfers) == pytest.approx(0.5)
    # by hand: 0.1 FTE at a time to whichever station is then the most loaded (optimal for the worst ratio)
    st = base.stations.filter(base.stations["required_hours_week"].is_not_null())
    req = dict(st.select("station_id", "required_hours_week").iter_rows())
    cap = dict(st.select("station_id", "capacity_hours_week").iter_rows())
    per = {s: net / fte * base.weekly_hours * 0.1
           for s, fte, net in st.select("station_id", "secretary_fte", "secretary_net_fte").iter_rows()}
    for _ in range(5):
        worst = max((s for s in req if req[s] > 0), key=lambda s: req[s] / cap[s])
        cap[worst] += per[worst]
    assert p.worst_after == pytest.approx(max(req[s] / cap[s] for s in req if req[s] > 0))
    assert p.worst_after < p.worst_before


def test_espoo_phone_service_pooled(demo_db: Path, base) -> None:  # noqa: ANN001
    espoo = sorted(s for s, m in base.stations.select("station_id", "municipality").iter_rows() if m == "Espoo")
    p = project(base, parse_scenario({"name": "puhelin", "base_month": base.month, "changes": [
        {"kind": "centralise", "stations": espoo, "task_id": "T01"}]}), PM)
    t01 = _round_hours(demo_db, base.month, "T01")
    expected_back = []
    for s, name, req, cap, ratio in rows(demo_db, "SELECT w.station_id, r.name_fi, w.required_hours_week, "
                                                  "w.capacity_hours_week, w.load_ratio FROM mart_workload w "
                                                  "JOIN mart_rollout r USING (station_id) WHERE w.month = ?",
                                         [base.month]):
        after = (req - sum(h for (x, _), h in t01.items() if x == s)) / cap if s in espoo else ratio
        if not 0.9 <= ratio <= 1.1 and 0.9 <= after <= 1.1:
            expected_back.append(name)
    back, _ = band_changes(station_rows(p.stations, "fi"))
    assert sorted(back) == sorted(expected_back)
    pool = p.stations.filter(p.stations["is_pool"]).row(0, named=True)
    assert pool["required_hours_week_after"] == pytest.approx(sum(h for (s, _), h in t01.items() if s in espoo))
