"""Privacy: primary and secondary suppression of small groups (data contract, "Privacy rules").

Two levels of checks:
* the rule the contract states: no shown group has fewer than k people, and under every shown parent the
  suppressed children of one hierarchy total either 0 or at least k people;
* the promise the rule is meant to keep: nothing shown lets a reader recover the figure of a group of 1..k−1
  people by adding or subtracting shown figures. Scores are sums divided by the visible `respondents`
  (sick-leave rates: Σ fte × sick days over the visible fte × working days), so a group is recoverable exactly
  when its vector of finest cells lies in the linear span of the shown groups' vectors.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.settings import PROJECT_ROOT, ConfigError
from core.settings import settings as warehouse_settings
from dashboard import queries
from dashboard.access import Scope
from etl.load import InputFile, load
from warehouse import db as wdb
from warehouse.suppression import hierarchies, suppress

Node = tuple[str | None, str | None, str | None]
ROLE_GROUPS = ("kliiniset", "muut", "sihteerit")
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
SMALL_STATION = "ALF-A"  # 4 respondents, 4 staff: the group that must stay hidden
SMALL_MEAN = 1.0  # every ALF-A respondent answers 1 on the likert question (everyone else answers 3..5)
SMALL_ENPS = -100.0  # and 0 on the eNPS question (everyone else answers 7..10)


# --- an independent statement of the hierarchies and of the checks --------------------------------------


def expected_links(nodes: Iterable[Node]) -> list[tuple[Node, frozenset[Node]]]:
    """Parent → children of every hierarchy the marts hold, written from the contract (not from suppression.py).

    For each role group and for all roles: region → municipalities → stations; for each unit: all roles → groups.
    """
    nodes = set(nodes)
    links: dict[tuple[Node, str], set[Node]] = defaultdict(set)
    for mun, stn, grp in nodes:
        if stn is not None and (mun, None, grp) in nodes:
            links[((mun, None, grp), "geo")].add((mun, stn, grp))
        if stn is None and mun is not None and (None, None, grp) in nodes:
            links[((None, None, grp), "geo")].add((mun, stn, grp))
        if grp is not None and (mun, stn, None) in nodes:
            links[((mun, stn, None), "roles")].add((mun, stn, grp))
    return [(parent, frozenset(kids)) for (parent, _), kids in links.items()]


def rule_violations(people: dict[Node, int], hidden: dict[Node, bool], k: int) -> list[str]:
    """Breaches of the contract's rule: shown groups below k, and shown parents with 1..k−1 hidden people below."""
    out = [f"{n} shown with {c} < {k} people" for n, c in people.items() if not hidden[n] and c < k]
    for parent, kids in expected_links(people):
        if hidden[parent]:
            continue
        total = sum(people[c] for c in kids if hidden[c])
        if 0 < total < k:
            out.append(f"{parent} shown, its hidden children {sorted(c for c in kids if hidden[c])} hold {total}")
    return out


def _covers(node: Node, leaf: Node) -> bool:
    return all(part is None or part == value for part, value in zip(node, leaf, strict=True))


def recoverable_small_groups(people: dict[Node, int], shown: set[Node], k: int) -> list[tuple[Node, int]]:
    """Groups of 1..k−1 people whose total a reader can compute from the shown groups' totals.

    `people` is the whole partition (every group that exists, shown or not, with its visible head count);
    `shown` the groups whose score the reader sees. Finest cells with 0 people are known to hold nothing.
    """
    leaves = sorted((n for n in people if n[1] is not None and n[2] is not None), key=str)
    index = {leaf: i for i, leaf in enumerate(leaves)}

    def vector(node: Node) -> np.ndarray:
        v = np.zeros(len(leaves))
        for leaf in leaves:
            if _covers(node, leaf):
                v[index[leaf]] = 1.0
        return v

    known = [vector(n) for n in shown] + [vector(leaf) for leaf in leaves if people[leaf] == 0]
    if not known or not leaves:
        return []
    base = np.vstack(known)
    rank = np.linalg.matrix_rank(base)
    out = []
    for node, count in sorted(people.items(), key=str):
        if node in shown or not 0 < count < k:
            continue
        if np.linalg.matrix_rank(np.vstack([base, vector(node)])) == rank:
            out.append((node, count))
    return out


def aggregate(cells: dict[Node, int]) -> dict[Node, int]:
    """People of every group of the six grouping sets, from the finest cells (station × role group)."""
    out: dict[Node, int] = defaultdict(int)
    for (mun, stn, grp), n in cells.items():
        for node in ((mun, stn, grp), (mun, stn, None), (mun, None, grp), (mun, None, None), (None, None, grp),
                     (None, None, None)):
            out[node] += n
    return dict(out)


@st.composite
def group_structures(draw: st.DrawFn) -> tuple[dict[Node, int], int]:
    """Random municipalities (1..3), stations (1..3 each), role groups present, people 0..30, k 3..7."""
    k = draw(st.integers(3, 7))
    cells: dict[Node, int] = {}
    for m in range(draw(st.integers(1, 3))):
        mun = draw(st.sampled_from(["Espoo", "Lohja", "Vihti", "Inkoo", "Hanko"]).filter(
            lambda name, m=m: name not in {c[0] for c in cells}))
        for s in range(draw(st.integers(1, 3))):
            groups = draw(st.lists(st.sampled_from(ROLE_GROUPS), min_size=1, max_size=3, unique=True))
            for grp in groups:
                cells[(mun, f"{mun[:3].upper()}-{s}", grp)] = draw(st.integers(0, 30))
    return aggregate(cells), k


# Regression cases for the recoverability property; both come from real warehouses (see the tests below).
# KIR: a municipality with stations of 4, 14 (13 clinical + 1 secretary) and 6 (all clinical) respondents, as in
# the demo warehouse's Kirkkonummi in 11/2024: the 6-station is hidden to protect the 4-station, but its only
# role-group cell (the same 6 people) stays shown, so municipality − 14-station − that cell = the 4 people.
KIR_CASE = aggregate({
    ("Kirkkonummi", "KIR-KES", "kliiniset"): 13, ("Kirkkonummi", "KIR-KES", "sihteerit"): 1,
    ("Kirkkonummi", "KIR-MAS", "kliiniset"): 6, ("Kirkkonummi", "KIR-VEI", "kliiniset"): 4,
    ("Espoo", "ESP-LEP", "kliiniset"): 30, ("Espoo", "ESP-LEP", "sihteerit"): 10,
})
# BET: a 9-person station of 6 clinicians and 3 secretaries next to a station of 10 + 5: the 6 clinicians are
# hidden to protect the 3 secretaries, but they are the only hidden cell under the shown clinicians' municipality
# total, so municipality clinicians − 10 = 6, and station − 6 = the 3 secretaries.
BET_CASE = aggregate({
    ("Beta", "BET-C", "kliiniset"): 10, ("Beta", "BET-C", "sihteerit"): 5,
    ("Beta", "BET-D", "kliiniset"): 6, ("Beta", "BET-D", "sihteerit"): 3,
})

# LOH: left after suppress() learnt to treat figures that follow from one link as shown (demo data, Lohja 12/2024):
# two links with two unknowns each. Lohja (34) − Lohja kliiniset (28) = Lohja muut + Lohja sihteerit (6 people);
# LOH-LOH (24) − its kliiniset (19) = its muut + its sihteerit (5); Lohja muut = LOH-LOH muut (LOH-KLO's muut
# cell is 0), so the difference is Lohja sihteerit − LOH-LOH sihteerit = LOH-SAM's 1 secretary.
LOH_CASE = aggregate({
    ("Lohja", "LOH-KLO", "kliiniset"): 4, ("Lohja", "LOH-KLO", "muut"): 0, ("Lohja", "LOH-LOH", "kliiniset"): 19,
    ("Lohja", "LOH-LOH", "muut"): 3, ("Lohja", "LOH-LOH", "sihteerit"): 2, ("Lohja", "LOH-SAM", "kliiniset"): 2,
    ("Lohja", "LOH-SAM", "sihteerit"): 1,
})


# --- property tests of warehouse.suppression.suppress ---------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(group_structures())
def test_suppress_keeps_the_contract_rule(structure: tuple[dict[Node, int], int]) -> None:
    people, k = structure
    hidden = suppress(people, k)
    assert set(hidden) == set(people)
    assert rule_violations(people, hidden, k) == []


@PROPERTY_SETTINGS
@given(group_structures())
def test_suppress_is_a_deterministic_fixpoint(structure: tuple[dict[Node, int], int]) -> None:
    people, k = structure
    hidden = suppress(people, k)
    # Deterministic: the same answer for the same groups in any order.
    items = list(people.items())
    random.Random(len(items)).shuffle(items)
    assert suppress(dict(items), k) == hidden
    assert suppress(dict(reversed(items)), k) == hidden
    # Fixpoint: a further round of the rule (primary, then every hierarchy) would change nothing.
    again = dict(hidden)
    for node, n in people.items():
        again[node] = again[node] or n < k
    for parent, kids in expected_links(people):
        total = sum(people[c] for c in kids if again[c])
        if not again[parent] and 0 < total < k:
            again[parent] = True
    assert again == hidden
    # Nothing is hidden when no group is small.
    if min(people.values()) >= k:
        assert not any(hidden.values())


@PROPERTY_SETTINGS
@given(group_structures())
def test_hierarchies_are_the_contracts(structure: tuple[dict[Node, int], int]) -> None:
    people, _ = structure
    got = Counter((parent, frozenset(kids)) for parent, kids in hierarchies(people))
    assert got == Counter(expected_links(people))


@pytest.mark.parametrize("case", [KIR_CASE, BET_CASE], ids=["KIR", "BET"])
def test_secondary_suppressions_cannot_be_worked_back(case: dict[Node, int]) -> None:
    hidden = suppress(case, 5)
    assert recoverable_small_groups(case, {n for n, h in hidden.items() if not h}, 5) == []


@PROPERTY_SETTINGS
@example((LOH_CASE, 5))
@given(group_structures())
def test_no_small_group_can_be_recovered_by_adding_and_subtracting(structure: tuple[dict[Node, int], int]) -> None:
    people, k = structure
    hidden = suppress(people, k)
    shown = {n for n, h in hidden.items() if not h}
    assert recoverable_small_groups(people, shown, k) == []


def test_suppress_hand_made_four_in_two_stations() -> None:
    # A station of 4 in a municipality of two stations: the 4 alone would be municipality − other station.
    people = aggregate({("Alfa", "ALF-A", "kliiniset"): 4, ("Alfa", "ALF-B", "kliiniset"): 12,
                        ("Beta", "BET-C", "kliiniset"): 20})
    hidden = suppress(people, 5)
    assert hidden[("Alfa", "ALF-A", None)]
    assert hidden[("Alfa", "ALF-B", None)] or hidden[("Alfa", None, None)]
    assert hidden[("Alfa", "ALF-B", "kliiniset")] or hidden[("Alfa", None, "kliiniset")]
    assert rule_violations(people, hidden, 5) == []
    assert recoverable_small_groups(people, {n for n, h in hidden.items() if not h}, 5) == []


# --- a real warehouse from hand-written files ------------------------------------------------------------

ASEMAT = """asema_id;nimi;kunta;aalto;kayttoonotto
ALF-A;Alfan asema;Alfa;1;1.1.2025
ALF-B;Beetan asema;Alfa;1;1.1.2025
BET-C;Ceen asema;Beta;2;
BET-D;Deen asema;Beta;2;
"""
KYSYMYKSET = """kysymys_id;teksti;tyyppi;asteikko_min;asteikko_max
tyytyvaisyys;Olen tyytyväinen työnjakoon.;likert;1;5
enps;Suosittelisitko työpaikkaasi?;enps;0;10
"""
# station → [(role, people)], the same in the staffing and the survey
STAFF = {
    "ALF-A": [("sairaanhoitaja", 4)],
    "ALF-B": [("sairaanhoitaja", 7), ("toimistosihteeri", 3)],
    "BET-C": [("laakari", 10), ("toimistosihteeri", 5)],
    "BET-D": [("lahihoitaja", 6), ("toimistosihteeri", 3)],
}
COMMENTED = {"ALF-A": "Alfan pieni ryhmä", "ALF-B": "Beetan palaute", "BET-D": "Deen palaute"}


def _henkilosto(staff: dict[str, list[tuple[str, int]]], months: Iterable[date]) -> str:
    lines = ["kuukausi;henkilo_id;asema_id;rooli;tyoaikaprosentti;palvelussuhde;sairauspoissaolo_pv"]
    for month in months:
        number = 31000000
        for station, roles in staff.items():
            for role, n in roles:
                for _ in range(n):
                    number += 1
                    lines.append(f"{month:%Y-%m};{number};{station};{role};100;vakinainen;{(number + month.month) % 4}")
    return "\n".join(lines) + "\n"


def _pulssi(staff: dict[str, list[tuple[str, int]]], months: Iterable[date]) -> str:
    lines = ["kuukausi;vastaus_id;asema_id;rooli;tyytyvaisyys;enps;kommentti"]
    for month in months:
        n = 0
        for station, roles in staff.items():
            for role, people in roles:
                for _ in range(people):
                    n += 1
                    small = station == SMALL_STATION
                    likert = 1 if small else 3 + n % 3
                    enps = 0 if small else 7 + n % 4
                    comment = f"{COMMENTED[station]} {n}" if station in COMMENTED else ""
                    lines.append(f"{month:%Y-%m};v{n};{station};{role};{likert};{enps};{comment}")
    return "\n".join(lines) + "\n"


def source_files(staff: dict[str, list[tuple[str, int]]] = STAFF,
                 months: tuple[date, ...] = (JAN, FEB)) -> list[InputFile]:
    """The four hand-written CSV files of a small warehouse."""
    return [
        InputFile("asemat.csv", ASEMAT.encode()),
        InputFile("kysymykset.csv", KYSYMYKSET.encode()),
        InputFile("henkilosto.csv", _henkilosto(staff, months).encode()),
        InputFile("pulssi.csv", _pulssi(staff, months).encode()),
    ]


def build_warehouse(path: Path, files: list[InputFile] | None = None) -> Path:
    result = load(files or source_files(), db=path)
    assert result.ok, result.problem_lines()
    return path


@pytest.fixture(scope="module")
def hand_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months; Alfa: ALF-A (4 people) and ALF-B (10); Beta: BET-C (15) and BET-D (9). k = 5 (project)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TYONJAKO_PSEUDONYM_KEY", "privacy-test-key")
        mp.delenv("TYONJAKO_CONFIG_DIR", raising=False)
        return build_warehouse(tmp_path_factory.mktemp("hand") / "w.duckdb")


JOHTO = Scope("johto", None, "johto@example.fi")
MANAGER_B = Scope("esihenkilo", frozenset({"ALF-B"}), "esihenkilo@example.fi")


def partitions(frame: pl.DataFrame, by: list[str], people: str, shown_col: str
               ) -> dict[tuple[object, ...], tuple[dict[Node, int], set[Node]]]:
    """Per partition (e.g. month × question): people of every group, and the groups whose figure is shown."""
    out: dict[tuple[object, ...], tuple[dict[Node, int], set[Node]]] = defaultdict(lambda: ({}, set()))
    for row in frame.iter_rows(named=True):
        node = (row["municipality"], row["station_id"], row["role_group"])
        groups, shown = out[tuple(row[c] for c in by)]
        groups[node] = int(row[people] or 0)
        if row[shown_col] is not None:
            shown.add(node)
    return dict(out)


def score_partitions(frame: pl.DataFrame) -> dict[tuple[object, ...], tuple[dict[Node, int], set[Node]]]:
    """Pulssi rows per month × question: respondents of every group, and the groups whose score is shown."""
    scored = frame.with_columns(pl.coalesce("mean_score", "enps").alias("score"))
    return partitions(scored, ["month", "question_id"], "respondents", "score")


def test_small_station_is_hidden_through_the_query_layer(hand_db: Path) -> None:
    k = warehouse_settings().k_anonymity
    assert k == 5
    for scope in (JOHTO, MANAGER_B):
        full = queries.pulssi(hand_db, scope)
        assert set(full["month"].unique().to_list()) == {JAN, FEB}
        assert set(full["question_id"].unique().to_list()) == {"tyytyvaisyys", "enps"}
        # Suppressed rows carry no score at all; rows without a score are flagged suppressed.
        hidden_rows = full.filter(pl.col("suppressed"))
        assert hidden_rows.select("mean_score", "favourable_share", "enps").null_count().row(0) == (
            hidden_rows.height,) * 3
        assert full.filter(~pl.col("suppressed") & pl.coalesce("mean_score", "enps").is_null()).is_empty()
    full = queries.pulssi(hand_db, JOHTO)
    for (month, question), (people, shown) in score_partitions(full).items():
        hidden = {n: n not in shown for n in people}
        small = ("Alfa", SMALL_STATION, None)
        assert people[small] == 4
        assert hidden[small], f"{month} {question}: the 4-respondent station is shown"
        # The other piece needed for the subtraction (the other station or the municipality) is hidden too.
        assert hidden[("Alfa", "ALF-B", None)] or hidden[("Alfa", None, None)], (month, question)
        assert rule_violations(people, hidden, k) == [], (month, question)


def test_small_groups_cannot_be_recovered_by_leadership(hand_db: Path) -> None:
    leaks = {}
    for part, (people, shown) in score_partitions(queries.pulssi(hand_db, JOHTO)).items():
        if found := recoverable_small_groups(people, shown, 5):
            leaks[part] = found
    assert leaks == {}


def test_small_station_cannot_be_recovered_by_the_neighbour_manager(hand_db: Path) -> None:
    full = score_partitions(queries.pulssi(hand_db, JOHTO))
    mine = queries.pulssi(hand_db, MANAGER_B)
    assert set(mine["station_id"].drop_nulls().to_list()) == {"ALF-B"}
    leaks = {}
    for part, (_, shown) in score_partitions(mine).items():
        if found := recoverable_small_groups(full[part][0], shown, 5):
            leaks[part] = found
    assert leaks == {}


def test_no_small_group_recoverable_in_the_demo_warehouse(demo_db: Path) -> None:
    leaks = {}
    for part, (people, shown) in score_partitions(queries.pulssi(demo_db, JOHTO)).items():
        if found := recoverable_small_groups(people, shown, 5):
            leaks[part] = found
    assert leaks == {}, f"{len(leaks)} month × question partitions leak, e.g. {next(iter(leaks.items()))}"


# --- sick leave ------------------------------------------------------------------------------------------


def _sick_leave_frame(db: Path, scope: Scope) -> pl.DataFrame:
    """Every sick-leave group the query layer gives, unit by unit."""
    stations = queries.station_choices(db, scope)
    units: list[tuple[str | None, str | None]] = [(None, None)]
    units += [(m, None) for m in sorted(set(queries.stations(db)["municipality"].to_list()))]
    units += [(None, s) for s in stations["station_id"].to_list()]
    frames = [
        queries.sick_leave(db, scope, municipality=m, station_id=s, role_group=g)
        for m, s in units for g in (None, *ROLE_GROUPS)
    ]
    return pl.concat(frames).unique(["month", "municipality", "station_id", "role_group"])


def test_sick_leave_rates_of_small_groups_are_hidden(hand_db: Path) -> None:
    sick = _sick_leave_frame(hand_db, JOHTO)
    assert sick.filter(pl.col("station_id") == SMALL_STATION)["headcount"].to_list() != []
    for month, (people, shown) in partitions(sick, ["month"], "headcount", "sick_leave_rate").items():
        hidden = {n: n not in shown for n in people}
        assert hidden[("Alfa", SMALL_STATION, None)], month
        assert rule_violations(people, hidden, 5) == [], month
    assert sick.filter(pl.col("suppressed") & pl.col("sick_leave_rate").is_not_null()).is_empty()
    # The workload mart and its query: the station-level rate of a station under k people is empty.
    work = queries.workload(hand_db, JOHTO)
    small = work.filter(pl.col("headcount") < 5)
    assert small["station_id"].unique().to_list() == [SMALL_STATION]
    assert small["sick_leave_rate"].null_count() == small.height
    assert small["sick_leave_suppressed"].all()


def test_sick_leave_mart_allows_no_recovery(hand_db: Path) -> None:
    with wdb.read(hand_db) as con:
        mart = con.sql("SELECT * FROM mart_sick_leave").pl()
    leaks = {}
    for month, (people, shown) in partitions(mart, ["month"], "headcount", "sick_leave_rate").items():
        if found := recoverable_small_groups(people, shown, 5):
            leaks[month] = found
    assert leaks == {}


def test_workload_rows_of_small_stations_do_not_reveal_sick_days(hand_db: Path) -> None:
    small = queries.workload(hand_db, JOHTO).filter(pl.col("headcount") < 5)
    assert not small.is_empty()
    for column in ("sick_days", "net_fte"):
        if column in small.columns:
            assert small[column].null_count() == small.height, f"{column} of a station under 5 people is shown"


# --- comments --------------------------------------------------------------------------------------------


def test_comments_need_ten_responses(hand_db: Path) -> None:
    # BET-D: 9 responses with comments → none shown; ALF-B: 10 responses with comments → shown.
    for month in (JAN, FEB):
        assert queries.comments(hand_db, JOHTO, month, station_id="BET-D").is_empty()
        assert queries.comments(hand_db, JOHTO, month, station_id=SMALL_STATION).is_empty()
        shown = queries.comments(hand_db, JOHTO, month, station_id="ALF-B")
        assert shown.height == 10
        assert shown.columns == ["comment"]  # no role, person or finer time
        assert all(c.startswith(COMMENTED["ALF-B"]) for c in shown["comment"].to_list())
    with wdb.read(hand_db) as con:
        assert con.sql("SELECT min(responses) FROM mart_pulssi_comments").fetchall()[0][0] >= 10
        columns = {r[0] for r in con.sql("DESCRIBE mart_pulssi_comments").fetchall()}
    assert not columns & {"role", "rooli", "role_group", "response_id", "vastaus_id", "person_key"}


def test_comments_of_a_small_station_cannot_be_singled_out_by_difference(hand_db: Path) -> None:
    stations = queries.stations(hand_db)
    isolated = []
    for month in (JAN, FEB):
        for mun in ("Alfa", "Beta"):
            total = Counter(queries.comments(hand_db, JOHTO, month, municipality=mun)["comment"].to_list())
            ids = stations.filter(pl.col("municipality") == mun)["station_id"].to_list()
            per_station = {s: queries.comments(hand_db, JOHTO, month, station_id=s) for s in ids}
            pulssi = queries.pulssi(hand_db, JOHTO).filter(
                (pl.col("month") == month) & pl.col("role_group").is_null() & pl.col("station_id").is_in(ids)
            )
            responses = dict(pulssi.group_by("station_id").agg(pl.col("responses").max()).rows())
            unpublished = [s for s in ids if responses.get(s, 0) < 10]
            rest = total - sum((Counter(per_station[s]["comment"].to_list()) for s in ids), Counter())
            if total and len(unpublished) == 1 and rest:
                isolated.append((month, mun, unpublished[0], sorted(rest)[:2]))
    assert isolated == []


# --- k is configurable, never below 3 --------------------------------------------------------------------


def _config_dir(path: Path, k: int) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    text = (PROJECT_ROOT / "config" / "asetukset.toml").read_text(encoding="utf-8")
    lines = [f"k_anonymity = {k}" if line.startswith("k_anonymity") else line for line in text.splitlines()]
    (path / "asetukset.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("tavoitteet.toml", "access.toml"):
        if (PROJECT_ROOT / "config" / name).exists():
            (path / name).write_text((PROJECT_ROOT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    return path


def test_k_three_suppresses_fewer_groups(tmp_path: Path, hand_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "privacy-test-key")
    monkeypatch.setenv("TYONJAKO_CONFIG_DIR", str(_config_dir(tmp_path / "config", 3)))
    assert warehouse_settings().k_anonymity == 3
    db3 = build_warehouse(tmp_path / "k3.duckdb")
    k5 = queries.pulssi(hand_db, JOHTO)
    k3 = queries.pulssi(db3, JOHTO)
    assert k3.height == k5.height
    assert k3["suppressed"].sum() < k5["suppressed"].sum()
    # Groups of 3 and 4 people may now be shown, groups under 3 never are.
    assert not k3.filter(~pl.col("suppressed") & pl.col("respondents").is_between(3, 4)).is_empty()
    assert k3.filter(~pl.col("suppressed") & (pl.col("respondents") < 3)).is_empty()
    for (month, question), (people, shown) in score_partitions(k3).items():
        assert rule_violations(people, {n: n not in shown for n in people}, 3) == [], (month, question)
    with wdb.read(db3) as con:
        assert con.sql("SELECT k_anonymity FROM ref_settings").fetchall()[0][0] == 3


def test_k_below_three_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "privacy-test-key")
    monkeypatch.setenv("TYONJAKO_CONFIG_DIR", str(_config_dir(tmp_path / "config", 2)))
    with pytest.raises(ConfigError, match="k_anonymity") as info:
        warehouse_settings()
    assert "asetukset.toml" in str(info.value)
    db = tmp_path / "k2.duckdb"
    with pytest.raises(ConfigError, match="k_anonymity"):
        load(source_files(months=(JAN,)), db=db)
    assert not db.exists() or not queries.warehouse_state(db)["ready"]


# --- the page (AppTest) ----------------------------------------------------------------------------------


def page_content(at) -> tuple[list[str], list[pl.DataFrame]]:  # noqa: ANN001 - streamlit AppTest
    """Every text on the page (sidebar included) and every table and chart dataset as a frame."""
    texts: list[str] = []
    tables: list[pl.DataFrame] = []

    def visit(node) -> None:  # noqa: ANN001
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if kind == "dataframe":
            frame = pl.from_pandas(node.value.reset_index(drop=True).astype(str))
            tables.append(frame)
            texts.append(frame.write_csv())
        elif kind in ("vega_lite_chart", "arrow_vega_lite_chart") and proto is not None:
            texts.append(proto.spec)
            for ds in proto.datasets:
                table = pa.ipc.open_stream(ds.data.data).read_all()
                frame = pl.from_arrow(table)
                tables.append(frame)  # type: ignore[arg-type]
                texts.append(frame.write_csv())  # type: ignore[union-attr]
        elif proto is not None and kind not in ("root", "main", "sidebar", "event"):
            with_children = getattr(node, "children", None)
            if not isinstance(with_children, dict) or not with_children:
                texts.append(text_format.MessageToString(proto, as_utf8=True))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                visit(child)

    visit(at._tree)  # noqa: SLF001 - AppTest has no public walk over every element
    return texts, tables


def _numbers(frame: pl.DataFrame, columns: Iterable[str]) -> list[float]:
    out: list[float] = []
    for column in columns:
        if column not in frame.columns:
            continue
        for value in frame[column].cast(pl.String).to_list():
            if value in (None, "", "None", "nan", "–"):
                continue
            try:
                out.append(float(str(value).replace("\u2212", "-").replace(",", ".").replace("\xa0", "")))
            except ValueError:
                continue
    return out


@pytest.fixture
def hand_app(make_app, hand_db: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    """The app on the hand-made warehouse (a loaded warehouse: intranet mode, no sign-in)."""
    monkeypatch.setenv("TYONJAKO_ALLOW_NO_AUTH", "1")
    return lambda **kw: make_app(hand_db, **kw)


def _assert_small_station_scores_absent(at, db: Path, *, scores_on_page: bool = True) -> None:  # noqa: ANN001
    """No table, chart dataset or metric of the page holds ALF-A's mean, eNPS or its difference from the region."""
    from dashboard.i18n import t

    assert not at.exception, [e.value for e in at.exception]
    _, tables = page_content(at)
    pulssi = queries.pulssi(db, JOHTO)
    region = pulssi.filter(pl.col("municipality").is_null() & pl.col("role_group").is_null()
                           & (pl.col("question_type") == "likert"))
    differences = {round(SMALL_MEAN - m, 2) for m in region["mean_score"].to_list()}
    mean_cols = ["mean_score", "value", "mark_text", "pulssi_index", t("pulssi.column.mean")]
    enps_cols = ["enps", "value", t("pulssi.column.enps")]
    diff_cols = ["difference", t("pulssi.column.difference")]
    means = {round(v, 2) for f in tables for v in _numbers(f, mean_cols)}
    enps = {v for f in tables for v in _numbers(f, enps_cols)}
    if scores_on_page:  # the page does show other groups' scores, so the checks below looked at them
        assert means and enps
    assert SMALL_MEAN not in means, "the suppressed mean of ALF-A is on the page"
    assert SMALL_ENPS not in enps, "ALF-A's eNPS is on the page"
    assert not differences & {round(v, 2) for f in tables for v in _numbers(f, diff_cols)}
    for metric in at.metric:
        assert metric.value.replace("\u2212", "-") not in ("1,00", "1,0", "-100"), (metric.label, metric.value)


@pytest.mark.skipif(not (PROJECT_ROOT / "pages" / "pulssi.py").exists(), reason="the Pulssi page is not written yet")
def test_pulssi_page_never_shows_the_suppressed_scores(hand_app, hand_db: Path) -> None:  # noqa: ANN001
    for state in ({"f_station": SMALL_STATION}, {"f_municipality": "Alfa"}):
        at = hand_app(page="pages/pulssi.py", role="johto", state=state)
        _assert_small_station_scores_absent(at, hand_db)
        if "f_station" in state:
            # The small station is the chosen unit, and the page says why its figures are missing.
            assert at.selectbox(key="f_station").value == SMALL_STATION
            assert "piilotettu" in "\n".join(page_content(at)[0])


def test_overview_page_never_shows_the_suppressed_scores(hand_app, hand_db: Path) -> None:  # noqa: ANN001
    at = hand_app(page="pages/yleiskuva.py", role="johto", state={"f_station": SMALL_STATION})
    assert at.selectbox(key="f_station").value == SMALL_STATION
    _assert_small_station_scores_absent(at, hand_db, scores_on_page=False)
    metrics = {m.label: m.value for m in at.metric}
    # ALF-A has 4 respondents and 4 staff: its Pulssi index and its sick-leave rate are both hidden.
    assert metrics.get("Pulssi-indeksi (1–5)") == "piilotettu", metrics
    assert metrics.get("Sairauspoissaolot") == "piilotettu", metrics
