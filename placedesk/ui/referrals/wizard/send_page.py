"""Wizard step 4, Send: a referral pack PDF per chosen provider, previewed or saved, and the sent date.

Packs are made off the GUI thread (reportlab) as soon as the page opens, for
the sent date typed (again when it changes), shown beside the list for the
officer to check, and saved where the officer chooses (each save is audited).
Below the list, what redaction removed from the free text is shown highlighted
and can be edited. On Next the sent date is recorded for every recipient (with
any unsaved edits, in the same action), the packs are kept, and the referral
becomes sent. The packs kept are the ones the officer checked, unless the
referral changed since they were made; then they are made again as part of the save.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter
from sqlalchemy.orm import Session

from placedesk.errors import EditConflict, PlaceDeskError, ValidationError
from placedesk.fileio import atomic_write_bytes
from placedesk.services.common.parsing import format_date, parse_date
from placedesk.services.common.audit_log import record_export
from placedesk.services.referrals.intake import ReferralPack, make_referral_packs, recipients, send_referral
from placedesk.services.referrals.pack_texts import edit_pack_texts, pack_texts
from placedesk.ui import dialogs
from placedesk.ui.widgets.pdf_viewer import PdfViewer
from placedesk.ui.tasks import run_in_background
from placedesk.ui.widgets.rows_model import Row, RowsModel
from placedesk.ui.referrals.wizard.match_page import START_DELAY_MS, table
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState, referral_in
from placedesk.ui.referrals.wizard.removed_panel import RemovedTextPanel


class SendPage(ReferralPage):
    step = 3
    busy_label = "Making, storing and recording the referral packs…"
    changes = ("referral", "referral_recipient", "stored_document")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "4. Send",
                         "Make a referral pack for each chosen provider, check it, save it to send by secure email, "
                         "and record the date it went. Packs hold initials and age only, never the full name, "
                         "date of birth or case reference.")
        self.packs: dict[uuid.UUID, ReferralPack] = {}
        # The sent date the packs in hand were made for (age and response-by depend on it).
        self.packs_date: dt.date | None = None
        # Bumped by every reload and every making: a making's result counts only if nothing newer began.
        self._generation = 0
        self._busy = False
        self.names: dict[uuid.UUID, str] = {}
        self.recipients = RowsModel(["Provider", "Score", "Pack", "Sent on"], numeric_columns=(1,))
        self.view = table(self.recipients)
        self.view.setAccessibleName("Providers the referral goes to, with their packs")
        self.make_button = QPushButton("Make the packs again")
        self.make_button.setToolTip("Make every pack afresh, e.g. after the referral was changed elsewhere")
        self.make_button.clicked.connect(self.make_packs)
        self.save_button = QPushButton("Save selected pack…")
        self.save_button.clicked.connect(self.save_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        # The selected provider's pack is shown here, inside PlaceDesk: no copy of the child's
        # details is written to a temporary file for another program to open.
        self.pack_view = PdfViewer()
        self.pack_view.setMinimumWidth(380)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.removed = RemovedTextPanel()
        self.removed.save_button.clicked.connect(self.save_edits)
        left = QSplitter(Qt.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(self.view)
        left.addWidget(self.removed)
        left.setSizes([150, 250])
        split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.pack_view)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        # Wide enough for a long provider name, its score, pack state and sent date.
        split.setSizes([450, 550])
        split.setMinimumHeight(360)
        self.body_layout.addLayout(buttons)
        self.body_layout.addWidget(self.status)
        self.body_layout.addWidget(split, 1)
        form = self.add_form("Sending")
        self.sent_on = form.add("sent_on", "Sent on *", DateField(), "dd/mm/yyyy: the day the packs went out")
        self.sent_on.editingFinished.connect(self._sent_date_changed)
        self.body_layout.addWidget(self.note(
            "“Record as sent” keeps each provider's pack with the referral (with its fingerprint, so it can be "
            "proved later what was sent) and records this date. It cannot be undone from here: check the packs "
            "first."))
        self.body_layout.addStretch(1)
        self._rows: list[tuple[uuid.UUID, str, float | None, object]] = []

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        self._generation += 1
        self._busy = False
        self.packs, self.packs_date = {}, None
        chosen = recipients(session, referral)
        self.removed.set_texts(pack_texts(session, referral))
        self.names = {r.provider_id: r.provider_name for r in chosen}
        sent = [r.sent_on for r in chosen if r.sent_on]
        self.sent_on.setText(format_date(max(sent) if sent else self.state.today))
        self._rows = [(r.provider_id, r.provider_name, r.match_score, r.sent_on) for r in chosen]
        self._fill()
        self.make_button.setEnabled(bool(self._rows))
        if not self._rows:
            self.status.setText("No provider has been chosen for this referral yet: go Back to the shortlist "
                                "and tick at least one.")
            return
        if self.state.passing_through(self.step):
            return
        # Draw the page first, then make the packs: reportlab competes with painting for the GIL.
        self._busy = True
        generation = self._generation
        self.make_button.setEnabled(False)
        self.status.setText("Making referral packs…")
        self._fill()
        QTimer.singleShot(START_DELAY_MS, self, lambda: self.make_packs() if generation == self._generation else None)

    def _fill(self) -> None:
        rows = []
        for provider_id, name, score, sent_on in self._rows:
            pack = ("ready to check" if provider_id in self.packs else "being made" if self._busy
                    else "sent and kept" if sent_on else "not made yet")
            rows.append(Row([name, f"{score:g}" if score is not None else "", pack, format_date(sent_on)],
                            key=provider_id))
        self.recipients.set_rows(rows)
        self.view.resizeColumnsToContents()
        self._show_selected()

    def _typed_date(self) -> dt.date | None:
        try:
            return parse_date(self.sent_on.text().strip(), "sent_on")
        except ValidationError:
            return None

    def _sent_date_changed(self) -> None:
        # Each pack prints the child's age and the response-by date on the day it is sent.
        day = self._typed_date()
        if day is not None and day != self.packs_date and not self._busy:
            self.make_packs()

    def make_packs(self) -> None:
        """Make every recipient's pack in the background, for the sent date typed, then select the first."""
        referral_id = self.state.referral_id
        ctx = self.ctx
        officer = ctx.settings.officer
        day = self._typed_date() or self.state.today
        self._generation += 1
        generation = self._generation
        self._busy = True
        self.packs, self.packs_date = {}, None
        self.make_button.setEnabled(False)
        self.status.setText("Making referral packs…")
        self._fill()

        def work() -> dict[uuid.UUID, ReferralPack]:
            with ctx.read() as session:
                return make_referral_packs(session, referral_in(session, referral_id), today=day, officer=officer)

        def done(packs: dict[uuid.UUID, ReferralPack]) -> None:
            # The page may have closed, or a newer making begun, while this one ran.
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            self.make_button.setEnabled(True)
            self.packs, self.packs_date = packs, day
            self._fill()
            self.status.setText(f"{len(packs)} pack{'s' if len(packs) != 1 else ''} ready for {format_date(day)}: "
                                "select a provider to see its pack beside the list, then save it to send.")
            if self.recipients.rowCount():
                self.view.selectRow(0)
            if day != (self._typed_date() or day):
                self.make_packs()

        def failed(exc: BaseException) -> None:
            if not shiboken6.isValid(self) or generation != self._generation:
                return
            self._busy = False
            self.make_button.setEnabled(True)
            self.status.setText("")
            self._fill()
            reason = str(exc) if isinstance(exc, PlaceDeskError) else f"an unexpected {type(exc).__name__}"
            self.show_error(None, f"The packs could not be made ({reason}): press “Make the packs again”.")

        run_in_background(work, done, failed)

    def selected_provider(self) -> uuid.UUID | None:
        rows = self.view.selectionModel().selectedRows()
        key = self.recipients.key(rows[0].row()) if rows else None
        return key if isinstance(key, uuid.UUID) else None

    def _show_selected(self) -> None:
        provider_id = self.selected_provider()
        pack = self.packs.get(provider_id) if provider_id is not None else None
        if pack is not None:
            self.pack_view.show_pdf(pack.pdf)
        elif self._busy:
            self.pack_view.show_placeholder("The packs are being made…")
        elif not self._rows:
            self.pack_view.show_placeholder("No provider chosen yet.")
        else:
            self.pack_view.show_placeholder("Select a provider to see the pack they will be sent.")

    def save_selected(self) -> None:
        self.clear_errors()
        provider_id = self.selected_provider()
        if provider_id is None or provider_id not in self.packs:
            self.show_error(None, "Make the packs, then select the provider whose pack you want to save.")
            return
        suggested = f"referral-pack-{file_stem(self.names.get(provider_id, 'provider'))}.pdf"
        path = dialogs.choose_save_file(self, "Save referral pack", suggested, "PDF files (*.pdf)")
        if path is None:
            return
        path = Path(path)
        referral_id, pack = self.state.referral_id, self.packs[provider_id]
        name = self.names.get(provider_id, "provider")
        try:
            with self.ctx.action() as session:
                atomic_write_bytes(path, pack.pdf)
                record_export(session, what=f"Referral pack for {name} (PDF, saved to send)", target=path.resolve(),
                              records=1, pseudonymised=True, entity="referral", entity_id=referral_id)
        except OSError as exc:
            self.show_error(None, f"The pack could not be saved to {path} ({exc.strerror or exc}).")
            return
        except PlaceDeskError as exc:
            self.show_error(None, str(exc))
            return
        self.status.setText(f"Saved {path.name}.")

    def save_edits(self) -> None:
        """Keep the officer's edits to the free text, then show it and make the packs again."""
        self.clear_errors()
        edits, referral_id = self.removed.pending_edits(), self.state.referral_id
        if not edits:
            return
        try:
            with self.ctx.action(self.baseline) as session:
                referral = referral_in(session, referral_id)
                edit_pack_texts(session, referral, edits)
                texts = pack_texts(session, referral)
        except EditConflict as exc:
            if self.resolve_conflict(exc):
                self.save_edits()
            return
        except PlaceDeskError as exc:
            self.show_error(None, str(exc))
            return
        self.ctx.notify(("referral",))
        self.removed.set_texts(texts)
        self.make_packs()

    def saves_in_background(self) -> bool:
        # Storing packs already made is quick; making them is slow work for another thread.
        day = self._typed_date()
        return (day is None or day != self.packs_date or any(pid not in self.packs for pid, *_ in self._rows)
                or bool(self.removed.pending_edits()))

    def prepare(self) -> Callable[[Session], None]:
        text = self.sent_on.text().strip()
        if not text:
            raise ValidationError("Type the date the packs were sent, as dd/mm/yyyy.", "sent_on")
        sent_on = parse_date(text, "sent_on")
        if sent_on > self.state.today:
            raise ValidationError("The sent date cannot be in the future.", "sent_on")
        referral_id, officer = self.state.referral_id, self.ctx.settings.officer
        provider_ids = [provider_id for provider_id, *_ in self._rows]
        made = dict(self.packs) if self.packs_date == sent_on else {}
        edits = self.removed.pending_edits()

        def send(session: Session) -> None:
            referral = referral_in(session, referral_id)
            if edits:
                edit_pack_texts(session, referral, edits)
            # The service keeps the packs made here only if they still print what the referral says.
            send_referral(session, referral, provider_ids, today=sent_on, officer=officer, made=made)

        return send

    def confirm_step(self) -> bool:
        """Name what recording as sent means before it is done: it cannot be undone."""
        self.prepare()
        count = len(self._rows)
        names = ", ".join(self.names.get(pid, "") for pid, *_ in self._rows if self.names.get(pid))
        return dialogs.confirm(
            self, "Record as sent",
            f"Record the referral as sent to {count} provider{'s' if count != 1 else ''}"
            + (f" ({names})" if names else "") + f" on {self.sent_on.text().strip()}?\n\n"
            "This cannot be undone: the referral packs are kept as sent, and the referral waits for offers.",
            "Record as sent")

    def save(self, session: Session) -> None:
        self.prepare()(session)


def file_stem(name: str) -> str:
    """A provider name made safe for a file name."""
    stem = "".join(ch if ch.isalnum() else "-" for ch in name.lower())
    return "-".join(part for part in stem.split("-") if part) or "provider"
