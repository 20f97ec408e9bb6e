"""The referral wizard: the seven steps of DESIGN.md in one non-modal QWizard.

Child, Needs, Match, Send, Offers, Award, Agreement. A new referral starts
at Child; a saved one resumes at the page its status and last saved step
call for. Every page saves on Next (see :mod:`page_base`), so the officer can
close the window at any time and come back from the Referrals tab.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QWidget, QWizard

from placedesk.models.enums import ReferralStatus
from placedesk.ui.context import AppContext
from placedesk.ui.referrals.wizard.agreement_page import AgreementPage
from placedesk.ui.referrals.wizard.award_page import AwardPage
from placedesk.ui.referrals.wizard.child_page import ChildPage
from placedesk.ui.referrals.wizard.match_page import MatchPage
from placedesk.ui.referrals.wizard.needs_page import NeedsPage
from placedesk.ui.referrals.wizard.offers_page import OffersPage
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState, referral_in
from placedesk.ui.referrals.wizard.send_page import SendPage
from placedesk.ui.widgets.geometry import fit_to_screen

CHILD, NEEDS, MATCH, SEND, OFFERS, AWARD, AGREEMENT = range(7)
S = ReferralStatus


def resume_page(status: ReferralStatus, wizard_step: int) -> int:
    """The page a saved referral reopens at: where it was left, within what its status allows."""
    if status in (S.DRAFT, S.READY):
        return min(max(wizard_step, CHILD), SEND)
    if status is S.SENT:
        return OFFERS
    if status is S.OFFERS_RECEIVED:
        return min(max(wizard_step, OFFERS), AWARD)
    if status is S.WITHDRAWN:
        return min(wizard_step, AGREEMENT)
    return AGREEMENT


class ReferralWizard(QWizard):
    """The seven referral pages over one :class:`WizardState`."""

    def __init__(self, ctx: AppContext, referral_id: uuid.UUID | None, parent: QWidget | None = None,
                 today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.Window, True)
        self.setAttribute(Qt.WA_DeleteOnClose, False)
        self.setWizardStyle(QWizard.ClassicStyle)
        self.setOption(QWizard.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.HaveHelpButton, False)
        # On the Agreement page everything is saved: Close is the only way out.
        self.setOption(QWizard.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.FinishButton, "Close")
        self.state = WizardState(ctx, referral_id, today or dt.date.today())
        self.pages: list[ReferralPage] = [
            ChildPage(self.state), NeedsPage(self.state), MatchPage(self.state), SendPage(self.state),
            OffersPage(self.state), AwardPage(self.state), AgreementPage(self.state),
        ]
        for page in self.pages:
            self.setPage(page.step, page)
        # Sending and awarding cannot be undone from here: no Back after them.
        self.pages[SEND].setCommitPage(True)
        self.pages[SEND].setButtonText(QWizard.CommitButton, "Record as sent >")
        self.pages[AWARD].setCommitPage(True)
        self.pages[AWARD].setButtonText(QWizard.CommitButton, "Award >")
        self._titled_for: uuid.UUID | None = None
        self.currentIdChanged.connect(lambda _: self._update_title())
        self._buttons_after_pages()
        self.resume(self.start_page())
        self.setMinimumSize(760, 560)
        # 1040x780 where there is room; on a 1280x720 laptop it opens no taller than the screen.
        fit_to_screen(self, QSize(1040, 780))
        self._update_title()

    def _buttons_after_pages(self) -> None:
        """Tab reaches the page's fields first, then Back, Next (or its commit step) and Cancel.

        QWizard makes its buttons before the pages exist, so by default Tab went
        Next, Cancel, then the first field.
        """
        last: QWidget | None = None
        for page in self.pages:
            focusable = [w for w in page.findChildren(QWidget) if w.focusPolicy() & Qt.TabFocus]
            if focusable:
                last = focusable[-1]
        previous = last
        for which in (QWizard.BackButton, QWizard.NextButton, QWizard.CommitButton, QWizard.FinishButton,
                      QWizard.CancelButton):
            button = self.button(which)
            if previous is not None:
                QWidget.setTabOrder(previous, button)
            previous = button

    def start_page(self) -> int:
        if self.state.referral_id is None:
            return CHILD
        with self.state.ctx.read() as session:
            referral = referral_in(session, self.state.referral_id)
            page = resume_page(referral.status, referral.wizard_step)
            # Nothing to send until providers are chosen: reopen at the shortlist instead.
            if page == SEND and not referral.recipients:
                return MATCH
            return page

    def resume(self, page: int) -> None:
        """Open at ``page`` with the earlier pages in the history, so Back works as if they were just done.

        Walking forward loads each earlier page from the database but saves nothing again;
        Back stops at Send and Award, which cannot be undone from the wizard.
        """
        self.restart()
        self.state.resuming = True
        self.state.resume_target = page
        try:
            while self.currentId() < page:
                before = self.currentId()
                self.next()
                if self.currentId() == before:
                    break
        finally:
            self.state.resuming = False

    def _update_title(self) -> None:
        # The reference never changes once made: look it up only when the referral is new to the wizard.
        if self.state.referral_id is not None and self._titled_for != self.state.referral_id:
            with self.state.ctx.read() as session:
                self.setWindowTitle(f"Referral {referral_in(session, self.state.referral_id).ref}")
            self._titled_for = self.state.referral_id
        elif self.state.referral_id is None:
            self.setWindowTitle("New referral")

    def page_for(self, step: int) -> ReferralPage:
        return self.pages[step]


def open_referral_wizard(ctx: AppContext, referral_id: uuid.UUID | None, parent: QWidget | None) -> ReferralWizard:
    """Open the wizard (non-modal) for a new referral or resume a saved one; returns it."""
    wizard = ReferralWizard(ctx, referral_id, parent)
    wizard.show()
    wizard.raise_()
    wizard.activateWindow()
    return wizard
