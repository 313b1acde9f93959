"""Layers import one way: core ← warehouse ← etl; core, warehouse.db ← dashboard ← pages, app.py.

A small AST check over every .py of the house (module-level and function-level imports alike), with the allowed
directions as data below; a second test plants backward imports in a tmp tree and sees each one caught.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("core", "etl", "warehouse", "dashboard", "pages", "bench", "app.py")
FIRST_PARTY = ("core", "etl", "warehouse", "dashboard", "pages", "bench", "app")

# What each part of the house may import, as module prefixes (first-party modules only; the most specific key,
# a folder or file path, wins). Everything not listed is a backward import.
ALLOWED: dict[str, tuple[str, ...]] = {
    "core": ("core",),
    "warehouse": ("core", "warehouse"),
    "etl": ("core", "warehouse", "etl"),
    # The dashboard reads the warehouse through its connection module only.
    "dashboard": ("core", "warehouse.db", "dashboard"),
    # Charts draw the frames they are given: no query module, no page scaffolding.
    "dashboard/charts": ("dashboard.charts", "dashboard.present", "dashboard.fmt", "dashboard.i18n",
                         "dashboard.labels"),
    # The presentation modules turn values into texts; they fetch nothing.
    "dashboard/present.py": ("core", "dashboard.fmt", "dashboard.i18n"),
    "dashboard/labels.py": ("core", "dashboard.fmt", "dashboard.i18n"),
    "dashboard/fmt.py": ("core", "dashboard.i18n"),
    "dashboard/i18n.py": ("core",),
    "pages": ("dashboard",),
    "app.py": ("dashboard",),
    "bench": ("core", "warehouse", "etl", "dashboard", "bench"),
}


@dataclass(frozen=True)
class Allowance:
    """One file allowed one import beyond its layer's rule, and why."""

    path: str
    module: str
    lazy_only: bool
    why: str


EXCEPTIONS: tuple[Allowance, ...] = (
    Allowance("dashboard/loading.py", "etl", False, "the Tiedot page's upload path runs the ETL's own loader"),
    Allowance("etl/__main__.py", "dashboard.report", True,
               "the CLI is the composition root: `etl report` loads the report inside its command only"),
    Allowance("dashboard/scenarios/projection.py", "warehouse", False,
               "the what-if computes with the warehouse's own figure definitions, not a copy of them"),
)


@dataclass(frozen=True)
class Import:
    """One first-party import of a file."""

    path: str
    line: int
    module: str
    lazy: bool


def _covers(prefix: str, module: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _is_module(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _package_of(rel: str) -> list[str]:
    parts = rel[:-3].split("/")
    return parts[:-1] if parts[-1] != "__init__" else parts[:-1]


def imports_of(root: Path, rel: str) -> list[Import]:
    """First-party imports of one file: dotted module, line, and whether it sits inside a function."""
    tree = ast.parse((root / rel).read_text(encoding="utf-8"), filename=rel)
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                found.extend(Import(rel, child.lineno, a.name, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = _package_of(rel)
                    pkg = pkg[: len(pkg) - (child.level - 1)]
                    base = ".".join([*pkg, *([base] if base else [])])
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    found.append(Import(rel, child.lineno, sub if _is_module(root, sub) else base, lazy))
            visit(child, inner)

    visit(tree, False)
    return [i for i in found if i.module.split(".")[0] in FIRST_PARTY]


def rule_for(rel: str) -> tuple[str, ...] | None:
    """The allowed prefixes of the most specific ALLOWED key that holds this file."""
    keys = [k for k in ALLOWED if rel == k or rel.startswith(k.rstrip("/") + "/")]
    return ALLOWED[max(keys, key=len)] if keys else None


def files(root: Path) -> list[str]:
    """Every checked .py of the house, relative to root."""
    out: list[str] = []
    for part in CHECKED:
        p = root / part
        if p.is_file():
            out.append(part)
        elif p.is_dir():
            out.extend(str(f.relative_to(root)) for f in sorted(p.rglob("*.py")))
    return out


def violations(root: Path) -> list[str]:
    """Every backward import under root, as 'path:line imports module'."""
    bad: list[str] = []
    for rel in files(root):
        allowed = rule_for(rel)
        if allowed is None:
            bad.append(f"{rel}: no rule says what it may import")
            continue
        for imp in imports_of(root, rel):
            if any(_covers(p, imp.module) for p in allowed):
                continue
            if any(e.path == rel and _covers(e.module, imp.module) and (imp.lazy or not e.lazy_only)
                   for e in EXCEPTIONS):
                continue
            bad.append(f"{rel}:{imp.line} imports {imp.module}{' (inside a function)' if imp.lazy else ''}")
    return bad


def test_no_backward_import() -> None:
    assert violations(ROOT) == []


def test_every_exception_is_used() -> None:
    """An exception that no import needs any more is dropped, not kept as a loophole."""
    for e in EXCEPTIONS:
        assert any(_covers(e.module, i.module) for i in imports_of(ROOT, e.path)), e


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_checker_catches_planted_violations(tmp_path: Path) -> None:
    for pkg in ("core", "etl", "warehouse", "dashboard", "dashboard/charts", "dashboard/report", "pages"):
        _write(tmp_path, f"{pkg}/__init__.py", "")
    _write(tmp_path, "warehouse/db.py", "")
    _write(tmp_path, "warehouse/build.py", "")
    _write(tmp_path, "dashboard/queries.py", "")
    _write(tmp_path, "dashboard/report/cli.py", "")
    _write(tmp_path, "etl/contract.py", "")
    # Allowed: these must not be reported.
    _write(tmp_path, "etl/load.py", "from core import roles\nfrom warehouse import db\n")
    _write(tmp_path, "dashboard/ui.py", "from warehouse import db as wdb\nfrom dashboard import queries\n")
    _write(tmp_path, "etl/__main__.py", "def report():\n    from dashboard.report import cli\n")
    _write(tmp_path, "dashboard/loading.py", "from etl import load\n")
    # Backward: each must be reported.
    _write(tmp_path, "core/calendar.py", "import etl.contract\n")
    _write(tmp_path, "warehouse/goals.py", "def f():\n    from etl.contract import SOURCES\n")
    _write(tmp_path, "etl/demo.py", "from dashboard.report import cli\n")
    _write(tmp_path, "etl/readers.py", "def f():\n    from dashboard.report import cli\n")
    _write(tmp_path, "dashboard/charts/pulssi.py", "from dashboard.queries import frame\n")
    _write(tmp_path, "dashboard/attention.py", "from warehouse.build import ROLE_NAMES\n")
    _write(tmp_path, "pages/tiedot.py", "from etl.contract import SOURCES\n")
    _write(tmp_path, "app.py", "from warehouse import db\n")
    assert violations(tmp_path) == [
        "core/calendar.py:1 imports etl.contract",
        "etl/demo.py:1 imports dashboard.report.cli",
        "etl/readers.py:2 imports dashboard.report.cli (inside a function)",
        "warehouse/goals.py:2 imports etl.contract (inside a function)",
        "dashboard/attention.py:1 imports warehouse.build",
        "dashboard/charts/pulssi.py:1 imports dashboard.queries",
        "pages/tiedot.py:1 imports etl.contract",
        "app.py:1 imports warehouse.db",
    ]
