"""Every modal question the app asks, behind one small set of functions.

UI code calls ``dialogs.ask_yes_no(...)`` and friends through this module (never
``QMessageBox.exec`` directly), so tests patch these functions and no test ever
blocks on a modal ``exec()``. After Picard's ``user_dialog_service``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def ask_yes_no(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
    return answer == QMessageBox.Yes


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


def choose_directory(parent: QWidget | None, title: str) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title)
    return Path(name) if name else None


def run_modal(dialog: QWidget) -> bool:
    """Show a custom dialog modally; True when accepted. Tests patch this too."""
    return bool(dialog.exec())  # type: ignore[attr-defined]
