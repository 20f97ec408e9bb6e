"""The funding shares editor: percentages parsed strictly, totals shown, weekly money split to the penny."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from placedesk.errors import ValidationError
from placedesk.models.enums import FundingPartner
from placedesk.services.common.parsing import format_money, parse_money
from placedesk.ui.widgets.shares_editor import SharesEditor

P = FundingPartner


@pytest.fixture
def editor(qtbot: QtBot) -> SharesEditor:
    widget = SharesEditor(show_money=True)
    qtbot.addWidget(widget)
    return widget


def test_shares_that_do_not_make_100_are_refused_and_the_total_says_so(qtbot: QtBot, editor: SharesEditor) -> None:
    qtbot.keyClicks(editor.edits[P.SOCIAL_CARE], "60")
    qtbot.keyClicks(editor.edits[P.HEALTH], "30")
    assert "90%" in editor.total_label.text() and "must be 100%" in editor.total_label.text()
    with pytest.raises(ValidationError, match="add up to 90%") as exc:
        editor.shares()
    assert exc.value.field == "funding"


def test_a_typo_names_the_partner_and_frames_its_box(qtbot: QtBot, editor: SharesEditor) -> None:
    qtbot.keyClicks(editor.edits[P.EDUCATION], "fifty")
    with pytest.raises(ValidationError, match="Education: 'fifty' is not a percentage"):
        editor.shares()
    assert editor.edits[P.EDUCATION].property("invalid") is True
    assert "check the percentages" in editor.total_label.text()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(min_value=0, max_value=2_000_000), a=st.integers(0, 10000), b=st.integers(0, 10000))
def test_the_weekly_money_shown_always_adds_up_to_the_fee(editor: SharesEditor, total: int, a: int, b: int) -> None:
    first, second = sorted((a, b))
    shares = {P.SOCIAL_CARE: first, P.EDUCATION: second - first, P.HEALTH: 10000 - second}
    editor.set_shares(shares)
    editor.set_weekly_total(total)
    shown = [editor.money[p].text().removesuffix(" a week") for p in P if shares[p]]
    assert sum(parse_money(text) for text in shown) == total
    assert editor.shares() == {p: bp for p, bp in shares.items() if bp}


def test_no_money_is_shown_until_there_is_a_fee(editor: SharesEditor) -> None:
    editor.set_shares({P.SOCIAL_CARE: 10000})
    assert editor.money[P.SOCIAL_CARE].text() == ""
    editor.set_weekly_total(123456)
    assert editor.money[P.SOCIAL_CARE].text() == f"{format_money(123456)} a week"
