"""The Referrals tab: status, child by case reference and initials, next action, filter, and the wizard."""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models.enums import ReferralStatus
from placedesk.ui.referrals.referrals_tab import NEXT_ACTION_TITLE, ReferralsTab
from placedesk.ui.referrals.wizard.referral_wizard import CHILD, OFFERS
from tests.services.referrals.helpers import make_child, make_referral, referral_at
from tests.ui.referrals.wizard.conftest import click_cell, make_ctx, pick_text, settle_background_work


@pytest.fixture
def tab(qtbot: QtBot, db: Database) -> ReferralsTab:
    with db.session_scope() as s:
        make_referral(s, child=make_child(s, case_reference="LAC-1", first_name="Tom", last_name="Reed"))
        referral_at(s, ReferralStatus.SENT)
        referral_at(s, ReferralStatus.OFFERS_RECEIVED)
    widget = ReferralsTab(make_ctx(db))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def column(tab: ReferralsTab, title: str) -> list[str]:
    model = tab.model
    index = next(c for c in range(model.columnCount()) if model.headerData(c, Qt.Horizontal) == title)
    return [model.index(r, index).data() for r in range(model.rowCount())]


def test_each_referral_shows_its_child_by_full_name_and_what_to_do_next(tab: ReferralsTab) -> None:
    by_case = dict(zip(column(tab, "Case ref"), column(tab, NEXT_ACTION_TITLE), strict=True))
    assert by_case["LAC-1"] == "Complete the referral"
    assert dict(zip(column(tab, "Case ref"), column(tab, "Child"), strict=True))["LAC-1"] == "Tom Reed"
    actions = set(by_case.values())
    assert "Compare 1 offer and award" in actions
    assert any(action.startswith("Chase responses") for action in actions)


def test_the_status_filter_narrows_the_list(tab: ReferralsTab) -> None:
    pick_text(tab.list.filter_combo("status"), ReferralStatus.SENT.label)
    assert column(tab, "Status") == [ReferralStatus.SENT.label]
    assert column(tab, NEXT_ACTION_TITLE)[0].startswith("Chase responses")


def test_new_referral_opens_the_wizard_at_the_child(qtbot: QtBot, tab: ReferralsTab) -> None:
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    wizard = tab.wizards[-1]
    qtbot.addWidget(wizard)
    assert wizard.isVisible() and wizard.currentId() == CHILD and wizard.state.referral_id is None


def test_open_referral_resumes_a_sent_one_at_offers(qtbot: QtBot, tab: ReferralsTab) -> None:
    assert not tab.open_button.isEnabled()
    row = column(tab, "Status").index(ReferralStatus.SENT.label)
    click_cell(qtbot, tab.list.view, row, 0)
    assert tab.open_button.isEnabled()
    qtbot.mouseClick(tab.open_button, Qt.LeftButton)
    wizard = tab.wizards[-1]
    qtbot.addWidget(wizard)
    assert wizard.currentId() == OFFERS
    assert wizard.state.referral_id == tab.model.row_id(row)
    settle_background_work()


def test_an_empty_list_says_how_to_start(qtbot: QtBot, db: Database) -> None:
    widget = ReferralsTab(make_ctx(db))
    qtbot.addWidget(widget)
    widget.show()
    assert widget.list.stack.currentWidget() is widget.list.empty
    assert "Start one here" in widget.list.empty.guidance.text()


def test_the_list_follows_changes_made_elsewhere(qtbot: QtBot, tab: ReferralsTab, db: Database) -> None:
    with db.session_scope() as s:
        make_referral(s, child=make_child(s, case_reference="LAC-NEW"))
    tab.ctx.notify(["referral"])
    qtbot.waitUntil(lambda: "LAC-NEW" in column(tab, "Case ref"))


def test_days_open_count_only_for_referrals_still_being_worked(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as s:
        referral_at(s, ReferralStatus.PLACED)
        referral_at(s, ReferralStatus.SENT)
    widget = ReferralsTab(make_ctx(db))
    qtbot.addWidget(widget)
    days = dict(zip(column(widget, "Status"), column(widget, "Days open"), strict=True))
    assert days[ReferralStatus.PLACED.label] == ""
    assert days[ReferralStatus.SENT.label].isdigit()
    assert column(widget, "Status")[0] == ReferralStatus.SENT.label


def test_a_closed_wizard_is_let_go_when_the_next_one_opens(qtbot: QtBot, tab: ReferralsTab) -> None:
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    first = tab.wizards[-1]
    first.close()
    settle_background_work()
    qtbot.mouseClick(tab.new_button, Qt.LeftButton)
    second = tab.wizards[-1]
    qtbot.addWidget(second)
    # Deleted, not just hidden: a hidden wizard would go on answering every change notice.
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert tab.wizards == [second] and not shiboken6.isValid(first)
