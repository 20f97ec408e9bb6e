"""Wizard step 7, Agreement: the placement record the award made, and its agreement (IPA).

Shows the placement (provider, start, weekly fee and each partner's share)
and says where the agreement stands. Issuing, signing and importing the
countersigned IPA happen in the agreement panel of the IPA screens.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel
from sqlalchemy.orm import Session

from placedesk.models import Placement
from placedesk.models.enums import AgreementStatus, FundingPartner
from placedesk.services.agreements import current_agreement
from placedesk.services.parsing import format_date, format_money, format_percent
from placedesk.services.workflow import active_placement
from placedesk.ui.wizard.page_base import ReferralPage, WizardState


class AgreementPage(ReferralPage):
    step = 6
    changes = ("referral",)

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "7. Agreement",
                         "The award made this placement. Its Individual Placement Agreement (IPA) is issued, "
                         "signed and countersigned from here.")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("background: #eef4ff; padding: 8px; border-radius: 3px;")
        self.body_layout.addWidget(self.summary)
        self.body_layout.addWidget(self.status)
        self.body_layout.addStretch(1)
        self.setFinalPage(True)

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        placement = active_placement(session, referral)
        if placement is None:
            self.summary.setText("There is no placement yet: go back and award an offer.")
            self.status.setText("")
            return
        lines = "".join(
            f"<li>{line.kind.label}"
            + (f" ({escape(line.description)})" if line.description and line.description != line.kind.label else "")
            + f": {format_money(line.weekly_amount_pence)}</li>" for line in placement.fee_lines)
        order = list(FundingPartner)
        shares = "".join(f"<li>{share.partner.label}: {format_percent(share.share_bp)}, "
                         f"{format_money(share.weekly_amount_pence)} a week</li>"
                         for share in sorted(placement.funding_shares, key=lambda s: order.index(s.partner)))
        self.summary.setText(
            f"<p><b>Placement {placement.ref}</b> with <b>{escape(placement.provider.name)}</b>, "
            f"starting {format_date(placement.start_date)}.</p>"
            f"<p>Weekly fee {format_money(placement.weekly_total_pence)}:</p><ul>{lines}</ul>"
            f"<p>Funding:</p><ul>{shares}</ul>")
        self.status.setText(self._agreement_text(session, placement))

    @staticmethod
    def _agreement_text(session: Session, placement: Placement) -> str:
        agreement = current_agreement(session, placement.id)
        if agreement is None:
            return ("<b>Agreement pending.</b> The IPA for this placement has not been issued yet: issue it, "
                    "sign it and send it to the provider for countersignature.")
        state = {
            AgreementStatus.DRAFT: "issued, not yet signed by you",
            AgreementStatus.OFFICER_SIGNED: "signed by you, waiting for the provider's countersignature",
            AgreementStatus.COUNTERSIGNED: "countersigned by the provider",
            AgreementStatus.SUPERSEDED: "superseded",
        }[agreement.status]
        return f"<b>IPA {agreement.ref}</b>, version {agreement.version_number}: {state}."

    def validatePage(self) -> bool:
        # Finishing only closes the wizard: the award already saved everything.
        return True
