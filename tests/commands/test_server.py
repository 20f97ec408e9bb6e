"""``placedesk server``: the DBA gives logins their roles, officers sign in, a laptop is pushed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from placedesk.cli import main
from placedesk.services.server.login import SERVICE
from tests.services.server.conftest import PASSWORD, Team, _logins, laptop, team  # noqa: F401


@pytest.fixture
def owner_password(tmp_path: Path) -> Path:
    path = tmp_path / "owner-password"
    path.write_text(PASSWORD.format("owner17") + "\n")
    return path


def test_the_dba_gives_a_login_one_role_at_a_time(team: Team, owner_password: Path,  # noqa: F811
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    team.server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dave') THEN "
                     "CREATE ROLE dave LOGIN; END IF; END $$")
    url = team.url(password=False)
    pw = ["--password-file", str(owner_password)]
    assert main(["server", "grant", "dave", "--role", "manager", "--db", url, *pw]) == 0
    assert capsys.readouterr().out == "dave is now a PlaceDesk manager.\n"
    assert main(["server", "grant", "dave", "--role", "officer", "--db", url, *pw]) == 0
    assert capsys.readouterr().out == "dave is now a PlaceDesk officer (no longer manager).\n"
    assert main(["--db", url, "server", "revoke", "dave", *pw]) == 0
    assert capsys.readouterr().out == "dave has no PlaceDesk role now.\n"
    assert main(["server", "grant", "nobody", "--role", "officer", "--db", url, *pw]) == 2
    assert "There is no PostgreSQL login called 'nobody'" in capsys.readouterr().err


def test_an_officer_signs_in_once_and_the_keystore_keeps_the_password(team: Team, tmp_path: Path,  # noqa: F811
                                                                      memory_keyring: Any,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD.format("alice"))
    url = team.url("alice", password=False)
    assert main(["server", "login", url, "--password-file", str(secret)]) == 0
    assert capsys.readouterr().out == "Signed in as alice; the password is kept in this computer's keystore.\n"
    assert list(memory_keyring.store) == [(SERVICE, f"alice@127.0.0.1:{team.server.port}/{team.database}")]
    assert main(["server", "login", url, "--forget"]) == 0
    assert capsys.readouterr().out == "Removed the kept password.\n"
    assert memory_keyring.store == {}


def test_single_sign_on_keeps_nothing(team: Team, memory_keyring: Any,  # noqa: F811
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "login", team.socket_url("bob") + "&gssencmode=prefer"]) == 0
    assert capsys.readouterr().out == "Signed in as bob through single sign-on; no password is needed or kept.\n"
    assert memory_keyring.store == {}


def test_init_makes_an_empty_database_placedesks_and_can_run_again(team: Team, owner_password: Path,  # noqa: F811
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    database = team.database + "_new"
    team.server.psql(f"CREATE DATABASE {database} OWNER owner17")
    url = team.url(password=False).replace(team.database, database)
    assert main(["server", "init", url, "--password-file", str(owner_password)]) == 0
    first = capsys.readouterr().out
    assert f"Created the PlaceDesk schema in {database}." in first
    assert "8 pseudonymised views" in first
    assert main(["server", "init", url, "--password-file", str(owner_password)]) == 0
    assert f"{database} already holds the current PlaceDesk schema." in capsys.readouterr().out


def test_init_refuses_a_database_that_is_not_placedesks(team: Team, owner_password: Path,  # noqa: F811
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    database = team.database + "_other"
    team.server.psql(f"CREATE DATABASE {database} OWNER owner17")
    team.server.psql("CREATE TABLE payroll (id int)", database)
    url = team.url(password=False).replace(team.database, database)
    assert main(["server", "init", url, "--password-file", str(owner_password)]) == 2
    assert "is not a PlaceDesk database" in capsys.readouterr().err
    assert team.server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database).strip() == "1"


def test_push_reports_what_it_copied(team: Team, laptop: Path, owner_password: Path,  # noqa: F811
                                     capsys: pytest.CaptureFixture[str]) -> None:
    url = team.url(password=False)
    assert main(["server", "push", "--from", str(laptop), url, "--password-file", str(owner_password)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Pushed {laptop} onto the server: ")
    assert "audit events, in one transaction." in out and "children" not in out and "child records" in out
    assert main(["server", "push", "--from", str(laptop), url, "--password-file", str(owner_password)]) == 2
    assert "already holds records from this laptop" in capsys.readouterr().err


def test_an_officer_works_from_the_command_line_as_their_own_login(team: Team, tmp_path: Path,  # noqa: F811
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD.format("alice"))
    url = team.url("alice", password=False)
    assert main(["server", "login", url, "--password-file", str(secret)]) == 0
    capsys.readouterr()
    # The keystore answers from now on: no password on the command line, none asked for.
    assert main(["profile", "--role", "Placement officer"]) == 0
    assert main(["audit", "--db", url, "--kind", "insert"]) == 0
    out = capsys.readouterr().out
    assert "[login owner17]" in out  # server init's default KPI definitions, recorded against its login


def test_a_commissioner_is_sent_to_the_views(team: Team, tmp_path: Path,  # noqa: F811
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--db", team.url("carol")]) == 2
    assert "carol is a commissioner's: it reads the pseudonymised views" in capsys.readouterr().err

