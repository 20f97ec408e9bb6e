"""File › Audit log: events listed with filters, a record's changes before and after, saved as CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.config import OfficerSettings, Settings
from placedesk.db import Database
from placedesk.models import AuditEvent
from placedesk.models.enums import AuditAction
from placedesk.ui.audit_log import AuditLogWindow
from placedesk.ui.context import AppContext
from tests.conftest import DialogRecorder
from tests.services.referrals.helpers import make_provider


def _ctx(db: Database, name: str) -> AppContext:
    return AppContext(db, Settings(officer=OfficerSettings(name=name)))


def test_the_log_filters_by_record_officer_dates_and_kind_and_shows_before_and_after(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, tmp_path: Path) -> None:
    ctx = _ctx(db, "Ama Mensah")
    with ctx.action() as s:
        oak = make_provider(s, "Oak House")
        make_provider(s, "Elm House")
        oak_ref = oak.ref
    with ctx.action() as s:
        s.get(type(oak), oak.id).name = "Oak House Farm"
    window = AuditLogWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    window.refresh()
    assert window.model.rowCount() == 3
    qtbot.keyClicks(window.record, oak_ref)
    qtbot.mouseClick(window.show_button, Qt.LeftButton)
    assert [r.values[2] for r in window.model.rows()] == ["Update", "Insert"]
    assert "name: 'Oak House' → 'Oak House Farm'" in window.detail.toPlainText()
    assert all(r.values[1] == "Ama Mensah" for r in window.model.rows())
    window.officer.setText("nobody")
    window.refresh()
    assert window.model.rowCount() == 0
    window.officer.setText("")
    window.start.setText("31/02/2026")
    window.refresh()
    assert "31/02/2026" in window.status.text() or "date" in window.status.text().lower()
    # The events' own (local) day, not the clock's: the filter is by the day they happened.
    day = window.rows[0].occurred_at.astimezone().date() if window.rows else _first_day(db)
    window.start.setText(f"{day:%d/%m/%Y}")
    window.end.setText(f"{day:%d/%m/%Y}")
    window.refresh()
    assert window.model.rowCount() == 2
    dialogs.answer("choose_save_file", tmp_path / "audit.csv")
    qtbot.mouseClick(window.csv_button, Qt.LeftButton)
    assert "Wrote 2 event(s)" in window.status.text()
    assert "Oak House Farm" in (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
    window.record.setText("")
    window.start.setText("")
    window.end.setText("")
    window.kind.setCurrentIndex(window.kind.findData(AuditAction.EXPORT))
    window.refresh()
    assert [r.values[4][:15] for r in window.model.rows()] == ["Audit log (CSV)"]
    with db.session() as s:
        assert s.query(AuditEvent).filter(AuditEvent.action == AuditAction.EXPORT).one().officer == "Ama Mensah"


def _first_day(db: Database) -> dt.date:
    with db.session() as s:
        return s.query(AuditEvent).first().occurred_at.astimezone().date()


def test_changes_are_refused_while_the_officer_is_not_named(qtbot: QtBot, db: Database) -> None:
    import pytest

    from placedesk.errors import ProfileIncomplete

    ctx = _ctx(db, "")
    asked: list[object] = []
    ctx.profile_needed.connect(asked.append)
    with pytest.raises(ProfileIncomplete, match="Officer profile"):
        with ctx.action() as s:
            make_provider(s, "Oak House")
    assert asked == [("officer name",)]
    with db.session() as s:
        assert s.query(AuditEvent).count() == 0
