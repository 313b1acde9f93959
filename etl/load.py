"""Loading: read, validate and check every file of one command, then apply all of them in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from etl.contract import LOAD_ORDER, SOURCES
from etl.normalize import fold
from etl.problems import MAX_LISTED, Problem
from etl.pseudonym import PseudonymKey, get_key
from etl.readers import RawTable, ReadError, read_bytes
from etl.validate import Question, Validated, detect_source, reference_errors, validate
from warehouse import db as wdb
from warehouse.build import build_marts, create_schema
from warehouse.settings import PROJECT_ROOT

HELSINKI = ZoneInfo("Europe/Helsinki")
DEFAULT_CATALOGUE = PROJECT_ROOT / "config" / "kysymykset.csv"
Progress = Callable[[str, str, int], None]

RAW_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "asemat": ("raw_asemat", ("asema_id", "nimi", "nimi_sv", "kunta", "aalto", "suunniteltu_kayttoonotto",
                              "kayttoonotto")),
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
    """A file to load: its name as the user knows it, and its bytes."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        """Read a file from disk (a missing file gives empty data and is reported later)."""
        return cls(str(path), Path(path).read_bytes())


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


@dataclass
class LoadResult:
    """What happened to a whole command."""

    files: list[FileResult]
    ok: bool
    load_id: int | None = None
    notices: list[str] = field(default_factory=list)

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


def _existing(db: Path) -> dict[str, object]:
    """What the warehouse already holds that the checks need."""
    state: dict[str, object] = {"stations": set(), "tasks": set(), "questions": {}, "fingerprint": None}
    if not db.exists():
        return state
    with wdb.read(db) as con:
        tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
        if "raw_asemat" in tables:
            state["stations"] = {r[0] for r in con.sql("SELECT asema_id FROM raw_asemat").fetchall()}
            state["tasks"] = {r[0] for r in con.sql("SELECT tehtava_id FROM raw_tehtavat").fetchall()}
            state["questions"] = {
                fold(r[0]): Question(r[0], r[1], r[2], r[3])
                for r in con.sql("SELECT kysymys_id, tyyppi, asteikko_min, asteikko_max FROM raw_kysymykset")
                .fetchall()
            }
        if "meta" in tables:
            state["fingerprint"] = wdb.scalar(con, "SELECT value FROM meta WHERE key = 'pseudonym_key_fingerprint'")
    return state


def _catalogue_from(v: Validated) -> dict[str, Question]:
    f = v.frame.drop_nulls(["kysymys_id", "tyyppi", "asteikko_min", "asteikko_max"])
    return {
        fold(r["kysymys_id"]): Question(r["kysymys_id"], r["tyyppi"], r["asteikko_min"], r["asteikko_max"])
        for r in f.iter_rows(named=True)
    }


def check(
    files: Sequence[InputFile], db: Path, source: str | None = None, progress: Progress | None = None
) -> tuple[list[FileResult], list[Validated]]:
    """Read and validate every file against the contract and the warehouse, without writing anything."""
    progress = progress or (lambda *_: None)
    state = _existing(db)
    results: list[FileResult] = []
    tables: list[tuple[FileResult, RawTable]] = []
    for f in files:
        res = FileResult(f.name)
        results.append(res)
        try:
            table = read_bytes(f.data, f.name, source)
        except ReadError as exc:
            res.problems = [Problem(f.name, None, None, str(exc))]
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
    for res, table, name in detected:
        v = validate(table, name, command_catalogue if command_catalogue is not None else catalogue)
        if name == "kysymykset":
            command_catalogue = {**(command_catalogue or {}), **_catalogue_from(v)}
        elif name == "asemat":
            stations |= set(v.frame["asema_id"].drop_nulls().to_list())
        elif name == "tehtavat":
            tasks |= set(v.frame["tehtava_id"].drop_nulls().to_list())
        validated.append(v)
        res.warnings = v.warnings
    for v in validated:
        if v.source in ("kartoitus", "henkilosto", "pulssi", "kysymysloki"):
            v.add_errors(reference_errors(v, "asema_id", stations, "asemaluettelossa (asemat)"))
        if v.source == "kartoitus":
            v.add_errors(reference_errors(v, "tehtava_id", tasks, "tehtäväluettelossa (tehtavat)"))
    for v in validated:
        res = next(r for r in results if r.file_name == v.table.file_name and r.source == v.source)
        res.problem_count = v.error_count
        res.problems = v.problems()
        progress(res.file_name, "tarkistettu", res.rows)
    return results, validated


def load(
    files: Sequence[InputFile],
    db: str | Path | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    origin: str = "loaded",
) -> LoadResult:
    """Load every file of one command in one transaction, or none of them."""
    path = wdb.resolve(db)
    progress = progress or (lambda *_: None)
    with wdb.writer_lock(path):
        results, validated = check(files, path, source, progress)
        notices: list[str] = []
        key: PseudonymKey | None = None
        refused = any(r.problem_count for r in results)
        if not refused and any(v.source == "henkilosto" for v in validated):
            key = get_key(path)
            if key and key.created:
                notices.append(f"Luotiin uusi pseudonymisointiavain tiedostoon {key.origin} (vain omistajan "
                               "luettavissa). Säilytä se: ilman sitä uudet lataukset eivät yhdisty historiaan.")
            stored = _existing(path)["fingerprint"]
            if key and stored and stored != key.fingerprint:
                for r in results:
                    if r.source == "henkilosto":
                        r.problems = [Problem(r.file_name, None, None,
                                              "pseudonymisointiavain ei ole sama, jolla varaston henkilötunnisteet "
                                              "on tehty; aseta oikea TYONJAKO_PSEUDONYM_KEY tai avaintiedosto")]
                        r.problem_count = 1
                refused = True
        if refused:
            for r in results:
                r.outcome = "rejected"
            load_id = _write(path, results, [], None, origin, notices)
            return LoadResult(results, False, load_id, notices)
        load_id = _write(path, results, validated, key, origin, notices)
        return LoadResult(results, True, load_id, notices)


def _write(path: Path, results: list[FileResult], validated: list[Validated], key: PseudonymKey | None,
           origin: str, notices: list[str]) -> int:
    """Publish a new warehouse version holding the loads (or only the log lines of a refused command)."""
    with wdb.new_version(path) as con:
        con.execute("SET enable_progress_bar = false")
        create_schema(con)
        con.execute("BEGIN TRANSACTION")
        load_id = int(wdb.scalar(con, "SELECT coalesce(max(load_id), 0) + 1 FROM load_log"))  # type: ignore[arg-type]
        changed = False
        # Files of one source in one command act as one file: an extract split in two (e.g. by municipality)
        # adds up instead of the second replacing the first's month.
        by_source: dict[str, list[Validated]] = {}
        for v in validated:
            by_source.setdefault(v.source, []).append(v)
        for group in by_source.values():
            change = _apply(con, group, key, load_id)
            for v in group:
                res = next(r for r in results if r.file_name == v.table.file_name and r.source == v.source)
                res.change = change
                res.outcome = "loaded" if change else "unchanged"
            changed = changed or bool(change)
        if changed:
            build_marts(con)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('data_origin', ?)", [origin])
        if key is not None:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('pseudonym_key_fingerprint', ?)", [key.fingerprint])
        if not _has_marts(con):
            build_marts(con)
        now = _now()
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


def _has_marts(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(wdb.scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'mart_workload'"))


@dataclass(frozen=True)
class _ReplaceSql:
    """The statements that replace one raw table's rows in a file's scope."""

    count: str
    differs: str
    delete: str
    insert: str


def _replace_sql(table: str, cols: tuple[str, ...], by: tuple[str, ...], new: str, load_id: bool) -> _ReplaceSql:
    """Build the statements of one table once, at import, from the module's own table and column constants."""
    where = (
        "EXISTS (SELECT 1 FROM __scope AS s WHERE " + " AND ".join(f"s.{c} = {table}.{c}" for c in by) + ")"
        if by else "TRUE"
    )
    c = ", ".join(cols)
    # Σ of 64-bit row hashes (as HUGEINT, no overflow) with the count identifies a multiset of rows; far
    # cheaper than EXCEPT ALL on a million answers.
    digest = f"count(*) || ':' || coalesce(sum(hash({c})::HUGEINT), 0)"
    return _ReplaceSql(
        count=f"SELECT count(*) FROM {table} WHERE {where}",
        differs=f"SELECT (SELECT {digest} FROM {new}) IS DISTINCT FROM (SELECT {digest} FROM {table} WHERE {where})",
        delete=f"DELETE FROM {table} WHERE {where}",
        insert=f"INSERT INTO {table} SELECT {c}{', ?' if load_id else ''} FROM {new}",
    )


_REPLACE: dict[str, _ReplaceSql] = {
    source: _replace_sql(table, cols, SOURCES[source].replace_by, "__new", True)
    for source, (table, cols) in RAW_TABLES.items()
}
_REPLACE_ANSWERS = _replace_sql(*ANSWERS, SOURCES["pulssi"].replace_by, "__answers", False)


def _apply(con: duckdb.DuckDBPyConnection, group: list[Validated], key: PseudonymKey | None, load_id: int) -> str:
    """Replace the rows that the files of one source cover; return a summary of the change, or '' if none."""
    v = group[0]
    spec = SOURCES[v.source]
    cols = RAW_TABLES[v.source][1]
    frame = pl.concat([g.frame.select(list(cols)) for g in group], how="vertical_relaxed")
    if v.source == "henkilosto":
        assert key is not None
        ids = frame["henkilo_id"].unique().to_list()
        mapping = {i: key.pseudonym(i) for i in ids}
        frame = frame.with_columns(pl.col("henkilo_id").replace_strict(mapping, return_dtype=pl.String))
    # Arrow once: DuckDB would convert a registered polars frame again for every query that scans it.
    con.register("__new", frame.to_arrow())
    scope = frame.select(list(spec.replace_by)).unique() if spec.replace_by else pl.DataFrame({"all": [1]})
    con.register("__scope", scope.to_arrow())
    sql = _REPLACE[v.source]
    before = int(wdb.scalar(con, sql.count))  # type: ignore[arg-type]
    # Different row counts already prove a change; only equal counts need the full row comparison.
    differs = before != frame.height or bool(wdb.scalar(con, sql.differs))
    answers = None
    if v.source == "pulssi":
        answers = pl.concat([g.answers for g in group if g.answers is not None], how="vertical_relaxed")
        con.register("__answers", answers.to_arrow())
        differs = differs or bool(wdb.scalar(con, _REPLACE_ANSWERS.differs))
    try:
        if not differs:
            return ""
        con.execute(sql.delete)
        con.execute(sql.insert, [load_id])
        if answers is not None:
            con.execute(_REPLACE_ANSWERS.delete)
            con.execute(_REPLACE_ANSWERS.insert)
        return _describe(v.source, frame, before)
    finally:
        for name in ("__new", "__scope", "__answers"):
            con.unregister(name)


def _describe(source: str, frame: pl.DataFrame, before: int) -> str:
    """A plain summary of what a file replaced."""
    text = f"{frame.height:,} riviä korvasi {before:,} aiempaa".replace(",", "\u00a0")
    if source in ("henkilosto", "pulssi"):
        months = sorted(frame["kuukausi"].unique().to_list())
        text += f"; kuukaudet {', '.join(f'{m.month}/{m.year}' for m in months[:12])}"
        if len(months) > 12:
            text += f" … ({len(months)} kuukautta)"
    elif source == "kartoitus":
        rounds = frame.select("kartoituspvm", "asema_id").unique().height
        text += f"; {rounds} asemakohtaista kartoituskierrosta"
    return text
