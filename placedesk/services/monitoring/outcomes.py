"""Children's outcome measures: WEMWBS, SWEMWBS and officer-defined outcomes-star scales.

- WEMWBS: 14 statements, each scored 1 (none of the time) to 5 (all of the
  time); the total is 14 to 70.
- SWEMWBS: the 7-item short form; the raw total (7 to 35) is converted to a
  metric score with the published Rasch conversion table.
  **The table below was transcribed from DOMAIN.md and has not been
  verified against the published source here**; check it against the
  scale owners' current table before relying on metric scores.
- Star scales: up to 10 named areas, each scored on the scale's range;
  progress is the change between readings.

Both WEMWBS scales are free for this use, but their owners ask users to
register (see the README).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models import Child, OutcomeAssessment, Placement, StarScale
from placedesk.models.enums import OutcomeTool

WEMWBS_ITEMS = (
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been feeling interested in other people",
    "I've had energy to spare",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling good about myself",
    "I've been feeling close to other people",
    "I've been feeling confident",
    "I've been able to make up my own mind about things",
    "I've been feeling loved",
    "I've been interested in new things",
    "I've been feeling cheerful",
)
SWEMWBS_ITEMS = (
    "I've been feeling optimistic about the future",
    "I've been feeling useful",
    "I've been feeling relaxed",
    "I've been dealing with problems well",
    "I've been thinking clearly",
    "I've been feeling close to other people",
    "I've been able to make up my own mind about things",
)
ITEM_MIN, ITEM_MAX = 1, 5
MAX_STAR_AREAS = 10

# Raw SWEMWBS total -> metric score. Transcribed from DOMAIN.md; NOT verified
# against the published source here (see the module docstring).
SWEMWBS_METRIC: dict[int, float] = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75,
    14: 15.32, 15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59,
    21: 19.25, 22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11,
    28: 25.03, 29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55,
    35: 35.00,
}


def _check_items(items: Sequence[int | None], labels: Sequence[str], low: int, high: int) -> list[int]:
    if len(items) != len(labels):
        raise ValidationError(f"Expected {len(labels)} item scores, got {len(items)}.", "items")
    clean: list[int] = []
    for number, (score, label) in enumerate(zip(items, labels, strict=True), start=1):
        field = f"item_{number}"
        if score is None or (isinstance(score, str) and not score.strip()):
            raise ValidationError(f"Item {number} ({label}) has no score: give a score from {low} to {high}.",
                                  field)
        if isinstance(score, bool) or not isinstance(score, int):
            raise ValidationError(f"Item {number} ({label}) must be a whole number from {low} to {high}.", field)
        if not low <= score <= high:
            raise ValidationError(
                f"Item {number} ({label}) is {score}: scores run from {low} to {high}.", field)
        clean.append(score)
    return clean


def wemwbs_total(items: Sequence[int | None]) -> int:
    """The WEMWBS total (14-70) of 14 item scores, each 1-5."""
    return sum(_check_items(items, WEMWBS_ITEMS, ITEM_MIN, ITEM_MAX))


def swemwbs_raw_total(items: Sequence[int | None]) -> int:
    """The SWEMWBS raw total (7-35) of 7 item scores, each 1-5."""
    return sum(_check_items(items, SWEMWBS_ITEMS, ITEM_MIN, ITEM_MAX))


def swemwbs_metric(raw_total: int) -> float:
    """The SWEMWBS metric score for a raw total from 7 to 35 (table: see module docstring)."""
    if raw_total not in SWEMWBS_METRIC:
        raise ValidationError(f"A SWEMWBS raw total runs from 7 to 35, not {raw_total}.", "total")
    return SWEMWBS_METRIC[raw_total]


# --- star scales ----------------------------------------------------------------------

def create_star_scale(session: Session, name: str, areas: Sequence[str], *, min_score: int = 1,
                      max_score: int = 10) -> StarScale:
    """Define an outcomes-star style scale: up to 10 named areas on one range."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the scale a name.", "name")
    if session.scalar(select(StarScale.id).where(StarScale.name == name)) is not None:
        raise ValidationError(f"There is already a scale called '{name}'.", "name")
    cleaned = [a.strip() for a in areas if a.strip()]
    if not cleaned:
        raise ValidationError("Name at least one area the scale measures.", "areas")
    if len(cleaned) > MAX_STAR_AREAS:
        raise ValidationError(f"A scale has at most {MAX_STAR_AREAS} areas; this one has {len(cleaned)}.", "areas")
    if len({a.lower() for a in cleaned}) != len(cleaned):
        raise ValidationError("Two areas have the same name: give each area its own name.", "areas")
    if min_score >= max_score:
        raise ValidationError("The lowest score must be below the highest.", "max_score")
    scale = StarScale(name=name, areas=cleaned, min_score=min_score, max_score=max_score)
    session.add(scale)
    session.flush()
    return scale


def star_scales(session: Session) -> list[StarScale]:
    return list(session.scalars(select(StarScale).order_by(StarScale.name)))


# --- assessments ----------------------------------------------------------------------

def item_labels(tool: OutcomeTool, star_scale: StarScale | None = None) -> tuple[str, ...]:
    """The statements (or areas) an entry form asks about, in order."""
    if tool is OutcomeTool.WEMWBS:
        return WEMWBS_ITEMS
    if tool is OutcomeTool.SWEMWBS:
        return SWEMWBS_ITEMS
    if star_scale is None:
        raise ValidationError("Choose the star scale this reading uses.", "star_scale")
    return tuple(star_scale.areas)


def record_assessment(
    session: Session, child: Child, tool: OutcomeTool, items: Sequence[int | None], assessed_on: dt.date, *,
    star_scale: StarScale | None = None, placement: Placement | None = None, notes: str = "",
) -> OutcomeAssessment:
    """Record one reading; every item must be present and in range (the error names the item)."""
    if placement is not None and placement.child_id != child.id:
        raise ValidationError("That placement is another child's: choose one of this child's.", "placement")
    metric: float | None = None
    if tool is OutcomeTool.WEMWBS:
        total = wemwbs_total(items)
    elif tool is OutcomeTool.SWEMWBS:
        total = swemwbs_raw_total(items)
        metric = swemwbs_metric(total)
    else:
        if star_scale is None:
            raise ValidationError("Choose the star scale this reading uses.", "star_scale")
        total = sum(_check_items(items, star_scale.areas, star_scale.min_score, star_scale.max_score))
    assessment = OutcomeAssessment(
        child_id=child.id, placement_id=placement.id if placement else None, tool=tool,
        star_scale_id=star_scale.id if (star_scale and tool is OutcomeTool.STAR) else None,
        assessed_on=assessed_on, item_scores=list(items), total=total, metric_score=metric, notes=notes.strip(),
    )
    session.add(assessment)
    session.flush()
    return assessment


@dataclass(frozen=True)
class Reading:
    """One reading for charts and tables: the score that is compared, and the change since the last."""

    assessment_id: uuid.UUID
    tool: OutcomeTool
    series: str
    assessed_on: dt.date
    score: float
    change: float | None


def score_of(assessment: OutcomeAssessment) -> float:
    """The figure compared between readings: the SWEMWBS metric score, otherwise the total."""
    if assessment.tool is OutcomeTool.SWEMWBS and assessment.metric_score is not None:
        return assessment.metric_score
    return float(assessment.total)


def readings(session: Session, child: Child) -> list[Reading]:
    """A child's readings in date order, each with its change from the previous reading of the same series."""
    rows = session.scalars(
        select(OutcomeAssessment).where(OutcomeAssessment.child_id == child.id)
        .order_by(OutcomeAssessment.assessed_on, OutcomeAssessment.created_at)
    )
    previous: dict[str, float] = {}
    out: list[Reading] = []
    for a in rows:
        series = a.tool.label if a.tool is not OutcomeTool.STAR or a.star_scale is None else a.star_scale.name
        score = score_of(a)
        change = round(score - previous[series], 2) if series in previous else None
        previous[series] = score
        out.append(Reading(a.id, a.tool, series, a.assessed_on, score, change))
    return out


__all__ = [
    "ITEM_MAX", "ITEM_MIN", "MAX_STAR_AREAS", "SWEMWBS_ITEMS", "SWEMWBS_METRIC", "WEMWBS_ITEMS", "Reading",
    "create_star_scale", "item_labels", "readings", "record_assessment", "score_of", "star_scales",
    "swemwbs_metric", "swemwbs_raw_total", "wemwbs_total",
]
