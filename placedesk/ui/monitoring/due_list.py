"""The officer's week: reviews and visits due or overdue by provider risk, and overdue CAP actions."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from placedesk.services.monitoring.caps import overdue_actions
from placedesk.services.common.parsing import format_date
from placedesk.services.monitoring.schedule import due_reviews
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.style import RED, risk_colour
from placedesk.ui.monitoring.table import RecordTable
from placedesk.ui.widgets.rows_model import Row


class DueList(QWidget):
    """Reviews due within the chosen number of days (overdue first), and every overdue CAP action."""

    provider_chosen = Signal(object)  # provider id

    def __init__(self, ctx: AppContext, today: Callable[[], dt.date]) -> None:
        super().__init__()
        self.ctx = ctx
        self.today = today
        self.days = QSpinBox()
        self.days.setAccessibleName("Days ahead to look")
        self.days.setRange(0, 365)
        self.days.setValue(ctx.settings.coming_up_days or 28)
        self.days.setSuffix(" days")
        self.days.valueChanged.connect(lambda _: self.refresh())
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Reviews and visits due within"))
        bar.addWidget(self.days)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        self.reviews = RecordTable(["Provider", "Ref", "Risk", "Last review", "Due", "State"],
                                   "Nothing due in this window. Providers appear here once a child is placed "
                                   "with them or a CAP is open.", widths=(260, 130, 80, 100, 100),
                                   name="Reviews and visits due")
        self.reviews.view.doubleClicked.connect(
            lambda index: self.provider_chosen.emit(self.reviews.model.key(index.row())))
        self.actions = RecordTable(["CAP", "Due", "Days late", "Owner", "Action"],
                                   "No CAP action is overdue.", numeric_columns=(2,), widths=(140, 100, 80, 180),
                                   name="Overdue CAP actions")
        self.actions.view.doubleClicked.connect(
            lambda index: self.provider_chosen.emit(self.actions.model.key(index.row())))
        self.summary = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.reviews, 3)
        layout.addWidget(QLabel("<b>Overdue CAP actions</b> (past their due date and not complete or waived)"))
        layout.addWidget(self.actions, 2)

    def refresh(self) -> None:
        today = self.today()
        with self.ctx.read() as session:
            reviews = due_reviews(session, today=today, intervals=self.ctx.settings.monitoring,
                                  within_days=self.days.value())
            late = [(a.cap.ref, a.description, a.owner, a.due_date, a.cap.provider_id)
                    for a in overdue_actions(session, today)]
        rows = []
        for r in reviews:
            colour = risk_colour(r.risk)
            state = f"Overdue by {(today - r.due_on).days} day(s)" if r.overdue else (
                "Due today" if r.due_on == today else f"In {(r.due_on - today).days} day(s)")
            colours = {2: colour} if colour is not None else {}
            if r.overdue:
                colours.update({4: RED, 5: RED})
            rows.append(Row([r.provider_name, r.provider_ref, r.risk.label,
                             format_date(r.last_review) or "Never reviewed", format_date(r.due_on), state],
                            key=r.provider_id, colours=colours))
        self.reviews.set_rows(rows)
        self.actions.set_rows([
            Row([ref, format_date(due), (today - due).days, owner, description], key=provider_id,
                colours={c: RED for c in range(5)})
            for ref, description, owner, due, provider_id in late])
        overdue = sum(1 for r in reviews if r.overdue)
        self.summary.setText(f"{len(reviews)} review(s) due, {overdue} overdue; {len(late)} CAP action(s) overdue.")

    def provider_ids(self) -> list[uuid.UUID]:
        return [row.key for row in self.reviews.model.rows()]  # type: ignore[misc]
