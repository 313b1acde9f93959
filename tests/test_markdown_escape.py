"""Data values that reach Markdown are literal text: a station named like an image link, a municipality named
`**bold**` and a question with a link are shown escaped on every page (AppTest reads the Markdown source), so
the browser neither renders them nor fetches the URL."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.fmt import md_text
from warehouse.build import build_marts

STATION_NAME = "![x](http://127.0.0.1:9/x.png)"
MUNICIPALITY = "**bold**"
QUESTION = "[kysymys](http://127.0.0.1:9/q) :red[punainen]"
PAGES = ["pages/yleiskuva.py", "pages/tyokuorma.py", "pages/tyonjako.py", "pages/pulssi.py",
         "pages/kayttoonotto.py", "pages/tavoitteet.py"]


@pytest.fixture(scope="module")
def hostile_names_db(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the demo warehouse where one station, its municipality and every question have hostile names."""
    db = tmp_path_factory.mktemp("markdown") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    con = duckdb.connect(str(db))
    try:
        station = con.execute("SELECT min(asema_id) FROM raw_asemat").fetchone()[0]
        con.execute("UPDATE raw_asemat SET nimi = ?, nimi_sv = ?, kunta = ? WHERE asema_id = ?",
                    [STATION_NAME, STATION_NAME, MUNICIPALITY, station])
        con.execute("UPDATE raw_kysymykset SET teksti = ?, teksti_sv = ?", [QUESTION, QUESTION])
        build_marts(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, station


def markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element that Streamlit renders as Markdown, and every metric label."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        texts.extend(str(e.value) for e in getattr(at, kind))
    texts.extend(str(m.label) for m in at.metric)
    return texts


def test_md_text_escapes_every_markdown_character() -> None:
    assert md_text(STATION_NAME) == r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/x\.png\)"
    assert md_text(MUNICIPALITY) == r"\*\*bold\*\*"
    assert md_text("Kylä Keskus\nrivi") == "Kylä Keskus rivi"


@pytest.mark.parametrize("page", PAGES)
def test_names_with_markdown_render_as_text(page: str, make_app, hostile_names_db: tuple[Path, str]) -> None:  # noqa: ANN001
    db, station = hostile_names_db
    at = make_app(db, page=page, state={"f_municipality": MUNICIPALITY, "f_station": station})
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_sources(at)
    joined = "\n".join(texts)
    for raw in (STATION_NAME, MUNICIPALITY, "](http://127.0.0.1:9/q)"):
        assert raw not in joined, [t for t in texts if raw in t]
    if page != "pages/tavoitteet.py":  # the goal cards are region-wide: no unit name in their text
        shown = [t for t in texts if md_text(STATION_NAME) in t or md_text(MUNICIPALITY) in t]
        assert shown, f"{page} showed neither name: {texts}"
