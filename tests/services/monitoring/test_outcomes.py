"""Outcome measures: WEMWBS totals, the SWEMWBS conversion for every raw score, star scales, change."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import OutcomeTool
from placedesk.services.monitoring.outcomes import (
    SWEMWBS_METRIC,
    create_star_scale,
    readings,
    record_assessment,
    swemwbs_metric,
    wemwbs_total,
)
from tests.services.monitoring.helpers import make_child

D = dt.date
# The published SWEMWBS raw-to-metric table (Warwick Medical School; Stewart-Brown et al. 2009), typed
# here rather than read from the module. Checked on 2026-12-06 against independent copies of the table
# in public analysis scripts, which agree value for value, and against DOMAIN.md.
EXPECTED_METRIC = [7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98,
                   18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31,
                   30.70, 32.55, 35.00]


@pytest.mark.parametrize(("raw", "metric"), list(zip(range(7, 36), EXPECTED_METRIC, strict=True)))
def test_swemwbs_conversion_for_every_raw_score(raw: int, metric: float) -> None:
    assert swemwbs_metric(raw) == metric


def test_swemwbs_table_covers_exactly_7_to_35_and_rises() -> None:
    assert sorted(SWEMWBS_METRIC) == list(range(7, 36))
    values = [SWEMWBS_METRIC[r] for r in range(7, 36)]
    assert values == sorted(values)


@pytest.mark.parametrize("raw", [6, 36, 0])
def test_swemwbs_raw_outside_range_is_refused(raw: int) -> None:
    with pytest.raises(ValidationError):
        swemwbs_metric(raw)


def test_wemwbs_total_and_item_checks() -> None:
    assert wemwbs_total([1] * 14) == 14
    assert wemwbs_total([5] * 14) == 70
    with pytest.raises(ValidationError) as err:
        wemwbs_total([3, 3, 6] + [3] * 11)
    assert err.value.field == "item_3" and "relaxed" in str(err.value)
    with pytest.raises(ValidationError) as err:
        wemwbs_total([3] * 13)
    assert "14" in str(err.value)
    with pytest.raises(ValidationError) as err:
        wemwbs_total([3] * 4 + [None] + [3] * 9)
    assert err.value.field == "item_5" and "no score" in str(err.value)
    with pytest.raises(ValidationError):
        wemwbs_total([0] + [3] * 13)


def test_record_swemwbs_stores_metric_and_change_between_readings(session: Session) -> None:
    child = make_child(session, "C1")
    first = record_assessment(session, child, OutcomeTool.SWEMWBS, [2] * 7, D(2026, 1, 10))
    assert first.total == 14 and first.metric_score == 15.32
    record_assessment(session, child, OutcomeTool.SWEMWBS, [3] * 7, D(2026, 4, 10))
    record_assessment(session, child, OutcomeTool.WEMWBS, [3] * 14, D(2026, 4, 10))
    got = readings(session, child)
    assert [(r.series, r.score, r.change) for r in got] == [
        ("SWEMWBS", 15.32, None), ("SWEMWBS", 19.25, 3.93), ("WEMWBS", 42.0, None)]


def test_record_rejects_missing_and_out_of_range_items(session: Session) -> None:
    child = make_child(session, "C1")
    with pytest.raises(ValidationError) as err:
        record_assessment(session, child, OutcomeTool.SWEMWBS, [3, 3, 3, None, 3, 3, 3], D(2026, 1, 1))
    assert err.value.field == "item_4"
    with pytest.raises(ValidationError) as err:
        record_assessment(session, child, OutcomeTool.WEMWBS, [3] * 13 + [9], D(2026, 1, 1))
    assert err.value.field == "item_14"


def test_star_scale_readings_use_the_scales_range(session: Session) -> None:
    child = make_child(session, "C1")
    scale = create_star_scale(session, "Your Star", ["Health", "Education", "Relationships"],
                              min_score=1, max_score=10)
    record_assessment(session, child, OutcomeTool.STAR, [4, 5, 6], D(2026, 1, 1), star_scale=scale)
    record_assessment(session, child, OutcomeTool.STAR, [6, 6, 7], D(2026, 3, 1), star_scale=scale)
    assert [(r.series, r.change) for r in readings(session, child)] == [("Your Star", None), ("Your Star", 4.0)]
    with pytest.raises(ValidationError) as err:
        record_assessment(session, child, OutcomeTool.STAR, [4, 11, 6], D(2026, 4, 1), star_scale=scale)
    assert err.value.field == "item_2" and "Education" in str(err.value)
    with pytest.raises(ValidationError):
        record_assessment(session, child, OutcomeTool.STAR, [4, 5, 6], D(2026, 4, 1))


def test_star_scale_definition_rules(session: Session) -> None:
    with pytest.raises(ValidationError, match="at most 10"):
        create_star_scale(session, "Big", [f"Area {i}" for i in range(11)])
    with pytest.raises(ValidationError, match="same name"):
        create_star_scale(session, "Dup", ["Health", "health"])
    with pytest.raises(ValidationError):
        create_star_scale(session, "Range", ["Health"], min_score=5, max_score=5)
