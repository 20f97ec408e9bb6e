"""Shared fixtures: a fresh database per test, a private user folder, a fixed clock, and dialog stubs.

Tests under ``tests/services`` and ``tests/commands`` that use ``db``, ``session``
or ``demo_db`` run twice, on a SQLite file (``[sqlite]``) and on a fresh database
on a throwaway PostgreSQL server (``[postgresql]``), unless marked
``@pytest.mark.sqlite_only`` (tests about files: encryption, backups, the lock
file, pragmas). Without PostgreSQL 15+ on the machine the ``[postgresql]`` runs are
skipped with one line; ``PLACEDESK_REQUIRE_POSTGRES=1`` (``.ci/run``) makes that a failure.

``QT_QPA_PLATFORM=offscreen`` is set before anything can import Qt, so GUI
tests run without a screen. Every test runs on the same fixed day (``CLOCK``),
so a test that passes today passes tomorrow.
"""

from __future__ import annotations

import gc
import itertools
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import settings
from sqlalchemy.orm import Session

from placedesk.db import Database, backup_database, open_database

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# `make mutation` runs the rule tests once per mutant on a busy machine: fewer, repeatable examples,
# and no per-example deadline (a slow example there is CPU contention, not a planted bug).
settings.register_profile("mutation", max_examples=25, derandomize=True, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])

# The instant every test starts at: date.today(), datetime.now() and time.time() read it,
# then tick on as usual. The demo data is generated for this day too.
CLOCK = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
DEMO_TODAY = CLOCK.date()


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    """Run each test on ``CLOCK``'s day, whatever the calendar says (screens and pyHanko read the clock)."""
    with time_machine.travel(CLOCK, tick=True):
        yield


@pytest.fixture(autouse=True)
def placedesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user folder (data, settings, backups) at the test's own directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("PLACEDESK_HOME", str(home))
    return home


class MemoryKeyring:
    """A keystore in memory: tests never reach the machine's real one (a headless Linux has none)."""

    def __init__(self) -> None:
        import keyring.backend

        class Backend(keyring.backend.KeyringBackend):
            priority = 1  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.store: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.store.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.store[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                self.store.pop((service, username), None)

        self.backend = Backend()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[Any]:
    """Every test gets an empty in-memory keystore (``keyring``); returns its backend (``.store``)."""
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring().backend
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def keystore(memory_keyring: Any) -> Iterator[Any]:
    """The test's in-memory keystore (``memory_keyring``), with no database passphrase remembered."""
    from placedesk.db import forget_passphrases

    forget_passphrases()
    yield memory_keyring
    forget_passphrases()


@pytest.fixture
def no_keystore() -> Iterator[None]:
    """A computer with no keystore at all (the key must come from a passphrase)."""
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    keyring.set_keyring(NoKeyring())
    yield


@pytest.fixture(autouse=True)
def _heap_as_at_start(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new process would: nothing frozen out of garbage collection yet."""
    from placedesk import runtime

    monkeypatch.setattr(runtime, "_frozen", False)
    yield
    gc.unfreeze()


def _settle_background_work() -> None:
    """Let screens' background loads finish before their database file is closed."""
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(30000)


def _migrations_fingerprint() -> str:
    """What an empty migrated database depends on: the migration scripts and the library versions."""
    from importlib.metadata import version

    import placedesk

    package = Path(placedesk.__file__).parent
    digest = hashlib.sha256(f"{version('alembic')} {version('sqlalchemy')}".encode())
    for script in [*sorted((package / "migrations").rglob("*.py")), *sorted((package / "db").glob("*.py")),
                   package / "models" / "base.py"]:
        digest.update(script.name.encode() + script.read_bytes())
    return digest.hexdigest()[:16]


def kept_empty_template() -> Path:
    """An empty migrated database, kept between runs while the migrations are unchanged (migrating is
    slow, and `make mutation` starts a test session for every mutant). Copy it; never open it."""
    kept = Path(tempfile.gettempdir()) / "placedesk-test-templates" / f"empty-{_migrations_fingerprint()}.sqlite"
    if kept.exists():
        return kept
    kept.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="migrating-", dir=kept.parent))
    try:
        opened = open_database(folder / "migrated.sqlite")
        opened.close()
        template = backup_database(opened.path, folder / "template.sqlite")
        os.replace(template, kept)  # whole or absent, even with several runs at once
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return kept


@pytest.fixture(scope="session")
def _empty_template() -> Path:
    """The empty migrated database each test's ``db`` starts as a copy of."""
    return kept_empty_template()


ENGINES = ("sqlite", "postgresql")
# Test folders whose database tests run on both engines.
BOTH_ENGINES_UNDER = ("services", "commands")
_DB_FIXTURES = {"db", "session", "demo_db"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about SQLite files (encryption, backups, pragmas); "
                                       "runs on SQLite alone")


@pytest.hookimpl(trylast=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run service and command tests that use a database on both engines (ids end in the engine)."""
    if "engine_name" not in metafunc.fixturenames or not _DB_FIXTURES & set(metafunc.fixturenames):
        return
    parts = Path(str(metafunc.definition.path)).relative_to(Path(__file__).parent).parts
    if not parts or parts[0] not in BOTH_ENGINES_UNDER or metafunc.definition.get_closest_marker("sqlite_only"):
        return
    metafunc.parametrize("engine_name", ENGINES, scope="function")


@pytest.fixture
def engine_name() -> str:
    """The engine this test's ``db`` runs on (``sqlite`` unless parametrised to both)."""
    return "sqlite"


_NO_POSTGRES = "[postgresql] tests skipped: no PostgreSQL 15+ server programs on this machine"


@dataclass
class _GivenServer:
    """A PostgreSQL server already running, known by a superuser URL (``PLACEDESK_TEST_POSTGRES_URL``)."""

    base: str

    def url(self, dbname: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        from sqlalchemy.engine import make_url

        return make_url(self.base).set(database=dbname).render_as_string(hide_password=False)

    def stop(self) -> None:
        """Leave a server this run did not start running."""


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster for the run (``tests/pgserver.py``), or the one named by
    ``PLACEDESK_TEST_POSTGRES_URL``. Skipped without PostgreSQL; a failure with PLACEDESK_REQUIRE_POSTGRES=1."""
    from tests import pgserver

    given = os.environ.get("PLACEDESK_TEST_POSTGRES_URL")
    if given:
        yield _GivenServer(given)
        return
    if pgserver.postgres_bindir() is None:
        if os.environ.get("PLACEDESK_REQUIRE_POSTGRES") == "1":
            pytest.fail(_NO_POSTGRES.replace("tests skipped", "tests cannot run") +
                        " (PLACEDESK_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(_NO_POSTGRES)
    server = pgserver.start_server()
    yield server
    server.stop()


def _admin(server: Any) -> Any:
    """An autocommit psycopg connection to the server's ``postgres`` database (CREATE/DROP DATABASE)."""
    return _admin_to(server, "postgres")


def _admin_to(server: Any, dbname: str) -> Any:
    """An autocommit superuser psycopg connection to ``dbname`` on the server."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server.url(dbname))
    params = {"dbname": url.database, "user": url.username, "password": url.password, "host": url.host,
              "port": url.port, **{k: v for k, v in url.query.items() if isinstance(v, str)}}
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True)


_TEMPLATE = "placedesk_template"
_DEMO_TEMPLATE = "placedesk_demo_template"
_counter = itertools.count()


@pytest.fixture(scope="session")
def _pg_admin(pg_server: Any) -> Iterator[Any]:
    conn = _admin(pg_server)
    yield conn
    conn.close()


def _make_pg_template(server: Any, admin: Any, name: str, fill: Any = None) -> str:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    database = open_database(server.url(name))
    try:
        if fill is not None:
            fill(database)
    finally:
        database.close()
    return name


@pytest.fixture(scope="session")
def _pg_template(pg_server: Any, _pg_admin: Any) -> str:
    """An empty migrated database on the server; each test's database is a copy of it."""
    return _make_pg_template(pg_server, _pg_admin, _TEMPLATE)


def _pg_copy(server: Any, admin: Any, template: str) -> Iterator[str]:
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
    yield server.url(name)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_reused(pg_server: Any, _pg_admin: Any, _pg_template: str) -> Iterator[tuple[str, Any]]:
    """This run's working database (a copy of the template) and an autocommit connection to it.

    Copying a database costs a checkpoint (about half a second on a busy machine); emptying
    this one's tables after each test costs a few milliseconds.
    """
    name = f"t_{os.getpid()}_work"
    _pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    url = pg_server.url(name)
    conn = _admin_to(pg_server, name)
    # A test that leaves a transaction open would make the cleaning wait: fail it instead.
    conn.execute("SET lock_timeout = '20s'")
    yield url, conn
    conn.close()
    _pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_every_table(conn: Any) -> None:
    from placedesk.models import Base

    # TRUNCATE, not DELETE: the audit trail refuses UPDATE and DELETE from everybody (migration 0006),
    # and only the owner (here the superuser) may TRUNCATE.
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with conn.transaction():
        conn.execute(f"TRUNCATE {names}")


@pytest.fixture
def pg_database_url(_pg_reused: tuple[str, Any]) -> Iterator[str]:
    """The URL of an empty, fully migrated PostgreSQL database for this test only (emptied again after it)."""
    url, conn = _pg_reused
    yield url
    _settle_background_work()
    _empty_every_table(conn)


def _private_copy(engine_name: str, request: pytest.FixtureRequest, path: Path, *, server: str,
                  template: str) -> Iterator[Database]:
    """Open this test's own database: the ``server`` fixture's URL, or a copy of ``template`` at ``path``."""
    if engine_name == "postgresql":
        database = open_database(request.getfixturevalue(server))
    else:
        shutil.copyfile(request.getfixturevalue(template), path)
        database = open_database(path)
    database.officer = "Test Officer"
    yield database
    _settle_background_work()
    database.close()


@pytest.fixture
def db(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, empty, fully migrated database for this test only (a file, or a server database)."""
    yield from _private_copy(engine_name, request, tmp_path / "test.sqlite",
                             server="pg_database_url", template="_empty_template")


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session on the test database; commit in the test to make changes stick."""
    with db.session() as s:
        yield s


@pytest.fixture(scope="session")
def _small_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo database, generated once per run and copied for each test that wants it."""
    from placedesk.services.demo import generate_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    template = open_database(path)
    try:
        with template.session_scope() as s:
            generate_demo(s, scale="small", seed=1, today=DEMO_TODAY)
    finally:
        template.close()
    return path


@pytest.fixture(scope="session")
def _pg_demo_template(pg_server: Any, _pg_admin: Any) -> str:
    """The small demo generated once on the server, copied for each ``demo_db[postgresql]``."""
    from placedesk.services.demo import generate_demo

    def fill(database: Database) -> None:
        with database.session_scope() as s:
            generate_demo(s, scale="small", seed=1, today=DEMO_TODAY)

    return _make_pg_template(pg_server, _pg_admin, _DEMO_TEMPLATE, fill)


@pytest.fixture
def pg_demo_url(pg_server: Any, _pg_admin: Any, _pg_demo_template: str) -> Iterator[str]:
    """The URL of a private copy of the small demo on the server, for this test only."""
    yield from _pg_copy(pg_server, _pg_admin, _pg_demo_template)


@pytest.fixture
def demo_db(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the small demo database (about 150 providers, 60 children), made for ``DEMO_TODAY``."""
    yield from _private_copy(engine_name, request, tmp_path / "demo.sqlite",
                             server="pg_demo_url", template="_small_demo_template")


@pytest.fixture
def outcodes_csv() -> Path:
    """UK outward-code centroids, used as a realistic imported postcode table."""
    path = SHARED_DATA / "uk-outcodes.csv"
    if not path.exists():
        pytest.skip(f"{path} is not present beside the project")
    return path


@dataclass
class DialogRecorder:
    """What the app asked the officer, and the answers the test gives back."""

    answers: dict[str, list[Any]] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    # Answers given whenever no queued answer is left (e.g. ``always("confirm", True)``).
    standing: dict[str, Any] = field(default_factory=dict)

    def always(self, name: str, value: Any) -> None:
        """Answer every later ``name`` question with ``value`` once the queue is empty."""
        self.standing[name] = value

    def answer(self, name: str, *values: Any) -> None:
        """Queue answers for ``name`` (e.g. ``confirm``), used in order."""
        self.answers.setdefault(name, []).extend(values)

    def texts(self, name: str) -> list[str]:
        return [" ".join(str(a) for a in args) for n, args in self.calls if n == name]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    """Replace every modal question in ``placedesk.ui.dialogs`` with a recorder."""
    from placedesk.ui import dialogs as module

    recorder = DialogRecorder()
    defaults: dict[str, Any] = {
        "inform": None, "warn": None, "confirm": False, "choose": None, "ask_text": None,
        "ask_passphrase": None, "choose_open_file": None, "choose_save_file": None,
        "choose_directory": None, "run_modal": False, "resolve_edit_conflict": None,
        "ask_server_password": None,
    }

    def make(name: str, default: Any) -> Any:
        def fake(*args: Any, **kwargs: Any) -> Any:
            recorder.calls.append((name, args[1:] + tuple(kwargs.values())))
            queue = recorder.answers.get(name)
            if queue:
                value = queue.pop(0)
                return value(*args, **kwargs) if callable(value) else value
            return recorder.standing.get(name, default)

        return fake

    # A modal helper added to the module without a default here would block the first test to reach it.
    assert set(defaults) == set(module.QUESTIONS), set(module.QUESTIONS) ^ set(defaults)
    for name, default in defaults.items():
        monkeypatch.setattr(module, name, make(name, default))
    return recorder


# Qt's own modal helpers: each blocks until a person answers, so a test reaching one would hang.
_STATIC_MODALS = {
    "QMessageBox": ("information", "warning", "critical", "question", "about", "aboutQt"),
    "QFileDialog": ("getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory",
                    "getOpenFileUrl", "getOpenFileUrls", "getSaveFileUrl", "getExistingDirectoryUrl"),
    "QInputDialog": ("getText", "getMultiLineText", "getInt", "getDouble", "getItem"),
}


def _modal_refused(where: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> AssertionError:
    said = [str(a) for a in (*args, *kwargs.values()) if isinstance(a, str) and a]
    return AssertionError(f"{where} reached in a test (it would wait for a person): {' | '.join(said) or 'no text'}. "
                          "Answer it through the `dialogs` fixture (placedesk.ui.dialogs).")


@pytest.fixture(autouse=True)
def _no_blocking_exec(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail at once, with the dialog's text, instead of hanging, if a test reaches a real modal dialog."""
    if "qtbot" not in request.fixturenames and "PySide6.QtWidgets" not in sys.modules:
        yield
        return
    from PySide6 import QtWidgets
    from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

    def refuse(self: Any, *args: Any) -> int:
        texts = [getattr(self, name)() for name in ("windowTitle", "text", "informativeText", "labelText")
                 if callable(getattr(self, name, None))]
        raise _modal_refused(f"{type(self).__name__}.exec()", tuple(texts), {})

    for cls in (QDialog, QMessageBox, QFileDialog, QInputDialog):
        monkeypatch.setattr(cls, "exec", refuse)

    def static(where: str) -> Any:
        def fake(*args: Any, **kwargs: Any) -> Any:
            raise _modal_refused(where, args, kwargs)
        return staticmethod(fake)

    for class_name, functions in _STATIC_MODALS.items():
        cls = getattr(QtWidgets, class_name)
        for name in functions:
            monkeypatch.setattr(cls, name, static(f"{class_name}.{name}"))
    yield


def database_target(database: Database) -> str:
    """What another process or connection is given to open the same database: its file, or its server URL."""
    if database.path is not None:
        return str(database.path)
    return database.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def colleague(db: Database) -> Iterator[Database]:
    """A. Khan, a colleague working on the test's database through a connection of her own."""
    other = open_database(database_target(db), create=False)
    other.officer = "A. Khan"
    yield other
    other.close()
