"""``placedesk pack REFERRAL_REF --provider PROVIDER_REF --out FILE.pdf``: a provider's referral pack, to check or print.

The pack is made exactly as the Send page would send it today (minimised and
redacted, with the council's identity from the officer profile). Nothing is
recorded as sent; writing the file is recorded in the audit log.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from placedesk.commands._common import open_db, parse_date


def register(sub: argparse._SubParsersAction) -> None:
    pack = sub.add_parser("pack", help="write one provider's referral pack exactly as it would be sent")
    pack.add_argument("referral", metavar="REFERRAL_REF", help="the referral's reference, e.g. REF-7F3A-0042")
    pack.add_argument("--provider", metavar="PROVIDER_REF", required=True, help="the provider's reference")
    pack.add_argument("--out", metavar="FILE.pdf", type=Path, required=True, help="where to write the PDF")
    pack.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                      help="make it as if sent on this date (default today)")
    pack.set_defaults(func=run_pack)


def run_pack(args: argparse.Namespace) -> int:
    from placedesk.config import load_settings
    from placedesk.fileio import atomic_write_bytes
    from placedesk.reports.provider_report import find_provider
    from placedesk.services.common.audit_log import record_export
    from placedesk.services.referrals.intake import find_referral, make_referral_pack
    from placedesk.services.referrals.pack_texts import pack_texts

    today = args.on or dt.date.today()
    officer = load_settings().settings.officer
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            referral = find_referral(session, args.referral)
            provider = find_provider(session, args.provider)
            pdf = make_referral_pack(session, referral, provider, today=today, officer=officer)
            removed = sum(len(t.redacted.removals) for t in pack_texts(session, referral))
            atomic_write_bytes(args.out, pdf)
            record_export(session, what=f"Referral pack {referral.ref} for {provider.ref} (PDF, not sent)",
                          target=args.out.resolve(), records=1, pseudonymised=True, entity="referral",
                          entity_id=referral.id)
            ref = referral.ref
    finally:
        db.close()
    print(f"Wrote the referral pack for {ref} to {provider.name} ({args.provider.upper()}) to {args.out}")
    if removed:
        print(f"{removed} identifying detail(s) typed in the summaries were removed; see them on the Send page.")
    return 0
