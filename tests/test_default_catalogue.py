"""The default Pulssi catalogue that ships with the project loads with a first Pulssi file that has none."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load import InputFile, load

ASEMAT = "asema_id;nimi;kunta\nA1;Asema 1;Espoo\n"
PULSSI = "kuukausi;vastaus_id;asema_id;rooli;hallinta;enps\n2025-01;r1;A1;laakari;4;9\n"
OWN_CATALOGUE = (
    "kysymys_id;teksti;tyyppi;asteikko_min;asteikko_max\nhallinta;Hallinta;likert;1;5\nenps;Suositus;enps;0;10\n"
)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_PSEUDONYM_KEY", "test")


def _questions(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.sql("SELECT kysymys_id FROM raw_kysymykset ORDER BY 1").fetchall()]


def test_first_pulssi_without_catalogue_loads_the_default(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = load([InputFile("asemat.csv", ASEMAT.encode()), InputFile("pulssi.csv", PULSSI.encode())], db=db)
    assert result.ok, result.problem_lines()
    assert any(f.file_name.startswith("kysymykset.csv") and f.outcome == "loaded" for f in result.files)
    # The shipped catalogue: six likert questions of the product page and eNPS.
    assert _questions(db) == sorted(["enps", "esihenkilotuki", "hallinta", "jaksaminen", "kuormitus",
                                     "osaamisen_jakaminen", "tyonjako_selkeys"])


def test_a_catalogue_of_the_command_wins_over_the_default(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    files = [InputFile("asemat.csv", ASEMAT.encode()), InputFile("kysymykset.csv", OWN_CATALOGUE.encode()),
             InputFile("pulssi.csv", PULSSI.encode())]
    assert load(files, db=db).ok
    assert _questions(db) == ["enps", "hallinta"]
