"""The agreement panel: issue, sign, export, import (accepted and refused), new version, print, history."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.models import Agreement, Placement
from placedesk.models.enums import AgreementStatus, ReferralStatus
from placedesk.services.agreements import identity
from placedesk.services.agreements.ipa import issue_agreement
from placedesk.ui.agreements import agreement_panel as panel_module
from placedesk.ui.agreements.agreement_panel import AgreementPanel, TermsDialog
from placedesk.ui.context import AppContext
from placedesk.ui.tasks import wait_for_tasks as _wait_once
from tests.conftest import DialogRecorder
from tests.ui.looks import assert_looks_right
from tests.services.agreements.helpers import (
    OFFICER_PASS,
    TODAY,
    countersign,
    make_placement,
    officer,
    officer_p12,
)


def wait_for_tasks() -> bool:
    """Wait until background work, and the page drawing it starts when it finishes, are done."""
    from PySide6.QtCore import QThreadPool

    ok = True
    for _ in range(6):
        ok = _wait_once() and ok
        if QThreadPool.globalInstance().activeThreadCount() == 0:
            _wait_once()
            if QThreadPool.globalInstance().activeThreadCount() == 0:
                break
    return ok


@pytest.fixture
def ctx(db: Database) -> Iterator[AppContext]:
    context = AppContext(db, Settings(officer=officer()))
    yield context


@pytest.fixture
def placement_id(db: Database) -> uuid.UUID:
    with db.session_scope() as session:
        return make_placement(session).id


@pytest.fixture(autouse=True)
def _finish_background_work() -> Iterator[None]:
    """Let page drawing started by a test finish before its widgets go: no task outlives its test."""
    yield
    wait_for_tasks()


@pytest.fixture
def panel(qtbot: QtBot, ctx: AppContext, placement_id: uuid.UUID) -> AgreementPanel:
    widget = AgreementPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    # Shown, as the officer sees it: a hidden panel defers reloading until it is shown.
    widget.show()
    widget.show_placement(placement_id)
    return widget


def _install_identity(tmp_path: Path) -> None:
    source = tmp_path / "officer.p12"
    source.write_bytes(officer_p12())
    identity.import_identity(source, OFFICER_PASS)


def _agreement(db: Database) -> Agreement:
    with db.session_scope() as session:
        return session.scalars(select(Agreement).order_by(Agreement.version_number.desc())).first()


def _issue(qtbot: QtBot, panel: AgreementPanel, dialogs: DialogRecorder, conditions: str = "") -> None:
    def fill(dialog: TermsDialog) -> bool:
        dialog.conditions.setPlainText(conditions)
        dialog.reviews.setText("01/06/2026")
        dialog._accept()
        return dialog.terms is not None

    dialogs.answer("run_modal", fill)
    qtbot.mouseClick(panel.issue_button, Qt.LeftButton)
    assert wait_for_tasks()


def test_with_nothing_selected_the_panel_says_what_to_do(qtbot: QtBot, ctx: AppContext) -> None:
    widget = AgreementPanel(ctx)
    qtbot.addWidget(widget)
    assert "Choose a placement" in widget.guidance.text()
    assert not widget.sign_button.isEnabled() and not widget.print_button.isEnabled()


def test_a_placement_without_an_agreement_offers_to_issue_it(panel: AgreementPanel) -> None:
    assert "no agreement yet" in panel.heading.text()
    assert panel.issue_button.isEnabled() and not panel.sign_button.isEnabled()
    assert not panel.export_button.isEnabled() and not panel.new_version_button.isEnabled()


def test_issuing_shows_the_agreement_and_enables_signing(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                         dialogs: DialogRecorder) -> None:
    changes: list[frozenset[str]] = []
    panel.ctx.changed.connect(changes.append)
    _issue(qtbot, panel, dialogs, conditions="Keep the school place.")
    agreement = _agreement(db)
    assert agreement.status is AgreementStatus.DRAFT and agreement.special_conditions == "Keep the school place."
    assert agreement.review_dates == ["2026-06-01"]
    assert "version 1" in panel.heading.text() and "awaiting officer signature" in panel.heading.text()
    assert panel.sign_button.isEnabled() and not panel.issue_button.isVisible()
    assert panel.viewer.pdf is not None and panel.viewer.pdf.startswith(b"%PDF")
    assert changes and "agreement" in changes[-1]
    assert panel.history.topLevelItem(0).text(0) == "Version 1"
    assert panel.history.topLevelItem(0).child(0).text(0) == "As issued"


def test_the_terms_dialog_refuses_a_bad_review_date(qtbot: QtBot, panel: AgreementPanel) -> None:
    dialog = TermsDialog(panel, new_version=False, current={})
    qtbot.addWidget(dialog)
    dialog.reviews.setText("31/02/2026")
    dialog._accept()
    assert dialog.terms is None and dialog.error.text()


def test_signing_asks_the_passphrase_and_signs(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                              dialogs: DialogRecorder, tmp_path: Path) -> None:
    _issue(qtbot, panel, dialogs)
    _install_identity(tmp_path)
    dialogs.answer("ask_passphrase", OFFICER_PASS)
    qtbot.mouseClick(panel.sign_button, Qt.LeftButton)
    assert wait_for_tasks()
    agreement = _agreement(db)
    assert agreement.status is AgreementStatus.OFFICER_SIGNED
    assert "Signed by Siân Ŵyn-Roberts" in panel.guidance.text()
    assert panel.export_button.isEnabled() and panel.import_button.isEnabled()
    assert not panel.sign_button.isEnabled()


def test_a_wrong_passphrase_is_explained_and_nothing_is_signed(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                               dialogs: DialogRecorder, tmp_path: Path) -> None:
    _issue(qtbot, panel, dialogs)
    _install_identity(tmp_path)
    dialogs.answer("ask_passphrase", "wrong-wrong")
    qtbot.mouseClick(panel.sign_button, Qt.LeftButton)
    wait_for_tasks()
    assert any("passphrase does not open" in text for text in dialogs.texts("warn"))
    assert _agreement(db).status is AgreementStatus.DRAFT


def test_signing_without_an_identity_creates_one_first(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                       dialogs: DialogRecorder) -> None:
    _issue(qtbot, panel, dialogs)
    dialogs.answer("choose", "create")
    dialogs.answer("ask_passphrase", "a new passphrase", "a new passphrase")
    qtbot.mouseClick(panel.sign_button, Qt.LeftButton)
    assert wait_for_tasks()
    wait_for_tasks()
    assert identity.has_identity() and identity.identity_info().common_name == "Siân Ŵyn-Roberts"
    assert _agreement(db).status is AgreementStatus.OFFICER_SIGNED


def _signed_panel(qtbot: QtBot, panel: AgreementPanel, dialogs: DialogRecorder, tmp_path: Path) -> None:
    _issue(qtbot, panel, dialogs)
    _install_identity(tmp_path)
    dialogs.answer("ask_passphrase", OFFICER_PASS)
    qtbot.mouseClick(panel.sign_button, Qt.LeftButton)
    assert wait_for_tasks()


def test_export_then_import_the_countersigned_file(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                   dialogs: DialogRecorder, tmp_path: Path) -> None:
    _signed_panel(qtbot, panel, dialogs, tmp_path)
    out = tmp_path / "outbox"
    out.mkdir()
    dialogs.answer("choose_directory", out)
    qtbot.mouseClick(panel.export_button, Qt.LeftButton)
    assert wait_for_tasks()
    [sent] = list(out.glob("*.pdf"))
    assert any(sent.name in text for text in dialogs.texts("inform"))
    returned = tmp_path / "returned.pdf"
    returned.write_bytes(countersign(sent.read_bytes()))
    dialogs.answer("choose_open_file", returned)
    qtbot.mouseClick(panel.import_button, Qt.LeftButton)
    assert wait_for_tasks()
    agreement = _agreement(db)
    assert agreement.status is AgreementStatus.COUNTERSIGNED and agreement.countersigner_name == "Jo Provider"
    assert any("Countersigned by Jo Provider" in text for text in dialogs.texts("inform"))
    assert "Countersigned by Jo Provider" in panel.guidance.text()
    assert not panel.import_button.isEnabled()
    with db.session_scope() as session:
        assert session.get(Agreement, agreement.id).placement.referral.status is ReferralStatus.IPA_SIGNED
    labels = [panel.history.topLevelItem(0).child(i).text(0) for i in range(3)]
    assert labels == ["As issued", "Signed by the Council", "Countersigned"]


def test_a_refused_file_says_why_and_records_nothing(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                     dialogs: DialogRecorder, tmp_path: Path) -> None:
    _signed_panel(qtbot, panel, dialogs, tmp_path)
    with db.session_scope() as session:
        sent = session.scalars(select(Agreement)).one().officer_signed_document.content
    returned = tmp_path / "cut.pdf"
    returned.write_bytes(countersign(sent)[:-900])
    dialogs.answer("choose_open_file", returned)
    qtbot.mouseClick(panel.import_button, Qt.LeftButton)
    wait_for_tasks()
    [warning] = dialogs.texts("warn")
    assert "truncated" in warning and "Nothing was recorded" in warning
    assert _agreement(db).status is AgreementStatus.OFFICER_SIGNED


def test_a_new_version_supersedes_and_history_keeps_both(qtbot: QtBot, panel: AgreementPanel, db: Database,
                                                         dialogs: DialogRecorder, tmp_path: Path) -> None:
    _signed_panel(qtbot, panel, dialogs, tmp_path)

    def change(dialog: TermsDialog) -> bool:
        dialog.reason.setText("Extra 1:1 hours agreed")
        dialog.fees.amount_edit(1).setText("480.75")
        dialog._accept()
        return dialog.terms is not None

    dialogs.answer("run_modal", change)
    qtbot.mouseClick(panel.new_version_button, Qt.LeftButton)
    assert wait_for_tasks()
    latest = _agreement(db)
    assert latest.version_number == 2 and latest.change_reason == "Extra 1:1 hours agreed"
    assert "version 2" in panel.heading.text()
    top = [panel.history.topLevelItem(i).text(1) for i in range(panel.history.topLevelItemCount())]
    assert top == ["Issued, awaiting officer signature", "Superseded"]
    # Picking an old file shows it, with its hash.
    old_signed = panel.history.topLevelItem(1).child(1)
    panel.history.setCurrentItem(old_signed)
    old_signed.setSelected(True)
    wait_for_tasks()
    assert "v1-signed.pdf" in panel.hash_label.text()
    with db.session_scope() as session:
        v1 = session.scalars(select(Agreement).where(Agreement.version_number == 1)).one()
        assert panel.viewer.pdf == v1.officer_signed_document.content


def test_a_new_version_needs_a_reason(qtbot: QtBot, panel: AgreementPanel, dialogs: DialogRecorder) -> None:
    _issue(qtbot, panel, dialogs)
    dialog = TermsDialog(panel, new_version=True, current={"fee_lines": []})
    qtbot.addWidget(dialog)
    dialog._accept()
    assert dialog.terms is None and "why" in dialog.error.text()


def test_print_sends_every_page_to_the_chosen_printer(qtbot: QtBot, panel: AgreementPanel,
                                                      dialogs: DialogRecorder, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    _issue(qtbot, panel, dialogs)
    target = tmp_path / "printed.pdf"

    def printer() -> QPrinter:
        p = QPrinter(QPrinter.ScreenResolution)
        p.setOutputFormat(QPrinter.PdfFormat)
        p.setOutputFileName(str(target))
        return p

    panel.printer_factory = printer
    asked: list[Any] = []
    monkeypatch.setattr(panel_module, "run_print_dialog", lambda p, parent: asked.append(p) or True)
    monkeypatch.setattr(panel_module, "PRINT_DPI", 40)
    qtbot.mouseClick(panel.print_button, Qt.LeftButton)
    assert wait_for_tasks()
    assert asked and target.exists()
    assert len(PdfReader(str(target)).pages) == len(PdfReader(__import__("io").BytesIO(panel.viewer.pdf)).pages)


def test_the_panel_looks_right(qtbot: QtBot, panel: AgreementPanel, dialogs: DialogRecorder, tmp_path: Path) -> None:
    _signed_panel(qtbot, panel, dialogs, tmp_path)
    wait_for_tasks()
    image = panel.grab()
    image.save(str(tmp_path / "panel.png"))
    assert_looks_right(panel, image, [panel.heading, panel.print_button, panel.export_button, panel.import_button,
                                      panel.new_version_button, panel.viewer, panel.history, panel.hash_label])


def test_a_draft_without_its_pdf_offers_to_make_it(qtbot: QtBot, ctx: AppContext, db: Database) -> None:
    with db.session_scope() as session:
        placement = make_placement(session)
        session.add(Agreement(placement_id=placement.id, ref=f"IPA-{placement.ref}", version_number=1,
                              status=AgreementStatus.DRAFT, issued_on=TODAY))
        placement_id = placement.id
    widget = AgreementPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.show()
    widget.show_placement(placement_id)
    assert "without its PDF" in widget.heading.text() and widget.issue_button.text() == "Make the PDF…"
    qtbot.mouseClick(widget.issue_button, Qt.LeftButton)
    assert wait_for_tasks()
    assert "awaiting officer signature" in widget.heading.text() and widget.sign_button.isEnabled()


def test_a_hidden_panel_reloads_when_shown_not_on_every_change(
        qtbot: QtBot, ctx: AppContext, placement_id: uuid.UUID) -> None:
    widget = AgreementPanel(ctx, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.show_placement(placement_id)
    assert "no agreement yet" in widget.heading.text()
    with ctx.action() as session:
        issue_agreement(session, session.get(Placement, placement_id), officer=ctx.settings.officer, today=TODAY)
    ctx.notify(panel_module.CHANGED)
    # Still hidden: nothing was read again.
    assert "no agreement yet" in widget.heading.text()
    widget.show()
    qtbot.waitUntil(lambda: "version 1" in widget.heading.text(), timeout=5000)


def test_the_terms_dialog_carries_the_care_arrangements_and_asks_how_each_need_is_met(
        qtbot: QtBot, panel: AgreementPanel) -> None:
    from placedesk.services.agreements.arrangements import CareArrangements, KeyContact, NeedMet

    current = {"arrangements": CareArrangements(
        contacts=(KeyContact("Social worker", "Ffion Hughes", "01248 752000"),),
        needs=(NeedMet("Risk", "Going missing", ""),))}
    dialog = TermsDialog(panel, new_version=False, current=current)
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(1) == "Care arrangements"
    assert dialog.arrangements.contacts.item(0, 1).text() == "Ffion Hughes"
    dialog._accept()
    assert dialog.terms is None and "Going missing" in dialog.error.text()
    assert dialog.tabs.currentIndex() == 1
    dialog.arrangements.needs.item(0, 2).setText("Missing-from-care protocol; waking night staff")
    dialog.arrangements.school.setText("Ysgol Friars, Year 9")
    dialog._accept()
    assert dialog.terms is not None
    assert dialog.terms.arrangements.needs[0].how_met == "Missing-from-care protocol; waking night staff"
    assert dialog.terms.arrangements.school == "Ysgol Friars, Year 9"
    dialog.tabs.setCurrentIndex(1)
    dialog.show()
    dialog.grab().save("/tmp/terms-dialog.png")
    assert dialog.height() <= 680


def test_issuing_is_refused_before_the_terms_are_typed_without_a_contact(
        qtbot: QtBot, panel: AgreementPanel, dialogs: DialogRecorder, db: Database) -> None:
    panel.ctx.settings.officer.email = ""
    asked: list[object] = []
    panel.ctx.profile_needed.connect(asked.append)
    qtbot.mouseClick(panel.issue_button, Qt.LeftButton)
    assert "contact email or phone" in dialogs.texts("warn")[0]
    assert asked == [("contact email or phone",)]
    assert not dialogs.texts("run_modal")  # the terms were never asked for
    assert _agreement(db) is None
