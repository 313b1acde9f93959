"""A large Pulssi CSV file (200 000 responses × 7 questions) loads completely."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

from etl_helpers import load_ok, query  # noqa: E402

from etl.load import InputFile, load  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

ROWS = 200_000
QUESTIONS = [f"q{i}" for i in range(1, 7)]
ROLES = ["toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "laakari", "lahihoitaja", "esihenkilo"]


def pulssi_csv(path: Path, rows: int, seed: int = 7) -> int:
    """A `;`-separated Pulssi file over 12 months and 20 stations; returns the number of answers it holds."""
    rnd = random.Random(seed)
    lines = [";".join(["kuukausi", "vastaus_id", "asema_id", "rooli", *QUESTIONS, "enps", "kommentti"])]
    answers = 0
    for i in range(rows):
        scores = [str(rnd.randint(1, 5)) if rnd.random() > 0.05 else "" for _ in QUESTIONS]
        enps = str(rnd.randint(0, 10))
        answers += sum(1 for s in scores if s) + 1
        comment = '"Hyvä; kiitos"' if i % 97 == 0 else ""
        role = ROLES[i % len(ROLES)]
        lines.append(f"{i % 12 + 1}/2025;v{i};S{i % 20:02d};{role};{';'.join(scores)};{enps};{comment}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return answers


def test_a_large_pulssi_csv_loads_completely(tmp_path: Path) -> None:
    """200 000 responses load whole; the speed is measured in bench/, never asserted in a test."""
    db = tmp_path / "wh" / "tyonjako.duckdb"
    load_ok(db, {
        "asemat.csv": [["asema_id", "nimi", "kunta"],
                       *[[f"S{i:02d}", f"Asema {i}", f"Kunta {i % 4}"] for i in range(20)]],
        "kysymykset.csv": [["kysymys_id", "teksti", "tyyppi", "asteikko_min", "asteikko_max"],
                           *[[q, f"Kysymys {q}", "likert", 1, 5] for q in QUESTIONS],
                           ["enps", "Suosittelu", "enps", 0, 10]],
    })
    path = tmp_path / "pulssi.csv"
    answers = pulssi_csv(path, ROWS)

    result = load([InputFile.from_path(path)], db=db)

    assert result.ok, result.problem_lines()[:5]
    assert result.files[0].outcome == "loaded"
    assert query(db, "SELECT count(*) FROM raw_pulssi") == [(ROWS,)]
    assert query(db, "SELECT count(*) FROM raw_pulssi_vastaukset") == [(answers,)]
