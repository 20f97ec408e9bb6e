"""A friendly panel shown instead of an empty table: what this is, and what to do next."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyState(QWidget):
    """A heading, a sentence of guidance and buttons for the next steps."""

    def __init__(self, heading: str, guidance: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = QLabel(heading)
        self.heading.setAlignment(Qt.AlignCenter)
        self.heading.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.guidance = QLabel(guidance)
        self.guidance.setAlignment(Qt.AlignCenter)
        self.guidance.setWordWrap(True)
        self.guidance.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        layout.addWidget(self.heading)
        layout.addWidget(self.guidance)
        self._buttons = QHBoxLayout()
        self._buttons.addStretch(1)
        self._buttons_end = QWidget()
        layout.addLayout(self._buttons)
        layout.addStretch(2)

    def add_action(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        self._buttons.addWidget(button)
        return button

    def finish(self) -> None:
        """Call after adding actions, to centre them."""
        self._buttons.addStretch(1)
