"""Vectorised validation of a source file against its contract model."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from core.calendar import working_days
from etl import limits
from etl.contract import (
    CODE_LABELS,
    CODE_SETS,
    SOURCES,
    Col,
    Kind,
    bounds,
    columns,
    default,
    header_names,
    required,
)
from etl.normalize import fold
from etl.problems import MAX_LISTED, Problem, thousands
from etl.readers import ROW, RawTable

ERR_ROW, ERR_COL, ERR_IDX, ERR_MSG = "row", "column", "column_index", "message"
_ERR_SCHEMA = {ERR_ROW: pl.Int64, ERR_COL: pl.String, ERR_IDX: pl.Int64, ERR_MSG: pl.String}
PULSSI_FIXED = ("kuukausi", "vastaus_id", "asema_id", "rooli", "kommentti")
_ID_RE = re.compile(r"^[a-z0-9_]+$")

_KIND_HINT = {
    Kind.INT: "kokonaisluku",
    Kind.DECIMAL: "luku",
    Kind.DATE: "päivämäärä (esim. 31.1.2025 tai 2025-01-31)",
    Kind.MONTH: "kuukausi (esim. 2025-01, 1/2025 tai 1.2025)",
}
_DTYPE: dict[Kind, type[pl.DataType]] = {
    Kind.TEXT: pl.String,
    Kind.CODE: pl.String,
    Kind.INT: pl.Int64,
    Kind.DECIMAL: pl.Float64,
    Kind.DATE: pl.Date,
    Kind.MONTH: pl.Date,
}
_CODE_NAME = {
    "rooli": "rooli",
    "palvelussuhde": "palvelussuhde",
    "automatisoitavissa": "automatisoitavuus",
    "tyyppi": "kysymystyyppi",
    "tila": "tila",
}


ANSWER_PREFIX = "q:"
MASKED = "«henkilönumero»"
_ECHO_CHARS = 80
# The usual forms of an employee number: five or more digits, perhaps with a short letter prefix or suffix.
_ID_LIKE = r"^[A-Za-z]{0,4}[-_ ]?\d{5,}[A-Za-z]{0,2}$"


def _shape(text: str) -> str:
    """A value's form: digits → 9, letters → A (E12345 → A99999)."""
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", text))


def _shape_expr(raw: pl.Expr) -> pl.Expr:
    return raw.str.replace_all(r"\d", "9").str.replace_all(r"[^\W\d_]", "A")


@dataclass(frozen=True)
class Mask:
    """The employee numbers of a staffing file: any echoed value that is (or looks like) one is hidden.

    A row shifted by a column puts an employee number into another column, and its message would echo it; so
    every value equal to an employee number of the same file, of the same form as those numbers (at least five
    characters), or of the usual form of one (five or more digits, perhaps with a letter prefix) is shown as
    «henkilönumero».
    """

    ids: frozenset[str]
    shapes: frozenset[str]

    @classmethod
    def of(cls, values: pl.Series) -> Mask:
        """The mask of a file's henkilo_id cells."""
        unique = values.drop_nulls().unique()
        ids = frozenset(v for v in unique.to_list() if v)
        long = unique.filter(unique.str.len_chars() >= 5)
        shapes = set(long.to_frame("v").select(_shape_expr(pl.col("v")).unique())["v"].to_list())
        return cls(ids, frozenset(shapes) if len(shapes) <= 50 else frozenset())

    def hides(self, text: str) -> bool:
        """Whether a value must not be echoed."""
        return text in self.ids or _shape(text) in self.shapes or re.match(_ID_LIKE, text) is not None

    def text(self, text: str) -> str:
        """The value as a message may show it."""
        return MASKED if self.hides(text) else text

    def expr(self, raw: pl.Expr) -> pl.Expr:
        """True where a cell's value must not be echoed."""
        cond = raw.is_in(list(self.ids)) | raw.str.contains(_ID_LIKE)
        if self.shapes:
            cond = cond | _shape_expr(raw).is_in(list(self.shapes))
        return cond.fill_null(False)


@dataclass(frozen=True)
class Question:
    """A catalogue question as the Pulssi validation needs it."""

    question_id: str
    qtype: str
    scale_min: int
    scale_max: int


@dataclass
class Validated:
    """A validated file: typed rows in canonical columns, and every problem found."""

    source: str
    table: RawTable
    frame: pl.DataFrame
    errors: pl.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    # Pulssi: kuukausi, vastaus_id and one Int64 column per question, named ANSWER_PREFIX + question id.
    answers: pl.DataFrame | None = None

    @property
    def error_count(self) -> int:
        """How many problems the file has."""
        return self.errors.height

    def add_errors(self, errors: pl.DataFrame) -> None:
        """Add more problems (e.g. from the reference checks)."""
        if errors.height:
            self.errors = pl.concat([self.errors, errors.select(list(_ERR_SCHEMA)).cast(_ERR_SCHEMA)])

    def problems(self, limit: int = MAX_LISTED) -> list[Problem]:
        """The first problems in row and column order."""
        first = self.errors.sort([ERR_ROW, ERR_IDX], nulls_last=False).head(limit)
        return [
            Problem(self.table.file_name, r[ERR_ROW], r[ERR_COL], r[ERR_MSG], r[ERR_IDX] or 0)
            for r in first.iter_rows(named=True)
        ]

    def header_of(self, canonical: str) -> str:
        """The header as written in the file for a canonical column (or the canonical name)."""
        return self.frame_headers.get(canonical, canonical)

    frame_headers: dict[str, str] = field(default_factory=dict)
    column_index: dict[str, int] = field(default_factory=dict)
    mask: Mask | None = None


def empty_errors() -> pl.DataFrame:
    """An empty problem frame."""
    return pl.DataFrame(schema=_ERR_SCHEMA)


def detect_source(table: RawTable, question_ids: set[str]) -> str | None:
    """The source whose columns the header matches best, or None if none matches."""
    folded = [fold(h) for h in table.headers if h]
    best: tuple[int, float, int] | None = None
    best_name = None
    for order, (name, spec) in enumerate(SOURCES.items()):
        names = header_names(spec.model)
        hits = {names[h] for h in folded if h in names}
        score = len(hits)
        if name == "pulssi":
            score += sum(1 for h in folded if h in question_ids and h not in names)
        share = len(hits) / len(columns(spec.model))
        key = (score, share, -order)
        if score and (best is None or key > best):
            best, best_name = key, name
    return best_name


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorised form of `fold` for coded values."""
    out = expr.str.strip_chars().str.to_lowercase()
    for a, b in (("ä", "a"), ("ö", "o"), ("å", "a")):
        out = out.str.replace_all(a, b, literal=True)
    return out.str.replace_all(r"[\s\-]+", "_")


def number_expr(raw: pl.Expr) -> pl.Expr:
    """Parse a decimal written with a comma or a point (and optional space thousands)."""
    s = raw.str.replace_all(r"[\s\u00a0\u202f]", "")
    comma_decimal = s.str.contains(r",\d*$")
    s = (
        pl.when(comma_decimal)
        .then(s.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .otherwise(s.str.replace_all(",", "", literal=True))
    )
    value = s.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value)


def _iso(raw: pl.Expr, pattern: str, y: int, m: int, d: int | None, century: bool = False) -> pl.Expr:
    """Rewrite the text matched by `pattern` into an ISO date string (day 1 when d is None)."""
    groups = raw.str.extract_groups(pattern)
    year = groups.struct.field(str(y))
    if century:
        year = pl.lit("20") + year
    day = groups.struct.field(str(d)).str.zfill(2) if d else pl.lit("01")
    return pl.concat_str([year, pl.lit("-"), groups.struct.field(str(m)).str.zfill(2), pl.lit("-"), day])


_DATE_FORMS: tuple[tuple[str, int, int, int, bool], ...] = (
    (r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", 3, 2, 1, False),
    (r"^(\d{1,2})\.(\d{1,2})\.(\d{2})$", 3, 2, 1, True),
    # A spreadsheet date cell arrives as "yyyy-mm-dd hh:mm:ss".
    (r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][0-9:.]+)?$", 1, 2, 3, False),
)
_MONTH_FORMS: tuple[tuple[str, int, int], ...] = (
    (r"^(\d{4})-(\d{1,2})$", 1, 2),
    (r"^(\d{1,2})/(\d{4})$", 2, 1),
    (r"^(\d{1,2})\.(\d{4})$", 2, 1),
)


def date_expr(raw: pl.Expr) -> pl.Expr:
    """Parse the contract's date forms."""
    iso = pl.coalesce(
        [pl.when(raw.str.contains(p)).then(_iso(raw, p, y, m, d, c)) for p, y, m, d, c in _DATE_FORMS]
    )
    return iso.str.to_date("%Y-%m-%d", strict=False)


def month_expr(raw: pl.Expr) -> pl.Expr:
    """Parse the contract's month forms (or a date, taking its month) to the month's first day."""
    iso = pl.coalesce([pl.when(raw.str.contains(p)).then(_iso(raw, p, y, m, None)) for p, y, m in _MONTH_FORMS])
    as_month = iso.str.to_date("%Y-%m-%d", strict=False)
    return pl.coalesce([as_month, date_expr(raw).dt.month_start()])


def parse_expr(col: Col, raw: pl.Expr) -> pl.Expr:
    """Typed value of a raw text column (null where it does not parse)."""
    match col.kind:
        case Kind.TEXT:
            return raw
        case Kind.DECIMAL:
            return number_expr(raw)
        case Kind.INT:
            value = number_expr(raw)
            return pl.when(value == value.round(0)).then(value).cast(pl.Int64, strict=False)
        case Kind.DATE:
            return date_expr(raw)
        case Kind.MONTH:
            return month_expr(raw)
        case Kind.CODE:
            return fold_expr(raw).replace_strict(CODE_SETS[col.codes or ""], default=None, return_dtype=pl.String)
    raise ValueError(col.kind)


def parse_columns(raw: pl.DataFrame, specs: dict[str, tuple[Col, str]]) -> pl.DataFrame:
    """Add the typed value of each raw column (out name → (column kind, raw column)); same result as parse_expr.

    Numbers take a fast path: a plain cast, and the full decimal-comma parsing only for the columns where
    the cast missed a value. Integers are checked for a zero fraction once, on the parsed column.
    """
    numeric = [out for out, (col, _) in specs.items() if col.kind in (Kind.INT, Kind.DECIMAL)]
    first: list[pl.Expr] = []
    for out, (col, src) in specs.items():
        if out in numeric:
            value = pl.col(src).cast(pl.Float64, strict=False)
            first.append(pl.when(value.is_finite()).then(value).alias(out))
        else:
            first.append(parse_expr(col, pl.col(src)).alias(out))
    raw = raw.with_columns(first)
    if not numeric:
        return raw
    missed = raw.select(
        [(pl.col(out).is_null() & pl.col(specs[out][1]).is_not_null()).any().alias(out) for out in numeric]
    ).row(0, named=True)
    slow = [number_expr(pl.col(specs[out][1])).alias(out) for out in numeric if missed[out]]
    if slow:
        raw = raw.with_columns(slow)
    ints = [out for out in numeric if specs[out][0].kind == Kind.INT]
    if ints:
        raw = raw.with_columns(
            [pl.when(pl.col(o) == pl.col(o).round(0)).then(pl.col(o)).cast(pl.Int64, strict=False).alias(o)
             for o in ints]
        )
    return raw


def _fmt_bound(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def bounds_text(b: dict[str, float]) -> str:
    """Plain-language statement of numeric bounds."""
    low = b.get("ge", b.get("gt"))
    high = b.get("le", b.get("lt"))
    if low is not None and high is not None:
        text = f"ei ole välillä {_fmt_bound(low)}–{_fmt_bound(high)}"
        if "gt" in b:
            text += f" (pitää olla yli {_fmt_bound(low)})"
        return text
    if "ge" in b:
        return f"on pienempi kuin {_fmt_bound(b['ge'])}"
    if "gt" in b:
        return f"ei ole suurempi kuin {_fmt_bound(b['gt'])}"
    return f"on suurempi kuin {_fmt_bound(high or 0)}"


def bounds_violation(value: pl.Expr, b: dict[str, float]) -> pl.Expr:
    """True where a parsed value breaks the bounds."""
    bad = pl.lit(False)
    if "ge" in b:
        bad = bad | (value < b["ge"])
    if "gt" in b:
        bad = bad | (value <= b["gt"])
    if "le" in b:
        bad = bad | (value > b["le"])
    if "lt" in b:
        bad = bad | (value >= b["lt"])
    return bad


def errors_where(frame: pl.DataFrame, cond: pl.Expr, column: str, index: int, message: pl.Expr) -> pl.DataFrame:
    """Problem rows of `frame` where `cond` holds."""
    return frame.filter(cond).select(
        pl.col(ROW).alias(ERR_ROW),
        pl.lit(column, pl.String).alias(ERR_COL),
        pl.lit(index, pl.Int64).alias(ERR_IDX),
        message.cast(pl.String).alias(ERR_MSG),
    )


class _Checks:
    """Row checks on one frame, evaluated together: one pass over the frame tells which checks fail at all, and
    only those are filtered for their problem rows (a file without errors costs one pass, not one per check)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.items: list[tuple[pl.Expr, str, int, pl.Expr]] = []

    def add(self, cond: pl.Expr, column: str, index: int, message: pl.Expr) -> None:
        """Report `message` on every row where `cond` holds."""
        self.items.append((cond.fill_null(False), column, index, message))

    def errors(self) -> list[pl.DataFrame]:
        """The problem rows of the checks that fail."""
        if not self.items or self.frame.height == 0:
            return []
        hits = self.frame.select([c.any().alias(f"__hit{n}") for n, (c, *_) in enumerate(self.items)]).row(0)
        return [errors_where(self.frame, *item) for item, hit in zip(self.items, hits, strict=True) if hit]


def header_error(table: RawTable, column: str, index: int, message: str) -> pl.DataFrame:
    """A problem on the header row."""
    return pl.DataFrame(
        {ERR_ROW: [table.header_row], ERR_COL: [column], ERR_IDX: [index], ERR_MSG: [message]},
        schema=_ERR_SCHEMA,
    )


def _shown(raw: pl.Expr, mask: Mask | None = None) -> pl.Expr:
    """A cell's text as a message shows it: on one line, cut to a readable length, an employee number masked."""
    one_line = raw.str.replace_all(r"\r\n|\r|\n", "\\n")
    text = pl.when(raw.str.len_chars() > _ECHO_CHARS).then(one_line.str.slice(0, _ECHO_CHARS) + pl.lit("…")).otherwise(
        one_line
    )
    return text if mask is None else pl.when(mask.expr(raw)).then(pl.lit(MASKED)).otherwise(text)


def _quote(raw: pl.Expr, mask: Mask | None = None) -> pl.Expr:
    return pl.lit("'") + _shown(raw, mask) + pl.lit("'")


def _allowed(codes: str) -> str:
    """The allowed values of a code set as people write them."""
    return ", ".join(CODE_LABELS[codes].values())


def _plural(n: int, one: str, many: str) -> str:
    return f"{thousands(n)} {one if n == 1 else many}"



def validate(table: RawTable, source: str, catalogue: dict[str, Question] | None = None) -> Validated:
    """Check a file against its source's contract; return typed rows and all problems."""
    spec = SOURCES[source]
    model = spec.model
    cols = columns(model)
    names = header_names(model)
    catalogue = catalogue or {}
    errors: list[pl.DataFrame] = []
    warnings: list[Problem] = []
    mapping: dict[str, int] = {}  # canonical → header index
    questions: dict[str, int] = {}  # question id → header index
    raw = table.frame
    named_width = max((i + 1 for i, h in enumerate(table.headers) if fold(h)), default=0)
    unknown: list[tuple[int, str]] = []  # (header index, header) of columns that no contract column matches

    for i, header in enumerate(table.headers):
        key = fold(header)
        if not key:
            if raw.height and raw[f"c{i}"].drop_nulls().len():
                if i >= named_width:
                    # Cells right of the last header (CSV): a value that holds the delimiter without quotes.
                    errors.append(errors_where(
                        raw, pl.col(f"c{i}").is_not_null(), f"({i + 1}. sarake)", i,
                        pl.lit("rivillä on enemmän kenttiä kuin otsikkorivillä: onko jossakin arvossa erotinmerkki "
                               "ilman lainausmerkkejä?"),
                    ))
                else:
                    errors.append(header_error(table, f"({i + 1}. sarake)", i, "sarakkeelta puuttuu otsikko"))
            continue
        canonical = key if key in cols else None
        if canonical is None and source == "pulssi" and key in catalogue:
            qid = catalogue[key].question_id
            if qid in questions:
                errors.append(header_error(table, header, i, f"kysymyssarake {qid} on tiedostossa kahdesti"))
            questions[qid] = i
            continue
        canonical = canonical or names.get(key)
        if canonical is None:
            unknown.append((i, header))
            continue
        if canonical in mapping:
            errors.append(header_error(table, header, i, f"sarake {canonical} on tiedostossa kahdesti"))
            continue
        mapping[canonical] = i

    mask = None
    if source == "henkilosto":
        ids = raw[f"c{mapping['henkilo_id']}"] if "henkilo_id" in mapping else pl.Series([], dtype=pl.String)
        mask = Mask.of(ids)
    errors.extend(_unknown_columns(table, source, unknown, mask, warnings))
    if raw.height == 0:
        where = f"taulukossa '{table.sheet}'" if table.sheet else "tiedostossa"
        errors.append(pl.DataFrame(
            {ERR_ROW: [None], ERR_COL: [None], ERR_IDX: [-1],
             ERR_MSG: [f"{where} on vain otsikkorivi (rivi {table.header_row}) eikä yhtään tietoriviä: tarkista, "
                       "että vienti onnistui ja että valitsit oikean tiedoston"]},
            schema=_ERR_SCHEMA,
        ))
    headers = {c: table.headers[i] for c, i in mapping.items()}
    index = {c: i for c, i in mapping.items()}
    # Parse every column once; the checks below refer to the parsed columns by name (parsing the same text
    # again in every check made a large Pulssi file several times slower).
    value_col = {name: f"__v{i}" for name, i in mapping.items()}
    question_col = {qid: f"__q{i}" for qid, i in questions.items()}
    raw = parse_columns(
        raw,
        {value_col[name]: (cols[name], f"c{i}") for name, i in mapping.items()}
        | {question_col[qid]: (Col(Kind.INT), f"c{i}") for qid, i in questions.items()},
    )
    checks = _Checks(raw)
    exprs: list[pl.Expr] = [pl.col(ROW)]
    for pos, (name, col) in enumerate(cols.items()):
        if name not in mapping:
            if required(model, name):
                errors.append(
                    header_error(table, name, len(table.headers) + pos, f"pakollinen sarake {name} puuttuu")
                )
            # A typed literal: a missing required column must not crash the checks that follow (they report it),
            # and a missing optional column must keep its type (e.g. the dates of the kysymysloki rule).
            fallback = None if required(model, name) else default(model, name)
            exprs.append(pl.lit(fallback, dtype=_DTYPE[col.kind]).alias(name))
            continue
        i = mapping[name]
        rawc = pl.col(f"c{i}")
        value = pl.col(value_col[name])
        fallback = None if required(model, name) else default(model, name)
        # An empty cell of an optional column takes the column's default (muu_poissaolo_pv: 0), as a missing
        # column does.
        exprs.append((value if fallback is None else value.fill_null(fallback)).alias(name))
        header = headers[name]
        if required(model, name):
            checks.add(rawc.is_null(), header, i, pl.lit(f"{name}: arvo puuttuu"))
        checks.add(*_too_long(rawc, name, header, i))
        if col.kind != Kind.TEXT:
            if col.kind == Kind.CODE:
                allowed = _allowed(col.codes or "")
                msg = _quote(rawc, mask) + pl.lit(
                    f" ei ole tunnettu {_CODE_NAME[col.codes or '']} (sallitut: {allowed})")
            else:
                msg = _quote(rawc, mask) + pl.lit(f" ei ole kelvollinen {_KIND_HINT[col.kind]}")
            checks.add(rawc.is_not_null() & value.is_null(), header, i, msg)
        b = bounds(model, name)
        if b:
            checks.add(bounds_violation(value, b), header, i,
                       pl.lit(f"{name} ") + _shown(rawc, mask) + pl.lit(" " + bounds_text(b)))
        if name == "kysymys_id":
            bad_id = fold_expr(rawc).str.contains(_ID_RE.pattern).not_() | fold_expr(rawc).is_in(
                list(header_names(SOURCES["pulssi"].model))
            )
            checks.add(rawc.is_not_null() & bad_id, header, i,
                       _quote(rawc) + pl.lit(" ei kelpaa sarakkeen nimeksi (käytä kirjaimia, numeroita ja _)"))

    answers = None
    for qid, i in questions.items():
        q = catalogue[fold(qid)]
        rawc = pl.col(f"c{i}")
        value = pl.col(question_col[qid])
        header = table.headers[i]
        checks.add(*_too_long(rawc, qid, header, i))
        checks.add(rawc.is_not_null() & value.is_null(), header, i, _quote(rawc) + pl.lit(" ei ole kokonaisluku"))
        checks.add((value < q.scale_min) | (value > q.scale_max), header, i,
                   pl.lit("vastaus ") + _shown(rawc)
                   + pl.lit(f" ei ole kysymyksen asteikolla {q.scale_min}–{q.scale_max}"))
        exprs.append(value.alias(f"q:{qid}"))

    errors.extend(checks.errors())
    typed = raw.select(exprs)
    errors.extend(_source_rules(source, typed, headers, index, table, mask))
    if source == "pulssi":
        # Kept wide (one column per question): the loader unpivots in DuckDB. A national year of long answers as
        # polars strings was gigabytes.
        qcols = [c for c in typed.columns if c.startswith(ANSWER_PREFIX)]
        answers = typed.select(["kuukausi", "vastaus_id", *[pl.col(c).cast(pl.Int64) for c in qcols]])
        typed = typed.drop(qcols)
    all_errors = pl.concat([e.cast(_ERR_SCHEMA) for e in errors]) if errors else empty_errors()
    out = Validated(source, table, typed, all_errors, warnings, answers)
    out.frame_headers = headers
    out.column_index = index
    out.mask = mask
    return out


def _thousands_expr(n: pl.Expr) -> pl.Expr:
    """An integer column as Finnish text writes it (10\u00a0485\u00a0760), in polars: groups of three from the right."""
    grouped = n.cast(pl.String).str.reverse().str.replace_all(r"(\d{3})", "${1}\u00a0").str.reverse()
    return grouped.str.strip_chars_start("\u00a0")


def _too_long(rawc: pl.Expr, name: str, header: str, index: int) -> tuple[pl.Expr, str, int, pl.Expr]:
    """The check of cells longer than the limit, reported by length (the text itself is not echoed)."""
    cap = limits.MAX_COMMENT_CHARS if name == "kommentti" else limits.MAX_CELL_CHARS
    length = rawc.str.len_chars()
    return (length > cap, header, index,
            pl.lit(f"{name}: arvossa on ") + _thousands_expr(length)
            + pl.lit(f" merkkiä, kun enintään {thousands(cap)} sallitaan: lyhennä arvo"))


def _unknown_columns(
    table: RawTable, source: str, unknown: list[tuple[int, str]], mask: Mask | None, warnings: list[Problem]
) -> list[pl.DataFrame]:
    """Columns that match no contract column: a warning (one line for all of them), in Pulssi an error."""
    if not unknown:
        return []
    shown = [_short(mask.text(h) if mask else h) for _, h in unknown]
    first_index = unknown[0][0]
    listed = ", ".join(f"'{h}'" for h in shown[: limits.LISTED_UNKNOWN_COLUMNS])
    more = len(shown) - limits.LISTED_UNKNOWN_COLUMNS
    listed += f" ja {thousands(more)} muuta" if more > 0 else ""
    if source == "pulssi":
        hint = "lisää ne kysymykset-tiedostoon tai korjaa sarakkeiden nimet"
        if len(unknown) <= limits.LISTED_UNKNOWN_COLUMNS:
            return [header_error(table, h, i, f"kysymystä '{s}' ei ole kysymysluettelossa: lisää se "
                                 "kysymykset-tiedostoon tai korjaa sarakkeen nimi")
                    for (i, h), s in zip(unknown, shown, strict=True)]
        return [header_error(table, shown[0], first_index, f"{thousands(len(unknown))} kysymyssaraketta ei ole "
                             f"kysymysluettelossa: {listed}; {hint}")]
    if len(unknown) == 1:
        message = f"tuntematon sarake '{shown[0]}' ohitetaan"
    else:
        message = f"{thousands(len(unknown))} tuntematonta saraketta ohitetaan: {listed}"
    warnings.append(Problem(table.file_name, table.header_row, shown[0], message, first_index))
    return []


def _short(text: str) -> str:
    """A header or value cut to a readable length for a message."""
    return text if len(text) <= _ECHO_CHARS else text[:_ECHO_CHARS] + "…"


_DUPLICATE_COLUMN = {
    "kysymykset": "kysymys_id",
    "asemat": "asema_id",
    "tehtavat": "tehtava_id",
    "kartoitus": "tehtava_id",
    "henkilosto": "henkilo_id",
    "pulssi": "vastaus_id",
}
_DUPLICATE_TEXT = {
    "kysymykset": "kysymys_id {} on jo rivillä {}",
    "asemat": "asema_id {} on jo rivillä {}",
    "tehtavat": "tehtava_id {} on jo rivillä {}",
    "kartoitus": "sama kartoituspäivä, asema, tehtävä {} ja suorittaja ovat jo rivillä {}",
    # The employee number is never echoed: it is personal data.
    "henkilosto": "sama henkilö samalla asemalla ja kuukaudella on jo rivillä {1}",
    "pulssi": "vastaus_id {} on jo samalla kuukaudella rivillä {}",
}


def _source_rules(
    source: str, typed: pl.DataFrame, headers: dict[str, str], index: dict[str, int], table: RawTable,
    mask: Mask | None = None,
) -> list[pl.DataFrame]:
    """Rules that span rows or columns of one file."""
    spec = SOURCES[source]
    out: list[pl.DataFrame] = []

    def h(name: str) -> tuple[str, int]:
        return headers.get(name, name), index.get(name, len(table.headers))

    if spec.unique_key and all(k in headers for k in spec.unique_key):
        key = list(spec.unique_key)
        keyed = typed.filter(pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
        first = keyed.group_by(key).agg(pl.col(ROW).min().alias("__first"))
        dup = keyed.join(first, on=key, how="inner", nulls_equal=True).filter(pl.col(ROW) != pl.col("__first"))
        col = _DUPLICATE_COLUMN[source]
        template = _DUPLICATE_TEXT[source]
        if "{1}" in template:
            msg = pl.lit(template.split("{1}")[0]) + pl.col("__first").cast(pl.String)
        else:
            before, middle, after = template.split("{}")
            msg = pl.concat_str([pl.lit(before), _shown(pl.col(col).cast(pl.String), mask), pl.lit(middle),
                                 pl.col("__first").cast(pl.String), pl.lit(after)])
        name, i = h(col)
        out.append(errors_where(dup, pl.lit(True), name, i, msg))

    if source == "henkilosto":
        months = typed["kuukausi"].drop_nulls().unique().to_list()
        wd = pl.DataFrame(
            {"kuukausi": months, "__wd": [working_days(m.year, m.month) for m in months]},
            schema={"kuukausi": pl.Date, "__wd": pl.Int64},
        )
        t = typed.join(wd, on="kuukausi", how="left")
        sick, other = pl.col("sairauspoissaolo_pv"), pl.col("muu_poissaolo_pv").fill_null(0)
        too_many = ((sick + other) > pl.col("__wd")).fill_null(False)
        msg = pl.concat_str([
            pl.lit("sairauspoissaolo_pv + muu_poissaolo_pv = "), _shown((sick + other).cast(pl.String), mask),
            pl.lit(" ylittää kuukauden "), pl.col("__wd").cast(pl.String), pl.lit(" työpäivää"),
        ])
        name, i = h("sairauspoissaolo_pv")
        out.append(errors_where(t, too_many & (sick > pl.col("__wd")), name, i, msg))
        name, i = h("muu_poissaolo_pv")
        out.append(errors_where(t, too_many & (sick <= pl.col("__wd")), name, i, msg))

    if source == "kysymysloki":
        name, i = h("ratkaistu")
        out.append(errors_where(
            typed, (pl.col("tila") == "ratkaistu") & pl.col("ratkaistu").is_null(), name, i,
            pl.lit("ratkaistu-päivä puuttuu, vaikka tila on ratkaistu"),
        ))
        out.append(errors_where(
            typed, (pl.col("ratkaistu") < pl.col("avattu")).fill_null(False), name, i,
            pl.lit("ratkaistu-päivä ") + pl.col("ratkaistu").dt.strftime("%-d.%-m.%Y")
            + pl.lit(" on ennen avattu-päivää ") + pl.col("avattu").dt.strftime("%-d.%-m.%Y"),
        ))

    if source == "kysymykset":
        for qtype, lo, hi in (("likert", 1, 5), ("enps", 0, 10)):
            for colname, want in (("asteikko_min", lo), ("asteikko_max", hi)):
                name, i = h(colname)
                out.append(errors_where(
                    typed, ((pl.col("tyyppi") == qtype) & (pl.col(colname) != want)).fill_null(False), name, i,
                    pl.lit(f"{colname} ") + pl.col(colname).cast(pl.String)
                    + pl.lit(f": {qtype}-kysymyksen asteikko on {lo}–{hi}"),
                ))
    return out


# Per referenced column: the thing in the singular illative, the plural illative, where it is missing, its source.
_REFERENCE_WORDS: dict[str, tuple[str, str, str, str]] = {
    "asema_id": ("asemaan", "asemiin", "asemaluettelossa", "asemat"),
    "tehtava_id": ("tehtävään", "tehtäviin", "tehtäväluettelossa", "tehtävät"),
}
_LISTED_VALUES = 10


def reference_errors(v: Validated, column: str, known: set[str], what: str) -> pl.DataFrame:
    """Rows whose `column` names something that neither this command nor the warehouse holds.

    One unknown value on one row is reported on that row; more are grouped into one line on the first such row
    (with each value's row count and first row), so that a missing master file does not bury the file's other
    problems under hundreds of identical lines.
    """
    if column not in v.frame_headers:
        return empty_errors()
    values = v.frame[column]
    bad = values.is_not_null() & ~values.is_in(list(known))
    header = v.frame_headers[column]
    rows = v.frame.with_columns(bad.alias("__bad")).filter(pl.col("__bad"))
    if rows.height == 0:
        return empty_errors()
    one, many, where, source = _REFERENCE_WORDS.get(column, ("arvoon", "arvoihin", what, what))
    hint = f"korjaa tunnus tai lataa {source} samassa erässä tai ensin"
    if rows.height == 1:
        msg = pl.lit(f"{column} '") + _shown(pl.col(column), v.mask) + pl.lit(f"' ei ole {where}: {hint}")
        return errors_where(rows, pl.lit(True), header, v.column_index[column], msg)
    groups = (
        rows.group_by(column)
        .agg(pl.len().alias("n"), pl.col(ROW).min().alias("first"))
        .sort(["n", "first"], descending=[True, False])
    )
    parts = []
    for value, n, first in groups.head(_LISTED_VALUES).iter_rows():
        shown = _short(v.mask.text(value) if v.mask else value)
        parts.append(f"{shown} ({_plural(n, 'rivi', 'riviä')}, ensimmäinen rivi {first})" if n > 1
                     else f"{shown} (rivi {first})")
    if groups.height > _LISTED_VALUES:
        parts.append(f"… ja {thousands(groups.height - _LISTED_VALUES)} muuta")
    target = one if groups.height == 1 else many
    pronoun = "jota" if groups.height == 1 else "joita"
    message = (f"{_plural(rows.height, 'rivi viittaa', 'riviä viittaa')} {target}, {pronoun} ei ole {where}: "
               f"{', '.join(parts)}; {hint}")
    first_row = int(rows[ROW].min())  # type: ignore[arg-type]
    return pl.DataFrame(
        {ERR_ROW: [first_row], ERR_COL: [header], ERR_IDX: [v.column_index[column]], ERR_MSG: [message]},
        schema=_ERR_SCHEMA,
    )


def month_text(d: date) -> str:
    """A month as people write it: 1/2025."""
    return f"{d.month}/{d.year}"
