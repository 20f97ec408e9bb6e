"""``placedesk providers import FILE``: refresh the provider directory from Ofsted's published list."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    providers = sub.add_parser("providers", help="the provider directory")
    actions = providers.add_subparsers(dest="providers_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import", help="import Ofsted's list of children's social care providers (CSV or XLSX), matched by URN"
    )
    load.add_argument("file", metavar="FILE", type=Path, help="the Ofsted list, CSV or XLSX")
    load.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                      help="the date to import as (default: today); inspections after it are refused")
    load.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from placedesk.services.referrals.ofsted_import import import_ofsted_providers

    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_ofsted_providers(session, args.file, today=args.on or dt.date.today())
    finally:
        db.close()
    print(f"Read {report.rows_read:,} rows from {args.file}.")
    print(f"  added:              {report.added:,}")
    print(f"  updated:            {report.updated:,}")
    print(f"  unchanged:          {report.unchanged:,}")
    print(f"  inspections added:  {report.inspections_added:,}")
    print(f"  skipped (not placement providers): {report.skipped:,}")
    for provision, count in sorted(report.skipped_types.items()):
        print(f"    {provision}: {count:,}")
    print(f"  rows not read:      {report.bad_rows:,}")
    for problem in report.problems:
        print(f"    line {problem.line}: {problem.reason}")
    if report.bad_rows > len(report.problems):
        print(f"    ... and {report.bad_rows - len(report.problems):,} more")
    for warning in report.warnings:
        print(f"  note, line {warning.line}: {warning.reason}")
    return 0
