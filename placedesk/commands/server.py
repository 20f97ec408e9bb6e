"""``placedesk server …``: set up the team's PostgreSQL server, give logins their roles, move a laptop onto it.

``init URL`` (the database owner) builds or upgrades the schema and applies the
roles, grants, guards and commissioners' views; repeat it after every upgrade.
``grant LOGIN --role officer|manager|commissioner --db URL`` and ``revoke LOGIN
--db URL`` give an existing PostgreSQL login its PlaceDesk role or take it away.
``login URL`` checks an officer's own login and keeps its password in the
system keystore (nothing is kept for single sign-on). ``push --from
LAPTOP.sqlite URL`` copies a laptop's whole database onto the server once.

A password is never taken from settings: ``--password-file F``, the keystore,
or a prompt when run in a terminal.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

ROLES = ("officer", "manager", "commissioner")


def register(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser("server", help="set up the team's PostgreSQL server, its roles and logins",
                            description="The team's PostgreSQL server: set it up (init), give logins their "
                            "PlaceDesk roles (grant, revoke), sign in (login), move a laptop onto it (push).")
    commands = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)

    init = commands.add_parser("init", help="create or upgrade the schema, roles, grants and views (database owner)")
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://OWNER@HOST/DATABASE")
    _password_option(init)
    init.set_defaults(func=run_init)

    grant = commands.add_parser("grant", help="give an existing PostgreSQL login a PlaceDesk role")
    grant.add_argument("login", metavar="LOGIN", help="the person's PostgreSQL login")
    grant.add_argument("--role", choices=ROLES, required=True, help="the PlaceDesk role to give (replaces another)")
    _db_option(grant)
    _password_option(grant)
    grant.set_defaults(func=run_grant)

    revoke = commands.add_parser("revoke", help="take a PlaceDesk role (default: every one) away from a login")
    revoke.add_argument("login", metavar="LOGIN")
    revoke.add_argument("--role", choices=ROLES, default=None, help="only this role")
    _db_option(revoke)
    _password_option(revoke)
    revoke.set_defaults(func=run_revoke)

    login = commands.add_parser("login", help="check your own login on the server and keep its password in the "
                                "system keystore")
    login.add_argument("url", metavar="URL", help="postgresql+psycopg://YOURLOGIN@HOST/DATABASE")
    login.add_argument("--forget", action="store_true", help="remove the kept password instead")
    _password_option(login)
    login.set_defaults(func=run_login)

    push = commands.add_parser("push", help="copy a laptop's whole database onto the server, once, with its "
                               "audit history")
    push.add_argument("--from", dest="laptop", metavar="LAPTOP.sqlite", type=Path, required=True,
                      help="the laptop's PlaceDesk database file")
    push.add_argument("url", metavar="URL", help="the server database")
    _password_option(push)
    push.set_defaults(func=run_push)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="the server database: postgresql+psycopg://OWNER@HOST/DATABASE")


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-file", dest="server_password_file", metavar="F", type=Path, default=None,
                        help="file whose first line is the login's password (default: the system keystore, "
                             "or a prompt in a terminal)")


def _url(args: argparse.Namespace, given: str | None) -> str:
    from placedesk.errors import ValidationError

    text = given or getattr(args, "db", None)
    if not text:
        raise ValidationError("Give the server database's address: postgresql+psycopg://LOGIN@HOST/DATABASE.")
    return str(text)


def _connect(args: argparse.Namespace, given: str | None) -> URL:
    from placedesk.commands._common import password_prompt
    from placedesk.services.server.login import login_url

    return login_url(_url(args, given), password_file=args.server_password_file, ask=password_prompt())


def run_init(args: argparse.Namespace) -> int:
    from placedesk.services.server.setup import init_server

    report = init_server(_connect(args, args.url))
    if report.created:
        print(f"Created the PlaceDesk schema in {report.database}.")
    elif report.upgraded_from is not None:
        print(f"Upgraded {report.database} from schema {report.upgraded_from}.")
    else:
        print(f"{report.database} already holds the current PlaceDesk schema.")
    if report.roles_made:
        print(f"Created the roles {', '.join(report.roles_made)}.")
    print(f"Granted officer, manager and commissioner their privileges; {len(report.views)} pseudonymised views "
          "for commissioners.")
    print("Next: 'placedesk server grant LOGIN --role officer|manager|commissioner --db URL' for each person.")
    return 0


def _role_change(args: argparse.Namespace, *, give: bool) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from placedesk.services.server.roles import Role, grant_role, revoke_role

    engine = create_engine(_connect(args, None), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            if give:
                role = Role(args.role)
                removed = grant_role(conn, args.login, role)
                done = f"{args.login} is now a PlaceDesk {role.value}"
            else:
                removed = revoke_role(conn, args.login, Role(args.role) if args.role else None)
                done = f"{args.login} has no PlaceDesk role now" if args.role is None else \
                    f"{args.login} is no longer a PlaceDesk {args.role}"
                if not removed:
                    done = f"{args.login} held no such PlaceDesk role; nothing changed"
    finally:
        engine.dispose()
    taken = [r.value for r in removed] if give else []
    print(done + (f" (no longer {', '.join(taken)})." if taken else "."))
    return 0


def run_grant(args: argparse.Namespace) -> int:
    return _role_change(args, give=True)


def run_revoke(args: argparse.Namespace) -> int:
    return _role_change(args, give=False)


def run_login(args: argparse.Namespace) -> int:
    from placedesk.commands._common import password_prompt
    from placedesk.services.server.login import forget_password, parse_server_url, sign_in, uses_single_sign_on

    url = parse_server_url(args.url)
    if args.forget:
        gone = forget_password(url)
        print("Removed the kept password." if gone else "No password was kept for that login.")
        return 0
    seen, stored = sign_in(args.url, password_file=args.server_password_file, ask=password_prompt())
    if uses_single_sign_on(url):
        print(f"Signed in as {seen} through single sign-on; no password is needed or kept.")
    elif stored:
        print(f"Signed in as {seen}; the password is kept in this computer's keystore.")
    else:
        print(f"Signed in as {seen}; the server needs no password from this computer, so none is kept.")
    return 0


def run_push(args: argparse.Namespace) -> int:
    from placedesk.commands._common import use_passphrase_file
    from placedesk.db import open_database
    from placedesk.services.server.push import label, push_laptop

    # An encrypted laptop file opens with the keystore's key or the global --passphrase-file.
    use_passphrase_file(args)
    url = _connect(args, args.url)
    target = open_database(url.render_as_string(hide_password=False), create=False)
    try:
        report = push_laptop(args.laptop, target)
    finally:
        target.close()
    print(f"Pushed {args.laptop} onto the server: {report.records:,} records and {report.audit_events:,} audit "
          "events, in one transaction.")
    for table, count in sorted(report.copied.items()):
        if count and table != "audit_event":
            print(f"    {count:>9,} {label(table)}")
    for table, count in report.matched.items():
        if count:
            key = "code" if table == "kpi_definition" else "name"
            print(f"    {count:>9,} {label(table)} matched to the server's own (same {key})")
    return 0
