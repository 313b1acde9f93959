"""Real browser: leadership downloads the month's report from Yleiskuva, and a Huomiot link opens its page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from browser_support import (
    ROOT,
    chromium_browser_fixture,  # noqa: F401 - registers the `chromium_browser` fixture
    settle,
    start_streamlit,
    stop_process,
)
from pypdf import PdfReader

from dashboard import fmt

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

WAIT = 120_000  # ms: a busy 2-core machine
SHOTS = ROOT / "test-artifacts" / "screenshots"  # git-ignored


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, chromium_browser: Any) -> Iterator[str]:
    """The dashboard on the demo warehouse (read only here), Finnish UI, on a free port."""
    work = tmp_path_factory.mktemp("report_browser")
    (work / "home").mkdir()
    env = {"TYONJAKO_DB": str(demo_db), "TYONJAKO_NO_AUTO_DEMO": "1", "TYONJAKO_LANG": "fi", "HOME": str(work / "home"),
           "TYONJAKO_PSEUDONYM_KEY": "", "TYONJAKO_CONFIG_DIR": ""}
    url, proc = start_streamlit(env, cwd=work, timeout=90)
    try:
        yield url
    finally:
        stop_process(proc)


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 900}, locale="fi-FI",
                                           accept_downloads=True)
    context.set_default_timeout(WAIT)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_download_the_months_report_and_follow_an_item(server: str, page: Any, demo_db: Path) -> None:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        month = con.sql("SELECT max(month) FROM mart_workload").fetchall()[0][0]
    page.goto(server)
    expect(page.get_by_role("heading", name="Yleiskuva", exact=True)).to_be_visible(timeout=WAIT)
    settle(page, WAIT)
    button = page.get_by_role("button", name="Lataa kuukausiraportti (PDF)")
    expect(button).to_be_visible(timeout=WAIT)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("heading", name="Huomiot").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "yleiskuva_huomiot.png"))
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"kuukausiraportti_{month:%Y-%m}.pdf"
    reader = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert f"{fmt.month_name(month)} – Koko alue" in text
    assert "Huomiot" in text and "Työkuorma" in text
    # The first Huomiot link leads to the page where its figure shows.
    link = page.get_by_test_id("stPageLink").first
    expect(link).to_be_visible(timeout=WAIT)
    target = link.get_attribute("href") or link.locator("a").first.get_attribute("href")
    assert target
    link.click()
    # The address changes when the new page runs: wait for it rather than reading it at once.
    expect(page).to_have_url(re.compile(re.escape(target.rstrip("/").split("/")[-1])), timeout=WAIT)
    settle(page, WAIT)
