"""``placedesk encrypt [--passphrase-file F]``: encrypt the database at rest with SQLCipher.

With the system's keystore available, a random key is kept there and the
officer never types it; with ``--passphrase-file F`` the passphrase on F's first
line is the key (it is also what the database then opens with on a computer
without a keystore). The plain file is replaced only after the encrypted copy
has been checked. Backups taken before remain plain: delete them once a new,
encrypted backup exists.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from placedesk.commands._common import db_path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("encrypt", help="encrypt the database (key in the keystore, or a passphrase file)")
    parser.add_argument("--passphrase-file", dest="db_passphrase_file", metavar="F", type=Path, default=None,
                        help="use the passphrase on this file's first line instead of a key in the keystore")
    parser.set_defaults(func=run_encrypt)


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
