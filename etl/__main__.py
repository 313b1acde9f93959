"""Command line: python -m etl load|check|demo|refresh."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from core.settings import ConfigError
from etl.contract import SOURCES
from etl.load import InputFile, LoadResult, dry_run, load
from warehouse import db as wdb

OUTCOME_FI = {"loaded": "ladattu", "unchanged": "ei muutoksia", "rejected": "hylätty"}


def _progress(file_name: str, stage: str, rows: int) -> None:
    print(f"  {Path(file_name).name}: {stage} {rows:,} riviä".replace(",", " "), file=sys.stderr, flush=True)


def _inputs(paths: list[str]) -> tuple[list[InputFile], list[str]]:
    files, missing = [], []
    for p in paths:
        try:
            files.append(InputFile.from_path(p))
        except OSError as exc:
            missing.append(f"{p}: tiedostoa ei voi avata: {exc.strerror or exc}")
    return files, missing


CHECK_FI = {"loaded": "muuttaisi varastoa", "unchanged": "ei muutoksia", "rejected": "hylättäisiin"}


def _print_result(result: LoadResult, checking: bool = False) -> None:
    """The same report for `check` and `load`: problems, warnings, notices and each file's own change."""
    for line in result.problem_lines():
        print(line)
    for f in result.files:
        for w in f.warnings:
            print(f"{f.file_name}: varoitus: {w.message}", file=sys.stderr)
    for notice in result.notices:
        print(notice, file=sys.stderr)
    if result.refusal:
        print(result.refusal)
    outcomes = CHECK_FI if checking else OUTCOME_FI
    for f in result.files:
        detail = f" ({f.change})" if f.change else ""
        print(f"{f.file_name}: {outcomes[f.outcome]}, lähde {f.source or '?'}, {f.rows} riviä{detail}",
              file=sys.stderr)
    if checking and result.clears_demo and result.ok:
        print("Lataus poistaisi demoaineiston; anna lataukselle --replace-demo.", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for bad files or a bad configuration file, 1 for a disk or
    I/O failure, 3 when another load holds the warehouse)."""
    try:
        return _main(argv)
    except ConfigError as exc:
        print(str(exc))
        return 2
    except wdb.WarehouseBusy as exc:
        print(str(exc))
        return 3
    except wdb.WarehouseIOError as exc:
        print(str(exc))
        return 1
    except (OSError, duckdb.IOException, duckdb.FatalException) as exc:
        # Reading the served warehouse failed (unreadable, damaged, or the disk went away): one sentence.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        print(f"Varastoa ei voitu lukea ({reason}); tarkista polku, oikeudet ja levy. Mitään ei muutettu.")
        return 1


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Työnjakoseuranta: tietojen lataus")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("load", "lataa tiedostot varastoon"), ("check", "tarkista tiedostot lataamatta")):
        p = sub.add_parser(name, help=text)
        p.add_argument("files", nargs="+", metavar="FILE")
        p.add_argument("--db", help="varaston polku (oletus TYONJAKO_DB tai data/tyonjako.duckdb)")
        p.add_argument("--source", choices=list(SOURCES), help="lähde, jos sitä ei tunnisteta otsikoista")
        if name == "load":
            p.add_argument("--replace-demo", action="store_true",
                           help="ensimmäinen oikea lataus demovarastoon: poista demoaineisto ja aloita puhdas varasto")
    p = sub.add_parser("demo", help="rakenna varasto projektin demoaineistosta")
    p.add_argument("--db")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--keep-files", metavar="DIR", help="kirjoita demotiedostot tähän kansioon")
    p = sub.add_parser("refresh", help="rakenna koosteet uudelleen (esim. asetusten muutoksen jälkeen)")
    p.add_argument("--db")
    # The CLI is the composition root: `etl report` is the dashboard's report, imported only here and only when the
    # CLI runs (tests/test_layers.py allows exactly this one upward import). Light: its heavy imports happen in run().
    from dashboard.report import cli as report_cli

    report_cli.add_parser(sub)
    args = parser.parse_args(argv)

    if args.command in ("load", "check"):
        files, missing = _inputs(args.files)
        for line in missing:
            print(line)
        if missing:
            return 2
        started = time.perf_counter()
        if args.command == "check":
            result = dry_run(files, args.db, args.source, _progress)
            _print_result(result, checking=True)
            return 0 if result.ok else 2
        result: LoadResult = load(files, args.db, args.source, _progress, replace_demo=args.replace_demo)
        _print_result(result)
        print(f"Aikaa kului {time.perf_counter() - started:.1f} s.", file=sys.stderr)
        return 0 if result.ok else 2
    if args.command == "demo":
        from etl.demo import build_demo

        try:
            path = build_demo(args.db, seed=args.seed, keep_dir=args.keep_files, progress=_progress)
        except RuntimeError as exc:
            print(str(exc))
            return 2
        print(f"Demovarasto valmis: {path}", file=sys.stderr)
        return 0
    if args.command == "report":
        return report_cli.run(args)
    if args.command == "refresh":
        from warehouse.build import build_marts, create_schema

        path = wdb.resolve(args.db)
        with wdb.writer_lock(path), wdb.new_version(path) as con:
            create_schema(con)
            build_marts(con)
        print(f"Koosteet rakennettu uudelleen: {path}", file=sys.stderr)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
