"""Wizard step 6, Award: the chosen offer, the negotiated fee, who pays what, why, and who approved it.

The fee lines start as the offer's and can be changed after negotiation.
Each line is funded by one partner alone or shared by the agreed shares, and
each funding partner's weekly money is shown penny-exact as the fee, who funds
each line or the shares change (placedesk.services.referrals.funding.split_by_element). Choosing a spot
provider over framework ones needs a reason. On Next the award is made and
the placement record created.
"""

from __future__ import annotations

import uuid
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from sqlalchemy.orm import Session

from placedesk.errors import NotFound, ValidationError
from placedesk.models import Offer
from placedesk.models.enums import AwardReason
from placedesk.services.referrals.award import AwardProposal, award, award_proposal
from placedesk.services.referrals.offers import open_offers
from placedesk.services.common.labels import provider_label
from placedesk.services.common.parsing import format_date, format_money, parse_date
from placedesk.ui.widgets.fee_lines_editor import FeeLinesEditor
from placedesk.ui.widgets.shares_editor import SharesEditor
from placedesk.ui.referrals.wizard.needs_page import summary_box
from placedesk.ui.widgets.combo import enum_data, set_combo_data
from placedesk.ui import dialogs
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState


class AwardPage(ReferralPage):
    step = 5
    changes = ("referral", "offer", "placement", "placement_fee_line", "placement_funding_share", "provider")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "6. Award",
                         "Choose the offer to accept, record the fee as negotiated and who pays what, and say why "
                         "this offer and who approved it.")
        choice = self.add_form("The offer")
        self.offer = QComboBox()
        self.offer.currentIndexChanged.connect(lambda _: self._offer_chosen())
        choice.add("offer", "Offer accepted *", self.offer)
        self.offer_note = QLabel()
        self.offer_note.setWordWrap(True)
        choice.form.addRow("", self.offer_note)
        self.start_date = choice.add("start_date", "Placement starts *", DateField())

        fee = self.add_form("Negotiated fee and funding")
        self.fee_lines = FeeLinesEditor(show_funding=True)
        self.fee_lines.changed.connect(self._fee_changed)
        fee.add("fee_lines", "Weekly fee lines *", self.fee_lines, "Starts as the offer; change any line agreed "
                "in negotiation; a line one partner pays for alone says so")
        self.shares = SharesEditor(show_money=True)
        fee.add("funding", "Funding split *", self.shares, "Shares of the shared lines; weekly money per partner "
                "includes the lines it funds alone, rounded so it adds up to the penny (largest remainder)")

        why = self.add_form("Decision")
        self.reason = QComboBox()
        self.reason.addItem("Choose the main reason…", None)
        for reason in AwardReason:
            self.reason.addItem(reason.label, reason)
        why.add("award_reason", "Main reason *", self.reason)
        self.justification = why.add("justification", "Justification *",
                                     summary_box("Why this offer: value, quality, proximity, needs met"))
        self.spot_reason = why.add("spot_reason", "Why spot over framework",
                                   summary_box("Needed when a spot provider is chosen over framework ones"))
        self.approved_by = why.add("approved_by", "Approved by *", QLineEdit(),
                                   "Name and role of the manager who approved it; recorded with today's date")
        self.body_layout.addStretch(1)
        self._offers: dict[uuid.UUID, tuple[AwardProposal, str]] = {}

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        self._offers = {}
        self.offer.blockSignals(True)
        self.offer.clear()
        self.offer.addItem("Choose an offer…", None)
        for offer in sorted(open_offers(referral), key=lambda o: (o.weekly_total_pence, o.recipient.provider.name)):
            provider = offer.recipient.provider
            note = (f"{provider_label(provider)}: {provider.contract_route.label}, Ofsted {provider.ofsted_judgement.label}, "
                    f"offered {format_money(offer.weekly_total_pence)} a week"
                    + (f"; conditions: {offer.conditions}" if offer.conditions else "") + ".")
            self._offers[offer.id] = (award_proposal(referral, offer), note)
            self.offer.addItem(f"{provider_label(provider)} — {format_money(offer.weekly_total_pence)} a week",
                               offer.id)
        self.offer.blockSignals(False)
        self.shares.set_shares({share.partner: share.share_bp for share in referral.funding_shares})
        if self.offer.count() == 2:
            self.offer.setCurrentIndex(1)
            set_combo_data(self.reason, AwardReason.ONLY_OFFER)
        else:
            self._offer_chosen()

    def _offer_chosen(self) -> None:
        offer_id = self.offer.currentData()
        chosen = self._offers.get(offer_id) if offer_id else None
        if chosen is None:
            self.offer_note.setText("")
            self.fee_lines.set_lines([])
            self.start_date.clear()
            self._fee_changed()
            return
        proposal, note = chosen
        self.fee_lines.set_lines(proposal.fee_lines, proposal.funded_by)
        self.shares.set_shares(proposal.shares_bp)
        self.start_date.setText(format_date(proposal.start_date))
        self.offer_note.setText(note)
        self.spot_reason.setPlaceholderText(
            "Required: this is a spot provider and framework or DPV offers are open"
            if proposal.needs_spot_reason else "Only needed when a spot provider is chosen over framework ones")
        self._fee_changed()

    def _fee_changed(self) -> None:
        self.shares.set_lines(self.fee_lines.funded_amounts())

    def confirm_step(self) -> bool:
        """Name the consequence of awarding before it happens: it cannot be undone here."""
        if self.offer.currentData() is None:
            raise ValidationError("Choose the offer you are accepting.", "offer")
        return dialogs.confirm(
            self, "Award the placement",
            f"Award the placement to {self.offer.currentText()}?\n\nThis cannot be undone: the other offers "
            "are declined, a placement is created and its agreement can be issued.", "Award")

    def save(self, session: Session) -> None:
        offer_id = self.offer.currentData()
        if offer_id is None:
            raise ValidationError("Choose the offer you are accepting.", "offer")
        start = self.start_date.text().strip()
        if not start:
            raise ValidationError("Type the date the placement starts, as dd/mm/yyyy.", "start_date")
        start_date = parse_date(start, "start_date")
        lines = self.fee_lines.lines("fee_lines")
        shares = self.shares.shares("funding")
        reason = enum_data(self.reason, AwardReason)
        if reason is None:
            raise ValidationError("Choose the main reason for this award.", "award_reason")
        offer = session.get(Offer, offer_id)
        if offer is None:
            raise NotFound("That offer no longer exists: go back to Offers and check it.")
        spot_reason = self.spot_reason.toPlainText().strip()
        award(session, self.referral(session), offer, lines, shares, reason, self.justification.toPlainText(),
              self.approved_by.text(), start_date, today=self.state.today, spot_reason=spot_reason or None,
              laptop_id=self.ctx.settings.laptop_id or None, funded_by=self.fee_lines.funding())
