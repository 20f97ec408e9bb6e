"""The conflicts dialog: both versions side by side, and the officer's choice applied."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from PySide6.QtCore import Qt

from placedesk.config import Settings
from placedesk.db import open_database
from placedesk.models import Provider, SyncConflict
from placedesk.models.base import utcnow
from placedesk.services.sync.export_bundle import export_bundle
from placedesk.services.sync.import_bundle import import_bundle
from placedesk.ui.sync.conflicts_dialog import ConflictsDialog, field_label, shown_value
from placedesk.ui.context import AppContext
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS
from tests.conftest import DialogRecorder
from tests.services.sync.helpers import fill, new_db, signer_for, team_trust


@pytest.fixture
def ctx(tmp_path: Path):
    """Laptop A's context with one conflict on a provider's notes (B changed them too)."""
    a, b = new_db(tmp_path / "a.sqlite", "Officer A"), new_db(tmp_path / "b.sqlite", "Officer B")
    with a.session_scope() as s:
        provider_id = fill(s).provider.id
        path = export_bundle(s, tmp_path / "x", laptop_id="AAAA", signer=signer_for("Officer A"), now=utcnow()).path
    with b.session_scope() as s:
        import_bundle(s, path, own_laptop_id="BBBB", trust=team_trust(), now=utcnow())
    with a.session_scope() as s:
        s.get(Provider, provider_id).notes = "A: phoned the manager"
    with b.session_scope() as s:
        s.get(Provider, provider_id).notes = "B: visit booked"
        path = export_bundle(s, tmp_path / "y", laptop_id="BBBB", signer=signer_for("Officer B"), now=utcnow()).path
    with a.session_scope() as s:
        import_bundle(s, path, own_laptop_id="AAAA", trust=team_trust(), now=utcnow())
    b.close()
    settings = Settings()
    settings.officer.name = "Officer A"
    context = AppContext(a, settings)
    context.provider_id = provider_id  # type: ignore[attr-defined]
    yield context
    a.close()


def test_both_versions_are_shown_side_by_side_with_the_difference_highlighted(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1 and "Provider PRV-" in dialog.list.item(0).text()
    assert "Notes" in dialog.list.item(0).text()
    first = [dialog.table.item(0, c).text() for c in range(3)]
    assert first == ["Notes", "A: phoned the manager", "B: visit booked"]
    assert dialog.table.item(0, 1).font().bold() and not dialog.table.item(1, 1).font().bold()
    assert dialog.table.rowCount() > 10  # every field, not just the differing one
    assert "version 2" in dialog.heading.text()


def test_taking_the_other_version_applies_it_and_records_the_choice(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    notices: list[frozenset[str]] = []
    ctx.changed.connect(notices.append)
    qtbot.keyClicks(dialog.note, "B visited more recently")
    qtbot.mouseClick(dialog.take_remote, Qt.LeftButton)
    assert dialog.stack.currentWidget() is dialog.empty
    assert "No conflicts to resolve" in dialog.empty.heading.text()
    assert notices == [frozenset({"provider", "sync_conflict"})]
    with ctx.read() as s:
        assert s.get(Provider, ctx.provider_id).notes == "B: visit booked"  # type: ignore[attr-defined]
        conflict = s.query(SyncConflict).one()
        assert conflict.resolved_by == "Officer A" and conflict.note == "B visited more recently"


def test_keeping_this_laptops_version_leaves_the_record_as_it_was(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.keep_local, Qt.LeftButton)
    with ctx.read() as s:
        assert s.get(Provider, ctx.provider_id).notes == "A: phoned the manager"  # type: ignore[attr-defined]
        assert s.query(SyncConflict).one().resolution.value == "keep_local"


def test_values_and_field_names_read_like_words() -> None:
    assert field_label("weekly_rate_from_pence") == "Weekly rate from"
    assert shown_value(None) == "—" and shown_value(True) == "Yes" and shown_value(["a", "b"]) == "a, b"


def test_a_colleagues_change_since_the_list_was_shown_is_put_beside_the_other_laptops(
        qtbot: QtBot, ctx: AppContext, dialogs: DialogRecorder) -> None:
    dialog = ConflictsDialog(ctx)
    qtbot.addWidget(dialog)
    colleague = open_database(ctx.db.path, create=False)
    colleague.officer = "A. Khan"
    try:
        with colleague.session_scope() as s:
            s.get(Provider, ctx.provider_id).notes = "A: phoned the manager; placement confirmed"  # type: ignore[attr-defined]
    finally:
        colleague.close()
    dialogs.answer("resolve_edit_conflict", KEEP_THEIRS)
    qtbot.mouseClick(dialog.take_remote, Qt.LeftButton)
    ((conflict,),) = [args for name, args in dialogs.calls if name == "resolve_edit_conflict"]
    assert conflict.changed_by == "A. Khan"
    assert [(c.label, c.yours, c.theirs) for c in conflict.clashes] == [
        ("Notes", "B: visit booked", "A: phoned the manager; placement confirmed")]
    # Kept theirs: nothing was overwritten and the conflict still waits.
    assert dialog.list.count() == 1
    with ctx.read() as s:
        assert s.get(Provider, ctx.provider_id).notes == "A: phoned the manager; placement confirmed"  # type: ignore[attr-defined]
    dialogs.answer("resolve_edit_conflict", APPLY_MINE)
    qtbot.mouseClick(dialog.take_remote, Qt.LeftButton)
    assert dialog.stack.currentWidget() is dialog.empty
    with ctx.read() as s:
        assert s.get(Provider, ctx.provider_id).notes == "B: visit booked"  # type: ignore[attr-defined]
