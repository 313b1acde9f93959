"""Loading: read, validate and check every file of one command, then apply all of them in one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
import pyarrow as pa

from core.settings import PROJECT_ROOT
from etl.contract import LOAD_ORDER, SOURCES
from etl.normalize import fold
from etl.problems import MAX_LISTED, Problem
from etl.pseudonym import PseudonymKey, get_key
from etl.readers import RawTable, ReadError, read_bytes
from etl.safe_read import Readers
from etl.validate import (
    ANSWER_PREFIX,
    Question,
    Validated,
    detect_source,
    errors_where,
    reference_errors,
    validate,
)
from warehouse import db as wdb
from warehouse.build import MONTHLY_BUILD_SOURCES, MONTHLY_SOURCES, build_marts, create_schema

HELSINKI = ZoneInfo("Europe/Helsinki")
DEFAULT_CATALOGUE = PROJECT_ROOT / "config" / "kysymykset.csv"
Progress = Callable[[str, str, int], None]

RAW_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "asemat": ("raw_asemat", ("asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto",
                              "kayttoonotto", "lakkautettu")),
    "tehtavat": ("raw_tehtavat", ("tehtava_id", "tehtava", "tehtavaryhma", "vastuurooli", "automatisoitavissa")),
    "kartoitus": ("raw_kartoitus", ("kartoituspvm", "asema_id", "tehtava_id", "suorittaja", "tunnit_viikossa")),
    "henkilosto": ("raw_henkilosto", ("kuukausi", "henkilo_id", "asema_id", "rooli", "tyoaikaprosentti",
                                      "palvelussuhde", "sairauspoissaolo_pv", "muu_poissaolo_pv")),
    "pulssi": ("raw_pulssi", ("kuukausi", "vastaus_id", "asema_id", "rooli", "kommentti")),
    "kysymykset": ("raw_kysymykset", ("kysymys_id", "teksti", "teksti_sv", "tyyppi", "asteikko_min",
                                      "asteikko_max", "tavoite")),
    "kysymysloki": ("raw_kysymysloki", ("avattu", "asema_id", "aihe", "tila", "ratkaistu")),
}
ANSWERS = ("raw_pulssi_vastaukset", ("kuukausi", "vastaus_id", "kysymys_id", "arvo"))


@dataclass(frozen=True)
class InputFile:
    """A file to load: its name as the user knows it, and its bytes (or the path they are read from when needed)."""

    name: str
    data: bytes = b""
    # A file on disk is read when its turn comes, so a command of five years of monthly files does not hold every
    # file's bytes at once (at national scale, most of a gigabyte).
    path: Path | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        """A file on disk; raises OSError now if it cannot be opened."""
        with open(path, "rb"):
            pass
        return cls(str(path), path=Path(path))

    def read(self) -> bytes:
        """The file's bytes; a file that went away since it was named is a ReadError."""
        if self.path is None:
            return self.data
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ReadError(f"tiedostoa ei voi avata: {exc.strerror or exc}") from exc


@dataclass
class FileResult:
    """What happened to one file."""

    file_name: str
    source: str | None = None
    rows: int = 0
    outcome: str = "rejected"
    content_hash: str = ""
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    change: str = ""
    diff: FileChange | None = None


@dataclass
class LoadResult:
    """What happened to a whole command."""

    files: list[FileResult]
    ok: bool
    load_id: int | None = None
    notices: list[str] = field(default_factory=list)
    # A real load into a demo warehouse starts a clean one; `refusal` says why nothing happened.
    clears_demo: bool = False
    refusal: str | None = None

    def problem_lines(self) -> list[str]:
        """Every problem line, FILE:ROW:COLUMN: message, at most 100 per file and then a count."""
        lines: list[str] = []
        for f in self.files:
            lines.extend(str(p) for p in f.problems[:MAX_LISTED])
            if f.problem_count > MAX_LISTED:
                lines.append(f"{f.file_name}: ... ja {f.problem_count - MAX_LISTED} muuta ongelmaa "
                             f"(yhteensä {f.problem_count})")
        return lines


class _Rejected(Exception):
    """The command is refused as a whole."""


def _now() -> dt.datetime:
    return dt.datetime.now(HELSINKI).replace(tzinfo=None, microsecond=0)


def _existing(db: Path, fresh: bool = False) -> dict[str, object]:
    """What the warehouse already holds that the checks need (nothing, when the load starts a clean one)."""
    state: dict[str, object] = {"stations": set(), "tasks": set(), "questions": {}, "fingerprint": None,
                                "closed": {}}
    if fresh or not db.exists():
        return state
    with wdb.read(db) as con:
        tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        if "raw_asemat" in tables:
            state["stations"] = {r[0] for r in con.sql("SELECT asema_id FROM raw_asemat").fetchall()}
            state["tasks"] = {r[0] for r in con.sql("SELECT tehtava_id FROM raw_tehtavat").fetchall()}
            if "lakkautettu" in _table_columns(con, "raw_asemat"):
                state["closed"] = dict(con.sql("SELECT asema_id, lakkautettu FROM raw_asemat "
                                               "WHERE lakkautettu IS NOT NULL").fetchall())
            state["questions"] = {
                fold(r[0]): Question(r[0], r[1], r[2], r[3])
                for r in con.sql("SELECT kysymys_id, tyyppi, asteikko_min, asteikko_max FROM raw_kysymykset")
                .fetchall()
            }
        if "meta" in tables:
            state["fingerprint"] = wdb.scalar(con, "SELECT value FROM meta WHERE key = 'pseudonym_key_fingerprint'")
    return state


def _after_closing(v: Validated, closed: dict[str, dt.date]) -> pl.DataFrame:
    """Rows of a month (or mapping day) that begins after their station's closing date."""
    if "asema_id" not in v.frame_headers:
        return errors_where(v.frame, pl.lit(False), "asema_id", 0, pl.lit(""))
    when = "kartoituspvm" if v.source == "kartoitus" else "kuukausi"
    closing = pl.col("asema_id").replace_strict(closed, default=None, return_dtype=pl.Date)
    cond = (closing.is_not_null() & (pl.col(when) > closing)).fill_null(False)
    message = pl.format("asema '{}' on lakkautettu {}, eikä sille voi ladata myöhempiä rivejä; kirjaa rivi asemalle, "
                        "jolle toiminta siirtyi", pl.col("asema_id"), closing.dt.strftime("%-d.%-m.%Y"))
    return errors_where(v.frame, cond, v.header_of("asema_id"), v.column_index["asema_id"], message)


def _catalogue_from(v: Validated) -> dict[str, Question]:
    f = v.frame.drop_nulls(["kysymys_id", "tyyppi", "asteikko_min", "asteikko_max"])
    return {
        fold(r["kysymys_id"]): Question(r["kysymys_id"], r["tyyppi"], r["asteikko_min"], r["asteikko_max"])
        for r in f.iter_rows(named=True)
    }


def check(
    files: Sequence[InputFile], db: Path, source: str | None = None, progress: Progress | None = None,
    *, fresh: bool = False,
) -> tuple[list[FileResult], list[Validated]]:
    """Read and validate every file against the contract and the warehouse, without writing anything."""
    progress = progress or (lambda *_: None)
    state = _existing(db, fresh)
    results: list[FileResult] = []
    tables: list[tuple[FileResult, RawTable]] = []
    with Readers() as readers:
        # Files are read in parallel reading processes; each is reported as soon as it and those before it are.
        def read(f: InputFile, name: str, source: str | None) -> RawTable:
            return read_bytes(f.read(), name, source, readers=readers)

        for f, table in zip(files, readers.read_all([(f, f.name, source) for f in files], read), strict=True):
            res = FileResult(f.name)
            results.append(res)
            if isinstance(table, ReadError):
                res.problems = [Problem(f.name, None, None, str(table))]
                res.problem_count = 1
                continue
            res.content_hash = table.content_hash
            res.rows = table.frame.height
            progress(f.name, "luettu", res.rows)
            tables.append((res, table))

    known_questions = set(state["questions"])  # type: ignore[arg-type]
    detected: list[tuple[FileResult, RawTable, str]] = []
    for res, table in tables:
        name = source or detect_source(table, known_questions)
        if name is None:
            res.problems = [Problem(res.file_name, None, None,
                                    "lähdettä ei tunnistettu otsikkorivistä; tarkista sarakkeiden nimet tai "
                                    f"valitse tiedoston lähde itse ({', '.join(SOURCES)})")]
            res.problem_count = 1
            continue
        res.source = name
        detected.append((res, table, name))
    sources = {name for _, _, name in detected}
    if "pulssi" in sources and "kysymykset" not in sources and not state["questions"]:
        # The contract's default catalogue ships with the project: a first Pulssi load without a catalogue of
        # its own loads it in the same transaction (and the load log says so).
        default = DEFAULT_CATALOGUE.read_bytes()
        res = FileResult(f"{DEFAULT_CATALOGUE.name} (oletusluettelo)", "kysymykset")
        table = read_bytes(default, res.file_name, "kysymykset")
        res.content_hash, res.rows = table.content_hash, table.frame.height
        results.append(res)
        detected.append((res, table, "kysymykset"))
    detected.sort(key=lambda item: LOAD_ORDER.index(item[2]))

    catalogue: dict[str, Question] = dict(state["questions"])  # type: ignore[arg-type]
    command_catalogue: dict[str, Question] | None = None
    validated: list[Validated] = []
    stations = set(state["stations"])  # type: ignore[arg-type]
    tasks = set(state["tasks"])  # type: ignore[arg-type]
    loaded_masters: set[str] = set()
    for res, table, name in detected:
        v = validate(table, name, command_catalogue if command_catalogue is not None else catalogue)
        # The cells as text are not needed after validation: at national scale they are gigabytes.
        table.frame = table.frame.clear()
        if name == "kysymykset":
            command_catalogue = {**(command_catalogue or {}), **_catalogue_from(v)}
        elif name == "asemat":
            # A master file replaces the stored list whole: references resolve against the new list only.
            stations = set() if "asemat" not in loaded_masters else stations
            stations |= set(v.frame["asema_id"].drop_nulls().to_list())
            loaded_masters.add("asemat")
        elif name == "tehtavat":
            tasks = set() if "tehtavat" not in loaded_masters else tasks
            tasks |= set(v.frame["tehtava_id"].drop_nulls().to_list())
            loaded_masters.add("tehtavat")
        validated.append(v)
        res.warnings = v.warnings
    closed: dict[str, dt.date] = dict(state["closed"])  # type: ignore[arg-type]
    new_lists = [v.frame for v in validated if v.source == "asemat"]
    if new_lists:
        both = pl.concat([f.select("asema_id", "lakkautettu") for f in new_lists], how="vertical_relaxed")
        closed = dict(both.drop_nulls().iter_rows())
    for v in validated:
        if v.source in ("kartoitus", "henkilosto", "pulssi", "kysymysloki"):
            v.add_errors(reference_errors(v, "asema_id", stations, "asemaluettelossa (asemat)"))
        if v.source in ("kartoitus", "henkilosto", "pulssi") and closed:
            v.add_errors(_after_closing(v, closed))
        if v.source == "kartoitus":
            v.add_errors(reference_errors(v, "tehtava_id", tasks, "tehtäväluettelossa (tehtavat)"))
    for v in validated:
        res = next(r for r in results if r.file_name == v.table.file_name and r.source == v.source)
        res.problem_count = v.error_count
        res.problems = v.problems()
        progress(res.file_name, "tarkistettu", res.rows)
    return results, validated


def _clears_demo(db: Path, origin: str) -> bool:
    """Whether a load of this origin into this warehouse starts a clean one: a real load into a demo warehouse."""
    if origin == "demo" or not db.exists():
        return False
    with wdb.read(db) as con:
        tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        if "meta" not in tables:
            return False
        return wdb.scalar(con, "SELECT value FROM meta WHERE key = 'data_origin'") == "demo"


_DEMO_COUNTS = [
    ("asemaa", "raw_asemat"), ("henkilöstöriviä", "raw_henkilosto"), ("Pulssi-vastausta", "raw_pulssi"),
    ("kartoitusriviä", "raw_kartoitus"),
]


def _demo_rows(db: Path) -> tuple[int, str]:
    """How much demo data the warehouse holds: a total and a short text."""
    with wdb.read(db) as con:
        counts = [(label, int(wdb.scalar(con, f"SELECT count(*) FROM {table}") or 0))  # type: ignore[arg-type]
                  for label, table in _DEMO_COUNTS]
    text = ", ".join(f"{_n(n)} {label}" for label, n in counts)
    return sum(n for _, n in counts), text


def demo_notice(db: Path) -> str:
    """The sentence that says a real load clears the demo warehouse."""
    _, text = _demo_rows(db)
    return (f"Varasto {db.name} sisältää demoaineiston ({text}). Ensimmäinen oikea lataus aloittaa puhtaan varaston: "
            "kaikki demotiedot poistetaan, eikä mitään niistä jää koosteisiin.")


DEMO_REFUSAL = ("Lataus keskeytettiin, varasto on ennallaan. Vahvista demoaineiston poisto antamalla komennolle "
                "--replace-demo, tai lataa toiseen varastoon valinnalla --db POLKU.")


def _key_for(path: Path, results: list[FileResult], validated: list[Validated], fresh: bool, create: bool,
             notices: list[str]) -> PseudonymKey | None:
    """The pseudonymisation key of a command with staffing files; refuses those files if the key differs from
    the one that made the stored pseudonyms. A dry run never creates a key (a throwaway one stands in)."""
    if not any(v.source == "henkilosto" for v in validated):
        return None
    key = get_key(path, create=create)
    if key is None:
        return PseudonymKey(secrets.token_bytes(32), "kokeilu")
    if key.created:
        notices.append(f"Luotiin uusi pseudonymisointiavain tiedostoon {key.origin} (vain omistajan "
                       "luettavissa). Säilytä se: ilman sitä uudet lataukset eivät yhdisty historiaan.")
    stored = None if fresh else _existing(path)["fingerprint"]
    if stored and stored != key.fingerprint:
        for r in results:
            if r.source == "henkilosto":
                r.problems = [Problem(r.file_name, None, None,
                                      "pseudonymisointiavain ei ole sama, jolla varaston henkilötunnisteet "
                                      "on tehty; aseta oikea TYONJAKO_PSEUDONYM_KEY tai avaintiedosto")]
                r.problem_count = 1
    return key


def _plan_connection(path: Path, fresh: bool) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
    """A read-only view of what the load starts from: the served file, or an empty warehouse."""
    if fresh or not path.exists():
        return _empty_warehouse()
    return wdb.read(path)


@contextlib.contextmanager
def _empty_warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(":memory:")
    try:
        create_schema(con)
        yield con
    finally:
        con.close()


def _plan(path: Path, results: list[FileResult], validated: list[Validated], key: PseudonymKey | None,
          fresh: bool) -> list[_Group]:
    """What the command would change, per file: the same groups and diff that the load then applies."""
    groups = _groups(validated, key)
    with _plan_connection(path, fresh) as con:
        for problem_file, problems in _orphans(con, groups).items():
            res = _result_of(results, problem_file)
            res.problems.extend(problems)
            res.problem_count += len(problems)
        for g in groups:
            g.changes = _diff(con, g)
            for i, change in enumerate(g.changes):
                res = _result_of(results, g.files[i].table.file_name, g.source)
                res.diff = change
                res.change = change.text()
    return groups


def _result_of(results: list[FileResult], file_name: str, source: str | None = None) -> FileResult:
    return next(r for r in results if r.file_name == file_name and (source is None or r.source == source))


def dry_run(
    files: Sequence[InputFile],
    db: str | Path | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    origin: str = "loaded",
) -> LoadResult:
    """Everything a load would report and change, without writing anything (not even a key file)."""
    path = wdb.resolve(db)
    fresh = _clears_demo(path, origin)
    results, validated = check(files, path, source, progress, fresh=fresh)
    notices: list[str] = [demo_notice(path)] if fresh else []
    refused = any(r.problem_count for r in results)
    key = None if refused else _key_for(path, results, validated, fresh, False, notices)
    if not refused and not any(r.problem_count for r in results):
        _plan(path, results, validated, key, fresh)
    ok = not any(r.problem_count for r in results)
    for r in results:
        r.outcome = "rejected" if not ok else ("loaded" if r.diff is not None and r.diff.any else "unchanged")
        if not ok:
            r.change = ""
    return LoadResult(results, ok, None, notices, clears_demo=fresh)


def load(
    files: Sequence[InputFile],
    db: str | Path | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    origin: str = "loaded",
    *,
    replace_demo: bool = False,
) -> LoadResult:
    """Load every file of one command in one transaction, or none of them.

    A real load into a demo warehouse starts a clean warehouse, and only when `replace_demo` confirms it;
    otherwise nothing is read or written and the result carries the refusal.
    """
    path = wdb.resolve(db)
    progress = progress or (lambda *_: None)
    with wdb.writer_lock(path):
        fresh = _clears_demo(path, origin)
        if fresh and not replace_demo:
            return LoadResult([], False, None, [demo_notice(path)], clears_demo=True, refusal=DEMO_REFUSAL)
        cleared, cleared_text = _demo_rows(path) if fresh else (0, "")
        notices: list[str] = []
        results, validated = check(files, path, source, progress, fresh=fresh)
        refused = any(r.problem_count for r in results)
        key = None if refused else _key_for(path, results, validated, fresh, True, notices)
        groups: list[_Group] = []
        if not any(r.problem_count for r in results):
            groups = _plan(path, results, validated, key, fresh)
        if any(r.problem_count for r in results):
            for r in results:
                r.outcome, r.change = "rejected", ""
            load_id = _write(path, results, [], key, origin, fresh=False, cleared=0)
            return LoadResult(results, False, load_id, notices, clears_demo=fresh)
        load_id = _write(path, results, groups, key, origin, fresh=fresh, cleared=cleared)
        if fresh:
            notices.insert(0, f"Demoaineisto poistettiin ({cleared_text}); varastossa on nyt vain tämän latauksen "
                              "tiedot.")
        return LoadResult(results, True, load_id, notices, clears_demo=fresh)


def _write(path: Path, results: list[FileResult], groups: list[_Group], key: PseudonymKey | None,
           origin: str, *, fresh: bool, cleared: int) -> int:
    """Publish a new warehouse version holding the loads (or only the log lines of a refused command).

    `fresh`: the new version starts empty (the demo it replaces is dropped whole, its load log too).
    """
    with (wdb.fresh_version(path) if fresh else wdb.new_version(path)) as con:
        con.execute("SET enable_progress_bar = false")
        create_schema(con)
        con.execute("BEGIN TRANSACTION")
        load_id = int(wdb.scalar(con, "SELECT coalesce(max(load_id), 0) + 1 FROM load_log"))  # type: ignore[arg-type]
        changed = fresh
        months = _months_changed(groups, fresh)  # before the groups let their rows go
        for g in groups:
            if any(c.any for c in g.changes):
                _apply(con, g, load_id)
                changed = True
            # The rows are in the warehouse now: let them go before the marts are built (gigabytes nationally).
            g.frame, g.answers = g.frame.clear(), None
            for i, change in enumerate(g.changes):
                res = _result_of(results, g.files[i].table.file_name, g.source)
                res.outcome = "loaded" if change.any else "unchanged"
        if changed:
            build_marts(con, months=months)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('data_origin', ?)", [origin])
        if key is not None and groups:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('pseudonym_key_fingerprint', ?)", [key.fingerprint])
        if not _has_marts(con):
            build_marts(con)
        now = _now()
        if fresh:
            con.execute(
                "INSERT INTO load_log VALUES (?, ?, ?, ?, NULL, ?, 'cleared', ?)",
                [load_id, now, "demoaineisto", "", cleared,
                 "demoaineisto poistettiin kokonaan ennen ensimmäistä oikeaa latausta"],
            )
        for r in results:
            message = "; ".join(str(p) for p in r.problems[:3]) if r.problems else r.change
            if r.outcome == "rejected" and not r.problems:
                message = "hylätty, koska saman latauksen toisessa tiedostossa oli virheitä"
            con.execute(
                "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, now, Path(r.file_name).name, r.content_hash, r.source, r.rows, r.outcome, message],
            )
        con.execute("COMMIT")
    return load_id


def _arrow(frame: pl.DataFrame) -> pa.Table:
    """A frame for DuckDB to scan: Arrow string views share polars' buffers (the default would copy every string,
    a gigabyte for a national history)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def _months_changed(groups: list[_Group], fresh: bool) -> list[dt.date] | None:
    """The months a load changed when it changed only month partitions (then only they are rebuilt), else None."""
    changed = [g for g in groups if any(c.any for c in g.changes)]
    if fresh or any(g.source not in MONTHLY_BUILD_SOURCES for g in changed):
        return None
    return sorted({m for g in changed if g.source in MONTHLY_SOURCES for m in g.scope["kuukausi"].to_list()})


def _has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(wdb.scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'mart_workload'"))


@dataclass(frozen=True)
class _ReplaceSql:
    """The statements that replace one raw table's rows in a file's scope."""

    delete: str
    insert: str


def _replace_sql(table: str, cols: tuple[str, ...], by: tuple[str, ...], new: str, load_id: bool) -> _ReplaceSql:
    """Build the statements of one table once, at import, from the module's own table and column constants."""
    where = (
        "EXISTS (SELECT 1 FROM __scope AS s WHERE " + " AND ".join(f"s.{c} = {table}.{c}" for c in by) + ")"
        if by else "TRUE"
    )
    c = ", ".join(cols)
    # By name: a column added to the contract later (ALTER TABLE) stands after load_id in older warehouses.
    return _ReplaceSql(
        delete=f"DELETE FROM {table} WHERE {where}",
        insert=f"INSERT INTO {table} ({c}{', load_id' if load_id else ''}) SELECT {c}{', ?' if load_id else ''} "
               f"FROM {new}",
    )


_REPLACE: dict[str, _ReplaceSql] = {
    source: _replace_sql(table, cols, SOURCES[source].replace_by, "__new", True)
    for source, (table, cols) in RAW_TABLES.items()
}


def _long_answers(wide: str) -> str:
    """The answers of a registered wide Pulssi frame (a column per question) as rows of raw_pulssi_vastaukset."""
    return (f"(SELECT kuukausi, vastaus_id, substr(kysymys_id, {len(ANSWER_PREFIX) + 1}) AS kysymys_id, arvo "
            f"FROM (UNPIVOT {wide} ON COLUMNS('^{ANSWER_PREFIX}') INTO NAME kysymys_id VALUE arvo))")


_REPLACE_ANSWERS = _replace_sql(*ANSWERS, SOURCES["pulssi"].replace_by, _long_answers("__answers"), False)


@dataclass
class _Group:
    """The files of one source in one command, prepared for the diff and the load (pseudonyms applied).

    Files of one source act as one file: an extract split in two (e.g. by municipality) adds up instead of
    the second replacing the first's month. `frame` carries `_file`, the index of the row's file in `files`.
    """

    source: str
    files: list[Validated]
    frame: pl.DataFrame
    answers: pl.DataFrame | None
    changes: list[FileChange] = field(default_factory=list)

    @property
    def scope(self) -> pl.DataFrame:
        """The replace-by values present in the files (one row `all` for a full replace)."""
        by = SOURCES[self.source].replace_by
        return self.frame.select(list(by)).unique() if by else pl.DataFrame({"all": [1]})


def _groups(validated: list[Validated], key: PseudonymKey | None) -> list[_Group]:
    """The files of each source as one group; the validated files hand their rows over to it."""
    by_source: dict[str, list[Validated]] = {}
    for v in validated:
        by_source.setdefault(v.source, []).append(v)
    groups = []
    for source, files in by_source.items():
        cols = list(RAW_TABLES[source][1])
        frame = pl.concat(
            [v.frame.select(cols).with_columns(pl.lit(i, pl.Int32).alias("_file")) for i, v in enumerate(files)],
            how="vertical_relaxed", rechunk=False,  # the files' chunks as they are: no second copy of the history
        )
        if source == "henkilosto":
            assert key is not None
            mapping = {i: key.pseudonym(i) for i in frame["henkilo_id"].unique().to_list()}
            frame = frame.with_columns(pl.col("henkilo_id").replace_strict(mapping, return_dtype=pl.String))
        answers = None
        if source == "pulssi":
            # Files may ask different questions: a question a file lacks is empty there (and dropped as no answer).
            answers = pl.concat([v.answers for v in files if v.answers is not None], how="diagonal_relaxed",
                                rechunk=False)
            if not any(c.startswith(ANSWER_PREFIX) for c in answers.columns):
                answers = answers.with_columns(pl.lit(None, pl.Int64).alias(f"{ANSWER_PREFIX}-"))
        groups.append(_Group(source, files, frame, answers))
        for v in files:  # the group holds the rows now; a national history's frames twice over would be gigabytes
            v.frame, v.answers = v.frame.clear(), None
    return groups


# --- the diff ----------------------------------------------------------------------------------------------

# Columns that name what a change touched, per source: (month or date, station, other code).
_WHAT: dict[str, tuple[str | None, str | None, str | None]] = {
    "asemat": (None, "asema_id", None),
    "tehtavat": (None, None, "tehtava_id"),
    "kysymykset": (None, None, "kysymys_id"),
    "kysymysloki": ("avattu", "asema_id", None),
    "kartoitus": ("kartoituspvm", "asema_id", None),
    "henkilosto": ("kuukausi", "asema_id", None),
    "pulssi": ("kuukausi", "asema_id", None),
}
_LISTED = 12


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" … ({len(items)})" if len(items) > _LISTED else "")


@dataclass
class FileChange:
    """What one file of a command changes: its own share of the rows added, replaced and removed."""

    source: str
    added: int = 0
    replaced: int = 0
    removed: int = 0
    unchanged: int = 0
    months: list[dt.date] = field(default_factory=list)
    stations: list[str] = field(default_factory=list)
    rounds: list[tuple[dt.date, str]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether the file changes anything."""
        return bool(self.added or self.replaced or self.removed)

    def text(self) -> str:
        """A plain sentence of the change, as the load log and the check report show it."""
        if not self.any:
            return f"{_n(self.unchanged)} riviä ennallaan"
        parts = [f"uusia {_n(self.added)}, korvattuja {_n(self.replaced)}, poistuvia {_n(self.removed)}, "
                 f"ennallaan {_n(self.unchanged)}"]
        if self.source == "kartoitus":
            parts.append("kartoituskierrokset " + _listed([f"{_fi_date(d)} {s}" for d, s in self.rounds]))
        elif self.months:
            parts.append("kuukaudet " + _listed([f"{m.month}/{m.year}" for m in self.months]))
        if self.stations:
            parts.append("asemat " + _listed(self.stations))
        if self.codes:
            parts.append("koodit " + _listed(self.codes))
        return "; ".join(parts)


def _fi_date(d: dt.date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.sql("SELECT column_name FROM information_schema.columns WHERE table_name = ?", params=[table])
    return {r[0] for r in rows.fetchall()}


def _scope_where(table: str, by: tuple[str, ...], scope: str) -> str:
    if not by:
        return "TRUE"
    return f"EXISTS (SELECT 1 FROM {scope} AS s WHERE " + " AND ".join(f"s.{c} = {table}.{c}" for c in by) + ")"


def _diff(con: duckdb.DuckDBPyConnection, g: _Group) -> list[FileChange]:
    """Per file of a group: rows that the load adds, replaces (same key, other values), removes and keeps."""
    spec = SOURCES[g.source]
    table, cols = RAW_TABLES[g.source]
    present = _table_columns(con, table)
    old_cols = ", ".join(c if c in present else f"NULL AS {c}" for c in cols)
    con.register("__dnew", _arrow(g.frame))
    con.register("__dscope", _arrow(g.scope))
    try:
        old = f"SELECT {old_cols} FROM {table} WHERE {_scope_where(table, spec.replace_by, '__dscope')}"
        new = f"SELECT {', '.join(cols)}, _file FROM __dnew"
        if g.source == "pulssi":
            assert g.answers is not None
            con.register("__danswers", _arrow(g.answers))
            # Σ of 64-bit hashes (as HUGEINT) with the count identifies a response's set of answers, far cheaper
            # than an ordered string of a million answers.
            digest = "count(*) || ':' || sum(hash(kysymys_id, arvo)::HUGEINT)"
            per_response = f"SELECT kuukausi, vastaus_id, {digest} AS answers FROM"
            old = (f"SELECT o.*, a.answers FROM ({old}) AS o LEFT JOIN ({per_response} raw_pulssi_vastaukset "
                   "WHERE kuukausi IN (SELECT kuukausi FROM __dscope) GROUP BY ALL) AS a USING (kuukausi, vastaus_id)")
            new = (f"SELECT n.*, a.answers FROM ({new}) AS n LEFT JOIN ({per_response} {_long_answers('__danswers')} "
                   "GROUP BY ALL) AS a "
                   "USING (kuukausi, vastaus_id)")
        what = [c for c in _WHAT[g.source] if c is not None]
        key = list(spec.unique_key)
        if key:
            others = [c for c in cols if c not in key] + (["answers"] if g.source == "pulssi" else [])
            on = " AND ".join(f"n.{c} = o.{c}" for c in key)
            differs = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in others) or "FALSE"
            owner = _removed_owner(spec.replace_by)
            sql = f"""
                WITH o AS ({old}), n AS ({new}), owners AS ({owner})
                SELECT CASE WHEN o.{key[0]} IS NULL THEN 'added' WHEN n.{key[0]} IS NULL THEN 'removed'
                            WHEN {differs} THEN 'replaced' ELSE 'unchanged' END AS kind,
                       coalesce(n._file, (SELECT min(w._file) FROM owners AS w
                                          WHERE {_owner_match(spec.replace_by)})) AS _file,
                       {', '.join(f'coalesce(n.{c}, o.{c}) AS {c}' for c in what) or 'NULL AS none'}
                FROM n FULL OUTER JOIN o ON {on}
            """
        else:
            # No key (a full-replace log): rows are compared whole, as multisets.
            plain = ", ".join(cols)
            sql = f"""
                WITH o AS ({old}), n AS ({new})
                SELECT 'added' AS kind, 0 AS _file, {', '.join(what)} FROM (SELECT {plain} FROM n EXCEPT ALL
                                                                          SELECT {plain} FROM o)
                UNION ALL
                SELECT 'removed', 0, {', '.join(what)} FROM (SELECT {plain} FROM o EXCEPT ALL SELECT {plain} FROM n)
                UNION ALL
                SELECT 'unchanged', 0, {', '.join(what)} FROM (SELECT {plain} FROM n INTERSECT ALL
                                                              SELECT {plain} FROM o)
            """
        # Counted per kind, file and what it touched: a national file's ten million rows become a few thousand.
        rows = con.sql(f"SELECT *, count(*) AS n FROM ({sql}) GROUP BY ALL").pl()
    finally:
        for name in ("__dnew", "__dscope", "__danswers"):
            with contextlib.suppress(Exception):
                con.unregister(name)
    return [_summarise(g.source, rows.filter(pl.col("_file") == i)) for i in range(len(g.files))]


def _removed_owner(by: tuple[str, ...]) -> str:
    """The rows of the new files that claim each replaced scope: removed rows belong to the first such file."""
    return f"SELECT {', '.join(by)}, _file FROM n" if by else "SELECT _file FROM n"


def _owner_match(by: tuple[str, ...]) -> str:
    return " AND ".join(f"w.{c} = o.{c}" for c in by) if by else "TRUE"


def _summarise(source: str, rows: pl.DataFrame) -> FileChange:
    month_col, station_col, code_col = _WHAT[source]
    counts = dict(rows.group_by("kind").agg(pl.col("n").sum()).iter_rows())
    change = FileChange(source, counts.get("added", 0), counts.get("replaced", 0), counts.get("removed", 0),
                        counts.get("unchanged", 0))
    changed = rows.filter(pl.col("kind") != "unchanged")
    if month_col and source in ("henkilosto", "pulssi"):
        change.months = sorted(changed[month_col].drop_nulls().unique().to_list())
    if source == "kartoitus":
        change.rounds = sorted(changed.select(month_col, station_col).unique().iter_rows())  # type: ignore[arg-type]
    if station_col:
        change.stations = sorted(changed[station_col].drop_nulls().unique().to_list())
    if code_col:
        change.codes = sorted(changed[code_col].drop_nulls().unique().to_list())
    return change


# --- stored history that a master file would orphan ----------------------------------------------------------

# master source → (code column of its file, [(table holding references, its column, the source that replaces it)])
_REFERENCES: dict[str, tuple[str, list[tuple[str, str, str | None]]]] = {
    "asemat": ("asema_id", [("raw_henkilosto", "asema_id", "henkilosto"), ("raw_pulssi", "asema_id", "pulssi"),
                            ("raw_kartoitus", "asema_id", "kartoitus"),
                            ("raw_kysymysloki", "asema_id", "kysymysloki")]),
    "tehtavat": ("tehtava_id", [("raw_kartoitus", "tehtava_id", "kartoitus")]),
    "kysymykset": ("kysymys_id", [("raw_pulssi_vastaukset", "kysymys_id", "pulssi")]),
}
_SOURCE_OF_TABLE = {"raw_pulssi_vastaukset": "pulssi", **{t: s for s, (t, _) in RAW_TABLES.items()}}


def _orphans(con: duckdb.DuckDBPyConnection, groups: list[_Group]) -> dict[str, list[Problem]]:
    """Master files that leave out a code that stored rows (not replaced by this command) still use."""
    by_source = {g.source: g for g in groups}
    out: dict[str, list[Problem]] = {}
    for master, (code_col, refs) in _REFERENCES.items():
        g = by_source.get(master)
        if g is None:
            continue
        con.register("__codes", _arrow(g.frame.select(pl.col(code_col).alias("code"))))
        counts: dict[str, dict[str, int]] = {}
        try:
            for table, col, replaced_by in refs:
                other = by_source.get(replaced_by) if replaced_by else None
                if other is not None and not SOURCES[other.source].replace_by:
                    continue  # the same command replaces that table whole
                where = "TRUE"
                if other is not None:
                    con.register(f"__oscope_{other.source}", _arrow(other.scope))
                    where = f"NOT {_scope_where(table, SOURCES[other.source].replace_by, f'__oscope_{other.source}')}"
                rows = con.sql(
                    f"SELECT {col}, count(*) FROM {table} WHERE {col} IS NOT NULL AND {where} "
                    f"AND {col} NOT IN (SELECT code FROM __codes) GROUP BY 1 ORDER BY 1"
                ).fetchall()
                for code, n in rows:
                    counts.setdefault(code, {})[_SOURCE_OF_TABLE[table]] = int(n)
        finally:
            for name in ["__codes", *(f"__oscope_{s}" for s in SOURCES)]:
                with contextlib.suppress(Exception):
                    con.unregister(name)
        file_name = g.files[0].table.file_name
        header = g.files[0].header_of(code_col)
        problems = []
        for code, per in sorted(counts.items()):
            total = sum(per.values())
            detail = ", ".join(f"{src} {_n(n)}" for src, n in sorted(per.items()))
            hint = (" Jos asema on suljettu, pidä se tiedostossa ja merkitse sulkemispäivä sarakkeeseen lakkautettu."
                    if master == "asemat" else "")
            problems.append(Problem(
                file_name, None, header,
                f"{header} '{code}' puuttuu tiedostosta, mutta varastossa on {_n(total)} "
                f"{'rivi, joka viittaa' if total == 1 else 'riviä, jotka viittaavat'} siihen ({detail}); "
                "tiedostoa ei ladata, jottei niiden historia katoa. Lisää koodi takaisin tiedostoon."
                + hint,
            ))
        if problems:
            out[file_name] = problems
    return out


def _apply(con: duckdb.DuckDBPyConnection, g: _Group, load_id: int) -> None:
    """Replace the rows that the files of one source cover."""
    con.register("__new", _arrow(g.frame.drop("_file")))
    con.register("__scope", _arrow(g.scope))
    if g.answers is not None:
        con.register("__answers", _arrow(g.answers))
    sql = _REPLACE[g.source]
    try:
        con.execute(sql.delete)
        con.execute(sql.insert, [load_id])
        if g.answers is not None:
            con.execute(_REPLACE_ANSWERS.delete)
            con.execute(_REPLACE_ANSWERS.insert)
    finally:
        for name in ("__new", "__scope", "__answers"):
            with contextlib.suppress(Exception):
                con.unregister(name)
