"""The default KPI set (DOMAIN.md, contract monitoring) and how to install it.

A mix of outcome, output and process measures, each with a target and an
amber threshold; RAG is computed from a value against these, never typed.
Targets are common commissioning practice, not statute: officers change
them on the KPI screen, and :func:`ensure_default_kpis` never overwrites an
existing definition, so those edits survive.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.models import KpiDefinition
from placedesk.models.enums import KpiDirection, KpiKind, KpiScope

DEFAULT_KPIS: list[dict[str, Any]] = [
    {
        "code": "STABILITY",
        "name": "Placement stability",
        "kind": KpiKind.OUTCOME,
        "unit": "%",
        "direction": KpiDirection.HIGHER_IS_BETTER,
        "target": 90.0,
        "amber_threshold": 80.0,
        "scope": KpiScope.PROVIDER,
        "description": "Children placed who had no unplanned move in the period, as a percentage.",
    },
    {
        "code": "MOVES",
        "name": "Unplanned placement moves",
        "kind": KpiKind.OUTCOME,
        "unit": "moves",
        "direction": KpiDirection.LOWER_IS_BETTER,
        "target": 0.0,
        "amber_threshold": 1.0,
        "scope": KpiScope.PROVIDER,
        "description": "Placements ended or moved without being planned in the care plan, in the period.",
    },
    {
        "code": "SCHOOL_ATTENDANCE",
        "name": "School attendance",
        "kind": KpiKind.OUTCOME,
        "unit": "%",
        "direction": KpiDirection.HIGHER_IS_BETTER,
        "target": 95.0,
        "amber_threshold": 90.0,
        "scope": KpiScope.PROVIDER,
        "description": "Sessions attended by children of statutory school age, as a percentage of possible sessions.",
    },
    {
        "code": "EET_16PLUS",
        "name": "In education, employment or training (16+)",
        "kind": KpiKind.OUTCOME,
        "unit": "%",
        "direction": KpiDirection.HIGHER_IS_BETTER,
        "target": 80.0,
        "amber_threshold": 65.0,
        "scope": KpiScope.PROVIDER,
        "description": "Young people aged 16 or over placed who are in education, employment or training.",
    },
    {
        "code": "MISSING",
        "name": "Missing episodes",
        "kind": KpiKind.OUTCOME,
        "unit": "episodes",
        "direction": KpiDirection.LOWER_IS_BETTER,
        "target": 0.0,
        "amber_threshold": 2.0,
        "scope": KpiScope.PROVIDER,
        "description": "Episodes of a child going missing from the placement in the period.",
    },
    {
        "code": "HEALTH_ASSESSMENTS",
        "name": "Health assessments on time",
        "kind": KpiKind.PROCESS,
        "unit": "%",
        "direction": KpiDirection.HIGHER_IS_BETTER,
        "target": 95.0,
        "amber_threshold": 85.0,
        "scope": KpiScope.PROVIDER,
        "description": "Statutory health assessments completed by their due date, as a percentage.",
    },
    {
        "code": "NOTIFICATIONS",
        "name": "Notifications on time",
        "kind": KpiKind.PROCESS,
        "unit": "%",
        "direction": KpiDirection.HIGHER_IS_BETTER,
        "target": 100.0,
        "amber_threshold": 90.0,
        "scope": KpiScope.PROVIDER,
        "description": "Significant-event notifications sent to the local authority within the agreed time.",
    },
    {
        "code": "STAFF_TURNOVER",
        "name": "Staff turnover",
        "kind": KpiKind.OUTPUT,
        "unit": "%",
        "direction": KpiDirection.LOWER_IS_BETTER,
        "target": 15.0,
        "amber_threshold": 25.0,
        "scope": KpiScope.PROVIDER,
        "description": "Care staff who left in the last twelve months, as a percentage of the average headcount.",
    },
    {
        "code": "COMPLAINTS",
        "name": "Complaints",
        "kind": KpiKind.OUTPUT,
        "unit": "complaints",
        "direction": KpiDirection.LOWER_IS_BETTER,
        "target": 0.0,
        "amber_threshold": 2.0,
        "scope": KpiScope.PROVIDER,
        "description": "Complaints received from children, families or professionals in the period.",
    },
    {
        "code": "RESTRAINT",
        "name": "Restraint incidents",
        "kind": KpiKind.OUTPUT,
        "unit": "incidents",
        "direction": KpiDirection.LOWER_IS_BETTER,
        "target": 1.0,
        "amber_threshold": 3.0,
        "scope": KpiScope.PROVIDER,
        "description": "Physical interventions (restraint) recorded in the period.",
    },
]


def ensure_default_kpis(session: Session) -> list[KpiDefinition]:
    """Add every default KPI whose code is not in the database yet.

    Idempotent: existing definitions (perhaps with targets the officer has
    changed) are left as they are. Returns the definitions for every default
    code, new and existing, in :data:`DEFAULT_KPIS` order.
    """
    codes = [spec["code"] for spec in DEFAULT_KPIS]
    existing = {
        kpi.code: kpi
        for kpi in session.scalars(select(KpiDefinition).where(KpiDefinition.code.in_(codes)))
    }
    result: list[KpiDefinition] = []
    for spec in DEFAULT_KPIS:
        kpi = existing.get(spec["code"])
        if kpi is None:
            kpi = KpiDefinition(**spec, active=True)
            session.add(kpi)
        result.append(kpi)
    session.flush()
    return result


__all__ = ["DEFAULT_KPIS", "ensure_default_kpis"]
