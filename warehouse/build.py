"""Build the warehouse: schema, reference tables, staging views and marts, in an order derived from their reads.

A model is a file `warehouse/marts/NAME.sql` that creates the table NAME, or a Python step (suppression, goals) that
names what it reads. A model whose header says `-- Built per month.` holds rows that depend only on the same
month's inputs (and on master data and settings, whose change makes the next build a full one): a load of
monthly files replaces only those months' rows. Its month-grained inputs are filtered with
`month IN (SELECT month FROM build_months)`, the months of the build.
"""

from __future__ import annotations

import datetime as dt
import graphlib
import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from core.calendar import working_days_table
from core.roles import ROLE_GROUP, ROLE_NAMES
from core.settings import Settings, settings
from warehouse import SQL_DIR
from warehouse.db import scalar
from warehouse.suppression import ALGORITHM, Node, suppress_frame

STAGING = (
    "stg_stations", "stg_tasks", "stg_mappings", "stg_staffing", "stg_pulssi_responses",
    "stg_pulssi_answers", "stg_questions", "stg_question_log",
)


def run_sql_file(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Execute one model file of the warehouse folder."""
    con.execute((SQL_DIR / path).read_text(encoding="utf-8"))


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and fill the reference tables."""
    run_sql_file(con, "schema.sql")
    if scalar(con, "SELECT count(*) FROM ref_roles") == 0:
        con.executemany(
            "INSERT INTO ref_roles VALUES (?, ?, ?, ?)",
            [(code, *ROLE_NAMES[code], group) for code, group in ROLE_GROUP.items()],
        )
    if scalar(con, "SELECT count(*) FROM ref_working_days") == 0:
        con.executemany("INSERT INTO ref_working_days VALUES (?, ?)", working_days_table())
    for name in STAGING:
        run_sql_file(con, f"staging/{name}.sql")


def _write_settings(con: duckdb.DuckDBPyConnection, s: Settings) -> None:
    con.execute(
        "CREATE OR REPLACE TABLE ref_settings AS SELECT ?::INTEGER AS k_anonymity, "
        "?::INTEGER AS comment_min_respondents, ?::DOUBLE AS weekly_hours, ?::DOUBLE AS load_ratio_low, "
        "?::DOUBLE AS load_ratio_high, ?::DOUBLE AS overload_ratio",
        [s.k_anonymity, s.comment_min_respondents, s.weekly_hours, s.load_ratio_low, s.load_ratio_high,
         s.overload_ratio],
    )


# Suppression is a fixpoint over hierarchies that SQL cannot express: read the groups, decide in Python, write back.
# A partition's decision depends only on its own groups and k, so decisions are stored by a hash of those inputs
# (suppression_cache, internal) and a load decides again only the partitions whose inputs changed.
_CACHE_CREATE = """CREATE TABLE IF NOT EXISTS suppression_cache (
    model VARCHAR, input_hash VARCHAR, municipality VARCHAR, station_id VARCHAR, role_group VARCHAR, suppressed BOOLEAN
)"""
# Only the decisions of the partitions at hand: a monthly build reads a month's, not the whole history's.
_CACHE_READ = ("SELECT input_hash, municipality, station_id, role_group, suppressed FROM suppression_cache "
               "WHERE model = ? AND input_hash IN (SELECT unnest(?::VARCHAR[]))")
_CACHE_DELETE = "DELETE FROM suppression_cache WHERE model = ?"
# A full build keeps only the decisions it used, so the table follows the history instead of growing with every
# load; a monthly build adds the new ones (an entry stays valid for ever: it is keyed by its whole input).
_CACHE_WRITE = ("INSERT INTO suppression_cache SELECT DISTINCT ?, d.input_hash, d.municipality, d.station_id, "
                "d.role_group, d.suppressed FROM __decided AS d")
_CACHE_ADD = _CACHE_WRITE + (" WHERE NOT EXISTS (SELECT 1 FROM suppression_cache AS c WHERE c.model = ? "
                             "AND c.input_hash = d.input_hash)")
_MONTHS_OF_BUILD = "month IN (SELECT month FROM build_months)"


def _stored_decisions(con: duckdb.DuckDBPyConnection, model: str, digests: list[str]) -> dict[str, dict[Node, bool]]:
    con.execute(_CACHE_CREATE)
    out: dict[str, dict[Node, bool]] = defaultdict(dict)
    for digest, mun, station, group, hidden in con.execute(_CACHE_READ, [model, digests]).fetchall():
        out[digest][(mun, station, group)] = hidden
    return out


@dataclass(frozen=True)
class PythonStep:
    """A model built in Python: the table it writes, the models it reads, and whether it is built per month."""

    name: str
    reads: tuple[str, ...]
    run: Callable[[duckdb.DuckDBPyConnection, Settings, bool], None]
    monthly: bool = False


@dataclass(frozen=True)
class _SuppressionSql:
    """The statements of one suppression model, composed once at import from the model and group table names."""

    model: str
    groups_all: str
    groups_monthly: str
    delete_monthly: str
    insert: str
    replace: str

    @classmethod
    def of(cls, model: str, groups: str) -> _SuppressionSql:
        """The statements that read `groups` and write `model`."""
        return cls(
            model=model,
            groups_all=f"SELECT * FROM {groups}",
            groups_monthly=f"SELECT * FROM {groups} WHERE {_MONTHS_OF_BUILD}",
            delete_monthly=f"DELETE FROM {model} WHERE {_MONTHS_OF_BUILD}",
            insert=f"INSERT INTO {model} BY NAME SELECT * EXCLUDE (input_hash) FROM __decided",
            replace=f"CREATE OR REPLACE TABLE {model} AS SELECT * EXCLUDE (input_hash) FROM __decided",
        )


_SICK_SQL = _SuppressionSql.of("int_sick_leave_suppressed", "int_sick_leave_groups")
_PULSSI_SQL = _SuppressionSql.of("int_pulssi_suppressed", "int_pulssi_groups")


def _suppress(con: duckdb.DuckDBPyConnection, sql: _SuppressionSql, partition: list[str], people: str, k: int,
              monthly: bool) -> None:
    """Decide the suppression of a model's groups (all months, or in a monthly build those of build_months)."""
    model = sql.model
    decided = suppress_frame(con.sql(sql.groups_monthly if monthly else sql.groups_all).pl(), partition, people, k,
                             lambda digests: _stored_decisions(con, model, digests))
    con.register("__decided", decided)
    try:
        if monthly:
            con.execute(sql.delete_monthly)
            con.execute(sql.insert)
            con.execute(_CACHE_ADD, [model, model])
        else:
            con.execute(sql.replace)
            con.execute(_CACHE_DELETE, [model])
            con.execute(_CACHE_WRITE, [model])
    finally:
        con.unregister("__decided")


def _suppress_sick_leave(con: duckdb.DuckDBPyConnection, s: Settings, monthly: bool) -> None:
    _suppress(con, _SICK_SQL, ["month"], "headcount", s.k_anonymity, monthly)


def _suppress_pulssi(con: duckdb.DuckDBPyConnection, s: Settings, monthly: bool) -> None:
    _suppress(con, _PULSSI_SQL, ["month", "question_id"], "respondents", s.k_anonymity, monthly)


def _goals(con: duckdb.DuckDBPyConnection, s: Settings, monthly: bool) -> None:
    del monthly  # goals compare months with each other: always built from every month
    from warehouse.goals import build_goal_marts  # local: goals read marts built before them

    build_goal_marts(con, s)


# Macros of the figure definitions shared by the marts and the what-if projection.
DEFINITIONS = "definitions.sql"
MARTS_DIR = "marts"

PYTHON_STEPS: tuple[PythonStep, ...] = (
    PythonStep("int_sick_leave_suppressed", ("int_sick_leave_groups",), _suppress_sick_leave, monthly=True),
    PythonStep("int_pulssi_suppressed", ("int_pulssi_groups",), _suppress_pulssi, monthly=True),
    # Goals read the published marts only (warehouse/goals.py).
    PythonStep("mart_goal_progress", ("mart_workload", "mart_workload_unit", "mart_sick_leave", "mart_compliance",
                                      "mart_compliance_unit", "mart_pulssi", "mart_rollout"), _goals),
)


@dataclass(frozen=True)
class SqlModel:
    """A model file: `CREATE OR REPLACE TABLE name AS …` (or a view), its header, and the models it reads."""

    name: str
    sql: str
    reads: tuple[str, ...]
    monthly: bool  # header line `-- Built per month.`: rows of a month depend only on that month's inputs

    @property
    def body(self) -> str:
        """The model's query without its CREATE line."""
        return _CREATE.sub("", self.sql.split(_CREATE_MARK, 1)[1], count=1).rstrip().rstrip(";")

    @property
    def monthly_statements(self) -> tuple[str, str]:
        """A monthly build's statements: delete the months of the build, insert them again from the model's query."""
        return (f"DELETE FROM {self.name} WHERE {_MONTHS_OF_BUILD}",
                f"INSERT INTO {self.name} BY NAME SELECT * FROM ({self.body})")


_CREATE_MARK = "CREATE OR REPLACE TABLE "
_CREATE = re.compile(r"^\w+ AS\s", re.MULTILINE)
_READS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)", re.IGNORECASE)
_MONTHLY = "-- Built per month."
_COMMENT = re.compile(r"--[^\n]*")


def sql_models() -> dict[str, SqlModel]:
    """Every model file of warehouse/marts, with the models it reads (from its FROM and JOIN clauses)."""
    out = {}
    for path in sorted((SQL_DIR / MARTS_DIR).glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        name = path.stem
        if f"{_CREATE_MARK}{name} AS" not in text and f"CREATE OR REPLACE VIEW {name} AS" not in text:
            raise ValueError(f"{path.name}: a model file creates the table (or view) it is named after")
        if _MONTHLY in text and f"{_CREATE_MARK}{name} AS" not in text:
            raise ValueError(f"{path.name}: a model built per month is a table")
        code = _COMMENT.sub("", text)  # a header may name other models in prose
        out[name] = SqlModel(name, text, tuple(sorted(set(_READS.findall(code)))), _MONTHLY in text)
    return out


def build_order() -> list[str]:
    """The models in an order where each comes after the models it reads: derived, not kept by hand."""
    sql = sql_models()
    steps = {p.name: p.reads for p in PYTHON_STEPS}
    graph = {name: [r for r in m.reads if r in sql or r in steps] for name, m in sql.items()}
    graph |= {name: list(reads) for name, reads in steps.items()}
    sorter = graphlib.TopologicalSorter(graph)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())  # ties by name: the same order on every machine
        order.extend(ready)
        sorter.done(*ready)
    return order


# The published tables (see docs/marts.md); the dashboard reads only these.
MARTS: tuple[str, ...] = (
    "mart_workload", "mart_workload_unit", "mart_sick_leave", "mart_compliance", "mart_compliance_unit",
    "mart_compliance_round_unit", "mart_compliance_tasks", "mart_pulssi",
    "mart_pulssi_comments", "mart_rollout", "mart_goal_progress", "mart_goal_progress_station",
    "mart_goal_trend", "mart_before_after", "load_log",
)
# Sources whose rows are month partitions (replaced by month): a load that changes only these rebuilds only its
# months; the question log is read only by models rebuilt whole, so it does not need a full build either.
MONTHLY_SOURCES = frozenset({"henkilosto", "pulssi"})
MONTHLY_BUILD_SOURCES = MONTHLY_SOURCES | {"kysymysloki"}
_FINGERPRINT_KEY = "model_fingerprint"


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What every built row depends on besides the data: the schema, staging and model texts, the suppression
    algorithm, the settings and the roles."""
    texts = [(SQL_DIR / DEFINITIONS).read_text(encoding="utf-8"), (SQL_DIR / "schema.sql").read_text(encoding="utf-8"),
             ALGORITHM, repr(con.sql("SELECT * FROM ref_settings").fetchall()),
             repr(con.sql("SELECT * FROM ref_roles ORDER BY ALL").fetchall())]
    texts += [(SQL_DIR / f"staging/{name}.sql").read_text(encoding="utf-8") for name in STAGING]
    texts += [m.sql for m in sql_models().values()]
    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()


def _can_build_monthly(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Whether the stored models were built by the same models and settings (else a month's rows would mix)."""
    stored = scalar(con, "SELECT value FROM meta WHERE key = ?", [_FINGERPRINT_KEY])
    if stored != fingerprint:
        return False
    have = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
    return all(name in have for name in build_order())


def build_marts(con: duckdb.DuckDBPyConnection, s: Settings | None = None,
                months: Sequence[dt.date] | None = None) -> bool:
    """(Re)build every model from the raw tables; return whether it was a monthly build.

    `months`: the load changed only the month partitions of these months (staffing, Pulssi). The models built per
    month then replace only those months' rows, when the warehouse was built by the same models and settings;
    every other model is rebuilt whole. The result equals a full build (tests/test_incremental.py).
    """
    s = s or settings()
    _write_settings(con, s)
    run_sql_file(con, DEFINITIONS)  # shared figure definitions (macros) before every model that uses them
    fingerprint = _fingerprint(con)
    monthly = months is not None and _can_build_monthly(con, fingerprint)
    con.execute("CREATE OR REPLACE TEMP TABLE build_months (month DATE)")
    if monthly and months:
        con.executemany("INSERT INTO build_months VALUES (?)", [[m] for m in sorted(set(months))])
    else:
        con.execute("INSERT INTO build_months SELECT DISTINCT month FROM stg_staffing "
                    "UNION SELECT DISTINCT month FROM stg_pulssi_responses")
    sql, steps = sql_models(), {p.name: p for p in PYTHON_STEPS}
    for name in build_order():
        if name in steps:
            steps[name].run(con, s, monthly and steps[name].monthly)
        elif monthly and sql[name].monthly:
            for statement in sql[name].monthly_statements:
                con.execute(statement)
        else:
            con.execute(sql[name].sql)
    con.execute("DROP TABLE build_months")
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_FINGERPRINT_KEY, fingerprint])
    return monthly


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run a query with bound parameters and return a polars frame."""
    return con.sql(sql, params=params or []).pl()
