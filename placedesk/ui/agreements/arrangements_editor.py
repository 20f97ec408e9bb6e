"""The care arrangements of an agreement, as the officer types them before issuing a version.

Key contacts, the child's needs and risks with how the provider will meet each,
education, health, family time and contact, and delegated authority. The
editor only collects text: checking it is
:func:`placedesk.services.agreements.arrangements.check_arrangements`'s job.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from placedesk.services.agreements.arrangements import (
    CONSENT_BY,
    CareArrangements,
    Delegation,
    KeyContact,
    NeedMet,
)


def _table(headings: tuple[str, ...], name: str, height: int) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(list(headings))
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
    table.setSelectionBehavior(QAbstractItemView.SelectRows)
    table.setMinimumHeight(height)
    return table


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


class ArrangementsEditor(QWidget):
    """Everything the IPA says about the child's care beyond fees and terms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        layout.addWidget(QLabel("<b>Key contacts</b>"))
        self.contacts = _table(("Role", "Name", "Phone or email"), "Key contacts", 130)
        layout.addWidget(self.contacts)
        add_contact = QPushButton("Add contact")
        add_contact.clicked.connect(lambda: self._add_contact(KeyContact("", "")))
        layout.addWidget(add_contact)

        layout.addWidget(QLabel("<b>Needs and risks, and how the provider will meet each</b>"))
        self.needs = _table(("Need or risk", "What", "How the provider will meet it"), "Needs and risks", 130)
        self.needs.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.needs.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        layout.addWidget(self.needs)

        form = QFormLayout()
        self.school = QLineEdit()
        self.school.setPlaceholderText("School or college, year group, transport")
        form.addRow("School or college", self.school)
        self.ehcp = QLineEdit()
        form.addRow("EHCP", self.ehcp)
        self.virtual_school = QLineEdit()
        self.virtual_school.setPlaceholderText("Virtual school head or contact")
        form.addRow("Virtual school", self.virtual_school)
        self.gp = QLineEdit()
        self.gp.setPlaceholderText("GP surgery")
        form.addRow("GP", self.gp)
        self.camhs = QLineEdit()
        self.camhs.setPlaceholderText("CAMHS or therapy, and how often")
        form.addRow("CAMHS and therapy", self.camhs)
        self.health_assessments = QLineEdit()
        self.health_assessments.setPlaceholderText("e.g. Review health assessment due 01/09/2026")
        form.addRow("Health assessments", self.health_assessments)
        self.family_time = QPlainTextEdit()
        self.family_time.setPlaceholderText("Who the child sees, how often, where, supervised or not")
        self.family_time.setFixedHeight(60)
        form.addRow("Family time and contact", self.family_time)
        for label_widget in (self.school, self.ehcp, self.virtual_school, self.gp, self.camhs,
                             self.health_assessments, self.family_time):
            label = form.labelForField(label_widget)
            if isinstance(label, QLabel):
                label.setBuddy(label_widget)
                label_widget.setAccessibleName(label.text())
        layout.addLayout(form)

        layout.addWidget(QLabel("<b>Delegated authority</b>: who may consent to each matter"))
        self.delegated = _table(("Matter", "Who may consent"), "Delegated authority", 160)
        layout.addWidget(self.delegated)
        buttons = QHBoxLayout()
        add_matter = QPushButton("Add matter")
        add_matter.clicked.connect(lambda: self._add_delegation(Delegation("", CONSENT_BY[0])))
        buttons.addWidget(add_matter)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _add_contact(self, contact: KeyContact) -> None:
        row = self.contacts.rowCount()
        self.contacts.insertRow(row)
        for column, text in enumerate((contact.role, contact.name, contact.details)):
            self.contacts.setItem(row, column, QTableWidgetItem(text))

    def _add_need(self, need: NeedMet) -> None:
        row = self.needs.rowCount()
        self.needs.insertRow(row)
        for column, text in enumerate((need.area, need.item, need.how_met)):
            self.needs.setItem(row, column, QTableWidgetItem(text))

    def _add_delegation(self, delegation: Delegation) -> None:
        row = self.delegated.rowCount()
        self.delegated.insertRow(row)
        self.delegated.setItem(row, 0, QTableWidgetItem(delegation.matter))
        who = QComboBox()
        who.setEditable(True)
        who.addItems(list(CONSENT_BY))
        who.setCurrentText(delegation.consent_by)
        who.setAccessibleName(f"Who may consent: {delegation.matter or 'new matter'}")
        self.delegated.setCellWidget(row, 1, who)

    def set_arrangements(self, arrangements: CareArrangements) -> None:
        for table in (self.contacts, self.needs, self.delegated):
            table.setRowCount(0)
        for contact in arrangements.contacts:
            self._add_contact(contact)
        for need in arrangements.needs:
            self._add_need(need)
        for delegation in arrangements.delegated_authority:
            self._add_delegation(delegation)
        self.school.setText(arrangements.school)
        self.ehcp.setText(arrangements.ehcp)
        self.virtual_school.setText(arrangements.virtual_school)
        self.gp.setText(arrangements.gp)
        self.camhs.setText(arrangements.camhs)
        self.health_assessments.setText(arrangements.health_assessments)
        self.family_time.setPlainText(arrangements.family_time)

    def arrangements(self) -> CareArrangements:
        """What is typed, unchecked."""
        delegated = []
        for row in range(self.delegated.rowCount()):
            who = self.delegated.cellWidget(row, 1)
            delegated.append(Delegation(_cell(self.delegated, row, 0),
                                        who.currentText().strip() if isinstance(who, QComboBox) else ""))
        return CareArrangements(
            contacts=tuple(KeyContact(*(_cell(self.contacts, r, c) for c in range(3)))
                           for r in range(self.contacts.rowCount())),
            needs=tuple(NeedMet(*(_cell(self.needs, r, c) for c in range(3))) for r in range(self.needs.rowCount())),
            school=self.school.text(),
            ehcp=self.ehcp.text(),
            virtual_school=self.virtual_school.text(),
            gp=self.gp.text(),
            camhs=self.camhs.text(),
            health_assessments=self.health_assessments.text(),
            family_time=self.family_time.toPlainText(),
            delegated_authority=tuple(delegated),
        )


__all__ = ["ArrangementsEditor"]
