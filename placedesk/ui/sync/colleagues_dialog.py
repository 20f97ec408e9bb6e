"""File › Colleagues…: the team trust list, a bundle's signer looked at before trusting, and the session's signer.

A colleague is trusted once, deliberately: the dialog shows the certificate's
SHA-256 fingerprint to compare over the phone before adding it. A bundle from
someone not yet trusted can be looked at (who, when, how many records) and its
signer trusted from that view. The officer's own key is opened once per
session (from the system keystore when the passphrase is kept there), so the
automatic sync never asks for the passphrase.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import PlaceDeskError
from placedesk.models.base import utcnow
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext

# The officer's opened key, per open window context, for this session only (never written anywhere).
_signers: weakref.WeakKeyDictionary[AppContext, Any] = weakref.WeakKeyDictionary()


def session_signer(parent: QWidget | None, ctx: AppContext, *, ask: bool) -> Any | None:
    """The officer's bundle signer for this session: cached, else from the keystore, else asked (if ``ask``).

    None when there is none to be had without asking (``ask=False``) or the officer cancelled.
    """
    from placedesk.services.agreements.identity import has_identity
    from placedesk.services.agreements.passphrase_store import keystore_available, remember_passphrase, saved_passphrase
    from placedesk.services.sync.bundle_signing import load_signer

    cached = _signers.get(ctx)
    if cached is not None:
        return cached
    if has_identity():
        saved = saved_passphrase()
        if saved is not None:
            try:
                signer = _signers[ctx] = load_signer(saved)
                return signer
            except PlaceDeskError:
                saved = None  # a kept passphrase that no longer opens the identity: ask instead
    if not ask:
        return None
    if not has_identity():
        passphrase = _create_identity(parent, ctx)
    else:
        passphrase = dialogs.ask_passphrase(parent, "Sign bundles",
                                            "Bundles you send are signed. Passphrase for your signing identity "
                                            "(asked once this session):")
    if passphrase is None:
        return None
    try:
        signer = load_signer(passphrase)
    except PlaceDeskError as exc:
        dialogs.warn(parent, "Sign bundles", str(exc))
        return None
    _signers[ctx] = signer
    if keystore_available() and dialogs.choose(
            parent, "Sign bundles", "Keep the passphrase in this computer's keystore, so PlaceDesk does not ask "
                                    "for it again (and can send your changes when it closes)?",
            [(True, "Keep it in the keystore"), (False, "Ask me each session")], default=False,
            cancel=None) is True:
        try:
            remember_passphrase(passphrase)
        except PlaceDeskError as exc:
            dialogs.warn(parent, "Sign bundles", str(exc))
    return signer


def _create_identity(parent: QWidget | None, ctx: AppContext) -> str | None:
    from placedesk.services.agreements.identity import create_identity

    officer = ctx.settings.officer
    if not dialogs.confirm(parent, "Signing identity",
                           "Bundles are signed so colleagues know they come from you, and you have no signing "
                           f"identity yet.\n\nCreate one now for {officer.name or 'you'} "
                           f"({officer.local_authority or 'your council'}), protected by a passphrase? "
                           "(To use your council's .p12 instead, import it when you next sign an agreement.)",
                           "Create a new identity"):
        return None
    first = dialogs.ask_passphrase(parent, "Create signing identity",
                                   "Choose a passphrase (at least 8 characters). It is never stored unless you ask:")
    if first is None:
        return None
    if dialogs.ask_passphrase(parent, "Create signing identity", "Type the passphrase again:") != first:
        dialogs.warn(parent, "Create signing identity", "The two passphrases differ. Nothing was created.")
        return None
    try:
        create_identity(officer.name, officer.role, officer.local_authority or "Local authority", officer.email, first)
    except PlaceDeskError as exc:
        dialogs.warn(parent, "Create signing identity", str(exc))
        return None
    return first


def forget_session_signer(ctx: AppContext) -> None:
    _signers.pop(ctx, None)


class BundlePreviewDialog(QDialog):
    """Who made a bundle, when, what is in it, and whether it is trusted; with a button to trust its signer."""

    def __init__(self, preview: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from placedesk.services.sync.bundle_signing import spoken_fingerprint

        self.setWindowTitle("Bundle from a colleague")
        layout = QVBoxLayout(self)
        text = QLabel("\n\n".join(preview.lines()))
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        text.setAccessibleName("Who made the bundle")
        layout.addWidget(text)
        counts = QListWidget()
        counts.setAccessibleName("Records in the bundle")
        for table, count in sorted(preview.record_counts.items()):
            counts.addItem(f"{table.replace('_', ' ')}: {count:,}")
        layout.addWidget(counts)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        self.trust_button: QPushButton | None = None
        if preview.signer is not None and not preview.trusted:
            note = QLabel("Before trusting, read this fingerprint to the colleague over the phone and check it "
                          f"matches theirs:\n{spoken_fingerprint(preview.signer.fingerprint)}")
            note.setWordWrap(True)
            note.setTextInteractionFlags(Qt.TextSelectableByMouse)
            layout.addWidget(note)
            self.trust_button = buttons.addButton(f"Trust {preview.signer.name}", QDialogButtonBox.AcceptRole)
            self.trust_button.setAccessibleName(f"Trust {preview.signer.name}")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 420)


def look_at_bundle(parent: QWidget | None, path: Path) -> bool:
    """Show a bundle's signer and contents; True when the officer trusted its signer from there."""
    from placedesk.services.sync.colleagues import load_trust, preview_bundle, trust_bundle_signer

    try:
        preview = preview_bundle(path, load_trust(), now=utcnow())
    except PlaceDeskError as exc:
        dialogs.warn(parent, "Bundle from a colleague", str(exc))
        return False
    view = BundlePreviewDialog(preview, parent)
    if view.trust_button is None or not dialogs.run_modal(view):
        return False
    try:
        trust_bundle_signer(path, now=utcnow())
    except PlaceDeskError as exc:
        dialogs.warn(parent, "Bundle from a colleague", str(exc))
        return False
    return True


class ColleaguesDialog(QDialog):
    """The trust list: who is trusted (fingerprint, expiry, laptops), add, remove, export your own."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Colleagues")
        layout = QVBoxLayout(self)
        intro = QLabel("PlaceDesk imports bundles only from the colleagues listed here (or certificates issued by a "
                       "council CA listed here). Compare a fingerprint with the colleague over the phone before "
                       "you trust it; remove someone to refuse their bundles from now on.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        label = QLabel("&Trusted colleagues:")
        self.list = QListWidget()
        self.list.setAccessibleName("Trusted colleagues")
        label.setBuddy(self.list)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add certificate…")
        self.bundle_button = QPushButton("&Look at a bundle…")
        self.remove_button = QPushButton("&Remove")
        self.export_button = QPushButton("&Export my certificate…")
        for button, slot in ((self.add_button, self.add_certificate), (self.bundle_button, self.look_at_bundle),
                             (self.remove_button, self.remove_selected), (self.export_button, self.export_mine)):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.clicked.connect(slot)
            row.addWidget(button)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.refresh()

    def refresh(self) -> None:
        from placedesk.services.sync.bundle_signing import spoken_fingerprint
        from placedesk.services.sync.colleagues import load_trust

        self.list.clear()
        try:
            trust = load_trust()
        except PlaceDeskError as exc:
            self.list.addItem(str(exc))
            return
        for colleague in sorted(trust.colleagues, key=lambda c: c.name.casefold()):
            laptops = trust.laptops_of(colleague.fingerprint)
            kind = "council CA" if colleague.authority else "colleague"
            text = (f"{colleague.name} ({kind}), valid until {colleague.not_after:%d/%m/%Y}"
                    + (f", laptops {', '.join(laptops)}" if laptops else "")
                    + f"\n    {spoken_fingerprint(colleague.fingerprint)}")
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, colleague.fingerprint)
            self.list.addItem(item)
        self.remove_button.setEnabled(bool(trust.colleagues))

    def add_certificate(self) -> None:
        from placedesk.services.sync.bundle_signing import common_name, fingerprint_of, spoken_fingerprint
        from placedesk.services.sync.colleagues import add_colleague, read_certificate_file

        path = dialogs.choose_open_file(self, "Colleague's certificate", "Certificates (*.pem *.cer *.crt);;All files (*)")
        if path is None:
            return
        try:
            certificate, laptops = read_certificate_file(path)
        except PlaceDeskError as exc:
            dialogs.warn(self, "Add certificate", str(exc))
            return
        where = f" (laptop {', '.join(laptops)})" if laptops else ""
        if not dialogs.confirm(self, "Add certificate",
                               f"Trust {common_name(certificate)}{where}?\n\nFingerprint:\n"
                               f"{spoken_fingerprint(fingerprint_of(certificate))}\n\n"
                               "Read it to them over the phone: trust it only if theirs is the same.",
                               "Trust this colleague"):
            return
        try:
            add_colleague(path, now=utcnow())
        except PlaceDeskError as exc:
            dialogs.warn(self, "Add certificate", str(exc))
            return
        self.refresh()

    def look_at_bundle(self) -> None:
        path = dialogs.choose_open_file(self, "Bundle to look at", "PlaceDesk bundles (*.zip manifest.json);;All files (*)")
        if path is None:
            return
        if path.name == "manifest.json":
            path = path.parent
        if look_at_bundle(self, path):
            self.refresh()

    def remove_selected(self) -> None:
        from placedesk.services.sync.colleagues import remove_colleague

        item = self.list.currentItem()
        if item is None:
            dialogs.inform(self, "Remove colleague", "Choose the colleague to remove first.")
            return
        name = item.text().split(" (", 1)[0]
        if not dialogs.confirm(self, "Remove colleague", f"Stop trusting {name}? Their bundles will be refused "
                                                         "until you trust them again.", "Stop trusting"):
            return
        try:
            remove_colleague(str(item.data(Qt.UserRole)))
        except PlaceDeskError as exc:
            dialogs.warn(self, "Remove colleague", str(exc))
        self.refresh()

    def export_mine(self) -> None:
        from placedesk.config import ensure_laptop_id
        from placedesk.services.agreements.identity import CERTIFICATE_FILE, identity_dir, identity_info
        from placedesk.services.sync.bundle_signing import spoken_fingerprint
        from placedesk.services.sync.colleagues import export_own_certificate

        info = identity_info()
        if info is None:
            dialogs.inform(self, "Export my certificate", "You have no signing identity yet: it is made the first "
                                                          "time you send a bundle or sign an agreement.")
            return
        laptop = ensure_laptop_id(self.ctx.settings)
        target = dialogs.choose_save_file(self, "Export my certificate", f"placedesk-certificate-{laptop}.pem",
                                          "Certificates (*.pem)")
        if target is None:
            return
        try:
            export_own_certificate(target, laptop_id=laptop,
                                   certificate_pem=(identity_dir() / CERTIFICATE_FILE).read_bytes())
        except (PlaceDeskError, OSError) as exc:
            dialogs.warn(self, "Export my certificate", str(exc))
            return
        dialogs.inform(self, "Export my certificate",
                       f"Wrote {target}. Send it to colleagues; when they add it, read them your fingerprint:\n"
                       f"{spoken_fingerprint(info.sha256)}")
