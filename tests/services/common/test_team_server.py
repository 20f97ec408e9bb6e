"""The team server's address, its password in the keystore, and the connection check in the officer's words."""

from __future__ import annotations

import socket
import uuid
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from placedesk.config import TeamServerSettings
from placedesk.errors import ValidationError
from placedesk.services.common.team_server import (
    KEYRING_SERVICE,
    OPTIONS,
    TeamServerInput,
    TeamServerProblem,
    check_connection,
    check_options,
    check_team_server,
    describe,
    describe_url,
    forget_password,
    keyring_account,
    parse_server_url,
    remember_password,
    server_url,
    stored_password,
)
from tests.team_server_helpers import PASSWORD, new_login, run_sql, tcp_address

SERVER = TeamServerSettings(host="placedesk-db.northshire.gov.uk", port=5433, database="placedesk",
                            login="akhan", options="sslmode=verify-full")


def form(**changes: str) -> TeamServerInput:
    fields = {"host": "placedesk-db.northshire.gov.uk", "port": "5432", "database": "placedesk", "login": "akhan",
              "options": ""}
    fields.update(changes)
    return TeamServerInput(**fields)


def test_a_filled_form_becomes_the_setting_and_an_empty_one_means_no_server() -> None:
    checked = check_team_server(form(options="sslmode=verify-full sslrootcert=/etc/council-ca.pem"), use=True)
    assert (checked.host, checked.port, checked.login, checked.use) == ("placedesk-db.northshire.gov.uk", 5432,
                                                                        "akhan", True)
    assert checked.options == "sslmode=verify-full&sslrootcert=%2Fetc%2Fcouncil-ca.pem"
    assert check_team_server(form(host="", login="", database="")).host == ""
    with pytest.raises(ValidationError, match="address before choosing to start"):
        check_team_server(form(host="", login=""), use=True)


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        check_team_server(form(host="db council", port="99999", database="", login="a khan"))
    fields = [field for field, _ in caught.value.problems]
    assert fields == ["team_host", "team_port", "team_database", "team_login"]


@pytest.mark.parametrize(("options", "says"), [
    ("password=secret", "never stores a password"),
    ("sslmod=verify-full", "not a connection option"),
    ("sslmode=verify", "sslmode must be one of"),
    ("sslmode", "name=value"),
])
def test_bad_options_are_refused_with_what_to_write(options: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        check_options(options)


@given(st.dictionaries(st.sampled_from(sorted(OPTIONS)), st.text(alphabet="abcdefghij/._-", min_size=1,
                                                                  max_size=12), max_size=4))
def test_options_that_are_accepted_come_back_the_same_from_the_url(options: dict[str, str]) -> None:
    for key, allowed in OPTIONS.items():
        if key in options and allowed is not None:
            options[key] = allowed[0]
    text = "&".join(f"{k}={v}" for k, v in options.items())
    server = TeamServerSettings(host="h", database="d", login="l", options=check_options(text))
    back = parse_server_url(server_url(server)).options
    assert dict(parse_qsl(check_options(back))) == options


def test_a_pasted_address_fills_the_fields_but_never_carries_a_password() -> None:
    parsed = parse_server_url("postgresql+psycopg://akhan@placedesk-db:5433/team?sslmode=verify-full")
    assert parsed == TeamServerInput("placedesk-db", "5433", "team", "akhan", "sslmode=verify-full")
    with pytest.raises(ValidationError, match="Take the password out"):
        parse_server_url("postgresql+psycopg://akhan:secret@placedesk-db/team")
    with pytest.raises(ValidationError, match="PostgreSQL"):
        parse_server_url("mysql://akhan@db/team")
    with pytest.raises(ValidationError, match="does not look like"):
        parse_server_url("placedesk-db:5432")


def test_the_window_names_the_server_and_never_the_password() -> None:
    assert describe(SERVER) == "placedesk-db.northshire.gov.uk/placedesk as akhan"
    url = server_url(SERVER, "s3cret")
    assert "s3cret" in url
    assert describe_url(url) == "placedesk-db.northshire.gov.uk/placedesk as akhan"
    assert describe_url("postgresql+psycopg://akhan@/team?host=/run/postgresql") == "this computer/team as akhan"


def test_the_password_is_kept_in_the_keystore_under_the_shared_names(keystore: Any) -> None:
    assert stored_password(SERVER) is None
    assert remember_password(SERVER, "s3cret")
    assert keystore.store == {(KEYRING_SERVICE, "akhan@placedesk-db.northshire.gov.uk/placedesk"): "s3cret"}
    assert keyring_account(SERVER) == "akhan@placedesk-db.northshire.gov.uk/placedesk"
    assert stored_password(SERVER) == "s3cret"
    forget_password(SERVER)
    forget_password(SERVER)
    assert stored_password(SERVER) is None


@pytest.mark.usefixtures("no_keystore")
def test_without_a_keystore_nothing_is_remembered() -> None:
    assert not remember_password(SERVER, "s3cret")
    assert stored_password(SERVER) is None


# --- against a real server -------------------------------------------------------------------


@pytest.fixture
def placedesk_database(pg_database_url: str) -> str:
    """The name of a fresh, migrated PlaceDesk database on the test server."""
    from sqlalchemy.engine import make_url

    return str(make_url(pg_database_url).database)


def _url(pg_server: Any, database: str, login: str, password: str | None) -> str:
    host, port = tcp_address(pg_server)
    return server_url(TeamServerSettings(host=host, port=port, database=database, login=login), password)


def test_nobody_listening_is_reported_as_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = TeamServerSettings(host="127.0.0.1", port=port, database="placedesk", login="akhan")
    with pytest.raises(TeamServerProblem, match="could not reach the team server 127.0.0.1") as caught:
        check_connection(server_url(server, "pw"), timeout=2)
    assert caught.value.kind == "unreachable"


def test_a_missing_or_wrong_password_asks_for_one(pg_server: Any, placedesk_database: str) -> None:
    login = new_login(pg_server)
    with pytest.raises(TeamServerProblem) as caught:
        check_connection(_url(pg_server, placedesk_database, login, None))
    assert caught.value.kind == "password_needed" and caught.value.needs_password
    with pytest.raises(TeamServerProblem, match="the password is wrong") as caught:
        check_connection(_url(pg_server, placedesk_database, login, "wrong"))
    assert caught.value.needs_password


def test_a_database_that_is_not_there_empty_or_someone_elses_is_named(pg_server: Any) -> None:
    login = new_login(pg_server)
    with pytest.raises(TeamServerProblem, match="no database called nowhere") as caught:
        check_connection(_url(pg_server, "nowhere", login, PASSWORD))
    assert caught.value.kind == "no_database"
    empty, foreign = f"empty_{uuid.uuid4().hex[:6]}", f"payroll_{uuid.uuid4().hex[:6]}"
    run_sql(pg_server, f"CREATE DATABASE {empty}")
    run_sql(pg_server, f"CREATE DATABASE {foreign}")
    run_sql(pg_server, "CREATE TABLE payslip (id int)", foreign)
    with pytest.raises(TeamServerProblem, match="placedesk server init") as caught:
        check_connection(_url(pg_server, empty, login, PASSWORD))
    assert caught.value.kind == "empty"
    with pytest.raises(TeamServerProblem, match="not a PlaceDesk database") as caught:
        check_connection(_url(pg_server, foreign, login, PASSWORD))
    assert caught.value.kind == "not_placedesk"


def test_a_login_without_a_placedesk_role_is_told_so_then_a_granted_one_connects(
        pg_server: Any, placedesk_database: str) -> None:
    login = new_login(pg_server)
    url = _url(pg_server, placedesk_database, login, PASSWORD)
    with pytest.raises(TeamServerProblem, match=f"You \\({login}\\) can log in .* no PlaceDesk role") as caught:
        check_connection(url)
    assert caught.value.kind == "no_role"
    role = f"team_{uuid.uuid4().hex[:6]}"
    run_sql(pg_server, f"CREATE ROLE {role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}; "
                       f"GRANT {role} TO {login}", placedesk_database)
    found = check_connection(url)
    assert found.roles == (role,)
    host, _ = tcp_address(pg_server)
    assert found.text().startswith(f"Connected to {host}/{placedesk_database} as {login}: a PlaceDesk database "
                                   "on PostgreSQL 1")
