"""Hostile workbooks through the Tiedot page of a real server: Tarkista refuses them with the Finnish sentence,
and the server stays up (its health check answers; before the readers had limits, the far-cell workbook aborted
the whole server process)."""

from __future__ import annotations

import urllib.request
from typing import Any

import hostile_files as hf
import pytest
from browser_support import chromium_browser_fixture  # noqa: F401 - registers the `chromium_browser` fixture
from test_browser_pages import (  # the module's server, page and upload helpers
    WAIT,
    Server,
    as_project_manager,
    expect,
    go_to,
    page,  # noqa: F401 - fixture
    page_errors,
    press,
    server,  # noqa: F401 - fixture
    table_csv,
    upload,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_uploads(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    """The 2 KB far-cell workbook, the 2 MB shared-strings zip bomb, a 10 MB comment and 10 000 unknown columns."""
    d = tmp_path_factory.mktemp("hostile_uploads")
    comment = ("kuukausi;vastaus_id;asema_id;rooli;hallinta;kommentti\n1/2025;r1;A1;toimistosihteeri;4;"
               + "a" * (10 * 1024 * 1024) + "\n")
    columns = "asema_id;nimi;kunta;" + ";".join(f"lisa{i}" for i in range(10_000)) + "\nA1;Keskusta;Espoo\n"
    return [
        ("kaukainen_solu.xlsx", hf.far_cell_xlsx(d / "a.xlsx").read_bytes()),
        ("pommi.xlsx", hf.shared_strings_bomb(d / "b.xlsx").read_bytes()),
        ("pulssi_kommentti.csv", comment.encode()),
        ("asemat_sarakkeet.csv", columns.encode()),
    ]


def health(url: str) -> str:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:  # noqa: S310 - the test's server
        return f"{resp.status} {resp.read().decode()}"


def test_hostile_workbooks_are_refused_and_the_server_stays_up(
    server: Server, page: Any, hostile_uploads: list[tuple[str, bytes]]  # noqa: F811
) -> None:
    before = server.db.read_bytes()
    as_project_manager(page, server.url)
    go_to(page, "Tiedot")
    upload(page, hostile_uploads)
    press(page, "Tarkista")

    main = page.get_by_test_id("stMain")
    expect(main.get_by_test_id("stAlertContentError")).to_contain_text("mitään ei ladattu", timeout=WAIT)
    problems = table_csv(page, 0, "validointiraportti")
    messages = {p["Tiedosto"]: p["Viesti"] for p in problems}
    assert messages["kaukainen_solu.xlsx"].startswith(
        "tiedostoa ei voi lukea turvallisesti (taulukko 'Taul1': sen käytetyksi alueeksi on merkitty A1:XFD1048576"
    ), messages
    assert messages["pommi.xlsx"].startswith(
        "tiedostoa ei voi lukea turvallisesti (sen osa xl/sharedStrings.xml purkautuu 2,0 Gt:ksi"
    ), messages
    assert messages["pulssi_kommentti.csv"].startswith("kommentti: arvossa on 10\u00a0485\u00a0760 merkkiä"), messages
    assert messages["asemat_sarakkeet.csv"].startswith("tiedostossa on 10\u00a0003 saraketta"), messages
    assert page_errors(page) == []
    assert health(server.url) == "200 ok"
    # Tarkista writes nothing.
    assert server.db.read_bytes() == before
    # The same session goes on working after the refusal.
    go_to(page, "Yleiskuva")
    assert health(server.url) == "200 ok"

