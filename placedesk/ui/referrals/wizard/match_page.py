"""Wizard step 3, Match: the ranked shortlist with the reason for every score, and who is left out.

The officer ticks the providers the referral goes to. Each ranked row's
tooltip (and the panel under the table) lists its reasons; excluded
providers are listed with theirs on their own tab; when no postcode
location table has been imported the proximity note says how proximity
was judged instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import OfstedJudgement
from placedesk.services.referrals.matching import MatchResult, match_referral
from placedesk.services.common.settings import require_pack_profile
from placedesk.services.referrals.intake import choose_recipients
from placedesk.ui.widgets.palette import note_style, signal
from placedesk.ui.tasks import run_task
from placedesk.ui.widgets.field_error import FieldError
from placedesk.ui.widgets.rows_model import Row, RowsModel
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState, referral_in

# The shortlist shows this many rows at first; the rest are one click away.
FIRST_ROWS = 60
START_DELAY_MS = 40
AMBER = signal("#a15c00")


def table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    view.setWordWrap(False)
    # Size columns from the first rows only: thousands of excluded providers must not stall the page.
    view.horizontalHeader().setResizeContentsPrecision(40)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    return view


class MatchPage(ReferralPage):
    step = 2
    save_on_back = True
    # Saving rechecks only the chosen providers against today's suspensions and sanctions,
    # using the shortlist on screen, so it is quick enough for the GUI thread.
    changes = ("referral", "referral_recipient")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "3. Match",
                         "Tick the providers to send the referral to. Hover over a row, or select it, "
                         "to see why it scored as it did.")
        self.result: MatchResult | None = None
        self._chosen: list[uuid.UUID] = []
        self._generation = 0
        self._deferred = False
        self._show_all = False
        self.proximity_note = QLabel()
        self.proximity_note.setWordWrap(True)
        self.proximity_note.setStyleSheet(note_style("#fff4e0"))
        self.shortlist = RowsModel(
            ["Send", "Rank", "Provider", "Score", "Type", "Ofsted", "Route", "Vacancies", "Distance", "Open CAPs"],
            checkable=True, numeric_columns=(1, 3, 7, 8, 9))
        self.shortlist_view = table(self.shortlist)
        self.shortlist_view.setAccessibleName("Shortlist: tick the providers to send the referral to")
        self.shortlist_view.selectionModel().selectionChanged.connect(lambda *_: self._show_reasons())
        self.shortlist.checks_changed.connect(self._update_count)
        self.reasons = QPlainTextEdit()
        self.reasons.setReadOnly(True)
        self.reasons.setAccessibleName("Why this score")
        self.reasons.setPlaceholderText("Select a provider to see the reasons for its score.")
        self.reasons.setMaximumHeight(150)
        self.chosen_label = QLabel()
        self.show_all_button = QPushButton()
        self.show_all_button.setAccessibleName("Show every ranked provider, or only the first")
        self.show_all_button.clicked.connect(self._toggle_all)
        self.beyond_limit = QCheckBox("Also show providers beyond the limit")
        self.beyond_limit.setAccessibleName("Also show providers beyond the maximum distance")
        self.beyond_limit.setToolTip("Rank providers further than the referral's maximum distance too, "
                                     "with the distance penalty, instead of listing them under Excluded")
        self.beyond_limit.toggled.connect(lambda _: self._rank())
        self.excluded = RowsModel(["Provider", "Reference", "Why it is excluded"])
        self.excluded_view = table(self.excluded)
        self.excluded_view.setAccessibleName("Excluded providers and why")
        ranked_tab = QWidget()
        ranked_layout = QVBoxLayout(ranked_tab)
        ranked_layout.addWidget(self.shortlist_view, 3)
        ranked_layout.addWidget(QLabel("Why this score:"))
        ranked_layout.addWidget(self.reasons, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(ranked_tab, "Shortlist")
        self.tabs.addTab(self.excluded_view, "Excluded")
        self.choice_error = FieldError()
        self.register_field("providers", self.shortlist_view, self.choice_error)
        bar = QHBoxLayout()
        bar.addWidget(self.chosen_label, 1)
        bar.addWidget(self.beyond_limit)
        bar.addWidget(self.show_all_button)
        self.body_layout.addWidget(self.proximity_note)
        self.body_layout.addWidget(self.tabs, 1)
        self.body_layout.addWidget(self.choice_error)
        self.body_layout.addLayout(bar)

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        self._chosen = [recipient.provider_id for recipient in referral.recipients]
        self._show_all = False
        self.result = None
        self.shortlist.set_rows([])
        self.excluded.set_rows([])
        self.reasons.clear()
        self.show_all_button.hide()
        self.proximity_note.setText("Ranking every provider in the directory for this referral…")
        self.proximity_note.show()
        if self.state.passing_through(self.step):
            # Reopened further on: rank only if the officer comes back to this page.
            self._deferred = True
            return
        self._schedule_rank()

    def _schedule_rank(self) -> None:
        # Draw the page first, then rank: the ranking thread competes with painting.
        self._deferred = False
        self._generation += 1
        generation = self._generation
        QTimer.singleShot(START_DELAY_MS, self, lambda: self._rank() if generation == self._generation else None)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._deferred:
            self._schedule_rank()

    def _rank(self) -> None:
        """Run the matcher in the background (it reads the whole directory) and fill the tables when done."""
        ctx, referral_id, today = self.ctx, self.state.referral_id, self.state.today
        beyond = self.beyond_limit.isChecked()
        if self.result is not None:
            self._chosen = self.chosen()
        self._generation += 1
        generation = self._generation

        def work() -> MatchResult:
            with ctx.read() as session:
                return match_referral(session, referral_in(session, referral_id), today=today,
                                      include_beyond_limit=beyond)

        def done(result: MatchResult) -> None:
            # A later load (Back then Next) wins over an older ranking still in flight.
            if generation == self._generation:
                self.result = result
                self._fill()

        def failed(exc: BaseException) -> None:
            self.proximity_note.hide()
            self.show_error(None, f"The shortlist could not be made: {exc}")

        run_task(self, "Ranking providers…", work, done, failed)

    def _fill(self) -> None:
        result = self.result
        if result is None:
            return
        note = result.proximity_note
        self.proximity_note.setText(note)
        self.proximity_note.setVisible(bool(note))
        keep = self._chosen
        ranked = result.ranked if self._show_all else result.ranked[:FIRST_ROWS]
        # Providers already chosen stay visible even when they rank below the first rows.
        shown_ids = {row.provider_id for row in ranked}
        ranked = ranked + [row for row in result.ranked if row.provider_id in keep and row.provider_id not in shown_ids]
        wanted = {row.provider_id for row in ranked}
        rows = []
        for rank, row in enumerate(result.ranked, start=1):
            if row.provider_id not in wanted:
                continue
            colours = {}
            if row.ofsted_judgement is OfstedJudgement.REQUIRES_IMPROVEMENT:
                colours[5] = AMBER
            rows.append(Row(
                ["", rank, row.provider_label, f"{row.score:g}",
                 row.provider_type.label, row.ofsted_judgement.label, row.contract_route.label, row.vacancies,
                 (f"{row.distance_km:.1f} km" + (" (beyond the maximum)" if row.beyond_maximum else ""))
                 if row.distance_km is not None else "", row.open_caps],
                key=row.provider_id, tooltip="\n".join(row.reasons), colours=colours))
        self.shortlist.set_rows(rows, checked=keep)
        self.excluded.set_rows([Row([e.provider_label, e.provider_ref, e.reason], key=e.provider_id)
                                for e in result.excluded])
        self.tabs.setTabText(0, f"Shortlist ({len(result.ranked):,})")
        self.tabs.setTabText(1, f"Excluded ({len(result.excluded):,})")
        hidden = len(result.ranked) - len(rows)
        self.show_all_button.setVisible(len(result.ranked) > FIRST_ROWS)
        self.show_all_button.setText("Show the top rows only" if self._show_all else f"Show all ({hidden:,} more)")
        self.shortlist_view.resizeColumnsToContents()
        self.shortlist_view.setColumnWidth(2, min(self.shortlist_view.columnWidth(2), 340))
        self.excluded_view.resizeColumnsToContents()
        self.excluded_view.setColumnWidth(0, min(self.excluded_view.columnWidth(0), 340))
        self.reasons.clear()
        if not result.ranked:
            self.reasons.setPlainText(
                "No provider can take this referral: see the Excluded tab for why, or go Back and "
                "change the placement type sought.")
        self._update_count()

    def _toggle_all(self) -> None:
        self._show_all = not self._show_all
        self._chosen = self.shortlist.checked_keys()
        self._fill()

    def _show_reasons(self) -> None:
        rows = self.shortlist_view.selectionModel().selectedRows()
        if not rows or self.result is None:
            return
        match = self.result.row_for(self.shortlist.key(rows[0].row()))
        if match is not None:
            self.reasons.setPlainText(f"{match.provider_label}: score {match.score:g}\n" + "\n".join(
                f"• {reason}" for reason in match.reasons))

    def _update_count(self) -> None:
        n = len(self.shortlist.checked_keys())
        self.chosen_label.setText(f"{n} provider{'s' if n != 1 else ''} chosen" if n
                                  else "No provider chosen yet: tick at least one.")

    def chosen(self) -> list[uuid.UUID]:
        return [key for key in self.shortlist.checked_keys() if isinstance(key, uuid.UUID)]

    def prepare(self) -> Callable[[Session], None]:
        if self.result is None:
            raise ValidationError("The shortlist is still being made: wait a moment, then tick providers.",
                                  "providers")
        referral_id, chosen, today, shortlist = self.state.referral_id, self.chosen(), self.state.today, self.result
        if not chosen:
            raise ValidationError("Choose at least one provider from the shortlist.", "providers")
        # The Send page makes packs that print the council's identity: check the profile before going there.
        require_pack_profile(self.ctx.settings.officer, "Sending a referral")
        return lambda session: choose_recipients(session, referral_in(session, referral_id), chosen,
                                                 today=today, shortlist=shortlist)

    def save(self, session: Session) -> None:
        self.prepare()(session)

    def tick(self, provider_id: uuid.UUID, checked: bool = True) -> None:
        """Tick or untick a provider (as the officer's click does)."""
        self.shortlist.set_checked(provider_id, checked)

    def focus_row(self, row: int) -> None:
        self.shortlist_view.selectRow(row)
        self.shortlist_view.scrollTo(self.shortlist.index(row, 0), QAbstractItemView.PositionAtCenter)
        self.shortlist_view.setFocus(Qt.OtherFocusReason)
