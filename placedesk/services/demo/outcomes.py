"""Demo outcome readings: WEMWBS, SWEMWBS and an outcomes-star scale for children placed.

Readings improve a little over a placement on average, with noise, so the
progress charts have something to show. SWEMWBS metric scores come from
``placedesk.services.monitoring.outcomes.swemwbs_metric`` when that module is installed.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

from sqlalchemy import select

from placedesk.models import StarScale
from placedesk.models.enums import OutcomeTool
from placedesk.services.demo.casework import DemoPlacement
from placedesk.services.demo.writer import DemoWriter

STAR_SCALE_NAME = "Journey to independence"
STAR_AREAS = [
    "Physical health", "Emotional wellbeing", "Education and learning", "Friends and community",
    "Family and relationships", "Living skills", "Managing money", "Identity and self-esteem",
]


def _swemwbs_metric() -> Callable[[int], float] | None:
    try:
        module = importlib.import_module("placedesk.services.monitoring.outcomes")
    except ImportError:
        return None
    return getattr(module, "swemwbs_metric", None)


def generate_outcomes(writer: DemoWriter, placements: list[DemoPlacement]) -> None:
    """A star scale, then readings for every child in a current placement that has begun."""
    rng = writer.rng
    today = writer.today
    metric = _swemwbs_metric()
    # An officer may have set up a scale of this name already: readings then use theirs.
    existing = writer.session.scalar(select(StarScale).where(StarScale.name == STAR_SCALE_NAME))
    if existing is not None and existing.areas == STAR_AREAS:
        scale_id = existing.id.hex
    else:
        scale_id = writer.new_id()
        name = STAR_SCALE_NAME if existing is None else f"{STAR_SCALE_NAME} (demo)"
        writer.row("star_scale", id=scale_id, name=name, areas=STAR_AREAS, min_score=1, max_score=10)
    for placement in placements:
        if placement.end is not None or placement.start > today - dt.timedelta(days=30):
            continue
        child = placement.child
        wellbeing = rng.uniform(1.8, 3.6)
        day = placement.start + dt.timedelta(days=rng.randint(20, 40))
        readings = 0
        while day <= today and readings < 4:
            age = child.age_on(day)
            wellbeing = min(4.8, wellbeing + rng.gauss(0.15, 0.3))
            if age >= 13:
                tool = OutcomeTool.WEMWBS if writer.chance(0.4) else OutcomeTool.SWEMWBS
                items = [min(5, max(1, round(rng.gauss(wellbeing, 0.8)))) for _ in range(14 if tool is OutcomeTool.WEMWBS else 7)]
                total = sum(items)
                writer.row(
                    "outcome_assessment", child_id=child.id, placement_id=placement.id, tool=tool, star_scale_id=None,
                    assessed_on=day, item_scores=items, total=total,
                    metric_score=metric(total) if metric and tool is OutcomeTool.SWEMWBS else None, notes="",
                )
            if age >= 8:
                items = [min(10, max(1, round(rng.gauss(wellbeing * 2, 1.5)))) for _ in STAR_AREAS]
                writer.row(
                    "outcome_assessment", child_id=child.id, placement_id=placement.id, tool=OutcomeTool.STAR,
                    star_scale_id=scale_id, assessed_on=day, item_scores=items, total=sum(items),
                    metric_score=None, notes="",
                )
            readings += 1
            day += dt.timedelta(days=rng.randint(80, 130))
