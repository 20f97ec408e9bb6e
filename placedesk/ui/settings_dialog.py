"""Officer profile and settings: who signs, the shared folder, monitoring intervals."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from placedesk.config import Settings
from placedesk.errors import ValidationError
from placedesk.services.common.settings import SettingsInput, apply_settings
from placedesk.ui import dialogs
from placedesk.ui.context import AppContext


class SettingsDialog(QDialog):
    """The settings form; ``result_settings`` holds the checked settings once accepted."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Officer profile and settings")
        self._settings = settings
        self.result_settings: Settings | None = None
        o, m = settings.officer, settings.monitoring
        self.fields: dict[str, QLineEdit] = {}
        self.la_address = QPlainTextEdit(o.la_address)
        self.la_address.setFixedHeight(60)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)

        profile = QGroupBox("Officer profile (recorded with every change; printed on packs and agreements)")
        form = QFormLayout(profile)
        self._line(form, "name", "Name", o.name)
        self._line(form, "role", "Role", o.role)
        self._line(form, "local_authority", "Local authority", o.local_authority)
        form.addRow("LA address", self.la_address)
        self._line(form, "email", "Email", o.email)
        self._line(form, "phone", "Phone", o.phone)
        form.addRow("", QLabel("Packs and agreements need the local authority, your name, and an email or phone."))

        work = QGroupBox("Working settings")
        form2 = QFormLayout(work)
        self._line(form2, "shared_folder", "Shared folder for bundles", settings.shared_folder)
        self._line(form2, "high_days", "Review every … days (high risk)", str(m.high_days))
        self._line(form2, "medium_days", "Review every … days (medium risk)", str(m.medium_days))
        self._line(form2, "low_days", "Review every … days (low risk)", str(m.low_days))
        self._line(form2, "backup_keep", "Daily backups to keep", str(settings.backup_keep))
        self._line(form2, "coming_up_days", "Days ahead in Coming up", str(settings.coming_up_days))

        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(profile)
        layout.addWidget(work)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _line(self, form: QFormLayout, key: str, label: str, value: str) -> None:
        edit = QLineEdit(value)
        edit.setObjectName(key)
        self.fields[key] = edit
        form.addRow(label, edit)

    def accept(self) -> None:
        text = {key: edit.text() for key, edit in self.fields.items()}
        try:
            self.result_settings = apply_settings(
                self._settings, SettingsInput(la_address=self.la_address.toPlainText(), **text)
            )
        except ValidationError as exc:
            self.error.setText(str(exc))
            if exc.field in self.fields:
                self.fields[exc.field].setFocus()
                self.fields[exc.field].setStyleSheet("border: 1px solid #b00020;")
            return
        super().accept()


def edit_settings(parent: QWidget, ctx: AppContext) -> bool:
    """Show the dialog; apply and return True when the officer saves valid settings."""
    dialog = SettingsDialog(ctx.settings, parent)
    if not dialogs.run_modal(dialog) or dialog.result_settings is None:
        return False
    ctx.settings = dialog.result_settings
    ctx.settings_problem = None
    ctx.db.officer = ctx.settings.officer.name
    return True
