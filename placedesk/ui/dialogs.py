"""Every modal question the app asks, behind one small set of functions.

UI code calls ``dialogs.confirm(...)``, ``dialogs.choose(...)`` and friends
through this module (never ``QMessageBox.exec`` directly), so tests patch these
functions and no test ever blocks on a modal ``exec()``. After Picard's
``user_dialog_service``.

Every question is asked through :func:`choose`, the one confirmation helper:
its buttons are named by their verbs ("Record as sent", "Import a .p12…"),
never Yes/No, and the safe answer is the default, so a stray Enter never
takes a step that cannot be undone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, TypeVar

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from placedesk.errors import EditConflict
from placedesk.ui.edit_conflict import EditConflictDialog

T = TypeVar("T")


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def choose(parent: QWidget | None, title: str, text: str, choices: Sequence[tuple[T, str]], *,
           default: T | None = None, cancel: str | None = "Cancel") -> T | None:
    """Ask a question whose buttons are the verbs in ``choices``; the chosen key, or None for Cancel.

    ``default`` is the key pressed by Enter (None makes Cancel the default, the safe
    choice for a step that cannot be undone). Escape and closing the window cancel.
    """
    box = QMessageBox(QMessageBox.Question, title, text, QMessageBox.NoButton, parent)
    buttons: dict[int, T] = {}
    default_button: QPushButton | None = None
    for key, label in choices:
        button = box.addButton(label, QMessageBox.AcceptRole)
        button.setAccessibleName(label.replace("&", "").rstrip("…"))
        buttons[id(button)] = key
        if default is not None and key == default:
            default_button = button
    cancel_button = box.addButton(cancel, QMessageBox.RejectRole) if cancel else None
    if cancel_button is not None:
        box.setEscapeButton(cancel_button)
    chosen_default = default_button or cancel_button
    if chosen_default is not None:
        box.setDefaultButton(chosen_default)
    box.exec()
    clicked = box.clickedButton()
    return buttons.get(id(clicked)) if clicked is not None else None


def confirm(parent: QWidget | None, title: str, text: str, action: str, *, cancel: str = "Cancel",
            safe_default: bool = True) -> bool:
    """Ask before a deliberate step; True only when the officer presses the ``action`` button.

    ``text`` names the consequence; Cancel is the default unless ``safe_default`` is False
    (for steps that are easily undone).
    """
    return choose(parent, title, text, [(True, action)], default=None if safe_default else True,
                  cancel=cancel) is True


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.Normal, text)
    return value if ok else None


def ask_passphrase(parent: QWidget | None, title: str, label: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.Password)
    return value if ok else None


class ServerPassword(NamedTuple):
    """What the officer typed to log in to the team server, and whether to keep it in the keystore."""

    password: str
    remember: bool


class ServerPasswordDialog(QDialog):
    """Asks for the team server password, offering to keep it in this computer's keystore."""

    def __init__(self, where: str, reason: str = "", can_remember: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to the team server")
        intro = QLabel(f"PlaceDesk is connecting to the team server {where}.")
        intro.setWordWrap(True)
        self.reason = QLabel(reason)
        self.reason.setWordWrap(True)
        self.reason.setVisible(bool(reason))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setAccessibleName("Team server password")
        self.remember = QCheckBox("&Remember in this computer's keystore")
        self.remember.setToolTip("Kept by the system's keystore (Windows Credential Manager, macOS Keychain, "
                                 "Secret Service), never in PlaceDesk's settings")
        if not can_remember:
            self.remember.setEnabled(False)
            self.remember.setToolTip("This computer has no keystore: the password is asked for each time")
        form = QFormLayout()
        caption = QLabel("&Password:")
        caption.setBuddy(self.password)
        form.addRow(caption, self.password)
        form.addRow("", self.remember)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("&Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.password.setFocus()

    def answer(self) -> ServerPassword:
        return ServerPassword(self.password.text(), self.remember.isChecked())


def ask_server_password(parent: QWidget | None, where: str, reason: str = "",
                        can_remember: bool = True) -> ServerPassword | None:
    """The team server password for ``where`` ("host/db as login"), or None when the officer cancels."""
    dialog = ServerPasswordDialog(where, reason, can_remember, parent)
    if not dialog.exec() or not dialog.password.text():
        return None
    return dialog.answer()


def choose_open_file(parent: QWidget | None, title: str, filters: str = "") -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def choose_save_file(parent: QWidget | None, title: str, suggested: str = "", filters: str = "") -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def choose_directory(parent: QWidget | None, title: str, start: str = "") -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title, start)
    return Path(name) if name else None


def resolve_edit_conflict(parent: QWidget | None, conflict: EditConflict) -> str | None:
    """Show a colleague's change beside the officer's refused save (see :mod:`placedesk.ui.edit_conflict`).

    Returns ``"theirs"`` (keep theirs: reload), ``"mine"`` (apply mine over theirs) or
    None (back to the form, nothing saved).
    """
    dialog = EditConflictDialog(conflict, parent)
    return dialog.choice if dialog.exec() else None


def run_modal(dialog: QWidget) -> bool:
    """Show a custom dialog modally; True when accepted. Tests patch this too."""
    return bool(dialog.exec())  # type: ignore[attr-defined]


# Every function above waits for a person: whatever stands in for a person (the tests' ``dialogs``
# fixture, the wizard benchmark) replaces each of them, and a new one is in this list by itself.
QUESTIONS: tuple[str, ...] = tuple(
    name for name, value in list(globals().items())
    if callable(value) and getattr(value, "__module__", None) == __name__ and not name.startswith("_")
    and not isinstance(value, type)
)
