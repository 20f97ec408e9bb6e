"""The agreement panel: one placement's IPA on screen, with every step the officer takes on it.

Issue, Sign, Print, Export for countersignature, Import countersigned and
New version, over a view of the PDF and the list of every version with its
stored files. The Placements tab and the referral wizard's agreement page
both embed it::

    panel = AgreementPanel(ctx)
    panel.show_placement(placement_id)   # or None to clear it

Generating, signing and checking PDFs run in the background through
:func:`placedesk.ui.tasks.run_task`; each step is one service call in one
transaction, followed by a change notice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import EditConflict, PlaceDeskError, ValidationError
from placedesk.models.concurrency import Baseline
from placedesk.models.enums import AgreementStatus
from placedesk.services.agreements.arrangements import check_arrangements
from placedesk.services.common.parsing import format_date, format_uk_time, parse_date
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext, touches
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS
from placedesk.ui.widgets.pdf_viewer import PdfViewer, render_pages
from placedesk.ui.widgets.reload_when_shown import ReloadWhenShown
from placedesk.ui.tasks import run_task, show_error
from placedesk.ui.agreements.arrangements_editor import ArrangementsEditor
from placedesk.ui.widgets.fee_lines_editor import FeeLinesEditor
from placedesk.ui.widgets.field_error import FieldError, mark_invalid

CHANGED = ("agreement", "stored_document", "referral", "placement", "placement_fee_line",
           "placement_funding_share")
PRINT_DPI = 200


@dataclass(frozen=True)
class Terms:
    """What the officer typed for an issue or a new version."""

    change_reason: str
    fee_lines: list[tuple[Any, str, int]] | None
    funded_by: list[Any]
    notice_period_days: int
    payment_terms: str
    special_conditions: str
    outcomes: list[str]
    review_dates: list[dt.date]
    arrangements: Any = None


class TermsDialog(QDialog):
    """The terms of an agreement: notice, payment terms, conditions, outcomes, review dates (and fees, reason)."""

    def __init__(self, parent: QWidget | None, *, new_version: bool, current: dict[str, Any]) -> None:
        super().__init__(parent)
        self.new_version = new_version
        self.setWindowTitle("New version of the agreement" if new_version else "Issue the agreement")
        self.setMinimumWidth(760)
        self.resize(820, 620)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Change the fees or terms. Version {n} will supersede the current one, which stays on file.".format(
                n=current.get("next_version", 2))
            if new_version else
            "Check the terms for this placement. Leave payment terms and outcomes empty to use your council's "
            "standard wording."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        # Parented to the dialog even when not shown, so nothing is left behind when it closes.
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("e.g. Extra 1:1 hours agreed at the review on 12/05")
        self.reason.setAccessibleName("Why the agreement changes")
        self.fees = FeeLinesEditor(self, show_funding=True)
        self.reason.setVisible(new_version)
        self.fees.setVisible(new_version)
        if new_version:
            form.addRow("Reason for the change", self.reason)
            self.fees.set_lines(current.get("fee_lines", []), current.get("funded_by", []))
            form.addRow("Weekly fee lines", self.fees)
        self.notice = QSpinBox()
        self.notice.setRange(0, 365)
        self.notice.setSuffix(" days")
        self.notice.setValue(int(current.get("notice_period_days", 28)))
        form.addRow("Notice period", self.notice)
        self.payment = QPlainTextEdit(current.get("payment_terms", ""))
        self.payment.setPlaceholderText("Standard payment terms (four-weekly in arrears, 30 days)")
        self.payment.setFixedHeight(60)
        form.addRow("Payment terms", self.payment)
        self.conditions = QPlainTextEdit(current.get("special_conditions", ""))
        self.conditions.setPlaceholderText("Anything particular to this child's placement; '- ' starts a bullet")
        self.conditions.setFixedHeight(80)
        form.addRow("Special conditions", self.conditions)
        self.outcomes = QPlainTextEdit("\n".join(current.get("outcomes", [])))
        self.outcomes.setPlaceholderText("One outcome a line; empty for the standard outcomes")
        self.outcomes.setFixedHeight(70)
        form.addRow("Outcomes", self.outcomes)
        self.reviews = QLineEdit(", ".join(format_date(d) for d in current.get("review_dates", [])))
        self.reviews.setPlaceholderText("dd/mm/yyyy, dd/mm/yyyy")
        form.addRow("Review dates", self.reviews)
        terms_page = QWidget()
        terms_page.setLayout(form)
        self.arrangements = ArrangementsEditor()
        if current.get("arrangements") is not None:
            self.arrangements.set_arrangements(current["arrangements"])
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Agreement terms and care arrangements")
        for page, title in ((terms_page, "Terms"), (self.arrangements, "Care arrangements")):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(page)
            self.tabs.addTab(scroll, title)
        layout.addWidget(self.tabs, 1)
        self.error = FieldError()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Issue new version" if new_version else "Issue agreement")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.terms: Terms | None = None

    def collect(self) -> Terms:
        """The typed terms, parsed; a ValidationError names the field to fix."""
        mark_invalid(self.reviews, False)
        mark_invalid(self.reason, False)
        if self.new_version and not self.reason.text().strip():
            mark_invalid(self.reason, True)
            raise ValidationError("Say why the agreement changes.", "change_reason")
        dates = []
        for part in self.reviews.text().replace(";", ",").split(","):
            if part.strip():
                try:
                    dates.append(parse_date(part.strip(), "review_dates"))
                except ValidationError:
                    mark_invalid(self.reviews, True)
                    raise
        try:
            arrangements = check_arrangements(self.arrangements.arrangements())
        except ValidationError:
            self.tabs.setCurrentIndex(1)
            raise
        return Terms(
            arrangements=arrangements,
            change_reason=self.reason.text().strip(),
            fee_lines=self.fees.lines() if self.new_version else None,
            funded_by=self.fees.funding() if self.new_version else [],
            notice_period_days=self.notice.value(),
            payment_terms=self.payment.toPlainText().strip(),
            special_conditions=self.conditions.toPlainText().strip(),
            outcomes=[line.strip() for line in self.outcomes.toPlainText().splitlines() if line.strip()],
            review_dates=dates,
        )

    def _accept(self) -> None:
        try:
            self.terms = self.collect()
        except ValidationError as exc:
            self.error.show_message(str(exc))
            return
        self.error.clear_message()
        self.accept()


def run_print_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
    """Qt's print dialog for any installed printer; True when the officer pressed Print."""
    from PySide6.QtPrintSupport import QPrintDialog

    return dialogs.run_modal(QPrintDialog(printer, parent))


class AgreementPanel(QWidget):
    """A placement's agreement: the PDF, the actions its state allows, and its version history."""

    # Emitted after an action changed the agreement (the context's change notice is sent too).
    agreement_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today
        self.placement_id: uuid.UUID | None = None
        self.agreement_id: uuid.UUID | None = None
        self.status: AgreementStatus | None = None
        self.shown_document: uuid.UUID | None = None
        # The versions of the placement and agreement the terms form showed; a new version is checked against them.
        self.baseline = Baseline()
        self.printer_factory: Callable[[], QPrinter] = lambda: QPrinter(QPrinter.HighResolution)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.heading.setWordWrap(True)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet("color: palette(placeholder-text);")

        self.issue_button = QPushButton("Issue agreement…")
        self.sign_button = QPushButton("&Sign…")
        self.print_button = QPushButton("&Print…")
        self.export_button = QPushButton("&Export for countersignature…")
        self.import_button = QPushButton("&Import countersigned…")
        self.new_version_button = QPushButton("&New version…")
        self.handwritten = QCheckBox("Add my handwritten signature")
        self.handwritten.setToolTip("Show an image of your handwritten signature inside the signature box")
        self.issue_button.clicked.connect(self.issue)
        self.sign_button.clicked.connect(self.sign)
        self.print_button.clicked.connect(self.print_agreement)
        self.export_button.clicked.connect(self.export)
        self.import_button.clicked.connect(self.import_countersigned)
        self.new_version_button.clicked.connect(self.new_version)
        self.handwritten.toggled.connect(self._handwritten_toggled)
        bar = QHBoxLayout()
        for button in (self.issue_button, self.sign_button, self.print_button, self.export_button,
                       self.import_button, self.new_version_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(self.handwritten)

        self.viewer = PdfViewer()
        self.history = QTreeWidget()
        self.history.setAccessibleName("Agreement versions and signatures")
        self.history.setHeaderLabels(["Version", "Status", "Date"])
        self.history.setRootIsDecorated(True)
        self.history.setMinimumWidth(260)
        self.history.itemSelectionChanged.connect(self._history_selected)
        history_box = QWidget()
        history_layout = QVBoxLayout(history_box)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_label = QLabel("Versions and stored files")
        history_label.setStyleSheet("font-weight: 600;")
        history_layout.addWidget(history_label)
        history_layout.addWidget(self.history, 1)
        self.hash_label = QLabel()
        self.hash_label.setWordWrap(True)
        self.hash_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hash_label.setStyleSheet("color: palette(placeholder-text); font-size: 8pt;")
        history_layout.addWidget(self.hash_label)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.viewer)
        splitter.addWidget(history_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.guidance)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        # A hidden panel (another tab, a wizard page not reached) reloads when it is next shown.
        self._reloader = ReloadWhenShown(self, self.refresh)
        ctx.changed.connect(self._on_changed)
        self.show_placement(None)

    # --- showing ------------------------------------------------------------------------

    def show_placement(self, placement_id: uuid.UUID | None) -> None:
        """Show ``placement_id``'s agreement (None: nothing selected)."""
        self.placement_id = placement_id
        self.shown_document = None
        self.refresh()

    def refresh(self) -> None:
        """Reload the placement's agreement state, history and PDF from the database."""
        from placedesk.services.agreements import ipa as agreements
        from placedesk.services.agreements.identity import signature_image

        self._reloader.clear()

        self.handwritten.blockSignals(True)
        self.handwritten.setChecked(signature_image() is not None)
        self.handwritten.blockSignals(False)
        self.history.clear()
        self.hash_label.clear()
        if self.placement_id is None:
            self._set_state(None, None)
            self.heading.setText("No placement selected")
            self.guidance.setText("Choose a placement to see its Individual Placement Agreement.")
            self.viewer.show_placeholder("Choose a placement in the list to see its agreement here.")
            return
        with self.ctx.read() as session:
            from placedesk.models import Placement

            placement = session.get(Placement, self.placement_id)
            if placement is None:
                self.show_placement(None)
                return
            current = agreements.current_agreement(session, placement.id)
            rows = agreements.history(session, placement.id)
            placement_ref, provider = placement.ref, placement.provider.name
            has_pdf = current is not None and (current.unsigned_document_id is not None)
            pdf = agreements.agreement_pdf(session, current) if has_pdf else None
            shown = (current.countersigned_document_id or current.officer_signed_document_id
                     or current.unsigned_document_id) if current else None
            if self.shown_document and self.shown_document != shown:
                try:
                    _name, pdf = agreements.document_pdf(session, self.shown_document)
                    shown = self.shown_document
                except PlaceDeskError:
                    pass
        self._fill_history(rows, shown)
        if current is None:
            self._set_state(None, None)
            self.heading.setText(f"Placement {placement_ref}: no agreement yet")
            self.guidance.setText(f"Issue the Individual Placement Agreement for {provider}. You will check the "
                                  "terms first; then sign it and send it for countersignature.")
            self.viewer.show_placeholder("No agreement has been issued for this placement yet.\n\n"
                                         "Press “Issue agreement…” to create it.")
            return
        self._set_state(current.id, current.status)
        if pdf is None:
            self.issue_button.setText("Make the PDF…")
            self.issue_button.setVisible(True)
            self.issue_button.setEnabled(True)
            self.sign_button.setEnabled(False)
            self.print_button.setEnabled(False)
            self.heading.setText(f"{current.ref}, version {current.version_number}: recorded without its PDF")
            self.guidance.setText("This agreement was recorded (imported or demo data) without its PDF. Make the "
                                  "PDF to check it, then sign it.")
            self.viewer.show_placeholder("No PDF yet for this version.\n\nPress “Make the PDF…”.")
            return
        self.heading.setText(f"{current.ref}, version {current.version_number}: "
                             f"{agreements.STATUS_LABELS[current.status].lower()}")
        self.guidance.setText(self._next_step(current))
        self.shown_document = shown
        self._show_pdf(pdf)

    def _next_step(self, agreement: Any) -> str:
        status = agreement.status
        if status is AgreementStatus.DRAFT:
            return "Next: check the agreement, then sign it. Your passphrase is asked each time you sign."
        if status is AgreementStatus.OFFICER_SIGNED:
            when = format_uk_time(agreement.officer_signed_at)
            return (f"Signed by {agreement.officer_signer} {when}. Next: export it for the provider to countersign, "
                    "then import the file they return.")
        when = format_uk_time(agreement.countersigned_at)
        return (f"Countersigned by {agreement.countersigner_name} {when}. If the fees or terms change, "
                "issue a new version.")

    def _set_state(self, agreement_id: uuid.UUID | None, status: AgreementStatus | None) -> None:
        self.agreement_id = agreement_id
        self.status = status
        has_placement = self.placement_id is not None
        self.issue_button.setText("Issue agreement…")
        self.issue_button.setVisible(has_placement and agreement_id is None)
        self.issue_button.setEnabled(has_placement and agreement_id is None)
        self.sign_button.setEnabled(status is AgreementStatus.DRAFT)
        self.handwritten.setEnabled(status is AgreementStatus.DRAFT)
        self.print_button.setEnabled(status is not None)
        self.export_button.setEnabled(status is AgreementStatus.OFFICER_SIGNED)
        self.import_button.setEnabled(status is AgreementStatus.OFFICER_SIGNED)
        self.new_version_button.setEnabled(status is not None)

    def _fill_history(self, rows: list[Any], shown: uuid.UUID | None) -> None:
        self.history.blockSignals(True)
        for row in rows:
            date = row.countersigned_at or row.officer_signed_at
            item = QTreeWidgetItem([f"Version {row.version_number}", row.status_label,
                                    format_date(date.date() if date else row.issued_on)])
            item.setData(0, Qt.UserRole, None)
            if row.change_reason:
                item.setToolTip(0, row.change_reason)
                item.setToolTip(1, row.change_reason)
            for document in row.documents:
                child = QTreeWidgetItem([document.label, f"{document.size // 1024:,} KB", ""])
                child.setData(0, Qt.UserRole, document.document_id)
                child.setData(1, Qt.UserRole, document.sha256)
                child.setToolTip(0, f"{document.filename}\nSHA-256 {document.sha256}")
                item.addChild(child)
                if document.document_id == shown:
                    child.setSelected(True)
                    self.hash_label.setText(f"Showing {document.filename}\nSHA-256 {document.sha256}")
            self.history.addTopLevelItem(item)
            item.setExpanded(row.status is not AgreementStatus.SUPERSEDED)
        header = self.history.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        self.history.blockSignals(False)

    def _history_selected(self) -> None:
        from placedesk.services.agreements.ipa import document_pdf

        items = self.history.selectedItems()
        if not items:
            return
        item = items[0]
        document_id = item.data(0, Qt.UserRole)
        if document_id is None and item.childCount():
            # A version row: show its most complete file.
            item = item.child(item.childCount() - 1)
            document_id = item.data(0, Qt.UserRole)
        if document_id is None:
            return
        try:
            with self.ctx.read() as session:
                name, pdf = document_pdf(session, document_id)
        except PlaceDeskError as exc:
            show_error(self, exc)
            return
        self.shown_document = document_id
        self.hash_label.setText(f"Showing {name}\nSHA-256 {item.data(1, Qt.UserRole)}")
        self._show_pdf(pdf)

    def _show_pdf(self, pdf: bytes | None) -> None:
        if pdf is not None:
            self.viewer.show_pdf(pdf)

    def _on_changed(self, changed: frozenset[str]) -> None:
        if self.placement_id is not None and touches(changed, *CHANGED):
            self._reloader.request()

    # --- actions ------------------------------------------------------------------------

    def _run(self, label: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Run one service step in the background, then announce the change and reload."""

        def finished(result: Any) -> None:
            # Show the newest file of the changed agreement, not the one looked at before.
            self.shown_document = None
            self.ctx.notify(CHANGED)
            self.agreement_changed.emit()
            done(result)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, EditConflict):
                show_error(self, exc)
                return
            # A colleague changed the placement or agreement since the terms were shown.
            choice = dialogs.resolve_edit_conflict(self, exc)
            if choice == APPLY_MINE:
                self.baseline.accept(exc)
                self._run(label, work, done)
            elif choice == KEEP_THEIRS:
                self.ctx.notify(CHANGED)

        run_task(self, label, work, finished, failed)

    def _current_terms(self) -> dict[str, Any]:
        from placedesk.models import Agreement, Placement
        from placedesk.services.agreements.arrangements import proposed_arrangements
        from placedesk.services.agreements.ipa import versions

        self.baseline.clear()
        with self.ctx.read(self.baseline) as session:
            placement = session.get(Placement, self.placement_id)
            lines = [(line.kind, line.description, line.weekly_amount_pence) for line in placement.fee_lines]
            funded_by = [line.funded_by for line in placement.fee_lines]
            agreement = session.get(Agreement, self.agreement_id) if self.agreement_id else None
            arrangements = proposed_arrangements(placement, agreement)
            if agreement is None:
                return {"fee_lines": lines, "funded_by": funded_by, "notice_period_days": 28,
                        "arrangements": arrangements}
            return {
                "arrangements": arrangements,
                "next_version": len(versions(session, placement.id)) + 1,
                "fee_lines": lines,
                "funded_by": funded_by,
                "notice_period_days": agreement.notice_period_days,
                "payment_terms": agreement.payment_terms,
                "special_conditions": agreement.special_conditions,
                "outcomes": list(agreement.outcomes),
                "review_dates": [dt.date.fromisoformat(d) for d in agreement.review_dates],
            }

    def issue(self) -> None:
        """Ask for the terms, then issue version 1 (PDF made in the background)."""
        from placedesk.models import Agreement, Placement
        from placedesk.services.agreements.ipa import issue_agreement, make_missing_pdf

        if self.placement_id is None:
            return
        if self.agreement_id is not None:
            agreement_id, officer = self.agreement_id, self.ctx.settings.officer

            def make() -> None:
                with self.ctx.action() as session:
                    make_missing_pdf(session, session.get(Agreement, agreement_id), officer=officer)

            self._run("Making the agreement PDF…", make, lambda _: None)
            return
        # Check the profile before the officer types the terms, not after.
        from placedesk.errors import ProfileIncomplete
        from placedesk.services.common.settings import require_pack_profile

        try:
            require_pack_profile(self.ctx.settings.officer, "Issuing an agreement")
        except ProfileIncomplete as exc:
            dialogs.warn(self, "Issue agreement", str(exc))
            self.ctx.profile_needed.emit(exc.missing)
            return
        dialog = TermsDialog(self, new_version=False, current=self._current_terms())
        if not dialogs.run_modal(dialog) or dialog.terms is None:
            return
        terms, placement_id, officer, today = dialog.terms, self.placement_id, self.ctx.settings.officer, self.today()

        def work() -> None:
            with self.ctx.action() as session:
                issue_agreement(
                    session, session.get(Placement, placement_id), officer=officer, today=today,
                    payment_terms=terms.payment_terms, notice_period_days=terms.notice_period_days,
                    special_conditions=terms.special_conditions, outcomes=terms.outcomes,
                    review_dates=terms.review_dates, arrangements=terms.arrangements,
                )

        self._run("Making the agreement…", work, lambda _: None)

    def new_version(self) -> None:
        """Ask what changes, then issue version N+1 superseding the current one."""
        from placedesk.models import Agreement
        from placedesk.services.agreements.ipa import FeeLineInput, new_version

        if self.agreement_id is None:
            return
        dialog = TermsDialog(self, new_version=True, current=self._current_terms())
        if not dialogs.run_modal(dialog) or dialog.terms is None:
            return
        terms, agreement_id, officer, today = dialog.terms, self.agreement_id, self.ctx.settings.officer, self.today()
        fee_lines = [FeeLineInput(kind, text, pence, funded)
                     for (kind, text, pence), funded in zip(terms.fee_lines or [], terms.funded_by)]

        baseline = self.baseline

        def work() -> None:
            with self.ctx.action(baseline) as session:
                new_version(
                    session, session.get(Agreement, agreement_id), officer=officer, today=today,
                    change_reason=terms.change_reason, fee_lines=fee_lines,
                    payment_terms=terms.payment_terms, notice_period_days=terms.notice_period_days,
                    special_conditions=terms.special_conditions, outcomes=terms.outcomes,
                    review_dates=terms.review_dates, arrangements=terms.arrangements,
                )

        self._run("Making the new version…", work, lambda _: None)

    def sign(self) -> None:
        """Sign as the officer: make or import an identity first if there is none; ask the passphrase."""
        from placedesk.services.agreements import identity

        if self.agreement_id is None:
            return
        if not identity.has_identity():
            self._get_identity_then_sign()
            return
        passphrase = dialogs.ask_passphrase(self, "Sign the agreement",
                                            "Passphrase for your signing identity:")
        if passphrase is None:
            return
        self._sign_with(passphrase)

    def _get_identity_then_sign(self) -> None:
        from placedesk.services.agreements import identity

        officer = self.ctx.settings.officer
        how = dialogs.choose(
            self, "Signing identity",
            "You have no signing identity yet. Create one now for "
            f"{officer.name or 'you'} ({officer.local_authority or 'your council'}), protected by a passphrase, "
            "or import the .p12 or .pfx file your council issued.",
            [("create", "Create a new identity"), ("import", "Import a .p12…")], default="import")
        if how is None:
            return
        if how == "create":
            first = dialogs.ask_passphrase(self, "Create signing identity",
                                           "Choose a passphrase (at least 8 characters). It is never stored:")
            if first is None:
                return
            again = dialogs.ask_passphrase(self, "Create signing identity", "Type the passphrase again:")
            if again is None:
                return
            if first != again:
                dialogs.warn(self, "Create signing identity", "The two passphrases differ. Nothing was created.")
                return

            def make() -> None:
                identity.create_identity(officer.name, officer.role, officer.local_authority, officer.email, first)

            run_task(self, "Creating your signing identity…", make, lambda _: self._sign_with(first),
                     lambda exc: show_error(self, exc))
            return
        source = dialogs.choose_open_file(self, "Your council's signing identity",
                                          "Signing identities (*.p12 *.pfx);;All files (*)")
        if source is None:
            return
        passphrase = dialogs.ask_passphrase(self, "Import signing identity", f"Passphrase for {source.name}:")
        if passphrase is None:
            return
        try:
            identity.import_identity(source, passphrase)
        except PlaceDeskError as exc:
            show_error(self, exc)
            return
        self._sign_with(passphrase)

    def _sign_with(self, passphrase: str) -> None:
        from placedesk.models import Agreement
        from placedesk.services.agreements import identity
        from placedesk.services.agreements.ipa import sign_agreement

        try:
            p12 = identity.read_identity(passphrase)
        except PlaceDeskError as exc:
            show_error(self, exc)
            return
        image = identity.signature_image() if self.handwritten.isChecked() else None
        agreement_id, officer = self.agreement_id, self.ctx.settings.officer

        def work() -> None:
            with self.ctx.action() as session:
                sign_agreement(session, session.get(Agreement, agreement_id), identity=p12, passphrase=passphrase,
                               officer=officer, now=dt.datetime.now(dt.timezone.utc), signature_image=image)

        self._run("Signing the agreement…", work, lambda _: None)

    def _handwritten_toggled(self, on: bool) -> None:
        from placedesk.services.agreements import identity

        if not on:
            return
        if identity.signature_image() is not None:
            return
        source = dialogs.choose_open_file(self, "Your handwritten signature", "Images (*.png *.jpg *.jpeg)")
        if source is None:
            self.handwritten.setChecked(False)
            return
        try:
            identity.save_signature_image(source)
        except PlaceDeskError as exc:
            self.handwritten.setChecked(False)
            show_error(self, exc)

    def export(self) -> None:
        """Write the officer-signed PDF to the shared-drive outbox or a chosen folder."""
        from placedesk.models import Agreement
        from placedesk.services.agreements.ipa import export_for_countersignature

        if self.agreement_id is None:
            return
        folder: Path | None = None
        shared = self.ctx.settings.shared_folder
        if shared:
            where = dialogs.choose(
                self, "Export for countersignature",
                f"Put the signed agreement in the shared-drive outbox ({Path(shared) / 'outbox'}), or in "
                "another folder?", [("outbox", "Put it in the outbox"), ("other", "Choose another folder…")],
                default="outbox")
            if where is None:
                return
            if where == "outbox":
                folder = Path(shared) / "outbox"
        if folder is None:
            folder = dialogs.choose_directory(self, "Folder for the file to send to the provider")
            if folder is None:
                return
        agreement_id = self.agreement_id

        def work() -> Path:
            with self.ctx.action() as session:
                return export_for_countersignature(session, session.get(Agreement, agreement_id), folder)

        run_task(self, "Exporting…", work,
                 lambda path: dialogs.inform(self, "Export for countersignature",
                                             f"Saved {path.name} in {path.parent}.\n\nSend it to the provider to "
                                             "sign in the empty Provider signature box (Adobe Reader or any "
                                             "PDF signing tool), then import the file they return."),
                 lambda exc: show_error(self, exc))

    def import_countersigned(self) -> None:
        """Check the provider's returned PDF and record it, or say exactly why it is refused."""
        from placedesk.models import Agreement
        from placedesk.services.agreements.ipa import CountersignatureRejected, import_countersigned

        if self.agreement_id is None:
            return
        source = dialogs.choose_open_file(self, "The countersigned agreement", "PDF files (*.pdf)")
        if source is None:
            return
        try:
            returned = source.read_bytes()
        except OSError as exc:
            dialogs.warn(self, "Import countersigned", f"{source} could not be read ({exc.strerror or exc}).")
            return
        agreement_id, today = self.agreement_id, self.today()

        def work() -> Any:
            with self.ctx.action() as session:
                return import_countersigned(session, session.get(Agreement, agreement_id), returned,
                                            today=today, now=dt.datetime.now(dt.timezone.utc))

        def done(result: Any) -> None:
            trust = ("" if result.trusted else "\n\nThe provider's certificate is not from an authority this laptop "
                     "trusts (normal for a self-made certificate); the signature itself is intact and valid.")
            dialogs.inform(self, "Countersignature accepted",
                           f"Countersigned by {result.signer_name} on "
                           f"{format_uk_time(result.signed_at)}.{trust}")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CountersignatureRejected):
                dialogs.warn(self, "Countersigned file refused", f"{exc}\n\nNothing was recorded.")
            else:
                show_error(self, exc)

        def finished(result: Any) -> None:
            self.shown_document = None
            self.ctx.notify(CHANGED)
            self.agreement_changed.emit()
            done(result)

        run_task(self, "Checking the signatures…", work, finished, failed)

    def print_agreement(self) -> None:
        """Print the PDF shown, through Qt's print dialog, to any installed printer."""
        pdf = self.viewer.pdf
        if pdf is None:
            return
        printer = self.printer_factory()
        if not run_print_dialog(printer, self):
            return
        dpi = PRINT_DPI
        run_task(self, "Preparing pages for the printer…", lambda: render_pages(pdf, dpi),
                 lambda images: self._print_pages(printer, images), lambda exc: show_error(self, exc))

    def _print_pages(self, printer: QPrinter, images: list[QImage]) -> None:
        painter = QPainter()
        if not painter.begin(printer):
            dialogs.warn(self, "Print", "The printer could not be started. Check it is switched on and try again.")
            return
        try:
            for number, image in enumerate(images):
                if number:
                    printer.newPage()
                area = painter.viewport()
                scaled = image.size().scaled(area.size(), Qt.KeepAspectRatio)
                painter.drawImage(QRect(area.x(), area.y(), scaled.width(), scaled.height()), image)
        finally:
            painter.end()


__all__ = ["AgreementPanel", "TermsDialog", "run_print_dialog"]
