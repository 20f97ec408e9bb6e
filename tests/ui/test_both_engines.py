"""GUI smoke tests on both engines: the main window on the small demo, every tab opened and filled."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.services.common.summary import record_counts
from placedesk.ui.app import build_main_window
from placedesk.ui.main_window import TABS
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import ENGINES


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_window_opens_on_the_demo_and_every_tab_shows_its_records(qtbot: QtBot, demo_db: Database) -> None:
    win = build_main_window(demo_db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready, timeout=30000)
    with demo_db.session() as s:
        counts = record_counts(s)
    assert counts.providers > 100 and counts.children > 20
    assert f"{counts.providers:,} providers" in win.counts_label.text()
    for key, *_ in TABS:
        tab = win.show_tab(key)
        qtbot.waitUntil(lambda: win.tabs.currentWidget().tab is tab)
    # F5: every screen reloads from the database at once.
    win.refresh_all()
    wait_for_tasks()
    providers = win.show_tab("providers")
    assert providers.model.total == counts.providers
    children = win.show_tab("children")
    qtbot.waitUntil(lambda: children.model.total == counts.children, timeout=20000)
    if demo_db.is_server:
        assert win.windowTitle().startswith("PlaceDesk — Team server: ")
        assert not win.backup_action.isEnabled()
    else:
        assert win.windowTitle() == f"PlaceDesk — {demo_db.path.name}"
        assert win.backup_action.isEnabled()
    win.close()
