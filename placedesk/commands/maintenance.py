"""``placedesk check``, ``backup`` and ``restore``: keeping the database file safe."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from placedesk.commands._common import db_path, open_db


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="check the database: integrity, schema, stored PDFs, counts")
    check.set_defaults(func=run_check)

    backup = sub.add_parser("backup", help="copy the database to a file (safe while the app is open)")
    backup.add_argument("--to", metavar="FILE", required=True, type=Path, help="where to write the copy")
    backup.set_defaults(func=run_backup)

    restore = sub.add_parser("restore", help="replace the database with a backup (the current file is backed up first)")
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup to restore")
    restore.set_defaults(func=run_restore)


def run_check(args: argparse.Namespace) -> int:
    from placedesk.services.common.health import check_database

    db = open_db(args, create=False)
    try:
        # Reading only: a check never holds up the window's saves.
        with db.session() as session:
            report = check_database(session)
    finally:
        db.close()
    print(f"Database: {db.path}")
    print(f"Schema version: {report.schema_version}")
    print(f"Stored documents checked: {report.documents_checked}")
    for table, count in report.counts.items():
        print(f"  {table:<28} {count:>10,}")
    if report.ok:
        print("OK: no problems found.")
        return 0
    for problem in report.problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1


def run_backup(args: argparse.Namespace) -> int:
    from placedesk.db import backup_database

    db = open_db(args, create=False)
    db.close()
    target = backup_database(db.path, args.to)
    print(f"Backed up {db.path} to {target}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from placedesk.db import restore_database

    target = db_path(args)
    safety = restore_database(args.file, target)
    if safety:
        print(f"The previous database was saved to {safety}")
    # A backup from an older PlaceDesk is brought up to date now, not by whoever opens it next.
    open_db(args, create=False).close()
    print(f"Restored {args.file} to {target}")
    return 0
