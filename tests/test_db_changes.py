"""``Database.changed_elsewhere``: a colleague's commit is noticed, this process's own are not, on both engines."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.db.server_watch import ServerChangeWatcher
from placedesk.models import Child
from tests.conftest import database_target

# A colleague's PlaceDesk, in a process of its own, renaming the child (its file or server URL is argv[1]).
COLLEAGUE = """
import sys
from sqlalchemy import select
from placedesk.db import open_database
from placedesk.models import Child
db = open_database(sys.argv[1], create=False)
db.officer = "A. Khan"
with db.session_scope() as s:
    s.scalars(select(Child).where(Child.case_reference == "CW1")).one().first_name = "Amelia"
db.close()
"""


def _add(database: Database, ref: str) -> None:
    with database.session_scope() as s:
        s.add(Child(case_reference=ref, first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1)))


def _noticed(database: Database, seconds: float = 5.0) -> bool:
    """Ask as the window's timer does, until the change arrives or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if database.changed_elsewhere():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_colleagues_commit_is_noticed_and_my_own_is_not(db: Database, colleague: Database) -> None:
    with db.session() as s:  # the window has shown its screens (its first connection is made)
        s.scalars(select(Child)).all()
    assert not db.changed_elsewhere()  # starts watching
    _add(db, "MINE")
    assert not _noticed(db, 0.5)
    _add(colleague, "THEIRS")
    assert _noticed(db)
    assert not db.changed_elsewhere()  # told once
    # A colleague's read, or an action rolled back, changes nothing worth a reload.
    with colleague.session() as s:
        s.scalars(select(Child)).all()
    with pytest.raises(RuntimeError), colleague.session_scope() as s:
        s.scalars(select(Child).where(Child.case_reference == "THEIRS")).one().first_name = "Amelia"
        s.flush()
        raise RuntimeError("the colleague's action failed")
    assert not _noticed(db, 0.5)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_on_the_server_the_window_listens_for_notifications(db: Database, colleague: Database) -> None:
    db.changed_elsewhere()
    watcher = db._watcher
    assert isinstance(watcher, ServerChangeWatcher) and watcher.listening
    _add(colleague, "THEIRS")
    assert _noticed(db)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_without_notifications_the_window_polls_the_audit_trail(db: Database, colleague: Database,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # As behind a connection pooler that cannot LISTEN: the listening connection is refused.
    monkeypatch.setattr(ServerChangeWatcher, "_listen", lambda self: setattr(self, "_listener", None))
    db.changed_elsewhere()
    assert not db._watcher.listening  # type: ignore[union-attr]
    _add(db, "MINE")
    assert not db.changed_elsewhere()
    _add(colleague, "THEIRS")
    assert _noticed(db)
    assert not db.changed_elsewhere()


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_lost_listening_connection_falls_back_to_polling(db: Database, colleague: Database) -> None:
    db.changed_elsewhere()
    watcher = db._watcher
    assert isinstance(watcher, ServerChangeWatcher)
    watcher._listener.close()  # the server restarted, the network dropped
    assert db.changed_elsewhere()  # unknown what was missed: reload once
    assert not watcher.listening
    _add(colleague, "THEIRS")
    assert _noticed(db)


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_a_change_made_by_another_process_is_noticed(db: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="CW1", first_name="Ada", last_name="Stone", date_of_birth=dt.date(2012, 1, 1)))
    assert not db.changed_elsewhere()
    colleague = subprocess.run([sys.executable, "-c", COLLEAGUE, database_target(db)], capture_output=True,
                               text=True, env=dict(os.environ), timeout=120)
    assert colleague.returncode == 0, colleague.stderr
    assert _noticed(db)
    with db.session() as s:
        assert s.scalars(select(Child.first_name)).one() == "Amelia"


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_login_that_may_not_read_the_audit_trail_polls_the_servers_statistics(
        db: Database, colleague: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ServerChangeWatcher, "_listen", lambda self: setattr(self, "_listener", None))
    db.changed_elsewhere()
    watcher = db._watcher
    assert isinstance(watcher, ServerChangeWatcher)
    watcher._audit_readable = False  # as a commissioner's login: no SELECT on audit_event
    watcher._mark = watcher._poll()
    _add(colleague, "THEIRS")
    # Statistics reach other sessions when the writer's connection goes idle: seconds, not at once.
    assert _noticed(db, 20.0)
