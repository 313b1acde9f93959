"""Swedish is complete: the locale files match key for key, and no page shown in Swedish holds a Finnish UI word.

Finnish marker words are the words of the Finnish texts that occur in no Swedish text and in no text value of the
warehouse (station names, question-log topics, comments and other data stay as loaded).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import duckdb
import pytest
from google.protobuf import text_format

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
PAGES = ("yleiskuva", "tyokuorma", "tyonjako", "pulssi", "tavoitteet", "kayttoonotto", "tiedot")
WORD = re.compile(r"[A-Za-zÅÄÖåäö][a-zåäö]{4,}")
# Words that both languages write alike or that name the product, not Finnish UI text.
SHARED = {"Pulssi", "Pulssin", "Excel", "Likert", "Typst"}


def flat(lang: str) -> dict[str, str]:
    """Every key of a language, read straight from the TOML files."""

    def walk(table: dict, prefix: str = "") -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in table.items():
            out.update(walk(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
        return out

    merged: dict[str, str] = {}
    for path in [LOCALES / f"{lang}.toml", *sorted((LOCALES / lang).glob("*.toml"))]:
        merged.update(walk(tomllib.loads(path.read_text(encoding="utf-8"))))
    return merged


def words(text: str) -> set[str]:
    """The words of a text, placeholders left out."""
    return {w.lower() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", text))}


# Text data that every page shows as loaded, in either language: names, topics, tasks, comments, file names.
DATA_COLUMNS = {
    "stg_stations": ("station_id", "name_fi", "name_sv", "municipality"),
    "stg_tasks": ("task_id", "task_name", "task_group"),
    "stg_question_log": ("topic",),
    "mart_pulssi_comments": ("comment",),
    "load_log": ("file_name", "message"),
}


def data_words(db: Path) -> set[str]:
    """Words of the text data the pages show verbatim."""
    found: set[str] = set()
    with duckdb.connect(str(db), read_only=True) as con:
        for table, columns in DATA_COLUMNS.items():
            for column in columns:
                query = f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL'
                for (value,) in con.sql(query).fetchall():
                    found |= words(str(value))
    return found


def finnish_markers(db: Path) -> set[str]:
    sv_words = set().union(*(words(v) for v in flat("sv").values()))
    fi_words = set().union(*(words(v) for v in flat("fi").values()))
    return fi_words - sv_words - data_words(db) - {w.lower() for w in SHARED}


def test_fi_and_sv_have_the_same_keys() -> None:
    fi, sv = flat("fi"), flat("sv")
    assert sorted(set(fi) - set(sv)) == []
    assert sorted(set(sv) - set(fi)) == []


# Common Finnish words that are no Swedish word: none may stand in a Swedish text.
FINNISH_ONLY = {"tai", "ei", "on", "koko", "alue", "kaikki", "asema", "asemat", "kuukausi", "tiedot", "lataa",
                "piilotettu", "vastaajaa", "tuntia", "viikossa", "sivulla", "tavoite", "kunta", "sairauspoissaolot",
                "yks", "vko", "kartoitus", "tammikuu", "lokakuu", "joulukuu"}


def test_no_swedish_text_is_finnish() -> None:
    fi, sv = flat("fi"), flat("sv")
    # A Swedish value equal to its Finnish one is allowed only when it has no word but shared names.
    same = [k for k, v in sv.items() if v == fi.get(k) and words(v) - {w.lower() for w in SHARED}]
    assert same == []
    # Source names of the data contract ("asemat-filen", "(kartoitus)") are file names, not Finnish text.
    plain = {k: re.sub(r"\{[^}]*\}|\b\w+-fil\w*|\(\w+\)", " ", v).lower() for k, v in sv.items()}
    leaked = {k: sv[k] for k, v in plain.items() if set(re.findall(r"[a-zåäö]+", v)) & FINNISH_ONLY}
    assert leaked == {}


def element_texts(node) -> list[str]:  # noqa: ANN001 - an AppTest tree node
    """Every text an element tree shows: labels, values, options, chart specs, table headers."""
    out: list[str] = []
    children = getattr(node, "children", None)
    if children:
        for child in children.values():
            out += element_texts(child)
        proto = getattr(node, "proto", None)
        if proto is not None:  # expanders and tabs carry their label on the block
            out.append(text_format.MessageToString(proto, as_utf8=True))
        return out
    proto = getattr(node, "proto", None)
    if proto is None:
        return out
    if node.type == "arrow_data_frame":
        out += [str(c) for c in node.value.columns]
    else:
        out.append(text_format.MessageToString(proto, as_utf8=True))
    return out


@pytest.fixture(scope="module")
def markers(demo_db: Path) -> set[str]:
    found = finnish_markers(demo_db)
    # The list must hold a word that leaked before: it is a real check, not an empty set.
    assert "kuukausi" in found and len(found) > 100
    return found


@pytest.mark.parametrize("page", PAGES)
def test_every_page_in_swedish_has_no_finnish_ui_word(make_app, demo_db: Path, markers: set[str], page: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # AppTest formats widget values outside the script run, where the language comes from the environment.
    monkeypatch.setenv("TYONJAKO_LANG", "sv")
    at = make_app(demo_db, page=f"pages/{page}.py", role="projektipaallikko", state={"lang": "sv"})
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(element_texts(at._tree))  # noqa: SLF001 - the whole rendered tree, sidebar included
    found = sorted(words(shown) & markers)
    context = {w: re.search(rf".{{0,60}}{w}.{{0,40}}", shown, re.IGNORECASE | re.DOTALL).group(0) for w in found}
    assert found == [], context


def test_the_marker_words_catch_finnish(demo_db: Path) -> None:
    """The check would fail on Finnish: the Finnish page texts are full of marker words."""
    markers = finnish_markers(demo_db)
    fi = flat("fi")
    assert words(fi["filter.region"] + " " + fi["filter.all_stations"] + " " + fi["overview.trends"]) & markers


def test_the_page_walk_finds_finnish_on_a_finnish_page(make_app, demo_db: Path, markers: set[str]) -> None:
    """The same walk over a page in Finnish finds marker words: the Swedish check above can fail."""
    at = make_app(demo_db, page="pages/yleiskuva.py", role="projektipaallikko")
    shown = "\n".join(element_texts(at._tree))  # noqa: SLF001
    assert {"kuukausi", "kehitys"} <= words(shown) & markers
