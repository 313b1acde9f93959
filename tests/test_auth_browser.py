"""Sign-in end to end in a real Chromium: Streamlit's OIDC sign-in against a local provider (oidc-provider-mock).

The provider runs on a free loopback port with two predefined users (`--user-claims`): a station manager listed in
the access file and an outsider who is not. The dashboard runs with `[auth]` in `<tmp>/.streamlit/secrets.toml`
(the server's working directory), the demo warehouse and a temporary config folder whose access.toml lists the
manager. Screenshots go to test-artifacts/screenshots/auth_*.png.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ROOT,
    chromium_browser_fixture,  # noqa: F401 - registers the `chromium_browser` fixture
    free_port,
    settle,
    start_process,
    start_streamlit,
    stop_process,
    wait_for_http,
)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

SHOTS = ROOT / "test-artifacts" / "screenshots"
MANAGER_SUB, MANAGER_EMAIL, MANAGER_STATION = "esihenkilo-lep", "esihenkilo.lep@example.fi", "ESP-LEP"
OUTSIDER_SUB, OUTSIDER_EMAIL = "ulkopuolinen", "ulkopuolinen@example.fi"
WAIT = 90_000  # ms: the first Yleiskuva run of a cold server takes ~17 s on a 2-core machine

SIGN_IN_PROMPT = "Kirjaudu sisään organisaation tunnuksilla"
SIGN_IN, SIGN_OUT = "Kirjaudu sisään", "Kirjaudu ulos"


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on a free loopback port, with the two test users predefined."""
    exe = Path(sys.executable).with_name("oidc-provider-mock")
    if not exe.exists():
        found = shutil.which("oidc-provider-mock")
        if found is None:
            pytest.skip("oidc-provider-mock is not installed")
        exe = Path(found)
    port = free_port()
    users = [
        {"sub": MANAGER_SUB, "email": MANAGER_EMAIL, "email_verified": True, "name": "Eeva Esihenkilö"},
        {"sub": OUTSIDER_SUB, "email": OUTSIDER_EMAIL, "email_verified": True, "name": "Ulla Ulkopuolinen"},
    ]
    cmd = [str(exe), "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        cmd += ["--user-claims", json.dumps(user)]
    proc = start_process(cmd, name=f"oidc-{port}")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/.well-known/openid-configuration", proc, expect="authorization_endpoint")
        yield base
    finally:
        stop_process(proc)


def prepare_server(home: Path, port: int, provider: str, db: Path) -> dict[str, str]:
    """Write `<home>/.streamlit/secrets.toml` with `[auth]` and a config folder; return the server's environment."""
    (home / ".streamlit").mkdir(parents=True)
    (home / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "test-cookie-secret-0123456789abcdef"\n'
        'client_id = "tyonjakoseuranta"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    config = home / "config"
    config.mkdir()
    for name in ("asetukset.toml", "tavoitteet.toml"):
        if (ROOT / "config" / name).exists():
            shutil.copy(ROOT / "config" / name, config / name)
    (config / "access.toml").write_text(
        f'[[kayttajat]]\nemail = "{MANAGER_EMAIL}"\nrooli = "esihenkilo"\nasemat = ["{MANAGER_STATION}"]\n',
        encoding="utf-8",
    )
    return {"TYONJAKO_DB": str(db), "TYONJAKO_CONFIG_DIR": str(config), "TYONJAKO_NO_AUTO_DEMO": "1",
            "TYONJAKO_ALLOW_NO_AUTH": "", "TYONJAKO_LANG": "fi"}


@pytest.fixture(scope="module")
def auth_app(oidc_provider: str, demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard with sign-in configured, on the demo warehouse; the access file lists only the manager."""
    home = tmp_path_factory.mktemp("auth_app")
    port = free_port()
    url, proc = start_streamlit(prepare_server(home, port, oidc_provider, demo_db), port, cwd=home)
    try:
        yield url
    finally:
        stop_process(proc)


@pytest.fixture
def fresh_auth_app(oidc_provider: str, demo_db: Path, tmp_path: Path) -> Iterator[str]:
    """The same dashboard in a new server process that no session has visited yet."""
    port = free_port()
    url, proc = start_streamlit(prepare_server(tmp_path / "home", port, oidc_provider, demo_db), port,
                                cwd=tmp_path / "home")
    try:
        yield url
    finally:
        stop_process(proc)


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test."""
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="fi-FI")
    try:
        yield context.new_page()
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"auth_{name}.png"), full_page=True)


def open_sign_in(page: Any, url: str) -> None:
    page.goto(url)
    expect(page.get_by_text(SIGN_IN_PROMPT)).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible(timeout=WAIT)
    settle(page)


def sign_in_as(page: Any, sub: str) -> None:
    """From the app's sign-in prompt through the provider's form, as one of the predefined users."""
    page.get_by_role("button", name=SIGN_IN).click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name=sub, exact=True).click()


def sign_out(page: Any, url: str) -> None:
    """The app's sign-out button, the provider's end-session confirmation, and back to the sign-in prompt."""
    page.get_by_role("button", name=SIGN_OUT).click()
    end = page.get_by_role("button", name="End session")
    prompt = page.get_by_text(SIGN_IN_PROMPT)
    expect(end.or_(prompt)).to_be_visible(timeout=WAIT)
    if end.is_visible():
        end.click()
    expect(prompt).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible(timeout=WAIT)
    assert page.url.rstrip("/").startswith(url)


def test_listed_manager_sees_only_their_station_and_signs_out(auth_app: str, browser_page: Any) -> None:
    page = browser_page
    open_sign_in(page, auth_app)
    expect(page.get_by_text("Esittelytila")).to_have_count(0)
    shot(page, "01_sign_in_prompt")

    sign_in_as(page, MANAGER_SUB)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Kirjautunut: {MANAGER_EMAIL} (Esihenkilö)")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="Yleiskuva")).to_be_visible(timeout=WAIT)
    expect(page.locator('[data-testid="stVegaLiteChart"] svg.marks').first).to_be_visible(timeout=WAIT)
    settle(page)
    # The demo role selector is gone, and the data page is not in the navigation.
    expect(sidebar.get_by_text("Roolin valinta")).to_have_count(0)
    expect(sidebar.get_by_test_id("stSidebarNav")).to_contain_text("Yleiskuva")
    expect(sidebar.get_by_test_id("stSidebarNav")).not_to_contain_text("Tiedot")
    expect(sidebar.get_by_text("Näet vain ne asemat, joihin sinulla on käyttöoikeus.")).to_be_visible()

    sidebar.get_by_role("combobox", name="Asema").click()
    options = page.get_by_role("option")
    expect(options).to_have_text(["Kaikki asemat", "Leppävaaran terveysasema"], timeout=WAIT)
    shot(page, "02_manager_station_selector")
    page.get_by_role("option", name="Leppävaaran terveysasema").click()
    expect(page.get_by_role("heading", name=re.compile("Leppävaaran terveysasema"))).to_be_visible(timeout=WAIT)
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "03_manager_own_station")

    sign_out(page, auth_app)
    expect(page.get_by_text(f"Kirjautunut: {MANAGER_EMAIL}")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    shot(page, "04_signed_out")
    # Signed out for real: a new visit asks to sign in again.
    open_sign_in(page, auth_app)


def test_unlisted_user_gets_a_polite_refusal(auth_app: str, browser_page: Any) -> None:
    page = browser_page
    open_sign_in(page, auth_app)
    sign_in_as(page, OUTSIDER_SUB)
    refusal = page.get_by_text(f"Tunnuksella {OUTSIDER_EMAIL} ei ole käyttöoikeutta")
    expect(refusal).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Pyydä oikeutta projektipäälliköltä.")).to_be_visible()
    settle(page)
    # No data and no filters for someone who is not listed.
    expect(page.get_by_role("combobox", name="Asema")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "05_unlisted_refusal")
    sign_out(page, auth_app)
    shot(page, "06_unlisted_signed_out")


def test_a_page_url_does_not_bypass_the_sign_in(fresh_auth_app: str, browser_page: Any) -> None:
    # Right after a server start Streamlit runs a pages/*.py URL alone (v1 multipage mode) until some session has
    # called st.navigation(); the page must still end at app.py's sign-in, never at data or a traceback.
    page, url = browser_page, fresh_auth_app
    prompt = page.get_by_text(SIGN_IN_PROMPT)
    error = page.get_by_test_id("stException")
    for name in ("tiedot", "pulssi"):
        page.goto(f"{url}/{name}")
        expect(prompt.or_(error).first).to_be_visible(timeout=WAIT)
        settle(page)
        shot(page, f"07_anonymous_{name}")
        expect(error).to_have_count(0)
        expect(prompt).to_be_visible()
        expect(page.get_by_role("button", name=SIGN_IN)).to_be_visible()
        for testid in ("stMetric", "stDataFrame", "stVegaLiteChart", "stFileUploader"):
            expect(page.get_by_test_id(testid)).to_have_count(0)


def test_the_sign_in_page_lists_no_pages(fresh_auth_app: str, browser_page: Any) -> None:
    page = browser_page
    open_sign_in(page, fresh_auth_app)
    shot(page, "08_anonymous_sign_in_fresh_server")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0, timeout=2_000)
