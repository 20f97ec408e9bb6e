"""``placedesk import-903``, ``leaving-care`` and ``coming-up``: care history in, the officer's lists out.

The leaving-care team needs the list, not the app: ``leaving-care`` prints
every child with case reference, date of birth, status on the date asked,
the reason, and the next date the status changes, or writes it as CSV.
``coming-up`` writes the officer's week (the Coming up tab's items) to the
screen, a CSV file or an .ics calendar.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from collections import Counter
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import-903", help="import SSDA903 episodes (and header) CSV files into care history")
    imp.add_argument("episodes", metavar="EPISODES.csv", type=Path, help="the SSDA903 episodes file")
    imp.add_argument("header", metavar="HEADER.csv", type=Path, nargs="?", help="the SSDA903 header file")
    imp.add_argument("--create-children", action="store_true",
                     help="add children found in the header file but not yet in PlaceDesk")
    imp.set_defaults(func=run_import_903)

    lc = sub.add_parser("leaving-care", help="list every child's leaving-care status on a date")
    lc.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                    help="the date to assess (dd/mm/yyyy or yyyy-mm-dd; default today)")
    lc.add_argument("--csv", metavar="FILE", type=Path, default=None, help="write the list as CSV to FILE")
    lc.set_defaults(func=run_leaving_care)

    up = sub.add_parser("coming-up", help="the officer's list of what is due or overdue (as the Coming up tab)")
    up.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                    help="the day to list from (dd/mm/yyyy or yyyy-mm-dd; default today)")
    up.add_argument("--days", metavar="N", type=int, default=None,
                    help="how many days ahead to look (default: the 'coming up' setting)")
    up.add_argument("--csv", metavar="FILE", type=Path, default=None, help="write the list as CSV to FILE")
    up.add_argument("--ics", metavar="FILE", type=Path, default=None,
                    help="write the list as an iCalendar file to FILE (for Outlook and other calendars)")
    up.set_defaults(func=run_coming_up)


def run_import_903(args: argparse.Namespace) -> int:
    from placedesk.errors import PlaceDeskError
    from placedesk.services.care.ssda903 import import_903

    if args.create_children and args.header is None:
        raise PlaceDeskError("--create-children needs the header file (CHILD, SEX, DOB, ...): give it after "
                             "the episodes file.")
    db = open_db(args)
    try:
        with db.session_scope() as session:
            report = import_903(session, args.episodes, args.header, create_children=args.create_children)
    finally:
        db.close()
    print(report.summary())
    for problem in report.problems:
        print(f"  {problem}")
    if report.problems:
        print("The other rows were imported. Fix these rows in the case system and import the file again: "
              "rows already imported are not duplicated.", file=sys.stderr)
        return 1
    return 0


CSV_COLUMNS = ("case_reference", "date_of_birth", "status", "reason", "next_change_date", "next_change")


def run_leaving_care(args: argparse.Namespace) -> int:
    from placedesk.fileio import atomic_write_text
    from placedesk.services.care.leaving_care import leaving_care_report
    from placedesk.services.common.parsing import format_date

    on: dt.date = args.on or dt.date.today()
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            rows = leaving_care_report(session, on)
    finally:
        db.close()
    counts = Counter(row.result.label for row in rows)
    if args.csv is not None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            change = row.result.next_change
            writer.writerow([row.case_reference, row.date_of_birth.isoformat(), row.result.label,
                             row.result.reason, change[0].isoformat() if change else "", change[1] if change else ""])
        atomic_write_text(args.csv, buffer.getvalue())
        print(f"Wrote {len(rows)} children's leaving-care status on {format_date(on)} to {args.csv}")
    else:
        print(f"Leaving-care status on {format_date(on)}")
        print(f"{'Case ref':<14} {'Born':<10}  {'Status':<28} Next change")
        for row in rows:
            change = row.result.next_change
            when = f"{format_date(change[0])} {change[1]}" if change else ""
            print(f"{row.case_reference:<14} {format_date(row.date_of_birth):<10}  {row.result.label:<28} {when}")
            print(f"{'':<26}{row.result.reason}")
    if not rows:
        print("No children in this database yet: import SSDA903 files with 'placedesk import-903'.")
    else:
        print("; ".join(f"{label}: {n}" for label, n in sorted(counts.items())))
    return 0


COMING_UP_COLUMNS = ("kind", "due_date", "overdue", "what", "record", "concerns")


def run_coming_up(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings
    from placedesk.errors import PlaceDeskError
    from placedesk.fileio import atomic_write_text
    from placedesk.services.care.calendar_export import export_ics
    from placedesk.services.care.coming_up import coming_up, record_references
    from placedesk.services.common.parsing import format_date

    settings = load_settings().settings
    on: dt.date = args.on or dt.date.today()
    days = args.days if args.days is not None else settings.coming_up_days
    if days < 0:
        raise PlaceDeskError("--days cannot be negative: give how many days ahead to look, e.g. --days 14.")
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            items = coming_up(session, today=on, days=days, intervals=settings.monitoring)
            records = record_references(session, items)
    finally:
        db.close()
    rows = [(i.kind.label, i.due_on, i.overdue, i.title, records.get((i.entity, i.entity_ref), i.entity), i.subject)
            for i in items]
    overdue = sum(1 for i in items if i.overdue)
    if args.csv is not None:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(COMING_UP_COLUMNS)
        for kind, due, late, what, record, concerns in rows:
            writer.writerow([kind, due.isoformat(), "yes" if late else "no", what, record, concerns])
        atomic_write_text(args.csv, buffer.getvalue())
        print(f"Wrote {len(rows)} item(s) to {args.csv}")
    if args.ics is not None:
        count = export_ics(items, args.ics, generated_at=dt.datetime.now(dt.timezone.utc))
        print(f"Wrote {count} calendar event(s) to {args.ics}")
    if args.csv is None and args.ics is None:
        print(f"Coming up from {format_date(on)} to {format_date(on + dt.timedelta(days=days))}: "
              f"{len(rows)} item(s), {overdue} overdue")
        for kind, due, late, what, record, concerns in rows:
            flag = "OVERDUE " if late else ""
            print(f"{flag}{format_date(due)}  {kind}: {what}" + (f" ({concerns})" if concerns else "")
                  + f"  [{record}]")
    return 0
