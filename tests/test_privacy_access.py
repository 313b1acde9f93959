"""Privacy: role-scoped access (a station manager sees only their own stations' detail) and pseudonymised ids.

Every public function of the query layer (dashboard/queries.py, dashboard/queries_*.py and dashboard/overview.py)
is called with a station manager's scope, and where it takes a station, with another station's id; pages are run
through AppTest with crafted session state; the raw employee number of a loaded staffing file is looked for in
the warehouse file, the load log, the error messages of bad files and every page.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest

import dashboard
from core.settings import PROJECT_ROOT, ConfigError
from dashboard import queries
from dashboard.access import AccessFile, Scope, load_access, scope_for
from etl.load import InputFile, check, load
from etl.pseudonym import key_file_for
from warehouse import db as wdb

MY_STATION = "ESP-LEP"
OTHERS = ("ESP-KIV", "KIR-VEI")  # same municipality / another municipality (a small station)
MANAGER = Scope("esihenkilo", frozenset({MY_STATION}), "esihenkilo@example.fi")
JOHTO = Scope("johto", None, "johto@example.fi")
PM = Scope("projektipaallikko", None, "projektipaallikko@example.fi")
RAW_ID = "21833687"
# Columns of master data that any user may see for any station (names, municipality, rollout plan).
MASTER_COLUMNS = {"station_id", "name_fi", "name_sv", "municipality", "wave", "planned_go_live", "go_live", "status",
                  "closed_on"}
# Not query functions: `frame` runs a query string the caller passes (the building block of this layer).
NOT_QUERIES = {"dashboard.queries.frame"}


# --- the query layer, introspected -----------------------------------------------------------------------


def query_modules() -> list[ModuleType]:
    """dashboard.queries, every dashboard.queries_* module, and dashboard.overview."""
    names = ["dashboard.queries", "dashboard.overview"]
    names += sorted(f"dashboard.{m.name}" for m in pkgutil.iter_modules(dashboard.__path__)
                    if m.name.startswith("queries_"))
    return [importlib.import_module(n) for n in names]


def query_functions() -> list[tuple[str, Callable[..., Any]]]:
    """Public functions defined in those modules that read the warehouse (take `db`)."""
    out = []
    for module in query_modules():
        for name, func in inspect.getmembers(module, inspect.isfunction):
            qualified = f"{module.__name__}.{name}"
            if name.startswith("_") or func.__module__ != module.__name__ or qualified in NOT_QUERIES:
                continue
            if "db" in inspect.signature(func).parameters:
                out.append((qualified, func))
    return out


@pytest.fixture(scope="module")
def demo_facts(demo_db: Path) -> dict[str, Any]:
    """Values to call the query functions with, from the demo warehouse."""
    stations = queries.stations(demo_db)
    pulssi_months = set(queries.frame(demo_db, "SELECT DISTINCT month FROM mart_pulssi")["month"].to_list())
    months = sorted(set(queries.months(demo_db)) & pulssi_months)
    tables = set(queries.frame(demo_db, "SELECT table_name FROM information_schema.tables")["table_name"].to_list())

    def first(table: str, column: str, where: str = "TRUE") -> str:
        if table not in tables:
            return "x"
        value = queries.frame(demo_db, f"SELECT min({column}) FROM {table} WHERE {where}")[0, 0]  # noqa: S608
        return "x" if value is None else str(value)

    return {
        "stations": stations,
        "month": months[-1],
        "question_id": first("stg_questions", "question_id", "question_type = 'likert'"),
        "indicator_id": first("mart_goal_progress_station", "indicator_id"),
        "measure": first("mart_before_after", "measure"),
        "names": {r["station_id"]: {r["station_id"], r["name_fi"], r["name_sv"]} - {None}
                  for r in stations.iter_rows(named=True)},
        "municipality": dict(zip(stations["station_id"], stations["municipality"], strict=True)),
    }


def call_arguments(func: Callable[..., Any], db: Path, scope: Scope, station: str | None, municipality: str | None,
                   facts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for one call; KeyError names a required parameter this test does not know."""
    known: dict[str, Any] = {
        "db": db, "scope": scope, "station_id": station, "municipality": municipality, "month": facts["month"],
        "question_id": facts["question_id"], "indicator_id": facts["indicator_id"], "measure": facts["measure"],
        "role_group": None, "lang": "fi", "round_sel": "latest",
    }
    by_type = {"str": "x", "int": 1, "float": 1.0, "bool": False, "date": facts["month"]}
    kwargs = {}
    for name, param in inspect.signature(func).parameters.items():
        if name in known:
            kwargs[name] = known[name]
        elif param.default is not inspect.Parameter.empty:
            continue
        elif name.endswith("_label") or str(param.annotation).split(" |")[0] in by_type:
            kwargs[name] = "Tunniste" if name.endswith("_label") else by_type[str(param.annotation).split(" |")[0]]
        else:
            raise KeyError(name)
    return kwargs


def frames_in(result: Any) -> Iterator[pl.DataFrame]:
    """The frames a query returns: itself, a dataclass's frame fields, or the values of a dict/list."""
    if isinstance(result, pl.DataFrame):
        yield result
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        for f in dataclasses.fields(result):
            yield from frames_in(getattr(result, f.name))
    elif isinstance(result, dict):
        for value in result.values():
            yield from frames_in(value)
    elif isinstance(result, list | tuple):
        for value in result:
            yield from frames_in(value)


def foreign_rows(result: Any, scope: Scope, facts: dict[str, Any], scoped: bool) -> list[str]:
    """Rows of stations outside the scope in a result (master data is fine in functions without a scope)."""
    problems = []
    allowed = scope.stations or frozenset()
    foreign_names = {n for sid, names in facts["names"].items() if sid not in allowed for n in names}
    for df in frames_in(result):
        if "station_id" in df.columns:
            rows = df.filter(pl.col("station_id").is_not_null() & ~pl.col("station_id").is_in(sorted(allowed)))
            if not rows.is_empty() and (scoped or set(df.columns) - MASTER_COLUMNS):
                problems.append(f"rows of {sorted(set(rows['station_id']))[:3]} with columns {df.columns}")
        elif scoped:
            text_cols = [c for c, t in df.schema.items() if t == pl.String]
            for col in text_cols:
                hits = set(df[col].drop_nulls().to_list()) & foreign_names
                if hits:
                    problems.append(f"{col} names stations outside the scope: {sorted(hits)[:3]}")
    return problems


def is_empty_result(result: Any) -> bool:
    """None, an empty collection, or frames without rows."""
    if result is None or (isinstance(result, list | tuple | dict | set) and not result):
        return True
    frames = list(frames_in(result))
    return bool(frames) and all(df.is_empty() for df in frames)


def test_the_query_layer_is_found() -> None:
    names = {n for n, _ in query_functions()}
    assert {"dashboard.queries.pulssi", "dashboard.queries.workload", "dashboard.queries.comments",
            "dashboard.queries.load_log", "dashboard.overview.series"} <= names


@pytest.mark.parametrize("other", OTHERS)
def test_manager_gets_no_other_station_detail_from_any_query(demo_db: Path, demo_facts: dict[str, Any],
                                                             other: str) -> None:
    assert other in demo_facts["municipality"] and MY_STATION in demo_facts["municipality"]
    unknown: list[str] = []
    leaks: list[str] = []
    checked = 0
    for name, func in query_functions():
        params = inspect.signature(func).parameters
        scoped = "scope" in params
        variants: list[tuple[str | None, str | None]] = []
        if "station_id" in params:
            variants.append((other, None))
        if "station_id" not in params or params["station_id"].default is not inspect.Parameter.empty:
            variants += [(None, None), (None, demo_facts["municipality"][other])]
        for station, municipality in variants:
            try:
                kwargs = call_arguments(func, demo_db, MANAGER, station, municipality, demo_facts)
            except KeyError as exc:
                unknown.append(f"{name}({exc.args[0]})")
                break
            try:
                result = func(**kwargs)
            except PermissionError as exc:
                assert RAW_ID not in str(exc)
                checked += 1
                continue
            checked += 1
            if station is not None and not is_empty_result(result):
                leaks.append(f"{name}(station_id={other!r}) returned data instead of PermissionError")
            leaks += [f"{name}{(station, municipality)}: {p}" for p in foreign_rows(result, MANAGER, demo_facts,
                                                                                      scoped)]
    assert unknown == [], "query functions with parameters this test cannot fill; extend call_arguments()"
    assert leaks == []
    assert checked >= 20


@pytest.mark.parametrize("scope", [MANAGER, JOHTO])
def test_load_log_is_for_the_project_manager_only(demo_db: Path, scope: Scope) -> None:
    with pytest.raises(PermissionError):
        queries.load_log(demo_db, scope)
    assert not queries.load_log(demo_db, PM).is_empty()


def test_a_manager_without_stations_sees_no_station_detail(demo_db: Path) -> None:
    nobody = Scope("esihenkilo", frozenset(), "x")
    assert queries.station_choices(demo_db, nobody).is_empty()
    assert queries.pulssi(demo_db, nobody)["station_id"].drop_nulls().is_empty()
    assert queries.workload(demo_db, nobody).is_empty()
    with pytest.raises(PermissionError):
        queries.workload(demo_db, nobody, station_id=MY_STATION)


# --- the access file ---------------------------------------------------------------------------------------


def test_scope_for_listed_and_unlisted_users() -> None:
    access = AccessFile.model_validate({"kayttajat": [
        {"email": "Esihenkilo@Example.fi", "rooli": "esihenkilo", "asemat": [MY_STATION]},
        {"email": "johto@example.fi", "rooli": "johto", "asemat": ["ESP-KIV"]},
    ]})
    manager = scope_for("  ESIHENKILO@example.fi ", access)
    assert manager == Scope("esihenkilo", frozenset({MY_STATION}), "esihenkilo@example.fi")
    assert not manager.can_upload and not manager.all_stations
    assert manager.sees_station(MY_STATION) and not manager.sees_station("ESP-KIV") and not manager.sees_station(None)
    leader = scope_for("johto@example.fi", access)
    assert leader is not None and leader.all_stations and not leader.can_upload
    for unknown in ("someone@example.fi", "", None, "esihenkilo@example.fi.evil.com", "example.fi"):
        assert scope_for(unknown, access) is None


def test_access_file_validation_names_the_user(tmp_path: Path) -> None:
    path = tmp_path / "access.toml"
    path.write_text('[[kayttajat]]\nemail = "johto@example.fi"\nrooli = "johto"\n\n'
                    '[[kayttajat]]\nemail = "uusi.esihenkilo@example.fi"\nrooli = "esihenkilo"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="uusi.esihenkilo@example.fi") as info:
        load_access(path)
    assert "asemat" in str(info.value)
    path.write_text('[[kayttajat]]\nemail = "a@example.fi"\nrooli = "paakayttaja"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="rooli"):
        load_access(path)
    path.write_text('[[kayttajat]]\nemail = "a@example.fi"\nrooli = "johto"\nsalasana = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="salasana"):
        load_access(path)
    assert load_access(PROJECT_ROOT / "config" / "access.toml").kayttajat


# --- pages with crafted session state (AppTest) ---------------------------------------------------------


def page_content(at: AppTest, main_only: bool = False) -> tuple[str, list[pl.DataFrame]]:
    """All text of the page (or of its main area) and every table and chart dataset as a frame."""
    texts: list[str] = []
    tables: list[pl.DataFrame] = []

    def visit(node: Any) -> None:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        children = getattr(node, "children", None)
        if kind == "dataframe":
            frame = pl.from_pandas(node.value.reset_index(drop=True).astype(str))
            tables.append(frame)
            texts.append(frame.write_csv())
        elif kind in ("vega_lite_chart", "arrow_vega_lite_chart") and proto is not None:
            texts.append(proto.spec)
            for ds in proto.datasets:
                frame = pl.from_arrow(pa.ipc.open_stream(ds.data.data).read_all())
                tables.append(frame)  # type: ignore[arg-type]
                texts.append(frame.write_csv())  # type: ignore[union-attr]
        elif proto is not None and not (isinstance(children, dict) and children):
            texts.append(text_format.MessageToString(proto, as_utf8=True))
        if isinstance(children, dict):
            for child in children.values():
                visit(child)

    visit(at.main if main_only else at._tree)  # noqa: SLF001 - no public walk over every element
    return "\n".join(texts), tables


def existing_pages(*, include_data_page: bool = False) -> list[str]:
    pages = ["yleiskuva", "tyokuorma", "tyonjako", "pulssi", "tavoitteet", "kayttoonotto"]
    if include_data_page:
        pages.append("tiedot")
    return [f"pages/{p}.py" for p in pages if (PROJECT_ROOT / "pages" / f"{p}.py").exists()]


def assert_no_other_station(at: AppTest, page: str, other: str, names: set[str]) -> None:
    assert not at.exception, (page, [e.value for e in at.exception])
    station = at.selectbox(key="f_station") if "f_station" in at.session_state else None
    if station is not None:
        assert station.value != other, page
        assert set(station.options) <= {"Kaikki asemat", "Leppävaaran terveysasema"}, (page, station.options)
    text, tables = page_content(at, main_only=True)
    for frame in tables:
        for column in frame.columns:
            hits = set(frame[column].cast(pl.String).drop_nulls().to_list()) & names
            assert not hits, f"{page}: table column {column!r} holds {sorted(hits)}"
    for name in names - {other}:
        if len(name) > 7:  # ids such as ESP-KIV are checked in the tables only
            assert name not in text, f"{page}: the page names {name}"


@pytest.mark.parametrize("other", OTHERS)
def test_crafted_station_filter_opens_no_other_station(make_app, demo_db: Path, demo_facts: dict[str, Any],
                                                       other: str) -> None:
    # A manager's session that holds another station in the filters (as a crafted or stale state would).
    state = {"f_station": other, "f_municipality": demo_facts["municipality"][other]}
    at = make_app(demo_db, role="esihenkilo", station=MY_STATION, state=state)
    assert at.session_state["_session"].scope.stations == frozenset({MY_STATION})
    assert_no_other_station(at, "pages/yleiskuva.py", other, demo_facts["names"][other])
    # The crafted value is dropped: a manager is on their own station, or on the totals of a municipality
    # (the crafted one, a valid choice) that holds none of their stations.
    expected = MY_STATION if demo_facts["municipality"][other] == demo_facts["municipality"][MY_STATION] else "__all__"
    assert at.selectbox(key="f_station").value == expected
    # The data page (uploads, load log) is not in a manager's navigation at all.
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page(str(PROJECT_ROOT / "pages" / "tiedot.py"))


def test_no_page_shows_a_manager_other_stations(make_app, demo_db: Path, demo_facts: dict[str, Any]) -> None:
    at = make_app(demo_db, role="esihenkilo", station=MY_STATION)
    others = {n for sid, names in demo_facts["names"].items() if sid != MY_STATION for n in names}
    for page in existing_pages():
        at.switch_page(page).run()
        assert at.session_state["_session"].scope.stations == frozenset({MY_STATION})
        assert_no_other_station(at, page, "", others)


@pytest.mark.parametrize("crafted", ["NOPE", ["ESP-LEP", "ESP-KIV"], None])
def test_crafted_demo_station_gives_one_offered_station(make_app, demo_db: Path, crafted: object) -> None:
    at = make_app(demo_db, role="esihenkilo", state={"demo_station": crafted})
    assert not at.exception, [e.value for e in at.exception]
    chosen = at.selectbox(key="demo_station").value
    scope = at.session_state["_session"].scope
    assert scope.role == "esihenkilo"
    assert scope.stations == frozenset({chosen})
    assert chosen in queries.stations(demo_db)["station_id"].to_list()
    station_filter = at.selectbox(key="f_station")
    assert len(station_filter.options) == 2 and station_filter.value in ("__all__", chosen)


def _oidc_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: Path, email: str) -> AppTest:
    config = tmp_path / "config"
    config.mkdir()
    for name in ("asetukset.toml", "tavoitteet.toml"):
        if (PROJECT_ROOT / "config" / name).exists():
            (config / name).write_bytes((PROJECT_ROOT / "config" / name).read_bytes())
    (config / "access.toml").write_text(
        '[[kayttajat]]\nemail = "kivi@example.fi"\nrooli = "esihenkilo"\nasemat = ["ESP-KIV"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("TYONJAKO_CONFIG_DIR", str(config))
    monkeypatch.setenv("TYONJAKO_DB", str(db))
    monkeypatch.setenv("TYONJAKO_NO_AUTO_DEMO", "1")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=90)
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "c",
        "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.user = {"is_logged_in": True, "email": email}
    return at


def test_signed_in_manager_with_crafted_state_sees_only_their_station(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path, demo_db: Path,
                                                                      demo_facts: dict[str, Any]) -> None:
    at = _oidc_app(monkeypatch, tmp_path, demo_db, "Kivi@Example.fi")
    # Demo-mode keys do not matter once sign-in is configured.
    at.session_state["demo_role"] = "projektipaallikko"
    at.session_state["f_station"] = MY_STATION
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    scope = at.session_state["_session"].scope
    assert scope == Scope("esihenkilo", frozenset({"ESP-KIV"}), "kivi@example.fi")
    assert at.selectbox(key="f_station").value != MY_STATION
    assert [s.label for s in at.selectbox if s.key == "demo_role"] == []
    text, tables = page_content(at, main_only=True)
    for name in demo_facts["names"][MY_STATION]:
        assert name not in text


def test_unlisted_user_gets_a_refusal_and_no_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                  demo_db: Path) -> None:
    at = _oidc_app(monkeypatch, tmp_path, demo_db, "stranger@example.fi")
    at.session_state["demo_role"] = "johto"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text, tables = page_content(at)
    assert "stranger@example.fi" in text and "ei ole käyttöoikeutta" in text
    assert tables == [] and len(at.metric) == 0
    assert [s.key for s in at.selectbox if s.key in ("f_station", "f_month", "demo_role")] == []
    assert "_session" not in at.session_state or at.session_state["_session"] is None


# --- raw employee numbers never reach the warehouse, a log, a message or a page -------------------------

ASEMAT = """asema_id;nimi;kunta;kayttoonotto
ALF-A;Alfan asema;Alfa;1.1.2025
ALF-B;Beetan asema;Alfa;
"""
GOOD_STAFF = "kuukausi;henkilo_id;asema_id;rooli;tyoaikaprosentti;palvelussuhde;sairauspoissaolo_pv\n" + "".join(
    f"2026-01;{pid};{st};{role};100;vakinainen;{i % 3}\n"
    for i, (pid, st, role) in enumerate(
        [(RAW_ID, "ALF-A", "toimistosihteeri"), (RAW_ID, "ALF-B", "toimistosihteeri")]
        + [(str(30000000 + i), "ALF-A" if i < 8 else "ALF-B", "sairaanhoitaja") for i in range(16)]
    )
)
# Every row of this file is wrong in a different way, and every one carries the raw id.
BAD_STAFF = (
    "kuukausi;henkilo_id;asema_id;rooli;tyoaikaprosentti;palvelussuhde;sairauspoissaolo_pv\n"
    f"2026-02;{RAW_ID};ALF-A;toimistosihteeri;100;vakinainen;0\n"
    f"2026-02;{RAW_ID};ALF-A;toimistosihteeri;100;vakinainen;1\n"  # duplicate key
    f"2026-02;{RAW_ID};XXX-Y;toimistosihteeri;100;vakinainen;0\n"  # unknown station
    f"2026-02;{RAW_ID};ALF-B;kokki;100;vakinainen;0\n"  # unknown role
    f"2026-02;{RAW_ID};ALF-B;laakari;150;vakinainen;0\n"  # part-time % above 100
    f"2026-02;{RAW_ID};ALF-B;lahihoitaja;100;ikuinen;0\n"  # unknown employment type
    f"2026-02;{RAW_ID};ALF-B;sairaanhoitaja;100;vakinainen;45\n"  # more sick days than working days
    f"2026-13;{RAW_ID};ALF-B;sairaanhoitaja;100;vakinainen;0\n"  # no such month
    f"2026-02;{RAW_ID};ALF-B;sairaanhoitaja;abc;vakinainen;x\n"  # not numbers
)


def _xlsx(rows: list[list[object]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("henkilosto")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


BAD_XLSX = _xlsx([
    ["kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti", "palvelussuhde", "sairauspoissaolo_pv"],
    ["2026-02", int(RAW_ID), "ALF-A", "toimistosihteeri", 100, "vakinainen", 0],
    ["2026-02", int(RAW_ID), "ALF-A", "toimistosihteeri", 100, "vakinainen", 0],
    ["2026-02", int(RAW_ID), "ZZZ", "toimistosihteeri", 100, "vakinainen", 99],
])


@pytest.fixture(scope="module")
def id_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A warehouse with the raw id loaded once, and two rejected loads of bad staffing files."""
    path = tmp_path_factory.mktemp("ids") / "w.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("TYONJAKO_PSEUDONYM_KEY", raising=False)  # the key file beside the warehouse is created
        mp.delenv("TYONJAKO_CONFIG_DIR", raising=False)
        good = load([InputFile("asemat.csv", ASEMAT.encode()), InputFile("henkilosto.csv", GOOD_STAFF.encode())],
                    db=path)
        assert good.ok, good.problem_lines()
        messages = list(good.notices)
        for name, data in (("henkilosto_virheet.csv", BAD_STAFF.encode()), ("henkilosto_virheet.xlsx", BAD_XLSX)):
            results, _ = check([InputFile(name, data)], path, "henkilosto")
            messages += [str(p) for r in results for p in r.problems]
            bad = load([InputFile(name, data)], db=path, source="henkilosto")
            assert not bad.ok
            messages += bad.problem_lines() + bad.notices
    return path, messages


def test_bad_staffing_files_are_reported_without_the_raw_id(id_db: tuple[Path, list[str]]) -> None:
    _, messages = id_db
    assert len(messages) >= 10, messages  # the bad rows were reported ...
    assert any(":3:" in m for m in messages) and any(":5:" in m for m in messages)
    leaking = [m for m in messages if RAW_ID in m]
    assert leaking == [], "an error message repeats the raw employee number"  # ... without the number


def test_raw_id_is_not_in_the_warehouse_file(id_db: tuple[Path, list[str]]) -> None:
    path, _ = id_db
    for file in path.parent.iterdir():
        if file.name.startswith(path.name) and file.is_file():
            assert RAW_ID.encode() not in file.read_bytes(), file.name
    assert RAW_ID not in key_file_for(path).read_text(encoding="utf-8")
    with wdb.read(path) as con:
        columns = con.sql("SELECT table_name, column_name FROM information_schema.columns").fetchall()
        hits = []
        for table, column in columns:
            found = con.sql(
                f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) LIKE ?', params=[f"%{RAW_ID}%"]
            ).fetchall()[0][0]
            if found:
                hits.append(f"{table}.{column}")
        assert hits == []
        ids = con.sql("SELECT DISTINCT henkilo_id FROM raw_henkilosto").fetchall()
    assert len(ids) == 17 and all(len(i[0]) >= 16 and not i[0].isdigit() for i in ids)


def test_raw_id_is_not_in_the_load_log(id_db: tuple[Path, list[str]]) -> None:
    path, _ = id_db
    log = queries.load_log(path, PM)
    assert set(log["outcome"].to_list()) == {"loaded", "rejected"}
    assert RAW_ID not in log.write_csv()


def test_raw_id_is_on_no_page(make_app, id_db: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    path, _ = id_db
    monkeypatch.setenv("TYONJAKO_ALLOW_NO_AUTH", "1")  # a loaded warehouse: intranet mode
    at = make_app(path, role="projektipaallikko")
    pages = existing_pages(include_data_page=True)
    for page in pages:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        text, _ = page_content(at)
        assert RAW_ID not in text, page
        if page.endswith("tiedot.py"):
            # The data page lists the rejected loads, so the check above did read their messages.
            assert "henkilosto_virheet" in text
