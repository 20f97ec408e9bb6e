"""The monitoring dashboard across all providers, computed with pandas over the database.

Figures (each also listed one per row by :func:`figure_rows` for the CLI):

- providers by effective risk level (the officer's override where set);
- CAPs open (open or escalated), their actions still open, and those overdue
  on the day (past due, not complete or waived; due that day is not overdue);
- KPI reds by provider in each provider's latest period with values;
- weekly spend by provider type: the fee lines of placements active on the
  day (started, and not ended before it), in pence;
- weekly spend by funding partner: each partner's weekly amount on those
  placements, as stored with funding by element (the figures the IPA, the
  Award page and the spend spreadsheets show).

Each figure reads only the columns it needs with ``pandas.read_sql`` on the
session's connection and aggregates in pandas; no Qt here, so the same code
serves the tab (off the GUI thread), the CLI and the bench.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session

from placedesk.db.dialect import stored_text
from placedesk.models import (
    Cap,
    CapAction,
    KpiDefinition,
    KpiValue,
    Placement,
    PlacementFeeLine,
    PlacementFundingShare,
    Provider,
)
from placedesk.models.enums import CapActionStatus, CapStatus, FundingPartner, KpiDirection, ProviderType, RiskLevel


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
    weekly_spend_by_partner: dict[FundingPartner, int] = field(default_factory=dict)

    @property
    def weekly_spend_total(self) -> int:
        return sum(self.weekly_spend_by_type.values())


def _frame(session: Session, query: object) -> pd.DataFrame:
    return pd.read_sql(query, session.connection())


def providers_by_risk(session: Session) -> dict[RiskLevel, int]:
    frame = _frame(session, select(_raw(Provider.risk_level), _raw(Provider.risk_override)))
    effective = frame["risk_override"].where(frame["risk_override"].notna(), frame["risk_level"])
    counts = effective.value_counts()
    return {level: int(counts.get(level.value, 0)) for level in RiskLevel}


def cap_action_counts(session: Session, on: dt.date) -> tuple[int, int, int]:
    """(open CAPs, their open actions, overdue actions) on ``on``."""
    caps = _frame(session, select(Cap.id).where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))))
    actions = _frame(session, select(_raw(CapAction.due_date), _raw(CapAction.status))
                     .join(Cap, Cap.id == CapAction.cap_id)
                     .where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))))
    still_open = actions[~actions["status"].isin([CapActionStatus.COMPLETE.value, CapActionStatus.WAIVED.value])]
    # ISO dates compare correctly as text.
    overdue = int((still_open["due_date"] < on.isoformat()).sum())
    return len(caps), len(still_open), overdue


def _raw(column: object, name: str | None = None) -> object:
    """A column read as its stored text (UUID hex, enum value, ISO date).

    Skips building a Python object per row: on a million-row table that
    conversion, not SQLite, would be most of the time.
    """
    return stored_text(column).label(name or column.key)  # type: ignore[attr-defined]


_hex = _raw


_CHUNK = 500


def _latest_values(session: Session) -> pd.DataFrame:
    """Every provider's values in its own latest month: provider_id, definition_id, period_start, value.

    Most providers report every month, so the month with the newest value is
    read first (one seek on the period index, then that month's rows); only
    providers with nothing that month are then looked up one by one on the
    provider index. Scanning a million-row index to group it would be slower.
    """
    columns = (_hex(KpiValue.provider_id), _hex(KpiValue.definition_id), _raw(KpiValue.period_start),
               KpiValue.value)
    newest = session.scalar(select(_raw(func.max(KpiValue.period_start), "newest")))
    if newest is None:
        return pd.DataFrame(columns=["provider_id", "definition_id", "period_start", "value"])
    frames = [_frame(session, select(*columns).where(KpiValue.period_start == dt.date.fromisoformat(newest)))]
    own_latest = (select(_raw(func.max(KpiValue.period_start))).where(KpiValue.provider_id == Provider.id)
                  .correlate(Provider).scalar_subquery())
    # "|| ''" keeps SQLite on the provider index (a few entries per provider) rather than the
    # period index, which would read the whole month again for every provider.
    reported = (select(KpiValue.period_start).where(KpiValue.provider_id == Provider.id,
                                                    KpiValue.period_start.op("||")(literal("")) == newest)
                .correlate(Provider).exists())
    others = _frame(session, select(_hex(Provider.id), own_latest.label("latest")).where(~reported))
    others = others[others["latest"].notna()]
    for start in range(0, len(others), _CHUNK):
        chunk = others.iloc[start:start + _CHUNK]
        ids = [uuid.UUID(hex=h) for h in chunk["id"]]
        rows = _frame(session, select(*columns).where(KpiValue.provider_id.in_(ids)))
        rows = rows.merge(chunk, left_on=["provider_id", "period_start"], right_on=["id", "latest"])
        frames.append(rows[["provider_id", "definition_id", "period_start", "value"]])
    return pd.concat(frames, ignore_index=True)


def kpi_reds_by_provider(session: Session) -> list[ProviderReds]:
    """Each provider's red count in its own latest period (providers with any values)."""
    values = _latest_values(session)
    if values.empty:
        return []
    definitions = _frame(session, select(_hex(KpiDefinition.id), _raw(KpiDefinition.direction),
                                         KpiDefinition.amber_threshold))
    merged = values.merge(definitions, left_on="definition_id", right_on="id", how="inner")
    higher = merged["direction"] == KpiDirection.HIGHER_IS_BETTER.value
    merged["red"] = (higher & (merged["value"] < merged["amber_threshold"])) | (
        ~higher & (merged["value"] > merged["amber_threshold"]))
    grouped = merged.groupby("provider_id").agg(period=("period_start", "first"), reds=("red", "sum"),
                                                values=("red", "size")).reset_index()
    providers = _frame(session, select(_hex(Provider.id), Provider.ref, Provider.name))
    table = grouped.merge(providers, left_on="provider_id", right_on="id")
    table = table.sort_values(["reds", "name"], ascending=[False, True])
    return [
        ProviderReds(uuid.UUID(hex=pid), ref, name, dt.date.fromisoformat(period), int(reds), int(count))
        for pid, ref, name, period, reds, count in zip(
            table["provider_id"].tolist(), table["ref"].tolist(), table["name"].tolist(),
            table["period"].tolist(), table["reds"].tolist(), table["values"].tolist(), strict=True)
    ]


def weekly_spend_by_type(session: Session, on: dt.date) -> dict[ProviderType, int]:
    frame = _frame(session, select(_raw(Provider.provider_type), PlacementFeeLine.weekly_amount_pence)
                   .join(Placement, Placement.id == PlacementFeeLine.placement_id)
                   .join(Provider, Provider.id == Placement.provider_id)
                   .where(Placement.start_date <= on, or_(Placement.end_date.is_(None), Placement.end_date >= on)))
    sums = frame.groupby("provider_type")["weekly_amount_pence"].sum()
    return {kind: int(sums[kind.value]) for kind in ProviderType if kind.value in sums.index}


def weekly_spend_by_partner(session: Session, on: dt.date) -> dict[FundingPartner, int]:
    """Each funding partner's weekly pence across placements active on ``on``."""
    frame = _frame(session, select(_raw(PlacementFundingShare.partner), PlacementFundingShare.weekly_amount_pence)
                   .join(Placement, Placement.id == PlacementFundingShare.placement_id)
                   .where(Placement.start_date <= on, or_(Placement.end_date.is_(None), Placement.end_date >= on)))
    sums = frame.groupby("partner")["weekly_amount_pence"].sum()
    return {partner: int(sums[partner.value]) for partner in FundingPartner if partner.value in sums.index}


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
        weekly_spend_by_partner=weekly_spend_by_partner(session, on),
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
    rows += [(f"weekly_spend_pence_by_partner:{partner.value}", str(figures.weekly_spend_by_partner.get(partner, 0)))
             for partner in FundingPartner]
    return rows


__all__ = [
    "DashboardFigures", "ProviderReds", "cap_action_counts", "compute_dashboard", "figure_rows", "kpi_reds_by_provider",
    "providers_by_risk", "weekly_spend_by_partner", "weekly_spend_by_type",
]
