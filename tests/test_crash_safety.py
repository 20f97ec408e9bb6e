"""A PlaceDesk process killed outright (SIGKILL: power cut, frozen laptop) never leaves a half-done file.

Each test starts the real command in a subprocess, kills it with SIGKILL while
it is writing (watching the file it writes grow), then checks the database is
either exactly as before or fully changed, ``integrity_check`` is clean, and
the same command then runs to the end.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from placedesk.db import open_database
from placedesk.migrations import SCHEMA_VERSION
from placedesk.migrations.runner import head_revision

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

@pytest.fixture(autouse=True)
def officer_profile(placedesk_home: Path) -> None:
    """Changes are recorded against the officer: the window and the commands here run as one."""
    from placedesk.config import OfficerSettings, Settings, save_settings

    save_settings(Settings(officer=OfficerSettings(name="Casey Officer", local_authority="Northshire",
                                                   email="casey@example.gov.uk")))



def _placedesk(db: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "placedesk", "--db", str(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))


def _kill_when(process: subprocess.Popen[bytes], started: Callable[[], bool], timeout: float = 120) -> bool:
    """SIGKILL ``process`` as soon as ``started()`` is true; whether it was killed before it finished."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if started():
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            return process.returncode == -signal.SIGKILL
        time.sleep(0)  # only yield: the moment to catch can last a few milliseconds
    process.communicate(timeout=timeout)
    return False


def _kill_during(reset: Callable[[], None], start: Callable[[], subprocess.Popen[bytes]],
                 started: Callable[[], bool], attempts: int = 3) -> None:
    """Kill a fresh run mid-way; on a busy machine a run can slip past its moment, so try again."""
    for _ in range(attempts):
        reset()
        if _kill_when(start(), started):
            return
    pytest.fail(f"the command finished before it could be killed, {attempts} times")


def _fresh(source: Path, path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _wal_grew(db: Path, beyond: int = 0) -> Callable[[], bool]:
    return lambda: _size(Path(f"{db}-wal")) > beyond


def _query(db: Path, sql: str) -> object:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _sound(db: Path) -> None:
    assert _query(db, "PRAGMA integrity_check") == "ok"
    assert _query(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0


def _finish(db: Path, *args: str) -> str:
    process = _placedesk(db, *args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    return out.decode()


def _ofsted_csv(path: Path, count: int) -> Path:
    lines = ["URN,Provision type,Name,Inspection date,"
             "Overall experiences and progress of children and young people"]
    lines += [f"SC{600000 + i},Children's home,Home {i},12/01/2026,Good" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def empty_db(_empty_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite"
    shutil.copyfile(_empty_template, path)
    return path


@pytest.fixture
def demo_file(_small_demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(_small_demo_template, path)
    return path


def test_killed_during_an_import(empty_db: Path, _empty_template: Path, tmp_path: Path) -> None:
    rows = 3000
    csv = _ofsted_csv(tmp_path / "ofsted.csv", rows)
    _kill_during(lambda: _fresh(_empty_template, empty_db),
                 lambda: _placedesk(empty_db, "providers", "import", str(csv), "--on", "2026-03-02"),
                 _wal_grew(empty_db))
    _sound(empty_db)
    assert _query(empty_db, "SELECT count(*) FROM provider") in (0, rows)
    _finish(empty_db, "providers", "import", str(csv), "--on", "2026-03-02")
    assert _query(empty_db, "SELECT count(*) FROM provider") == rows
    _sound(empty_db)


def test_killed_during_an_export(demo_file: Path, _small_demo_template: Path, tmp_path: Path) -> None:
    from tests.services.sync.helpers import PASSPHRASE, install_identity

    out = tmp_path / "bundles"
    # Bundles are signed: the officer's identity, its passphrase given in a file (the child has no keystore).
    install_identity("Demo Officer", remember=False)
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text(PASSPHRASE + "\n")
    signing = ("--passphrase-file", str(passphrase))

    def reset() -> None:
        _fresh(_small_demo_template, demo_file)
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()

    exports_before = _query(_small_demo_template, "SELECT count(*) FROM sync_record")
    _kill_during(reset, lambda: _placedesk(demo_file, "export", "--to", str(out), "--full", *signing),
                 lambda: any(out.iterdir()))
    _sound(demo_file)
    published = [p for p in out.iterdir() if not p.name.startswith(".")]
    exports = _query(demo_file, "SELECT count(*) FROM sync_record")
    # Either nothing was published and nothing recorded, or both: a bundle never appears half-written.
    assert (published, exports) == ([], exports_before) or len(published) == exports - exports_before == 1
    for bundle in published:
        assert (bundle / "manifest.json").exists()
    _finish(demo_file, "export", "--to", str(out), "--full", *signing)
    assert len([p for p in out.iterdir() if not p.name.startswith(".")]) == len(published) + 1
    _sound(demo_file)


def _add_scanned_document(db: Path, size: int) -> None:
    """A large stored document (a scanned file), so copying the database takes long enough to interrupt."""
    content = bytes(size)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO stored_document (id, filename, media_type, kind, sha256, size, content, created_at, "
                 "updated_at, version) VALUES (?, 'scan.pdf', 'application/pdf', 'evidence', ?, ?, ?, "
                 "'2026-03-02 09:00:00.000000', '2026-03-02 09:00:00.000000', 1)",
                 (uuid.uuid4().hex, hashlib.sha256(content).hexdigest(), size, content))
    conn.commit()
    conn.close()


def test_killed_during_a_restore(empty_db: Path, _empty_template: Path, demo_file: Path) -> None:
    _add_scanned_document(demo_file, 32 * 1024 * 1024)
    children = _query(demo_file, "SELECT count(*) FROM child")

    def reset() -> None:
        # The live file as the window leaves it: in WAL mode.
        _fresh(_empty_template, empty_db)
        live = open_database(empty_db)
        live.engine.connect().close()
        live.close()

    # The first bytes in the -wal file: the backup API has begun copying pages into the live file.
    _kill_during(reset, lambda: _placedesk(empty_db, "restore", str(demo_file)), _wal_grew(empty_db))
    _sound(empty_db)
    assert _query(empty_db, "SELECT count(*) FROM child") in (0, children)
    _finish(empty_db, "restore", str(demo_file))
    assert _query(empty_db, "SELECT count(*) FROM child") == children
    assert "OK: no problems found." in _finish(empty_db, "check")


def test_killed_during_a_schema_upgrade(demo_file: Path, _small_demo_template: Path) -> None:
    def reset() -> None:
        # The file back at schema 1, as a laptop still on the first release left it: every
        # later revision undone by Alembic itself, so columns added since go too.
        from alembic import command

        from placedesk.db import make_engine
        from placedesk.migrations.runner import alembic_config

        _fresh(_small_demo_template, demo_file)
        engine = make_engine(demo_file)
        try:
            with engine.begin() as conn:
                command.downgrade(alembic_config(conn), "0001")
                conn.exec_driver_sql("PRAGMA user_version=1")
        finally:
            engine.dispose()
        conn = sqlite3.connect(demo_file)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()

    # The first bytes in the -wal file: the upgrade has begun writing (after its backup was taken).
    _kill_during(reset, lambda: _placedesk(demo_file, "check"), _wal_grew(demo_file))
    _sound(demo_file)
    version = _query(demo_file, "PRAGMA user_version")
    indexes = _query(demo_file, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                "('ix_placement_open', 'ix_placement_end_date', 'ix_provider_type')")
    revision = _query(demo_file, "SELECT version_num FROM alembic_version")
    # One transaction: killed, the file is as it was; finished, it is at the newest schema.
    assert (version, indexes, revision) in ((1, 0, "0001"), (SCHEMA_VERSION, 3, head_revision()))
    assert "OK: no problems found." in _finish(demo_file, "check")
    assert _query(demo_file, "PRAGMA user_version") == SCHEMA_VERSION
