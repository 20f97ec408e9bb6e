"""The officer's override of a provider's computed risk level, with the reason recorded."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.models import Provider
from placedesk.models.enums import RiskLevel
from placedesk.services.monitoring.risk import override_risk
from placedesk.ui.context import AppContext
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog
from placedesk.ui.widgets.combo import enum_data


class RiskOverrideDialog(ServiceDialog):
    """Set or clear the override; the computed level and its reasons stay visible beside it."""

    def __init__(self, ctx: AppContext, provider_id: uuid.UUID, computed: RiskLevel, explanation: str,
                 current: RiskLevel | None, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Override the risk level", self._save, ("provider",), parent,
                         intro=f"Computed risk: {computed.label}.\n{explanation}\n\nAn override sets how often "
                               "this provider is reviewed until you clear it.")
        self.provider_id = provider_id
        self.level = QComboBox()
        self.level.addItem("No override: use the computed level", None)
        for level in RiskLevel:
            self.level.addItem(level.label, level)
        self.level.setCurrentIndex(max(0, self.level.findData(current)) if current else 0)
        self.reason = QPlainTextEdit(reason)
        self.reason.setPlaceholderText("Why the computed level is not right for this provider now")
        self.reason.setFixedHeight(80)
        self.form.add("level", "Risk level", self.level)
        self.form.add("reason", "Reason", self.reason)

    def _save(self, session: Session) -> None:
        provider = session.get(Provider, self.provider_id)
        assert provider is not None
        override_risk(session, provider, enum_data(self.level, RiskLevel), self.reason.toPlainText())
