"""``placedesk check``, ``backup``, ``restore`` and ``encrypt``: keeping the database file safe.

``encrypt [--passphrase-file F]`` encrypts the database at rest with SQLCipher:
with the system's keystore available, a random key is kept there and the
officer never types it; with ``--passphrase-file F`` the passphrase on F's first
line is the key (it is also what the database then opens with on a computer
without a keystore). The plain file is replaced only after the encrypted copy
has been checked, and never while a window has it open. Backups taken before
remain plain: delete them once a new, encrypted backup exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from placedesk.commands._common import db_path, open_db, use_passphrase_file


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help="check the database: integrity, schema, stored PDFs, counts")
    check.set_defaults(func=run_check)

    backup = sub.add_parser("backup", help="copy the database to a file (safe while the app is open)")
    backup.add_argument("--to", metavar="FILE", required=True, type=Path, help="where to write the copy")
    backup.set_defaults(func=run_backup)

    restore = sub.add_parser("restore", help="replace the database with a backup (the current file is backed up first)")
    restore.add_argument("file", metavar="FILE", type=Path, help="the backup to restore")
    restore.set_defaults(func=run_restore)

    parser = sub.add_parser("encrypt", help="encrypt the database (key in the keystore, or a passphrase file)")
    parser.add_argument("--passphrase-file", dest="db_passphrase_file", metavar="F", type=Path, default=None,
                        help="use the passphrase on this file's first line instead of a key in the keystore")
    parser.set_defaults(func=run_encrypt)


def run_check(args: argparse.Namespace) -> int:
    from placedesk.services.common.health import check_database

    db = open_db(args, create=False)
    try:
        # Reading only: a check never holds up the window's saves.
        with db.session() as session:
            report = check_database(session)
    finally:
        db.close()
    print(f"Database: {db.location}")
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

    db_path(args)  # refuses a server URL: the council backs the server up with pg_dump
    db = open_db(args, create=False)
    db.close()
    assert db.path is not None
    target = backup_database(db.path, args.to, key=db.key)
    kind = "an encrypted copy, with the same key," if db.encrypted else "a copy"
    print(f"Backed up {db.path} to {target} ({kind})")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from placedesk.db import restore_database

    use_passphrase_file(args)
    target = db_path(args)
    safety = restore_database(args.file, target)
    if safety:
        print(f"The previous database was saved to {safety}")
    # A backup from an older PlaceDesk is brought up to date now, not by whoever opens it next.
    open_db(args, create=False).close()
    print(f"Restored {args.file} to {target}")
    return 0


def run_encrypt(args: argparse.Namespace) -> int:
    from placedesk.db import encrypt_database
    from placedesk.dbkey import ensure_keystore_key, new_passphrase_key, read_passphrase_file

    path = db_path(args).expanduser().resolve()
    _refuse_if_open_in_a_window(path)
    if args.db_passphrase_file is not None:
        key = new_passphrase_key(read_passphrase_file(args.db_passphrase_file))
        how = "the passphrase in " + str(args.db_passphrase_file)
    else:
        key = ensure_keystore_key()
        how = "a key kept in this computer's keystore"
    encrypt_database(path, key)
    print(f"Encrypted {path} with {how}.")
    print("Backups made before now are not encrypted: delete them once 'placedesk backup' has made a new one.")
    return 0


def _refuse_if_open_in_a_window(path: Path) -> None:
    """Encrypting replaces the file: never under an open window (its lock file names a live process)."""
    import os

    from placedesk.errors import PlaceDeskError

    lock = Path(f"{path}.lock")
    try:
        pid = int(lock.read_text(encoding="utf-8", errors="replace").splitlines()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return  # a lock left by a crash
    except PermissionError:
        pass  # alive, run by someone else
    raise PlaceDeskError(f"{path.name} is open in a PlaceDesk window (process {pid}). Close the window, or use "
                         "File › Officer profile and settings › Encrypt this database there. Nothing was changed.")
