"""The officer's KPI set: adding the defaults, defining a KPI, and changing a target (RAG follows)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models.enums import KpiDirection, KpiKind
from placedesk.services.monitoring.kpis import definition_by_code
from placedesk.ui.monitoring.dialogs.kpi_definitions import KpiDefinitionDialog, KpiListDialog
from tests.conftest import DialogRecorder
from tests.ui.monitoring.ui_helpers import filling, make_ctx, pick


def test_defaults_then_a_new_kpi_then_an_edit(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    ctx = make_ctx(db)
    listing = KpiListDialog(ctx)
    qtbot.addWidget(listing)
    assert listing.table.currentWidget() is listing.table.empty
    listing.defaults_button.click()
    assert listing.table.model.rowCount() == 10

    def new_kpi(d: KpiDefinitionDialog) -> None:
        d.code.setText("REVIEWS_ON_TIME")
        d.name.setText("Looked-after reviews on time")
        pick(d.kind, KpiKind.PROCESS)
        pick(d.direction, KpiDirection.HIGHER_IS_BETTER)
        d.target.setValue(95)
        d.amber.setValue(98)

    seen: list[KpiDefinitionDialog] = []
    dialogs.answer("run_modal", filling(new_kpi, seen))
    listing.new_button.click()
    assert "amber threshold" in seen[0].error_text("amber_threshold")
    seen[0].amber.setValue(85)
    seen[0].accept()
    assert seen[0].result()
    listing.reload()
    assert listing.table.model.rowCount() == 11

    with db.session() as session:
        complaints = definition_by_code(session, "COMPLAINTS")
    editor = KpiDefinitionDialog(ctx, complaints)
    qtbot.addWidget(editor)
    assert not editor.code.isEnabled()
    editor.target.setValue(1)
    editor.amber.setValue(3)
    editor.accept()
    assert editor.result()
    with db.session() as session:
        changed = definition_by_code(session, "COMPLAINTS")
        assert (changed.target, changed.amber_threshold) == (1, 3)
