"""``placedesk server``: the DBA gives logins their roles, officers sign in, a laptop is pushed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from placedesk.cli import main
from placedesk.services.server.login import SERVICE
from tests.services.server.conftest import PASSWORD, Team, _logins, pg_server, team  # noqa: F401


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
