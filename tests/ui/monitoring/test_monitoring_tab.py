"""The Monitoring tab end to end: list, provider detail, and a CAP opened, actioned and escalated."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.models.enums import CapSeverity, RiskLevel, SanctionKind
from placedesk.services.monitoring.restrictions import active_restrictions
from placedesk.ui.monitoring.style import RED
from placedesk.ui.monitoring.monitoring_tab import MonitoringTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.monitoring.helpers import build_monitored_provider, make_child, make_placement, make_provider
from tests.ui.monitoring.ui_helpers import TODAY, filling, make_ctx, pick


class FixedDayTab(MonitoringTab):
    def today(self) -> dt.date:
        return TODAY


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.session_scope() as session:
        provider, _ = build_monitored_provider(session, TODAY)
        make_placement(session, provider, make_child(session, "C1", first="Ava", last="Khan"), "PLC-1",
                       start=dt.date(2026, 1, 1))
        quiet = make_provider(session, "PRV-Q", name="Quiet Fostering")
        make_placement(session, quiet, make_child(session, "C2"), "PLC-2", start=dt.date(2026, 1, 1))
    return db


@pytest.fixture
def tab(qtbot: QtBot, seeded: Database) -> FixedDayTab:
    widget = FixedDayTab(make_ctx(seeded))
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    wait_for_tasks()
    return widget


def _select(tab: MonitoringTab, name: str) -> None:
    model = tab.list.model
    row = next(r for r in range(model.rowCount()) if model.value(r, "name") == name)
    tab.list.view.selectRow(row)


def test_list_shows_risk_and_kpi_status_at_a_glance(tab: FixedDayTab) -> None:
    model = tab.list.model
    names = [model.value(r, "name") for r in range(model.rowCount())]
    assert names == ["Brook Lodge", "Quiet Fostering"]
    assert model.value(0, "risk") is RiskLevel.HIGH
    assert model.value(0, "kpi_rag").value == "red"  # June's attendance is red
    assert model.value(0, "overdue") == 1
    risk_cell = model.index(0, [c.key for c in model._spec.columns].index("risk"))
    assert model.data(risk_cell, Qt.ForegroundRole).color() == RED
    tab.list.filter_combo("risk").setCurrentIndex(tab.list.filter_combo("risk").findData("high"))
    assert model.total == 1


def test_selecting_a_provider_shows_its_monitoring(tab: FixedDayTab) -> None:
    _select(tab, "Brook Lodge")
    detail = tab.detail
    assert detail.title.text() == "Brook Lodge"
    assert "Risk: <span style='color:#b00020'>High" in detail.risk.text()
    assert "Escalated CAP: CAP-T1-0001" in detail.risk.text()
    assert detail.kpis.model.rowCount() == 2
    assert detail.kpis.chart.chart().title().startswith("School attendance")
    detail.tabs.setCurrentWidget(detail.inspections)
    assert detail.inspections.table.model.rows()[0].values[2] == "Requires improvement to be good"
    detail.tabs.setCurrentWidget(detail.visits)
    assert detail.visits.table.model.rows()[0].values[1] == "Unannounced visit"
    detail.tabs.setCurrentWidget(detail.caps)
    top = detail.caps.tree.topLevelItem(0)
    assert top.text(0).startswith("CAP-T1-0001") and "1 overdue" in top.text(3)
    overdue = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0).startswith("Recruit"))
    assert overdue.text(3).startswith("OVERDUE") and overdue.foreground(0).color() == RED
    detail.tabs.setCurrentWidget(detail.outcomes)
    detail.outcomes.placements.view.selectRow(0)
    assert detail.outcomes.current().child_name == "Ava Khan"


def test_open_a_cap_add_actions_and_escalate_through_the_tab(tab: FixedDayTab, dialogs: DialogRecorder,
                                                            seeded: Database) -> None:
    dialogs.always("confirm", True)
    # The first action is due yesterday: the officer keeps the date when asked.
    dialogs.always("choose", "keep")
    _select(tab, "Quiet Fostering")
    caps = tab.detail.caps
    tab.detail.tabs.setCurrentWidget(caps)
    assert caps.tree.topLevelItemCount() == 0 and "No corrective action plans" in caps.empty.text()

    def open_cap(d: Any) -> None:
        d.issue.setPlainText("Notifications sent late")
        d.evidence.setPlainText("Four late notifications in May")
        pick(d.severity, CapSeverity.MEDIUM)
        d.opened_on.setDate(dt.date(2026, 6, 1))

    dialogs.answer("run_modal", filling(open_cap))
    caps.buttons["open"].click()
    top = caps.tree.topLevelItem(0)
    assert top is not None and top.text(0) == "CAP-T1-0002: Notifications sent late"

    caps.tree.setCurrentItem(top)
    for description, due in (("Send notifications within 24 hours", dt.date(2026, 6, 14)),
                             ("Audit last quarter's notifications", dt.date(2026, 7, 31))):
        def add(d: Any, description: str = description, due: dt.date = due) -> None:
            d.description.setPlainText(description)
            d.owner.setText("Registered manager")
            d.due_date.setDate(due)

        dialogs.answer("run_modal", filling(add))
        assert caps.buttons["add_action"].isEnabled()
        caps.buttons["add_action"].click()
    top = caps.tree.topLevelItem(0)
    actions = [top.child(i) for i in range(top.childCount()) if not top.child(i).text(0).startswith("Review")]
    assert [a.text(0) for a in actions] == ["Send notifications within 24 hours",
                                           "Audit last quarter's notifications"]
    # Due yesterday: overdue, shown in red; due next month: not.
    assert actions[0].text(3).startswith("OVERDUE") and actions[0].foreground(0).color() == RED
    assert not actions[1].text(3).startswith("OVERDUE")

    caps.tree.setCurrentItem(top)

    def escalate(d: Any) -> None:
        pick(d.sanction, SanctionKind.RESTRICT_REFERRALS)
        d.notes.setPlainText("Late notifications continued after the plan was agreed")

    dialogs.answer("run_modal", filling(escalate))
    caps.buttons["escalate"].click()
    top = caps.tree.topLevelItem(0)
    assert "Escalated" in top.text(3)
    sanction = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0).startswith("Sanction"))
    assert sanction.text(0) == "Sanction: Restriction of new referrals" and sanction.text(3) == "In force"
    with seeded.session() as session:
        reasons = active_restrictions(session, TODAY)
    assert any("Restriction of new referrals under CAP-T1-0002" in r for r in reasons.values())
    assert "Risk: <span style='color:#b00020'>High" in tab.detail.risk.text()


def test_closing_with_open_actions_is_refused_beside_the_form(tab: FixedDayTab, dialogs: DialogRecorder) -> None:
    _select(tab, "Brook Lodge")
    caps = tab.detail.caps
    tab.detail.tabs.setCurrentWidget(caps)
    caps.tree.setCurrentItem(caps.tree.topLevelItem(0))
    seen: list[Any] = []

    def close(d: Any) -> None:
        pick(d.outcome, d.outcome.itemData(1))
        d.notes.setPlainText("Done")

    dialogs.answer("run_modal", filling(close, seen))
    caps.buttons["close"].click()
    [dialog] = seen
    assert not dialog.result()
    assert "cannot close while 1 action(s) are open" in dialog.error_text()
    assert "'Recruit two waking night staff'" in dialog.error_text()


def test_dashboard_and_due_list(tab: FixedDayTab, qtbot: QtBot) -> None:
    tab.views.setCurrentWidget(tab.dashboard)
    qtbot.waitUntil(lambda: tab.dashboard.figures is not None, timeout=10000)
    assert tab.dashboard.tiles["high"].number.text() == "1"
    assert tab.dashboard.tiles["overdue"].number.text() == "1"
    assert tab.dashboard.reds.model.rows()[0].values[0] == "Brook Lodge"
    # No meaningless "Values" column: provider, reference, month and the red count only.
    assert len(tab.dashboard.reds.model.rows()[0].values) == 4
    charts = tab.dashboard.charts
    assert [c.accessibleName() for c in (charts.rag_chart, charts.reds_chart, charts.actions_chart,
                                         charts.spend_chart)] == [
        "KPI RAG by provider type (latest month)", "KPI reds over time",
        "Open and overdue CAP actions by provider", "Weekly spend by funding partner"]
    assert charts.actions_chart.chart().series(), "the CAP actions chart has a series"
    assert charts.rag_chart.chart().series()
    tab.resize(1280, 680)
    tab.dashboard.grab().save("/tmp/dashboard.png")
    tab.views.setCurrentWidget(tab.due)
    rows = tab.due.reviews.model.rows()
    assert {r.values[0] for r in rows} == {"Brook Lodge", "Quiet Fostering"}
    quiet = next(r for r in rows if r.values[0] == "Quiet Fostering")
    assert quiet.values[3] == "Never reviewed" and quiet.values[5].startswith("Overdue")
    assert [r.values[0] for r in tab.due.actions.model.rows()] == ["CAP-T1-0001"]
    tab.due.reviews.view.doubleClicked.emit(tab.due.reviews.model.index(rows.index(quiet), 0))
    assert tab.views.currentIndex() == 0 and tab.detail.title.text() == "Quiet Fostering"


def test_open_record_shows_the_cap(tab: FixedDayTab, seeded: Database) -> None:
    from sqlalchemy import select

    from placedesk.models import Cap

    with seeded.session() as session:
        cap_id = session.scalar(select(Cap.id))
    tab.open_record("cap", cap_id)
    assert tab.detail.tabs.currentWidget() is tab.detail.caps
    selection = tab.detail.caps.selection()
    assert selection is not None and selection.cap_ref == "CAP-T1-0001"


def test_a_late_review_is_red_and_can_be_recorded(tab: FixedDayTab, dialogs: DialogRecorder) -> None:
    _select(tab, "Brook Lodge")
    caps = tab.detail.caps
    tab.detail.tabs.setCurrentWidget(caps)
    top = caps.tree.topLevelItem(0)
    review = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0).startswith("Review"))
    assert review.text(2) == "10/04/2026" and "overdue" in review.text(3) and review.foreground(0).color() == RED
    caps.tree.setCurrentItem(review)
    dialogs.answer("run_modal", filling(lambda d: d.notes.setPlainText("Recruitment under way; one post filled")))
    caps.buttons["review"].click()
    top = caps.tree.topLevelItem(0)
    review = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0).startswith("Review"))
    assert review.text(0) == "Review: Recruitment under way; one post filled" and review.text(3) == "Held"
    caps.tree.setCurrentItem(top)
    dialogs.answer("run_modal", filling(lambda d: d.review_date.setDate(dt.date(2026, 7, 15))))
    caps.buttons["review"].click()
    assert "next review 15/07/2026" in caps.tree.topLevelItem(0).text(3)


def test_reports_are_saved_and_kept_from_the_tab(tab: FixedDayTab, dialogs: DialogRecorder, seeded: Database,
                                                 tmp_path: Any, qtbot: QtBot) -> None:
    from sqlalchemy import select

    from placedesk.models import StoredDocument

    _select(tab, "Brook Lodge")
    caps = tab.detail.caps
    tab.detail.tabs.setCurrentWidget(caps)
    caps.tree.setCurrentItem(caps.tree.topLevelItem(0))
    dialogs.answer("choose_save_file", tmp_path / "cap.pdf", tmp_path / "provider.pdf")
    caps.buttons["report"].click()
    qtbot.waitUntil(lambda: bool(dialogs.texts("inform")), timeout=20000)
    dialogs.answer("run_modal", True)
    tab.detail.report_button.click()
    qtbot.waitUntil(lambda: len(dialogs.texts("inform")) == 2, timeout=20000)
    assert (tmp_path / "cap.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "provider.pdf").read_bytes().startswith(b"%PDF")
    with seeded.session() as session:
        kinds = sorted(session.scalars(select(StoredDocument.kind)))
    assert kinds == ["cap_report", "provider_report"]
    assert "Saved to" in dialogs.texts("inform")[0]


def test_a_cap_opened_from_a_visit_records_where_it_came_from(tab: FixedDayTab, dialogs: DialogRecorder,
                                                              seeded: Database) -> None:
    from sqlalchemy import select

    from placedesk.models import Cap, MonitoringVisit
    from placedesk.models.enums import CapSource

    _select(tab, "Brook Lodge")
    visits = tab.detail.visits
    tab.detail.tabs.setCurrentWidget(visits)
    assert not visits.cap_button.isEnabled()
    visits.table.view.selectRow(0)
    seen: list[Any] = []
    dialogs.answer("run_modal", filling(lambda d: d.issue.setPlainText("Night staffing records incomplete"), seen))
    visits.cap_button.click()
    assert "Unannounced visit 03/03/2026" in seen[0].evidence.toPlainText()
    assert tab.detail.tabs.currentWidget() is tab.detail.caps
    with seeded.session() as session:
        cap = session.scalar(select(Cap).where(Cap.issue == "Night staffing records incomplete"))
        visit_id = session.scalar(select(MonitoringVisit.id))
    assert cap.source is CapSource.VISIT and cap.source_id == visit_id


def test_a_placed_childs_row_opens_their_page(tab: FixedDayTab) -> None:
    _select(tab, "Brook Lodge")
    detail = tab.detail
    detail.tabs.setCurrentWidget(detail.outcomes)
    detail.outcomes.placements.view.selectRow(0)
    child = detail.outcomes.current()
    assert detail.outcomes.child_button.isEnabled()
    opened: list[tuple[str, object]] = []
    tab.open_requested.connect(lambda entity, record_id: opened.append((entity, record_id)))
    detail.outcomes.child_button.click()
    assert opened == [("child", child.child_id)]


def test_a_colleagues_save_during_the_risk_refresh_is_retried_not_shown_as_an_error(
        tab: FixedDayTab, dialogs: DialogRecorder, monkeypatch: pytest.MonkeyPatch) -> None:
    import uuid

    from placedesk.errors import EditConflict
    from placedesk.services.monitoring import risk

    real = risk.refresh_all_risks
    runs: list[dt.date] = []

    def colleague_saves_during_the_first(session: Any, *, today: dt.date) -> int:
        runs.append(today)
        if len(runs) == 1:
            # What the save refuses with when A. Khan saved a provider between the refresh's read and write.
            raise EditConflict(entity="provider", entity_id=uuid.uuid4(), record_label="provider",
                               changed_by="A. Khan", changed_at=None, clashes=(), your_version=1, their_version=2)
        return real(session, today=today)

    monkeypatch.setattr(risk, "refresh_all_risks", colleague_saves_during_the_first)
    tab.refresh_risks()
    wait_for_tasks()
    wait_for_tasks()
    assert runs == [TODAY, TODAY] and dialogs.texts("warn") == []
