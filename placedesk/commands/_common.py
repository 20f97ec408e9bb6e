"""Helpers every sub-command shares: opening the chosen database, parsing dates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from placedesk.db import Database, open_database
from placedesk.errors import ValidationError


def db_path(args: argparse.Namespace) -> Path:
    from placedesk.config import default_db_path

    value = getattr(args, "db", None)
    return Path(value).expanduser() if value else default_db_path()


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
    db = open_database(db_path(args), create=create)
    db.officer = load_settings().settings.officer.name
    # Every change and export is recorded against the officer: none without one ('placedesk profile').
    db.require_officer = True
    if db.created:
        print(f"Created a new empty PlaceDesk database at {db.path}", file=sys.stderr)
    if db.upgraded_from is not None:
        print(f"Upgraded {db.path} (backup at {db.backup_path})", file=sys.stderr)
    return db


def parse_date(text: str) -> dt.date:
    """An argparse type for dates: ISO ``2026-03-31`` or UK ``31/03/2026``."""
    from placedesk.services.common.parsing import parse_date as parse

    try:
        return parse(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
