"""The team server an officer connects to: its address in settings, the password in the keystore, the check.

The address (host, port, database, login and libpq options such as
``sslmode=verify-full``) is kept in the settings file; the password never is.
Where one is needed it is asked for, and kept only in the computer's keystore
(``keyring``) when the officer says so. With the council's Kerberos single
sign-on libpq logs in with the officer's ticket and nothing is asked.

:func:`check_connection` says in the officer's words what is wrong with a
connection: the server cannot be reached, the password is wrong, the database
is not PlaceDesk's, or the login has no PlaceDesk role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from placedesk.config import TeamServerSettings
from placedesk.errors import PlaceDeskError, Problems, ValidationError

if TYPE_CHECKING:
    from placedesk.db import Database

# Shared with `placedesk server` commands: one keystore entry per login, server and database.
KEYRING_SERVICE = "PlaceDesk team server"
DRIVER = "postgresql+psycopg"
DEFAULT_PORT = 5432
# How long a connection attempt waits for the server before it is reported unreachable.
CONNECT_TIMEOUT_S = 5

# libpq connection options an officer may need (TLS, single sign-on, which server of a pair); anything
# else is most likely misspelt, and a misspelt sslmode would silently connect less safely.
OPTIONS: dict[str, tuple[str, ...] | None] = {
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "sslrootcert": None, "sslcert": None, "sslkey": None, "sslcrl": None, "sslnegotiation": ("postgres", "direct"),
    "gssencmode": ("disable", "prefer", "require"), "krbsrvname": None, "gsslib": ("gssapi", "sspi"),
    "channel_binding": ("disable", "prefer", "require"), "require_auth": None,
    "target_session_attrs": ("any", "read-write", "read-only", "primary", "standby", "prefer-standby"),
    "application_name": None, "connect_timeout": None, "passfile": None,
}
_HOST = re.compile(r"^[A-Za-z0-9._:\-\[\]]+$")
_NAME = re.compile(r"^[^\s/?#]+$")


class TeamServerProblem(PlaceDeskError):
    """A connection to the team server failed; ``kind`` says which way (for the dialog to act on)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def needs_password(self) -> bool:
        return self.kind in ("password_needed", "wrong_password")


@dataclass(frozen=True)
class TeamServerInput:
    """The Team server part of the settings form, as typed."""

    host: str
    port: str
    database: str
    login: str
    options: str = ""


@dataclass(frozen=True)
class ServerCheck:
    """What a successful connection found."""

    where: str
    server_version: str
    roles: tuple[str, ...]

    def text(self) -> str:
        roles = ", ".join(self.roles) if self.roles else "owner of the database"
        return (f"Connected to {self.where}: a PlaceDesk database on PostgreSQL {self.server_version}. "
                f"Your PlaceDesk access: {roles}.")


def check_team_server(form: TeamServerInput, *, use: bool = False) -> TeamServerSettings:
    """The checked team server settings; an empty form is "no team server". Raises listing every field to fix."""
    problems = Problems()
    host, database, login = form.host.strip(), form.database.strip(), form.login.strip()
    if not (host or login) and not form.options.strip():
        if use:
            problems.add("Give the team server's address before choosing to start on it.", "team_host")
            problems.raise_any()
        return TeamServerSettings(database=database or "placedesk", port=DEFAULT_PORT)
    if not host:
        problems.add("Enter the team server's host name (like placedesk-db.council.gov.uk).", "team_host")
    elif not _HOST.match(host):
        problems.add("The host name should be letters, digits, dots and hyphens (like "
                     "placedesk-db.council.gov.uk), without spaces or a slash.", "team_host")
    port = DEFAULT_PORT
    text = form.port.strip() or str(DEFAULT_PORT)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        problems.add(f"The port must be a whole number from 1 to 65535 (PostgreSQL's usual port is {DEFAULT_PORT}).",
                     "team_port")
    else:
        port = int(text)
    if not database:
        problems.add("Enter the name of the PlaceDesk database on the server (often placedesk).", "team_database")
    elif not _NAME.match(database):
        problems.add("The database name cannot hold spaces, a slash, ? or #.", "team_database")
    if not login:
        problems.add("Enter your own login for the team server (the one IT gave you).", "team_login")
    elif not _NAME.match(login):
        problems.add("The login cannot hold spaces, a slash, ? or #.", "team_login")
    options = ""
    with problems.check():
        options = check_options(form.options)
    problems.raise_any()
    return TeamServerSettings(host=host, port=port, database=database, login=login, options=options, use=use)


def check_options(text: str, field: str = "team_options") -> str:
    """libpq options as ``key=value&key=value`` (spaces between pairs also accepted); normalised."""
    text = text.strip().lstrip("?")
    if not text:
        return ""
    pairs: list[tuple[str, str]] = []
    for part in re.split(r"[&\s]+", text):
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if not equals or not key or not value:
            raise ValidationError(f"Write each option as name=value (like sslmode=verify-full); “{part}” is not.",
                                  field)
        if key == "password":
            raise ValidationError("PlaceDesk never stores a password: take password=… out of the options. "
                                  "PlaceDesk asks for it when it connects, and can keep it in this computer's "
                                  "keystore.", field)
        if key not in OPTIONS:
            raise ValidationError(f"“{key}” is not a connection option PlaceDesk knows; use one of "
                                  f"{', '.join(OPTIONS)}.", field)
        allowed = OPTIONS[key]
        if allowed is not None and value not in allowed:
            raise ValidationError(f"{key} must be one of {', '.join(allowed)}, not “{value}”.", field)
        pairs.append((key, value))
    return urlencode(pairs)


def parse_server_url(text: str) -> TeamServerInput:
    """The fields of a pasted address ``postgresql+psycopg://login@host:port/database?options``."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise ValidationError("That does not look like a server address; it should look like "
                              "postgresql+psycopg://login@host:5432/placedesk", "team_url") from None
    if url.get_backend_name() != "postgresql":
        raise ValidationError("A team server address starts with postgresql+psycopg:// (PlaceDesk's team server "
                              "is PostgreSQL).", "team_url")
    if url.password is not None:
        raise ValidationError("Take the password out of the address (the part after “:” and before “@”): "
                              "PlaceDesk never stores a password, it asks when it connects.", "team_url")
    query = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}
    options = "&".join(f"{key}={value}" for key, value in query.items())
    return TeamServerInput(host=url.host or "", port=str(url.port or DEFAULT_PORT), database=url.database or "",
                           login=url.username or "", options=options)


def server_url(server: TeamServerSettings, password: str | None = None) -> str:
    """The SQLAlchemy URL for ``server``, with ``password`` in it when given (pass it on, never store it)."""
    from sqlalchemy.engine import URL

    url = URL.create(DRIVER, username=server.login, password=password or None, host=server.host,
                     port=server.port, database=server.database, query=dict(parse_qsl(server.options)))
    return url.render_as_string(hide_password=False)


def describe(server: TeamServerSettings) -> str:
    """``host/database as login``: how the window names the team server it is on."""
    return f"{server.host}/{server.database} as {server.login}"


def describe_url(url: str) -> str:
    """``host/database as login`` for a server URL (a password in it is never shown)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host", ""))
    if not host or host.startswith("/"):
        # No host, or libpq's Unix socket folder: the server runs on this computer.
        host = "this computer"
    login = parsed.username or "your computer login"
    return f"{host}/{parsed.database} as {login}"


def keyring_account(server: TeamServerSettings) -> str:
    """The keystore's user name for this login on this server and database."""
    return f"{server.login}@{server.host}/{server.database}"


def stored_password(server: TeamServerSettings) -> str | None:
    """The password kept in the keystore for this login, if any (None also when there is no keystore)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(server))
    except (KeyringError, RuntimeError):
        return None


def remember_password(server: TeamServerSettings, password: str) -> bool:
    """Keep ``password`` in the keystore; False when this computer has no usable keystore."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(server), password)
    except (KeyringError, RuntimeError):
        return False
    return True


def forget_password(server: TeamServerSettings) -> None:
    """Remove this login's password from the keystore (a refused one, or on the officer's request)."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_account(server))
    except (PasswordDeleteError, KeyringError, RuntimeError):
        return


# What libpq says, in lower case, and which kind of problem it means (first match wins).
_LIBPQ: list[tuple[tuple[str, ...], str]] = [
    (("no password supplied",), "password_needed"),
    (("password authentication failed",), "wrong_password"),
    (("role \"",), "no_login"),
    (("database \"",), "no_database"),
    (("no pg_hba.conf entry", "pg_hba.conf rejects"), "not_allowed"),
    (("gssapi", "kerberos", "gss ", "gssenc", "sspi"), "sso"),
    (("ssl", "certificate", "tls"), "tls"),
]


def classify(exc: BaseException, server: str, login: str, database: str) -> TeamServerProblem:
    """One :class:`TeamServerProblem` for an error raised while connecting, in the officer's words."""
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = str(getattr(exc, "orig", None) or exc).lower()
    kind = "unreachable"
    for needles, found in _LIBPQ:
        if any(needle in lowered for needle in needles):
            kind = found
            break
    messages = {
        "password_needed": f"The team server asks for {login}'s password.",
        "wrong_password": (f"The team server refused the login {login}: the password is wrong, or there is no such "
                           "login. Type the password again, or ask whoever runs the server to check your login."),
        "no_login": (f"The team server has no login called {login}. Check the login in Settings › Team server, "
                     "or ask whoever runs the server to create yours."),
        "no_database": (f"The team server has no database called {database}. Check the database name in "
                        "Settings › Team server."),
        "not_allowed": (f"The team server does not let {login} connect from this computer ({detail}). Ask whoever "
                        "runs the server to allow it (pg_hba.conf)."),
        "sso": (f"Single sign-on to the team server failed ({detail}). Log in to the council's network again "
                "(or run kinit), or ask for a password login."),
        "tls": (f"The secure connection to the team server failed ({detail}). Check the certificate options "
                "(sslrootcert, sslmode) in Settings › Team server, or ask IT."),
        "unreachable": (f"PlaceDesk could not reach the team server {server} ({detail}). Check the address, and "
                        "that this computer is on the council's network or VPN. The laptop database still works "
                        "offline: File › Back to the laptop database."),
    }
    return TeamServerProblem(messages[kind], kind)


def check_connection(url: str, *, timeout: int = CONNECT_TIMEOUT_S) -> ServerCheck:
    """Connect to ``url`` and look, changing nothing: raise :class:`TeamServerProblem` saying what is wrong."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from placedesk.db.postgres import inspect_server

    parsed = make_url(url)
    where = describe_url(url)
    server = f"{parsed.host or 'on this computer'}:{parsed.port or DEFAULT_PORT}"
    login, database = parsed.username or "(your computer login)", parsed.database or ""
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": timeout})
    try:
        try:
            with engine.connect() as conn:
                row = inspect_server(conn)
        except DBAPIError as exc:
            raise classify(exc, server, login, database) from None
    finally:
        engine.dispose()
    user, version, has_meta, tables, readable, roles = row
    if not has_meta and not tables:
        raise TeamServerProblem(
            f"The database {database} on the team server is empty: it is not set up for PlaceDesk yet. Whoever "
            "runs the server sets it up once with: placedesk server init URL", "empty")
    if not has_meta:
        raise TeamServerProblem(
            f"The database {database} on the team server holds other tables: it is not a PlaceDesk database, and "
            "PlaceDesk left it untouched. Check the database name in Settings › Team server.", "not_placedesk")
    if not readable:
        raise TeamServerProblem(
            f"You ({user}) can log in to the team server but have no PlaceDesk role, so you cannot see the "
            "team's records. Ask whoever runs the server to give you one (officer, manager or commissioner).",
            "no_role")
    return ServerCheck(where=where, server_version=str(version).split()[0], roles=tuple(roles))


def open_team_database(url: str) -> tuple[Database, ServerCheck]:
    """Check the team server at ``url`` (see :func:`check_connection`), then open its database."""
    from placedesk.db import open_database

    found = check_connection(url)
    return open_database(url, create=False), found


__all__ = ["KEYRING_SERVICE", "ServerCheck", "TeamServerInput", "TeamServerProblem", "check_connection",
           "check_options", "check_team_server", "classify", "describe", "describe_url", "forget_password",
           "keyring_account", "open_team_database", "parse_server_url", "remember_password", "server_url", "stored_password"]
