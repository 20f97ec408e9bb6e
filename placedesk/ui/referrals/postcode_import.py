"""File › Import postcode locations…: the table matching measures distance with, imported with progress.

The officer picks the ONS Postcode Directory (or NSPL), OS Code-Point Open,
or any CSV of postcodes with coordinates, as a CSV or the zip it came in.
The import runs off the GUI thread with a progress bar; Cancel rolls it
back. The report says what was read, imported and skipped, and why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from placedesk.services.referrals.postcodes import (
    ImportReport,
    import_locations,
    report_lines,
)
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.referrals.import_progress import (
    CancellableImport,
    ImportCancelled,
    run_cancellable,
)
from placedesk.ui.tasks import show_error

FILTERS = ("Postcode tables (*.csv *.zip);;ONS Postcode Directory or NSPL (*.csv *.zip);;"
           "OS Code-Point Open (*.zip *.csv);;All files (*)")
# Bad lines shown in the message box; the command line lists them all.
SHOWN_LINES = 25


def report_text(report: ImportReport) -> str:
    """The report as the officer reads it, listing the first bad lines only."""
    lines = report_lines(report)
    if len(report.problems) > SHOWN_LINES:
        start = lines.index("Rows not read:") + 1
        # The service's own "... and N more" line, if any, is replaced too.
        end = start + len(report.problems) + (1 if report.bad_rows > len(report.problems) else 0)
        lines[start + SHOWN_LINES:end] = [
            f"  … and {report.bad_rows - SHOWN_LINES:,} more (run 'placedesk postcodes import' to list them)."]
    return "\n".join(lines)


def import_postcode_table(parent: QWidget, ctx: AppContext,
                          on_finished: Callable[[str], None] | None = None) -> CancellableImport | None:
    """Ask for the postcode table, import it in the background, and report what happened."""
    path = dialogs.choose_open_file(parent, "Import postcode locations", FILTERS)
    if path is None:
        return None
    db = ctx.db

    def work(progress: Callable[[int, int], None]) -> ImportReport:
        with db.session_scope() as session:
            return import_locations(session, path, progress=progress)

    def done(report: ImportReport) -> None:
        ctx.notify(["postcode_location"])
        text = report_text(report)
        (dialogs.warn if report.bad_rows else dialogs.inform)(parent, "Postcode locations", text)
        if on_finished is not None:
            on_finished(text)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, ImportCancelled):
            dialogs.inform(parent, "Postcode locations", f"{path.name}: {exc}")
        else:
            show_error(parent, exc)
        if on_finished is not None:
            on_finished(str(exc))

    return run_cancellable(parent, f"Importing {path.name}…", work, done, failed)


__all__ = ["import_postcode_table", "report_text"]
