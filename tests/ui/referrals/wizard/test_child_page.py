"""The Child page: find a child by case reference, or type a new one; wrong entries refused beside the field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from placedesk.db import Database
from placedesk.models import Child, Referral
from placedesk.ui.referrals.wizard.referral_wizard import CHILD, NEEDS, ReferralWizard
from tests.services.referrals.helpers import make_child
from tests.ui.referrals.wizard.conftest import pick, press_next, type_into

WizardFactory = Callable[..., ReferralWizard]


def test_find_fills_the_form_from_the_existing_child_and_reuses_their_record(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    with db.session_scope() as s:
        make_child(s, case_reference="LAC-3141", first_name="Amara", last_name="Okoye", home_postcode="LS6 2AB",
                   legal_status="V2")
    wizard = open_wizard(db)
    page = wizard.pages[CHILD]
    type_into(qtbot, page.case_reference, "lac-3141")
    qtbot.mouseClick(page.find_button, Qt.LeftButton)
    assert page.first_name.text() == "Amara" and page.last_name.text() == "Okoye"
    assert page.legal_status.currentData() == "V2"
    assert "Found Amara Okoye" in page.found_label.text()
    assert page.history_button.isEnabled()
    qtbot.mouseClick(page.history_button, Qt.LeftButton)
    qtbot.addWidget(page.history_window)
    assert page.history_window.isVisible()
    assert page.history_window.windowTitle() == "Care history — LAC-3141"
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Child)) == 1
        assert s.get(Referral, wizard.state.referral_id).child.case_reference == "LAC-3141"


def test_an_unknown_case_reference_says_to_type_the_details(qtbot: QtBot, db: Database,
                                                            open_wizard: WizardFactory) -> None:
    page = open_wizard(db).pages[CHILD]
    type_into(qtbot, page.case_reference, "LAC-404")
    qtbot.mouseClick(page.find_button, Qt.LeftButton)
    assert "No child with case reference LAC-404" in page.found_label.text()
    assert not page.history_button.isEnabled()
    assert page.first_name.text() == ""


def test_a_bad_postcode_and_missing_names_are_refused_beside_their_fields(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db)
    page = wizard.pages[CHILD]
    type_into(qtbot, page.case_reference, "LAC-1")
    type_into(qtbot, page.date_of_birth, "01/09/2010")
    pick(page.legal_status, "C1")
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    assert "first name" in page.error_text("first_name")
    type_into(qtbot, page.first_name, "Ann")
    type_into(qtbot, page.last_name, "Lee")
    type_into(qtbot, page.home_postcode, "not a postcode")
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    assert "not a UK postcode" in page.error_text("home_postcode")
    assert page.error_text("first_name") == ""
    assert page.home_postcode.property("invalid") is True
    type_into(qtbot, page.home_postcode, "ls61ab")
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    with db.session() as s:
        assert s.get(Referral, wizard.state.referral_id).child.home_postcode == "LS6 1AB"


def test_legal_status_must_be_chosen_and_lists_ssda903_descriptions(qtbot: QtBot, db: Database,
                                                                     open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db)
    page = wizard.pages[CHILD]
    assert any(page.legal_status.itemText(i).startswith("C2  Full care order")
               for i in range(page.legal_status.count()))
    for edit, text in ((page.case_reference, "LAC-2"), (page.first_name, "Bo"), (page.last_name, "Ng"),
                       (page.date_of_birth, "2012-04-30")):
        type_into(qtbot, edit, text)
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    assert "legal status" in page.error_text("legal_status")


def test_every_error_on_the_page_shows_at_once_and_each_clears_when_fixed(
        qtbot: QtBot, db: Database, open_wizard: WizardFactory) -> None:
    wizard = open_wizard(db)
    page = wizard.pages[CHILD]
    type_into(qtbot, page.case_reference, "LAC-777")
    type_into(qtbot, page.date_of_birth, "31/02/2012")
    type_into(qtbot, page.home_postcode, "nowhere")
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    # Date of birth, names, postcode and legal status together, not one per press of Next.
    for field, words in (("date_of_birth", "not a real date"), ("first_name", "first name"),
                         ("last_name", "last name"), ("home_postcode", "not a UK postcode"),
                         ("legal_status", "legal status")):
        assert words in page.error_text(field), field
    assert page.error_text("case_reference") == ""
    # The first field in reading order with a problem has the focus.
    assert page.first_name.hasFocus() or wizard.focusWidget() is page.first_name
    type_into(qtbot, page.first_name, "Noor")
    assert page.error_text("first_name") == "" and page.error_text("last_name")
    # A date clears only once it is a real date.
    type_into(qtbot, page.date_of_birth, "30/02/2012")
    assert page.error_text("date_of_birth")
    type_into(qtbot, page.date_of_birth, "29/02/2012")
    assert page.error_text("date_of_birth") == ""
