"""Wizard step 5, Offers: each provider's response, recorded as it comes in, and the offers side by side.

Select a provider, choose Offer (fee lines, proposed start, conditions,
expiry) or Decline (a standard reason and notes), and press "Record
response": each response is saved at once, in its own transaction. The
comparison shows every offer's weekly and annual cost, each funding
partner's cost, Ofsted judgement, distance, match reasons and open CAPs.
"""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from placedesk.errors import EditConflict, NotFound, PlaceDeskError, ValidationError
from placedesk.models import Offer, Referral, ReferralRecipient
from placedesk.models.enums import DeclineReason, FundingPartner, OfferStatus, RecipientResponse
from placedesk.services.referrals.offers import (
    OfferComparison,
    compare_offers,
    describe_expiry,
    open_offers,
    record_decline,
    record_offer,
)
from placedesk.models.vocab import label
from placedesk.services.common.parsing import format_date, format_money, parse_date
from placedesk.services.referrals.intake import recipients
from placedesk.services.referrals.wizard_drafts import finish_offers
from placedesk.ui.widgets.fee_lines_editor import FeeLinesEditor
from placedesk.ui.widgets.field_error import FieldForm
from placedesk.ui.widgets.rows_model import Row, RowsModel
from placedesk.ui.referrals.wizard.match_page import START_DELAY_MS, table
from placedesk.ui.tasks import run_task
from placedesk.ui.widgets.combo import enum_data, set_combo_data
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState, referral_in
from placedesk.ui.referrals.wizard.needs_page import summary_box

OFFER, DECLINE = "offer", "decline"


def open_offer_of(recipient_id: uuid.UUID, referral: Referral) -> Offer | None:
    """The recipient's open offer, if it has one."""
    return next((offer for offer in open_offers(referral) if offer.recipient_id == recipient_id), None)


class OffersPage(ReferralPage):
    step = 4
    changes = ("referral", "referral_recipient", "offer", "offer_fee_line")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "5. Offers",
                         "Record each provider's answer as it arrives: an offer with its weekly fee lines, or a "
                         "decline with the reason. Compare the offers below, then press Next to award one.")
        self.recipients = RowsModel(["Provider", "Response", "Weekly fee", "Proposed start", "Expires"],
                                    numeric_columns=(2,))
        self.recipient_view = table(self.recipients)
        self.recipient_view.setAccessibleName("Providers sent the referral and their responses")
        self.recipient_view.setMinimumHeight(90)
        self.recipient_view.setMaximumHeight(170)
        self.recipient_view.selectionModel().selectionChanged.connect(lambda *_: self._recipient_chosen())
        self.body_layout.addWidget(self.recipient_view)

        self.response_form = FieldForm()
        self._forms.append(self.response_form)
        self.provider_label = QLabel("Select a provider above.")
        self.response_form.form.addRow("Provider", self.provider_label)
        self.kind = QComboBox()
        self.kind.addItem("Offer", OFFER)
        self.kind.addItem("Decline", DECLINE)
        self.response_form.add("response", "Response", self.kind)
        self.responded_on = self.response_form.add("responded_on", "Received on *", DateField())

        self.offer_form = FieldForm()
        self.fee_lines = FeeLinesEditor()
        self.offer_form.add("fee_lines", "Weekly fee lines *", self.fee_lines)
        self.proposed_start = self.offer_form.add("proposed_start", "Proposed start *", DateField())
        self.expires_on = self.offer_form.add("expires_on", "Offer expires", DateField())
        self.conditions = self.offer_form.add("conditions", "Conditions", summary_box("Any conditions of the offer"))
        self.needs_met = QTableWidget(0, 2)
        self.needs_met.setHorizontalHeaderLabels(["Need or risk", "How the provider will meet it"])
        self.needs_met.verticalHeader().setVisible(False)
        self.needs_met.horizontalHeader().setStretchLastSection(True)
        self.needs_met.setColumnWidth(0, 200)
        self.needs_met.setMinimumHeight(110)
        self.offer_form.add("needs_met", "How needs are met", self.needs_met,
                            "As the provider says in its offer; carried into the agreement")
        self._needs: list[tuple[str, str]] = []
        self._forms.append(self.offer_form)

        self.decline_form = FieldForm()
        self.decline_reason = QComboBox()
        self.decline_reason.addItem("Choose the reason…", None)
        for reason in DeclineReason:
            self.decline_reason.addItem(reason.label, reason)
        self.decline_form.add("decline_reason", "Reason *", self.decline_reason)
        self.decline_notes = self.decline_form.add("decline_notes", "Notes", summary_box("What the provider said"))
        self._forms.append(self.decline_form)

        # Only the chosen response's form is shown, each at its own height.
        self.kind.currentIndexChanged.connect(lambda _: self._show_response_form())
        self.record_button = QPushButton("Record response")
        self.record_button.clicked.connect(self.record_response)
        self.recorded_label = QLabel()
        self.recorded_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.record_button)
        row.addWidget(self.recorded_label, 1)
        response_tab = QWidget()
        response_layout = QVBoxLayout(response_tab)
        response_layout.addWidget(self.response_form)
        response_layout.addWidget(self.offer_form)
        response_layout.addWidget(self.decline_form)
        self._show_response_form()
        response_layout.addLayout(row)
        response_layout.addStretch(1)

        self.comparison_note = QLabel()
        self.comparison = QTableWidget()
        self.comparison.setAccessibleName("Offers side by side")
        self.comparison.setEditTriggers(QTableWidget.NoEditTriggers)
        self.comparison.setWordWrap(True)
        self.comparison.setMinimumHeight(220)
        compare_tab = QWidget()
        compare_layout = QVBoxLayout(compare_tab)
        compare_layout.addWidget(self.comparison_note)
        compare_layout.addWidget(self.comparison, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(response_tab, "Record a response")
        self.tabs.addTab(compare_tab, "Compare offers")
        self.body_layout.addWidget(self.tabs, 1)
        self._set_response_enabled(False)
        self._names: dict[uuid.UUID, str] = {}
        self._generation = 0
        self._deferred = False

    # --- loading ---------------------------------------------------------------------
    def load(self, session: Session) -> None:
        self.responded_on.setText(format_date(self.state.today))
        self._reload(session)
        if self.recipients.rowCount():
            self.recipient_view.selectRow(0)

    def _reload(self, session: Session) -> None:
        referral = self.referral(session)
        self._needs = [(code, label(code)) for code in (*referral.needs, *referral.risks)]
        self._names = {}
        rows = []
        for recipient in recipients(session, referral):
            self._names[recipient.recipient_id] = recipient.provider_name
            offer = open_offer_of(recipient.recipient_id, referral)
            rows.append(Row([
                recipient.provider_name, recipient.response,
                format_money(offer.weekly_total_pence) if offer else "",
                format_date(offer.proposed_start_date) if offer else "",
                (format_date(offer.expires_on) if offer.expires_on else "No expiry") if offer else "",
            ], key=recipient.recipient_id))
        selected = self.selected_recipient()
        self.recipients.set_rows(rows)
        self.recipient_view.resizeColumnsToContents()
        if selected is not None:
            self.recipient_view.selectRow(self.recipients.row_of(selected))
        self.comparison_note.setText("Comparing the offers…")
        self.comparison_note.show()
        if self.state.passing_through(self.step):
            # Reopened further on: compare only if the officer comes back to this page.
            self._deferred = True
            return
        self._schedule_compare()

    def _schedule_compare(self) -> None:
        # Draw the page first, then compare: the comparison re-ranks providers in a thread.
        self._deferred = False
        self._generation += 1
        generation = self._generation
        QTimer.singleShot(START_DELAY_MS, self, lambda: self._compare() if generation == self._generation else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._deferred:
            self._schedule_compare()

    def _compare(self) -> None:
        """Build the side-by-side comparison in the background (it re-ranks the providers for fit)."""
        ctx, referral_id, today = self.ctx, self.state.referral_id, self.state.today
        self._generation += 1
        generation = self._generation

        def work() -> list[OfferComparison]:
            with ctx.read() as session:
                return compare_offers(session, referral_in(session, referral_id), today=today)

        def done(rows: list[OfferComparison]) -> None:
            if generation == self._generation:
                self.comparison_note.hide()
                self._fill_comparison(rows)

        def failed(exc: BaseException) -> None:
            self.comparison_note.setText(f"The offers could not be compared: {exc}")

        run_task(self, "Comparing offers…", work, done, failed)

    def _fill_comparison(self, offers: list[OfferComparison]) -> None:
        self.tabs.setTabText(1, f"Compare offers ({len(offers)})")
        self.comparison.clear()
        if not offers:
            self.comparison.setRowCount(1)
            self.comparison.setColumnCount(1)
            self.comparison.setHorizontalHeaderLabels(["No offers yet"])
            self.comparison.setVerticalHeaderLabels([""])
            self.comparison.setItem(0, 0, QTableWidgetItem("Offers appear here, cheapest first, as you record them."))
            self.comparison.setColumnWidth(0, 420)
            return
        partners = [p for p in FundingPartner if any(p in o.partner_weekly_pence for o in offers)]
        aspects: list[tuple[str, list[str]]] = [
            ("Weekly total", [format_money(o.weekly_total_pence) for o in offers]),
            ("Annual cost (52 weeks)", [format_money(o.annual_cost_pence) for o in offers]),
            *[(f"{partner.label} pays", [format_money(o.partner_weekly_pence.get(partner)) + " a week"
                                          if partner in o.partner_weekly_pence else "" for o in offers])
              for partner in partners],
            ("Budget", ["" if o.within_budget is None else "Within budget" if o.within_budget else "Over budget"
                        for o in offers]),
            ("Fee lines", ["\n".join(f"{kind.label}: {format_money(pence)}" + (f" ({text})" if text != kind.label
                                                                                else "")
                                      for kind, text, pence in o.fee_lines) for o in offers]),
            ("Proposed start", [format_date(o.proposed_start) for o in offers]),
            ("Expiry", [describe_expiry(o) for o in offers]),
            ("Conditions", [o.conditions or "None" for o in offers]),
            ("Ofsted", [o.ofsted_judgement.label for o in offers]),
            ("Distance", [f"{o.distance_km:.1f} km" if o.distance_km is not None else "Not known" for o in offers]),
            ("Contract", [o.contract_route.label for o in offers]),
            ("Open CAPs", [str(o.open_caps) for o in offers]),
            ("Match score", [f"{o.match_score:g}" if o.match_score is not None else "" for o in offers]),
            ("Match reasons", ["\n".join(o.match_reasons) for o in offers]),
        ]
        if any(o.excluded_reason for o in offers):
            aspects.insert(0, ("Cannot be awarded", [o.excluded_reason for o in offers]))
        self.comparison.setColumnCount(len(offers))
        self.comparison.setRowCount(len(aspects))
        self.comparison.setHorizontalHeaderLabels([o.provider_name for o in offers])
        self.comparison.setVerticalHeaderLabels([label for label, _ in aspects])
        for r, (_, values) in enumerate(aspects):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                item.setTextAlignment(Qt.AlignLeft | Qt.AlignTop)
                self.comparison.setItem(r, c, item)
        for c in range(len(offers)):
            self.comparison.setColumnWidth(c, 260)
        self.comparison.resizeRowsToContents()

    # --- one response ---------------------------------------------------------------------
    def selected_recipient(self) -> uuid.UUID | None:
        rows = self.recipient_view.selectionModel().selectedRows()
        key = self.recipients.key(rows[0].row()) if rows else None
        return key if isinstance(key, uuid.UUID) else None

    def select_provider(self, name: str) -> None:
        """Select the recipient row for the provider called ``name`` (as a click does)."""
        for row, item in enumerate(self.recipients.rows()):
            if item.values[0] == name:
                self.recipient_view.selectRow(row)
                return
        raise KeyError(name)

    def _show_response_form(self) -> None:
        offering = self.kind.currentData() == OFFER
        self.offer_form.setVisible(offering)
        self.decline_form.setVisible(not offering)

    def _set_response_enabled(self, enabled: bool) -> None:
        for widget in (self.kind, self.responded_on, self.offer_form, self.decline_form, self.record_button):
            widget.setEnabled(enabled)

    def _recipient_chosen(self) -> None:
        recipient_id = self.selected_recipient()
        self._set_response_enabled(recipient_id is not None)
        self.recorded_label.clear()
        if recipient_id is None:
            self.provider_label.setText("Select a provider above.")
            return
        self.provider_label.setText(f"<b>{escape(self._names.get(recipient_id, ''))}</b>")
        self.kind.setCurrentIndex(0)
        self.fee_lines.set_lines([])
        self.proposed_start.clear()
        self.expires_on.clear()
        self.conditions.clear()
        self._fill_needs({})
        self.decline_reason.setCurrentIndex(0)
        self.decline_notes.clear()
        self.responded_on.setText(format_date(self.state.today))
        with self.ctx.read(self.baseline) as session:
            recipient = session.get(ReferralRecipient, recipient_id)
            if recipient is not None:
                self._show_recorded(recipient)

    def _show_recorded(self, recipient: ReferralRecipient) -> None:
        """Fill the form with the response already recorded, so a revision starts from it."""
        if recipient.responded_on is not None:
            self.responded_on.setText(format_date(recipient.responded_on))
        if recipient.response is RecipientResponse.DECLINED:
            set_combo_data(self.kind, DECLINE)
            set_combo_data(self.decline_reason, recipient.decline_reason)
            self.decline_notes.setPlainText(recipient.decline_notes)
            self.recorded_label.setText("Declined. Recording again replaces this response.")
            return
        offer = next((o for o in recipient.offers if o.status is OfferStatus.OPEN), None)
        if offer is None:
            return
        self.fee_lines.set_lines([(line.kind, line.description, line.weekly_amount_pence)
                                  for line in offer.fee_lines])
        self.proposed_start.setText(format_date(offer.proposed_start_date))
        self.expires_on.setText(format_date(offer.expires_on))
        self.conditions.setPlainText(offer.conditions)
        self._fill_needs(offer.needs_met or {})
        self.recorded_label.setText("Offer recorded. Recording again replaces it with the revised offer.")

    def _fill_needs(self, answers: dict[str, str]) -> None:
        """One row per need and risk of the referral, with the provider's answer where recorded."""
        self.needs_met.setRowCount(0)
        for code, text in self._needs:
            row = self.needs_met.rowCount()
            self.needs_met.insertRow(row)
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            item.setData(Qt.UserRole, code)
            self.needs_met.setItem(row, 0, item)
            self.needs_met.setItem(row, 1, QTableWidgetItem(answers.get(code, "")))

    def typed_needs_met(self) -> dict[str, str]:
        """What was typed against each need or risk code."""
        answers = {}
        for row in range(self.needs_met.rowCount()):
            code = self.needs_met.item(row, 0).data(Qt.UserRole)
            cell = self.needs_met.item(row, 1)
            if cell is not None and cell.text().strip():
                answers[code] = cell.text().strip()
        return answers

    def _optional_date(self, widget: QLineEdit, field: str) -> Any:
        text = widget.text().strip()
        return parse_date(text, field) if text else None

    def record_response(self) -> None:
        """Save the selected provider's offer or decline in its own transaction."""
        self.clear_errors()
        recipient_id = self.selected_recipient()
        if recipient_id is None:
            self.show_error(None, "Select the provider whose response you are recording.")
            return
        try:
            text = self.responded_on.text().strip()
            if not text:
                raise ValidationError("Type the date the response came, as dd/mm/yyyy.", "responded_on")
            responded_on = parse_date(text, "responded_on")
            if responded_on > self.state.today:
                raise ValidationError("The response cannot have come in the future: check the date.", "responded_on")
            if self.kind.currentData() == OFFER:
                lines = self.fee_lines.lines("fee_lines")
                start = self._optional_date(self.proposed_start, "proposed_start")
                expires = self._optional_date(self.expires_on, "expires_on")
                conditions = self.conditions.toPlainText().strip()
                with self.ctx.action(self.baseline) as session:
                    # The date it came in is the day the offer is recorded as received.
                    record_offer(session, self._recipient(session, recipient_id), lines, start, conditions,
                                 expires, today=responded_on, needs_met=self.typed_needs_met())
            else:
                reason = enum_data(self.decline_reason, DeclineReason)
                if reason is None:
                    raise ValidationError("Choose why the provider declined.", "decline_reason")
                with self.ctx.action(self.baseline) as session:
                    record_decline(session, self._recipient(session, recipient_id), reason,
                                   self.decline_notes.toPlainText().strip(), today=responded_on)
        except EditConflict as exc:
            if self.resolve_conflict(exc):
                self.record_response()
            return
        except ValidationError as exc:
            self.show_error(exc.field, str(exc))
            return
        except PlaceDeskError as exc:
            self.show_error(None, str(exc))
            return
        self.ctx.notify(self.changes)
        name = self._names.get(recipient_id, "")
        with self.ctx.read() as session:
            self._reload(session)
        self.recorded_label.setText(f"Recorded the response from {name}.")

    @staticmethod
    def _recipient(session: Session, recipient_id: uuid.UUID) -> ReferralRecipient:
        recipient = session.get(ReferralRecipient, recipient_id)
        if recipient is None:
            raise NotFound("That provider is no longer on this referral: reopen the referral.")
        return recipient

    def save(self, session: Session) -> None:
        finish_offers(session, self.referral(session))
