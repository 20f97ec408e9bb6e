"""The monitoring dashboard across all providers, computed with pandas over the database.

Figures (each also listed one per row by :func:`figure_rows` for the CLI):

- providers by effective risk level (the officer's override where set);
- CAPs open (open or escalated), their actions still open, and those overdue
  on the day (past due, not complete or waived; due that day is not overdue);
- KPI reds by provider in each provider's latest period with values;
- weekly spend by provider type: the fee lines of placements active on the
  day (started, and not ended before it), in pence.

Each figure reads only the columns it needs with ``pandas.read_sql`` on the
session's connection and aggregates in pandas; no Qt here, so the same code
serves the tab (off the GUI thread), the CLI and the bench.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapAction, KpiDefinition, KpiValue, Placement, PlacementFeeLine, Provider
from placedesk.models.enums import CapActionStatus, CapStatus, KpiDirection, ProviderType, RiskLevel


@dataclass(frozen=True)
class ProviderReds:
    """How many of a provider's KPI values were red in its latest period."""

    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    period: dt.date
    reds: int
    values: int


@dataclass
class DashboardFigures:
    """Every dashboard figure on one day."""

    on: dt.date
    providers_by_risk: dict[RiskLevel, int] = field(default_factory=dict)
    open_caps: int = 0
    open_cap_actions: int = 0
    overdue_cap_actions: int = 0
    kpi_reds_by_provider: list[ProviderReds] = field(default_factory=list)
    weekly_spend_by_type: dict[ProviderType, int] = field(default_factory=dict)

    @property
    def weekly_spend_total(self) -> int:
        return sum(self.weekly_spend_by_type.values())


def _frame(session: Session, query: object) -> pd.DataFrame:
    return pd.read_sql(query, session.connection())


def providers_by_risk(session: Session) -> dict[RiskLevel, int]:
    frame = _frame(session, select(Provider.risk_level, Provider.risk_override))
    effective = frame["risk_override"].where(frame["risk_override"].notna(), frame["risk_level"])
    counts = effective.value_counts()
    return {level: int(counts.get(level.value, 0)) for level in RiskLevel}


def cap_action_counts(session: Session, on: dt.date) -> tuple[int, int, int]:
    """(open CAPs, their open actions, overdue actions) on ``on``."""
    caps = _frame(session, select(Cap.id).where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))))
    actions = _frame(session, select(CapAction.due_date, CapAction.status).join(Cap, Cap.id == CapAction.cap_id)
                     .where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))))
    still_open = actions[~actions["status"].isin([CapActionStatus.COMPLETE.value, CapActionStatus.WAIVED.value])]
    due = pd.to_datetime(still_open["due_date"])
    overdue = int((due < pd.Timestamp(on)).sum())
    return len(caps), len(still_open), overdue


def kpi_reds_by_provider(session: Session) -> list[ProviderReds]:
    """Each provider's red count in its own latest period (providers with any values)."""
    latest = (select(KpiValue.provider_id, func.max(KpiValue.period_start).label("latest"))
              .group_by(KpiValue.provider_id).subquery())
    values = _frame(session, select(KpiValue.provider_id, KpiValue.period_start, KpiValue.value,
                                    KpiValue.definition_id)
                    .join(latest, and_(latest.c.provider_id == KpiValue.provider_id,
                                       latest.c.latest == KpiValue.period_start)))
    if values.empty:
        return []
    definitions = _frame(session, select(KpiDefinition.id, KpiDefinition.direction, KpiDefinition.amber_threshold))
    merged = values.merge(definitions, left_on="definition_id", right_on="id", how="inner")
    higher = merged["direction"] == KpiDirection.HIGHER_IS_BETTER.value
    merged["red"] = (higher & (merged["value"] < merged["amber_threshold"])) | (
        ~higher & (merged["value"] > merged["amber_threshold"]))
    grouped = merged.groupby("provider_id").agg(period=("period_start", "first"), reds=("red", "sum"),
                                                values=("red", "size")).reset_index()
    providers = _frame(session, select(Provider.id, Provider.ref, Provider.name)
                       .where(Provider.id.in_(select(latest.c.provider_id))))
    table = grouped.merge(providers, left_on="provider_id", right_on="id")
    table = table.sort_values(["reds", "name"], ascending=[False, True])
    return [
        ProviderReds(row.provider_id, row.ref, row.name, pd.Timestamp(row.period).date(), int(row.reds), int(row.values))
        for row in table.itertuples(index=False)
    ]


def weekly_spend_by_type(session: Session, on: dt.date) -> dict[ProviderType, int]:
    frame = _frame(session, select(Provider.provider_type, PlacementFeeLine.weekly_amount_pence)
                   .join(Placement, Placement.id == PlacementFeeLine.placement_id)
                   .join(Provider, Provider.id == Placement.provider_id)
                   .where(Placement.start_date <= on, or_(Placement.end_date.is_(None), Placement.end_date >= on)))
    sums = frame.groupby("provider_type")["weekly_amount_pence"].sum()
    return {kind: int(sums[kind.value]) for kind in ProviderType if kind.value in sums.index}


def compute_dashboard(session: Session, *, on: dt.date) -> DashboardFigures:
    """Every figure (module docstring) on ``on``."""
    open_caps, open_actions, overdue = cap_action_counts(session, on)
    return DashboardFigures(
        on=on,
        providers_by_risk=providers_by_risk(session),
        open_caps=open_caps,
        open_cap_actions=open_actions,
        overdue_cap_actions=overdue,
        kpi_reds_by_provider=kpi_reds_by_provider(session),
        weekly_spend_by_type=weekly_spend_by_type(session, on),
    )


def figure_rows(figures: DashboardFigures) -> list[tuple[str, str]]:
    """Every figure as (name, value) text, one per row, for ``placedesk dashboard --csv``."""
    rows: list[tuple[str, str]] = [("on", figures.on.isoformat())]
    rows += [(f"providers_risk_{level.value}", str(figures.providers_by_risk.get(level, 0))) for level in RiskLevel]
    rows += [("caps_open", str(figures.open_caps)), ("cap_actions_open", str(figures.open_cap_actions)),
             ("cap_actions_overdue", str(figures.overdue_cap_actions))]
    rows += [(f"kpi_reds_latest_period:{r.provider_ref}", str(r.reds)) for r in figures.kpi_reds_by_provider]
    rows += [(f"weekly_spend_pence:{kind.value}", str(figures.weekly_spend_by_type.get(kind, 0)))
             for kind in ProviderType]
    rows.append(("weekly_spend_pence:total", str(figures.weekly_spend_total)))
    return rows


__all__ = [
    "DashboardFigures", "ProviderReds", "cap_action_counts", "compute_dashboard", "figure_rows", "kpi_reds_by_provider",
    "providers_by_risk", "weekly_spend_by_type",
]
