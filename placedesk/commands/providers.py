"""``placedesk providers import FILE [--map field="Header" ...]``: refresh the provider directory from Ofsted's list."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def parse_map(text: str) -> tuple[str, str]:
    """An argparse type for ``field="Header"``: which column of the file holds a PlaceDesk field."""
    from placedesk.services.referrals.ofsted_layout import FIELD_LABELS

    name, sep, header = text.partition("=")
    name, header = name.strip().lower(), header.strip().strip('"').strip("'").strip()
    if not sep or not name or not header:
        raise argparse.ArgumentTypeError(f"'{text}' is not field=\"Header\" (for example urn=\"Provider URN\")")
    if name not in FIELD_LABELS:
        raise argparse.ArgumentTypeError(f"'{name}' is not a field; use one of: " + ", ".join(FIELD_LABELS))
    return name, header


def register(sub: argparse._SubParsersAction) -> None:
    from placedesk.services.referrals.ofsted_layout import FIELD_LABELS

    providers = sub.add_parser("providers", help="the provider directory")
    actions = providers.add_subparsers(dest="providers_command", metavar="ACTION", required=True)
    load = actions.add_parser(
        "import", help="import Ofsted's list of children's social care providers (CSV or XLSX), matched by URN"
    )
    load.add_argument("file", metavar="FILE", type=Path, help="the Ofsted list, CSV or XLSX")
    load.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                      help="the date to import as (default: today); inspections after it are refused")
    load.add_argument("--map", metavar='FIELD="Header"', type=parse_map, action="append", default=[],
                      help="say which column holds a field when PlaceDesk does not recognise it (repeatable; "
                      "remembered for files with the same header). Fields: " + ", ".join(FIELD_LABELS))
    load.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from placedesk.services.referrals.ofsted_import import (
        import_ofsted_providers,
        report_lines,
    )

    mapping = dict(args.map) or None
    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_ofsted_providers(session, args.file, today=args.on or dt.date.today(), mapping=mapping)
    finally:
        db.close()
    print("\n".join(report_lines(report)))
    return 0
