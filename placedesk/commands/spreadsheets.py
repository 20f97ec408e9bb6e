"""``placedesk spreadsheets``: XLSX and CSV extracts for the commissioning team."""

from __future__ import annotations

import argparse
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("spreadsheets",
                            help="write placements and spend, referrals, CAPs and KPI reds as XLSX (and CSV)")
    parser.add_argument("--to", metavar="DIR", type=Path, required=True, help="folder to write into")
    parser.add_argument("--pseudonymise", action="store_true",
                        help="replace names and case references with pseudonyms and dates of birth with age bands")
    parser.add_argument("--csv", action="store_true", help="also write one CSV file per sheet")
    parser.add_argument("--csv-only", action="store_true", help="write CSV files only")
    parser.add_argument("--on", metavar="DATE", type=parse_date, help="the date figures are worked out for (default today)")
    parser.set_defaults(func=run_spreadsheets)


def run_spreadsheets(args: argparse.Namespace) -> int:
    import datetime as dt

    from placedesk.services.sync.spreadsheets import write_spreadsheets

    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            result = write_spreadsheets(session, args.to, on=args.on or dt.date.today(),
                                        pseudonymise=args.pseudonymise, xlsx=not args.csv_only,
                                        csv=args.csv or args.csv_only)
    finally:
        db.close()
    kind = "pseudonymised " if result.pseudonymised else ""
    print(f"Wrote {kind}spreadsheets ({', '.join(result.sheets)}):")
    for path in result.files:
        print(f"  {path}")
    return 0
