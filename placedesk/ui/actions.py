"""File-menu actions that are more than a line: load demo data, back up the database."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from placedesk.ui import dialogs
from placedesk.ui.context import ALL, AppContext
from placedesk.ui.tasks import run_task


def load_demo(parent: QWidget, ctx: AppContext) -> None:
    """Fill an empty database with the small synthetic demo (refused on real data)."""
    from placedesk.services.common.summary import record_counts

    with ctx.read() as session:
        if not record_counts(session).empty:
            dialogs.warn(parent, "Load demo data",
                         "This database already holds records, so demo data will not be mixed in. "
                         "Use File › New database… first, then load the demo into the new file.")
            return
    if not dialogs.confirm(parent, "Load demo data",
                           "Fill this database with invented providers, children and referrals "
                           "so you can try PlaceDesk? No real person's data is used.", "Load demo data",
                           safe_default=False):
        return
    db = ctx.db

    def work() -> object:
        from placedesk.services.demo import generate_demo

        with db.session_scope() as session:
            return generate_demo(session, scale="small")

    run_task(parent, "Creating demo data…", work, lambda _: ctx.notify([ALL]))


def backup(parent: QWidget, ctx: AppContext) -> None:
    """Copy the open database to a file the officer chooses."""
    from placedesk.models.base import utcnow
    from placedesk.ui.team_server import SERVER_BACKUPS

    if ctx.db.is_server:
        dialogs.inform(parent, "Back up database", SERVER_BACKUPS)
        return
    suggested = f"placedesk-backup-{utcnow().strftime('%Y-%m-%d')}.sqlite"
    target = dialogs.choose_save_file(parent, "Back up database", suggested, "PlaceDesk database (*.sqlite)")
    if target is None:
        return
    source = ctx.db.path

    def work() -> object:
        from placedesk.db import backup_database

        return backup_database(source, target)

    run_task(parent, "Backing up…", work,
             lambda path: dialogs.inform(parent, "Back up database", f"Backed up to {path}."))
