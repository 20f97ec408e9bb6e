"""Demo children with SSDA903-style care histories: episodes, legal statuses, placement codes.

Ages lean towards teenagers, as real caseloads do, so leaving-care statuses
vary: some 16-17 year olds are eligible, some came into care too recently
(qualifying), some have left care (relevant), and a few are 18-20 (former
relevant). A few disabled children have only agreed series of short breaks
(V3/V4), which do not count towards the 13 weeks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from placedesk.models.enums import FundingPartner, PlacementType, ProviderType
from placedesk.models.vocab import NEEDS, RISKS
from placedesk.services.demo.geo import PostcodeMaker
from placedesk.services.demo.names import (
    ARABIC_KNOWN_AS,
    ETHNICITIES,
    FIRST_NAMES_ADULTS,
    FIRST_NAMES_BOYS,
    FIRST_NAMES_GIRLS,
    GENDERS,
    LANGUAGES,
    LAST_NAMES,
    RELIGIONS,
)
from placedesk.services.demo.places import Area
from placedesk.services.demo.providers import DemoProvider
from placedesk.services.demo.writer import DemoWriter, RowId

PROVIDER_TYPES_FOR: dict[PlacementType, tuple[ProviderType, ...]] = {
    PlacementType.FOSTERING: (ProviderType.IFA, ProviderType.IN_HOUSE_FOSTERING),
    PlacementType.CHILDRENS_HOME: (ProviderType.CHILDRENS_HOME,),
    PlacementType.SUPPORTED_ACCOMMODATION: (ProviderType.SUPPORTED_ACCOMMODATION,),
    PlacementType.RESIDENTIAL_SCHOOL: (ProviderType.RESIDENTIAL_SPECIAL_SCHOOL,),
    PlacementType.PARENT_AND_CHILD: (ProviderType.PARENT_AND_CHILD,),
}
PLACEMENT_CODES: dict[PlacementType, tuple[str, ...]] = {
    PlacementType.FOSTERING: ("U4", "U4", "U5", "U6"),
    PlacementType.CHILDRENS_HOME: ("K2",),
    PlacementType.SUPPORTED_ACCOMMODATION: ("H5",),
    PlacementType.RESIDENTIAL_SCHOOL: ("S1",),
    PlacementType.PARENT_AND_CHILD: ("R1",),
}
IN_HOUSE_CODES = ("U1", "U2", "U3", "U4", "U5", "U6")
SPELL_COUNT_WEIGHTS = ((1, 22), (2, 24), (3, 21), (4, 15), (5, 10), (6, 8))
SC, ED, HE = FundingPartner.SOCIAL_CARE, FundingPartner.EDUCATION, FundingPartner.HEALTH
# Funding splits (partner, basis points) and how often each occurs.
SHARE_PATTERNS: tuple[tuple[tuple[tuple[FundingPartner, int], ...], int], ...] = (
    (((SC, 10000),), 68),
    (((SC, 7500), (ED, 2500)), 14),
    (((SC, 6000), (HE, 4000)), 8),
    (((SC, 5000), (HE, 5000)), 3),
    (((SC, 5000), (ED, 2500), (HE, 2500)), 5),
    (((SC, 3334), (ED, 3333), (HE, 3333)), 2),
)


@dataclass
class Spell:
    """One placement in a child's history (one care episode in SSDA903 terms)."""

    start: dt.date
    end: dt.date | None
    placement_type: PlacementType
    provider: DemoProvider
    legal_status: str


@dataclass
class DemoChild:
    """What later parts of the generator need to know about a child."""

    id: RowId
    date_of_birth: dt.date
    area: Area
    legal_status: str
    has_ehcp: bool
    home_postcode: str
    initials: str
    needs: list[str]
    risks: list[str]
    shares: dict[FundingPartner, int]
    spells: list[Spell] = field(default_factory=list)
    social_worker: str = ""

    def age_on(self, day: dt.date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    @property
    def in_care(self) -> bool:
        return bool(self.spells) and self.spells[-1].end is None


def birthday(dob: dt.date, years: int) -> dt.date:
    """The date ``years`` after ``dob`` (29 February falls on 1 March in common years)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dt.date(dob.year + years, 3, 1)


class ProviderIndex:
    """Providers by placement type, preferring the child's own region."""

    def __init__(self, providers: list[DemoProvider]) -> None:
        self.by_type: dict[PlacementType, list[DemoProvider]] = {}
        self.by_type_region: dict[tuple[PlacementType, str], list[DemoProvider]] = {}
        for ptype, provider_types in PROVIDER_TYPES_FOR.items():
            matching = [p for p in providers if p.provider_type in provider_types]
            self.by_type[ptype] = matching
            for p in matching:
                self.by_type_region.setdefault((ptype, p.area.region), []).append(p)

    def choose(self, writer: DemoWriter, ptype: PlacementType, region: str) -> DemoProvider:
        local = self.by_type_region.get((ptype, region))
        pool = local if local and writer.chance(0.7) else self.by_type[ptype]
        return writer.pick(pool)

    def candidates(self, writer: DemoWriter, ptype: PlacementType, region: str, count: int) -> list[DemoProvider]:
        """Up to ``count`` different providers for a referral, mostly from the region."""
        local = self.by_type_region.get((ptype, region)) or []
        pool = self.by_type[ptype]
        chosen: dict[RowId, DemoProvider] = {}
        for _ in range(count * 3):
            if len(chosen) >= count:
                break
            p = writer.pick(local) if local and writer.chance(0.7) else writer.pick(pool)
            chosen.setdefault(p.id, p)
        return list(chosen.values())


def _age_years(writer: DemoWriter) -> int:
    band = writer.weighted((((0, 4), 8), ((5, 9), 13), ((10, 14), 34), ((15, 17), 40), ((18, 20), 5)))
    return writer.rng.randint(*band)


def _placement_type(writer: DemoWriter, age: int, gender: str) -> PlacementType:
    if age >= 16:
        return writer.weighted(((PlacementType.SUPPORTED_ACCOMMODATION, 45), (PlacementType.FOSTERING, 30),
                                (PlacementType.CHILDRENS_HOME, 22), (PlacementType.PARENT_AND_CHILD, 3 if gender == "Female" else 0)))
    if age >= 11:
        return writer.weighted(((PlacementType.FOSTERING, 58), (PlacementType.CHILDRENS_HOME, 32),
                                (PlacementType.RESIDENTIAL_SCHOOL, 8),
                                (PlacementType.PARENT_AND_CHILD, 2 if gender == "Female" and age >= 14 else 0)))
    return writer.weighted(((PlacementType.FOSTERING, 90), (PlacementType.CHILDRENS_HOME, 6), (PlacementType.RESIDENTIAL_SCHOOL, 4)))


def _care_period(writer: DemoWriter, child_id: RowId, start: dt.date, end: dt.date | None, legal: str,
                 code: str, rne: str, rec: str, need: str, provider: DemoProvider | None) -> None:
    in_house = provider is not None and provider.provider_type is ProviderType.IN_HOUSE_FOSTERING
    writer.row(
        "care_period",
        child_id=child_id,
        start_date=start,
        end_date=end,
        legal_status=legal,
        placement_code=code,
        reason_new_episode=rne,
        reason_ended=rec,
        category_of_need=need,
        place_provider="PR1" if in_house else ("PR4" if provider else "PR0"),
        urn=(provider.urn or "") if provider else "",
        source="ssda903",
    )


def generate_children(writer: DemoWriter, postcodes: PostcodeMaker, index: ProviderIndex, count: int,
                      home_areas: list[Area]) -> list[DemoChild]:
    """``count`` children with care histories; returns them with their placement spells."""
    rng = writer.rng
    today = writer.today
    children: list[DemoChild] = []
    used_refs: set[int] = set()
    for _ in range(count):
        child_id = writer.new_id()
        gender = writer.weighted(GENDERS)
        first = writer.pick(FIRST_NAMES_GIRLS if gender == "Female" else FIRST_NAMES_BOYS if gender == "Male"
                            else FIRST_NAMES_GIRLS + FIRST_NAMES_BOYS)
        last = writer.pick(LAST_NAMES)
        age = _age_years(writer)
        dob = today - dt.timedelta(days=age * 365 + rng.randint(0, 364) + age // 4)
        area = writer.pick(home_areas)
        language = writer.weighted(LANGUAGES)
        known_as = ""
        if language == "Arabic" or writer.chance(0.02):
            known_as = writer.pick(ARABIC_KNOWN_AS)
        elif writer.chance(0.08):
            known_as = first[:3] if len(first) > 4 else ""
        has_ehcp = writer.chance(0.27)
        needs = sorted(set(rng.sample(list(NEEDS), rng.randint(1, 3))) | ({"education_ehcp"} if has_ehcp else set()))
        # A parent and child assessment is for young mothers; unaccompanied asylum seekers are teenagers.
        needs = [n for n in needs if (n != "parent_and_child" or (gender == "Female" and age >= 14))
                 and (n != "uasc" or age >= 13)] or ["emotional_behavioural"]
        risks = sorted(rng.sample(list(RISKS), rng.randint(0, 3))) if age >= 10 else []
        shares = dict(writer.weighted(SHARE_PATTERNS))
        if FundingPartner.EDUCATION in shares and not has_ehcp:
            shares = {FundingPartner.SOCIAL_CARE: 10000}
        need_code = writer.weighted((("N1", 60), ("N2", 8), ("N3", 4), ("N4", 14), ("N5", 6), ("N6", 3), ("N8", 5)))
        home_postcode = postcodes.make(area)

        # The whole time in care, cut into placement spells.
        sixteenth, eighteenth = birthday(dob, 16), birthday(dob, 18)
        earliest = max(dob + dt.timedelta(days=20), today - dt.timedelta(days=9 * 365))
        care_end: dt.date | None = None
        latest_brief_start = min(today - dt.timedelta(days=20), eighteenth - dt.timedelta(days=30))
        if age >= 16 and latest_brief_start > sixteenth and writer.chance(0.12):
            # Looked after only briefly after 16 (under 13 weeks): a qualifying young person, not eligible.
            care_start = writer.between(sixteenth, latest_brief_start)
            brief_end = care_start + dt.timedelta(days=rng.randint(15, 80))
            if brief_end < min(today - dt.timedelta(days=5), eighteenth):
                care_end = brief_end
        else:
            care_start = writer.between(earliest, today - dt.timedelta(days=20))
            if age >= 18:
                care_end = eighteenth
                care_start = min(care_start, eighteenth - dt.timedelta(days=rng.randint(200, 1500)))
            elif age >= 16 and writer.chance(0.15):
                earliest_end = max(sixteenth, care_start + dt.timedelta(days=30))
                if earliest_end < today - dt.timedelta(days=5):
                    care_end = writer.between(earliest_end, today - dt.timedelta(days=5))
        final_legal = writer.weighted((("C2", 58), ("C1", 10), ("V2", 28), ("E1", 4 if age < 8 else 0)))
        short_breaks = age < 16 and "disability" in needs and writer.chance(0.35)

        child = DemoChild(
            id=child_id, date_of_birth=dob, area=area, legal_status="", has_ehcp=has_ehcp,
            home_postcode=home_postcode, initials=f"{first[:1]}{last[:1]}".upper(),
            needs=needs, risks=risks, shares=shares,
        )
        # Episodes are written after the child row: the bulk writer keeps parents first.
        periods: list[tuple[dt.date, dt.date | None, str, str, str, str, str, DemoProvider | None]] = []
        if short_breaks:
            # An agreed series of short breaks: a few nights a month, never counted towards 13 weeks.
            legal = writer.pick(("V3", "V4"))
            day = today - dt.timedelta(days=rng.randint(200, 400))
            while day < today - dt.timedelta(days=5):
                # Each break is its own period of care (RNE "S"); N2 is the child's disability.
                periods.append((day, day + dt.timedelta(days=rng.randint(1, 3)), legal, "K2", "S", "E8", "N2", None))
                day += dt.timedelta(days=rng.randint(25, 35))
            child.legal_status = legal
        else:
            span_end = care_end or today
            spell_count = writer.weighted(SPELL_COUNT_WEIGHTS)
            days = max(1, (span_end - care_start).days)
            spell_count = max(1, min(spell_count, days // 21))
            cuts = sorted(rng.sample(range(1, days), spell_count - 1)) if spell_count > 1 and days > spell_count else []
            starts = [care_start] + [care_start + dt.timedelta(days=c) for c in cuts]
            for k, start in enumerate(starts):
                last_spell = k == len(starts) - 1
                end = (care_end if last_spell else starts[k + 1])
                age_then = child.age_on(start)
                ptype = _placement_type(writer, age_then, gender)
                provider = index.choose(writer, ptype, area.region)
                legal = final_legal
                if final_legal == "C2" and k == 0 and len(starts) > 1:
                    legal = "C1"
                if provider.provider_type is ProviderType.IN_HOUSE_FOSTERING:
                    code = writer.pick(IN_HOUSE_CODES)
                else:
                    code = writer.pick(PLACEMENT_CODES[ptype])
                rne = "S" if k == 0 else ("B" if legal != (child.spells[-1].legal_status if child.spells else legal) else "P")
                rec = "" if end is None else ("X1" if not last_spell else writer.pick(("E4A", "E13", "E8", "E17")))
                periods.append((start, end, legal, code, rne, rec, need_code, provider))
                child.spells.append(Spell(start=start, end=end, placement_type=ptype, provider=provider, legal_status=legal))
            child.legal_status = child.spells[-1].legal_status

        number = rng.randint(100000, 999999)
        while number in used_refs:
            number = rng.randint(100000, 999999)
        used_refs.add(number)
        sw_first, sw_last = writer.pick(FIRST_NAMES_ADULTS), writer.pick(LAST_NAMES)
        child.social_worker = f"{sw_first} {sw_last}"
        slug = area.local_authority.lower().replace(" ", "-").replace("'", "")
        writer.row(
            "child",
            id=child_id,
            case_reference=f"DM{number}",
            first_name=first,
            last_name=last,
            known_as=known_as,
            date_of_birth=dob,
            gender=gender,
            ethnicity=writer.weighted(ETHNICITIES),
            religion=writer.weighted(RELIGIONS),
            language=language,
            home_local_authority=area.local_authority,
            home_postcode=home_postcode,
            legal_status=child.legal_status,
            social_worker_name=f"{sw_first} {sw_last}",
            social_worker_email=f"{sw_first.lower()}.{sw_last.lower().replace(' ', '').replace(chr(39), '')}@{slug}.example.org",
            social_worker_phone=f"01632 960{rng.randint(0, 999):03d}",
            has_ehcp=has_ehcp,
            ehcp_review_date=today + dt.timedelta(days=rng.randint(-20, 330)) if has_ehcp else None,
            # The date the next pathway plan (review) is due: mostly ahead, a few late. Care leavers keep
            # theirs to 21; without one, an 18- to 20-year-old's needs assessment shows as years overdue.
            pathway_plan_date=(today + dt.timedelta(days=rng.randint(-40, -3) if writer.chance(0.1) else rng.randint(7, 180))
                               if 16 <= age <= 20 or (age == 15 and writer.chance(0.5)) else None),
            transition_plan=writer.pick(("Staying put with current carers after 18.", "Move to supported accommodation at 17½.",
                                         "Referral to adult social care (transition team).", "Return to family with support."))
            if age >= 16 else "",
            notes="",
        )
        for period in periods:
            _care_period(writer, child_id, *period)
        children.append(child)
    return children
