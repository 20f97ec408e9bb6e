"""Starting the window: choose the database, open it safely, show the main window.

``placedesk`` with no ``--db`` opens the team server when the settings say to
start there (Settings › Team server), else the officer's own database in the
user data folder (or the one last opened through File › Open). A file PlaceDesk
refuses is never changed; the officer is told why and may pick another. When
the team server cannot be reached (an officer on a visit), the laptop's file is
offered instead, so work goes on offline.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QApplication

from placedesk import __version__
from placedesk.config import Settings, TeamServerSettings, default_db_path, ensure_laptop_id, load_settings
from placedesk.db import Database, DatabaseLocked, remember_passphrase
from placedesk.errors import PlaceDeskError
from placedesk.ui import dialogs
from placedesk.ui.db_lock import open_locked
from placedesk.ui.widgets.geometry import WindowFitter


def choose_database(db_arg: str | None, last_database: str) -> Path:
    """``--db`` wins; then the file last opened in the app, if it still exists; then the default."""
    if db_arg:
        return Path(db_arg).expanduser()
    if last_database and Path(last_database).exists():
        return Path(last_database)
    return default_db_path()


def server_to_start_on(db_arg: str | None, settings: Settings) -> TeamServerSettings | str | None:
    """The team server to start on: a ``--db`` URL, else the one the settings say to start on, else None."""
    if db_arg and "://" in db_arg:
        return db_arg
    if not db_arg and settings.team_server.use and settings.team_server.host:
        return settings.team_server
    return None


def open_server_for_gui(server: TeamServerSettings | str) -> tuple[Database | None, str]:
    """Log in to the team server (asking for the password if needed): the database, or why not.

    A ``--db`` URL with its password, or one PlaceDesk cannot split into the
    settings' fields (a Unix socket), is opened as it is.
    """
    from placedesk.errors import ValidationError
    from placedesk.services.common.team_server import (
        check_team_server,
        open_team_database,
        parse_server_url,
    )
    from placedesk.ui.team_server import ServerLogin, run_now

    opened: list[Database] = []
    problem: list[str] = []
    if isinstance(server, str):
        try:
            server = check_team_server(parse_server_url(server))
        except ValidationError:
            try:
                return open_team_database(server)[0], ""
            except PlaceDeskError as exc:
                return None, str(exc)
    ServerLogin(None, server, open_team_database, lambda result: opened.append(result[0]),
                on_failed=lambda exc: problem.append(str(exc) if isinstance(exc, PlaceDeskError) else
                                                     f"An unexpected error ({type(exc).__name__})."),
                on_cancelled=lambda: problem.append("No password was given."), runner=run_now).start()
    return (opened[0] if opened else None), (problem[0] if problem else "")


def offer_laptop_instead(problem: str) -> bool:
    """After the team server could not be opened: whether to work on the laptop's own file meanwhile."""
    return bool(dialogs.choose(
        None, "Team server", f"{problem}\n\nWork on this laptop's own database meanwhile? Your changes there reach "
        "the team through bundles, as on a visit.", [(True, "Work on the laptop database")], default=True,
        cancel="Quit"))


def open_for_gui(path: Path) -> tuple[Database, QLockFile] | None:
    """Lock and open ``path``, or explain why not and offer to open another file.

    An encrypted file whose key is not in the keystore asks for its passphrase
    (again after a wrong one); cancelling moves on to choosing another file. A
    new database (the first start) is offered encryption before it is made.
    """
    key = offer_encryption(path)
    while True:
        try:
            return open_locked(path, key=key)
        except DatabaseLocked as exc:
            passphrase = dialogs.ask_passphrase(None, "Encrypted database", f"{exc}\n\nPassphrase:")
            if passphrase:
                remember_passphrase(passphrase)
                continue
            dialogs.warn(None, "PlaceDesk", str(exc))
            other = dialogs.choose_open_file(None, "Open another PlaceDesk database",
                                             "PlaceDesk database (*.sqlite);;All files (*)")
            if other is None:
                return None
            path = other
        except PlaceDeskError as exc:
            dialogs.warn(None, "PlaceDesk", str(exc))
            other = dialogs.choose_open_file(None, "Open another PlaceDesk database",
                                             "PlaceDesk database (*.sqlite);;All files (*)")
            if other is None:
                return None
            path = other


def offer_encryption(path: Path) -> str | None:
    """For a database about to be made: the key to encrypt it with, if the officer wants it encrypted."""
    if path.exists():
        return None
    if not dialogs.choose(None, "New PlaceDesk database",
                          f"PlaceDesk will start a new database at {path}.\n\nEncrypt it? Recommended for real "
                          "records: the file cannot then be read without its key, which PlaceDesk keeps in "
                          "this computer's keystore (or you choose a passphrase).",
                          [(True, "Encrypt it"), (False, "Keep it unencrypted")], default=True, cancel=None):
        return None
    from placedesk.ui.settings_dialog import choose_key

    return choose_key(None)


def build_main_window(db: Database, settings_problem: str | None = None, *,  # type: ignore[no-untyped-def]
                      automatic_sync: bool = False):
    """The main window over an open database (used by the app, tests and benchmarks).

    ``automatic_sync`` turns on the daily backup and the periodic exchange with
    the shared folder; only the real app sets it.
    """
    from placedesk.ui.context import AppContext
    from placedesk.ui.main_window import MainWindow

    loaded = load_settings()
    ctx = AppContext(db, loaded.settings, settings_problem=settings_problem or loaded.problem)
    return MainWindow(ctx, automatic_sync=automatic_sync)


def run_gui(db_arg: str | None, passphrase_file: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    if passphrase_file:
        from placedesk.dbkey import read_passphrase_file

        try:
            remember_passphrase(read_passphrase_file(Path(passphrase_file)))
        except PlaceDeskError as exc:
            dialogs.warn(None, "PlaceDesk", str(exc))
    if not any(arg == "-style" or arg.startswith("-style=") for arg in sys.argv):
        # Fusion draws with the system's light, dark or high-contrast palette on every platform.
        app.setStyle("Fusion")
    # Every dialog and window opens within the screen it is on, and where it was last left there.
    fitter = WindowFitter(app)
    app.installEventFilter(fitter)
    app.setApplicationName("PlaceDesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("PlaceDesk")
    loaded = load_settings()
    if loaded.problem:
        dialogs.warn(None, "PlaceDesk settings", loaded.problem)
    else:
        ensure_laptop_id(loaded.settings)
    lock: QLockFile | None = None
    server = server_to_start_on(db_arg, loaded.settings)
    db: Database | None = None
    if server is not None:
        db, problem = open_server_for_gui(server)
        if db is None and not offer_laptop_instead(problem):
            return 2
    if db is None:
        opened = open_for_gui(choose_database(None if server is not None else db_arg,
                                              loaded.settings.last_database))
        if opened is None:
            return 2
        db, lock = opened
    window = build_main_window(db, loaded.problem, automatic_sync=True)
    window.ctx.lock = lock
    if db.is_server:
        window.statusBar().showMessage("Working on the team server.", 15000)
    elif db.created:
        window.statusBar().showMessage(f"Started a new empty database at {db.path}", 15000)
    elif db.upgraded_from is not None:
        window.statusBar().showMessage(f"Database upgraded; a backup was saved to {db.backup_path}", 15000)
    window.show()
    return int(app.exec())
