"""The one confirmation helper: buttons named by their verbs, the safe choice the default."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from placedesk.ui import dialogs


@pytest.fixture
def press(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> dict[str, Any]:
    """Replace the message box's exec with one that records its buttons and presses the one asked for."""
    seen: dict[str, Any] = {"press": None}

    def fake_exec(box: QMessageBox) -> int:
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["default"] = box.defaultButton().text() if box.defaultButton() else None
        seen["escape"] = box.escapeButton().text() if box.escapeButton() else None
        target = seen["press"] or seen["default"]
        next(b for b in box.buttons() if b.text() == target).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


def test_confirm_has_the_verb_and_cancel_with_cancel_as_default(press: dict[str, Any]) -> None:
    assert dialogs.confirm(None, "Record as sent", "This cannot be undone.", "Record as sent") is False
    assert sorted(press["buttons"]) == ["Cancel", "Record as sent"]
    assert press["default"] == "Cancel" and press["escape"] == "Cancel"
    press["press"] = "Record as sent"
    assert dialogs.confirm(None, "Record as sent", "This cannot be undone.", "Record as sent") is True


def test_a_two_way_question_uses_its_verbs_and_the_safe_default(press: dict[str, Any]) -> None:
    choices = [("create", "Create a new identity"), ("import", "Import a .p12…")]
    assert dialogs.choose(None, "Signing identity", "You have none yet.", choices, default="import") == "import"
    assert "Yes" not in press["buttons"] and "No" not in press["buttons"]
    assert {"Create a new identity", "Import a .p12…", "Cancel"} == set(press["buttons"])
    press["press"] = "Create a new identity"
    assert dialogs.choose(None, "Signing identity", "You have none yet.", choices, default="import") == "create"
    press["press"] = "Cancel"
    assert dialogs.choose(None, "Signing identity", "You have none yet.", choices, default="import") is None
