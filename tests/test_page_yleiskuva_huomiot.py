"""Yleiskuva: the Huomiot linked to their pages and the report download, in the user's scope and language."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.register_assert_rewrite("etl_helpers")

import report_world as w  # noqa: E402

from dashboard import attention  # noqa: E402
from dashboard.access import Scope  # noqa: E402

pytest_plugins = ("etl_helpers",)
pytestmark = pytest.mark.usefixtures("etl_env")

PAGE = "pages/yleiskuva.py"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, etl_config: Path) -> Path:
    from etl_helpers import set_env

    with pytest.MonkeyPatch.context() as mp:
        set_env(mp, etl_config)
        return w.build(tmp_path_factory.mktemp("world") / "tyonjako.duckdb", origin="demo")


def links(at) -> list[str]:  # noqa: ANN001 - AppTest
    """Target pages of the shown page links."""
    return [el.proto.page for el in at.get("page_link")]


def texts(at) -> str:  # noqa: ANN001 - AppTest
    """Every Markdown text of the page, Markdown escapes removed."""
    return "\n".join(m.value.replace("\\", "") for m in at.markdown)


def test_items_link_to_their_pages(make_app, world: Path) -> None:
    at = make_app(world, role="johto", state={"f_month": w.APR.first})
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    expected = attention.items(world, Scope("johto"), w.APR.first)
    assert expected
    for item in expected:
        assert attention.describe(item) in shown
    # One link per item, to the item's page; Tiedot is not open to leadership, so its item has no link.
    targets = links(at)
    wanted = [i.page.split("/")[-1].removesuffix(".py") for i in expected if i.page != "pages/tiedot.py"]
    assert sorted(p.split("/")[-1].removesuffix(".py") for p in targets) == sorted(wanted)
    assert any(i.page == "pages/tiedot.py" for i in expected)
    assert "Huomiot" in [m.value.strip("# ") for m in at.markdown]
    assert [b for b in at.get("download_button") if b.proto.label == "Lataa kuukausiraportti (PDF)"]


def test_a_managers_items_name_only_their_stations(make_app, world: Path) -> None:
    at = make_app(world, role="esihenkilo", station="A2", state={"f_month": w.APR.first, "f_station": "__all__"})
    assert not at.exception, [e.value for e in at.exception]
    shown = texts(at)
    assert "Aava-asema:" in shown and "Koko alue:" in shown
    assert "Alfa-asema" not in shown and "Beeta-asema" not in shown


def test_items_in_swedish(make_app, world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_LANG", "sv")
    at = make_app(world, role="projektipaallikko", state={"lang": "sv", "f_month": w.APR.first})
    shown = texts(at)
    assert "Alfastationen" in shown and "april 2026" in shown and "Hela området" in shown
    assert "Att observera" in [m.value.strip("# ") for m in at.markdown]
    assert [b for b in at.get("download_button") if b.proto.label == "Ladda ner månadsrapporten (PDF)"]
