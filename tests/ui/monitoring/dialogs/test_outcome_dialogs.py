"""Outcome readings: every item scored, missing ones named beside the item; star scales defined by the officer."""

from __future__ import annotations

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import OutcomeAssessment
from placedesk.models.enums import OutcomeTool
from placedesk.ui.monitoring.dialogs.outcome_dialogs import OutcomeDialog, StarScaleDialog
from tests.services.monitoring.helpers import make_child
from tests.ui.monitoring.ui_helpers import TODAY, make_ctx


def test_swemwbs_entry_refuses_a_missing_item_then_saves(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as session:
        child = make_child(session, "C1")
    dialog = OutcomeDialog(make_ctx(db), child.id, "Sam Carter", None, TODAY)
    qtbot.addWidget(dialog)
    dialog.tool.setCurrentIndex(1)
    assert len(dialog.items) == 7
    assert dialog.items[0].text() == "–"  # blank until scored
    for spin in dialog.items[:6]:
        spin.setValue(3)
    dialog.accept()
    assert not dialog.result()
    assert "Item 7" in dialog.error_text("item_7") and "no score" in dialog.error_text("item_7")
    dialog.items[6].setValue(4)
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        reading = session.scalar(select(OutcomeAssessment))
    assert reading.tool is OutcomeTool.SWEMWBS and reading.total == 22 and reading.metric_score == 19.98


def test_star_scale_made_here_is_offered_for_readings(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as session:
        child = make_child(session, "C1")
    ctx = make_ctx(db)
    scale = StarScaleDialog(ctx)
    qtbot.addWidget(scale)
    scale.name.setText("Journey Star")
    scale.areas.setPlainText("Health\nEducation\nFriends")
    scale.max_score.setValue(5)
    scale.accept()
    assert scale.result()
    dialog = OutcomeDialog(ctx, child.id, "Sam Carter", None, TODAY)
    qtbot.addWidget(dialog)
    dialog.tool.setCurrentIndex(dialog.tool.count() - 1)
    assert [dialog.items_form.fields[f"item_{i}"][0].maximum() for i in (1, 2, 3)] == [5, 5, 5]
    for spin, value in zip(dialog.items, (2, 3, 4), strict=True):
        spin.setValue(value)
    dialog.accept()
    assert dialog.result() and dialog.result_value.total == 9


def test_star_scale_with_too_many_areas_is_refused_beside_the_field(qtbot: QtBot, db: Database) -> None:
    dialog = StarScaleDialog(make_ctx(db))
    qtbot.addWidget(dialog)
    dialog.name.setText("Big")
    dialog.areas.setPlainText("\n".join(f"Area {i}" for i in range(11)))
    dialog.accept()
    assert not dialog.result() and "at most 10" in dialog.error_text("areas")
