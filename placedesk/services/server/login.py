"""Each officer connects as themselves: their own PostgreSQL login, and where needed its password.

The URL an officer gives (``--db``, the Team server setting) names the server,
the database and their login, never a password. The password, when the server
wants one, comes from (in this order) a ``--password-file``, the operating
system's keystore through ``keyring`` (``placedesk server login`` puts it
there after checking it), or a prompt. It is held in memory only: never
written to settings, to a URL on disk, or to a log.

With the council's Kerberos/GSSAPI single sign-on, the URL carries
``gssencmode`` (or ``krbsrvname``): PlaceDesk then asks for nothing and stores
nothing, and libpq signs in with the officer's Kerberos ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from placedesk.errors import PlaceDeskError, ValidationError

SERVICE = "PlaceDesk team server"
# What libpq says when the server asked for a password and none was given, or it was wrong.
_NEEDS_PASSWORD = ("no password supplied", "password authentication failed")
SSO_KEYS = ("gssencmode", "krbsrvname", "gsslib")

Ask = Callable[[str], str]


def parse_server_url(text: str) -> URL:
    """A PostgreSQL URL as SQLAlchemy's object; ``postgresql://`` is taken as psycopg 3's."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise ValidationError(f"{text!r} is not a server address. Give one like "
                              "postgresql+psycopg://LOGIN@HOST/DATABASE.", field="url") from None
    if url.get_backend_name() != "postgresql":
        raise ValidationError(f"{url.render_as_string()} is not a PostgreSQL server address; team servers are "
                              "PostgreSQL (postgresql+psycopg://LOGIN@HOST/DATABASE).", field="url")
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def uses_single_sign_on(url: URL) -> bool:
    """Whether the URL asks libpq for Kerberos/GSSAPI, so no password is ever asked for or kept."""
    return any(key in url.query for key in SSO_KEYS) and url.query.get("gssencmode") != "disable"


def account(url: URL) -> str:
    """The keystore's name for this login on this server and database (no password in it)."""
    host = url.host or url.query.get("host") or "localhost"
    port = url.port or url.query.get("port") or 5432
    return f"{url.username or ''}@{host}:{port}/{url.database or ''}"


def _keyring():  # type: ignore[no-untyped-def]
    import keyring

    return keyring


def stored_password(url: URL) -> str | None:
    """The password the keystore holds for this login, or None (also with no keystore at all)."""
    try:
        return _keyring().get_password(SERVICE, account(url))  # type: ignore[no-any-return]
    except Exception:  # a machine with no usable keystore holds nothing
        return None


def remember_password(url: URL, password: str) -> None:
    """Keep ``password`` in the OS keystore for this login; refuse where there is no keystore."""
    from keyring.errors import KeyringError

    try:
        _keyring().set_password(SERVICE, account(url), password)
    except (KeyringError, RuntimeError) as exc:
        raise PlaceDeskError(f"This computer has no keystore to keep the password in ({exc}). Give it with "
                             "--password-file F or type it when asked instead.") from None


def forget_password(url: URL) -> bool:
    """Remove the kept password for this login; whether there was one."""
    if stored_password(url) is None:
        return False
    from keyring.errors import KeyringError

    try:
        _keyring().delete_password(SERVICE, account(url))
    except KeyringError:
        return False
    return True


def read_password_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ValidationError(f"Could not read the password file {path}: {exc.strerror}.", field="password_file") \
            from None
    if not lines or not lines[0]:
        raise ValidationError(f"The password file {path} is empty; put the password on its first line.",
                              field="password_file")
    return lines[0]


def needs_password(exc: BaseException) -> bool:
    """Whether a failed connection was the server asking for a (right) password."""
    text = str(exc)
    return any(phrase in text for phrase in _NEEDS_PASSWORD)


def try_connect(url: URL) -> str:
    """Connect once and return the login the server saw (``session_user``); raises the driver's error."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT session_user")).scalar_one())
    finally:
        engine.dispose()


def login_url(text: str, *, password_file: Path | None = None, ask: Ask | None = None) -> URL:
    """The URL to connect with, carrying the officer's password in memory where the server needs one.

    Single sign-on URLs come back as they are. Otherwise the password is taken
    from ``password_file``, then the keystore; failing both, one connection is
    tried without a password (trust, peer or a ``.pgpass`` may suffice) and,
    if the server asks for one, ``ask`` is called; with no ``ask`` the
    officer is told how to give it.
    """
    url = parse_server_url(text)
    if url.password is not None or uses_single_sign_on(url):
        return url
    if password_file is not None:
        return url.set(password=read_password_file(password_file))
    kept = stored_password(url)
    if kept is not None:
        return url.set(password=kept)
    try:
        try_connect(url)
        return url
    except Exception as exc:
        if not needs_password(exc):
            raise unreachable(url, exc) from None
    if ask is None:
        raise PlaceDeskError(
            f"The team server asks for {url.username or 'your login'}'s password. Keep it in this computer's "
            f"keystore with 'placedesk server login {url.render_as_string()}', or give --password-file F.")
    return url.set(password=ask(f"Password for {url.username} on {url.host or 'the team server'}: "))


def unreachable(url: URL, exc: BaseException) -> PlaceDeskError:
    """A failed connection as a message: a login without a PlaceDesk role is told whom to ask."""
    if "CONNECT privilege" in str(exc):
        login = url.username or "Your login"
        return PlaceDeskError(f"The login {login} has no PlaceDesk role on this database, so the server does not let "
                              f"it connect. Ask the database administrator to run 'placedesk server grant {login} "
                              "--role officer' (or manager).")
    return PlaceDeskError(f"Could not sign in to the team server at {url.render_as_string()}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def _connect_as(url: URL) -> str:
    try:
        return try_connect(url)
    except Exception as exc:
        if needs_password(exc) and url.password is not None:
            raise PlaceDeskError(f"The server refused the password for {url.username}; nothing was stored. "
                                 "Check it and try again.") from None
        raise unreachable(url, exc) from None


def sign_in(text: str, *, password_file: Path | None = None, ask: Ask | None = None) -> tuple[str, bool]:
    """Check the login works and, where the server wants a password, keep it in the keystore.

    The password is asked for afresh (or read from ``password_file``), so a
    changed password replaces the kept one. Returns (the login the server saw,
    whether a password was stored). Single sign-on, and a server that lets the
    login in without a password, store nothing.
    """
    url = parse_server_url(text)
    if uses_single_sign_on(url):
        return _connect_as(url), False
    if url.password is None and password_file is not None:
        url = url.set(password=read_password_file(password_file))
    if url.password is None:
        try:
            return try_connect(url), False
        except Exception as exc:
            if not needs_password(exc):
                raise unreachable(url, exc) from None
        if ask is None:
            raise PlaceDeskError(f"The team server asks for {url.username or 'your login'}'s password: give it "
                                 "with --password-file F, or run this in a terminal to type it.")
        url = url.set(password=ask(f"Password for {url.username} on {url.host or 'the team server'}: "))
    seen = _connect_as(url)
    assert url.password is not None
    remember_password(url, url.password)
    return seen, True
