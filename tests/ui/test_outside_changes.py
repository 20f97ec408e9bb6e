"""One window per database, and a command writing the same file while the window is open."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.errors import DatabaseRefused
from placedesk.services.referrals.intake import ChildDetails, save_child
from placedesk.ui.app import build_main_window
from placedesk.ui.db_lock import lock_database, lock_path, open_locked
from tests.conftest import DialogRecorder

TODAY = dt.date(2026, 3, 2)
PROVIDERS = 400


def _ofsted_csv(path: Path, count: int) -> Path:
    lines = ["URN,Provision type,Name,Inspection date,"
             "Overall experiences and progress of children and young people"]
    lines += [f"SC{700000 + i},Children's home,Home {i},12/01/2026,Good" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _command(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "placedesk", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def test_window_and_command_write_the_same_file_and_each_sees_the_other(
        qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    window = build_main_window(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready, timeout=20000)
    assert "0 providers" in window.counts_label.text()

    command = _command(db.path, "providers", "import", str(_ofsted_csv(tmp_path / "ofsted.csv", PROVIDERS)),
                       "--on", "2026-03-02")
    saved = 0
    # The window saves children while the command imports: each action waits for the other's lock.
    while saved < 12 or command.poll() is None:
        with window.ctx.action() as session:
            save_child(session, None, ChildDetails(f"CW{saved:03d}", "Ada", f"Window{saved}",
                                                   dt.date(2012, 1, 1)), today=TODAY, laptop_id="L1")
        window.ctx.notify(["child", "referral"])  # as the window's own slots do after an action
        saved += 1
        qtbot.wait(50)
    out, err = command.communicate(timeout=120)
    assert command.returncode == 0, err
    assert "Traceback" not in err
    qtbot.waitUntil(lambda: f"{PROVIDERS} providers" in window.counts_label.text(), timeout=10000)
    assert f"{saved} children" in window.counts_label.text()

    # With the window idle, another command's change shows up by itself (its timer), with a notice.
    window.statusBar().clearMessage()
    more = _command(db.path, "providers", "import", str(_ofsted_csv(tmp_path / "more.csv", PROVIDERS + 25)),
                    "--on", "2026-03-02")
    assert more.wait(120) == 0
    providers = window.show_tab("providers")
    qtbot.waitUntil(lambda: "outside this window" in window.statusBar().currentMessage(), timeout=10000)
    assert f"{PROVIDERS + 25} providers" in window.counts_label.text()
    qtbot.waitUntil(lambda: providers.model.total == PROVIDERS + 25, timeout=10000)

    # And a command sees every child the window saved; the file is sound.
    check = _command(db.path, "check")
    out, err = check.communicate(timeout=60)
    assert check.returncode == 0, err
    assert "OK: no problems found." in out
    conn = sqlite3.connect(db.path)
    try:
        assert conn.execute("SELECT count(*) FROM child").fetchone()[0] == saved
        assert conn.execute("SELECT count(*) FROM provider").fetchone()[0] == PROVIDERS + 25
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_the_window_does_not_reload_for_its_own_changes(qtbot: QtBot, db: Database) -> None:
    window = build_main_window(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready, timeout=20000)
    with window.ctx.action() as session:
        save_child(session, None, ChildDetails("CW1", "Ada", "Own", dt.date(2012, 1, 1)), today=TODAY, laptop_id="L1")
    assert not window.check_outside_changes()


def test_a_second_window_on_the_same_database_is_refused(tmp_path: Path, db: Database) -> None:
    lock = lock_database(db.path)
    try:
        assert lock_path(db.path).exists()
        with pytest.raises(DatabaseRefused, match="already open in another PlaceDesk window"):
            open_locked(db.path)
    finally:
        lock.unlock()
    opened, again = open_locked(db.path)
    again.unlock()
    opened.close()
    assert not lock_path(db.path).exists()


def test_a_lock_left_by_a_crashed_placedesk_is_taken_over(tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from placedesk.ui.db_lock import lock_database; "
         f"lock = lock_database({str(database)!r}); print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    with pytest.raises(DatabaseRefused, match="already open"):
        lock_database(database)
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    assert lock_path(database).exists()  # the crash left it behind
    lock = lock_database(database)
    assert lock.isLocked()
    lock.unlock()


def test_switching_to_a_file_open_in_another_window_is_refused(
        qtbot: QtBot, db: Database, tmp_path: Path, dialogs: DialogRecorder) -> None:
    other = tmp_path / "other.sqlite"
    held = lock_database(other)
    window = build_main_window(db)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.is_ready, timeout=20000)
    try:
        window._switch_to(other)
        assert any("already open in another PlaceDesk window" in t for t in dialogs.texts("warn"))
        assert window.ctx.db is db
    finally:
        held.unlock()
    window._switch_to(other)
    assert window.ctx.db.path == other.resolve() and window.ctx.lock is not None
    window.close()
    assert not lock_path(other.resolve()).exists()


def test_starting_a_second_window_on_an_open_database_explains_and_offers_another_file(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    from placedesk.ui.app import open_for_gui

    held = lock_database(db.path)
    try:
        assert open_for_gui(db.path) is None  # the officer chose no other file
    finally:
        held.unlock()
    assert any("already open in another PlaceDesk window" in text for text in dialogs.texts("warn"))
    assert dialogs.texts("choose_open_file")
