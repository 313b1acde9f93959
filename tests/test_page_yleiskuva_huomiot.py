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


def links(at) -> dict[str, str]:  # noqa: ANN001 - AppTest
    """Shown page links: label → target page."""
    return {el.proto.label: el.proto.page for el in at.get("page_link")}


def test_items_link_to_their_pages(make_app, world: Path) -> None:
    at = make_app(world, role="johto", state={"f_month": w.APR.first})
    assert not at.exception, [e.value for e in at.exception]
    shown = links(at)
    expected = attention.items(world, Scope("johto"), w.APR.first)
    assert expected
    for item in expected:
        text = attention.describe(item)
        if item.page == "pages/tiedot.py":  # not open to leadership: shown as text, not as a link
            assert text not in shown and any(text in m.value for m in at.markdown)
        else:
            assert shown[text].endswith(item.page.split("/")[-1].removesuffix(".py"))
    assert "Huomiot" in [m.value.strip("# ") for m in at.markdown]
    assert [b for b in at.get("download_button") if b.proto.label == "Lataa kuukausiraportti (PDF)"]


def test_a_managers_items_name_only_their_stations(make_app, world: Path) -> None:
    at = make_app(world, role="esihenkilo", station="A2", state={"f_month": w.APR.first, "f_station": "__all__"})
    assert not at.exception, [e.value for e in at.exception]
    labels = " ".join(links(at))
    assert "Aava-asema" in labels and "Koko alue" in labels
    assert "Alfa-asema" not in labels and "Beeta-asema" not in labels


def test_items_in_swedish(make_app, world: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYONJAKO_LANG", "sv")
    at = make_app(world, role="projektipaallikko", state={"lang": "sv", "f_month": w.APR.first})
    labels = " ".join(links(at))
    assert "Alfastationen" in labels and "april 2026" in labels and "Hela området" in labels
    assert "Att observera" in [m.value.strip("# ") for m in at.markdown]
    assert [b for b in at.get("download_button") if b.proto.label == "Ladda ner månadsrapporten (PDF)"]
