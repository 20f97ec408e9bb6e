"""Wizard step 1, Child: who the referral is for, found by case reference or typed new.

Identity, legal status (SSDA903 codes with their descriptions), home local
authority and postcode, social worker and EHCP. "Find" fills the form from
an existing child with that case reference (and opens their care history
and leaving-care status in a window); otherwise a new child is made. On Next the child and the draft referral are saved in one transaction.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget
from sqlalchemy.orm import Session

from placedesk.errors import Problems, ValidationError
from placedesk.models import Child
from placedesk.services.common.parsing import format_date, parse_date
from placedesk.services.referrals.intake import ChildDetails, check_child, save_child
from placedesk.services.care.ssda903_codes import ETHNICITY, LEGAL_STATUSES
from placedesk.services.referrals.wizard_drafts import find_child
from placedesk.ui.care.child_panel import ChildPanel
from placedesk.ui.widgets.combo import set_combo_data
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState

GENDERS = ("Female", "Male", "Non-binary", "Prefer not to say")
RELIGIONS = ("None", "Christian", "Muslim", "Hindu", "Sikh", "Jewish", "Buddhist", "Other", "Not known")
LANGUAGES = ("English", "Arabic", "Bengali", "Kurdish", "Pashto", "Polish", "Romanian", "Somali", "Tigrinya", "Urdu",
             "Welsh")


def _editable_combo(items: tuple[str, ...] | list[str]) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(items))
    combo.setCurrentIndex(-1)
    combo.setInsertPolicy(QComboBox.NoInsert)
    return combo


class ChildPage(ReferralPage):
    step = 0
    save_on_back = True
    changes = ("referral", "child")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "1. Child",
                         "Who is the placement for? Type the case reference and press Find to use a child "
                         "already in PlaceDesk, or fill in the details for a new child. Fields marked * are required.")
        self.case_reference = QLineEdit()
        self.case_reference.setPlaceholderText("the case-management system's reference, e.g. LAC-20417")
        self.case_reference.setAccessibleName("Case reference")
        self.find_button = QPushButton("F&ind")
        self.find_button.setToolTip("Fill the form from the child with this case reference")
        self.find_button.clicked.connect(self.find_child)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        case_row = QWidget()
        row = QHBoxLayout(case_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.case_reference, 1)
        row.addWidget(self.find_button)

        identity = self.add_form("Identity")
        identity.add("case_reference", "Case reference *", case_row)
        # Errors name the line edit itself; point the registry at it.
        identity.fields["case_reference"] = (self.case_reference, identity.fields["case_reference"][1])
        identity.form.addRow("", self.found_label)
        self.found_label.hide()
        self.first_name = identity.add("first_name", "First name *", QLineEdit())
        self.last_name = identity.add("last_name", "Last name *", QLineEdit())
        self.known_as = identity.add("known_as", "Known as", QLineEdit())
        self.date_of_birth = identity.add("date_of_birth", "Date of birth *", DateField())
        self.gender = identity.add("gender", "Gender", _editable_combo(GENDERS))
        self.ethnicity = identity.add("ethnicity", "Ethnicity", _editable_combo(sorted(ETHNICITY.values())))
        self.religion = identity.add("religion", "Religion", _editable_combo(RELIGIONS))
        self.language = identity.add("language", "First language", _editable_combo(LANGUAGES))

        legal = self.add_form("Legal status and home")
        self.legal_status = QComboBox()
        self.legal_status.addItem("Choose the legal status…", "")
        for code in LEGAL_STATUSES.values():
            self.legal_status.addItem(f"{code.code}  {code.description}", code.code)
        legal.add("legal_status", "Legal status *", self.legal_status, "SSDA903 code")
        self.home_local_authority = legal.add("home_local_authority", "Home local authority", QLineEdit())
        self.home_postcode = legal.add("home_postcode", "Home postcode", QLineEdit(),
                                       "Used to judge how far each provider is from home")

        worker = self.add_form("Social worker and education")
        self.social_worker_name = worker.add("social_worker_name", "Social worker", QLineEdit())
        self.social_worker_email = worker.add("social_worker_email", "Email", QLineEdit())
        self.social_worker_phone = worker.add("social_worker_phone", "Phone", QLineEdit())
        self.has_ehcp = worker.add("has_ehcp", "EHCP", QCheckBox("Has an education, health and care plan"))

        history = self.add_form("Care history")
        self.history_button = QPushButton("Show care history and leaving-care status…")
        self.history_button.setToolTip("The child's care periods (imported from SSDA903 or typed by hand) and "
                                       "what they mean for leaving care, in a separate window")
        self.history_button.clicked.connect(self.show_history)
        self.history_button.setEnabled(False)
        history.add("care_history", "Care periods", self.history_button,
                    "Known children only: import the SSDA903 episodes, or add periods by hand on that page")
        self.body_layout.addStretch(1)
        self._saved_id: object = None
        self._child_id: uuid.UUID | None = None
        self.history_window: ChildPanel | None = None

    # --- loading -------------------------------------------------------------------
    def load(self, session: Session) -> None:
        self._found("")
        if self.state.referral_id is None:
            return
        referral = self.referral(session)
        self.fill(referral.child)
        set_combo_data(self.legal_status, referral.legal_status or referral.child.legal_status)

    def fill(self, child: Child) -> None:
        self._child_id = child.id
        self.history_button.setEnabled(True)
        self.case_reference.setText(child.case_reference)
        self.first_name.setText(child.first_name)
        self.last_name.setText(child.last_name)
        self.known_as.setText(child.known_as)
        self.date_of_birth.setText(format_date(child.date_of_birth))
        for combo, value in ((self.gender, child.gender), (self.ethnicity, child.ethnicity),
                             (self.religion, child.religion), (self.language, child.language)):
            combo.setCurrentText(value)
        set_combo_data(self.legal_status, child.legal_status)
        self.home_local_authority.setText(child.home_local_authority)
        self.home_postcode.setText(child.home_postcode)
        self.social_worker_name.setText(child.social_worker_name)
        self.social_worker_email.setText(child.social_worker_email)
        self.social_worker_phone.setText(child.social_worker_phone)
        self.has_ehcp.setChecked(child.has_ehcp)

    def show_history(self) -> None:
        """Open the child's page (care periods, leaving-care status, milestones) beside the wizard."""
        if self._child_id is None:
            return
        if self.history_window is None:
            self.history_window = ChildPanel(self.ctx, today=lambda: self.state.today)
            self.history_window.setWindowFlag(Qt.Window, True)
            self.history_window.resize(760, 640)
        self.history_window.show_child(self._child_id)
        self.history_window.setWindowTitle(f"Care history — {self.case_reference.text().strip()}")
        self.history_window.show()
        self.history_window.raise_()

    def _found(self, text: str) -> None:
        self.found_label.setText(text)
        self.found_label.setVisible(bool(text))

    def find_child(self) -> None:
        """Fill the form from the child with the typed case reference, if there is one."""
        self.clear_errors()
        reference = self.case_reference.text().strip()
        if not reference:
            self.show_error("case_reference", "Type a case reference to look for.")
            return
        with self.ctx.read() as session:
            child = find_child(session, reference)
            if child is None:
                self._found(
                    f"No child with case reference {reference} yet: fill in the details below to add one.")
                return
            self.fill(child)
            self._found(
                f"Found {child.full_name or child.case_reference}, born {format_date(child.date_of_birth)}: the details below come from "
                "their record; changes you make here update it.")

    # --- saving ----------------------------------------------------------------------
    def collect(self) -> ChildDetails:
        """What was typed, with dates parsed strictly; raises one ValidationError listing every problem."""
        problems = Problems()
        dob = None
        with problems.check():
            if not self.date_of_birth.text().strip():
                raise ValidationError("Type the date of birth as dd/mm/yyyy, e.g. 17/05/2012.", "date_of_birth")
            dob = parse_date(self.date_of_birth.text(), "date_of_birth")
        legal_status = self.legal_status.currentData() or ""
        details = ChildDetails(
            case_reference=self.case_reference.text().strip(),
            first_name=self.first_name.text().strip(),
            last_name=self.last_name.text().strip(),
            # A date of birth that could not be read is already a problem; today stands in for the other checks.
            date_of_birth=dob or self.state.today,
            known_as=self.known_as.text().strip(),
            gender=self.gender.currentText().strip(),
            ethnicity=self.ethnicity.currentText().strip(),
            religion=self.religion.currentText().strip(),
            language=self.language.currentText().strip(),
            legal_status=legal_status,
            home_local_authority=self.home_local_authority.text().strip(),
            home_postcode=self.home_postcode.text().strip(),
            social_worker_name=self.social_worker_name.text().strip(),
            social_worker_email=self.social_worker_email.text().strip(),
            social_worker_phone=self.social_worker_phone.text().strip(),
            has_ehcp=self.has_ehcp.isChecked(),
        )
        with problems.check():
            check_child(details, self.state.today)
        if not legal_status:
            problems.add("Choose the child's legal status.", "legal_status")
        problems.raise_any()
        return details

    def save(self, session: Session) -> None:
        details = self.collect()
        existing = self.referral(session) if self.state.referral_id else None
        settings = self.ctx.settings
        referral = save_child(session, existing, details, today=self.state.today,
                              laptop_id=settings.laptop_id or "LOCAL", created_by=settings.officer.name)
        self._saved_id = referral.id

    def after_save(self) -> None:
        self.state.referral_id = self._saved_id
