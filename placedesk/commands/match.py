"""``placedesk match REFERRAL_REF [--csv FILE]``: the ranked shortlist with reasons, to print and defend."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from placedesk.commands._common import open_db, parse_date

if TYPE_CHECKING:
    from placedesk.services.referrals.matching import MatchResult


def register(sub: argparse._SubParsersAction) -> None:
    match = sub.add_parser("match", help="rank providers for a referral, with the reason for every score")
    match.add_argument("referral", metavar="REFERRAL_REF", help="the referral's reference, e.g. REF-7F3A-0042")
    match.add_argument("--csv", metavar="FILE", type=Path, help="also write the shortlist and exclusions to a CSV")
    match.add_argument("--on", metavar="DATE", type=parse_date, default=None,
                       help="match as on this date (default: today)")
    match.add_argument("--top", metavar="N", type=int, default=None, help="print only the first N ranked providers")
    match.add_argument("--beyond-limit", action="store_true",
                       help="also rank providers beyond the referral's maximum distance (with the distance penalty)")
    match.set_defaults(func=run_match)


def shortlist_csv(result: MatchResult) -> bytes:
    """The shortlist as CSV: ranked rows first, then excluded ones with their reason."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["rank", "provider_ref", "provider", "town", "urn", "score", "distance_km", "reasons",
                     "excluded_because"])
    for rank, row in enumerate(result.ranked, start=1):
        distance = "" if row.distance_km is None else f"{row.distance_km:.1f}"
        writer.writerow([rank, row.provider_ref, row.provider_name, row.town, row.urn, f"{row.score:.1f}", distance,
                         "; ".join(row.reasons), ""])
    for item in result.excluded:
        writer.writerow(["", item.provider_ref, item.provider_name, item.town, item.urn, "", "", "", item.reason])
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM correctly


def run_match(args: argparse.Namespace) -> int:
    from placedesk.fileio import atomic_write_bytes
    from placedesk.services.referrals.matching import match_referral
    from placedesk.services.referrals.intake import find_referral

    today = args.on or dt.date.today()
    db = open_db(args, create=False)
    try:
        with db.session_scope() as session:
            referral = find_referral(session, args.referral)
            result = match_referral(session, referral, today=today, include_beyond_limit=args.beyond_limit)
            sought = referral.placement_type.label if referral.placement_type else "type not stated"
    finally:
        db.close()
    print(f"Shortlist for {result.referral_ref} ({sought}) on {today:%d/%m/%Y}")
    print(result.proximity_note)
    shown = result.ranked if args.top is None else result.ranked[: max(0, args.top)]
    more = f", first {len(shown)} shown" if len(shown) < len(result.ranked) else ""
    print(f"\nRanked: {len(result.ranked)} provider(s){more}")
    for rank, row in enumerate(shown, start=1):
        distance = f", {row.distance_km:.1f} km" if row.distance_km is not None else ""
        print(f"{rank:>4}. {row.score:6.1f}  {row.provider_label} ({row.provider_ref}){distance}")
        for reason in row.reasons:
            print(f"              - {reason}")
    print(f"\nExcluded: {len(result.excluded)} provider(s)")
    for item in result.excluded:
        print(f"      {item.provider_label} ({item.provider_ref}): {item.reason}")
    if args.csv:
        atomic_write_bytes(args.csv, shortlist_csv(result))
        print(f"\nWrote {args.csv}")
    return 0
