"""Importing SSDA903 care history from the window: choose the files, import off the GUI thread, show the report.

The main window calls :func:`import_903_files` from a menu action
(File › Import SSDA903 care history…). The same import runs from the command
line as ``placedesk import-903``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from placedesk.services.care.ssda903 import ImportReport
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.tasks import run_task

# Problems listed in the message box; the rest are counted, the CLI lists them all.
SHOWN_PROBLEMS = 15
CSV_FILTER = "CSV files (*.csv);;All files (*)"


def report_text(report: ImportReport) -> str:
    """The import report as the officer reads it."""
    lines = [report.summary()]
    if report.problems:
        lines.append("")
        lines.extend(str(p) for p in report.problems[:SHOWN_PROBLEMS])
        hidden = len(report.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            lines.append(f"…and {hidden} more (run 'placedesk import-903' to list them all).")
        lines.append("")
        lines.append("Fix these rows in the case system and import the file again: rows already imported are "
                     "not duplicated.")
    return "\n".join(lines)


def import_903_files(parent: QWidget, ctx: AppContext) -> None:
    """Ask for the episodes (and optional header) file, import them, and report what happened."""
    episodes = dialogs.choose_open_file(parent, "SSDA903 episodes file (CHILD, DECOM, LS, PLACE, DEC, ...)",
                                        CSV_FILTER)
    if episodes is None:
        return
    header: Path | None = None
    create_children = False
    with_header = dialogs.choose(parent, "SSDA903 header file",
                                 "Do you also have the header file (CHILD, SEX, DOB, ETHNIC)? With it PlaceDesk "
                                 "checks dates of birth and can add children it does not know yet.",
                                 [(True, "Choose the header file…"), (False, "Import episodes only")],
                                 default=False)
    if with_header is None:
        return
    if with_header:
        header = dialogs.choose_open_file(parent, "SSDA903 header file", CSV_FILTER)
        if header is not None:
            create_children = dialogs.choose(
                parent, "Add children",
                "Add the children in the header file who are not in PlaceDesk yet? SSDA903 has no names, "
                "so you add each name on the child's page afterwards.",
                [(True, "Add the new children"), (False, "Only children already here")], default=False,
                cancel=None) is True
    db = ctx.db

    def work(report: Callable[[int, int], None]) -> ImportReport:
        from placedesk.services.care.ssda903 import import_903

        # One transaction: Cancel (raised from report) rolls back every row.
        with db.session_scope() as session:
            return import_903(session, episodes, header, create_children=create_children, progress=report)

    def done(report: ImportReport) -> None:
        ctx.notify({"child", "care_period"})
        if report.problems:
            dialogs.warn(parent, "SSDA903 import", report_text(report))
        else:
            dialogs.inform(parent, "SSDA903 import", report_text(report))

    run_task(parent, "Importing SSDA903 care history…", work, done, cancellable=True)
