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
from typing import TypeVar

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QPushButton, QWidget

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
