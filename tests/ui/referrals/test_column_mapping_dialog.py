"""The column-mapping dialog: each field beside the file's columns, a preview, and the mapping remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import Provider
from placedesk.models.enums import OfstedJudgement
from placedesk.services.referrals.ofsted_layout import ColumnsNotRecognised
from placedesk.ui.referrals.column_mapping_dialog import NOT_IN_FILE, ColumnMappingDialog
from placedesk.ui.referrals.providers_tab import ProvidersTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.ui.referrals.wizard.conftest import make_ctx, pick_text

COUNCIL_HEADER = "Ref,Kind of setting,Home,Judged on,Result,Town\n"


def problem() -> ColumnsNotRecognised:
    return ColumnsNotRecognised("no URN column", headers=["Ref", "Kind of setting", "Home", "Town"],
                                preview=[["SC070007", "Children's home", "Holly House", "Leeds"]],
                                guess={"town": "Town"}, sheet="Homes")


def test_each_field_sits_beside_the_files_columns_with_a_preview(qtbot: QtBot) -> None:
    dialog = ColumnMappingDialog("council.xlsx", problem())
    qtbot.addWidget(dialog)
    dialog.show()
    urn = dialog.combos["urn"]
    assert [urn.itemText(i) for i in range(urn.count())] == [NOT_IN_FILE, "Ref", "Kind of setting", "Home", "Town"]
    assert dialog.combos["town"].currentText() == "Town"  # what was recognised is filled in
    assert dialog.preview.item(0, 2).text() == "Holly House"
    assert dialog.preview.horizontalHeaderItem(0).text() == "Ref"
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert not ok.isEnabled() and "URN, Provision type, Name" in dialog.message.text()
    pick_text(urn, "Ref")
    pick_text(dialog.combos["provision_type"], "Kind of setting")
    pick_text(dialog.combos["name"], "Ref")
    assert not ok.isEnabled() and '"Ref" is chosen for two fields' in dialog.message.text()
    pick_text(dialog.combos["name"], "Home")
    assert ok.isEnabled() and dialog.message.text() == ""
    assert dialog.mapping() == {"urn": "Ref", "provision_type": "Kind of setting", "name": "Home", "town": "Town"}
    # Every drop-down is named for screen readers and reachable from its label.
    for combo in dialog.combos.values():
        assert combo.accessibleName()
    assert all(label.buddy() is not None for label in dialog.findChildren(QLabel) if label.text().startswith("&"))
    # It fits a 1280x680 screen with its buttons visible.
    assert dialog.height() <= 680 and dialog.width() <= 1280
    dialog.grab().save("/tmp/column-mapping.png")


def test_an_unrecognised_list_imports_through_the_dialog_and_is_remembered(
        qtbot: QtBot, db: Database, dialogs: DialogRecorder, tmp_path: Path) -> None:
    tab = ProvidersTab(make_ctx(db))
    qtbot.addWidget(tab)
    tab.show()
    source = tmp_path / "council.csv"
    source.write_text(COUNCIL_HEADER + "SC070007,Children's home,Holly House,03/03/2025,2,Leeds\n", encoding="utf-8")
    seen: list[ColumnMappingDialog] = []

    def fill_in(dialog: ColumnMappingDialog) -> bool:
        seen.append(dialog)
        assert dialog.preview.item(0, 0).text() == "SC070007"
        dialog.choose("urn", "Ref")
        dialog.choose("provision_type", "Kind of setting")
        dialog.choose("name", "Home")
        dialog.choose("inspection_date", "Judged on")
        dialog.choose("judgement", "Result")
        ok = dialog.buttons.button(QDialogButtonBox.Ok)
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.LeftButton)
        return dialog.result() == ColumnMappingDialog.Accepted

    dialogs.answer("choose_open_file", source)
    dialogs.answer("run_modal", fill_in)
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    wait_for_tasks()
    qtbot.waitUntil(lambda: bool(seen))
    wait_for_tasks()
    qtbot.waitUntil(lambda: "1 providers added" in tab.report.toPlainText())
    assert "URN: Ref" in tab.report.toPlainText()
    with db.session() as s:
        holly = s.scalars(select(Provider).where(Provider.urn == "SC070007")).one()
        assert holly.ofsted_judgement is OfstedJudgement.GOOD
    # Next year's file with the same columns imports without the dialog.
    later = tmp_path / "council-2026.csv"
    later.write_text(COUNCIL_HEADER + "SC070008,Children's home,Ivy House,,,York\n", encoding="utf-8")
    dialogs.answer("choose_open_file", later)
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    wait_for_tasks()
    qtbot.waitUntil(lambda: "council-2026.csv" in tab.report.toPlainText())
    assert len(seen) == 1 and "as remembered for this header" in tab.report.toPlainText()
