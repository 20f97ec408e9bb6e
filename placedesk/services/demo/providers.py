"""Demo providers of every type, with Ofsted inspections, spread over English authorities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from placedesk.models.enums import ContractRoute, OfstedJudgement, ProviderType, RiskLevel
from placedesk.models.vocab import NEEDS, RISKS
from placedesk.services.demo.geo import PostcodeMaker
from placedesk.services.demo.names import (
    FIRST_NAMES_ADULTS,
    FRAMEWORKS,
    LAST_NAMES,
    OWNER_ORGANISATIONS,
    PROVIDER_SUFFIXES,
    PROVIDER_WORDS,
)
from placedesk.services.demo.places import AREAS, STREETS, Area
from placedesk.services.demo.writer import DemoWriter, RowId

TYPE_WEIGHTS: tuple[tuple[ProviderType, int], ...] = (
    (ProviderType.IFA, 25),
    (ProviderType.CHILDRENS_HOME, 40),
    (ProviderType.SUPPORTED_ACCOMMODATION, 19),
    (ProviderType.RESIDENTIAL_SPECIAL_SCHOOL, 7),
    (ProviderType.PARENT_AND_CHILD, 5),
    (ProviderType.IN_HOUSE_FOSTERING, 4),
)

# Typical weekly fees in pounds (low, high) and places (low, high) by type.
RATES: dict[ProviderType, tuple[int, int]] = {
    ProviderType.IFA: (850, 1_400),
    ProviderType.CHILDRENS_HOME: (4_500, 11_000),
    ProviderType.SUPPORTED_ACCOMMODATION: (1_100, 3_500),
    ProviderType.RESIDENTIAL_SPECIAL_SCHOOL: (5_000, 9_500),
    ProviderType.PARENT_AND_CHILD: (3_000, 6_500),
    ProviderType.IN_HOUSE_FOSTERING: (420, 700),
}
PLACES: dict[ProviderType, tuple[int, int]] = {
    ProviderType.IFA: (15, 140),
    ProviderType.CHILDRENS_HOME: (2, 6),
    ProviderType.SUPPORTED_ACCOMMODATION: (4, 24),
    ProviderType.RESIDENTIAL_SPECIAL_SCHOOL: (12, 60),
    ProviderType.PARENT_AND_CHILD: (2, 6),
    ProviderType.IN_HOUSE_FOSTERING: (60, 250),
}
# What every provider of a type can meet, before its own extras.
BASE_CAPABILITIES: dict[ProviderType, tuple[str, ...]] = {
    ProviderType.IFA: ("emotional_behavioural", "identity_culture"),
    ProviderType.CHILDRENS_HOME: ("emotional_behavioural", "missing", "risk_to_others"),
    ProviderType.SUPPORTED_ACCOMMODATION: ("emotional_behavioural", "substance_misuse"),
    ProviderType.RESIDENTIAL_SPECIAL_SCHOOL: ("education_ehcp", "disability", "learning_disability", "autism"),
    ProviderType.PARENT_AND_CHILD: ("parent_and_child", "health"),
    ProviderType.IN_HOUSE_FOSTERING: ("emotional_behavioural", "sibling_group"),
}
JUDGEMENT_RISK = {
    OfstedJudgement.OUTSTANDING: RiskLevel.LOW,
    OfstedJudgement.GOOD: RiskLevel.LOW,
    OfstedJudgement.REQUIRES_IMPROVEMENT: RiskLevel.MEDIUM,
    OfstedJudgement.INADEQUATE: RiskLevel.HIGH,
    OfstedJudgement.NOT_YET_INSPECTED: RiskLevel.MEDIUM,
}
SUSPENSION_REASONS = (
    "Inadequate Ofsted judgement: no new referrals until the monitoring visit confirms improvement.",
    "Registered manager left; awaiting Ofsted registration of the new manager.",
    "Safeguarding investigation under way (LADO); referrals paused by agreement.",
)


@dataclass
class DemoProvider:
    """What later parts of the generator need to know about a provider."""

    id: RowId
    ref: str
    urn: str | None
    name: str
    provider_type: ProviderType
    area: Area
    quality: float
    rate_from_pence: int
    rate_to_pence: int
    judgement: OfstedJudgement
    route: ContractRoute
    suspended: bool
    address: str
    risk: RiskLevel


def _judgement(writer: DemoWriter, quality: float) -> OfstedJudgement:
    # Roughly the national picture: most good, some outstanding, few inadequate.
    x = quality + writer.rng.gauss(0, 0.12)
    if x > 0.82:
        return OfstedJudgement.OUTSTANDING
    if x > 0.38:
        return OfstedJudgement.GOOD
    if x > 0.16:
        return OfstedJudgement.REQUIRES_IMPROVEMENT
    return OfstedJudgement.INADEQUATE


def generate_providers(writer: DemoWriter, postcodes: PostcodeMaker, count: int,
                       home_areas: list[Area]) -> list[DemoProvider]:
    """``count`` providers with inspections; the first few cover every type and a suspension."""
    rng = writer.rng
    today = writer.today
    providers: list[DemoProvider] = []
    used_urns: set[int] = set()
    all_types = [t for t, _ in TYPE_WEIGHTS]
    capability_pool = list(NEEDS) + list(RISKS)
    for i in range(count):
        ptype = all_types[i] if i < len(all_types) else writer.weighted(TYPE_WEIGHTS)
        # In-house services belong to the officer's own authorities; half of the rest are nearby.
        if ptype is ProviderType.IN_HOUSE_FOSTERING or writer.chance(0.45):
            area = writer.pick(home_areas)
        else:
            area = writer.pick(AREAS)
        town = writer.pick(area.towns)
        postcode = postcodes.make(area)
        quality = min(1.0, max(0.0, rng.gauss(0.58, 0.2)))
        if ptype is ProviderType.IN_HOUSE_FOSTERING:
            name = f"{area.local_authority} Fostering Service"
            owner, sector, route, framework = f"{area.local_authority} Council", "Local authority", ContractRoute.FRAMEWORK, "In-house service"
        else:
            suffix = writer.pick(PROVIDER_SUFFIXES[ptype.value])
            word = writer.pick(PROVIDER_WORDS)
            name = f"{word} {suffix}" if writer.chance(0.6) else f"{word} {suffix} ({town})"
            owner = writer.pick(OWNER_ORGANISATIONS) if writer.chance(0.7) else f"{word} Care Ltd"
            sector = "Voluntary" if writer.chance(0.12) else "Private"
            route = writer.weighted(((ContractRoute.FRAMEWORK, 45), (ContractRoute.DPV, 20), (ContractRoute.SPOT, 35)))
            framework_name, dpv_name = FRAMEWORKS[ptype.value]
            framework = {ContractRoute.FRAMEWORK: framework_name, ContractRoute.DPV: dpv_name}.get(route, "")
        low, high = RATES[ptype]
        rate_from = rng.randint(low, high) * 100
        rate_to = rate_from + rng.randint(rate_from // 10, rate_from // 3) // 100 * 100
        pmin, pmax = PLACES[ptype]
        places = rng.randint(pmin, pmax)
        vacancies = rng.randint(0, max(0, places // 3)) if writer.chance(0.7) else 0
        extras = rng.sample(capability_pool, rng.randint(1, 5))
        capabilities = sorted(set(BASE_CAPABILITIES[ptype]) | set(extras))

        provider_id = writer.new_id()
        judgement = OfstedJudgement.NOT_YET_INSPECTED
        last_inspection: dt.date | None = None
        # A few recently registered services have not been inspected yet.
        if writer.chance(0.95):
            inspection_count = rng.randint(1, 4)
            day = today - dt.timedelta(days=rng.randint(60, 420))
            dates = []
            for _ in range(inspection_count):
                dates.append(day)
                day -= dt.timedelta(days=rng.randint(300, 600))
            for when in reversed(dates):
                judged = _judgement(writer, quality)
                writer.row(
                    "inspection",
                    provider_id=provider_id,
                    inspection_date=when,
                    judgement=judged,
                    inspection_type=writer.pick(("Full inspection", "Full inspection", "Interim inspection", "Monitoring visit")),
                    summary=f"Overall experiences and progress of children and young people: {judged.label}.",
                )
                judgement, last_inspection = judged, when
        suspended = i == len(all_types) or (judgement is OfstedJudgement.INADEQUATE and writer.chance(0.4)) or writer.chance(0.01)
        suspended_from = writer.days_ago(10, 90) if suspended else None
        contact_first, contact_last = writer.pick(FIRST_NAMES_ADULTS), writer.pick(LAST_NAMES)
        urn: str | None = None
        if writer.chance(0.97):
            number = rng.randint(100000, 999999)
            while number in used_urns:
                number = rng.randint(100000, 999999)
            used_urns.add(number)
            urn = f"SC{number}"
        address_line1 = f"{rng.randint(1, 180)} {writer.pick(STREETS)}"
        risk = JUDGEMENT_RISK[judgement] if quality > 0.3 else RiskLevel.HIGH
        ref = f"PRV-DEMO-{i + 1:04d}"
        writer.row(
            "provider",
            id=provider_id,
            ref=ref,
            urn=urn,
            name=name,
            provider_type=ptype,
            registration_status="Active",
            owner_organisation=owner,
            address_line1=address_line1,
            address_line2="",
            town=town,
            postcode=postcode,
            local_authority=area.local_authority,
            region=area.region,
            sector=sector,
            contract_route=route,
            framework_name=framework,
            contact_name=f"{contact_first} {contact_last}",
            contact_email=f"referrals{i + 1}@provider.example.org",
            contact_phone=f"01632 960{rng.randint(0, 999):03d}",
            places=places,
            vacancies=vacancies,
            capabilities=capabilities,
            weekly_rate_from_pence=rate_from,
            weekly_rate_to_pence=rate_to,
            ofsted_judgement=judgement,
            last_inspection_date=last_inspection,
            suspended=suspended,
            suspension_reason=writer.pick(SUSPENSION_REASONS) if suspended else "",
            suspended_from=suspended_from,
            suspended_until=(suspended_from + dt.timedelta(days=rng.randint(60, 180))) if suspended_from and writer.chance(0.5) else None,
            risk_level=risk,
            risk_override=None,
            risk_override_reason="",
            kpi_import_mapping=None,
            notes="",
        )
        providers.append(
            DemoProvider(
                id=provider_id, ref=ref, urn=urn, name=name, provider_type=ptype, area=area, quality=quality,
                rate_from_pence=rate_from, rate_to_pence=rate_to, judgement=judgement, route=route,
                suspended=suspended, address=f"{address_line1}, {town}, {postcode}", risk=risk,
            )
        )
    return providers
