"""Adding or changing one care period by hand: dates typed as dd/mm/yyyy, SSDA903 codes from lists.

Save runs one service call (:mod:`placedesk.services.care.care_history`) in one
transaction; a rule it breaks is shown under the field to fix and nothing is
saved. The child's page opens this with ``placedesk.ui.dialogs.run_modal``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtWidgets import QComboBox, QWidget
from sqlalchemy.orm import Session

from placedesk.models.child import CarePeriod
from placedesk.services.care.care_history import add_care_period, change_care_period, read_entry
from placedesk.services.care.child_summary import CareHistoryRow
from placedesk.services.care.ssda903_codes import LEGAL_STATUSES, PLACEMENT_TYPES
from placedesk.ui.context import AppContext
from placedesk.ui.widgets.date_field import DateField
from placedesk.ui.monitoring.dialogs.service_dialog import ServiceDialog

CHANGES = ("care_period",)
# The longest descriptions (youth justice remand, foster carers who are approved adopters) fit whole.
COMBO_CHARACTERS = 72
DIALOG_WIDTH = 860

INTRO = ("A period runs from its start date up to, but not including, its end date, so the next period can start "
         "on the day this one ends. Typed periods count towards leaving care exactly as imported ones do.")
IMPORTED_NOTE = ("\n\nThis period came from an SSDA903 import. Once changed it counts as typed by hand: a later "
                 "import will not undo your change, but will report the return's version of it as overlapping.")


def _code_combo(prompt: str, items: list[tuple[str, str]], current: str) -> QComboBox:
    """A list of SSDA903 codes with their labels; a stored code not in the list is kept so it can be corrected."""
    combo = QComboBox()
    combo.addItem(prompt, "")
    for code, label in items:
        combo.addItem(f"{code}  {label}", code)
    if current and combo.findData(current) < 0:
        combo.addItem(f"{current}  (not an SSDA903 code)", current)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(COMBO_CHARACTERS)
    # On a narrow screen the text may still be cut: the whole of it is a hover away.
    combo.setToolTip(combo.currentText())
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


def _date_line(value: dt.date | None, required: bool = True) -> DateField:
    return DateField(value, required=required)


class CarePeriodDialog(ServiceDialog):
    """Add a period to a child's care history, or change one (``period`` given)."""

    def __init__(self, ctx: AppContext, child_id: uuid.UUID, child_name: str, today: dt.date,
                 period: CareHistoryRow | None = None, parent: QWidget | None = None) -> None:
        title = f"{'Change' if period else 'Add'} a care period – {child_name}"
        intro = INTRO + (IMPORTED_NOTE if period is not None and period.imported else "")
        super().__init__(ctx, title, self._save, CHANGES, parent, intro=intro,
                         save_text="Save changes" if period else "Add period")
        self.child_id = child_id
        self.period_id = period.id if period else None
        self.today = today
        self.start_date = _date_line(period.start_date if period else None)
        self.end_date = _date_line(period.end_date if period else None, required=False)
        self.legal_status = _code_combo(
            "Choose the legal status…", [(c.code, c.description) for c in LEGAL_STATUSES.values()],
            period.legal_status_code if period else "")
        self.placement_code = _code_combo(
            "Choose the placement type…", list(PLACEMENT_TYPES.items()), period.placement_code if period else "")
        self.form.add("start_date", "Started *", self.start_date, "dd/mm/yyyy (SSDA903 DECOM)")
        self.form.add("end_date", "Ended", self.end_date,
                      "dd/mm/yyyy (DEC); leave blank while the child is still looked after")
        self.form.add("legal_status", "Legal status *", self.legal_status,
                      "V3/V4 short breaks never count towards the 13 weeks; L1-L3 are not looked after",
                      wide=True)
        self.form.add("placement_code", "Placement *", self.placement_code, wide=True)
        self.setMinimumWidth(DIALOG_WIDTH)

    def _save(self, session: Session) -> CarePeriod:
        entry = read_entry(self.start_date.text(), self.end_date.text(), self.legal_status.currentData() or "",
                           self.placement_code.currentData() or "")
        if self.period_id is None:
            return add_care_period(session, self.child_id, entry, today=self.today)
        return change_care_period(session, self.period_id, entry, today=self.today)
