"""File-menu actions for sharing and safety: export, import, send and receive, spreadsheets,
restore from a backup, sync conflicts; the status-bar sync indicator; and what happens at close.

The main window calls :func:`install_sync_menu` once. Each action collects
the officer's choices through :mod:`placedesk.ui.dialogs`, runs one service
call off the GUI thread with a progress indicator (``run_task``), and then
announces what changed so screens refresh.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from placedesk.config import ensure_laptop_id
from placedesk.db import open_database
from placedesk.errors import PlaceDeskError
from placedesk.models.base import utcnow
from placedesk.ui import dialogs
from placedesk.ui.context import ALL, AppContext, touches
from placedesk.ui.sync.colleagues_dialog import look_at_bundle, session_signer
from placedesk.ui.tasks import run_in_background, run_task, wait_for_tasks

SYNC_ENTITIES = ("sync_record", "sync_conflict")
# How often colleagues' new bundles are looked for while the app is open.
PICK_UP_INTERVAL_MS = 10 * 60 * 1000
# Bad bundles on the share already shown to the officer this session (not repeated every pick-up).
_reported_rejections: set[str] = set()


def _laptop_id(ctx: AppContext) -> str:
    return ensure_laptop_id(ctx.settings)


# --- actions -------------------------------------------------------------------------------

def export_to_folder(parent: QWidget, ctx: AppContext) -> None:
    """Write a bundle of this laptop's changes into a folder the officer picks."""
    folder = dialogs.choose_directory(parent, "Export bundle to folder")
    if folder is None:
        return
    shape = dialogs.choose(parent, "Export bundle", "Write the bundle as a single .zip file, or as a plain folder?",
                           [("zip", "Write a .zip file"), ("folder", "Write a folder")], default="zip")
    if shape is None:
        return
    as_zip = shape == "zip"
    signer = session_signer(parent, ctx, ask=True)
    if signer is None:
        return
    db, laptop = ctx.db, _laptop_id(ctx)

    def work(report: object) -> object:
        from placedesk.services.sync.export_bundle import export_bundle

        from placedesk.services.common.audit_log import record_export
        from placedesk.services.sync.sync_id import sync_id

        with db.session_scope() as session:
            own = sync_id(session, laptop, shared_database=db.is_server)
            result = export_bundle(session, folder, laptop_id=own, signer=signer, now=utcnow(), as_zip=as_zip,
                                   progress=report, shared_database=db.is_server)  # type: ignore[arg-type]
            record_export(session, what="Export bundle for the shared folder", target=result.path,
                          records=result.record_count)
            return result

    def done(result: object) -> None:
        ctx.notify(SYNC_ENTITIES)
        dialogs.inform(parent, "Export bundle",
                       f"Exported {result.record_count} changed record(s) and {result.document_count} "  # type: ignore[attr-defined]
                       f"document(s) to\n{result.path}")  # type: ignore[attr-defined]

    run_task(parent, "Exporting…", work, done, with_progress=True)


def import_from_file(parent: QWidget, ctx: AppContext) -> None:
    """Check and import a colleague's bundle (a .zip, or a bundle folder's manifest.json)."""
    path = dialogs.choose_open_file(parent, "Import bundle",
                                    "PlaceDesk bundles (*.zip manifest.json);;All files (*)")
    if path is None:
        return
    if path.name == "manifest.json":
        path = path.parent
    db, laptop = ctx.db, _laptop_id(ctx)

    def work(report: object) -> object:
        from placedesk.services.sync.colleagues import load_trust, save_trust
        from placedesk.services.sync.import_bundle import import_bundle
        from placedesk.services.sync.sync_id import sync_id

        trust = load_trust()
        with db.session_scope() as session:
            own = sync_id(session, laptop, shared_database=db.is_server)
            result = import_bundle(session, path, own_laptop_id=own, trust=trust, now=utcnow(),
                                   progress=report)  # type: ignore[arg-type]
        if trust.changed:
            save_trust(trust)
        return result

    def done(result: object) -> None:
        ctx.notify([ALL])
        dialogs.inform(parent, "Import bundle", result.summary())  # type: ignore[attr-defined]
        if result.conflicts:  # type: ignore[attr-defined]
            show_conflicts(parent, ctx)

    def failed(exc: BaseException) -> None:
        from placedesk.services.sync.bundle_signing import SignerError
        from placedesk.ui.tasks import show_error

        if isinstance(exc, SignerError) and exc.reason == "untrusted":
            # Let the officer see who sent it, and trust them from there after comparing the fingerprint.
            if look_at_bundle(parent, path):
                run_task(parent, "Checking and importing…", work, done, with_progress=True)
            return
        show_error(parent, exc)

    run_task(parent, "Checking and importing…", work, done, failed, with_progress=True)


def send_and_receive(parent: QWidget, ctx: AppContext, *, quiet: bool = False) -> None:
    """Export changes to the outbox, deliver waiting bundles, and import colleagues' new ones."""
    if quiet and ctx.db.is_server:
        # On the team server every officer's window is open on the same records: if each picked
        # up laptops' bundles on its own timer they would import them over one another, so the
        # server exchanges bundles only when an officer asks (or through `placedesk import`).
        return
    shared = ctx.settings.shared_folder
    if not shared.strip():
        if not quiet:
            dialogs.warn(parent, "Send and receive",
                         "No shared folder is set. Choose one in File › Officer profile and settings.")
        return
    # The automatic pick-up never asks: it signs only with a key already opened this session
    # or a passphrase kept in the keystore, and otherwise just receives.
    signer = session_signer(parent, ctx, ask=not quiet)
    if signer is None and not quiet:
        return
    db, laptop = ctx.db, _laptop_id(ctx)

    def work(report: object) -> object:
        from placedesk.services.sync.outbox import sync_with_share

        return sync_with_share(db, shared, laptop_id=laptop, now=utcnow, signer=signer, export=not quiet,
                               progress=report)  # type: ignore[arg-type]

    def done(outcome: object) -> None:
        ctx.notify([ALL] if outcome.imported else SYNC_ENTITIES)  # type: ignore[attr-defined]
        new_rejections = [name for name, _ in outcome.rejected if name not in _reported_rejections]  # type: ignore[attr-defined]
        _reported_rejections.update(new_rejections)
        # Automatic runs speak only when something arrived or a bad bundle is seen for the first time.
        if not quiet or outcome.imported or new_rejections:  # type: ignore[attr-defined]
            dialogs.inform(parent, "Send and receive", outcome.summary())  # type: ignore[attr-defined]

    def failed(exc: BaseException) -> None:
        if quiet:
            window = parent.window()
            if isinstance(window, QMainWindow):
                window.statusBar().showMessage(f"Automatic sync did not finish: {exc}", 10000)
            return
        from placedesk.ui.tasks import show_error

        show_error(parent, exc)

    if quiet:
        run_in_background(lambda: work(None), done, failed)
    else:
        run_task(parent, "Sending and receiving…", work, done, failed, with_progress=True)


class SpreadsheetOptions(QDialog):
    """What kind of spreadsheets to write: pseudonymised or not, and CSV as well as XLSX."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Spreadsheets for commissioners")
        layout = QVBoxLayout(self)
        intro = QLabel("Placements and spend (by provider, type and funding partner), referrals and time to "
                       "placement, CAPs and overdue actions, and KPI reds, one sheet each.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.pseudonymise = QCheckBox("Pseudonymise: replace names and case references with pseudonyms and "
                                      "dates of birth with age bands (for sharing beyond the placement team)")
        self.pseudonymise.setChecked(True)
        self.csv = QCheckBox("Also write CSV files (one per sheet)")
        layout.addWidget(self.pseudonymise)
        layout.addWidget(self.csv)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 180)


def write_spreadsheets(parent: QWidget, ctx: AppContext, *, today: dt.date | None = None) -> None:
    """Write the commissioning spreadsheets into a folder the officer picks."""
    options = SpreadsheetOptions(parent)
    if not dialogs.run_modal(options):
        return
    folder = dialogs.choose_directory(parent, "Write spreadsheets to folder")
    if folder is None:
        return
    pseudonymise, csv = options.pseudonymise.isChecked(), options.csv.isChecked()
    db, on = ctx.db, today or dt.date.today()

    def work(report: object) -> object:
        from placedesk.services.sync.spreadsheets import write_spreadsheets as write

        with db.session_scope() as session:
            return write(session, folder, on=on, pseudonymise=pseudonymise, csv=csv, progress=report)  # type: ignore[arg-type]

    def done(result: object) -> None:
        files = "\n".join(str(p) for p in result.files[:3])  # type: ignore[attr-defined]
        more = len(result.files) - 3  # type: ignore[attr-defined]
        dialogs.inform(parent, "Spreadsheets", f"Wrote:\n{files}" + (f"\n…and {more} more" if more > 0 else ""))

    run_task(parent, "Writing spreadsheets…", work, done, with_progress=True)


class BackupChooser(QDialog):
    """The backups to restore from, newest first."""

    def __init__(self, parent: QWidget | None, backups: list[object]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from a backup")
        layout = QVBoxLayout(self)
        note = QLabel("Choose a backup to go back to. The database as it is now is backed up first, "
                      "so this can be undone by restoring that copy.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups, newest first")
        for backup in backups:
            item = QListWidgetItem(backup.label())  # type: ignore[attr-defined]
            item.setData(Qt.UserRole, backup)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Restore")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def chosen(self) -> object | None:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item else None


def restore_from_backup(parent: QWidget, ctx: AppContext) -> None:
    """Put a backup back in place of the open database (the current file is backed up first)."""
    from placedesk.services.sync.backups import list_backups, restore_backup

    if ctx.db.is_server:
        from placedesk.ui.team_server import SERVER_BACKUPS

        dialogs.inform(parent, "Restore from a backup", SERVER_BACKUPS)
        return
    backups = list_backups()
    if not backups:
        dialogs.inform(parent, "Restore from a backup",
                       "There are no backups yet. PlaceDesk takes one automatically each day you use it; "
                       "you can also take one now with File › Back up database.")
        return
    chooser = BackupChooser(parent, backups)
    if not dialogs.run_modal(chooser):
        return
    backup = chooser.chosen()
    if backup is None:
        return
    if not dialogs.confirm(parent, "Restore from a backup",
                              f"Replace the open database with the backup {backup.path.name}?\n\n"  # type: ignore[attr-defined]
                              "Changes made since that backup will be set aside in a safety copy.",
                           "Restore the backup"):
        return
    target = ctx.db.path
    # Short and must not overlap any other use of the file, so it runs here with a busy cursor,
    # after any background work on the file has finished.
    wait_for_tasks()
    QApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        ctx.db.close()
        try:
            safety = restore_backup(backup.path, target)  # type: ignore[attr-defined]
        finally:
            ctx.replace_database(open_database(target))
    except PlaceDeskError as exc:
        QApplication.restoreOverrideCursor()
        dialogs.warn(parent, "Restore from a backup", str(exc))
        return
    QApplication.restoreOverrideCursor()
    saved = f"\n\nThe database as it was is saved as {safety}" if safety else ""
    dialogs.inform(parent, "Restore from a backup", f"Restored {backup.path.name}.{saved}")  # type: ignore[attr-defined]


def show_colleagues(parent: QWidget, ctx: AppContext) -> None:
    from placedesk.ui.sync.colleagues_dialog import ColleaguesDialog

    dialogs.run_modal(ColleaguesDialog(ctx, parent))


def show_conflicts(parent: QWidget, ctx: AppContext) -> None:
    from placedesk.ui.sync.conflicts_dialog import ConflictsDialog

    dialogs.run_modal(ConflictsDialog(ctx, parent))


def take_daily_backup(parent: QWidget, ctx: AppContext, today: dt.date | None = None) -> None:
    """Today's automatic backup, in the background (nothing is shown unless it fails)."""
    from placedesk.services.sync.backups import daily_backup

    if ctx.db.is_server:
        # The council backs the team server up (pg_dump); a laptop copies only its own file.
        return
    path, keep, on = ctx.db.path, ctx.settings.backup_keep, today or dt.date.today()

    def failed(exc: BaseException) -> None:
        window = parent.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(f"Today's automatic backup failed: {exc}", 15000)

    run_in_background(lambda: daily_backup(path, today=on, keep=keep), lambda _: None, failed)


def deliver_on_close(ctx: AppContext) -> str | None:
    """Export changes and deliver waiting bundles before the app closes; a message if some must wait.

    Runs on the GUI thread on purpose: the window is closing and this must
    finish before the database is closed.
    """
    shared = ctx.settings.shared_folder
    if not shared.strip() or ctx.db.is_server:
        # A window on the team server sends nothing on closing: its records are already shared,
        # and one bundle per closing window would hand laptops the same changes many times over.
        return None
    from placedesk.services.sync.outbox import sync_with_share

    # Closing never asks for the passphrase: without a key opened this session (or kept in the
    # keystore) the changes are sent next time instead.
    signer = session_signer(None, ctx, ask=False)
    try:
        outcome = sync_with_share(ctx.db, shared, laptop_id=_laptop_id(ctx), now=utcnow, signer=signer,
                                  pick_up=False)
    except PlaceDeskError as exc:
        return str(exc)
    if signer is None:
        from placedesk.services.sync.export_bundle import changes_since_last_export

        with ctx.read() as session:
            if changes_since_last_export(session):
                return ("Your changes were not sent: bundles are signed with your passphrase. "
                        "Use File › Send and receive now next time.")
    if outcome.delivery.waiting:
        return (f"{outcome.delivery.waiting} bundle(s) will wait on this laptop and be sent next time: "
                f"{outcome.delivery.problem}")
    return None


# --- status bar ------------------------------------------------------------------------------

class SyncStatusLabel(QLabel):
    """Status-bar text: bundles waiting, last successful sync, conflicts to resolve."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setToolTip("Sharing with colleagues through the shared folder (File › Send and receive now)")
        ctx.changed.connect(self._on_changed)
        self.refresh()

    def _on_changed(self, changed: frozenset[str]) -> None:
        # "settings": a shared folder just chosen shows at once, not at the next sync.
        if touches(changed, "settings", *SYNC_ENTITIES):
            self.refresh()

    def refresh(self) -> None:
        from placedesk.services.sync.outbox import sync_status

        with self.ctx.read() as session:
            self.status = sync_status(session, self.ctx.settings.shared_folder)
        self.setText(f"Sync: {self.status.text()}")


# --- installing ------------------------------------------------------------------------------

class SyncActions(QObject):
    """The sync actions installed in a window: menu entries, status label, timers."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.status_label = SyncStatusLabel(ctx)
        self.actions: dict[str, QAction] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(PICK_UP_INTERVAL_MS)
        self.timer.timeout.connect(lambda: send_and_receive(self.window, self.ctx, quiet=True))

    def on_close(self) -> None:
        """Call from the window's ``closeEvent`` (after background tasks finish)."""
        self.timer.stop()
        problem = deliver_on_close(self.ctx)
        if problem:
            self.window.statusBar().showMessage(problem, 5000)


def install_sync_menu(window: QMainWindow, ctx: AppContext, menu: QMenu, before: QAction | None = None,
                      *, automatic: bool = True) -> SyncActions:
    """Add the sync, export, spreadsheet and restore actions to ``menu`` (ahead of ``before``),
    the sync status to the window's status bar and, with ``automatic``, today's backup and periodic pick-up of colleagues' bundles.
    """
    sync = SyncActions(window, ctx)
    entries = [
        ("send", "&Send and receive now", lambda: send_and_receive(window, ctx)),
        ("export", "&Export bundle to folder…", lambda: export_to_folder(window, ctx)),
        ("import", "&Import bundle…", lambda: import_from_file(window, ctx)),
        ("conflicts", "Sync &conflicts…", lambda: show_conflicts(window, ctx)),
        ("colleagues", "Co&lleagues…", lambda: show_colleagues(window, ctx)),
        ("spreadsheets", "Spreadsheets for &commissioners…", lambda: write_spreadsheets(window, ctx)),
        ("restore", "&Restore from a backup…", lambda: restore_from_backup(window, ctx)),
    ]
    shortcuts = {"send": "Ctrl+Shift+S", "export": "Ctrl+E"}
    for key, text, slot in entries:
        action = QAction(text, window)
        if key in shortcuts:
            action.setShortcut(QKeySequence(shortcuts[key]))
        action.triggered.connect(lambda checked=False, s=slot: s())
        if before is not None:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
        sync.actions[key] = action
    window.statusBar().addPermanentWidget(sync.status_label)
    if automatic:
        QTimer.singleShot(1500, lambda: take_daily_backup(window, ctx))
        # Runs whether or not a shared folder is set yet: it may be set in the settings later.
        QTimer.singleShot(3000, lambda: send_and_receive(window, ctx, quiet=True))
        sync.timer.start()
    return sync


__all__ = ["SyncActions", "install_sync_menu"]
