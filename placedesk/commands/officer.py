"""``placedesk profile`` and ``placedesk audit``: who is recorded against changes, and what they did.

``profile`` shows or sets the officer profile (with no options it prints it;
options set those fields, checked as the settings dialog checks them). Changes
are refused until the officer's name is set; referral packs and agreements also
need the council's name and an email or phone.

``audit [--record REF] [--officer NAME] [--from D --to D] [--kind K] [--csv F]``
prints who changed or exported what, newest first, with every field's before
and after; ``--csv`` writes the same lines (oldest first) to a file, and that
export is itself recorded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from placedesk.commands._common import open_db, parse_date

FIELDS = (("name", "name", "Officer name"), ("role", "role", "Role"), ("council", "local_authority", "Council"),
          ("address", "la_address", "Council address"), ("email", "email", "Email"), ("phone", "phone", "Phone"))
KINDS = ("insert", "update", "delete", "export")


def register(sub: argparse._SubParsersAction) -> None:
    _register_audit(sub)
    _register_profile(sub)


def _register_profile(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("profile", help="show or set the officer profile (name, council, email, phone)",
                            description="Changes to records are refused until the officer's name is set; referral "
                            "packs and agreements also need the council's name and an email or phone.")
    for option, _, label in FIELDS:
        parser.add_argument(f"--{option}", metavar="TEXT", default=None, help=f"set the {label.lower()}")
    parser.set_defaults(func=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings, save_settings, settings_path
    from placedesk.errors import PlaceDeskError
    from placedesk.services.common.settings import missing_for_packs, update_profile

    loaded = load_settings()
    changes = {attr: getattr(args, option) for option, attr, _ in FIELDS if getattr(args, option) is not None}
    settings = loaded.settings
    if changes:
        if loaded.problem:
            raise PlaceDeskError(f"{loaded.problem} The profile was not changed, so the file is not overwritten.")
        settings = update_profile(settings, **changes)
        save_settings(settings)
        print(f"Saved the officer profile to {settings_path()}")
    officer = settings.officer
    for _, attr, label in FIELDS:
        print(f"{label + ':':<17} {getattr(officer, attr) or '(not set)'}")
    missing = missing_for_packs(officer)
    if missing:
        print(f"Still needed for referral packs and agreements: {', '.join(missing)}.")
    return 0

def _register_audit(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="list who changed or exported what (the audit log)")
    audit.add_argument("--record", metavar="REF", default="", help="one record's history, by its reference "
                       "(referral, placement, provider, CAP, agreement) or a child's case reference")
    audit.add_argument("--officer", metavar="NAME", default="", help="events by this officer (part of the name)")
    audit.add_argument("--from", dest="start", metavar="DATE", type=parse_date, default=None, help="from this day")
    audit.add_argument("--to", dest="end", metavar="DATE", type=parse_date, default=None, help="to this day")
    audit.add_argument("--kind", choices=KINDS, default=None, help="only this kind of event")
    audit.add_argument("--csv", metavar="FILE", type=Path, default=None, help="write the events to a CSV file")
    audit.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    from placedesk.models.enums import AuditAction
    from placedesk.services.common.audit_log import AuditFilter, change_lines, list_events, write_audit_csv

    filters = AuditFilter(record=args.record, officer=args.officer, start=args.start, end=args.end,
                          action=AuditAction(args.kind) if args.kind else None)
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            if args.csv is not None:
                count = write_audit_csv(session, filters, args.csv)
            else:
                rows = list_events(session, filters)
    finally:
        db.close()
    if args.csv is not None:
        print(f"Wrote {count} audit event(s) to {args.csv}")
        return 0
    if not rows:
        print("No audit events match.")
        return 0
    for row in rows:
        when = row.occurred_at.astimezone().strftime("%d/%m/%Y %H:%M:%S")
        who = (row.officer or "(no officer)") + (f" [login {row.login}]" if row.login else "")
        print(f"{when}  {who}  {row.action.label}  {row.entity} {row.entity_id}")
        for field, before, after in change_lines(row):
            print(f"    {field}: {before!r} -> {after!r}" if before else f"    {field}: {after!r}")
    print(f"{len(rows)} event(s), newest first.")
    return 0
