"""Outcome scales: each refusal's exact words and the field it points at, and the defaults a new star
scale gets, so an officer's entry form always says what to fix."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import OutcomeTool
from placedesk.services.monitoring.outcomes import (
    create_star_scale,
    item_labels,
    record_assessment,
    swemwbs_metric,
    swemwbs_raw_total,
)
from tests.services.monitoring.helpers import make_child


def _refusal(call, *args, **kw) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as err:
        call(*args, **kw)
    return str(err.value), err.value.field


@pytest.mark.parametrize("raw", [6, 36])
def test_a_swemwbs_total_outside_7_to_35_is_refused_with_its_value(raw: int) -> None:
    assert _refusal(swemwbs_metric, raw) == (f"A SWEMWBS raw total runs from 7 to 35, not {raw}.", "total")


def test_a_star_scale_gets_a_1_to_10_range_and_tidy_names(session: Session) -> None:
    scale = create_star_scale(session, "  Your Star ", [" Health ", "", "Education"])
    assert (scale.name, scale.areas, scale.min_score, scale.max_score) == ("Your Star", ["Health", "Education"], 1, 10)


def test_each_star_scale_refusal_names_its_field(session: Session) -> None:
    create_star_scale(session, "Your Star", ["Health"])
    assert _refusal(create_star_scale, session, "  ", ["Health"]) == ("Give the scale a name.", "name")
    assert _refusal(create_star_scale, session, " Your Star ", ["Health"]) == (
        "There is already a scale called 'Your Star'.", "name")
    assert _refusal(create_star_scale, session, "Empty", [" ", ""]) == (
        "Name at least one area the scale measures.", "areas")
    assert _refusal(create_star_scale, session, "Big", [f"Area {i}" for i in range(11)]) == (
        "A scale has at most 10 areas; this one has 11.", "areas")
    assert _refusal(create_star_scale, session, "Dup", ["Health", " HEALTH"]) == (
        "Two areas have the same name: give each area its own name.", "areas")
    assert _refusal(create_star_scale, session, "Flat", ["Health"], min_score=5, max_score=5) == (
        "The lowest score must be below the highest.", "max_score")
    ten = create_star_scale(session, "Ten", [f"Area {i}" for i in range(10)], min_score=0, max_score=1)
    assert len(ten.areas) == 10


def test_a_star_reading_needs_its_scale(session: Session) -> None:
    child = make_child(session, "C1")
    assert _refusal(item_labels, OutcomeTool.STAR) == ("Choose the star scale this reading uses.", "star_scale")
    assert _refusal(record_assessment, session, child, OutcomeTool.STAR, [4], dt.date(2026, 3, 1)) == (
        "Choose the star scale this reading uses.", "star_scale")


def test_each_form_asks_its_own_statements_in_order(session: Session) -> None:
    # The statements as published for each scale (WEMWBS items 1, 2 and 14; SWEMWBS items 1 and 7).
    wemwbs, swemwbs = item_labels(OutcomeTool.WEMWBS), item_labels(OutcomeTool.SWEMWBS)
    assert (len(wemwbs), wemwbs[0], wemwbs[1], wemwbs[13]) == (
        14, "I've been feeling optimistic about the future", "I've been feeling useful",
        "I've been feeling cheerful")
    assert (len(swemwbs), swemwbs[0], swemwbs[6]) == (
        7, "I've been feeling optimistic about the future", "I've been able to make up my own mind about things")
    scale = create_star_scale(session, "Your Star", ["Health", "Education", "Friends"])
    assert item_labels(OutcomeTool.STAR, scale) == ("Health", "Education", "Friends")


def test_item_refusals_name_the_item_and_the_range() -> None:
    assert _refusal(swemwbs_raw_total, [3, 3, 3]) == ("Expected 7 item scores, got 3.", "items")
    assert _refusal(swemwbs_raw_total, [3, 3, None, 3, 3, 3, 3]) == (
        "Item 3 (I've been feeling relaxed) has no score: give a score from 1 to 5.", "item_3")
    assert _refusal(swemwbs_raw_total, [3, 3, 3, " ", 3, 3, 3]) == (
        "Item 4 (I've been dealing with problems well) has no score: give a score from 1 to 5.", "item_4")
    assert _refusal(swemwbs_raw_total, [3, 3, 3, 3, 2.5, 3, 3]) == (
        "Item 5 (I've been thinking clearly) must be a whole number from 1 to 5.", "item_5")
    assert _refusal(swemwbs_raw_total, [True, 3, 3, 3, 3, 3, 3]) == (
        "Item 1 (I've been feeling optimistic about the future) must be a whole number from 1 to 5.", "item_1")
    assert _refusal(swemwbs_raw_total, [3, 3, 3, 3, 3, 3, 6]) == (
        "Item 7 (I've been able to make up my own mind about things) is 6: scores run from 1 to 5.", "item_7")
    assert _refusal(swemwbs_raw_total, [3, 0, 3, 3, 3, 3, 3]) == (
        "Item 2 (I've been feeling useful) is 0: scores run from 1 to 5.", "item_2")
    assert swemwbs_raw_total([1, 5, 1, 5, 1, 5, 1]) == 19


def test_a_reading_is_stored_as_entered_against_its_placement(session: Session) -> None:
    from placedesk.services.monitoring.outcomes import readings
    from tests.services.monitoring.helpers import make_placement, make_provider

    child, other = make_child(session, "C1"), make_child(session, "C2")
    provider = make_provider(session, "P1")
    placement = make_placement(session, provider, child, "PL1", start=dt.date(2025, 9, 1))
    theirs = make_placement(session, provider, other, "PL2", start=dt.date(2025, 9, 1))
    assert _refusal(record_assessment, session, child, OutcomeTool.SWEMWBS, [3] * 7, dt.date(2026, 3, 1),
                    placement=theirs) == ("That placement is another child's: choose one of this child's.",
                                          "placement")
    # Entered out of date order: the later reading first.
    later = record_assessment(session, child, OutcomeTool.SWEMWBS, [4] * 7, dt.date(2026, 3, 1),
                              placement=placement, notes="  After the move  ")
    earlier = record_assessment(session, child, OutcomeTool.SWEMWBS, [3] * 7, dt.date(2026, 1, 1))
    assert (later.placement_id, later.item_scores, later.notes, later.total) == (placement.id, [4] * 7,
                                                                                "After the move", 28)
    assert earlier.placement_id is None
    got = readings(session, child)
    # SWEMWBS compares metric scores (published table: 21 -> 19.25, 28 -> 25.03).
    assert [(r.assessment_id, r.tool, r.assessed_on, r.score, r.change) for r in got] == [
        (earlier.id, OutcomeTool.SWEMWBS, dt.date(2026, 1, 1), 19.25, None),
        (later.id, OutcomeTool.SWEMWBS, dt.date(2026, 3, 1), 25.03, 5.78)]


def test_two_readings_on_one_day_are_compared_in_the_order_they_were_taken(session: Session) -> None:
    from placedesk.services.monitoring.outcomes import readings

    child = make_child(session, "C1")
    # Stored afternoon first (as a colleague's bundle may bring them): the morning reading still comes first.
    afternoon = record_assessment(session, child, OutcomeTool.WEMWBS, [4] * 14, dt.date(2026, 3, 1))
    morning = record_assessment(session, child, OutcomeTool.WEMWBS, [3] * 14, dt.date(2026, 3, 1))
    morning.created_at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    afternoon.created_at = dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.UTC)
    session.flush()
    session.expire_all()
    assert [(r.assessment_id, r.score, r.change) for r in readings(session, child)] == [
        (morning.id, 42.0, None), (afternoon.id, 56.0, 14.0)]


def test_a_reading_without_notes_has_none(session: Session) -> None:
    child = make_child(session, "C1")
    assert record_assessment(session, child, OutcomeTool.WEMWBS, [3] * 14, dt.date(2026, 3, 1)).notes == ""


def test_star_scales_are_offered_by_name(session: Session) -> None:
    from placedesk.services.monitoring.outcomes import star_scales

    create_star_scale(session, "Your Star", ["Health"])
    create_star_scale(session, "Outcomes Star", ["Education"])
    assert [s.name for s in star_scales(session)] == ["Outcomes Star", "Your Star"]


def test_a_wemwbs_reading_ignores_a_star_scale_left_chosen_on_the_form(session: Session) -> None:
    from placedesk.services.monitoring.outcomes import readings

    child = make_child(session, "C1")
    scale = create_star_scale(session, "Your Star", ["Health"])
    reading = record_assessment(session, child, OutcomeTool.WEMWBS, [3] * 14, dt.date(2026, 3, 1), star_scale=scale)
    assert reading.star_scale_id is None
    assert [r.series for r in readings(session, child)] == ["WEMWBS"]


def test_a_star_scale_keeps_its_own_range_and_readings_are_held_to_it(session: Session) -> None:
    child = make_child(session, "C1")
    scale = create_star_scale(session, "Journey Star", ["Health", "Education"], min_score=0, max_score=5)
    assert (scale.min_score, scale.max_score) == (0, 5)
    assert _refusal(record_assessment, session, child, OutcomeTool.STAR, [5, 6], dt.date(2026, 3, 1),
                    star_scale=scale) == ("Item 2 (Education) is 6: scores run from 0 to 5.", "item_2")
    assert record_assessment(session, child, OutcomeTool.STAR, [0, 5], dt.date(2026, 3, 1),
                             star_scale=scale).total == 5
