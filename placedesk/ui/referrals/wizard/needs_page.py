"""Wizard step 2, Needs: what is sought, the needs and risks, where, when, at what cost, who pays.

Placement type; needs and risks as tick lists (placedesk.models.vocab);
summaries; location constraint (distance, school postcode, family contact);
start date and urgency; weekly budget ceiling; funding partners' shares,
which must add up to 100%. On Next the referral is saved and, when complete,
becomes ready to match.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner, PlacementType, Urgency
from placedesk.models.vocab import NEEDS, RISKS
from placedesk.services.common.parsing import format_date, format_money, normalise_postcode, parse_date, parse_money
from placedesk.services.referrals.intake import ReferralNeeds, save_needs
from placedesk.ui.widgets.shares_editor import SharesEditor
from placedesk.ui.widgets.combo import enum_data, set_combo_data
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.referrals.wizard.page_base import ReferralPage, WizardState


def tick_list(options: dict[str, str]) -> QListWidget:
    """A list of labelled tick boxes whose items carry their codes."""
    widget = QListWidget()
    for code, text in options.items():
        item = QListWidgetItem(text)
        item.setData(Qt.UserRole, code)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Unchecked)
        widget.addItem(item)
    rows = widget.count()
    widget.setMinimumHeight(min(rows, 10) * (widget.sizeHintForRow(0) + 2) + 6)
    return widget


def ticked(widget: QListWidget) -> list[str]:
    return [widget.item(i).data(Qt.UserRole) for i in range(widget.count())
            if widget.item(i).checkState() == Qt.Checked]


def set_ticked(widget: QListWidget, codes: list[str]) -> None:
    for i in range(widget.count()):
        item = widget.item(i)
        item.setCheckState(Qt.Checked if item.data(Qt.UserRole) in codes else Qt.Unchecked)


def summary_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(64)
    return box


class NeedsPage(ReferralPage):
    step = 1
    save_on_back = True
    changes = ("referral", "referral_funding_share")

    def __init__(self, state: WizardState) -> None:
        super().__init__(state, "2. Needs",
                         "What placement is sought, for which needs and risks, where and when, and who pays. "
                         "Fields marked * are required before the referral can be matched.")
        sought = self.add_form("Placement sought")
        self.placement_type = QComboBox()
        self.placement_type.addItem("Choose the placement type…", None)
        for kind in PlacementType:
            self.placement_type.addItem(kind.label, kind)
        sought.add("placement_type", "Placement type *", self.placement_type)
        self.required_start_date = sought.add("required_start_date", "Start date *", DateField())
        self.urgency = QComboBox()
        for urgency in Urgency:
            self.urgency.addItem(urgency.label, urgency)
        sought.add("urgency", "Urgency", self.urgency)
        self.response_by = sought.add("response_by", "Responses by", DateField(),
                                      "dd/mm/yyyy: when providers must answer (printed on the pack)")

        lists = QWidget()
        grid = QGridLayout(lists)
        grid.setContentsMargins(0, 0, 0, 0)
        self.needs = tick_list(NEEDS)
        self.needs.setAccessibleName("Needs: tick every one that applies")
        self.risks = tick_list(RISKS)
        self.risks.setAccessibleName("Risks: tick every one that applies")
        needs_form = self.add_form("Needs and risks")
        grid.addWidget(self.needs, 0, 0)
        grid.addWidget(self.risks, 0, 1)
        needs_form.add("needs", "Needs / risks", lists, "Tick every need (left) and risk (right) that applies",
                       wide=True)
        self.needs_summary = needs_form.add("needs_summary", "Needs", summary_box("What the child needs, briefly"))
        self.risks_summary = needs_form.add("risks_summary", "Risks", summary_box("The risks and how they show"))
        self.education_summary = needs_form.add("education_summary", "Education",
                                                summary_box("School, EHCP provision, attendance"))
        self.health_summary = needs_form.add("health_summary", "Health", summary_box("Health needs, therapy"))
        self.identity_summary = needs_form.add("identity_summary", "Identity and culture",
                                               summary_box("Faith, culture, language, diet"))

        location = self.add_form("Location")
        self.max_distance_km = location.add("max_distance_km", "Maximum distance (km)", QLineEdit(),
                                            "Furthest a placement may be from the child's home: providers further "
                                            "away are left off the shortlist; empty for no limit")
        self.preferred_distance_km = location.add("preferred_distance_km", "Preferred distance (km)", QLineEdit(),
                                                  "Closer scores higher, further scores lower, but no provider "
                                                  "is left out for it; empty to score against the maximum")
        self.school_postcode = location.add("school_postcode", "School postcode", QLineEdit())
        self.family_contact_notes = location.add("family_contact_notes", "Family contact",
                                                 summary_box("Who the child sees, how often, where"))
        self.location_notes = location.add("location_notes", "Other location needs",
                                           summary_box("Areas to avoid, transport"))

        money = self.add_form("Budget and funding")
        self.budget = money.add("budget_ceiling", "Weekly budget ceiling (£)", QLineEdit(), "e.g. 4,500.00")
        self.shares = SharesEditor()
        money.add("funding", "Funding shares *", self.shares, "Each partner's share; they must add up to 100%")
        self.body_layout.addStretch(1)

    def load(self, session: Session) -> None:
        referral = self.referral(session)
        set_combo_data(self.placement_type, referral.placement_type)
        self.required_start_date.setText(format_date(referral.required_start_date))
        set_combo_data(self.urgency, referral.urgency)
        self.response_by.setText(format_date(referral.response_by))
        set_ticked(self.needs, list(referral.needs))
        set_ticked(self.risks, list(referral.risks))
        for box, text in ((self.needs_summary, referral.needs_summary), (self.risks_summary, referral.risks_summary),
                          (self.education_summary, referral.education_summary),
                          (self.health_summary, referral.health_summary),
                          (self.identity_summary, referral.identity_summary),
                          (self.family_contact_notes, referral.family_contact_notes),
                          (self.location_notes, referral.location_notes)):
            box.setPlainText(text)
        self.max_distance_km.setText(f"{referral.max_distance_km:g}" if referral.max_distance_km else "")
        self.preferred_distance_km.setText(
            f"{referral.preferred_distance_km:g}" if referral.preferred_distance_km else "")
        self.school_postcode.setText(referral.school_postcode)
        self.budget.setText(format_money(referral.budget_ceiling_pence).lstrip("£"))
        shares = {share.partner: share.share_bp for share in referral.funding_shares}
        if not shares:
            # Social care pays in full unless the officer says otherwise.
            shares = {FundingPartner.SOCIAL_CARE: 10000}
        self.shares.set_shares(shares)

    def collect(self) -> ReferralNeeds:
        """What was typed, parsed strictly; raises ValidationError naming the field."""
        placement_type = enum_data(self.placement_type, PlacementType)
        if placement_type is None:
            raise ValidationError("Choose the type of placement sought.", "placement_type")
        start = self.required_start_date.text().strip()
        if not start:
            raise ValidationError("Type the date the placement must start, as dd/mm/yyyy.", "required_start_date")
        response_by = self.response_by.text().strip()
        km = _kilometres(self.max_distance_km.text(), "max_distance_km")
        preferred_km = _kilometres(self.preferred_distance_km.text(), "preferred_distance_km")
        school = self.school_postcode.text().strip()
        budget = self.budget.text().strip()
        return ReferralNeeds(
            placement_type=placement_type,
            required_start_date=parse_date(start, "required_start_date"),
            funding_shares=self.shares.shares("funding"),
            urgency=enum_data(self.urgency, Urgency) or Urgency.PLANNED,
            needs=ticked(self.needs),
            risks=ticked(self.risks),
            needs_summary=self.needs_summary.toPlainText().strip(),
            risks_summary=self.risks_summary.toPlainText().strip(),
            education_summary=self.education_summary.toPlainText().strip(),
            health_summary=self.health_summary.toPlainText().strip(),
            identity_summary=self.identity_summary.toPlainText().strip(),
            max_distance_km=km,
            preferred_distance_km=preferred_km,
            location_notes=self.location_notes.toPlainText().strip(),
            school_postcode=normalise_postcode(school, "school_postcode") if school else "",
            family_contact_notes=self.family_contact_notes.toPlainText().strip(),
            budget_ceiling_pence=parse_money(budget, "budget_ceiling") if budget else None,
            response_by=parse_date(response_by, "response_by") if response_by else None,
        )

    def save(self, session: Session) -> None:
        save_needs(session, self.referral(session), self.collect(), today=self.state.today)


def _kilometres(text: str, field: str) -> float | None:
    distance = text.strip()
    if not distance:
        return None
    try:
        return float(distance)
    except ValueError:
        raise ValidationError(f"'{distance}' is not a distance: type a number of kilometres, e.g. 25.",
                              field) from None
