"""A dialog whose Save runs one service call, with each error shown beside its field.

Every monitoring entry form (visit, inspection, KPI month, outcome, CAP steps)
is one of these: the form collects input, ``accept`` calls the dialog's
``apply`` inside ``ctx.action()`` (one transaction), and on a
:class:`~placedesk.errors.ValidationError` the message appears under the
field it names and the dialog stays open. The dialog starts from its screen's
:class:`~placedesk.models.concurrency.Baseline` (the record versions the
screen showed) and adds what it reads itself (``ctx.read(self.baseline)``), so
a save over a colleague's change made meanwhile is refused and shown side by
side (:func:`placedesk.ui.dialogs.resolve_edit_conflict`). Tests build the dialog, fill its
widgets and call ``accept`` directly; the app shows it with
``placedesk.ui.dialogs.run_modal``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from placedesk.errors import EditConflict, PlaceDeskError, ValidationError
from placedesk.models.concurrency import Baseline
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS
from placedesk.ui.widgets.field_error import INVALID_SHEET, FieldError, FieldForm, mark_invalid


# Spare height a form opens with, which messages fill before anything moves.
ERROR_ROOM = 72


def screen_baseline(widget: QWidget | None) -> Baseline:
    """A snapshot of the record versions shown by the nearest screen around ``widget`` that keeps them.

    A snapshot, because the screen may reload (a colleague's change arriving) while
    the form opened from it still holds what the officer saw.
    """
    while widget is not None:
        baseline = getattr(widget, "baseline", None)
        if isinstance(baseline, Baseline):
            return baseline.copy()
        widget = widget.parentWidget()
    return Baseline()


class ServiceDialog(QDialog):
    """Form + general error line + Save/Cancel; ``apply(session)`` does the one service call."""

    def __init__(self, ctx: AppContext, title: str, apply: Callable[[Session], Any], changes: Iterable[str],
                 parent: QWidget | None = None, *, intro: str = "", save_text: str = "Save",
                 scroll: bool = False) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._apply = apply
        self._changes = frozenset(changes)
        self.result_value: Any = None
        self.baseline = screen_baseline(parent)
        ctx.db.baselines.add(self.baseline)
        self.setWindowTitle(title)
        self.setStyleSheet(INVALID_SHEET)
        self.form = FieldForm()
        # Dialogs that build parts of their form on the fly add those FieldForms here.
        self.forms: list[FieldForm] = [self.form]
        self.general_error = FieldError()
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        if scroll:
            # Long forms (a month of KPIs, 14 WEMWBS items) scroll rather than squash on a laptop screen.
            self.body = QWidget()
            body_layout = QVBoxLayout(self.body)
            body_layout.setContentsMargins(0, 0, 0, 0)
            body_layout.addWidget(self.form)
            area = QScrollArea()
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.NoFrame)
            area.setWidget(self.body)
            area.setMinimumHeight(240)
            area.setFocusPolicy(Qt.NoFocus)
            self.scroll_area: QScrollArea | None = area
            layout.addWidget(area, 10)
        else:
            self.scroll_area = None
            self.body = self.form
            layout.addWidget(self.form)
        # Spare height goes below the fields, never between them.
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Save).setText(save_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(620)
        self._sized = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        if not self._sized:
            # Room below the fields for messages: an error takes this spare space instead of pushing
            # Save down from under the pointer.
            self._sized = True
            self._fields_before_buttons()
            screen = self.screen()
            limit = screen.availableGeometry().height() - 40 if screen is not None else self.height()
            self.resize(self.width(), max(self.height(), min(self.sizeHint().height() + ERROR_ROOM, limit)))
        super().showEvent(event)

    def _fields_before_buttons(self) -> None:
        """Tab goes through the fields in reading order, then Save and Cancel; focus starts on the first field.

        The buttons are made here before a subclass adds its fields, so by default they came first.
        """
        fields = [w for form in self.forms for w in form.findChildren(QWidget)
                  if w.focusPolicy() & Qt.TabFocus and w.focusProxy() is None and w.isVisibleTo(self)]
        chain = fields + [b for b in self.buttons.buttons() if b.isVisibleTo(self)]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        if fields:
            fields[0].setFocus(Qt.OtherFocusReason)

    def clear_errors(self) -> None:
        self.general_error.clear_message()
        for form in self.forms:
            for widget, error in form.fields.values():
                error.clear_message()
                mark_invalid(widget, False)

    def show_error(self, field: str | None, message: str) -> None:
        """Put ``message`` under the field it concerns, or at the foot of the form."""
        self.show_problems([(field, message)])

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        """Every problem beside its field at once; the first such field is scrolled to and focused."""
        first: QWidget | None = None
        general: list[str] = []
        for field, message in problems:
            entry = next((form.fields[field] for form in self.forms if field is not None and field in form.fields),
                         None)
            if entry is None:
                general.append(message)
                continue
            widget, error = entry
            error.show_message(message)
            mark_invalid(widget, True)
            first = first or widget
        if general:
            self.general_error.show_message("\n".join(general))
        if first is not None:
            if self.scroll_area is not None:
                self.scroll_area.ensureWidgetVisible(first)
            first.setFocus()

    def confirm_save(self) -> bool:
        """Ask before a save that cannot be undone (through ``dialogs.confirm``); True to go on.

        It may check what it can first and raise ValidationError, so the officer is not
        asked to confirm a form that is then refused.
        """
        return True

    def error_text(self, field: str | None = None) -> str:
        """The message shown for ``field`` (or the general one): what tests and screen readers see."""
        if field is None:
            return self.general_error.text()
        return next(form.fields[field][1].text() for form in self.forms if field in form.fields)

    def accept(self) -> None:
        self._save_checked(ask=True)

    def _save_checked(self, *, ask: bool) -> None:
        self.clear_errors()
        try:
            if ask and not self.confirm_save():
                return
            with self.ctx.action(self.baseline) as session:
                self.result_value = self._apply(session)
        except EditConflict as exc:
            self._resolve(exc)
            return
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return
        except PlaceDeskError as exc:
            self.show_error(None, str(exc))
            return
        self.ctx.notify(self._changes)
        super().accept()

    def _resolve(self, conflict: EditConflict) -> None:
        """A colleague saved this record meanwhile: show both versions and do what the officer chooses."""
        choice = dialogs.resolve_edit_conflict(self, conflict)
        if choice == APPLY_MINE:
            self.baseline.accept(conflict)
            self._save_checked(ask=False)
        elif choice == KEEP_THEIRS:
            # Their version stands: close the form and let the screens behind reload it.
            self.ctx.notify(self._changes | {conflict.entity})
            self.reject()
        else:
            self.show_error(None, str(conflict))
