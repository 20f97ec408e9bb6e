"""What every referral wizard page shares (after Picard's setup wizard).

A page loads its data in ``initializePage``, and on Next collects what was
typed (parsing strictly), saves it through one service call inside one
``ctx.action()`` transaction, announces what changed, and only then lets the
wizard move on. A :class:`~placedesk.errors.ValidationError` is shown beside
the field it names (its ``field``); any other refusal is shown at the top of
the page. So the draft is saved on every page change and a closed window or
a crash loses at most the page being typed. A page's save is checked against
the record versions it loaded (its ``baseline``): when a colleague changed
them meanwhile, both versions are shown side by side and the officer keeps
theirs (the page reloads) or applies theirs over deliberately.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget, QWizardPage
from sqlalchemy.orm import Session

from placedesk.errors import EditConflict, NotFound, PlaceDeskError, ProfileIncomplete, ValidationError
from placedesk.models import Baseline, Referral
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS
from placedesk.ui.tasks import run_task, show_error
from placedesk.ui.widgets.field_error import INVALID_SHEET, FieldError, FieldForm, clear_when_fixed, mark_invalid


@dataclass
class WizardState:
    """What the pages share: the app context, the referral being worked on, and today."""

    ctx: AppContext
    referral_id: uuid.UUID | None
    today: dt.date = field(default_factory=dt.date.today)
    # Set while the wizard walks forward to a resumed referral's page: nothing is saved again.
    resuming: bool = False
    # The page that walk is heading for; pages passed on the way skip their background work.
    resume_target: int = 0

    def passing_through(self, step: int) -> bool:
        """Whether page ``step`` is only being passed on the way to a resumed referral's page."""
        return self.resuming and self.resume_target > step


def referral_in(session: Session, referral_id: uuid.UUID | None) -> Referral:
    """The referral with ``referral_id`` in ``session`` (safe to call from a background task)."""
    referral = session.get(Referral, referral_id) if referral_id else None
    if referral is None:
        raise NotFound("This referral no longer exists: close the wizard and start again from the Referrals tab.")
    return referral


class ReferralPage(QWizardPage):
    """A wizard page with field-by-field error messages and a save on Next.

    Subclasses build their widgets in ``__init__`` (registering fields with
    :meth:`add_form` / :meth:`register_field`), and implement :meth:`load`
    (fill the widgets from the database) and :meth:`save` (collect, parse and
    call one service function). ``changes`` names the tables a save touches.
    """

    step = 0
    changes: tuple[str, ...] = ("referral",)
    # Draft pages also save when the officer goes Back, if what is typed is valid; pages whose
    # save sends, records or awards something never act on Back.
    save_on_back = False
    # Shown while a save runs off the GUI thread (see saves_in_background).
    busy_label = "Saving…"

    def __init__(self, state: WizardState, title: str, subtitle: str) -> None:
        super().__init__()
        self.state = state
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.setStyleSheet(INVALID_SHEET)
        self.page_error = FieldError()
        self._fields: dict[str, tuple[QWidget, FieldError]] = {}
        self._forms: list[FieldForm] = []
        self._saving = False
        self._saved_in_background = False
        self._marked: list[QWidget] = []
        # The versions of the records this page loaded; its save is refused if a colleague moved them.
        self.baseline = Baseline()
        # The page body scrolls, so a small screen never clips a long form.
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 8, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        # The scroll area is a container, not a stop on the Tab route: focus starts on the first field.
        scroll.setFocusPolicy(Qt.NoFocus)
        scroll.setWidget(self.body)
        self.scroll = scroll
        outer = QVBoxLayout(self)
        outer.addWidget(self.page_error)
        outer.addWidget(scroll, 1)

    @property
    def ctx(self) -> AppContext:
        return self.state.ctx

    def referral(self, session: Session) -> Referral:
        """The referral the wizard is working on, in ``session``."""
        return referral_in(session, self.state.referral_id)

    # --- building -----------------------------------------------------------------
    def add_form(self, heading: str = "") -> FieldForm:
        """A new form section on the page; its fields are registered for messages."""
        if heading:
            label = QLabel(f"<b>{heading}</b>")
            label.setContentsMargins(0, 8, 0, 0)
            self.body_layout.addWidget(label)
        form = FieldForm()
        self.body_layout.addWidget(form)
        self._forms.append(form)
        return form

    def register_field(self, name: str, widget: QWidget, error: FieldError) -> None:
        """A field laid out by hand (not in a FieldForm) that can still be marked."""
        self._fields[name] = (widget, error)
        clear_when_fixed(widget, error)

    def field_entry(self, name: str) -> tuple[QWidget, FieldError] | None:
        if name in self._fields:
            return self._fields[name]
        for form in self._forms:
            if name in form.fields:
                return form.fields[name]
        return None

    def error_text(self, name: str) -> str:
        """The message shown beside field ``name`` (empty when none); for tests and checks."""
        entry = self.field_entry(name)
        return entry[1].text() if entry and entry[1].isVisibleTo(self) else ""

    # --- messages -----------------------------------------------------------------
    def clear_errors(self) -> None:
        self.page_error.clear_message()
        for form in self._forms:
            for widget, error in form.fields.values():
                error.clear_message()
                mark_invalid(widget, False)
        for widget, error in self._fields.values():
            error.clear_message()
            mark_invalid(widget, False)

    def show_error(self, field_name: str | None, message: str) -> None:
        """Show ``message`` beside the named field, or at the top of the page."""
        self.show_problems([(field_name, message)])

    def show_problems(self, problems: list[tuple[str | None, str]]) -> None:
        """Show every problem beside its field at once; the first field on the page is focused."""
        marked: list[QWidget] = []
        general: list[str] = []
        for field_name, message in problems:
            entry = self.field_entry(field_name) if field_name else None
            if entry is None:
                general.append(message)
                continue
            widget, error = entry
            error.show_message(message)
            mark_invalid(widget, True)
            marked.append(widget)
        if general:
            self.page_error.show_message("\n".join(general))
        if marked:
            first = min(marked, key=lambda w: w.mapTo(self.body, w.rect().topLeft()).y())
            self.scroll.ensureWidgetVisible(first)
            first.setFocus(Qt.OtherFocusReason)

    def show_exception(self, exc: PlaceDeskError) -> None:
        """A refusal from parsing or a service, beside the fields it names."""
        if isinstance(exc, ValidationError):
            self.show_problems(exc.problems)
        else:
            self.show_error(None, str(exc))

    # --- the wizard protocol ---------------------------------------------------------
    def initializePage(self) -> None:
        self.clear_errors()
        self.baseline.clear()
        with self.ctx.read(self.baseline) as session:
            self.load(session)
        if not self.state.resuming:
            # Focus starts on the page's first field, not on the scroll area or a button.
            QTimer.singleShot(0, self.focus_first_field)

    def focus_first_field(self) -> None:
        if not shiboken6.isValid(self) or not self.isVisible():
            return
        for widget in self.body.findChildren(QWidget):
            if (widget.focusPolicy() & Qt.TabFocus and widget.isVisibleTo(self) and widget.isEnabled()
                    and widget.focusProxy() is None):
                widget.setFocus(Qt.TabFocusReason)
                return

    def validatePage(self) -> bool:
        if self.state.resuming:
            return True
        if self._saved_in_background:
            # The background save finished and pressed Next again: move on.
            self._saved_in_background = False
            return True
        if self._saving:
            return False
        self.clear_errors()
        if self.saves_in_background():
            self._start_background_save()
            return False
        try:
            if not self.confirm_step():
                return False
            with self.ctx.action(self.baseline) as session:
                self.save(session)
        except EditConflict as exc:
            if self.resolve_conflict(exc):
                return self.validatePage()
            return False
        except PlaceDeskError as exc:
            self.show_exception(exc)
            self._profile_check(exc)
            return False
        self.ctx.notify(self.changes)
        self.after_save()
        return True

    def resolve_conflict(self, conflict: EditConflict) -> bool:
        """A colleague changed what this page saves: show both versions; True to save again over theirs.

        Keeping theirs reloads the page with their version; going back to the form
        leaves what was typed in place, unsaved.
        """
        choice = dialogs.resolve_edit_conflict(self, conflict)
        if choice == APPLY_MINE:
            self.baseline.accept(conflict)
            return True
        if choice == KEEP_THEIRS:
            self.ctx.notify({*self.changes, conflict.entity})
            self.initializePage()
        else:
            self.show_error(None, str(conflict))
        return False

    def confirm_step(self) -> bool:
        """Ask before a step that cannot be undone (through ``dialogs.confirm``); True to go on.

        Called after the page's input has been checked as far as the page can, just
        before its save. Pages whose Next only saves a draft never ask.
        """
        return True

    def saves_in_background(self) -> bool:
        """Whether this Next's save is slow work (making PDFs) to run off the GUI thread.

        Such a page parses its widgets in :meth:`prepare`, and the wizard moves on
        when the returned call has finished. Every other save runs here, at once.
        """
        return False

    def prepare(self) -> Callable[[Session], None]:
        """Parse the widgets on the GUI thread; return the one service call to run off it.

        Only pages that save in the background use this, and they override it so the
        returned call touches no widget.
        """
        return self.save

    def _start_background_save(self) -> None:
        try:
            apply = self.prepare()
            if not self.confirm_step():
                return
        except PlaceDeskError as exc:
            self.show_exception(exc)
            self._profile_check(exc)
            return
        ctx, wizard = self.ctx, self.wizard()
        self._saving = True

        baseline = self.baseline

        def work() -> None:
            with ctx.action(baseline) as session:
                apply(session)

        def done(_: object) -> None:
            self._saving = False
            ctx.notify(self.changes)
            self.after_save()
            self._saved_in_background = True
            wizard.next()

        def failed(exc: BaseException) -> None:
            self._saving = False
            if isinstance(exc, EditConflict):
                if self.resolve_conflict(exc):
                    self._start_background_save()
            elif isinstance(exc, PlaceDeskError):
                self.show_exception(exc)
                self._profile_check(exc)
            else:
                show_error(self, exc)

        run_task(self, self.busy_label, work, done, failed)

    def cleanupPage(self) -> None:
        if not self.save_on_back or self.state.resuming or self.state.referral_id is None:
            return
        try:
            with self.ctx.action(self.baseline) as session:
                self.save(session)
        except EditConflict as exc:
            # Going Back never overwrites a colleague unasked: saved over theirs only if the officer says so.
            if self.resolve_conflict(exc):
                self.cleanupPage()
            return
        except PlaceDeskError:
            # Going Back is not a commitment: an unfinished page is simply not saved yet.
            return
        self.ctx.notify(self.changes)
        self.after_save()

    def _profile_check(self, exc: PlaceDeskError) -> None:
        # Refused for want of the officer profile: have it opened, so the officer can fill it in now.
        if isinstance(exc, ProfileIncomplete) and not exc.announced:
            exc.announced = True
            self.ctx.profile_needed.emit(exc.missing)

    def load(self, session: Session) -> None:
        """Fill the widgets from the database."""

    def save(self, session: Session) -> None:
        """Collect and parse the widgets and call one service function; raise to refuse."""

    def after_save(self) -> None:
        """Runs after a successful save and change notice (e.g. to remember a new id)."""

    # --- helpers -------------------------------------------------------------------------
    @staticmethod
    def note(text: str) -> QLabel:
        """A word-wrapped line of guidance."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.RichText)
        return label


