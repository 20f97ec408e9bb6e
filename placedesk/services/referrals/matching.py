"""Provider matching: a ranked, explainable shortlist for a referral.

Every ranked provider carries one reason per score component, each ending
with the points it added, so the officer can defend the shortlist; every
excluded provider carries the reason it was left out.

Excluded (never ranked):
- closed to new referrals: an administrative suspension, or a CAP sanction
  restricting referrals or suspending it from the framework
  (:func:`placedesk.services.monitoring.restrictions.active_restrictions`);
- Ofsted registration suspended, resigned, cancelled or closed;
- a provider type that does not offer the placement type sought;
- an Ofsted judgement of Inadequate;
- further from the child's home than the referral's maximum distance (with
  the distance and the limit), unless the officer asks to see providers
  beyond the limit too; they are then ranked, with -20 for the distance.

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
proximity          against the preferred distance (or, without one, the
                   maximum): +20 at the child's home falling to 0 at that
                   distance, -20 beyond it; with neither: +10 falling to
                   0 at 100 km. Without locations: same local authority
                   +10, else same postcode area +5
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
import functools
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from placedesk.db.dialect import driver_rows, id_text, json_text
from placedesk.models import Referral
from placedesk.models.enums import CapStatus, ContractRoute, OfstedJudgement, PlacementType, ProviderType, RiskLevel
from placedesk.models.vocab import label
from placedesk.services.common.labels import provider_label_parts
from placedesk.services.common.parsing import format_money, postcode_area
from placedesk.services.referrals.postcodes import EARTH_RADIUS_KM, has_locations, location_for
from placedesk.services.monitoring.restrictions import active_restrictions

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
# Provider ids per IN list: well under both drivers' limits on parameters.
_CHUNK = 10000


@dataclass(eq=False, slots=True)
class MatchRow:
    """A ranked provider: its score and one reason per score component.

    The provider's details are read from the candidate row it was scored on,
    not copied: a shortlist holds thousands of rows, made on every page change.
    ``reasons`` are worded on first use: a shortlist of thousands is ranked on
    numbers alone, and only the rows the officer looks at are explained.
    """

    score: float
    distance_km: float | None
    open_caps: int
    # Further than the referral's maximum distance (listed only when the officer asked to see them).
    beyond_maximum: bool
    _candidate: _Candidate = field(repr=False)
    _context: _Context = field(repr=False)
    _reasons: list[str] | None = field(default=None, repr=False)
    _id: uuid.UUID | None = field(default=None, repr=False)

    @property
    def provider_ref(self) -> str:
        return self._candidate.ref

    @property
    def provider_name(self) -> str:
        return self._candidate.name

    @property
    def provider_type(self) -> ProviderType:
        return self._candidate.provider_type

    @property
    def ofsted_judgement(self) -> OfstedJudgement:
        return self._candidate.ofsted_judgement

    @property
    def contract_route(self) -> ContractRoute:
        return self._candidate.contract_route

    @property
    def vacancies(self) -> int:
        return self._candidate.vacancies

    @property
    def local_authority(self) -> str:
        return self._candidate.local_authority

    @property
    def town(self) -> str:
        return self._candidate.town

    @property
    def urn(self) -> str:
        return self._candidate.urn

    @property
    def provider_hex(self) -> str:
        return self._candidate.hex

    @property
    def provider_id(self) -> uuid.UUID:
        if self._id is None:
            self._id = uuid.UUID(hex=self._candidate.hex)
        return self._id

    @property
    def provider_label(self) -> str:
        """Name, town and URN: two providers may share a name."""
        return provider_label_parts(self._candidate.name, self._candidate.town, self._candidate.urn)

    @property
    def reasons(self) -> list[str]:
        if self._reasons is None:
            self._reasons = _explain(self._candidate, self._context)
        return self._reasons


class Excluded(NamedTuple):
    """A provider left off the shortlist, and why (a tuple: thousands are made per shortlist)."""

    provider_ref: str
    provider_name: str
    reason: str
    provider_hex: str
    town: str = ""
    urn: str = ""

    @property
    def provider_id(self) -> uuid.UUID:
        return uuid.UUID(hex=self.provider_hex)

    @property
    def provider_label(self) -> str:
        """Name, town and URN: two providers may share a name."""
        return provider_label_parts(self.provider_name, self.town, self.urn)


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
    # How many providers were left out for being beyond the maximum distance.
    beyond_limit: int = 0

    def row_for(self, provider_id: uuid.UUID) -> MatchRow | None:
        return next((row for row in self.ranked if row.provider_hex == provider_id.hex), None)

    def excluded_for(self, provider_id: uuid.UUID) -> Excluded | None:
        """Why ``provider_id`` was left off, or None (compared as text: thousands may be excluded)."""
        return next((e for e in self.excluded if e.provider_hex == provider_id.hex), None)


@functools.lru_cache(maxsize=4096)
def _points(value: float) -> str:
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


def _price_range(session: Session, provider_hexes: Sequence[str]) -> dict[str, tuple[int, int]]:
    """Provider id (hex) -> (lowest, highest) weekly total of the offers it has made before.

    Asked only for providers without rates: scanning every offer ever made
    would cost more than the rest of the ranking.
    """
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(provider_hexes), _CHUNK):
        chunk = list(provider_hexes[start:start + _CHUNK])
        conn = session.connection()
        rows = driver_rows(
            conn,
            f"SELECT {id_text(conn, 'provider_id')}, min(total), max(total) FROM ("
            " SELECT r.provider_id AS provider_id, sum(l.weekly_amount_pence) AS total"
            " FROM referral_recipient r JOIN offer o ON o.recipient_id = r.id"
            " JOIN offer_fee_line l ON l.offer_id = o.id"
            f" WHERE r.provider_id IN ({', '.join('?' for _ in chunk)})"
            " GROUP BY o.id, r.provider_id"
            ") AS offer_totals GROUP BY provider_id",
            chunk,
        )
        found.update((pid, (int(low), int(high))) for pid, low, high in rows)
    return found


def _open_caps(session: Session) -> dict[str, int]:
    conn = session.connection()
    rows = driver_rows(conn, f"SELECT {id_text(conn, 'provider_id')}, count(*) FROM cap WHERE status IN (?, ?) "
                             "GROUP BY provider_id", (CapStatus.OPEN.value, CapStatus.ESCALATED.value))
    return {pid: int(n) for pid, n in rows}


class _Candidate(NamedTuple):
    """The columns matching reads for a provider of a suitable type (id as hex, capabilities as JSON text)."""

    hex: str
    ref: str
    name: str
    provider_type: ProviderType
    registration_status: str
    capabilities_json: str
    vacancies: int
    ofsted_judgement: OfstedJudgement
    postcode: str
    local_authority: str
    weekly_rate_from_pence: int | None
    weekly_rate_to_pence: int | None
    contract_route: ContractRoute
    framework_name: str
    risk: RiskLevel
    # Where the provider's postcode (or its outward code) lies; None when the table does not say.
    location: tuple[float, float] | None
    town: str
    urn: str


# The location join looks the full postcode up through the table's primary key. Providers whose full
# postcode is not there are looked up again by outward code (all but the last three characters of the
# compact form) in a second, usually empty, read: joining both for every provider doubled the lookups.
# A postcode of three characters or fewer has no outward code (and PostgreSQL's substr refuses a
# negative length).
_CANDIDATE_SQL = (
    "SELECT {id}, p.ref, p.name, p.provider_type, p.registration_status, {capabilities}, p.vacancies, "
    "p.ofsted_judgement, p.postcode, p.local_authority, p.weekly_rate_from_pence, p.weekly_rate_to_pence, "
    "p.contract_route, p.framework_name, coalesce(p.risk_override, p.risk_level), "
    "f.latitude, f.longitude, p.town, coalesce(p.urn, '') "
    "FROM provider p "
    "LEFT JOIN postcode_location f ON f.postcode = replace(upper(p.postcode), ' ', '') "
    "WHERE p.provider_type IN ({types})"
)
_OUTWARD_SQL = (
    "SELECT {id}, o.latitude, o.longitude FROM provider p "
    "JOIN postcode_location o ON o.postcode = CASE WHEN length(replace(p.postcode, ' ', '')) > 3 "
    "THEN substr(replace(upper(p.postcode), ' ', ''), 1, length(replace(p.postcode, ' ', '')) - 3) END "
    "WHERE p.id IN ({ids})"
)
_OTHERS_SQL = ("SELECT {id}, ref, name, provider_type, town, coalesce(urn, '') FROM provider "
               "WHERE provider_type NOT IN ({types})")
# Thousands of these tuples are made per shortlist: made straight from their values, without the
# Python-level __new__ a NamedTuple adds (which only names the same arguments), they cost half as much.
_new_candidate = functools.partial(tuple.__new__, _Candidate)
_new_excluded = functools.partial(tuple.__new__, Excluded)
_JUDGEMENTS = {j.value: j for j in OfstedJudgement}
_ROUTES = {r.value: r for r in ContractRoute}
_RISKS = {r.value: r for r in RiskLevel}
_TYPES = {t.value: t for t in ProviderType}


def _load_providers(session: Session, acceptable: frozenset[ProviderType], *, locations: bool
                    ) -> tuple[list[_Candidate], list[tuple[str, str, str, str, str, str]]]:
    """Suitable providers with what scoring needs, and (id hex, ref, name, type value, town, URN) of the rest.

    Read with the driver directly, as plain tuples: the ORM's per-value
    conversions and result rows cost more than the whole ranking for thousands
    of rows, and the 50 ms budget for 5,000 providers leaves no room for them.
    Values are converted here instead. ``locations`` says whether the location
    table holds anything, so outward codes are worth looking up.
    """
    types = sorted(t.value for t in acceptable) or ["-"]
    placeholders = ", ".join("?" for _ in types)
    conn = session.connection()
    rows = driver_rows(conn, _CANDIDATE_SQL.format(
        types=placeholders, id=id_text(conn, "p.id"), capabilities=json_text(conn, "p.capabilities")), types)
    outward = _outward_locations(conn, [row[0] for row in rows if row[15] is None]) if locations else {}
    candidates = [
        _new_candidate((
            row[0], row[1], row[2], _TYPES[row[3]], row[4], row[5] or "[]", row[6], _JUDGEMENTS[row[7]], row[8],
            row[9], row[10], row[11], _ROUTES[row[12]], row[13], _RISKS[row[14]],
            (row[15], row[16]) if row[15] is not None else outward.get(row[0]), row[17], row[18],
        ))
        for row in rows
    ]
    others = driver_rows(conn, _OTHERS_SQL.format(types=placeholders, id=id_text(conn, "id")), types)
    return candidates, others


def _outward_locations(conn: Connection, provider_hexes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Provider id (hex) -> where its postcode's outward code lies, for providers whose full postcode is unknown."""
    found: dict[str, tuple[float, float]] = {}
    for start in range(0, len(provider_hexes), _CHUNK):
        chunk = provider_hexes[start:start + _CHUNK]
        sql = _OUTWARD_SQL.format(id=id_text(conn, "p.id"), ids=", ".join("?" for _ in chunk))
        found.update((pid, (lat, lon)) for pid, lat, lon in driver_rows(conn, sql, chunk) if lat is not None)
    return found


@dataclass
class _Context:
    """What every provider is scored against, gathered once per shortlist."""

    sought: str
    stated: list[str]
    # The distance that scores: the preferred distance, else the maximum.
    limit: float | None
    budget: int | None
    home: tuple[float, float] | None
    home_la: str
    home_area: str
    caps: dict[str, int]
    past_prices: dict[str, tuple[int, int]]
    # Each stated code as it appears in a provider's JSON list of capabilities.
    quoted: list[str] = field(default_factory=list)
    # The home point in radians and the cosine of its latitude, reused for every distance.
    home_rad: tuple[float, float, float] | None = None
    # The furthest a placement may be; beyond it a provider is excluded unless asked for.
    maximum: float | None = None

    def __post_init__(self) -> None:
        self.quoted = [f'"{code}"' for code in self.stated]
        if self.home is not None:
            lat, lon = math.radians(self.home[0]), math.radians(self.home[1])
            self.home_rad = (lat, lon, math.cos(lat))

    def distance_to(self, point: tuple[float, float]) -> float:
        """Haversine distance in km from home (as :func:`postcodes.distance_km`, with home precomputed)."""
        assert self.home_rad is not None
        lat1, lon1, cos1 = self.home_rad
        lat2, lon2 = math.radians(point[0]), math.radians(point[1])
        h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def match_referral(session: Session, referral: Referral, *, today: dt.date,
                   include_beyond_limit: bool = False) -> MatchResult:
    """Rank every provider for ``referral`` on ``today``, with reasons; see the module docstring.

    ``include_beyond_limit`` ranks providers further than the maximum distance
    (with the distance penalty) instead of excluding them.
    """
    result = MatchResult(referral_ref=referral.ref)
    child = referral.child
    home_postcode = child.home_postcode if child else ""
    acceptable = ACCEPTABLE_TYPES.get(referral.placement_type) if referral.placement_type else None
    sought = referral.placement_type.label.lower() if referral.placement_type else ""

    restricted = {pid.hex: reason for pid, reason in active_restrictions(session, today).items()}
    home = location_for(session, home_postcode) if home_postcode else None
    # A home found in the location table shows the table holds something, without asking.
    table = home is not None or has_locations(session)
    providers, others = _load_providers(session, acceptable or frozenset(), locations=table)
    # Keyed by the stored type text: thousands of providers of other types are listed.
    wrong_type = {
        t.value: f"{t.label} does not offer {sought} placements" if sought
        else "The referral does not say which placement type is sought"
        for t in ProviderType
    }
    result.excluded = [_new_excluded((ref, name, restricted.get(pid) or wrong_type[provider_type], pid, town or "", urn))
                       for pid, ref, name, provider_type, town, urn in others]

    result.uses_location_table = table and home is not None
    result.proximity_note = _proximity_note(table, home_postcode, home, providers, referral)
    unpriced = [p.hex for p in providers if p.weekly_rate_from_pence is None and p.weekly_rate_to_pence is None]
    ctx = _Context(
        sought=sought, stated=list(dict.fromkeys([*referral.needs, *referral.risks])),
        limit=referral.preferred_distance_km or referral.max_distance_km, budget=referral.budget_ceiling_pence,
        home=home, maximum=referral.max_distance_km,
        home_la=(child.home_local_authority if child else "").strip().lower(), home_area=postcode_area(home_postcode),
        caps=_open_caps(session), past_prices=_price_range(session, unpriced),
    )

    for p in providers:
        reason = _exclusion(p, restricted)
        if reason:
            result.excluded.append(Excluded(p.ref, p.name, reason, p.hex, p.town, p.urn))
            continue
        beyond = _beyond_maximum(p, ctx)
        if beyond and not include_beyond_limit:
            result.beyond_limit += 1
            result.excluded.append(Excluded(p.ref, p.name, beyond, p.hex, p.town, p.urn))
            continue
        score, distance = _assess(p, ctx, None)
        result.ranked.append(MatchRow(
            round(score, 1), round(distance, 1) if distance is not None else None, ctx.caps.get(p.hex, 0),
            bool(beyond), p, ctx,
        ))

    result.ranked.sort(key=lambda r: (-r.score, r._candidate.name.casefold(), r._candidate.ref))
    result.excluded.sort(key=_name_order)
    return result


def _name_order(item: Excluded) -> tuple[str, str]:
    return (item.provider_name.casefold(), item.provider_ref)


def _exclusion(p: _Candidate, restricted: dict[str, str]) -> str:
    if p.hex in restricted:
        return restricted[p.hex]
    status = p.registration_status.strip().lower()
    if status in CLOSED_REGISTRATIONS:
        return f"Ofsted registration is {status}"
    if p.ofsted_judgement is OfstedJudgement.INADEQUATE:
        return "Ofsted judgement is Inadequate"
    return ""


def _beyond_maximum(p: _Candidate, ctx: _Context) -> str:
    """Why ``p`` is too far from home, or "" (also when either end has no location to measure)."""
    if not ctx.maximum or ctx.home_rad is None or p.location is None:
        return ""
    distance = ctx.distance_to(p.location)
    if distance <= ctx.maximum:
        return ""
    return f"{distance:.1f} km from home, beyond the {ctx.maximum:g} km maximum distance"


def _explain(p: _Candidate, ctx: _Context) -> list[str]:
    reasons: list[str] = []
    _assess(p, ctx, reasons)
    return reasons


def _assess(p: _Candidate, ctx: _Context, reasons: list[str] | None) -> tuple[float, float | None]:
    """The score and distance of one provider; each component's reason is added to ``reasons`` when given.

    One function for both, so the points shown can never drift from the points counted.
    """
    if reasons is not None:
        reasons.append(f"Type: {p.provider_type.label} offers {ctx.sought} placements (required)")
    score = _score_needs(ctx, p.capabilities_json, reasons)

    if p.vacancies > 0:
        score += VACANCY_POINTS
        if reasons is not None:
            reasons.append(f"Vacancy: {p.vacancies} recorded ({_points(VACANCY_POINTS)})")
    else:
        score += NO_VACANCY_POINTS
        if reasons is not None:
            reasons.append(f"Vacancy: none recorded; ask, the figure may be out of date ({_points(NO_VACANCY_POINTS)})")

    points = OFSTED_POINTS[p.ofsted_judgement]
    score += points
    if reasons is not None:
        reasons.append(f"Ofsted: {p.ofsted_judgement.label} ({_points(points)})")

    distance = ctx.distance_to(p.location) if ctx.home_rad is not None and p.location is not None else None
    score += _score_proximity(distance, p, ctx, reasons)
    score += _score_price(p, ctx.past_prices.get(p.hex), ctx.budget, reasons)

    if p.contract_route is not ContractRoute.SPOT:
        score += FRAMEWORK_POINTS
        if reasons is not None:
            name = f" ({p.framework_name})" if p.framework_name else ""
            reasons.append(f"Contract: {p.contract_route.label}{name} terms ({_points(FRAMEWORK_POINTS)})")
    elif reasons is not None:
        reasons.append("Contract: spot purchase; framework providers come first (0)")

    n_caps = ctx.caps.get(p.hex, 0)
    cap_points = max(CAP_FLOOR, CAP_POINTS * n_caps)
    score += cap_points
    if reasons is not None:
        reasons.append(f"CAPs: {n_caps} open ({_points(cap_points)})" if n_caps else "CAPs: none open (0)")

    score += RISK_POINTS[p.risk]
    if reasons is not None:
        reasons.append(f"Monitoring risk: {p.risk.label.lower()} ({_points(RISK_POINTS[p.risk])})")
    return score, distance


def _score_needs(ctx: _Context, capabilities_json: str, reasons: list[str] | None) -> float:
    stated = ctx.stated
    if not stated:
        if reasons is not None:
            reasons.append(f"Needs and risks: none stated ({_points(NEEDS_POINTS)})")
        return NEEDS_POINTS
    # Codes are plain words in a JSON list, so a quoted code is found by substring without parsing.
    unmet = [code for code, quoted in zip(stated, ctx.quoted) if quoted not in capabilities_json]
    points = NEEDS_POINTS * (len(stated) - len(unmet)) / len(stated)
    if reasons is not None:
        if unmet:
            reasons.append(
                f"Needs and risks: meets {len(stated) - len(unmet)} of {len(stated)}; cannot meet "
                + ", ".join(label(code) for code in unmet) + f" ({_points(points)})"
            )
        else:
            reasons.append(f"Needs and risks: meets all {len(stated)} stated ({_points(points)})")
    return points


def _score_proximity(distance: float | None, p: _Candidate, ctx: _Context, reasons: list[str] | None) -> float:
    limit = ctx.limit
    if distance is not None:
        if ctx.maximum and distance > ctx.maximum:
            if reasons is not None:
                reasons.append(f"Distance: {distance:.1f} km from home, beyond the {ctx.maximum:g} km maximum; "
                               f"shown because providers beyond the limit were asked for "
                               f"({_points(BEYOND_LIMIT_POINTS)})")
            return BEYOND_LIMIT_POINTS
        if limit:
            kind = "preferred distance" if limit != ctx.maximum else "maximum distance"
            if distance <= limit:
                points = NEAR_POINTS * (1 - distance / limit)
                if reasons is not None:
                    reasons.append(f"Distance: {distance:.1f} km from home, within the {limit:g} km {kind} "
                                   f"({_points(points)})")
                return points
            if reasons is not None:
                reasons.append(f"Distance: {distance:.1f} km from home, beyond the {limit:g} km {kind} "
                               f"({_points(BEYOND_LIMIT_POINTS)})")
            return BEYOND_LIMIT_POINTS
        points = NO_LIMIT_POINTS * max(0.0, 1 - distance / NO_LIMIT_SCALE_KM)
        if reasons is not None:
            reasons.append(f"Distance: {distance:.1f} km from home, no limit set ({_points(points)})")
        return points
    why = "provider postcode not in the location table; " if ctx.home is not None and p.postcode else ""
    if ctx.home_la and p.local_authority.strip().lower() == ctx.home_la:
        if reasons is not None:
            reasons.append(f"Proximity: {why}same local authority as home ({p.local_authority}) "
                           f"({_points(SAME_LA_POINTS)})")
        return SAME_LA_POINTS
    if ctx.home_area and postcode_area(p.postcode) == ctx.home_area:
        if reasons is not None:
            reasons.append(f"Proximity: {why}same postcode area as home ({ctx.home_area}) ({_points(SAME_AREA_POINTS)})")
        return SAME_AREA_POINTS
    if reasons is not None:
        reasons.append(f"Proximity: {why}different local authority and postcode area (0)")
    return 0.0


def _score_price(p: _Candidate, past: tuple[int, int] | None, budget: int | None, reasons: list[str] | None) -> float:
    if p.weekly_rate_from_pence is not None or p.weekly_rate_to_pence is not None:
        low = p.weekly_rate_from_pence if p.weekly_rate_from_pence is not None else p.weekly_rate_to_pence
        high = p.weekly_rate_to_pence if p.weekly_rate_to_pence is not None else low
        assert low is not None and high is not None
        source = "rates"
    elif past is not None:
        low, high = past
        source = "past offers"
    else:
        if reasons is not None:
            reasons.append("Price: no rates or past offers to compare (0)")
        return 0.0
    if budget is None:
        points, verdict = 0.0, ""
    elif high <= budget:
        points, verdict = WITHIN_BUDGET_POINTS, "within"
    elif low <= budget:
        points, verdict = STRADDLES_BUDGET_POINTS, "partly above"
    else:
        points, verdict = OVER_BUDGET_POINTS, "above"
    if reasons is not None:
        span = format_money(low) if low == high else f"{format_money(low)} to {format_money(high)}"
        if budget is None:
            reasons.append(f"Price: {source} {span} a week; no budget ceiling set (0)")
        else:
            reasons.append(f"Price: {source} {span} a week, {verdict} the {format_money(budget)} budget "
                           f"({_points(points)})")
    return points


def _proximity_note(table: bool, home_postcode: str, home: tuple[float, float] | None,
                    providers: Sequence[_Candidate],
                    referral: Referral) -> str:
    fallback = "proximity is judged by same local authority and same postcode area instead"
    if not table:
        return ("No postcode location table has been imported, so " + fallback
                + ". Import one (placedesk postcodes import FILE) to rank by distance.")
    if not home_postcode:
        return "The child's home postcode is not recorded, so " + fallback + "."
    if home is None:
        return f"The child's home postcode {home_postcode} is not in the location table, so " + fallback + "."
    missing = sum(1 for p in providers if p.location is None)
    limits = []
    if referral.max_distance_km:
        limits.append(f"a {referral.max_distance_km:g} km maximum (providers further away are excluded)")
    if referral.preferred_distance_km:
        limits.append(f"a {referral.preferred_distance_km:g} km preferred distance")
    limit = f", against {' and '.join(limits)}" if limits else ""
    note = f"Distances are straight-line from the child's home postcode{limit}."
    if missing:
        note += (f" {missing} provider(s) have no location in the table and are judged by local authority "
                 "and postcode area.")
    return note


__all__ = ["ACCEPTABLE_TYPES", "Excluded", "MatchResult", "MatchRow", "match_referral"]
