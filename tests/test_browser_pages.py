"""Every page in a real Chromium: drawn without errors, uploads through the Tiedot page, a station manager's scope.

One Streamlit server per module runs on a COPY of the demo warehouse (the .duckdb file and its pseudonymisation
key), because the upload test changes it. The server's HOME and working directory are empty temporary folders, so
neither the user's nor the project's `.streamlit/secrets.toml` is read. The copy is marked as loaded (non-demo) data
and `TYONJAKO_ALLOW_NO_AUTH=1` is set: the app runs in intranet mode, where a sidebar selector chooses the role and
the project manager may load files (demo mode offers only Tarkista).

Artifacts (git-ignored): test-artifacts/screenshots/<page>.png, tiedot_*.png, tyokuorma_esihenkilo.png, ... and
test-artifacts/page_timings.json (seconds from clicking a page link to the last chart drawn).

Streamlit tables (st.dataframe) are drawn on a canvas, so their contents are read through the table's own
"Lataa CSV" button (the app's export: the same figures as on screen).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from browser_support import (
    ROOT,
    chromium_browser_fixture,  # noqa: F401 - registers the `chromium_browser` fixture
    start_streamlit,
    stop_process,
)

from dashboard import fmt

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

ARTIFACTS = ROOT / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
TIMINGS = ARTIFACTS / "page_timings.json"
WAIT = 90_000  # ms: a busy 2-core machine; the first visit of a page fills its query caches
VIEWPORT = {"width": 1400, "height": 900}
MAX_SHOT_HEIGHT = 16_000  # px: Chromium's limit for one screenshot is a little above this

# Sidebar name, URL path / screenshot name, whether the page draws charts (as the project manager, on demo data).
PAGES: tuple[tuple[str, str, bool], ...] = (
    ("Työkuorma", "tyokuorma", True),
    ("Työnjaon toteutuminen", "tyonjako", True),
    ("Pulssi", "pulssi", True),
    ("Arviointitavoitteet", "tavoitteet", True),
    ("Käyttöönotto", "kayttoonotto", True),
    ("Tiedot", "tiedot", False),
    ("Yleiskuva", "yleiskuva", True),  # the start page: visited last, so that its link click is a real switch
)
PROJECT_MANAGER, STATION_MANAGER = "Projektipäällikkö", "Esihenkilö"
MANAGED_STATION = "ESP-LEP"

HENKILOSTO_HEADER = ("kuukausi;henkilo_id;asema_id;rooli;tyoaikaprosentti;palvelussuhde;sairauspoissaolo_pv;"
                     "muu_poissaolo_pv")
BAD_STATION = "XXX-TUNTEMATON"
NEW_QUESTIONS = (("ESP-LEP", "Selaintesti: miten ajanvarauksen siirto kirjataan?"),
                 ("", "Selaintesti: koko aluetta koskeva kysymys puhelinjonosta"))

# --- in-page conditions -------------------------------------------------------------------------------------

# Counts changes of the app's run state from now on (each script run flips it to "running" and back).
ARM_RUN_WATCH = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (window.__runWatch) window.__runWatch.disconnect();
  window.__runChanges = 0;
  window.__runWatch = new MutationObserver(records => { window.__runChanges += records.length; });
  window.__runWatch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# A run has happened since ARM_RUN_WATCH and is over, and nothing on screen is left from before it.
RUN_DONE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && window.__runChanges > 0 && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]');
}"""
# The app is idle (no run in progress, nothing stale); used where no run needs to be awaited.
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-stale="true"]');
}"""
# After a page switch: the run is over and either an exception is shown, or the page's title is there and every
# altair chart has been drawn (Vega's SVG renderer adds svg.marks once the chart is drawn).
PAGE_READY = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || !(window.__runChanges > 0) || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  if (main.querySelector('[data-testid="stException"]')) return true;
  const titled = [...main.querySelectorAll('h1')].some(h => h.textContent.trim() === title);
  const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  return titled && charts.every(c => c.querySelector('svg.marks, canvas'));
}"""
MAIN_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return main ? Math.ceil(main.scrollHeight + window.innerHeight - main.clientHeight) : document.body.scrollHeight;
}"""


# --- the server -----------------------------------------------------------------------------------------------


@dataclass
class Server:
    """The module's dashboard: base URL and the warehouse it serves."""

    url: str
    db: Path
    timings: dict[str, dict[str, Any]] = field(default_factory=dict)


def copy_warehouse(source: Path, target_dir: Path) -> Path:
    """Copy a warehouse file and its pseudonymisation key file (warehouse.duckdb.key) into a folder."""
    target_dir.mkdir(parents=True, exist_ok=True)
    db = target_dir / "tyonjako.duckdb"
    shutil.copyfile(source, db)
    key = source.with_name(source.name + ".key")
    assert key.exists(), f"the demo warehouse has no key file {key}"
    shutil.copyfile(key, db.with_name(db.name + ".key"))
    db.with_name(db.name + ".key").chmod(0o600)
    # The demo stands in for a county's own data loaded earlier: a real load into a demo warehouse would start a
    # clean one (test_lifecycle_browser.py), so the copy is marked as loaded data (intranet mode, see above).
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE meta SET value = 'loaded' WHERE key = 'data_origin'")
    finally:
        con.close()
    return db


def server_env(db: Path, home: Path) -> dict[str, str]:
    """Environment of a test server: the copied warehouse, no demo rebuild, an empty HOME, Finnish UI."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "TYONJAKO_DB": str(db),
        "TYONJAKO_NO_AUTO_DEMO": "1",
        "TYONJAKO_ALLOW_NO_AUTH": "1",
        "TYONJAKO_LANG": "fi",
        "TYONJAKO_PSEUDONYM_KEY": "",
        "TYONJAKO_CONFIG_DIR": "",
        "HOME": str(home),
    }


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, chromium_browser: Any) -> Iterator[Server]:
    """The dashboard on a copy of the demo warehouse, on a free loopback port; its cwd is an empty folder."""
    work = tmp_path_factory.mktemp("browser_pages")
    db = copy_warehouse(demo_db, work / "data")
    cwd = work / "cwd"
    cwd.mkdir()
    url, proc = start_streamlit(server_env(db, work / "home"), cwd=cwd, timeout=90)
    try:
        # Warm-up visit. Besides filling the first caches it takes the first browser session after the start, whose
        # first sidebar choice Streamlit 1.67 lost while it ran the first run in its pages/ folder mode; that is
        # checked on a server of its own by test_first_role_choice_after_server_start_takes_effect, so that a
        # regression there fails that one test instead of every test here.
        context = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI")
        try:
            page = context.new_page()
            open_app(page, url)
        finally:
            context.close()
        yield Server(url, db)
    finally:
        stop_process(proc)


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh browser context (own Streamlit session) per test."""
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="fi-FI", accept_downloads=True)
    context.set_default_timeout(WAIT)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- helpers ----------------------------------------------------------------------------------------------------


def open_app(page: Any, url: str) -> None:
    """Open the start page and wait until its first run is over."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Yleiskuva", exact=True)).to_be_visible(timeout=WAIT)
    page.wait_for_function(IDLE, timeout=WAIT, polling=100)


def arm(page: Any) -> None:
    page.evaluate(ARM_RUN_WATCH)


def wait_run_done(page: Any) -> None:
    page.wait_for_function(RUN_DONE, timeout=WAIT, polling=100)


def choose(page: Any, label: str, option: str) -> None:
    """Pick an option of a sidebar selectbox and wait for the rerun it causes."""
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label, exact=True)
    expect(box).to_be_visible(timeout=WAIT)
    if box.input_value() == option:
        return
    arm(page)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_run_done(page)
    expect(box).to_have_value(option, timeout=WAIT)


def options_of(page: Any, label: str) -> list[str]:
    """The options of a sidebar selectbox (opens and closes its list)."""
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label, exact=True)
    box.click()
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible(timeout=WAIT)
    texts = [t.strip() for t in listbox.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    expect(listbox).to_have_count(0, timeout=WAIT)
    return texts


def nav_link(page: Any, name: str) -> Any:
    return page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)


def go_to(page: Any, name: str) -> tuple[float, int]:
    """Click a page in the sidebar navigation; wait until it is drawn. Returns (seconds, number of charts)."""
    link = nav_link(page, name)
    expect(link).to_be_visible(timeout=WAIT)
    arm(page)
    start = time.perf_counter()
    link.click()
    page.wait_for_function(PAGE_READY, arg=name, timeout=WAIT, polling="raf")
    seconds = time.perf_counter() - start
    return seconds, page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"]').count()


def page_errors(page: Any) -> list[str]:
    """Exception boxes and tracebacks on the page, as text."""
    found = [f"exception box: {text[:800]}" for text in page.get_by_test_id("stException").all_inner_texts()]
    body = page.locator("body").inner_text()
    if "Traceback" in body and not found:
        at = body.index("Traceback")
        found.append(f"'Traceback' in the page text: {body[at:at + 800]}")
    return found


def screenshot(page: Any, name: str) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so the viewport is made tall."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # no focus ring in the picture
    height = min(max(int(page.evaluate(MAIN_HEIGHT)), VIEWPORT["height"]), MAX_SHOT_HEIGHT)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    try:
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
                   .every(c => c.querySelector('svg.marks, canvas'))""",
            timeout=WAIT, polling="raf",
        )
        page.wait_for_function(IDLE, timeout=WAIT, polling=100)
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(VIEWPORT)
    return path


def table_csv(page: Any, index: int, expected_name: str) -> list[dict[str, str]]:
    """Rows of the index-th table of the main area, through its "Lataa CSV" button (each table has one)."""
    buttons = page.get_by_test_id("stMain").get_by_role("button", name="Lataa CSV", exact=True)
    expect(buttons.first).to_be_visible(timeout=WAIT)
    button = buttons.nth(index)
    arm(page)
    with page.expect_download(timeout=WAIT) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith(expected_name), download.suggested_filename
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    wait_run_done(page)  # a download button reruns the page
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def metric_value(page: Any, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label))
    value = metric.get_by_test_id("stMetricValue")
    expect(value).to_have_count(1, timeout=WAIT)
    return value.inner_text().strip()


def as_int(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def upload(page: Any, files: list[tuple[str, bytes]]) -> None:
    """Put files into the Tiedot page's file uploader and wait until the buttons are enabled."""
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Tiedostot (CSV tai XLSX)")
    expect(uploader).to_be_visible(timeout=WAIT)
    arm(page)
    uploader.locator('input[type="file"]').set_input_files(
        [{"name": name, "mimeType": "text/csv", "buffer": data} for name, data in files]
    )
    for name, _ in files:
        # The uploader shortens long names on screen; its remove button carries the whole name.
        expect(uploader.get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="Tarkista", exact=True)).to_be_enabled(timeout=WAIT)
    page.wait_for_function(IDLE, timeout=WAIT, polling=100)


def press(page: Any, name: str) -> None:
    button = page.get_by_role("button", name=name, exact=True)
    expect(button).to_be_enabled(timeout=WAIT)
    arm(page)
    button.click()
    wait_run_done(page)


def as_project_manager(page: Any, url: str) -> None:
    open_app(page, url)
    choose(page, "Rooli", PROJECT_MANAGER)
    expect(nav_link(page, "Tiedot")).to_be_visible(timeout=WAIT)


# --- source files -------------------------------------------------------------------------------------------


def warehouse_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def new_month_henkilosto(db: Path) -> tuple[date, bytes]:
    """A staffing extract for the month after the last one: last month's posts again, with new person ids."""
    last = warehouse_rows(db, "SELECT max(month) FROM stg_staffing")[0][0]
    posts = warehouse_rows(
        db,
        "SELECT station_id, role, fte_percent, employment_type, sick_days, other_absence_days FROM stg_staffing "
        "WHERE month = (SELECT max(month) FROM stg_staffing) ORDER BY station_id, role, person_key",
    )
    month = next_month(last)
    lines = [HENKILOSTO_HEADER]
    for n, (station, role, pct, contract, sick_days, other_days) in enumerate(posts, start=1):
        pct_text = f"{pct:g}".replace(".", ",")
        # Absences within the new month's working days (the loader checks the sum against them).
        sick = min(sick_days, 10)
        other = min(other_days, 10 - sick)
        lines.append(f"{month.month}/{month.year};SELAIN-{n:05d};{station};{role};{pct_text};{contract};{sick};{other}")
    return month, ("\r\n".join(lines) + "\r\n").encode("cp1252")


def question_log_plus_new(db: Path) -> bytes:
    """The whole question log as it is in the warehouse (the source is replaced as a whole) plus two open ones."""
    rows = warehouse_rows(db, "SELECT opened, station_id, topic, status, resolved FROM stg_question_log "
                              "ORDER BY question_no")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["avattu", "asema_id", "aihe", "tila", "ratkaistu"])

    def d(x: date | None) -> str:
        return f"{x.day}.{x.month}.{x.year}" if x else ""

    for opened, station, topic, status, resolved in rows:
        writer.writerow([d(opened), station or "", topic, status, d(resolved)])
    for station, topic in NEW_QUESTIONS:
        writer.writerow([d(date.today()), station, topic, "avoin", ""])
    return out.getvalue().encode("utf-8")


# --- tests ----------------------------------------------------------------------------------------------------


def test_every_page_draws_without_errors_as_project_manager(server: Server, page: Any) -> None:
    as_project_manager(page, server.url)
    problems: list[str] = []
    for name, slug, has_charts in PAGES:
        seconds, charts = go_to(page, name)
        server.timings[name] = {"seconds": round(seconds, 2), "charts": charts}
        errors = page_errors(page)
        problems += [f"{name}: {e}" for e in errors]
        if has_charts and not errors and charts == 0:
            problems.append(f"{name}: no chart on the page")
        if not errors:
            expect(page.get_by_role("heading", name=name, exact=True, level=1)).to_be_visible(timeout=WAIT)
        screenshot(page, slug)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = {
        "measured": datetime.now().isoformat(timespec="seconds"),
        "what": "seconds from clicking the page in the sidebar to the last chart drawn (run over, all charts "
                "have svg.marks); first visit of each page in a session, server already warmed up by one visit "
                "of Yleiskuva; role Projektipäällikkö; demo warehouse",
        "pages": server.timings,
    }
    TIMINGS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\nPage timings (click → last chart drawn):")
    for name, timing in server.timings.items():
        print(f"  {name:<24} {timing['seconds']:6.2f} s  ({timing['charts']} charts)")
    assert not problems, "\n".join(problems)


def test_bad_staffing_file_is_rejected_with_a_validation_table(server: Server, page: Any) -> None:
    as_project_manager(page, server.url)
    go_to(page, "Tiedot")
    bad_name = "henkilosto_virheellinen.csv"
    bad = (HENKILOSTO_HEADER + "\r\n"
           "11/2026;9001;ESP-LEP;toimistosihteeri;120;vakinainen;0;0\r\n"
           f"11/2026;9002;{BAD_STATION};toimistosihteeri;80;vakinainen;0;0\r\n").encode("cp1252")
    upload(page, [(bad_name, bad)])
    press(page, "Tarkista")

    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stAlertContentError")).to_contain_text("mitään ei ladattu", timeout=WAIT)
    expect(main.get_by_test_id("stDataFrame").first).to_be_visible(timeout=WAIT)
    screenshot(page, "tiedot_virheellinen_tiedosto")
    assert page_errors(page) == []

    problems = table_csv(page, 0, "validointiraportti")
    assert problems, "the validation table is empty"
    assert set(problems[0]) == {"Tiedosto", "Rivi", "Sarake", "Viesti"}, problems[0]
    assert {p["Tiedosto"] for p in problems} == {bad_name}, problems
    by_column = {(p["Rivi"], p["Sarake"]): p["Viesti"] for p in problems}
    # Rows are numbered as in a spreadsheet program: the header is row 1.
    assert ("2", "tyoaikaprosentti") in by_column, problems
    assert ("3", "asema_id") in by_column, problems
    assert all(message.strip() for message in by_column.values()), problems
    assert BAD_STATION in by_column[("3", "asema_id")], problems


def test_good_files_load_and_change_the_other_pages(server: Server, page: Any) -> None:
    new_month, henkilosto = new_month_henkilosto(server.db)
    questions = question_log_plus_new(server.db)
    new_month_name = fmt.month_name(new_month, "fi")

    as_project_manager(page, server.url)
    go_to(page, "Käyttöönotto")
    open_before = as_int(metric_value(page, "Avoimia kysymyksiä"))
    go_to(page, "Yleiskuva")
    assert new_month_name not in options_of(page, "Kuukausi")

    go_to(page, "Tiedot")
    log_before = table_csv(page, -1, "latausloki")
    files = [(f"henkilosto_{new_month:%Y_%m}.csv", henkilosto), ("kysymysloki_selaintesti.csv", questions)]
    upload(page, files)
    press(page, "Lataa varastoon")

    main = page.get_by_test_id("stMain")
    outcome = main.get_by_test_id("stAlertContentSuccess").or_(main.get_by_test_id("stAlertContentError"))
    expect(outcome.first).to_be_visible(timeout=WAIT)
    if main.get_by_test_id("stAlertContentError").count():
        screenshot(page, "tiedot_lataus_hylatty")
        pytest.fail(f"the good files were rejected: {table_csv(page, 0, 'validointiraportti')}")
    expect(main.get_by_test_id("stAlertContentSuccess")).to_contain_text("Lataus onnistui", timeout=WAIT)
    # The key file was copied with the warehouse: no new pseudonymisation key may have been made.
    expect(main.get_by_text("Luotiin uusi pseudonymisointiavain")).to_have_count(0)
    screenshot(page, "tiedot_lataus_onnistui")

    summary = table_csv(page, 0, "latauksen_yhteenveto")
    assert {r["Tiedosto"]: r["Tulos"] for r in summary} == {name: "ladattu" for name, _ in files}, summary
    log = table_csv(page, -1, "latausloki")
    new_rows = [r for r in log if r not in log_before]
    assert {r["Tiedosto"] for r in new_rows} == {name for name, _ in files}, new_rows
    assert len({r["Lataus"] for r in new_rows}) == 1, new_rows
    assert int(new_rows[0]["Lataus"]) > max(int(r["Lataus"]) for r in log_before), new_rows

    go_to(page, "Yleiskuva")
    assert new_month_name in options_of(page, "Kuukausi")
    choose(page, "Kuukausi", new_month_name)
    expect(page.get_by_role("heading", name=f"{new_month_name} – Koko alue")).to_be_visible(timeout=WAIT)
    assert page_errors(page) == []
    screenshot(page, "yleiskuva_uusi_kuukausi")

    go_to(page, "Käyttöönotto")
    assert as_int(metric_value(page, "Avoimia kysymyksiä")) == open_before + len(NEW_QUESTIONS)
    topics = {r["Aihe"] for r in table_csv(page, 1, "kayttoonotto_kysymysloki")}
    assert {topic for _, topic in NEW_QUESTIONS} <= topics, topics
    assert page_errors(page) == []
    screenshot(page, "kayttoonotto_uudet_kysymykset")

    # Last, so that the checks above run in any case: the load log speaks Finnish like the load summary does.
    assert {r["Tulos"] for r in new_rows} == {"ladattu"}, f"outcome in the load log (Latausloki): {new_rows}"


def test_station_manager_sees_only_their_station_on_workload_page(server: Server, page: Any) -> None:
    stations = dict(warehouse_rows(server.db, "SELECT station_id, name_fi FROM stg_stations"))
    mine = stations[MANAGED_STATION]
    open_app(page, server.url)
    choose(page, "Rooli", STATION_MANAGER)
    choose(page, "Asema, jota johdat", mine)
    expect(nav_link(page, "Tiedot")).to_have_count(0)

    go_to(page, "Työkuorma")
    assert page_errors(page) == []
    assert options_of(page, "Asema") == ["Kaikki asemat", mine]
    screenshot(page, "tyokuorma_esihenkilo")

    rows = table_csv(page, 0, "tyokuorma_")
    assert [r["Asema"] for r in rows] == [mine], rows
    # Nor do the charts or texts of the page name any other station.
    text = page.get_by_test_id("stMain").inner_text() + " ".join(
        page.locator('[data-testid="stMain"] [data-testid="stVegaLiteChart"] svg').evaluate_all(
            "els => els.map(e => e.textContent + ' ' + (e.getAttribute('aria-label') || ''))"
        )
    )
    others = sorted(name for sid, name in stations.items() if sid != MANAGED_STATION and name in text)
    assert others == [], f"other stations shown to the manager of {mine}: {others}"


def test_first_role_choice_after_server_start_takes_effect(
    demo_db: Path, tmp_path_factory: pytest.TempPathFactory, page: Any
) -> None:
    """The very first browser session after a server start must be able to choose its role at the first try."""
    work = tmp_path_factory.mktemp("browser_first_session")
    db = copy_warehouse(demo_db, work / "data")
    cwd = work / "cwd"
    cwd.mkdir()
    url, proc = start_streamlit(server_env(db, work / "home"), cwd=cwd, timeout=90)
    try:
        open_app(page, url)
        box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Rooli", exact=True)
        arm(page)
        box.click()
        page.get_by_role("option", name=PROJECT_MANAGER, exact=True).click()
        wait_run_done(page)
        values = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Rooli", exact=True).evaluate_all(
            "els => els.map(e => e.value)"
        )
        shown = values[-1] if len(values) == 1 else values
        tiedot = nav_link(page, "Tiedot").count()
        assert (shown, tiedot) == (PROJECT_MANAGER, 1), (
            f"after choosing {PROJECT_MANAGER} in the first session after the server start, the selector shows "
            f"{shown!r} and the Tiedot page is {'listed' if tiedot else 'missing'} (the choice was lost)"
        )
    finally:
        stop_process(proc)
