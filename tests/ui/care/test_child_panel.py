"""The child's page: identity, leaving-care status with reason and change dates, care history, milestones."""

from __future__ import annotations

import datetime as dt
import uuid

from pytestqt.qtbot import QtBot

from placedesk.config import OfficerSettings, Settings
from placedesk.db import Database
from placedesk.models import CarePeriod, Child
from placedesk.ui.care.child_panel import OVERDUE_BACKGROUND, ChildPanel
from placedesk.ui.context import AppContext
from tests.conftest import DialogRecorder

TODAY = dt.date(2026, 3, 10)


def add_child(db: Database, **kw: object) -> uuid.UUID:
    with db.session_scope() as s:
        child = Child(case_reference="C100", first_name="Ava", last_name="Brown", date_of_birth=dt.date(2009, 6, 15),
                      legal_status="C2", transition_plan="Staying put with her foster carers", **kw)
        s.add(child)
        s.flush()
        s.add_all([
            CarePeriod(child_id=child.id, start_date=dt.date(2023, 9, 1), end_date=dt.date(2024, 1, 1),
                       legal_status="V3", placement_code="U6"),
            CarePeriod(child_id=child.id, start_date=dt.date(2025, 7, 1), legal_status="C2", placement_code="K2",
                       source="ssda903"),
        ])
        return child.id


def panel(qtbot: QtBot, db: Database) -> ChildPanel:
    widget = ChildPanel(AppContext(db, Settings(officer=OfficerSettings(name="Test Officer"))), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    widget.show()
    return widget


def cells(table: object, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]  # type: ignore[attr-defined]


def test_child_page_shows_status_reason_changes_history_and_milestones(qtbot: QtBot, db: Database) -> None:
    child_id = add_child(db)
    page = panel(qtbot, db)
    page.show_child(child_id)
    assert page.title.text() == "Ava Brown"
    assert "Case reference C100 · aged 16" in page.subtitle.text()
    assert page.fields["legal"].text() == "C2 Full care order (s31)"
    assert page.fields["transition"].text() == "Staying put with her foster carers"
    # 01/07/2025 to 10/03/2026 inclusive is 253 days: an eligible child since the 91st, 29/09/2025.
    assert page.status_label.text() == "Eligible child on 10/03/2026"
    assert "253 days looked after since 14" in page.reason_label.text()
    assert "1 short-break period (V3/V4) not counted" in page.reason_label.text()
    assert cells(page.changes_table, 0) == ["15/06/2027", "15/06/2030", "15/06/2034"]
    assert cells(page.history_table, 0) == ["01/07/2025", "01/09/2023"]
    assert cells(page.history_table, 1) == ["Open", "01/01/2024"]
    assert cells(page.history_table, 5) == ["Counts towards 13 weeks", "Not counted: short breaks"]
    assert cells(page.history_table, 6) == ["SSDA903 import", "Entered by hand"]
    assert not page.history_empty.isVisible()
    milestones = dict(zip(cells(page.milestones_table, 1), cells(page.milestones_table, 2)))
    # Eligible from 29/09/2025 (after 16), so the needs assessment was due within three months, by 29/12/2025:
    # 2 days of December, 31 of January, 28 of February and 10 of March overdue.
    assessment = "Needs assessment and pathway plan due (within three months of becoming eligible on 29/09/2025)"
    assert milestones[assessment] == "Overdue by 71 days"
    assert milestones["18th birthday: move to adult services or staying put (plan recorded)"] == "In 462 days"
    overdue_row = cells(page.milestones_table, 1).index(assessment)
    assert page.milestones_table.item(overdue_row, 2).background().color() == OVERDUE_BACKGROUND


def test_no_care_history_says_how_to_fill_it(qtbot: QtBot, db: Database) -> None:
    with db.session_scope() as s:
        child = Child(case_reference="C9", first_name="", last_name="", date_of_birth=dt.date(2012, 1, 1))
        s.add(child)
        s.flush()
        child_id = child.id
    page = panel(qtbot, db)
    page.show_child(child_id)
    assert page.title.text() == "Name not recorded"
    assert "add the name" in page.subtitle.text()
    assert page.history_empty.isVisible() and not page.history_table.isVisible()
    assert "import-903" in page.history_empty.text()
    assert page.status_label.text() == "None on 10/03/2026"


def test_page_reloads_when_care_history_changes(qtbot: QtBot, db: Database) -> None:
    child_id = add_child(db)
    page = panel(qtbot, db)
    page.show_child(child_id)
    with db.session_scope() as s:
        s.add(CarePeriod(child_id=child_id, start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 2, 1),
                         legal_status="V2"))
    page.ctx.notify({"care_period"})
    assert len(cells(page.history_table, 0)) == 3


def test_missing_child_shows_guidance(qtbot: QtBot, db: Database) -> None:
    page = panel(qtbot, db)
    assert page.stack.currentWidget() is page.empty
    page.show_child(uuid.uuid4())
    assert page.empty.heading.text() == "Child not found"
    assert "refresh the list" in page.empty.guidance.text()


def test_removing_a_period_a_colleague_changed_meanwhile_shows_their_change_first(
        qtbot: QtBot, db: Database, colleague: Database, dialogs: DialogRecorder) -> None:
    from sqlalchemy import select

    child_id = add_child(db)
    page = panel(qtbot, db)
    page.show_child(child_id)
    page.history_table.selectRow(0)
    chosen = page.selected_period()
    assert chosen is not None
    with colleague.session_scope() as s:
        s.get(CarePeriod, chosen.id).placement_code = "U4"
    dialogs.always("confirm", True)
    dialogs.answer("resolve_edit_conflict", None)  # back, without removing
    page.remove_period()
    assert "A. Khan changed this care period" in dialogs.texts("resolve_edit_conflict")[0]
    with db.session() as s:
        assert s.scalars(select(CarePeriod.placement_code).where(CarePeriod.id == chosen.id)).one() == "U4"
    # Asked again, the officer removes it over their change, deliberately.
    page.show_child(child_id)
    page.history_table.selectRow(next(r for r, p in enumerate(page.page.care_history) if p.id == chosen.id))
    with colleague.session_scope() as s:
        s.get(CarePeriod, chosen.id).placement_code = "U5"
    dialogs.answer("resolve_edit_conflict", "mine")
    page.remove_period()
    with db.session() as s:
        assert s.get(CarePeriod, chosen.id) is None
