"""UI texts from locales/<lang>.toml by dotted key, falling back to Finnish and then to the key itself."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st
from babel import Locale, UnknownLocaleError
from streamlit.runtime.scriptrunner import get_script_run_ctx

DEFAULT_LANG = "fi"
LANG_ENV = "TYONJAKO_LANG"
LOCALES_ENV = "TYONJAKO_LOCALES_DIR"
SESSION_KEY = "lang"
_PROJECT_ROOT = Path(__file__).resolve().parents[1]


class _KeepMissing(dict[str, Any]):
    """Format arguments that leave an unfilled placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def locales_dir() -> Path:
    """Folder of the <lang>.toml text files (TYONJAKO_LOCALES_DIR overrides the project's locales/)."""
    return Path(os.environ.get(LOCALES_ENV) or _PROJECT_ROOT / "locales")


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = str(value)
    return flat


@lru_cache(maxsize=32)
def _parse(path: str, mtime_ns: int) -> dict[str, str]:
    """One TOML file as dotted key → text (cached per file version)."""
    with open(path, "rb") as handle:
        return _flatten(tomllib.load(handle))


def texts(lang: str) -> dict[str, str]:
    """All texts of a language: locales/<lang>.toml merged with every locales/<lang>/*.toml (one per page)."""
    base = locales_dir() / f"{lang}.toml"
    paths = [base, *sorted((locales_dir() / lang).glob("*.toml"))]
    merged: dict[str, str] = {}
    for path in paths:
        try:
            mtime_ns = path.stat().st_mtime_ns
        except (FileNotFoundError, NotADirectoryError):
            continue
        merged.update(_parse(str(path), mtime_ns))
    return merged


def available_langs() -> dict[str, str]:
    """Languages with a text file, by code → own name from Babel ({"fi": "suomi", "sv": "svenska"}), Finnish first."""
    codes = sorted(p.stem for p in locales_dir().glob("*.toml"))
    codes.sort(key=lambda code: code != DEFAULT_LANG)
    return {code: _own_name(code) for code in codes}


def _own_name(code: str) -> str:
    """A language's name in itself, e.g. "svenska"; the code if Babel does not know the language."""
    try:
        return Locale.parse(code).get_language_name() or code
    except (ValueError, UnknownLocaleError):
        return code


def current_lang() -> str:
    """The session's language in a Streamlit run, else TYONJAKO_LANG, else Finnish."""
    candidates: list[object] = []
    if get_script_run_ctx(suppress_warning=True) is not None:
        candidates.append(st.session_state.get(SESSION_KEY))
    candidates.append(os.environ.get(LANG_ENV))
    langs = available_langs()
    return next((str(c) for c in candidates if c and c in langs), DEFAULT_LANG)


def t(key: str, /, lang: str | None = None, **kwargs: Any) -> str:
    """The text of a dotted key in the language (default: the current one), with {placeholders} filled in."""
    text = texts(lang or current_lang()).get(key)
    if text is None:
        text = texts(DEFAULT_LANG).get(key)
    if text is None:
        return key
    return text.format_map(_KeepMissing(kwargs))
