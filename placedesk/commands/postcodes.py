"""``placedesk postcodes import FILE``: load the postcode location table matching measures distance with."""

from __future__ import annotations

import argparse
from pathlib import Path

from placedesk.commands._common import open_db


def register(sub: argparse._SubParsersAction) -> None:
    postcodes = sub.add_parser("postcodes", help="the postcode location table used for distances")
    actions = postcodes.add_subparsers(dest="postcodes_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import",
        help="import a CSV of postcodes or outward codes with latitude/longitude or easting/northing "
        "(ONS Postcode Directory, OS Code-Point Open, outward-code centroids)",
    )
    load.add_argument("file", metavar="FILE", type=Path, help="the CSV file, with a header line")
    load.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from placedesk.services.referrals.postcodes import import_locations

    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_locations(session, args.file)
    finally:
        db.close()
    print(f"Read {report.rows_read:,} rows from {args.file} (key column '{report.key_column}', "
          f"{report.coordinates}).")
    print(f"Imported {report.imported:,} locations; {report.bad_rows:,} rows could not be read.")
    for problem in report.problems:
        print(f"  line {problem.line}: {problem.reason}")
    if report.bad_rows > len(report.problems):
        print(f"  ... and {report.bad_rows - len(report.problems):,} more")
    return 0
