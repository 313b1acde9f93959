"""The what-if planner in a real Chromium: build a scenario, see the chart change, download the result.

Its own Streamlit server on a copy of the demo warehouse, with the saved-scenario store in the test's folder.
Screenshots: test-artifacts/screenshots/skenaariot_before.png, skenaariot_after.png.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    chromium_browser_fixture,  # noqa: F401 - registers the `chromium_browser` fixture
    start_streamlit,
    stop_process,
)
from test_browser_pages import (
    PROJECT_MANAGER,
    RUN_DONE,
    VIEWPORT,
    WAIT,
    arm,
    choose,
    copy_warehouse,
    go_to,
    metric_value,
    open_app,
    page_errors,
    screenshot,
    server_env,
    wait_run_done,
)

from warehouse import db as wdb

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
OTHER = "ESP-ISO"


@pytest.fixture(scope="module")
def served(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, chromium_browser: Any) -> Iterator[str]:
    work = tmp_path_factory.mktemp("browser_skenaariot")
    db = copy_warehouse(demo_db, work / "data")
    cwd = work / "cwd"
    cwd.mkdir()
    env = {**server_env(db, work / "home"), "TYONJAKO_APPSTATE": str(work / "appstate.sqlite")}
    url, proc = start_streamlit(env, cwd=cwd, timeout=90)
    try:
        # Warm-up visit: the first session after a server start may lose its first sidebar choice (see
        # test_browser_pages.server).
        context = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI")
        try:
            open_app(context.new_page(), url)
        finally:
            context.close()
        yield url
    finally:
        stop_process(proc)


def chart_svg(page: Any) -> str:
    """The drawn before/after chart as SVG text."""
    chart = page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg.marks').first
    expect(chart).to_be_visible(timeout=WAIT)
    return chart.evaluate("e => e.outerHTML")


def download(page: Any, name: str, index: int = 0) -> tuple[str, bytes]:
    """Click the index-th download button of that name in the main area; the file's name and bytes."""
    button = page.get_by_test_id("stMain").get_by_role("button", name=name, exact=True).nth(index)
    arm(page)
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    got = info.value
    wait_run_done(page)
    return got.suggested_filename, Path(got.path()).read_bytes()


def test_build_a_scenario_see_the_chart_change_and_download(served: str, chromium_browser: Any,
                                                            demo_db: Path) -> None:
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI", accept_downloads=True)
    context.set_default_timeout(WAIT)
    try:
        page = context.new_page()
        open_app(page, served)
        choose(page, "Rooli", PROJECT_MANAGER)
        go_to(page, "Skenaariot")
        assert page_errors(page) == []
        before_svg = chart_svg(page)
        before_ratio = metric_value(page, "Kuormitussuhde, koko alue")
        screenshot(page, "skenaariot_before")

        main = page.get_by_test_id("stMain")
        kind = main.get_by_role("combobox", name="Muutoksen tyyppi", exact=True)
        arm(page)
        kind.click()
        page.get_by_role("option", name="Henkilöstön lisäys tai vähennys", exact=True).click()
        wait_run_done(page)
        station = main.get_by_role("combobox", name="Asema", exact=True)
        station.click()
        page.get_by_role("option", name="Ison Omenan terveysasema", exact=True).click()
        amount = main.get_by_label("Muutos (htv, vähennys miinusmerkillä)")
        amount.fill("2")
        arm(page)
        main.get_by_role("button", name="Lisää muutos", exact=True).click()
        page.wait_for_function(RUN_DONE, timeout=WAIT, polling=100)
        expect(main.get_by_text("Ison Omenan terveysasema: +2,0 htv (toimistosihteeri)", exact=True)).to_be_visible()
        after_ratio = metric_value(page, "Kuormitussuhde, koko alue")
        assert after_ratio != before_ratio
        after_svg = chart_svg(page)
        assert after_svg != before_svg
        screenshot(page, "skenaariot_after")

        name, pdf = download(page, "Lataa PDF")
        assert name == "skenaario.pdf" and pdf.startswith(b"%PDF")
        name, data = download(page, "Lataa CSV", 2)  # the third table: stations before and after
        assert name == "skenaario_asemat.csv"
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        iso = next(r for r in rows if r["Asema"] == "Ison Omenan terveysasema")
        with wdb.read(demo_db) as con:
            req, fte, net = con.sql(
                "SELECT required_hours_week, secretary_fte, secretary_net_fte FROM mart_workload "
                "WHERE station_id = ? ORDER BY month DESC LIMIT 1", params=[OTHER]).fetchall()[0]
        expected = req / ((net + 2.0 * net / fte) * 36.25)
        assert float(iso["Kuormitussuhde jälkeen"].replace(",", ".")) == pytest.approx(round(expected, 2))
        assert page_errors(page) == []
    finally:
        context.close()
