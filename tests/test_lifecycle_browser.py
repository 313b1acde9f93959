"""The newcomer's path in a real browser: demo → a small county's own files through Tiedot → only real data;
then a CLI load while two browser sessions stay open: both show the new month on their next run.

The server runs on a copy of the demo warehouse with `TYONJAKO_ALLOW_NO_AUTH=1` (the operator's switch for a closed
intranet, which trusts its visitors to load files; without it demo mode offers only Tarkista). Screenshots go to
test-artifacts/screenshots/elinkaari_*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.register_assert_rewrite("etl_helpers")

from browser_support import chromium_browser_fixture, start_streamlit, stop_process  # noqa: E402, F401
from etl_helpers import Id, Month, all_text, cli_env, csv_bytes, query, run_cli  # noqa: E402
from test_browser_pages import (  # noqa: E402
    VIEWPORT,
    WAIT,
    choose,
    copy_warehouse,
    go_to,
    open_app,
    options_of,
    page_errors,
    press,
    screenshot,
    server_env,
    upload,
)

from dashboard import fmt  # noqa: E402

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

STATIONS = [("KUR01", "Kurjen terveysasema", "Kurki"), ("KUR02", "Kurjenmäen terveysasema", "Kurki"),
            ("KUR03", "Lammen terveysasema", "Lampi"), ("KUR04", "Rannan terveysasema", "Lampi"),
            ("KUR05", "Saaren terveysasema", "Saari")]
ROLES = ["toimistosihteeri", "terveyskeskusavustaja", "sairaanhoitaja", "laakari", "toimistosihteeri",
         "terveyskeskusavustaja"]
MONTHS = [Month(2025, 9), Month(2025, 10), Month(2025, 11)]
NEW_MONTH = Month(2025, 12)


def county_files(months: list[Month]) -> dict[str, bytes]:
    """A small county: five stations, six people each, staffing and Pulssi for the given months."""
    files: dict[str, list[list[Any]]] = {
        "asemat.csv": [["asema_id", "nimi", "kunta", "aalto", "suunniteltu_kayttoonotto", "kayttoonotto"]]
        + [[sid, name, town, 1 + i % 2, date(2025, 10, 1), date(2025, 10, 1) if i < 3 else None]
           for i, (sid, name, town) in enumerate(STATIONS)],
        "tehtavat.csv": [["tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli"],
                         ["K1", "Ajanvaraus", "Asiakaspalvelu", "terveyskeskusavustaja"],
                         ["K2", "Sanelut", "Kirjaaminen", "toimistosihteeri"]],
        "kartoitus.csv": [["kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa"]]
        + [[date(2025, 9, 5), sid, task, who, hours] for sid, _, _ in STATIONS
           for task, who, hours in (("K1", "terveyskeskusavustaja", 30), ("K2", "sairaanhoitaja", 6),
                                    ("K2", "toimistosihteeri", 40))],
    }
    for m in months:
        files[f"henkilosto_{m.year}_{m.month:02d}.csv"] = [
            ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv"]
        ] + [[m, Id(f"{7000 + 10 * s + p}"), sid, role, 100, "vakinainen", (s + p + m.month) % 3]
             for s, (sid, _, _) in enumerate(STATIONS) for p, role in enumerate(ROLES)]
        files[f"pulssi_{m.year}_{m.month:02d}.csv"] = [
            ["kuukausi", "vastaus_id", "asema_id", "rooli", "hallinta", "jaksaminen", "enps"]
        ] + [[m, f"{m.month}-{s}-{p}", sid, role, 1 + (s + p) % 5, 1 + (s * p + m.month) % 5, (s + 2 * p) % 11]
             for s, (sid, _, _) in enumerate(STATIONS) for p, role in enumerate(ROLES)]
    return {name: csv_bytes(rows) for name, rows in files.items()}


@pytest.fixture
def server(demo_db: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    db = copy_warehouse(demo_db, tmp_path / "data")
    con_origin = query(db, "SELECT value FROM meta WHERE key = 'data_origin'")
    if con_origin != [("demo",)]:  # copy_warehouse marks its copies as loaded data; this test starts from the demo
        import duckdb

        con = duckdb.connect(str(db))
        con.execute("UPDATE meta SET value = 'demo' WHERE key = 'data_origin'")
        con.close()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    url, proc = start_streamlit(server_env(db, tmp_path / "home"), cwd=cwd, timeout=90)
    try:
        yield url, db
    finally:
        stop_process(proc)


def test_newcomer_goes_from_the_demo_to_own_files_and_every_session_sees_later_loads(
    server: tuple[str, Path], demo_db: Path, chromium_browser: Any, tmp_path: Path
) -> None:
    url, db = server
    demo_stations = {r[0] for r in query(demo_db, "SELECT asema_id FROM raw_asemat")}
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI", accept_downloads=True)
    context.set_default_timeout(WAIT)
    other = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI")
    other.set_default_timeout(WAIT)
    try:
        page = context.new_page()
        open_app(page, url)
        choose(page, "Rooli", "Projektipäällikkö")
        go_to(page, "Tiedot")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("Varastossa on demoaineisto.", exact=False)).to_be_visible()
        upload(page, list(county_files(MONTHS).items()))
        expect(page.get_by_role("button", name="Lataa varastoon", exact=True)).to_be_disabled()

        press(page, "Tarkista")
        expect(main.get_by_text("demoaineisto poistetaan kokonaan", exact=False)).to_be_visible()
        screenshot(page, "elinkaari_tarkista_demovarastoon")
        assert page_errors(page) == []

        page.get_by_text("Ymmärrän: poista demoaineisto", exact=False).click()
        press(page, "Lataa varastoon")
        expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Lataus onnistui")
        # The sentence above the tables (the load log's own line says it too, in a table cell).
        expect(main.get_by_text("Demoaineisto poistettiin (", exact=False)).to_be_visible()
        # The page was drawn again from the new version: no demo warning, no confirmation left.
        expect(main.get_by_text("Varastossa on demoaineisto.", exact=False)).to_have_count(0)
        expect(page.get_by_text("Ymmärrän: poista demoaineisto", exact=False)).to_have_count(0)
        screenshot(page, "elinkaari_ladattu")
        assert page_errors(page) == []

        # Nothing of the demo is left anywhere in the warehouse; its marts hold the five real stations.
        text = all_text(db)
        assert sorted(s for s in demo_stations if s in text) == []
        assert {r[0] for r in query(db, "SELECT DISTINCT station_id FROM mart_workload")} == {s for s, _, _ in STATIONS}
        assert query(db, "SELECT min(month), max(month) FROM mart_workload") == [(MONTHS[0].first, MONTHS[-1].first)]

        go_to(page, "Työkuorma")
        shown = options_of(page, "Asema")
        assert sorted(shown[1:]) == sorted(name for _, name, _ in STATIONS), shown
        screenshot(page, "elinkaari_tyokuorma_omat_asemat")
        go_to(page, "Yleiskuva")
        assert options_of(page, "Kuukausi")[0] == fmt.month_name(MONTHS[-1].first, "fi")

        # A second session is open too when the next month is loaded from the command line.
        second = other.new_page()
        open_app(second, url)
        choose(second, "Rooli", "Johto")
        files = county_files([NEW_MONTH])
        for name in (f"henkilosto_{NEW_MONTH.year}_12.csv", f"pulssi_{NEW_MONTH.year}_12.csv"):
            (tmp_path / name).write_bytes(files[name])
        proc = run_cli("load", f"henkilosto_{NEW_MONTH.year}_12.csv", f"pulssi_{NEW_MONTH.year}_12.csv",
                       "--db", str(db), cwd=tmp_path, env=cli_env(TYONJAKO_PSEUDONYM_KEY=None,
                                                                  TYONJAKO_CONFIG_DIR=None))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        december = fmt.month_name(NEW_MONTH.first, "fi")
        # Each session's next run (a page switch, a filter change) shows the new month.
        go_to(page, "Työkuorma")
        assert options_of(page, "Kuukausi")[0] == december
        choose(second, "Rooli", "Projektipäällikkö")
        assert options_of(second, "Kuukausi")[0] == december
        choose(second, "Kuukausi", december)
        screenshot(second, "elinkaari_toinen_istunto_uusi_kuukausi")
        assert page_errors(page) == [] and page_errors(second) == []
    finally:
        context.close()
        other.close()
