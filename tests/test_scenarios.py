"""The what-if planner on a tiny hand-made warehouse (built through the real loader), values worked by hand.

June 2025 (20 working days), 36.25 h per FTE, no sick leave (so no capacity is estimated):

    station  kunta  secretaries (FTE, other absence)            net FTE  capacity h/wk  required  ratio
    A        Espoo  ts 1.0, tka 1.0                             2.0      72.5           84        1.158620…
    B        Espoo  ts 1.0, tka 1.0, tka 0.5 (5 of 20 days)     2.375    86.09375       67        0.778222…
    C        Lohja  ts 1.0                                      1.0      36.25          36        0.993103…

Mapping rounds of 2.6.2025 (hours a week; T1 owned by tka, T2 by ts, T3 by the nurse):
    A: T1 tka 60, T1 nurse 10, T2 ts 10, T2 physician 4, T3 nurse 6   required 84, compliant 76 of 90, clinician 14
    B: T1 tka 50, T1 practical nurse 5, T2 ts 12                      required 67, compliant 62 of 67, clinician 5
    C: T1 tka 30, T2 ts 6                                             required 36, compliant 36 of 36, clinician 0
"""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import Month, load_ok, query  # noqa: E402

from dashboard.access import Scope  # noqa: E402
from dashboard.scenarios import store  # noqa: E402
from dashboard.scenarios.model import ScenarioError, parse_scenario  # noqa: E402
from dashboard.scenarios.projection import for_scope, project, read_base, run  # noqa: E402
from dashboard.scenarios.proposal import ProposalLimits, Transfer, propose  # noqa: E402
from warehouse.goals import LOAD_CV_SQL  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

JUN, JUL = Month(2025, 6), Month(2025, 7)
WH = 36.25
PM = Scope("projektipaallikko", None, "pm@example.fi")
ASEMAT = [
    ["asema_id", "nimi", "kunta"],
    ["A", "Asema A", "Espoo"], ["B", "Asema B", "Espoo"], ["C", "Asema C", "Lohja"],
]
TEHTAVAT = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
    ["T1", "Ajanvaraus", "Asiakaspalvelu", "terveyskeskusavustaja"],
    ["T2", "Sanelut", "Kirjaaminen", "toimistosihteeri"],
    ["T3", "Laboratoriotulokset", "Hoidon koordinointi", "sairaanhoitaja"],
]
D = date(2025, 6, 2)
KARTOITUS = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    [D, "A", "T1", "terveyskeskusavustaja", 60], [D, "A", "T1", "sairaanhoitaja", 10],
    [D, "A", "T2", "toimistosihteeri", 10], [D, "A", "T2", "laakari", 4], [D, "A", "T3", "sairaanhoitaja", 6],
    [D, "B", "T1", "terveyskeskusavustaja", 50], [D, "B", "T1", "lahihoitaja", 5],
    [D, "B", "T2", "toimistosihteeri", 12],
    [D, "C", "T1", "terveyskeskusavustaja", 30], [D, "C", "T2", "toimistosihteeri", 6],
]
HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv",
          "muu_poissaolo_pv"]


def staffing(month: Month) -> list[list[Any]]:
    return [
        HEADER,
        [month, "a1", "A", "toimistosihteeri", 100, "vakinainen", 0, 0],
        [month, "a2", "A", "terveyskeskusavustaja", 100, "vakinainen", 0, 0],
        [month, "b1", "B", "toimistosihteeri", 100, "vakinainen", 0, 0],
        [month, "b2", "B", "terveyskeskusavustaja", 100, "vakinainen", 0, 0],
        [month, "b3", "B", "terveyskeskusavustaja", 50, "vakinainen", 0, 5],
        [month, "c1", "C", "toimistosihteeri", 100, "vakinainen", 0, 0],
    ]


CAP = {"A": 2.0 * WH, "B": 2.375 * WH, "C": 1.0 * WH}
REQ = {"A": 84.0, "B": 67.0, "C": 36.0}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import set_env

    path = tmp_path_factory.mktemp("scenarios") / "tyonjako.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        load_ok(path, {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kartoitus.csv": KARTOITUS,
                       "henkilosto.csv": staffing(JUN)})
    return path


def scenario(*changes: dict[str, Any], month: date = JUN.first) -> Any:
    return parse_scenario({"name": "testi", "base_month": month, "changes": list(changes)})


def projected(db: Path, *changes: dict[str, Any], scope: Scope = PM) -> Any:
    base = read_base(db, JUN.first)
    assert base is not None
    return project(base, scenario(*changes), scope)


def station(p: Any, sid: str) -> dict[str, Any]:
    rows = p.stations.filter(p.stations["station_id"] == sid).to_dicts()
    assert len(rows) == 1
    return rows[0]


# --- a scenario without changes is the marts ------------------------------------------------------------------
def test_no_changes_equals_the_marts(db: Path) -> None:
    p = projected(db)
    marts = {r[0]: r[1:] for r in query(db, "SELECT station_id, capacity_hours_week, required_hours_week, load_ratio, "
                                            "secretary_fte FROM mart_workload WHERE month = ?", [JUN.first])}
    rounds = {r[0]: r[1:] for r in query(db, "SELECT station_id, compliance_share, clinician_admin_hours_week "
                                             "FROM mart_compliance WHERE task_group IS NULL")}
    assert set(marts) == {"A", "B", "C"}
    for sid, (cap, req, ratio, fte) in marts.items():
        row = station(p, sid)
        for when in ("before", "after"):
            assert row[f"capacity_hours_week_{when}"] == cap
            assert row[f"required_hours_week_{when}"] == req
            assert row[f"load_ratio_{when}"] == ratio
            assert row[f"secretary_fte_{when}"] == fte
            assert row[f"compliance_share_{when}"] == rounds[sid][0]
            assert row[f"clinician_admin_hours_week_{when}"] == rounds[sid][1]
    region = p.region()
    cv = {r[1]: r[2] for r in query(db, LOAD_CV_SQL)}[JUN.first]
    assert region["load_ratio_cv_after"] == region["load_ratio_cv_before"] == cv
    assert region["load_ratio_before"] == pytest.approx(187 / sum(CAP.values()), rel=1e-12)
    assert region["load_ratio_after"] == region["load_ratio_before"]
    # by hand, too
    ratios = [REQ[s] / CAP[s] for s in "ABC"]
    assert cv == pytest.approx(statistics.pstdev(ratios) / statistics.mean(ratios), rel=1e-12)
    assert station(p, "A")["load_ratio_before"] == pytest.approx(84 / 72.5, rel=1e-12)
    assert region["clinician_admin_hours_week_before"] == 19
    assert region["overload_share_before"] == pytest.approx(1 / 3)
    assert region["stations_in_band_before"] == 1
    espoo = p.units.filter(p.units["municipality"] == "Espoo").row(0, named=True)
    assert espoo["load_ratio_before"] == pytest.approx((84 + 67) / (CAP["A"] + CAP["B"]), rel=1e-12)
    assert espoo["stations_in_band_before"] == 0


# --- each kind of change ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("amount", "moved"), [({}, 10.0), ({"share": 0.5}, 5.0), ({"hours_week": 4}, 4.0)])
def test_reassign_moves_nurse_hours_to_the_assistant(db: Path, amount: dict[str, float], moved: float) -> None:
    p = projected(db, {"kind": "reassign", "stations": ["A"], "task_id": "T1", "from_role": "sairaanhoitaja",
                       "to_role": "terveyskeskusavustaja", **amount})
    a = station(p, "A")
    assert a["required_hours_week_after"] == 84  # T1 is a secretary task whoever does it
    assert a["load_ratio_after"] == pytest.approx(84 / 72.5)
    assert a["compliance_share_after"] == pytest.approx((76 + moved) / 90)
    assert a["clinician_admin_hours_week_after"] == pytest.approx(14 - moved)
    assert p.freed_clinician_hours == pytest.approx(moved)
    assert p.fte(p.freed_clinician_hours) == pytest.approx(moved / WH)
    assert station(p, "B")["compliance_share_after"] == station(p, "B")["compliance_share_before"]


def test_reassign_with_the_owner_changes_the_division_of_labour(db: Path) -> None:
    # The nurses' laboratory results (T3, 6 h) handed to the assistants, who now own the task at A.
    p = projected(db, {"kind": "reassign", "stations": ["A"], "task_id": "T3", "from_role": "sairaanhoitaja",
                       "to_role": "terveyskeskusavustaja", "owner_follows": True})
    a = station(p, "A")
    assert a["required_hours_week_after"] == 90
    assert a["load_ratio_after"] == pytest.approx(90 / 72.5)
    assert a["compliance_share_after"] == pytest.approx(76 / 90)
    assert a["clinician_admin_hours_week_after"] == 14
    assert p.freed_clinical_hours == pytest.approx(6)  # nurse hours freed: 20 → 14


def test_reassign_more_hours_than_exist_is_refused(db: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        projected(db, {"kind": "reassign", "stations": ["A"], "task_id": "T1", "from_role": "sairaanhoitaja",
                       "to_role": "terveyskeskusavustaja", "hours_week": 11})
    assert err.value.texts("fi") == [
        "Muutos 1: asemalla A pyydetään siirtämään 11 h/vko, mutta tunteja on vain 10 h/vko."]
    assert "11 h/vecka" in err.value.texts("sv")[0]


def test_unknown_task_and_group_are_named(db: Path) -> None:
    with pytest.raises(ScenarioError) as err:
        projected(db, {"kind": "reassign", "stations": ["A"], "task_id": "T99", "from_role": "sairaanhoitaja",
                       "to_role": "terveyskeskusavustaja"},
                  {"kind": "centralise", "stations": ["A"], "task_group": "Ei ole"})
    assert err.value.texts("fi") == ["Muutos 1: tehtävää T99 ei ole tehtäväluettelossa.",
                                     "Muutos 2: tehtäväryhmää Ei ole ei ole tehtäväluettelossa."]
    assert err.value.texts("sv")[0] == "Ändring 1: uppgiften T99 finns inte i uppgiftsförteckningen."


def test_centralise_to_a_pool_with_staff_moving_along(db: Path) -> None:
    p = projected(db, {"kind": "centralise", "stations": ["A", "B"], "task_id": "T1", "pool_name": "Puhelintiimi",
                       "fte_moved": 1.0})
    # A gives 70 h and 70/125 of the FTE; B gives 55 h and 55/125 (B nets at 2.375 / 2.5 = 0.95).
    a, b, pool = station(p, "A"), station(p, "B"), station(p, "pool:Puhelintiimi")
    assert a["required_hours_week_after"] == 14 and b["required_hours_week_after"] == 12
    assert a["secretary_fte_after"] == pytest.approx(2 - 0.56)
    assert a["capacity_hours_week_after"] == pytest.approx((2 - 0.56) * WH)
    assert b["capacity_hours_week_after"] == pytest.approx((2.375 - 0.44 * 0.95) * WH)
    assert a["load_ratio_after"] == pytest.approx(14 / ((2 - 0.56) * WH))
    assert pool["is_pool"] and pool["required_hours_week_after"] == 125
    region_net = (2 + 2.375 + 1) / (2 + 2.5 + 1)  # a pooled team nets at the region's net/gross FTE
    assert pool["capacity_hours_week_after"] == pytest.approx(region_net * WH)
    assert pool["compliance_share_after"] == 1.0  # done by the owner role
    assert a["clinician_admin_hours_week_after"] == 4 and b["clinician_admin_hours_week_after"] == 0
    assert p.freed_clinician_hours == pytest.approx(15)
    region = p.region()
    assert region["required_hours_week_after"] == 187
    # the spread is over real stations only: A, B, C
    ratios = [14 / ((2 - 0.56) * WH), 12 / ((2.375 - 0.418) * WH), 36 / 36.25]
    assert region["load_ratio_cv_after"] == pytest.approx(statistics.pstdev(ratios) / statistics.mean(ratios))


def test_centralise_to_another_station(db: Path) -> None:
    p = projected(db, {"kind": "centralise", "stations": ["A", "B"], "task_id": "T1", "to_station": "C",
                       "share": 0.5})
    c = station(p, "C")
    assert c["required_hours_week_after"] == pytest.approx(36 + 35 + 27.5)
    assert c["load_ratio_after"] == pytest.approx(98.5 / 36.25)
    assert station(p, "A")["required_hours_week_after"] == pytest.approx(84 - 35)


def test_staffing_adds_and_refuses_removing_too_much(db: Path) -> None:
    p = projected(db, {"kind": "staffing", "station": "B", "role": "terveyskeskusavustaja", "fte_delta": 0.5})
    b = station(p, "B")
    assert b["secretary_fte_after"] == 3.0
    assert b["capacity_hours_week_after"] == pytest.approx((2.375 + 0.5 * 0.95) * WH)
    assert b["load_ratio_after"] == pytest.approx(67 / ((2.375 + 0.475) * WH))
    with pytest.raises(ScenarioError) as err:
        projected(db, {"kind": "staffing", "station": "C", "role": "toimistosihteeri", "fte_delta": -1.5})
    assert "asemalta C ei voi vähentää 1,5 htv" in err.value.texts("fi")[0]


def test_absence_share_assumption(db: Path) -> None:
    p = projected(db, {"kind": "absence", "stations": ["A"], "share": 0.1})
    a = station(p, "A")
    assert a["capacity_hours_week_after"] == pytest.approx(1.8 * WH)
    assert a["load_ratio_after"] == pytest.approx(84 / (1.8 * WH))
    region = p.region()
    assert region["load_ratio_after"] == pytest.approx(187 / (1.8 * WH + CAP["B"] + CAP["C"]))


def test_malformed_changes_get_sentences() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "x", "base_month": JUN.first, "changes": [
            {"kind": "reassign", "stations": ["A"], "task_id": "T1", "task_group": "Kirjaaminen",
             "from_role": "sairaanhoitaja", "to_role": "sairaanhoitaja"}]})
    assert err.value.texts("fi") == ["Muutos 1: valitse joko tehtävä tai tehtäväryhmä (ei molempia)."]


# --- scope ------------------------------------------------------------------------------------------------------
def test_a_station_manager_cannot_use_another_station(db: Path) -> None:
    manager = Scope("esihenkilo", frozenset({"A"}), "a@example.fi")
    crafted = {"kind": "staffing", "station": "B", "role": "toimistosihteeri", "fte_delta": -1.0}
    with pytest.raises(ScenarioError) as err:
        projected(db, crafted, scope=manager)
    assert err.value.texts("fi") == ["Muutos 1: asema B ei kuulu käyttöoikeuksiisi, joten sitä ei voi käyttää "
                                     "skenaariossa."]
    own = projected(db, {"kind": "staffing", "station": "A", "role": "toimistosihteeri", "fte_delta": 1.0},
                    scope=manager)
    assert for_scope(own, manager)["station_id"].to_list() == ["A"]
    assert own.region()["load_ratio_after"] == pytest.approx(187 / (3 * WH + CAP["B"] + CAP["C"]))
    # a saved scenario naming another station is not listed for the manager
    saved = scenario(crafted)
    assert not store.visible(store.Saved(1, "x", "pm", None, JUN.first, frozenset(saved.stations()), {}), manager)


# --- the proposal -----------------------------------------------------------------------------------------------
def _ratios_from(transfers: list[Transfer]) -> dict[str, float]:
    """Load ratios recomputed by hand from transfers (A and C net at 1.0, B at 0.95)."""
    net = {"A": 2.0, "B": 2.375, "C": 1.0}
    per = {"A": 1.0, "B": 0.95, "C": 1.0}
    for tr in transfers:
        net[tr.taker] += tr.fte * per[tr.taker]
        if tr.giver:
            net[tr.giver] -= tr.fte * per[tr.giver]
    return {s: REQ[s] / (net[s] * WH) for s in net}


def test_proposal_finds_the_obvious_transfer(db: Path) -> None:
    # A is over the band and B under it: B must give 0.4 FTE (0.3 leaves it at 0.884) and A may take at most 0.5
    # (0.6 brings it to 0.887), so one transfer of 0.4 (the smaller of the two) brings both in.
    p = propose(projected(db), ProposalLimits(), PM)
    assert p.band_feasible and p.verified
    assert [(t.giver, t.taker, t.fte) for t in p.transfers] == [("B", "A", 0.4)]
    by_hand = _ratios_from(p.transfers)
    assert by_hand["A"] == pytest.approx(84 / 87) and by_hand["B"] == pytest.approx(67 / (1.995 * WH))
    got = dict(p.projection.stations.select("station_id", "load_ratio_after").iter_rows())
    for s, ratio in by_hand.items():
        assert got[s] == pytest.approx(ratio, rel=1e-12)
        assert 0.9 <= got[s] <= 1.1
    # the proposal is an editable scenario of staffing changes
    assert [(c.station, c.fte_delta) for c in p.scenario.changes] == [("B", -0.4), ("A", 0.4)]


@pytest.mark.parametrize("exact_pairs", [3000, 0])  # 0: the bisection used for large regions
def test_infeasible_band_minimises_the_worst_ratio(db: Path, exact_pairs: int, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    from dashboard.scenarios import proposal

    monkeypatch.setattr(proposal, "EXACT_PAIRS", exact_pairs)
    p = propose(projected(db), ProposalLimits(givers=["B"], max_move=0.1), PM)
    assert not p.band_feasible and p.verified
    assert [(t.giver, t.taker, t.fte) for t in p.transfers] == [("B", "A", 0.1)]
    assert p.worst_after == pytest.approx(84 / (2.1 * WH))
    assert p.worst_after == pytest.approx(max(_ratios_from(p.transfers).values()))


@pytest.mark.parametrize("exact_pairs", [3000, 0])
def test_limits_are_respected(db: Path, exact_pairs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.scenarios import proposal

    monkeypatch.setattr(proposal, "EXACT_PAIRS", exact_pairs)
    limits = ProposalLimits(givers=["C"], takers=["A"], max_move=0.3)
    p = propose(projected(db), limits, PM)
    assert p.verified
    assert all(t.giver == "C" and t.taker == "A" and t.fte <= 0.3 for t in p.transfers)
    # C can spare one step before its own ratio exceeds A's: worst max(84/76.125, 36/32.625) = 1.1034…
    assert [(t.giver, t.taker, t.fte) for t in p.transfers] == [("C", "A", 0.1)]
    assert p.worst_after == pytest.approx(36 / 32.625)


@pytest.mark.parametrize("exact_pairs", [3000, 0])
def test_new_fte_goes_where_it_lowers_the_worst_ratio(db: Path, exact_pairs: int,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.scenarios import proposal

    monkeypatch.setattr(proposal, "EXACT_PAIRS", exact_pairs)
    # B stays under the band (it may not give), so the worst ratio is minimised: 0.4 to A and 0.1 to C leaves
    # A at 84/87 = 0.966 and C at 36/39.875 = 0.903; all 0.5 to A would leave C the worst at 0.993.
    p = propose(projected(db), ProposalLimits(givers=[], new_fte=0.5), PM)
    assert not p.band_feasible and p.verified
    assert sorted((t.giver, t.taker, t.fte) for t in p.transfers) == [(None, "A", 0.4), (None, "C", 0.1)]
    assert p.worst_after == pytest.approx(84 / 87)


# --- saved scenarios --------------------------------------------------------------------------------------------
def test_saved_scenario_survives_a_reload_and_a_lost_base_month(db: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    own = tmp_path / "wh" / "tyonjako.duckdb"
    own.parent.mkdir()
    shutil.copyfile(db, own)
    monkeypatch.delenv(store.APPSTATE_ENV, raising=False)
    change = {"kind": "staffing", "station": "A", "role": "toimistosihteeri", "fte_delta": 1.0}
    sid = store.save(own, scenario(change), "pm@example.fi")
    assert store.appstate_path(own) == own.with_name("tyonjako.duckdb.appstate.sqlite")
    load_ok(own, {"henkilosto.csv": staffing(JUL)})  # a load publishes a new warehouse file
    saved = store.listing(own, PM)
    assert [(s.id, s.name, s.author, s.base_month) for s in saved] == [(sid, "testi", "pm@example.fi", JUN.first)]
    after = run(own, parse_scenario(saved[0].body), PM)
    assert station(after, "A")["load_ratio_after"] == pytest.approx(84 / (3 * WH))
    # the warehouse rebuilt without June: the scenario says its base month is gone
    own.unlink()
    load_ok(own, {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kartoitus.csv": KARTOITUS,
                  "henkilosto.csv": staffing(JUL)})
    saved = store.listing(own, PM)
    assert len(saved) == 1
    with pytest.raises(ScenarioError) as err:
        run(own, parse_scenario(saved[0].body), PM)
    assert err.value.texts("fi") == ["lähtökuukautta 6/2025 ei ole tietovarastossa."]


# --- the PDF ----------------------------------------------------------------------------------------------------
def test_pdf_is_one_page_with_the_scenario_figures(db: Path, tmp_path: Path) -> None:
    import subprocess

    from dashboard.scenarios.pdf import to_pdf
    from dashboard.scenarios.present import describe, station_rows

    p = projected(db, {"kind": "absence", "stations": ["A"], "share": 0.1})
    pdf = to_pdf(p, station_rows(p.stations, "fi").to_dicts(),
                 describe(p.scenario, {"A": "Asema A"}, {}, "fi"), "fi")
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Skenaario: testi" in text
    assert "Asema A: poissaolo-osuus 10,0 %" in text
    # A's load ratio after: 84 / (1.8 × 36.25) = 1.287…
    assert "1,29" in text and "1,16" in text
