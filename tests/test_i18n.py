"""Tests of the UI text lookup and of the completeness of the locale files."""

from __future__ import annotations

import os
import re
import string
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import i18n
from dashboard.i18n import available_langs, current_lang, t

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
# t("key") or i18n.t('key') with a literal key; f-strings and variables are not checked.
KEY_CALL = re.compile(r"(?<![\w.])(?:i18n\.)?t\(\s*(['\"])(?P<key>[^'\"\\\n]+)\1")


def flat_keys(lang: str) -> dict[str, str]:
    """The keys of a language (<lang>.toml and <lang>/*.toml), read independently of dashboard.i18n."""

    def walk(table: dict, prefix: str = "") -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in table.items():
            out.update(walk(value, f"{prefix}{key}.") if isinstance(value, dict) else {f"{prefix}{key}": value})
        return out

    merged: dict[str, str] = {}
    for path in [LOCALES / f"{lang}.toml", *sorted((LOCALES / lang).glob("*.toml"))]:
        merged.update(walk(tomllib.loads(path.read_text(encoding="utf-8"))))
    return merged


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def source_files() -> list[Path]:
    files = [ROOT / "app.py"] if (ROOT / "app.py").exists() else []
    for folder in ("pages", "dashboard"):
        if (ROOT / folder).is_dir():
            files += sorted((ROOT / folder).rglob("*.py"))
    return files


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    monkeypatch.delenv(i18n.LOCALES_ENV, raising=False)


def test_every_swedish_key_exists_in_finnish() -> None:
    extra = sorted(set(flat_keys("sv")) - set(flat_keys("fi")))
    assert extra == [], f"keys in sv.toml but not in fi.toml: {extra}"


def test_translations_keep_the_placeholders() -> None:
    fi, sv = flat_keys("fi"), flat_keys("sv")
    differing = [key for key in sv if key in fi and placeholders(sv[key]) != placeholders(fi[key])]
    assert differing == []


def test_all_values_are_non_empty_strings() -> None:
    for lang in ("fi", "sv"):
        for key, value in flat_keys(lang).items():
            # A unit suffix may be deliberately empty (a ratio has no unit); every other text must say something.
            assert isinstance(value, str) and (value.strip() or ".unit_suffix." in key), (lang, key)


def test_every_literal_key_in_the_code_exists_in_finnish() -> None:
    fi = set(flat_keys("fi"))
    missing = sorted(
        {
            f"{path.relative_to(ROOT)}: {match['key']}"
            for path in source_files()
            for match in KEY_CALL.finditer(path.read_text(encoding="utf-8"))
            if match["key"] not in fi
        }
    )
    assert missing == [], "t() keys missing from locales/fi.toml:\n" + "\n".join(missing)


def test_key_scan_finds_calls() -> None:
    code = "st.title(t('nav.pulssi'))\nx = i18n.t(\"app.title\", lang=l)\ny = t(f'role.{r}')\nz = st.t('no')\n"
    assert [m["key"] for m in KEY_CALL.finditer(code)] == ["nav.pulssi", "app.title"]


def test_initial_texts() -> None:
    assert t("app.title", "fi") == "Työnjakoseuranta"
    assert t("nav.tyonjako", "fi") == "Työnjaon toteutuminen"
    assert t("nav.tyonjako", "sv") == "Arbetsfördelningens genomförande"
    assert t("nav.kayttoonotto", "sv") == "Ibruktagande"
    assert t("role_group.sihteerit", "fi") == "Sihteerit ja avustajat"
    assert t("rollout_status.ei aloitettu", "fi") == "Ei aloitettu"
    assert t("download.excel", "fi") == "Lataa Excel"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_codes_of_the_data_have_texts(lang: str) -> None:
    keys = flat_keys(lang)
    for code in ("sihteerit", "kliiniset", "muut"):
        assert f"role_group.{code}" in keys
    for status in ("käytössä", "viivästynyt", "suunniteltu", "ei aloitettu"):
        assert f"rollout_status.{status}" in keys
    for page in ("yleiskuva", "tyokuorma", "tyonjako", "pulssi", "tavoitteet", "kayttoonotto", "tiedot"):
        assert f"nav.{page}" in keys


def test_placeholders_are_filled() -> None:
    assert t("suppression.small_group", "fi", k=5) == "alle 5 vastaajaa – tulos piilotettu tietosuojan vuoksi"
    assert (
        t("app.freshness", "fi", when="31.1.2025 klo 14.05", pulssi="1/2025")
        == "Tiedot päivitetty 31.1.2025 klo 14.05; Pulssi viimeksi 1/2025"
    )
    assert t("app.freshness", "sv", when="x", pulssi="y") == "Uppgifterna uppdaterade x; Pulssi senast y"


def test_a_missing_argument_leaves_the_placeholder() -> None:
    assert t("suppression.small_group", "fi") == "alle {k} vastaajaa – tulos piilotettu tietosuojan vuoksi"


def test_unknown_key_is_returned_as_is() -> None:
    assert t("no.such.key", "sv") == "no.such.key"
    assert t("no.such.{key}", lang="fi", key="x") == "no.such.{key}"


def test_a_placeholder_may_be_called_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "fi.toml", 'x = "avain {key}"\n', 10**18)
    monkeypatch.setenv(i18n.LOCALES_ENV, str(tmp_path))
    assert t("x", key="k") == "avain k"


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_fallback_to_finnish_and_flat_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "fi.toml", '"a.b" = "flat"\n[page.overview]\ntitle = "Yleiskuva"\nonly_fi = "vain"\n', 10**18)
    _write(tmp_path / "sv.toml", '[page.overview]\ntitle = "Översikt"\n', 10**18)
    monkeypatch.setenv(i18n.LOCALES_ENV, str(tmp_path))
    assert t("page.overview.title", "sv") == "Översikt"
    assert t("page.overview.only_fi", "sv") == "vain"
    assert t("a.b", "sv") == "flat"
    assert t("page.overview.title", "de") == "Yleiskuva"


def test_texts_are_reread_when_the_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.LOCALES_ENV, str(tmp_path))
    _write(tmp_path / "fi.toml", 'x = "vanha"\n', 10**18)
    assert t("x", "fi") == "vanha"
    _write(tmp_path / "fi.toml", 'x = "uusi"\n', 10**18 + 10**9)
    assert t("x", "fi") == "uusi"


def test_available_langs() -> None:
    assert available_langs() == {"fi": "suomi", "sv": "svenska"}
    assert list(available_langs())[0] == "fi"


def test_a_new_language_file_is_offered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for lang in ("sv", "fi", "en"):
        _write(tmp_path / f"{lang}.toml", 'x = "y"\n', 10**18)
    monkeypatch.setenv(i18n.LOCALES_ENV, str(tmp_path))
    assert available_langs() == {"fi": "suomi", "en": "English", "sv": "svenska"}


def test_current_lang_outside_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert current_lang() == "fi"
    monkeypatch.setenv(i18n.LANG_ENV, "sv")
    assert current_lang() == "sv"
    assert t("nav.yleiskuva") == "Översikt"
    monkeypatch.setenv(i18n.LANG_ENV, "xx")
    assert current_lang() == "fi"


def _app_script() -> None:
    import streamlit as st

    from dashboard.i18n import current_lang, t

    if st.session_state.get("use_sv"):
        st.session_state["lang"] = "sv"
    st.markdown(f"{current_lang()}|{t('nav.yleiskuva')}")


def test_current_lang_reads_the_session_in_a_streamlit_run(monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_function(_app_script).run()
    assert at.markdown[0].value == "fi|Yleiskuva"
    at.session_state["use_sv"] = True
    at.run()
    assert at.markdown[0].value == "sv|Översikt"
