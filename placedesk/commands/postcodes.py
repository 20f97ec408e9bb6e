"""``placedesk postcodes import FILE``: load the postcode location table matching measures distance with."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
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


def terminal_progress(label: str) -> Callable[[int, int], None] | None:
    """A ``progress(done, total)`` that shows a percentage on a terminal (nothing when output is piped)."""
    if not sys.stderr.isatty():
        return None
    shown = [-1]

    def show(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent != shown[0]:
            shown[0] = percent
            print(f"\r{label} {percent}%", end="\n" if percent >= 100 else "", file=sys.stderr, flush=True)

    return show


def run_import(args: argparse.Namespace) -> int:
    from placedesk.services.referrals.postcodes import import_locations, report_lines

    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_locations(session, args.file, progress=terminal_progress(f"Importing {args.file.name}"))
    finally:
        db.close()
    print("\n".join(report_lines(report)))
    return 0
