"""Provider matching: a ranked, explainable shortlist for a referral.

Every ranked provider carries one reason per score component, each ending
with the points it added, so the officer can defend the shortlist; every
excluded provider carries the reason it was left out.

Excluded (never ranked):
- closed to new referrals: an administrative suspension, or a CAP sanction
  restricting referrals or suspending it from the framework
  (:func:`placedesk.services.restrictions.active_restrictions`);
- Ofsted registration suspended, resigned, cancelled or closed;
- a provider type that does not offer the placement type sought;
- an Ofsted judgement of Inadequate.

A provider with no vacancy is ranked, not excluded, with a heavy penalty:
vacancy figures go stale within days and officers do send to full
providers who may have a place coming up; the reason says so.

Score components (points):

=================  =====================================================
needs and risks    up to +30, in proportion to the stated needs and risks
                   the provider says it can meet; each unmet one is named
vacancy            +15 with a vacancy, -25 without
Ofsted             Outstanding +20, Good +15, not yet inspected +5,
                   Requires improvement -10
proximity          with a distance limit: +20 at the child's home falling
                   to 0 at the limit, -20 beyond it; without a limit:
                   +10 falling to 0 at 100 km. Without locations: same
                   local authority +10, else same postcode area +5
price              rates (or past offers) within the weekly budget +10,
                   straddling it +3, above it -15, unknown 0
contract route     framework or DPV +10, spot 0 (framework comes first)
open CAPs          -5 each, at most -15
monitoring risk    medium -5, high -10
=================  =====================================================

Ties are broken by provider name, then reference, so the order never
changes between runs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.models import Cap, Offer, OfferFeeLine, Provider, Referral, ReferralRecipient
from placedesk.models.enums import CapStatus, ContractRoute, OfstedJudgement, PlacementType, ProviderType, RiskLevel
from placedesk.models.vocab import label
from placedesk.services.parsing import format_money, postcode_area
from placedesk.services.postcodes import distance_km, has_locations, locations_for
from placedesk.services.restrictions import active_restrictions

# Which kinds of provider can offer each placement type sought.
ACCEPTABLE_TYPES: dict[PlacementType, frozenset[ProviderType]] = {
    PlacementType.FOSTERING: frozenset({ProviderType.IFA, ProviderType.IN_HOUSE_FOSTERING}),
    PlacementType.CHILDRENS_HOME: frozenset({ProviderType.CHILDRENS_HOME}),
    PlacementType.SUPPORTED_ACCOMMODATION: frozenset({ProviderType.SUPPORTED_ACCOMMODATION}),
    PlacementType.RESIDENTIAL_SCHOOL: frozenset({ProviderType.RESIDENTIAL_SPECIAL_SCHOOL}),
    # Parent and child placements are made in units and with specialist foster carers.
    PlacementType.PARENT_AND_CHILD: frozenset(
        {ProviderType.PARENT_AND_CHILD, ProviderType.IFA, ProviderType.IN_HOUSE_FOSTERING}
    ),
}

CLOSED_REGISTRATIONS = frozenset({"suspended", "resigned", "cancelled", "closed", "refused"})

NEEDS_POINTS = 30.0
VACANCY_POINTS, NO_VACANCY_POINTS = 15.0, -25.0
OFSTED_POINTS = {
    OfstedJudgement.OUTSTANDING: 20.0,
    OfstedJudgement.GOOD: 15.0,
    OfstedJudgement.NOT_YET_INSPECTED: 5.0,
    OfstedJudgement.REQUIRES_IMPROVEMENT: -10.0,
}
NEAR_POINTS, BEYOND_LIMIT_POINTS = 20.0, -20.0
NO_LIMIT_POINTS, NO_LIMIT_SCALE_KM = 10.0, 100.0
SAME_LA_POINTS, SAME_AREA_POINTS = 10.0, 5.0
WITHIN_BUDGET_POINTS, STRADDLES_BUDGET_POINTS, OVER_BUDGET_POINTS = 10.0, 3.0, -15.0
FRAMEWORK_POINTS = 10.0
CAP_POINTS, CAP_FLOOR = -5.0, -15.0
RISK_POINTS = {RiskLevel.LOW: 0.0, RiskLevel.MEDIUM: -5.0, RiskLevel.HIGH: -10.0}


@dataclass
class MatchRow:
    """A ranked provider: its score and one reason per score component."""

    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    score: float
    reasons: list[str]
    distance_km: float | None
    provider_type: ProviderType
    ofsted_judgement: OfstedJudgement
    contract_route: ContractRoute
    vacancies: int
    local_authority: str
    open_caps: int


@dataclass
class Excluded:
    """A provider left off the shortlist, and why."""

    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    reason: str


@dataclass
class MatchResult:
    """The shortlist for one referral."""

    referral_ref: str
    ranked: list[MatchRow] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    # Whether distances came from the imported postcode location table.
    uses_location_table: bool = False
    # How proximity was judged, in words for the shortlist's heading.
    proximity_note: str = ""

    def row_for(self, provider_id: uuid.UUID) -> MatchRow | None:
        return next((row for row in self.ranked if row.provider_id == provider_id), None)


def _points(value: float) -> str:
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


def _price_range(session: Session) -> dict[uuid.UUID, tuple[int, int]]:
    """Provider -> (lowest, highest) weekly total of the offers it has made before."""
    totals = (
        select(ReferralRecipient.provider_id.label("provider_id"),
               func.sum(OfferFeeLine.weekly_amount_pence).label("total"))
        .join(Offer, Offer.recipient_id == ReferralRecipient.id)
        .join(OfferFeeLine, OfferFeeLine.offer_id == Offer.id)
        .group_by(Offer.id, ReferralRecipient.provider_id)
        .subquery()
    )
    rows = session.execute(
        select(totals.c.provider_id, func.min(totals.c.total), func.max(totals.c.total)).group_by(totals.c.provider_id)
    )
    return {pid: (int(low), int(high)) for pid, low, high in rows}


def _open_caps(session: Session) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(Cap.provider_id, func.count())
        .where(Cap.status.in_((CapStatus.OPEN, CapStatus.ESCALATED)))
        .group_by(Cap.provider_id)
    )
    return {pid: int(n) for pid, n in rows}


_COLUMNS = (
    Provider.id, Provider.ref, Provider.name, Provider.provider_type, Provider.registration_status,
    Provider.capabilities, Provider.vacancies, Provider.ofsted_judgement, Provider.postcode,
    Provider.local_authority, Provider.weekly_rate_from_pence, Provider.weekly_rate_to_pence,
    Provider.contract_route, Provider.framework_name, Provider.risk_level, Provider.risk_override,
)


def match_referral(session: Session, referral: Referral, *, today: dt.date) -> MatchResult:
    """Rank every provider for ``referral`` on ``today``, with reasons; see the module docstring."""
    result = MatchResult(referral_ref=referral.ref)
    child = referral.child
    home_postcode = child.home_postcode if child else ""
    home_la = (child.home_local_authority if child else "").strip().lower()
    home_area = postcode_area(home_postcode)
    stated = list(dict.fromkeys([*referral.needs, *referral.risks]))
    acceptable = ACCEPTABLE_TYPES.get(referral.placement_type) if referral.placement_type else None

    restricted = active_restrictions(session, today)
    providers = session.execute(select(*_COLUMNS)).all()
    caps = _open_caps(session)
    past_prices = _price_range(session)

    table = has_locations(session)
    located = locations_for(session, [home_postcode, *(p.postcode for p in providers)]) if table else {}
    home = located.get(home_postcode)
    result.uses_location_table = table and home is not None
    result.proximity_note = _proximity_note(table, home_postcode, home, located, providers, referral)

    for p in providers:
        reason = _exclusion(p, restricted, acceptable, referral.placement_type)
        if reason:
            result.excluded.append(Excluded(p.id, p.ref, p.name, reason))
            continue
        reasons: list[str] = []
        score = 0.0
        type_label = ProviderType(p.provider_type).label
        reasons.append(f"Type: {type_label} offers {referral.placement_type.label.lower()} placements (required)")

        score += _score_needs(stated, set(p.capabilities or ()), reasons)
        score += _score_vacancy(p.vacancies, reasons)
        points = OFSTED_POINTS[p.ofsted_judgement]
        score += points
        reasons.append(f"Ofsted: {p.ofsted_judgement.label} ({_points(points)})")

        there = located.get(p.postcode) if home is not None else None
        distance = distance_km(home, there) if home is not None and there is not None else None
        score += _score_proximity(distance, referral.max_distance_km, p, home_la, home_area, reasons,
                                  located_home=home is not None)
        score += _score_price(p, past_prices.get(p.id), referral.budget_ceiling_pence, reasons)

        if p.contract_route in (ContractRoute.FRAMEWORK, ContractRoute.DPV):
            name = f" ({p.framework_name})" if p.framework_name else ""
            score += FRAMEWORK_POINTS
            reasons.append(f"Contract: {p.contract_route.label}{name} terms ({_points(FRAMEWORK_POINTS)})")
        else:
            reasons.append("Contract: spot purchase; framework providers come first (0)")

        n_caps = caps.get(p.id, 0)
        cap_points = max(CAP_FLOOR, CAP_POINTS * n_caps)
        score += cap_points
        reasons.append(
            f"CAPs: {n_caps} open ({_points(cap_points)})" if n_caps else "CAPs: none open (0)"
        )
        risk = p.risk_override or p.risk_level
        score += RISK_POINTS[risk]
        reasons.append(f"Monitoring risk: {risk.label.lower()} ({_points(RISK_POINTS[risk])})")

        result.ranked.append(MatchRow(
            provider_id=p.id, provider_ref=p.ref, provider_name=p.name, score=round(score, 1), reasons=reasons,
            distance_km=round(distance, 1) if distance is not None else None,
            provider_type=p.provider_type, ofsted_judgement=p.ofsted_judgement, contract_route=p.contract_route,
            vacancies=p.vacancies, local_authority=p.local_authority, open_caps=n_caps,
        ))

    result.ranked.sort(key=lambda r: (-r.score, r.provider_name.casefold(), r.provider_ref))
    result.excluded.sort(key=lambda e: (e.provider_name.casefold(), e.provider_ref))
    return result


def _exclusion(p: Any, restricted: dict[uuid.UUID, str], acceptable: frozenset[ProviderType] | None,
               placement_type: PlacementType | None) -> str:
    if p.id in restricted:
        return restricted[p.id]
    status = (p.registration_status or "").strip()
    if status.lower() in CLOSED_REGISTRATIONS:
        return f"Ofsted registration is {status.lower()}"
    if acceptable is None:
        return "The referral does not say which placement type is sought"
    if p.provider_type not in acceptable:
        return f"{ProviderType(p.provider_type).label} does not offer {placement_type.label.lower()} placements"
    if p.ofsted_judgement is OfstedJudgement.INADEQUATE:
        return "Ofsted judgement is Inadequate"
    return ""


def _score_needs(stated: Sequence[str], capabilities: set[str], reasons: list[str]) -> float:
    if not stated:
        reasons.append(f"Needs and risks: none stated ({_points(NEEDS_POINTS)})")
        return NEEDS_POINTS
    unmet = [code for code in stated if code not in capabilities]
    points = NEEDS_POINTS * (len(stated) - len(unmet)) / len(stated)
    if unmet:
        reasons.append(
            f"Needs and risks: meets {len(stated) - len(unmet)} of {len(stated)}; cannot meet "
            + ", ".join(label(code) for code in unmet) + f" ({_points(points)})"
        )
    else:
        reasons.append(f"Needs and risks: meets all {len(stated)} stated ({_points(points)})")
    return points


def _score_vacancy(vacancies: int, reasons: list[str]) -> float:
    if vacancies > 0:
        reasons.append(f"Vacancy: {vacancies} recorded ({_points(VACANCY_POINTS)})")
        return VACANCY_POINTS
    reasons.append(f"Vacancy: none recorded; ask, the figure may be out of date ({_points(NO_VACANCY_POINTS)})")
    return NO_VACANCY_POINTS


def _score_proximity(distance: float | None, limit: float | None, p: Any, home_la: str, home_area: str,
                     reasons: list[str], *, located_home: bool) -> float:
    if distance is not None:
        if limit:
            if distance <= limit:
                points = NEAR_POINTS * (1 - distance / limit)
                reasons.append(f"Distance: {distance:.1f} km from home, within {limit:g} km ({_points(points)})")
                return points
            reasons.append(
                f"Distance: {distance:.1f} km from home, beyond the {limit:g} km limit ({_points(BEYOND_LIMIT_POINTS)})"
            )
            return BEYOND_LIMIT_POINTS
        points = NO_LIMIT_POINTS * max(0.0, 1 - distance / NO_LIMIT_SCALE_KM)
        reasons.append(f"Distance: {distance:.1f} km from home, no limit set ({_points(points)})")
        return points
    why = "provider postcode not in the location table; " if located_home and p.postcode else ""
    if home_la and p.local_authority.strip().lower() == home_la:
        reasons.append(f"Proximity: {why}same local authority as home ({p.local_authority}) ({_points(SAME_LA_POINTS)})")
        return SAME_LA_POINTS
    if home_area and postcode_area(p.postcode) == home_area:
        reasons.append(f"Proximity: {why}same postcode area as home ({home_area}) ({_points(SAME_AREA_POINTS)})")
        return SAME_AREA_POINTS
    reasons.append(f"Proximity: {why}different local authority and postcode area (0)")
    return 0.0


def _score_price(p: Any, past: tuple[int, int] | None, budget: int | None, reasons: list[str]) -> float:
    if p.weekly_rate_from_pence is not None:
        low = p.weekly_rate_from_pence
        high = p.weekly_rate_to_pence if p.weekly_rate_to_pence is not None else low
        source = "rates"
    elif past is not None:
        low, high = past
        source = "past offers"
    else:
        reasons.append("Price: no rates or past offers to compare (0)")
        return 0.0
    span = format_money(low) if low == high else f"{format_money(low)} to {format_money(high)}"
    if budget is None:
        reasons.append(f"Price: {source} {span} a week; no budget ceiling set (0)")
        return 0.0
    if high <= budget:
        points, verdict = WITHIN_BUDGET_POINTS, "within"
    elif low <= budget:
        points, verdict = STRADDLES_BUDGET_POINTS, "partly above"
    else:
        points, verdict = OVER_BUDGET_POINTS, "above"
    reasons.append(f"Price: {source} {span} a week, {verdict} the {format_money(budget)} budget ({_points(points)})")
    return points


def _proximity_note(table: bool, home_postcode: str, home: tuple[float, float] | None,
                    located: dict[str, tuple[float, float]], providers: Sequence[Any],
                    referral: Referral) -> str:
    fallback = "proximity is judged by same local authority and same postcode area instead"
    if not table:
        return ("No postcode location table has been imported, so " + fallback
                + ". Import one (placedesk postcodes import FILE) to rank by distance.")
    if not home_postcode:
        return "The child's home postcode is not recorded, so " + fallback + "."
    if home is None:
        return f"The child's home postcode {home_postcode} is not in the location table, so " + fallback + "."
    missing = sum(1 for p in providers if p.postcode not in located)
    limit = f" against the {referral.max_distance_km:g} km limit" if referral.max_distance_km else ""
    note = f"Distances are straight-line from the child's home postcode{limit}."
    if missing:
        note += f" {missing} provider(s) have no location in the table and are judged by local authority and postcode area."
    return note


__all__ = ["ACCEPTABLE_TYPES", "Excluded", "MatchResult", "MatchRow", "match_referral"]
