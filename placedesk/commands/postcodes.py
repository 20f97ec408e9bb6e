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
        help="import the ONS Postcode Directory or NSPL (CSV or its zip), OS Code-Point Open (its zip or an area "
        "CSV), or any CSV of postcodes or outward codes with latitude/longitude or easting/northing",
    )
    load.add_argument("file", metavar="FILE", type=Path,
                      help="the CSV or zip file; terminated postcodes are skipped and counted")
    load.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from placedesk.services.referrals.postcodes import import_locations, report_lines

    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_locations(session, args.file)
    finally:
        db.close()
    print("\n".join(report_lines(report)))
    return 0
