"""``placedesk dashboard``: every monitoring dashboard figure as CSV, one row each (name, value)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    dashboard = sub.add_parser(
        "dashboard", help="write every dashboard figure to a CSV file (name, value), for checking outside the app",
        description="Counts by risk level, open and overdue CAP actions, KPI reds by provider in its latest "
        "period and weekly spend by provider type (pence), as on a day.")
    dashboard.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                           help="the day the figures are for (default today)")
    dashboard.add_argument("--csv", metavar="FILE", required=True, type=Path, help="where to write the CSV")
    dashboard.set_defaults(func=run_dashboard)


def run_dashboard(args: argparse.Namespace) -> int:
    from placedesk.fileio import atomic_write_bytes
    from placedesk.services.common.audit_log import record_export
    from placedesk.services.common.tabular import csv_bytes
    from placedesk.services.monitoring.dashboard import compute_dashboard, figure_rows

    on = args.on or dt.date.today()
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            rows = figure_rows(compute_dashboard(session, on=on))
            atomic_write_bytes(args.csv, csv_bytes(["name", "value"], rows, bom=False, lineterminator="\n"))
            record_export(session, what=f"Dashboard figures on {on.isoformat()} (CSV)", target=args.csv.resolve(),
                          records=len(rows))
    finally:
        db.close()
    print(f"Wrote {len(rows)} dashboard figures for {on.isoformat()} to {args.csv}")
    return 0
