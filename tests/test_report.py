"""The monthly report (PDF): figures read back from the PDF equal the marts; privacy, scope, empty cases, Swedish.

The hand-checked month is April 2026 of tests/report_world.py. The PDF pages of a few reports are turned into PNGs
with `pdftoppm` into test-artifacts/report/ (git-ignored) to be looked at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

pytest.register_assert_rewrite("etl_helpers")

import report_world as w  # noqa: E402
from etl_helpers import cli_env, run_cli  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from dashboard import fmt, report  # noqa: E402
from dashboard.access import Scope  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "report"
EVERYONE = Scope("johto")
AAVA_MANAGER = Scope("esihenkilo", frozenset({"A2"}), "aava@example.fi")
APR = w.APR.first


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import set_env

    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        return w.build(tmp_path_factory.mktemp("world") / "tyonjako.duckdb")


def text_of(pdf: bytes) -> str:
    """The PDF's text, with no-break spaces as plain spaces and lines joined."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def save_pngs(pdf: bytes, name: str) -> list[Path]:
    """The PDF's pages as PNGs in test-artifacts/report/ (pdftoppm from Debian poppler-utils)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(source), str(ARTIFACTS / name)], check=True, timeout=120)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def one(db: Path, sql: str, params: list[object]) -> tuple:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql, params=params).fetchall()[0]


def row_of(text: str, label: str) -> str:
    """The line of the PDF text that starts with a label."""
    return next(line for line in text.splitlines() if line.startswith(label))


def test_figures_in_the_pdf_equal_the_marts(world: Path) -> None:
    pdf = report.pdf(world, EVERYONE, APR)
    text = text_of(pdf)
    assert "huhtikuu 2026 – Koko alue" in text
    # Workload: region ratio = Σ required / Σ capacity = 120 / 108.75, from mart_workload.
    required, capacity = one(world, "SELECT sum(required_hours_week), sum(capacity_hours_week) FROM mart_workload "
                                    "WHERE month = ?", [APR])
    assert (required, capacity) == pytest.approx((120, 3 * 36.25))
    assert f"Kuormitussuhde {plain(fmt.number(required / capacity, 2))}" in text  # 1,10
    alfa = one(world, "SELECT load_ratio FROM mart_workload WHERE month = ? AND station_id = 'A1'", [APR])[0]
    assert alfa == pytest.approx(45 / 36.25)
    assert "Alfa-asema (1,24)" in text and "Aava-asema (1,24)" in text  # the two stations above 1.1
    # Pulssi of the region: the index is the mean of the likert means (one question here), eNPS, participation.
    mean, participation = one(world, "SELECT mean_score, participation_rate FROM mart_pulssi WHERE month = ? "
                                     "AND municipality IS NULL AND station_id IS NULL AND role_group IS NULL "
                                     "AND question_id = 'hallinta'", [APR])
    assert mean == pytest.approx(61 / 17) and participation == pytest.approx(17 / 22)
    enps = one(world, "SELECT enps FROM mart_pulssi WHERE month = ? AND municipality IS NULL AND station_id IS NULL "
                      "AND role_group IS NULL AND question_id = 'enps'", [APR])[0]
    assert enps == pytest.approx(100 * 7 / 15)
    assert row_of(text, "Pulssi-indeksi (1–5)").split()[2] == "3,59"
    assert row_of(text, "Pulssiin vastanneet").split()[2:4] == ["77", "%"]
    assert row_of(text, "eNPS").split()[1] == "47"
    # Division of labour: each station's latest round by the end of April; clinician hours against the first round.
    assert row_of(text, "Toteutuma (sovittu rooli tekee)").endswith(plain(fmt.percent(115 / 120)))  # 95,8 %
    assert row_of(text, "Kliinikoiden sihteeritehtävät nyt").endswith("5,0 h/vko")
    assert row_of(text, "Ensimmäisellä kartoituskierroksella").endswith("10,0 h/vko")
    assert row_of(text, "Vapautunut kliinikoiden aikaa").endswith("5,0 h/vko")
    # Rollout and data note.
    assert "Aava-asema" in row_of(text, "Aava-asema") and "Sanelujen jono" in text
    assert "Henkilöstö toukokuu 2026" in text and "Pulssi huhtikuu 2026" in text
    # Huomiot at the top, before the month at a glance.
    assert text.index("Huomiot") < text.index("Kuukausi lyhyesti")
    assert "Beeta-asema: Pulssin vastausprosentti 50 %" in text


def test_a_suppressed_group_is_shown_as_suppressed(world: Path) -> None:
    # Alfa's eNPS group in April has 4 respondents: its score (−100) is hidden in the mart and in the report.
    assert one(world, "SELECT suppressed, enps FROM mart_pulssi WHERE month = ? AND station_id = 'A1' "
                      "AND role_group IS NULL AND question_id = 'enps'", [APR]) == (True, None)
    text = text_of(report.pdf(world, EVERYONE, APR, report.Unit(station_id="A1")))
    # The question's row (its note wraps to a line of its own): hidden value, respondents still shown.
    enps_row = text[text.index("Suosittelisitko työpaikkaasi?"):text.index("Edelliset 3 kk:")]
    assert enps_row.splitlines()[-1].split() == ["piilotettu", "100", "4"]
    assert "−100" not in text and "-100" not in text
    assert "alle 5 vastaajaa" in text


def test_a_station_managers_report_holds_no_other_stations_detail(world: Path) -> None:
    pdf = report.pdf(world, AAVA_MANAGER, APR)
    text = text_of(pdf)
    assert "Aava-asema" in text
    for other in ("Alfa-asema", "Beeta-asema", "Alfastationen", "Betastationen", "Sanelujen jono",
                  "Laskutuksen vastuu"):
        assert other not in text
    # The totals every user may see are there: the region's load ratio and Pulssi.
    assert "Kuormitussuhde 1,10" in text and row_of(text, "Pulssi-indeksi (1–5)").split()[2] == "3,59"
    assert "esihenkilön näkymä" in text
    with pytest.raises(PermissionError):
        report.pdf(world, AAVA_MANAGER, APR, report.Unit(station_id="A1"))


def test_report_for_the_empty_warehouse(empty_db: Path) -> None:
    pdf = report.pdf(empty_db, EVERYONE, None)
    text = text_of(pdf)
    assert "Varastossa ei ole vielä henkilöstö- eikä Pulssi-tietoja" in text
    assert "Tietosuoja" in text
    save_pngs(pdf, "tyhja")


def test_report_for_a_month_with_no_pulssi(world: Path) -> None:
    text = text_of(report.pdf(world, EVERYONE, w.MAY.first))
    assert "Tälle kuukaudelle ei ole Pulssi-vastauksia" in text
    assert "toukokuu 2026" in text and "Kuormitussuhde" in text
    assert not re.search(r"Pulssi-indeksi \(1–5\) \S*\d", text)  # no figure of the month, only its trend


def test_a_month_without_data_says_so(world: Path) -> None:
    text = text_of(report.pdf(world, EVERYONE, w.Month(2025, 6).first))
    assert "Valitulle kuukaudelle ei ole henkilöstö- eikä Pulssi-tietoja" in text


def test_swedish_report_has_no_finnish_ui_text(world: Path) -> None:
    text = text_of(report.pdf(world, EVERYONE, APR, lang="sv"))
    assert "Månadsrapport" in text and "april 2026 – Hela området" in text
    assert "Att observera" in text and "Belastningsgrad" in text and "%-enh." in text
    for finnish in ("Koko alue", "Kuukausi", "huhtikuu", "%-yks.", "h/vko", "piilotettu", "Huomiot", "Työkuorma",
                    "Lähtötaso", "Tavoite"):
        assert finnish not in text, finnish


def test_report_on_the_demo_data_and_its_pages_as_png(demo_db: Path) -> None:
    months = [m for (m,) in duckdb.connect(str(demo_db), read_only=True).sql(
        "SELECT DISTINCT month FROM mart_workload ORDER BY month").fetchall()]
    fi = report.pdf(demo_db, EVERYONE, months[-1])
    sv = report.pdf(demo_db, EVERYONE, months[-1], lang="sv")
    manager = report.pdf(demo_db, Scope("esihenkilo", frozenset({"ESP-ISO"}), "x@example.fi"), months[-1])
    assert 3 <= pages_of(fi) <= 6 and 3 <= pages_of(sv) <= 6
    assert shutil.which("pdftoppm"), "pdftoppm is missing: apt-get install -y poppler-utils (scripts/browser.sh)"
    for pdf, name in ((fi, "demo_fi"), (sv, "demo_sv"), (manager, "demo_esihenkilo")):
        pngs = save_pngs(pdf, name)
        assert len(pngs) == pages_of(pdf)
        assert all(p.stat().st_size > 10_000 for p in pngs)  # a drawn page, not a blank one


def test_the_command_line_writes_the_report(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "raportti.pdf"
    proc = run_cli("report", "--month", "2026-04", "--unit", "Mäntylä", "--lang", "fi", "--out", str(out),
                   "--db", str(world), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = text_of(out.read_bytes())
    assert "huhtikuu 2026 – Mäntylä" in text
    # Nummi's station is outside the unit: not in the workload, labour or rollout sections.
    assert "Beeta-asema" not in text
    bad = run_cli("report", "--month", "2026-13", "--out", str(tmp_path / "x.pdf"), "--db", str(world), cwd=tmp_path)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stdout
    unknown = run_cli("report", "--month", "2026-04", "--unit", "Atlantis", "--out", str(tmp_path / "y.pdf"),
                      "--db", str(world), cwd=tmp_path)
    assert unknown.returncode == 2 and "Atlantis" in unknown.stdout
    assert not (tmp_path / "y.pdf").exists()


def test_station_names_in_the_pdf_are_text_not_markup(world: Path) -> None:
    # A value with Typst markup characters must come out as written.
    content = report.build(world, EVERYONE, APR)
    content["unit"] = "#strong[x] *y* $z$ <a> @b"
    text = text_of(report.compile_pdf(content))
    assert "#strong[x] *y* $z$ <a> @b" in re.sub(r"\s+", " ", text)


def test_the_command_line_uses_a_users_scope(world: Path, tmp_path: Path, etl_config: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(etl_config, config)
    (config / "access.toml").write_text(
        '[[kayttajat]]\nemail = "aava@example.fi"\nrooli = "esihenkilo"\nasemat = ["A2"]\n', encoding="utf-8")
    env = cli_env(TYONJAKO_CONFIG_DIR=str(config))
    out = tmp_path / "oma.pdf"
    proc = run_cli("report", "--month", "2026-04", "--user", "Aava@example.fi", "--out", str(out), "--db", str(world),
                   cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = text_of(out.read_bytes())
    assert "Aava-asema" in text and "Alfa-asema" not in text and "Beeta-asema" not in text
    other = run_cli("report", "--month", "2026-04", "--user", "aava@example.fi", "--unit", "A1",
                    "--out", str(tmp_path / "x.pdf"), "--db", str(world), cwd=tmp_path, env=env)
    assert other.returncode == 2 and not (tmp_path / "x.pdf").exists()
    stranger = run_cli("report", "--month", "2026-04", "--user", "nobody@example.fi", "--out", str(tmp_path / "y.pdf"),
                       "--db", str(world), cwd=tmp_path, env=env)
    assert stranger.returncode == 2 and "nobody@example.fi" in stranger.stdout


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_text_of_the_template_exists(lang: str) -> None:
    from dashboard.report import data

    texts = data._static_texts(lang)  # noqa: SLF001 - the template's fixed texts
    assert [key for key, text in texts.items() if text == f"raportti.l.{key}"] == []
