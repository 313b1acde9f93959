"""Huomiot: each rule fires and does not fire on a small hand-made warehouse (tests/report_world.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

import report_world as w  # noqa: E402

from dashboard import attention  # noqa: E402
from dashboard.access import Scope  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

EVERYONE = Scope("johto")
ALFA_MANAGER = Scope("esihenkilo", frozenset({"A1"}), "alfa@example.fi")
AAVA_MANAGER = Scope("esihenkilo", frozenset({"A2"}), "aava@example.fi")
APR = w.APR.first


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import set_env

    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        return w.build(tmp_path_factory.mktemp("world") / "tyonjako.duckdb")


def by_unit(items: list[attention.Item]) -> dict[str, attention.Item]:
    return {i.unit: i for i in items}


def test_overload_fires_for_two_months_running_only(world: Path) -> None:
    found = attention.overload(world, EVERYONE, APR)
    # Alfa: 45 / 36.25 in March and April. Aava: over only in April (the round of 1.4.2026). Beeta: 30 / 36.25.
    assert [i.unit for i in found] == ["Alfa-asema"]
    assert found[0].value == pytest.approx(45 / 36.25)
    assert found[0].reference == pytest.approx(45 / 36.25)
    assert found[0].month == APR
    assert "Alfa-asema" in attention.describe(found[0]) and "1,24" in attention.describe(found[0])


def test_overload_in_the_first_month_has_no_month_before(world: Path) -> None:
    assert attention.overload(world, EVERYONE, w.JAN.first) == []


def test_pulssi_drop_fires_at_the_limit_and_not_below(world: Path) -> None:
    found = attention.pulssi_drops(world, EVERYONE, APR)
    units = sorted((i.unit, i.extra["question"]) for i in found)
    # Alfa hallinta 4.0 → 3.0; region hallinta 4.0 → 61/17; region eNPS 100 → 100·(11 − 4)/15.
    # Beeta falls 0.2 (limit 0.3); Aava does not fall; Alfa's and Aava's eNPS groups are suppressed.
    assert units == [("Alfa-asema", "Voin vaikuttaa työhöni"), ("Koko alue", "Suosittelisitko työpaikkaasi?"),
                     ("Koko alue", "Voin vaikuttaa työhöni")]
    region = {i.extra["question"]: i for i in found if i.unit == "Koko alue"}
    assert region["Voin vaikuttaa työhöni"].value == pytest.approx(61 / 17)
    assert region["Voin vaikuttaa työhöni"].reference == pytest.approx(4.0)
    assert region["Suosittelisitko työpaikkaasi?"].value == pytest.approx(100 * 7 / 15)


def test_pulssi_drop_limit_is_configurable(world: Path) -> None:
    strict = attention.Rules(pulssi_drop=0.2)
    units = {i.unit for i in attention.pulssi_drops(world, EVERYONE, APR, cfg=strict)}
    assert "Beeta-asema" in units  # 4.0 → 3.8 is a fall of 0.2
    lax = attention.Rules(pulssi_drop=1.5, enps_drop=60)
    assert attention.pulssi_drops(world, EVERYONE, APR, cfg=lax) == []


def test_a_suppressed_group_never_makes_an_item(world: Path) -> None:
    # Alfa's eNPS in April would be −100 (from 100): its group of 4 is hidden, so no item may tell of it.
    for scope in (EVERYONE, ALFA_MANAGER):
        found = attention.items(world, scope, APR)
        assert not [i for i in found if i.unit in ("Alfa-asema", "Aava-asema") and i.extra.get("enps")]
        assert "−100" not in " ".join(attention.describe(i) for i in found)


def test_pulssi_drop_needs_three_earlier_months(world: Path) -> None:
    assert attention.pulssi_drops(world, EVERYONE, w.MAR.first) == []


def test_participation_under_60_percent(world: Path) -> None:
    found = by_unit(attention.low_participation(world, EVERYONE, APR))
    assert set(found) == {"Beeta-asema"}  # 5 / 10; Alfa and Aava 6 / 6; region 17 / 22
    assert found["Beeta-asema"].value == pytest.approx(0.5)
    assert "50 %" in attention.describe(found["Beeta-asema"]).replace("\u00a0", " ")
    assert attention.low_participation(world, EVERYONE, APR, cfg=attention.Rules(participation_min=0.45)) == []


def test_late_go_live(world: Path) -> None:
    found = attention.late_go_lives(world, EVERYONE, APR)
    assert [i.unit for i in found] == ["Aava-asema"]  # Alfa is live, Beeta is planned ahead
    assert found[0].value == 10


def test_question_open_more_than_60_days(world: Path) -> None:
    found = attention.old_questions(world, EVERYONE, APR)
    assert [(i.unit, i.extra["topic"]) for i in found] == [("Alfa-asema", "Sanelujen jono")]  # Beeta's: 50 days
    assert attention.old_questions(world, EVERYONE, APR, cfg=attention.Rules(question_open_days=40)) != found


def test_a_source_not_loaded_for_the_latest_month(world: Path) -> None:
    found = attention.missing_sources(world, EVERYONE, APR)
    # Staffing reaches May 2026, Pulssi only April.
    assert [i.unit for i in found] == ["Pulssi"]
    assert found[0].month == w.MAY.first
    assert "huhtikuu 2026" in attention.describe(found[0]) and "toukokuu 2026" in attention.describe(found[0])


def test_a_station_manager_gets_items_only_for_their_own_stations(world: Path) -> None:
    everyone = {i.unit for i in attention.items(world, EVERYONE, APR)}
    assert {"Alfa-asema", "Aava-asema", "Beeta-asema", "Koko alue"} <= everyone
    aava = {i.unit for i in attention.items(world, AAVA_MANAGER, APR)}
    assert "Aava-asema" in aava and "Koko alue" in aava
    assert not aava & {"Alfa-asema", "Beeta-asema"}
    with pytest.raises(PermissionError):
        attention.items(world, AAVA_MANAGER, APR, station_id="A1")


def test_items_of_a_municipality(world: Path) -> None:
    found = attention.items(world, EVERYONE, APR, municipality="Nummi")
    assert {i.unit for i in found} <= {"Nummi", "Beeta-asema", "Pulssi"}
    assert any(i.rule == "participation" and i.unit == "Nummi" for i in found)


def test_items_in_swedish(world: Path) -> None:
    found = attention.items(world, EVERYONE, APR, lang="sv")
    texts = " ".join(attention.describe(i, "sv") for i in found)
    assert "Alfastationen" in texts and "Hela området" in texts and "april 2026" in texts
    assert "Koko alue" not in texts and "huhtikuu" not in texts
