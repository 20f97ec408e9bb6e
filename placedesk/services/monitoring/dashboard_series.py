"""The series behind the dashboard's charts, worked out with pandas like the figures themselves.

- RAG by provider type: every KPI value in each provider's latest month, as
  red, amber or green (the rule of :func:`placedesk.services.monitoring.kpis.rag`);
- KPI reds over time: red values (and all values) per month, the last twelve;
- open and overdue CAP actions by provider, the providers with most first;
- weekly spend by funding partner: from the dashboard's figures
  (:func:`placedesk.services.monitoring.dashboard.weekly_spend_by_partner`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapAction, KpiDefinition, KpiValue, Provider
from placedesk.models.enums import CapActionStatus, CapStatus, FundingPartner, KpiDirection, ProviderType, Rag
from placedesk.services.common.labels import provider_label_parts
from placedesk.services.common.periods import add_months, month_start
from placedesk.services.monitoring.dashboard import (
    DashboardFigures,
    _frame,
    _hex,
    _latest_values,
    _raw,
    compute_dashboard,
)

MONTHS_SHOWN = 12
PROVIDERS_SHOWN = 10


@dataclass(frozen=True)
class ProviderActions:
    """One provider's CAP actions still open, and how many of them are overdue."""

    provider: str
    open: int
    overdue: int


def _rag_column(frame: pd.DataFrame) -> pd.Series:
    higher = frame["direction"] == KpiDirection.HIGHER_IS_BETTER.value
    value, target, amber = frame["value"], frame["target"], frame["amber_threshold"]
    green = (higher & (value >= target)) | (~higher & (value <= target))
    red = (higher & (value < amber)) | (~higher & (value > amber))
    return pd.Series(
        [Rag.GREEN.value if g else Rag.RED.value if r else Rag.AMBER.value for g, r in zip(green, red, strict=True)],
        index=frame.index, dtype=object)


def _definitions(session: Session) -> pd.DataFrame:
    return _frame(session, select(_hex(KpiDefinition.id), _raw(KpiDefinition.direction), KpiDefinition.target,
                                  KpiDefinition.amber_threshold))


def rag_by_provider_type(session: Session) -> dict[ProviderType, dict[Rag, int]]:
    """Latest-month KPI values by provider type and RAG status."""
    values = _latest_values(session)
    if values.empty:
        return {}
    merged = values.merge(_definitions(session), left_on="definition_id", right_on="id")
    providers = _frame(session, select(_hex(Provider.id).label("pid"), _raw(Provider.provider_type)))
    merged = merged.merge(providers, left_on="provider_id", right_on="pid")
    merged["rag"] = _rag_column(merged)
    counts = merged.groupby(["provider_type", "rag"]).size()
    out: dict[ProviderType, dict[Rag, int]] = {}
    for (kind, status), n in counts.items():
        out.setdefault(ProviderType(kind), {})[Rag(status)] = int(n)
    return out


def kpi_reds_by_month(session: Session, on: dt.date, months: int = MONTHS_SHOWN) -> list[tuple[dt.date, int, int]]:
    """(month, red values, all values) for each of the ``months`` months up to ``on``'s month."""
    last = month_start(on)
    first = add_months(last, -(months - 1))
    values = _frame(session, select(_hex(KpiValue.definition_id), _raw(KpiValue.period_start), KpiValue.value)
                    .where(KpiValue.period_start >= first, KpiValue.period_start <= last))
    by_month: dict[str, tuple[int, int]] = {}
    if not values.empty:
        merged = values.merge(_definitions(session), left_on="definition_id", right_on="id")
        merged["red"] = _rag_column(merged) == Rag.RED.value
        grouped = merged.groupby("period_start")["red"].agg(["sum", "size"])
        by_month = {period: (int(row["sum"]), int(row["size"])) for period, row in grouped.iterrows()}
    out = []
    for step in range(months):
        month = add_months(first, step)
        reds, total = by_month.get(month.isoformat(), (0, 0))
        out.append((month, reds, total))
    return out


def cap_actions_by_provider(session: Session, on: dt.date, top: int = PROVIDERS_SHOWN) -> list[ProviderActions]:
    """Providers with CAP actions still open (on open or escalated CAPs), most open first."""
    actions = _frame(session, select(Provider.name, Provider.town, Provider.urn, _raw(CapAction.due_date),
                                     _raw(CapAction.status), _hex(Provider.id).label("pid"))
                     .join(Cap, Cap.id == CapAction.cap_id).join(Provider, Provider.id == Cap.provider_id)
                     .where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED))))
    actions = actions[~actions["status"].isin([CapActionStatus.COMPLETE.value, CapActionStatus.WAIVED.value])]
    if actions.empty:
        return []
    actions = actions.assign(overdue=actions["due_date"] < on.isoformat())
    grouped = actions.groupby(["pid", "name", "town", "urn"], dropna=False).agg(
        open=("status", "size"), overdue=("overdue", "sum")).reset_index()
    grouped = grouped.sort_values(["open", "overdue", "name"], ascending=[False, False, True]).head(top)
    return [ProviderActions(provider_label_parts(name, town if isinstance(town, str) else "",
                                                 urn if isinstance(urn, str) else ""), int(n), int(late))
            for name, town, urn, n, late in zip(grouped["name"], grouped["town"], grouped["urn"],
                                                grouped["open"], grouped["overdue"], strict=True)]


@dataclass(frozen=True)
class DashboardCharts:
    """The series of the dashboard's four charts."""

    rag_by_type: dict[ProviderType, dict[Rag, int]]
    reds_by_month: list[tuple[dt.date, int, int]]
    actions_by_provider: list[ProviderActions]
    spend_by_partner: dict[FundingPartner, int]


def dashboard_with_charts(session: Session, *, on: dt.date) -> tuple[DashboardFigures, DashboardCharts]:
    """The dashboard's figures and its charts' series on ``on``, read in one go."""
    figures = compute_dashboard(session, on=on)
    charts = DashboardCharts(
        rag_by_type=rag_by_provider_type(session),
        reds_by_month=kpi_reds_by_month(session, on),
        actions_by_provider=cap_actions_by_provider(session, on),
        spend_by_partner=figures.weekly_spend_by_partner,
    )
    return figures, charts


__all__ = [
    "DashboardCharts", "ProviderActions", "cap_actions_by_provider", "dashboard_with_charts", "kpi_reds_by_month",
    "rag_by_provider_type",
]
