"""The Providers tab: search and filters, the provider detail, and importing Ofsted's list with its report."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from placedesk.db import Database
from placedesk.models import Cap, Inspection, Provider
from placedesk.models.enums import CapSeverity, CapStatus, OfstedJudgement
from placedesk.ui.referrals.providers_tab import ProvidersTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.referrals.helpers import TODAY, make_provider
from tests.ui.referrals.wizard.conftest import click_cell, make_ctx, pick_text

HEADER = ("URN,Provision type,Registration status,Name,Address 1,Town,Postcode,Local authority,Ofsted region,"
          "Sector,Places,Organisation which owns the provider,Inspection date,"
          "Overall experiences and progress of children and young people\n")


@pytest.fixture
def tab(qtbot: QtBot, db: Database) -> ProvidersTab:
    with db.session_scope() as s:
        oak = make_provider(s, "Oak House", local_authority="Leeds", town="Leeds", postcode="LS6 2AB",
                            address_line1="1 Oak Road", weekly_rate_from_pence=450000, weekly_rate_to_pence=520000,
                            capabilities=["autism", "missing"])
        s.add(Inspection(provider=oak, inspection_date=TODAY, judgement=OfstedJudgement.GOOD))
        s.add(Cap(ref="CAP-T-0001", provider_id=oak.id, issue="Night staffing below ratio",
                  severity=CapSeverity.HIGH, status=CapStatus.OPEN, opened_on=TODAY))
        make_provider(s, "Elm House", local_authority="York", vacancies=0)
        make_provider(s, "Ash House", local_authority="York", suspended=True, suspension_reason="Review")
    widget = ProvidersTab(make_ctx(db))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def names(tab: ProvidersTab) -> list[str]:
    return [tab.model.value(row, "name") for row in range(tab.model.rowCount())]


def test_filters_by_local_authority_vacancy_and_suspension(qtbot: QtBot, tab: ProvidersTab) -> None:
    assert names(tab) == ["Ash House", "Elm House", "Oak House"]
    assert [tab.la_filter.itemText(i) for i in range(tab.la_filter.count())] == ["Any LA", "Leeds", "York"]
    pick_text(tab.la_filter, "York")
    assert names(tab) == ["Ash House", "Elm House"]
    pick_text(tab.list.filter_combo("suspended"), "Open to referrals")
    assert names(tab) == ["Elm House"]
    pick_text(tab.list.filter_combo("has_vacancy"), "Has a vacancy")
    assert names(tab) == []
    assert "No providers match" in tab.list.count_label.text()


def test_search_narrows_the_directory(qtbot: QtBot, tab: ProvidersTab) -> None:
    qtbot.keyClicks(tab.list.search, "oak")
    qtbot.waitUntil(lambda: names(tab) == ["Oak House"])


def test_selecting_a_provider_shows_its_services_rates_inspections_and_caps(qtbot: QtBot, tab: ProvidersTab) -> None:
    click_cell(qtbot, tab.list.view, names(tab).index("Oak House"), 0)
    text = tab.detail.toPlainText()
    assert "Oak House" in text and "1 Oak Road, Leeds, LS6 2AB" in text
    assert "£4,500.00 to £5,200.00 a week" in text
    assert "Autism" in text and "Going missing" in text
    assert "Good" in text and "Full inspection" in text
    assert "CAP-T-0001" in text and "Night staffing below ratio" in text
    assert "No placements with this provider." in text
    click_cell(qtbot, tab.list.view, names(tab).index("Ash House"), 0)
    assert "Closed to new referrals" in tab.detail.toPlainText()


def test_ofsted_import_adds_updates_and_reports_unread_rows_by_line(
        qtbot: QtBot, tab: ProvidersTab, db: Database, dialogs: DialogRecorder, tmp_path: Path) -> None:
    source = tmp_path / "ofsted.csv"
    source.write_text(
        HEADER
        + "SC900001,Children's home,Active,Willow House,2 Willow Way,Leeds,LS6 3CD,Leeds,Yorkshire,Private,4,"
          "Willow Ltd,01/02/2026,Good\n"
        + "not-a-urn,Children's home,Active,Broken Row,,,,,,,,,,\n"
        + "SC900002,Independent Fostering Agency,Active,Maple Fostering,3 Maple St,York,YO1 7AB,York,Yorkshire,"
          "Private,,Maple Ltd,,\n",
        encoding="utf-8")
    dialogs.answer("choose_open_file", source, source)
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    wait_for_tasks()
    qtbot.waitUntil(lambda: tab.report_box.isVisible())
    report = tab.report.toPlainText()
    assert "2 providers added" in report
    assert "1 rows could not be read" in report
    assert "Line 3:" in report
    qtbot.waitUntil(lambda: "Willow House" in names(tab) and "Maple Fostering" in names(tab))
    assert [tab.la_filter.itemText(i) for i in range(tab.la_filter.count())] == ["Any LA", "Leeds", "York"]
    assert dialogs.texts("inform")
    # Importing the same list again changes nothing and duplicates nobody.
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    wait_for_tasks()
    qtbot.waitUntil(lambda: "0 providers added" in tab.report.toPlainText())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider).where(Provider.urn == "SC900001")) == 1


def test_a_file_that_is_not_the_ofsted_list_asks_which_column_is_which(
        qtbot: QtBot, tab: ProvidersTab, db: Database, dialogs: DialogRecorder, tmp_path: Path) -> None:
    source = tmp_path / "other.csv"
    source.write_text("Name,Town\nOak,Leeds\n", encoding="utf-8")
    dialogs.answer("choose_open_file", source)
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    wait_for_tasks()
    # The mapping dialog is offered; closing it imports nothing.
    qtbot.waitUntil(lambda: bool(dialogs.texts("run_modal")))
    assert tab.import_button.isEnabled()
    assert not dialogs.texts("warn")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider)) == 3


def test_cancelling_a_running_import_keeps_nothing_of_it(
        qtbot: QtBot, tab: ProvidersTab, db: Database, dialogs: DialogRecorder, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.ui.referrals import providers_tab

    # Hold the import back until the officer has pressed Cancel, as a long import would be.
    pressed = threading.Event()
    real = providers_tab.import_ofsted_providers

    def slow_import(*args: Any, **kwargs: Any) -> Any:
        pressed.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(providers_tab, "import_ofsted_providers", slow_import)
    source = tmp_path / "ofsted.csv"
    source.write_text(HEADER + "".join(
        f"SC9{n:05d},Children's home,Active,Home {n},,Leeds,,Leeds,,,2,,,\n" for n in range(50)), encoding="utf-8")
    dialogs.answer("choose_open_file", source)
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    assert tab.running_import is not None
    assert tab.running_import.dialog.labelText() == "Importing ofsted.csv…"
    cancel = tab.running_import.dialog.findChild(QPushButton)
    assert cancel.text() == "Cancel"
    qtbot.mouseClick(cancel, Qt.LeftButton)
    pressed.set()
    wait_for_tasks()
    qtbot.waitUntil(lambda: "Import cancelled: nothing was changed." in tab.report.toPlainText())
    assert tab.import_button.isEnabled() and not dialogs.texts("warn")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Provider)) == 3


def test_cancelling_the_file_choice_imports_nothing(qtbot: QtBot, tab: ProvidersTab,
                                                    dialogs: DialogRecorder) -> None:
    qtbot.mouseClick(tab.import_button, Qt.LeftButton)
    assert not tab.report_box.isVisible()
    assert names(tab) == ["Ash House", "Elm House", "Oak House"]
