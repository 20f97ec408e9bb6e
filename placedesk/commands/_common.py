"""Helpers every sub-command shares: opening the chosen database, parsing dates."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
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
    On a team server the officer signs in as their own login (:func:`server_login`);
    a login that cannot do casework there (a commissioner's) is told so.
    """
    from placedesk.config import load_settings

    use_passphrase_file(args)
    target = db_target(args)
    if isinstance(target, str) and target.startswith("postgresql"):
        target = server_login(target)
    db = open_database(target, create=create)
    if db.is_server:
        from placedesk.services.server.roles import working_role

        try:
            with db.engine.connect() as conn:
                working_role(conn)
        except BaseException:
            db.close()
            raise
    db.officer = load_settings().settings.officer.name
    # Every change and export is recorded against the officer: none without one ('placedesk profile').
    db.require_officer = True
    if db.created:
        print(f"Created a new empty PlaceDesk database at {db.location}", file=sys.stderr)
    if db.upgraded_from is not None:
        print(f"Upgraded {db.location}" + (f" (backup at {db.backup_path})" if db.backup_path else ""), file=sys.stderr)
    return db


def password_prompt() -> Callable[[str], str] | None:
    """A password prompt when a person is at the terminal; None otherwise (scripts give a password file)."""
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass


def server_login(url: str, password_file: Path | None = None) -> str:
    """The server URL with the officer's password in it (in memory only), from a file, the keystore or a prompt."""
    from placedesk.services.server.login import login_url

    return login_url(url, password_file=password_file, ask=password_prompt()).render_as_string(hide_password=False)


def parse_date(text: str) -> dt.date:
    """An argparse type for dates: ISO ``2026-03-31`` or UK ``31/03/2026``."""
    from placedesk.services.common.parsing import parse_date as parse

    try:
        return parse(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
