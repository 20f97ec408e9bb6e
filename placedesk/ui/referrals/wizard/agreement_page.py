"""Wizard step 7, Agreement: the placement record the award made, and its agreement (IPA).

Shows the placement (provider, start, weekly fee and each partner's share),
and hands over to the reusable
:class:`~placedesk.ui.agreements.agreement_panel.AgreementPanel`: the IPA on screen
with Issue, Sign, Print, Export, Import countersigned and New version.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel
from sqlalchemy.orm import Session

from placedesk.models.enums import FundingPartner
from placedesk.services.common.parsing import format_date, format_money, format_percent
from placedesk.services.referrals.workflow import active_placement
from placedesk.ui.widgets.palette import note_style
from placedesk.ui.agreements.agreement_panel import AgreementPanel
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState


class AgreementPage(ReferralPage):
    step = 6
    changes = ("referral",)

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "7. Agreement",
                         "The award made this placement. Its Individual Placement Agreement (IPA) is issued, "
                         "signed and countersigned from here.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(note_style("#eef4ff"))
        self.panel = AgreementPanel(state.ctx, today=lambda: state.today)
        self.panel.setMinimumHeight(420)
        self.body_layout.addWidget(self.summary)
        self.body_layout.addWidget(self.panel, 1)
        self.setFinalPage(True)

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        placement = active_placement(session, referral)
        self.panel.show_placement(placement.id if placement is not None else None)
        self.panel.setVisible(placement is not None)
        if placement is None:
            self.summary.setText("There is no placement yet: go back and award an offer.")
            return
        lines = ", ".join(
            f"{line.kind.label}"
            + (f" ({escape(line.description)})" if line.description and line.description != line.kind.label else "")
            + f" {format_money(line.weekly_amount_pence)}"
            + (f" funded by {line.funded_by.label.lower()}" if line.funded_by.partner else "")
            for line in placement.fee_lines)
        order = list(FundingPartner)
        shares = ", ".join(f"{share.partner.label} "
                           f"{format_percent(share.share_bp) if share.share_bp else 'own lines only'} "
                           f"({format_money(share.weekly_amount_pence)})"
                           for share in sorted(placement.funding_shares, key=lambda s: order.index(s.partner)))
        self.summary.setText(
            f"<b>Placement {placement.ref}</b> with <b>{escape(placement.provider.name)}</b>, starting "
            f"{format_date(placement.start_date)}.<br>Weekly fee <b>{format_money(placement.weekly_total_pence)}</b>"
            + (f": {lines}" if lines else "") + (f".<br>Funding: {shares}." if shares else "."))

    def validatePage(self) -> bool:
        # Finishing only closes the wizard: the award already saved everything.
        return True
