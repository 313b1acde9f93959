"""Every figure of "Definitions of the figures", from tiny hand-made inputs with the expected values worked by hand.

One warehouse is built per module from a single command. Each scenario has a month of its own so that
the scenarios do not disturb one another's hierarchies:

    2025-05, 2025-06   workload of S1 (capacity, required hours, load ratio) and S2 (no secretaries)
    2025-08            sick-leave rate of K1 (5 people)
    2025-09            secondary suppression of sick-leave rates in K1 (5 clinicians + 2 secretaries)
    2025-10            Pulssi scores and participation in P1 and P2 (one person holds posts at both)
    2025-11            Pulssi primary suppression (4 respondents)
    2025-12            Pulssi secondary suppression (P2 has 3 respondents, so P1 must be hidden too)
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import Month, load_ok, query  # noqa: E402

from core.calendar import working_days  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

TODAY = date.today()

ASEMAT = [
    ["asema_id", "nimi", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"],
    ["S1", "Työasema", "Lohja", 1, None, None],
    ["S2", "Hoitoasema", "Lohja", 1, None, None],
    ["K1", "Karjaa", "Karjaa", 2, None, None],
    ["P1", "Pulssi 1", "Vihti", 2, None, None],
    ["P2", "Pulssi 2", "Vihti", 2, None, None],
    # Rollout, relative to today:
    ["R1", "Käytössä", "Siuntio", 1, TODAY - timedelta(days=20), TODAY - timedelta(days=10)],
    ["R2", "Käyttöön tänään", "Siuntio", 1, TODAY - timedelta(days=3), TODAY],
    ["R3", "Myöhässä", "Siuntio", 2, TODAY - timedelta(days=1), None],
    ["R4", "Tulossa", "Siuntio", 3, TODAY + timedelta(days=30), None],
    ["R6", "Ei suunnitelmaa", "Siuntio", None, None, None],
    ["R8", "Myöhässä, uusi päivä", "Siuntio", 2, TODAY - timedelta(days=5), TODAY + timedelta(days=3)],
]
TEHTAVAT = [
    ["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
    ["T1", "Ajanvaraus", "Ajanvaraus", "terveyskeskusavustaja"],
    ["T2", "Sanelut", "Kirjaaminen", "toimistosihteeri"],
    ["T3", "Haavahoito", "Kliininen työ", "sairaanhoitaja"],
    ["T4", "Laskutus", "Kirjaaminen", "toimistosihteeri"],
]
KYSYMYKSET = [
    ["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max"],
    ["hallinta", "Pystyn vaikuttamaan työhöni", "likert", 1, 5],
    ["enps", "Suosittelisitko työpaikkaasi?", "enps", 0, 10],
]
KARTOITUS = [
    ["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"],
    # S1, round of 10.5.2025: required (secretary-owned) 30 h.
    [date(2025, 5, 10), "S1", "T1", "terveyskeskusavustaja", 30],
    # S1, round of 30.6.2025 (the last day of June: it counts for June):
    [date(2025, 6, 30), "S1", "T1", "terveyskeskusavustaja", 20],   # secretary-owned, compliant
    [date(2025, 6, 30), "S1", "T1", "sairaanhoitaja", 5],           # secretary-owned, done by a clinician
    [date(2025, 6, 30), "S1", "T2", "laakari", 10],                 # secretary-owned, done by a clinician
    [date(2025, 6, 30), "S1", "T2", "terveyskeskusavustaja", 4],    # secretary's task done by an assistant
    [date(2025, 6, 30), "S1", "T3", "sairaanhoitaja", 30],          # clinical task, compliant
    [date(2025, 6, 30), "S1", "T4", "toimistosihteeri", 6],         # secretary-owned, compliant
    # S1, round of 1.7.2025: after June, must not count for June.
    [date(2025, 7, 1), "S1", "T1", "terveyskeskusavustaja", 99],
    # S2, round of 1.6.2025: 8 h of a secretary task, but S2 has no secretaries.
    [date(2025, 6, 1), "S2", "T1", "sairaanhoitaja", 8],
]

HENKILOSTO_HEADER = ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde",
                     "sairauspoissaolo_pv", "muu_poissaolo_pv"]


def staff(month: Month, pid: str, station: str, role: str, pct: float, sick: int = 0, other: int = 0) -> list[Any]:
    return [month, pid, station, role, pct, "vakinainen", sick, other]


MAY, JUN, AUG, SEP, OCT, NOV, DEC = (Month(2025, m) for m in (5, 6, 8, 9, 10, 11, 12))
HENKILOSTO = [
    HENKILOSTO_HEADER,
    staff(MAY, "w1", "S1", "toimistosihteeri", 100),
    # June 2025: 20 working days.
    staff(JUN, "w1", "S1", "toimistosihteeri", 100),            # FTE 1.0, absence 0        → net 1.0
    staff(JUN, "w2", "S1", "terveyskeskusavustaja", 50, 2, 3),  # FTE 0.5, absence 5/20=.25 → net 0.375
    staff(JUN, "w3", "S1", "sairaanhoitaja", 100, 4),           # clinical: not in capacity
    staff(JUN, "w4", "S1", "laakari", 80),                      # clinical
    staff(JUN, "n1", "S2", "sairaanhoitaja", 100),
    # August 2025: 21 working days; five clinicians at K1.
    staff(AUG, "k1", "K1", "sairaanhoitaja", 100, 2),
    staff(AUG, "k2", "K1", "sairaanhoitaja", 50, 4),
    staff(AUG, "k3", "K1", "sairaanhoitaja", 80, 0),
    staff(AUG, "k4", "K1", "lahihoitaja", 100, 0),
    staff(AUG, "k5", "K1", "laakari", 60, 10),
    # September 2025: 22 working days; five clinicians (1 sick day each) and two secretaries.
    *[staff(SEP, f"k{i}", "K1", "sairaanhoitaja", 100, 1) for i in range(1, 6)],
    staff(SEP, "s1", "K1", "toimistosihteeri", 100),
    staff(SEP, "s2", "K1", "terveyskeskusavustaja", 100),
    # October 2025: P1 has h1..h6 and hx, P2 has h7..h10 and hx (hx holds posts at both).
    *[staff(OCT, f"h{i}", "P1", "sairaanhoitaja", 100) for i in range(1, 7)],
    staff(OCT, "hx", "P1", "sairaanhoitaja", 50),
    *[staff(OCT, f"h{i}", "P2", "sairaanhoitaja", 100) for i in range(7, 11)],
    staff(OCT, "hx", "P2", "sairaanhoitaja", 50),
    # November 2025: six people at P1.
    *[staff(NOV, f"h{i}", "P1", "sairaanhoitaja", 100) for i in range(1, 7)],
    # December 2025: six at P1, three at P2.
    *[staff(DEC, f"h{i}", "P1", "sairaanhoitaja", 100) for i in range(1, 7)],
    *[staff(DEC, f"h{i}", "P2", "sairaanhoitaja", 100) for i in range(7, 10)],
]


def answers(month: Month, station: str, prefix: str, hallinta: list[int | None], enps: list[int | None]) -> list:
    return [[month, f"{prefix}{i}", station, "sairaanhoitaja", h, e] for i, (h, e) in enumerate(zip(hallinta, enps,
                                                                                                     strict=True))]


PULSSI = [
    ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "enps"],
    *answers(OCT, "P1", "a", [5, 4, 4, 3, 2, None], [10, 9, 8, 6, 0, 9]),
    *answers(OCT, "P2", "b", [5, 5, 5, 5, 5], [10, 10, 10, 10, 10]),
    *answers(NOV, "P1", "c", [5, 4, 3, 2], [10, 9, 8, 7]),
    *answers(DEC, "P1", "d", [5, 5, 4, 4, 3, 3], [9, 9, 9, 9, 9, 9]),
    *answers(DEC, "P2", "e", [1, 1, 2], [0, 0, 0]),
]
KYSYMYSLOKI = [
    ["avattu", "asema_id", "aihe", "tila", "ratkaistu"],
    [date(2025, 1, 2), "R1", "Sanelut", "avoin", None],
    [date(2025, 1, 3), "R1", "Laskutus", "avoin", None],
    [date(2025, 1, 4), "R1", "Ajanvaraus", "ratkaistu", date(2025, 1, 9)],
    [date(2025, 1, 5), "R3", "Koulutus", "ratkaistu", date(2025, 1, 6)],
    [date(2025, 1, 6), None, "Koko alueen asia", "avoin", None],   # station-less: counts for the region only
]


def build(db: Path) -> None:
    load_ok(db, {"asemat.csv": ASEMAT, "tehtavat.csv": TEHTAVAT, "kysymykset.csv": KYSYMYKSET,
                 "kartoitus.csv": KARTOITUS, "henkilosto.csv": HENKILOSTO, "pulssi.csv": PULSSI,
                 "kysymysloki.csv": KYSYMYSLOKI})


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import set_env

    path = tmp_path_factory.mktemp("figures") / "tyonjako.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        build(path)
    return path


def one(db: Path, sql: str, params: list[Any]) -> dict[str, Any]:
    """The single row of a query, as a dict."""
    from warehouse import db as wdb

    with wdb.read(db) as con:
        rel = con.sql(sql, params=params)
        rows = rel.fetchall()
        cols = rel.columns
    assert len(rows) == 1, f"{len(rows)} rows for {params}"
    return dict(zip(cols, rows[0], strict=True))


def workload(db: Path, station: str, month: Month) -> dict[str, Any]:
    return one(db, "SELECT * FROM mart_workload WHERE station_id = ? AND month = ?", [station, month.first])


def recorded(db: Path, station: str, month: Month) -> dict[str, Any]:
    """The station's recorded (not estimated) workload figures, kept internal by the contract's revision 2."""
    return one(db, "SELECT * FROM int_workload_capacity WHERE station_id = ? AND month = ?", [station, month.first])


def pulssi(db: Path, month: Month, municipality: str | None, station: str | None, group: str | None,
           question: str) -> dict[str, Any]:
    return one(
        db,
        "SELECT * FROM mart_pulssi WHERE month = ? AND municipality IS NOT DISTINCT FROM ? "
        "AND station_id IS NOT DISTINCT FROM ? AND role_group IS NOT DISTINCT FROM ? AND question_id = ?",
        [month.first, municipality, station, group, question],
    )


approx = pytest.approx

# ---------------------------------------------------------------------------------------------------------------
# Working days
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        # January 2025: 23 weekdays less New Year's Day (Wed 1.1.) and Epiphany (Mon 6.1.) = 21.
        (2025, 1, 21),
        # February 2025: 20 weekdays, no holidays.
        (2025, 2, 20),
        # May 2025: 22 weekdays less May Day (Thu 1.5.) and Ascension Day (Thu 29.5.) = 20.
        (2025, 5, 20),
        # June 2025: 21 weekdays less Midsummer Eve (Fri 20.6.) = 20.
        (2025, 6, 20),
        # December 2025: 23 weekdays less Christmas Eve (Wed 24.12.), Christmas Day, Boxing Day = 20;
        # Independence Day (6.12.) is a Saturday.
        (2025, 12, 20),
        # June 2026: 22 weekdays less Midsummer Eve (Fri 19.6.) = 21.
        (2026, 6, 21),
        # December 2026: 23 weekdays less Christmas Eve (Thu 24.12.) and Christmas Day (Fri 25.12.) = 21.
        (2026, 12, 21),
        # April 2025: 22 weekdays less Good Friday (18.4.) and Easter Monday (21.4.) = 20.
        (2025, 4, 20),
    ],
)
def test_working_days_by_hand(db: Path, year: int, month: int, expected: int) -> None:
    assert working_days(year, month) == expected
    # The warehouse's calendar, which the marts use, agrees.
    assert query(db, "SELECT working_days FROM ref_working_days WHERE month = ?", [date(year, month, 1)]) == [
        (expected,)
    ]


# ---------------------------------------------------------------------------------------------------------------
# Workload: FTE, absence share, net FTE, capacity, required hours, load ratio, headcount
# ---------------------------------------------------------------------------------------------------------------


def test_secretary_fte_is_the_sum_of_part_time_percentages(db: Path) -> None:
    # June, S1: toimistosihteeri 100 % + terveyskeskusavustaja 50 % = 1.5 FTE (the clinicians do not count).
    assert workload(db, "S1", JUN)["secretary_fte"] == approx(1.5)


def test_net_fte_uses_the_absence_share_of_each_person_month(db: Path) -> None:
    # June has 20 working days. w1: 1.0 × (1 − 0/20) = 1.0; w2: 0.5 × (1 − (2 + 3)/20) = 0.5 × 0.75 = 0.375.
    assert recorded(db, "S1", JUN)["actual_secretary_net_fte"] == approx(1.375)
    # Revision 2: S1's two secretaries are the whole region's, so the region rate would be their own: the mart
    # publishes no net FTE, capacity or load ratio for them (tests/test_privacy_derived.py has the estimate).
    row = workload(db, "S1", JUN)
    assert row["capacity_estimated"] is True
    assert (row["secretary_net_fte"], row["capacity_hours_week"], row["load_ratio"]) == (None, None, None)
    assert row["secretary_fte"] == approx(1.5)


def test_capacity_is_secretary_net_fte_times_weekly_hours(db: Path) -> None:
    # 1.375 × 36.25 = 49.84375 h/week; May: 1.0 × 36.25 = 36.25.
    assert recorded(db, "S1", JUN)["actual_capacity_hours_week"] == approx(49.84375)
    assert recorded(db, "S1", MAY)["actual_capacity_hours_week"] == approx(36.25)


def test_required_hours_come_from_the_latest_round_on_or_before_the_months_last_day(db: Path) -> None:
    # June: the round of 30.6. (the 1.7. round is after June). Secretary-owned tasks, whoever does them:
    # T1 20 + T1 by a nurse 5 + T2 by a doctor 10 + T2 by an assistant 4 + T4 6 = 45 (T3 is a nurse's task).
    assert workload(db, "S1", JUN)["required_hours_week"] == approx(45)
    # May: the round of 10.5. only: 30.
    assert workload(db, "S1", MAY)["required_hours_week"] == approx(30)


def test_load_ratio_is_required_over_capacity(db: Path) -> None:
    # June: 45 / 49.84375 = 0.902821…; May: 30 / 36.25 = 0.827586…
    assert recorded(db, "S1", JUN)["actual_load_ratio"] == approx(45 / 49.84375)
    assert recorded(db, "S1", MAY)["actual_load_ratio"] == approx(30 / 36.25)


def test_load_ratio_is_empty_where_capacity_is_zero(db: Path) -> None:
    # S2 has only a nurse: capacity 0, required 8 h (T1 done by the nurse), load ratio empty.
    row = workload(db, "S2", JUN)
    assert row["capacity_hours_week"] == approx(0)
    assert row["required_hours_week"] == approx(8)
    assert row["load_ratio"] is None


def test_headcount_counts_all_staff_of_the_station(db: Path) -> None:
    # June, S1: w1, w2, w3, w4 (secretaries and clinicians alike) = 4.
    assert workload(db, "S1", JUN)["headcount"] == 4
    # October: P1 has h1..h6 and hx = 7; P2 has h7..h10 and hx = 5.
    assert workload(db, "P1", OCT)["headcount"] == 7
    assert workload(db, "P2", OCT)["headcount"] == 5


def test_weekly_hours_are_configurable(tmp_path: Path, etl_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "config"
    other.mkdir()
    for f in etl_config.iterdir():
        (other / f.name).write_bytes(f.read_bytes())
    (other / "asetukset.toml").write_text("k_anonymity = 5\ncomment_min_respondents = 10\nweekly_hours = 40\n")
    monkeypatch.setenv("TYONJAKO_CONFIG_DIR", str(other))
    path = tmp_path / "w.duckdb"
    build(path)
    # 1.375 × 40 = 55.
    assert recorded(path, "S1", JUN)["actual_capacity_hours_week"] == approx(55)


# ---------------------------------------------------------------------------------------------------------------
# Sick-leave rate and its suppression
# ---------------------------------------------------------------------------------------------------------------


def test_sick_leave_rate(db: Path) -> None:
    # August 2025 has 21 working days. FTE × sick days: 1.0×2 + 0.5×4 + 0.8×0 + 1.0×0 + 0.6×10 = 10;
    # FTE × working days: (1.0 + 0.5 + 0.8 + 1.0 + 0.6) × 21 = 81.9; rate = 10 / 81.9 = 0.122100…
    row = workload(db, "K1", AUG)
    assert row["headcount"] == 5
    assert row["sick_leave_rate"] == approx(10 / 81.9)


def test_sick_leave_rate_is_empty_when_headcount_is_below_k(db: Path) -> None:
    # June, S1: 4 people < 5.
    row = workload(db, "S1", JUN)
    assert row["headcount"] == 4
    assert row["sick_leave_rate"] is None


def test_sick_leave_secondary_suppression(db: Path) -> None:
    # September, K1: 2 secretaries (< 5: hidden) and 5 clinicians. The station (7 people) is shown, so the
    # clinicians' rate would give away the secretaries' by subtraction: the clinicians are hidden too.
    # The station: 5 × 1.0 × 1 sick day / (7 × 1.0 × 22 working days) = 5/154.
    assert workload(db, "K1", SEP)["sick_leave_rate"] == approx(5 / 154)
    rows = query(db, "SELECT role_group, sick_leave_rate, suppressed FROM mart_sick_leave WHERE month = ? "
                     "AND station_id = 'K1' ORDER BY role_group NULLS FIRST", [SEP.first])
    assert rows == [(None, approx(5 / 154), False), ("kliiniset", None, True), ("sihteerit", None, True)]


# ---------------------------------------------------------------------------------------------------------------
# Compliance and clinician admin hours
# ---------------------------------------------------------------------------------------------------------------


def compliance(db: Path, group: str | None) -> dict[str, Any]:
    return one(db, "SELECT * FROM mart_compliance WHERE station_id = 'S1' AND mapping_date = DATE '2025-06-30' "
                   "AND task_group IS NOT DISTINCT FROM ?", [group])


def test_compliance_share_of_a_round(db: Path) -> None:
    # All groups, round 30.6. at S1: all hours 20 + 5 + 10 + 4 + 30 + 6 = 75; compliant (suorittaja = vastuurooli):
    # T1 by the assistant 20 + T3 by the nurse 30 + T4 by the secretary 6 = 56. The assistant doing the
    # secretary's T2 (4 h) is not compliant although both roles are secretary roles. 56 / 75 = 0.74666…
    row = compliance(db, None)
    assert row["total_hours_week"] == approx(75)
    assert row["compliant_hours_week"] == approx(56)
    assert row["compliance_share"] == approx(56 / 75)


def test_compliance_share_per_task_group(db: Path) -> None:
    # Kirjaaminen (T2, T4): 10 + 4 + 6 = 20 h, compliant 6 → 0.3.
    row = compliance(db, "Kirjaaminen")
    assert (row["total_hours_week"], row["compliant_hours_week"]) == (approx(20), approx(6))
    assert row["compliance_share"] == approx(0.3)


def test_clinician_admin_hours(db: Path) -> None:
    # Secretary-owned tasks done by clinical roles: T1 by the nurse 5 + T2 by the doctor 10 = 15
    # (T2 by the assistant is not a clinician; T3 by the nurse is not a secretary task).
    assert compliance(db, None)["clinician_admin_hours_week"] == approx(15)
    assert compliance(db, "Kirjaaminen")["clinician_admin_hours_week"] == approx(10)
    assert compliance(db, "Ajanvaraus")["clinician_admin_hours_week"] == approx(5)


# ---------------------------------------------------------------------------------------------------------------
# Pulssi
# ---------------------------------------------------------------------------------------------------------------


def test_pulssi_likert_respondents_mean_and_favourable_share(db: Path) -> None:
    # P1, October, hallinta: answers 5, 4, 4, 3, 2 (one left it empty): 5 respondents, mean 18/5 = 3.6,
    # favourable (4–5) 3/5 = 0.6.
    row = pulssi(db, OCT, "Vihti", "P1", None, "hallinta")
    assert (row["respondents"], row["suppressed"]) == (5, False)
    assert row["mean_score"] == approx(3.6)
    assert row["favourable_share"] == approx(0.6)
    assert row["enps"] is None
    # Vihti (P1 + P2): 10 respondents, mean (18 + 25)/10 = 4.3, favourable (3 + 5)/10 = 0.8.
    row = pulssi(db, OCT, "Vihti", None, None, "hallinta")
    assert row["respondents"] == 10
    assert (row["mean_score"], row["favourable_share"]) == (approx(4.3), approx(0.8))
    # The role group: all are nurses, so kliiniset at P1 equals P1.
    row = pulssi(db, OCT, "Vihti", "P1", "kliiniset", "hallinta")
    assert (row["respondents"], row["mean_score"]) == (5, approx(3.6))


def test_pulssi_enps(db: Path) -> None:
    # P1, October: 10, 9, 8, 6, 0, 9 → 6 respondents, promoters (9–10) 3, detractors (0–6) 2:
    # eNPS = 100 × (3/6 − 2/6) = 16.666…
    row = pulssi(db, OCT, "Vihti", "P1", None, "enps")
    assert row["respondents"] == 6
    assert row["enps"] == approx(100 / 6)
    assert row["mean_score"] is None and row["favourable_share"] is None
    # The region: P1 plus P2's five 10s: 11 respondents, promoters 8, detractors 2 → 100 × 6/11 = 54.5454…
    row = pulssi(db, OCT, None, None, None, "enps")
    assert row["respondents"] == 11
    assert row["enps"] == approx(600 / 11)


def test_pulssi_participation_counts_a_person_with_two_posts_once_above_station_level(db: Path) -> None:
    # P1: 6 responses / 7 people; P2: 5 / 5.
    assert pulssi(db, OCT, "Vihti", "P1", None, "enps")["participation_rate"] == approx(6 / 7)
    assert pulssi(db, OCT, "Vihti", "P2", None, "enps")["participation_rate"] == approx(1.0)
    # Vihti and the region: 11 responses / 11 distinct people (hx once), not 11 / 12.
    assert pulssi(db, OCT, "Vihti", None, None, "enps")["participation_rate"] == approx(1.0)
    assert pulssi(db, OCT, None, None, None, "hallinta")["participation_rate"] == approx(1.0)


def test_pulssi_primary_suppression(db: Path) -> None:
    # November, P1: 4 respondents < 5: no scores, suppressed; respondents and participation (4/6) stay visible.
    for question in ("hallinta", "enps"):
        row = pulssi(db, NOV, "Vihti", "P1", None, question)
        assert row["suppressed"] is True
        assert (row["mean_score"], row["favourable_share"], row["enps"]) == (None, None, None)
        assert row["respondents"] == 4
        assert row["participation_rate"] == approx(4 / 6)


def test_pulssi_secondary_suppression(db: Path) -> None:
    # December: P2 has 3 respondents (hidden). Vihti (9) is shown, so P1 (6 ≥ 5) would give P2 away by
    # subtraction: P1 is hidden too, and so are their role groups. Vihti stays shown: mean
    # (5+5+4+4+3+3 + 1+1+2)/9 = 28/9.
    p1 = pulssi(db, DEC, "Vihti", "P1", None, "hallinta")
    assert p1["respondents"] == 6
    assert p1["suppressed"] is True and p1["mean_score"] is None
    p1_group = pulssi(db, DEC, "Vihti", "P1", "kliiniset", "hallinta")
    assert p1_group["suppressed"] is True and p1_group["mean_score"] is None
    assert pulssi(db, DEC, "Vihti", "P2", None, "hallinta")["suppressed"] is True
    vihti = pulssi(db, DEC, "Vihti", None, None, "hallinta")
    assert vihti["suppressed"] is False
    assert vihti["mean_score"] == approx(28 / 9)


def test_no_shown_pulssi_parent_lets_a_small_group_be_recovered(db: Path) -> None:
    """The privacy rule itself, over every month and question: hidden children of a shown parent are 0 or ≥ k."""
    rows = query(db, "SELECT month, question_id, municipality, station_id, role_group, respondents, suppressed "
                     "FROM mart_pulssi")
    nodes = {(r[0], r[1], r[2], r[3], r[4]): (r[5], r[6]) for r in rows}
    for (month, q, mun, st, grp), (_, hidden) in nodes.items():
        if hidden:
            continue
        geo = [v for (m2, q2, mun2, st2, g2), v in nodes.items() if (m2, q2, g2) == (month, q, grp) and (
            (mun is None and st is None and mun2 is not None and st2 is None)
            or (mun is not None and st is None and mun2 == mun and st2 is not None))]
        roles = [v for (m2, q2, mun2, st2, g2), v in nodes.items()
                 if (m2, q2, mun2, st2) == (month, q, mun, st) and grp is None and g2 is not None]
        for children in (geo, roles):
            small = sum(n for n, h in children if h)
            assert small == 0 or small >= 5, (month, q, mun, st, grp, children)


# ---------------------------------------------------------------------------------------------------------------
# Rollout
# ---------------------------------------------------------------------------------------------------------------


def test_rollout_status_relative_to_today(db: Path) -> None:
    status = dict(query(db, "SELECT station_id, status FROM mart_rollout WHERE station_id LIKE 'R%'"))
    assert status == {
        "R1": "käytössä",       # went live 10 days ago
        "R2": "käytössä",       # goes live today: on or before today
        "R3": "viivästynyt",    # planned yesterday, not live
        "R4": "suunniteltu",    # planned in 30 days
        "R6": "ei aloitettu",   # no dates
        "R8": "viivästynyt",    # planned 5 days ago; the go-live date is still ahead, so not live
    }


def test_open_questions_per_station(db: Path) -> None:
    # R1: two `avoin` and one `ratkaistu` → 2; R3: only a resolved one → 0. The station-less open question
    # counts for the region only, so no station carries it: Σ over stations = 2, not 3.
    open_q = dict(query(db, "SELECT station_id, open_questions FROM mart_rollout"))
    assert open_q["R1"] == 2
    assert open_q["R3"] == 0
    assert open_q["S1"] == 0
    assert sum(open_q.values()) == 2
