"""`python -m etl report`: the monthly report as a PDF file for a scheduled job (and optionally by e-mail)."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from dashboard.report import Unit


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `report` subcommand to the ETL command line."""
    p = sub.add_parser("report", help="laadi kuukausiraportti (PDF)")
    p.add_argument("--month", required=True, help="kuukausi muodossa YYYY-MM")
    p.add_argument("--unit", default="region",
                   help="yksikkö: region (koko alue, oletus), kunnan nimi tai aseman asema_id")
    p.add_argument("--lang", choices=("fi", "sv"), default="fi")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--db", help="varaston polku (oletus TYONJAKO_DB tai data/tyonjako.duckdb)")
    p.add_argument("--user", metavar="EMAIL",
                   help="laadi raportti tämän käyttäjän oikeuksin (config/access.toml); oletus: johto")
    p.add_argument("--mail", action="store_true",
                   help="lähetä raportti asetusten [raportti] vastaanottajille (SMTP-asetukset ympäristöstä)")


def parse_month(text: str) -> date:
    """YYYY-MM as the month's first day."""
    year, month = text.strip().split("-")
    return date(int(year), int(month), 1)


def resolve_unit(db: str | Path, text: str) -> Unit:
    """`region`, a station id or a municipality name as a Unit (ValueError for anything else)."""
    from dashboard import queries

    if text.lower() in ("region", "koko alue", "alue", ""):
        return Unit()
    stations = queries.stations(db)
    if text in stations["station_id"].to_list():
        return Unit(station_id=text)
    munis = {m.lower(): m for m in stations["municipality"].drop_nulls().to_list()}
    if text.lower() in munis:
        return Unit(municipality=munis[text.lower()])
    raise ValueError(f"tuntematon yksikkö {text!r}: anna region, kunnan nimi tai asema_id")


def run(args: argparse.Namespace) -> int:
    """Write the report; exit status 2 for a bad month, unit or user."""
    # The dashboard stack (Streamlit, Typst, vl-convert) is imported only when a report is made.
    from dashboard import queries
    from dashboard.access import Scope, load_access, scope_for
    from dashboard.report import pdf
    from warehouse import db as wdb

    db = wdb.resolve(args.db)
    try:
        month = parse_month(args.month)
    except ValueError:
        print(f"virheellinen kuukausi {args.month!r}: käytä muotoa YYYY-MM")
        return 2
    scope = Scope("johto")
    if args.user:
        found = scope_for(args.user, load_access())
        if found is None:
            print(f"käyttäjää {args.user} ei ole tiedostossa config/access.toml")
            return 2
        scope = found
    state = queries.warehouse_state(db)
    try:
        unit = resolve_unit(db, args.unit) if state["ready"] else Unit()
        started = time.perf_counter()
        data = pdf(db, scope, month, unit, args.lang)
    except (ValueError, PermissionError) as exc:
        print(str(exc))
        return 2
    Path(args.out).write_bytes(data)
    print(f"Raportti kirjoitettu: {args.out} ({len(data) // 1024} kt, {time.perf_counter() - started:.1f} s)",
          file=sys.stderr)
    if args.mail:
        from dashboard.report.mail import send

        try:
            recipients = send(data, Path(args.out).name, month, args.lang)
        except (ValueError, OSError) as exc:
            print(f"Raporttia ei lähetetty: {exc}")
            return 2
        print(f"Lähetetty: {', '.join(recipients)}", file=sys.stderr)
    return 0
