"""``placedesk report cap|provider``: the CAP report and provider monitoring report as PDF files.

Reports made here are written to the file given and not kept in the
database (only the export is recorded in the audit log); reports made in the
app are kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="make a CAP report or a provider monitoring report (PDF)")
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND", required=True)

    cap = kinds.add_parser("cap", help="the CAP report for the provider meeting: plan, actions, history")
    cap.add_argument("cap_ref", metavar="CAP_REF", help="the CAP's reference, e.g. CAP-AB12-0001")
    cap.add_argument("--out", metavar="FILE.pdf", required=True, type=Path, help="where to write the PDF")
    cap.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                     help="judge overdue actions as at this date (default today)")
    cap.set_defaults(func=run_cap)

    provider = kinds.add_parser("provider", help="a provider's monitoring report for a period")
    provider.add_argument("provider", metavar="PROVIDER_REF_OR_URN", help="PlaceDesk reference or Ofsted URN")
    provider.add_argument("--from", dest="start", metavar="DATE", type=parse_date, required=True,
                          help="first day of the period (31/03/2026 or 2026-03-31)")
    provider.add_argument("--to", dest="end", metavar="DATE", type=parse_date, required=True,
                          help="last day of the period")
    provider.add_argument("--out", metavar="FILE.pdf", required=True, type=Path, help="where to write the PDF")
    provider.set_defaults(func=run_provider)


def run_cap(args: argparse.Namespace) -> int:
    from placedesk.fileio import atomic_write_bytes
    from placedesk.services.common.audit_log import record_export
    from placedesk.reports.cap_report import make_cap_report
    from placedesk.services.monitoring.caps import find_cap

    today = args.on or dt.date.today()
    db = open_db(args, create=False)
    try:
        with db.session() as session:
            cap = find_cap(session, args.cap_ref)
            ref = cap.ref
            _, content = make_cap_report(session, cap, today=today, store=False)
            session.rollback()
            atomic_write_bytes(args.out, content)
            record_export(session, what=f"CAP report {ref} (PDF)", target=args.out.resolve(), records=1,
                          entity="cap", entity_id=cap.id)
            session.commit()
    finally:
        db.close()
    print(f"Wrote the CAP report for {ref} to {args.out}")
    return 0


def run_provider(args: argparse.Namespace) -> int:
    from placedesk.fileio import atomic_write_bytes
    from placedesk.services.common.audit_log import record_export
    from placedesk.reports.provider_report import find_provider, make_provider_report

    db = open_db(args, create=False)
    try:
        with db.session() as session:
            provider = find_provider(session, args.provider)
            name = provider.ref
            _, content = make_provider_report(session, provider, start=args.start, end=args.end,
                                              today=dt.date.today(), store=False)
            session.rollback()
            atomic_write_bytes(args.out, content)
            record_export(session, what=f"Monitoring report for {name}, {args.start.isoformat()} to "
                          f"{args.end.isoformat()} (PDF)", target=args.out.resolve(), records=1,
                          entity="provider", entity_id=provider.id)
            session.commit()
    finally:
        db.close()
    print(f"Wrote the monitoring report for {name} to {args.out}")
    return 0
