"""Helpers every sub-command shares: opening the chosen database, parsing dates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from placedesk.db import Database, open_database
from placedesk.errors import ValidationError


def db_target(args: argparse.Namespace) -> Path | str:
    """What ``--db`` names: a file path, or a server's SQLAlchemy URL (default: the user's file)."""
    from placedesk.config import default_db_path
    from placedesk.db import parse_target

    value = getattr(args, "db", None)
    return parse_target(value) if value else default_db_path()


def db_path(args: argparse.Namespace) -> Path:
    """The database file named by ``--db``, for the commands that work on a file only (backup, encrypt)."""
    target = db_target(args)
    if isinstance(target, str):
        raise ValidationError(f"'placedesk {getattr(args, 'command', '')}' works on a database file, not on "
                              "a team server; the council backs the server up with pg_dump.")
    return target


def use_passphrase_file(args: argparse.Namespace) -> None:
    """Let this command open an encrypted database with the passphrase in ``--passphrase-file``, if given."""
    from placedesk.db import remember_passphrase
    from placedesk.dbkey import read_passphrase_file

    path = getattr(args, "db_passphrase_file", None)
    if path:
        remember_passphrase(read_passphrase_file(Path(path)))


def open_db(args: argparse.Namespace, *, create: bool = True) -> Database:
    """Open the database named by ``--db`` (or the default), saying so if it is new.

    An encrypted database opens with the keystore's key or ``--passphrase-file``.
    """
    from placedesk.config import load_settings

    use_passphrase_file(args)
    db = open_database(db_target(args), create=create)
    db.officer = load_settings().settings.officer.name
    # Every change and export is recorded against the officer: none without one ('placedesk profile').
    db.require_officer = True
    if db.created:
        print(f"Created a new empty PlaceDesk database at {db.location}", file=sys.stderr)
    if db.upgraded_from is not None:
        print(f"Upgraded {db.location}" + (f" (backup at {db.backup_path})" if db.backup_path else ""), file=sys.stderr)
    return db


def parse_date(text: str) -> dt.date:
    """An argparse type for dates: ISO ``2026-03-31`` or UK ``31/03/2026``."""
    from placedesk.services.common.parsing import parse_date as parse

    try:
        return parse(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
