"""Each officer signs in as themselves: a password from the keystore, a file or a prompt, never kept elsewhere;
with single sign-on nothing is asked for or kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from placedesk.errors import PlaceDeskError
from placedesk.services.server.login import SERVICE, account, login_url, parse_server_url, sign_in, try_connect
from tests.services.server.conftest import PASSWORD, Team


def _never_asked(prompt: str) -> str:
    raise AssertionError(f"asked for a password: {prompt}")


def _no_secret_on_disk(folder: Path, secret: str) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_a_password_login_is_checked_then_kept_in_the_keystore_only(team: Team, memory_keyring: Any,
                                                                     placedesk_home: Path) -> None:
    url = team.url("alice", password=False)
    asked: list[str] = []
    seen, stored = sign_in(url, ask=lambda prompt: asked.append(prompt) or PASSWORD.format("alice"))
    assert (seen, stored) == ("alice", True)
    assert asked == ["Password for alice on 127.0.0.1: "]
    assert memory_keyring.store == {(SERVICE, account(parse_server_url(url))): PASSWORD.format("alice")}
    # Next time the keystore answers: no question, and the password stays out of the URL the officer gave.
    connect = login_url(url, ask=_never_asked)
    assert try_connect(connect) == "alice"
    assert "secret" not in url
    _no_secret_on_disk(placedesk_home, PASSWORD.format("alice"))


def test_a_wrong_password_is_refused_and_not_kept(team: Team, memory_keyring: Any) -> None:
    with pytest.raises(PlaceDeskError, match="refused the password for alice; nothing was stored"):
        sign_in(team.url("alice", password=False), ask=lambda prompt: "not-the-password")
    assert memory_keyring.store == {}


def test_a_password_file_serves_scripts(team: Team, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD.format("bob") + "\n")
    url = login_url(team.url("bob", password=False), password_file=secret, ask=_never_asked)
    assert try_connect(url) == "bob"


def test_without_a_password_anywhere_the_officer_is_told_how_to_give_one(team: Team) -> None:
    with pytest.raises(PlaceDeskError, match="asks for alice's password. Keep it in this computer's keystore with "
                       "'placedesk server login"):
        login_url(team.url("alice", password=False))


def test_single_sign_on_asks_for_nothing_and_keeps_nothing(team: Team, memory_keyring: Any,
                                                           placedesk_home: Path) -> None:
    # Kerberos itself cannot run here; the socket trusts its users, so libpq signs in with no password,
    # as it would with a Kerberos ticket. What matters: PlaceDesk neither asks nor stores.
    url = team.socket_url("alice") + "&gssencmode=prefer"
    connect = login_url(url, ask=_never_asked)
    assert connect.password is None
    assert sign_in(url, ask=_never_asked) == ("alice", False)
    assert memory_keyring.store == {}
    assert not [p for p in placedesk_home.rglob("*") if p.is_file()]  # no file written at all


def test_a_server_that_lets_the_login_in_needs_no_password(team: Team, memory_keyring: Any) -> None:
    url = team.socket_url("bob")
    assert sign_in(url, ask=_never_asked) == ("bob", False)
    assert memory_keyring.store == {}


def test_an_address_that_is_not_postgresql_is_refused() -> None:
    with pytest.raises(PlaceDeskError, match="not a PostgreSQL server address"):
        parse_server_url("sqlite:///laptop.sqlite")
