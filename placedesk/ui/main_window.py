"""The main window: tabs for the officer's work, a File menu, and a status bar.

Tabs are built the first time they are shown, so start-up only pays for the
tab on screen (QtCharts, pandas and reportlab load when first needed). The
window itself appears before SQLAlchemy and the models have loaded: they are
imported on a worker thread while the window is already drawn and responsive,
and the first tab is filled when they are ready (``ready`` is emitted then).

The window works on a laptop's database file or on the team's PostgreSQL
server; on the server, actions that only make sense for a file (backing up,
restoring, opening another file) are disabled and say why.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QTabWidget, QVBoxLayout, QWidget

from placedesk import __version__
from placedesk.config import save_settings
from placedesk.errors import PlaceDeskError
from placedesk.runtime import freeze_startup_objects
from placedesk.ui import dialogs
from placedesk.ui.context import ALL, AppContext, touches
from placedesk.ui.widgets.geometry import restore_geometry, save_geometry
from placedesk.ui.widgets.tab import Tab
from placedesk.ui.tasks import run_in_background

if TYPE_CHECKING:
    from placedesk.ui.sync.sync_actions import SyncActions

# (key, module, class name, title with its Alt+letter, entities it opens), in tab order.
TABS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("coming_up", "placedesk.ui.care.coming_up_tab", "ComingUpTab", "Coming &up", ()),
    ("children", "placedesk.ui.care.children_tab", "ChildrenTab", "&Children", ("child",)),
    ("referrals", "placedesk.ui.referrals.referrals_tab", "ReferralsTab", "&Referrals", ("referral",)),
    ("providers", "placedesk.ui.referrals.providers_tab", "ProvidersTab", "Pro&viders", ("provider",)),
    ("placements", "placedesk.ui.agreements.placements_tab", "PlacementsTab", "P&lacements",
     ("placement", "agreement")),
    ("monitoring", "placedesk.ui.monitoring.monitoring_tab", "MonitoringTab", "&Monitoring",
     ("cap", "monitoring_visit", "kpi_value")),
    ("sync", "placedesk.ui.sync.sync_panel", "SyncPanel", "S&ync", ()),
]

# The shortcuts Help › Keyboard shortcuts lists (menu actions carry their own too).
SHORTCUTS: list[tuple[str, str]] = [
    ("Ctrl+N", "New referral"),
    ("Ctrl+F", "Find a child (Children tab search)"),
    ("F5", "Refresh every list"),
    ("Ctrl+E", "Export bundle to folder"),
    ("Ctrl+Shift+S", "Send and receive now"),
    ("Alt+1 … Alt+7", "Go to the tab with that number (Coming up … Sync)"),
    ("Alt+underlined letter", "Go to that tab, or press that button"),
    ("Ctrl+Shift+C", "Open the page of the child the chosen row concerns"),
    ("Alt+Down", "Open the calendar in a date field"),
    ("Ctrl+Shift+N", "New database"),
    ("Ctrl+O", "Open database"),
    ("Ctrl+,", "Officer profile and settings"),
    ("F1", "Keyboard shortcuts (this list)"),
    ("Ctrl+Q", "Quit"),
]

# How often the window looks for changes made by another process (a command, a restore).
OUTSIDE_CHANGES_MS = 2000


class LazyTab(QWidget):
    """Holds a tab's place until it is first shown, then builds the real tab inside."""

    def __init__(self, ctx: AppContext, module: str, class_name: str,
                 on_built: Callable[[Tab], None]) -> None:
        super().__init__()
        self._ctx = ctx
        self._module = module
        self._class_name = class_name
        self._on_built = on_built
        self.tab: Tab | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._loading = QLabel("Opening the database…")
        self._loading.setAlignment(Qt.AlignCenter)
        self._layout.addWidget(self._loading)

    def build(self) -> Tab:
        if self.tab is None:
            module = importlib.import_module(self._module)
            self.tab = getattr(module, self._class_name)(self._ctx)
            self._loading.hide()
            self._layout.addWidget(self.tab)
            self._on_built(self.tab)
        return self.tab


def _load_data_layer(ctx: AppContext) -> None:
    """Import SQLAlchemy and the models and make the engine (run off the GUI thread)."""
    import placedesk.models  # noqa: F401 - importing registers the tables and the audit hook
    import placedesk.services.common.summary  # noqa: F401

    ctx.db.engine  # noqa: B018 - makes the engine


class MainWindow(QMainWindow):
    """PlaceDesk's main window over one open database."""

    ready = Signal()

    def __init__(self, ctx: AppContext, *, automatic_sync: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        # True once the data layer has loaded and the first tab is built.
        self.is_ready = False
        # Daily backup and periodic pick-up of colleagues' bundles (off in tests and tools).
        self._automatic_sync = automatic_sync
        self.sync: SyncActions | None = None
        self.setMinimumSize(760, 520)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._lazy: dict[str, LazyTab] = {}
        for number, (key, module, class_name, title, _) in enumerate(TABS, start=1):
            holder = LazyTab(ctx, module, class_name, self._tab_built)
            self._lazy[key] = holder
            index = self.tabs.addTab(holder, title)
            self.tabs.setTabToolTip(index, f"{title.replace('&', '')} (Alt+{number})")
            jump = QShortcut(QKeySequence(f"Alt+{number}"), self)
            jump.activated.connect(lambda k=key: self.show_tab(k))
        self.tabs.tabBar().setAccessibleName("Sections")
        self.tabs.currentChanged.connect(self._build_current)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self.db_label = QLabel()
        self.counts_label = QLabel()
        self.settings_label = QLabel()
        self.statusBar().addWidget(self.db_label, 1)
        self.statusBar().addPermanentWidget(self.settings_label)
        self.statusBar().addPermanentWidget(self.counts_label)
        ctx.changed.connect(self._on_changed)
        self._profile_pending = False
        ctx.profile_needed.connect(self._profile_needed)
        # The palette itself follows the system at once; the signal colours are chosen at start.
        QGuiApplication.styleHints().colorSchemeChanged.connect(
            lambda _: self.statusBar().showMessage(
                "The system colours changed: restart PlaceDesk to recolour overdue and RAG highlights.", 15000))
        self._update_title()
        self._apply_database_kind()
        self._update_settings_label()
        self._restore_geometry()
        self.counts_label.setText("Opening…")
        self._outside_timer = QTimer(self)
        self._outside_timer.setInterval(OUTSIDE_CHANGES_MS)
        self._outside_timer.timeout.connect(self.check_outside_changes)
        run_in_background(lambda: _load_data_layer(ctx), lambda _: self._data_layer_loaded())

    def _data_layer_loaded(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.is_ready = True
        from placedesk.ui.sync.sync_actions import install_sync_menu

        self.sync = install_sync_menu(self, self.ctx, self.file_menu, self.sync_separator,
                                      automatic=self._automatic_sync)
        self._apply_database_kind()
        self._build_current(self.tabs.currentIndex())
        self.refresh_counts()
        self.ctx.db.changed_elsewhere()  # starts watching from what is shown now
        self._outside_timer.start()
        # Start-up is over: what is alive now lives until the app closes (see placedesk.runtime).
        freeze_startup_objects()
        self.ready.emit()

    # --- tabs -------------------------------------------------------------------------

    def _build_current(self, index: int) -> None:
        widget = self.tabs.widget(index)
        if self.is_ready and isinstance(widget, LazyTab):
            widget.build()

    def _tab_built(self, tab: Tab) -> None:
        tab.open_requested.connect(self.open_record)

    def tab(self, key: str) -> Tab:
        """The tab with this key in ``TABS`` (built now if not yet shown)."""
        return self._lazy[key].build()

    def show_tab(self, key: str) -> Tab:
        tab = self.tab(key)
        self.tabs.setCurrentWidget(self._lazy[key])
        return tab

    def open_record(self, entity: str, record_id: uuid.UUID | None) -> None:
        """Show a record in the tab that handles its kind."""
        for key, _, _, _, handles in TABS:
            if entity in handles:
                tab = self.show_tab(key)
                tab.open_record(entity, record_id)
                return

    # --- menus ------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.file_menu = file_menu
        self._add(file_menu, "New &referral…", self.new_referral, QKeySequence.New)
        self._add(file_menu, "&Find a child…", self.find_child, QKeySequence.Find)
        self._add(file_menu, "Re&fresh", self.refresh_all, QKeySequence.Refresh)
        file_menu.addSeparator()
        self.new_database_action = self._add(file_menu, "&New database…", self.new_database,
                                             QKeySequence("Ctrl+Shift+N"))
        self.open_database_action = self._add(file_menu, "&Open database…", self.open_database_file,
                                              QKeySequence.Open)
        self.connect_action = self._add(file_menu, "Connect to &team server…", self.connect_team_server)
        self.laptop_action = self._add(file_menu, "Back to the l&aptop database", self.back_to_laptop)
        self._add(file_menu, "Load &demo data…", self.load_demo)
        file_menu.addSeparator()
        self._add(file_menu, "Import SSDA903 &care history…", self.import_903)
        self._add(file_menu, "Import &postcode locations…", self.import_postcodes)
        file_menu.addSeparator()
        self.backup_action = self._add(file_menu, "&Back up database…", self.backup)
        # Sync, export and restore actions are added after this separator.
        self.sync_separator = file_menu.addSeparator()
        file_menu.addSeparator()
        self._add(file_menu, "&Officer profile and settings…", self.edit_settings, QKeySequence("Ctrl+,"))
        self._add(file_menu, "Audit &log…", self.audit_log)
        file_menu.addSeparator()
        self._add(file_menu, "&Quit", self.close, QKeySequence.Quit)
        # Disabled actions say why in their tooltip (file-only actions on the team server).
        file_menu.setToolTipsVisible(True)
        help_menu = self.menuBar().addMenu("&Help")
        self._add(help_menu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence("F1"))
        self._add(help_menu, "&About PlaceDesk", self.about)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object],
             shortcut: QKeySequence.StandardKey | QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda checked=False: slot())
        menu.addAction(action)
        return action

    def new_referral(self) -> None:
        """Ctrl+N: start a referral in the wizard."""
        self.open_record("referral", None)

    def find_child(self) -> None:
        """Ctrl+F: the Children tab with its search box focused."""
        tab = self.show_tab("children")
        tab.find()  # type: ignore[attr-defined]

    def refresh_all(self) -> None:
        """F5: every screen reloads what it shows."""
        self.ctx.notify([ALL])
        self.statusBar().showMessage("Refreshed.", 3000)

    def show_shortcuts(self) -> None:
        from placedesk.ui.shortcuts_dialog import ShortcutsDialog

        dialogs.run_modal(ShortcutsDialog(SHORTCUTS, self))

    def new_database(self) -> None:
        path = dialogs.choose_save_file(self, "New PlaceDesk database", "placedesk.sqlite",
                                        "PlaceDesk database (*.sqlite)")
        if path is None:
            return
        if path.exists():
            dialogs.warn(self, "New database", f"{path} already exists. PlaceDesk never replaces a file: "
                                               "choose a new name, or use File › Open database.")
            return
        key = None
        if dialogs.choose(self, "New database", "Encrypt the new database? Recommended for real records: the "
                          "file cannot then be read without its key, which PlaceDesk keeps in this computer's "
                          "keystore (or you choose a passphrase).",
                          [(True, "Encrypt it"), (False, "Keep it unencrypted")], default=True, cancel=None):
            from placedesk.ui.settings_dialog import choose_key

            key = choose_key(self)
            if key is None:
                return
        self._switch_to(path, key=key)

    def open_database_file(self) -> None:
        path = dialogs.choose_open_file(self, "Open PlaceDesk database", "PlaceDesk database (*.sqlite);;All files (*)")
        if path is not None:
            self._switch_to(path)

    def _switch_to(self, path: Path, *, key: str | None = None) -> bool:
        from placedesk.db import DatabaseLocked, remember_passphrase
        from placedesk.ui.db_lock import open_locked

        if path.expanduser().resolve() == self.ctx.db.path:
            dialogs.inform(self, "Open database", f"{path.name} is the database already open in this window.")
            return False
        try:
            try:
                db, lock = open_locked(path, key=key)
            except DatabaseLocked as exc:
                passphrase = dialogs.ask_passphrase(self, "Encrypted database", f"{exc}\n\nPassphrase:")
                if not passphrase:
                    return False
                remember_passphrase(passphrase)
                db, lock = open_locked(path)
        except PlaceDeskError as exc:
            dialogs.warn(self, "Open database", str(exc))
            return False
        self.ctx.replace_database(db, lock)
        self.ctx.db.changed_elsewhere()
        self.ctx.settings.last_database = str(db.path)
        self.ctx.settings.team_server.use = False
        self._save_settings()
        self._database_switched()
        return True

    def _database_switched(self) -> None:
        self._update_title()
        self._apply_database_kind()
        if self.is_ready:
            self.refresh_counts()

    def connect_team_server(self) -> None:
        """Log in to the team server set in the settings (asking for the password if needed) and switch to it."""
        from placedesk.services.common.team_server import open_team_database
        from placedesk.ui.team_server import ServerLogin

        if not self.ctx.settings.team_server.host:
            dialogs.inform(self, "Connect to team server",
                           "Set the team server's address first, under Team server in the settings that open now. "
                           "IT gives you the host, the database name and your own login.")
            self.edit_settings()
            if not self.ctx.settings.team_server.host:
                return
        ServerLogin(self, self.ctx.settings.team_server, open_team_database, self._connected).start()

    def _connected(self, opened: object) -> None:
        from placedesk.ui.tasks import wait_for_tasks

        db, found = opened  # type: ignore[misc]
        # Work still running against the file finishes before it is closed.
        wait_for_tasks()
        self.ctx.replace_database(db)
        # The lock keeps a second window off a file; the server needs none, so the file is free now.
        self.ctx.release_lock()
        self.ctx.db.changed_elsewhere()
        self.ctx.settings.team_server.use = True
        self._save_settings()
        self._database_switched()
        self.statusBar().showMessage(found.text(), 10000)

    def back_to_laptop(self) -> None:
        """Leave the team server for this laptop's own database file (the one last used)."""
        from placedesk.config import default_db_path

        last = self.ctx.settings.last_database
        path = Path(last) if last and Path(last).exists() else default_db_path()
        if self._switch_to(path):
            self.statusBar().showMessage(f"Working on the laptop database {path}", 10000)

    def _apply_database_kind(self) -> None:
        """Enable what fits the open database; on the team server, file-only actions say why they are off."""
        on_server = self.ctx.db.is_server
        file_only = [
            (self.backup_action, "The team server is backed up by the council (pg_dump), not from this window."),
            (self.new_database_action, "This window is on the team server: choose File › Back to the laptop "
                                       "database first to work on a file."),
            (self.open_database_action, "This window is on the team server: choose File › Back to the laptop "
                                        "database first to work on a file."),
        ]
        if self.sync is not None:
            file_only.append((self.sync.actions["restore"],
                              "The team server is restored by the council from its pg_dump backups, not from "
                              "this window."))
        for action, why in file_only:
            action.setEnabled(not on_server)
            action.setToolTip(why if on_server else action.text().replace("&", "").rstrip("…"))
        self.connect_action.setEnabled(not on_server)
        self.connect_action.setToolTip("This window is on the team server already" if on_server else
                                       "Work on the placement team's shared database (set it in the settings)")
        self.laptop_action.setEnabled(on_server)
        self.laptop_action.setToolTip("Work on this laptop's own database file" if on_server else
                                      "This window is on the laptop database already")

    def load_demo(self) -> None:
        from placedesk.ui.actions import load_demo

        load_demo(self, self.ctx)

    def import_903(self) -> None:
        from placedesk.ui.care.import_903_dialog import import_903_files

        import_903_files(self, self.ctx)

    def import_postcodes(self) -> None:
        from placedesk.ui.referrals.postcode_import import import_postcode_table

        import_postcode_table(self, self.ctx)

    def backup(self) -> None:
        from placedesk.ui.actions import backup

        backup(self, self.ctx)

    def edit_settings(self) -> None:
        from placedesk.ui.settings_dialog import edit_settings

        if edit_settings(self, self.ctx):
            self._save_settings()
            self._update_settings_label()
            self.ctx.notify(["settings"])
            self.statusBar().showMessage("Settings saved.", 5000)

    def audit_log(self) -> None:
        from placedesk.ui.audit_log import show_audit_log

        show_audit_log(self, self.ctx)

    def _profile_needed(self, missing: object) -> None:
        # After the refusing slot has shown its message: never a dialog inside another slot's work.
        if not self._profile_pending:
            self._profile_pending = True
            QTimer.singleShot(0, self, self._open_profile)

    def _open_profile(self) -> None:
        self._profile_pending = False
        self.edit_settings()

    def about(self) -> None:
        dialogs.inform(
            self,
            "About PlaceDesk",
            f"PlaceDesk {__version__}\n\nReferral to contract, monitoring and leaving care for "
            f"placement officers. {self._where_data_is()}\n\nWEMWBS and SWEMWBS © University of Warwick and NHS Health Scotland; "
            "free for this use, and their owners ask users to register.",
        )

    # --- changes made outside this window ---------------------------------------------------

    def check_outside_changes(self) -> bool:
        """Reload every screen if another process (a command, a restore) changed the database.

        Called on a timer and whenever the window becomes active; returns whether it reloaded.
        """
        if not self.is_ready:
            return False
        try:
            changed = self.ctx.db.changed_elsewhere()
        except Exception:  # noqa: BLE001 - the file is being replaced or is gone: say so, keep running
            self.statusBar().showMessage("The database could not be read just now; PlaceDesk will try again.", 5000)
            return False
        if changed:
            self.ctx.notify([ALL])
            self.statusBar().showMessage("Updated with changes made outside this window.", 5000)
        return changed

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.check_outside_changes()
        super().changeEvent(event)

    # --- status -----------------------------------------------------------------------

    def _on_changed(self, changed: frozenset[str]) -> None:
        if self.is_ready and touches(changed, "provider", "child", "referral", "placement"):
            self.refresh_counts()
        if touches(changed):
            self._update_title()

    def refresh_counts(self) -> None:
        from placedesk.services.common.summary import record_counts

        with self.ctx.read() as session:
            counts = record_counts(session)
        self.counts_label.setText(
            f"{counts.providers:,} providers · {counts.children:,} children · "
            f"{counts.open_referrals:,} open referrals · {counts.active_placements:,} active placements"
        )

    def _update_settings_label(self) -> None:
        officer = self.ctx.settings.officer.name or "No officer name set (File › Officer profile and settings)"
        self.settings_label.setText(officer)

    def _where_data_is(self) -> str:
        if self.ctx.db.is_server:
            return f"This window is on the placement team's server: {self._server_name()}."
        return f"Works offline; your data stays in one file on this laptop:\n\n{self.ctx.db.path}"

    def _server_name(self) -> str:
        from placedesk.services.common.team_server import describe_url

        return describe_url(self.ctx.db.url)

    def _update_title(self) -> None:
        if self.ctx.db.is_server:
            where = f"Team server: {self._server_name()}"
            self.setWindowTitle(f"PlaceDesk — {where}")
            self.db_label.setText(where)
            self.db_label.setToolTip(where)
            return
        self.setWindowTitle(f"PlaceDesk — {self.ctx.db.path.name}")
        self.db_label.setText(f"Database: {self.ctx.db.path}")
        self.db_label.setToolTip(str(self.ctx.db.path))

    # --- geometry and closing ------------------------------------------------------------

    def _restore_geometry(self) -> None:
        # Where it was left on this screen; the first time, as large as the screen allows up to 1440x900.
        restore_geometry(self, "MainWindow", QSize(1440, 900))

    def _save_settings(self) -> None:
        if self.ctx.settings_problem:
            # The file on disk could not be read: never overwrite what the officer may fix.
            return
        try:
            save_settings(self.ctx.settings)
        except OSError as exc:
            self.statusBar().showMessage(f"Settings could not be saved: {exc}", 10000)

    def closeEvent(self, event: QCloseEvent) -> None:
        from placedesk.ui.tasks import wait_for_tasks

        wait_for_tasks()
        self._outside_timer.stop()
        if self.sync is not None:
            self.sync.on_close()
        save_geometry(self, "MainWindow")
        self.ctx.release_lock()
        event.accept()


__all__ = ["MainWindow"]
