"""Matching paths the main tests leave out: closed registrations, each placement type's providers,
no distance limit, no placement type, no budget, medium risk, and a provider the postcode table lacks.

Distances from Sheffield S10 (53.3807, -1.5109) were worked out with the spherical law of
cosines (radius 6371.0088 km), not with the app's haversine: Rotherham S60 12.5 km,
Leeds LS1 46.3 km, Bristol BS1 226.5 km.
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from placedesk.models import PostcodeLocation
from placedesk.models.enums import PlacementType, ProviderType, RiskLevel
from placedesk.services.referrals.matching import MatchResult, MatchRow, match_referral
from tests.services.referrals.helpers import TODAY, make_child, make_provider, make_referral

LOCATIONS = {"S10": (53.3807, -1.5109), "S60": (53.4210, -1.3347), "LS1": (53.7969, -1.5474),
             "BS1": (51.4538, -2.5926)}
# Meets the default referral's needs and risks, priced within its £4,500 budget.
FIT: dict[str, object] = dict(capabilities=["emotional_behavioural", "missing"],
                              weekly_rate_from_pence=400000, weekly_rate_to_pence=420000)


def _locations(session: Session) -> None:
    session.add_all(PostcodeLocation(postcode=k, latitude=a, longitude=b) for k, (a, b) in LOCATIONS.items())
    session.flush()


def _row(result: MatchResult, name: str) -> MatchRow:
    return next(r for r in result.ranked if r.provider_name == name)


def _reason(row: MatchRow, prefix: str) -> str:
    return next(r for r in row.reasons if r.startswith(prefix))


def _excluded(result: MatchResult) -> dict[str, str]:
    return {e.provider_name: e.reason for e in result.excluded}


@pytest.mark.parametrize("status", ["Suspended", "Cancelled", "Resigned", "Closed", "Refused", " suspended ",
                                    "CANCELLED"])
def test_a_closed_registration_is_never_shortlisted(session: Session, status: str) -> None:
    referral = make_referral(session)
    shut = make_provider(session, "Shut House", registration_status=status, **FIT)
    make_provider(session, "Open House", **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Open House"]
    assert _excluded(result) == {"Shut House": f"Ofsted registration is {status.strip().lower()}"}
    assert result.row_for(shut.id) is None
    assert result.excluded_for(shut.id).reason == f"Ofsted registration is {status.strip().lower()}"


def test_an_active_or_unusual_registration_is_ranked(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Active", registration_status="Active", **FIT)
    make_provider(session, "Suspended pending", registration_status="Suspension lifted", **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert sorted(r.provider_name for r in result.ranked) == ["Active", "Suspended pending"]


ALL_TYPES = {
    "Foster Co": ProviderType.IFA, "County Fostering": ProviderType.IN_HOUSE_FOSTERING,
    "Oak House": ProviderType.CHILDRENS_HOME, "Step On": ProviderType.SUPPORTED_ACCOMMODATION,
    "Hill School": ProviderType.RESIDENTIAL_SPECIAL_SCHOOL, "Family Unit": ProviderType.PARENT_AND_CHILD,
}


@pytest.mark.parametrize(("sought", "ranked"), [
    (PlacementType.PARENT_AND_CHILD, ["County Fostering", "Family Unit", "Foster Co"]),
    (PlacementType.SUPPORTED_ACCOMMODATION, ["Step On"]),
    (PlacementType.RESIDENTIAL_SCHOOL, ["Hill School"]),
    (PlacementType.CHILDRENS_HOME, ["Oak House"]),
    (PlacementType.FOSTERING, ["County Fostering", "Foster Co"]),
])
def test_each_placement_type_is_offered_by_its_kinds_of_provider(
        session: Session, sought: PlacementType, ranked: list[str]) -> None:
    referral = make_referral(session, placement_type=sought)
    for name, kind in ALL_TYPES.items():
        make_provider(session, name, provider_type=kind, **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert sorted(r.provider_name for r in result.ranked) == ranked
    words = {PlacementType.PARENT_AND_CHILD: "parent and child", PlacementType.SUPPORTED_ACCOMMODATION:
             "supported accommodation (16+)", PlacementType.RESIDENTIAL_SCHOOL: "residential special school",
             PlacementType.CHILDRENS_HOME: "children's home", PlacementType.FOSTERING: "foster care"}[sought]
    assert _excluded(result) == {name: f"{kind.label} does not offer {words} placements"
                                 for name, kind in ALL_TYPES.items() if name not in ranked}
    assert _reason(_row(result, ranked[0]), "Type") == (
        f"Type: {ALL_TYPES[ranked[0]].label} offers {words} placements (required)")


def test_a_parent_and_child_referral_reads_as_such_to_the_officer(session: Session) -> None:
    referral = make_referral(session, placement_type=PlacementType.PARENT_AND_CHILD)
    make_provider(session, "Oak House", provider_type=ProviderType.CHILDRENS_HOME, **FIT)
    make_provider(session, "Family Unit", provider_type=ProviderType.PARENT_AND_CHILD, **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert _excluded(result) == {"Oak House": "Children's home does not offer parent and child placements"}
    assert _reason(_row(result, "Family Unit"), "Type") == (
        "Type: Parent and child unit offers parent and child placements (required)")


def test_without_a_placement_type_nobody_is_shortlisted_and_the_reason_says_why(session: Session) -> None:
    referral = make_referral(session, placement_type=None)
    for name, kind in ALL_TYPES.items():
        make_provider(session, name, provider_type=kind, **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert result.ranked == []
    assert _excluded(result) == {name: "The referral does not say which placement type is sought" for name in ALL_TYPES}
    # Listed by name, whatever the case.
    assert [e.provider_name for e in result.excluded] == sorted(ALL_TYPES, key=str.casefold)


def test_without_a_distance_limit_nearer_scores_more_up_to_100_km(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, max_distance_km=None)
    make_provider(session, "Rotherham", postcode="S60 1AA", **FIT)
    make_provider(session, "Leeds", postcode="LS1 4AP", **FIT)
    make_provider(session, "Bristol", postcode="BS1 5TR", **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Rotherham", "Leeds", "Bristol"]
    # 10 points at home, falling to 0 at 100 km: 10 x (1 - 12.5/100), 10 x (1 - 46.3/100), 0 beyond.
    assert _reason(_row(result, "Rotherham"), "Distance") == "Distance: 12.5 km from home, no limit set (+8.7)"
    assert _reason(_row(result, "Leeds"), "Distance") == "Distance: 46.3 km from home, no limit set (+5.4)"
    assert _reason(_row(result, "Bristol"), "Distance") == "Distance: 226.5 km from home, no limit set (0)"
    # Needs 30, vacancy 15, Good 15, price 10, framework 10, plus proximity.
    assert [r.score for r in result.ranked] == [88.7, 85.4, 80.0]
    assert [r.distance_km for r in result.ranked] == [12.5, 46.3, 226.5]
    assert result.proximity_note == "Distances are straight-line from the child's home postcode."


def test_within_a_limit_points_fall_to_nothing_at_the_limit(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, max_distance_km=50.0)
    make_provider(session, "Leeds", postcode="LS1 4AP", **FIT)
    row = _row(match_referral(session, referral, today=TODAY), "Leeds")
    # 20 x (1 - 46.3/50) = 1.46
    assert _reason(row, "Distance") == "Distance: 46.3 km from home, within the 50 km maximum distance (+1.5)"
    assert row.score == 81.5


def test_a_provider_postcode_missing_from_the_table_falls_back_and_says_so(session: Session) -> None:
    _locations(session)
    referral = make_referral(session)
    make_provider(session, "Unknown Place", postcode="S99 9ZZ", local_authority="Sheffield", **FIT)
    make_provider(session, "Same Area", postcode="S98 1AA", local_authority="Barnsley", **FIT)
    make_provider(session, "Far Away", postcode="TR1 1AA", local_authority="Cornwall", **FIT)
    make_provider(session, "Rotherham", postcode="S60 1AA", local_authority="Rotherham", **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert result.uses_location_table
    assert _reason(_row(result, "Unknown Place"), "Proximity") == (
        "Proximity: provider postcode not in the location table; same local authority as home (Sheffield) (+10)")
    assert _reason(_row(result, "Same Area"), "Proximity") == (
        "Proximity: provider postcode not in the location table; same postcode area as home (S) (+5)")
    assert _reason(_row(result, "Far Away"), "Proximity") == (
        "Proximity: provider postcode not in the location table; different local authority and postcode area (0)")
    # Needs 30, vacancy 15, Good 15, price 10, framework 10, plus 10 / 5 / 0 for proximity.
    assert [_row(result, n).score for n in ("Unknown Place", "Same Area", "Far Away")] == [90.0, 85.0, 80.0]
    assert _row(result, "Unknown Place").distance_km is None
    assert _row(result, "Rotherham").distance_km == 12.5
    assert result.proximity_note == (
        "Distances are straight-line from the child's home postcode, against a 50 km maximum (providers further "
        "away are excluded). 3 provider(s) have no location in the table and are judged by local authority and "
        "postcode area.")


def test_without_a_home_postcode_proximity_is_by_authority_and_area(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, child=make_child(session, home_postcode=""))
    make_provider(session, "Oak House", **FIT)
    result = match_referral(session, referral, today=TODAY)
    assert not result.uses_location_table
    assert result.proximity_note == ("The child's home postcode is not recorded, so proximity is judged by same "
                                     "local authority and same postcode area instead.")
    assert _reason(_row(result, "Oak House"), "Proximity") == (
        "Proximity: same local authority as home (Sheffield) (+10)")


def test_a_home_authority_is_matched_whatever_its_case_and_spaces(session: Session) -> None:
    referral = make_referral(session, child=make_child(session, home_local_authority=" SHEFFIELD "))
    make_provider(session, "Oak House", local_authority="sheffield ", **FIT)
    assert _reason(_row(match_referral(session, referral, today=TODAY), "Oak House"), "Proximity") == (
        "Proximity: same local authority as home (sheffield ) (+10)")


def test_without_a_budget_price_neither_adds_nor_takes_points(session: Session) -> None:
    referral = make_referral(session, budget_ceiling_pence=None)
    make_provider(session, "Ranged", **FIT)
    make_provider(session, "From only", capabilities=["emotional_behavioural", "missing"],
                  weekly_rate_from_pence=380000)
    make_provider(session, "To only", capabilities=["emotional_behavioural", "missing"],
                  weekly_rate_to_pence=510000)
    result = match_referral(session, referral, today=TODAY)
    assert _reason(_row(result, "Ranged"), "Price") == (
        "Price: rates £4,000.00 to £4,200.00 a week; no budget ceiling set (0)")
    assert _reason(_row(result, "From only"), "Price") == "Price: rates £3,800.00 a week; no budget ceiling set (0)"
    assert _reason(_row(result, "To only"), "Price") == "Price: rates £5,100.00 a week; no budget ceiling set (0)"
    assert {r.score for r in result.ranked} == {80.0}  # 30 + 15 + 15 + 10 (same authority) + 0 + 10


def test_a_single_rate_is_compared_with_the_budget_on_its_own(session: Session) -> None:
    referral = make_referral(session, budget_ceiling_pence=400000)
    make_provider(session, "At budget", capabilities=["emotional_behavioural", "missing"],
                  weekly_rate_to_pence=400000)
    make_provider(session, "Over", capabilities=["emotional_behavioural", "missing"],
                  weekly_rate_from_pence=400001)
    result = match_referral(session, referral, today=TODAY)
    assert _reason(_row(result, "At budget"), "Price") == (
        "Price: rates £4,000.00 a week, within the £4,000.00 budget (+10)")
    assert _reason(_row(result, "Over"), "Price") == "Price: rates £4,000.01 a week, above the £4,000.00 budget (-15)"


@pytest.mark.parametrize(("risk", "text", "score"), [
    (RiskLevel.LOW, "Monitoring risk: low (0)", 90.0),
    (RiskLevel.MEDIUM, "Monitoring risk: medium (-5)", 85.0),
    (RiskLevel.HIGH, "Monitoring risk: high (-10)", 80.0),
])
def test_monitoring_risk_costs_points(session: Session, risk: RiskLevel, text: str, score: float) -> None:
    referral = make_referral(session)
    make_provider(session, "Oak House", risk_level=risk, **FIT)
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "Monitoring risk") == text
    assert row.score == score  # 30 + 15 + 15 + 10 + 10 + 10 (no table: same authority)


def test_the_officers_risk_override_is_what_matching_uses(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Oak House", risk_level=RiskLevel.HIGH, risk_override=RiskLevel.MEDIUM, **FIT)
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "Monitoring risk") == "Monitoring risk: medium (-5)"


def test_needs_with_nothing_stated_score_in_full(session: Session) -> None:
    referral = make_referral(session, needs=[], risks=[])
    make_provider(session, "Oak House", capabilities=[])
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "Needs") == "Needs and risks: none stated (+30)"


def test_a_row_shows_what_the_officer_compares(session: Session) -> None:
    referral = make_referral(session)
    oak = make_provider(session, "Oak House", vacancies=2, local_authority="Sheffield", **FIT)
    row = match_referral(session, referral, today=TODAY).ranked[0]
    assert (row.provider_id, row.provider_ref, row.provider_type, row.vacancies, row.local_authority,
            row.open_caps) == (oak.id, oak.ref, ProviderType.CHILDRENS_HOME, 2, "Sheffield", 0)
    assert _reason(row, "Vacancy") == "Vacancy: 2 recorded (+15)"


@pytest.mark.parametrize(("caps", "text", "score"), [
    (0, "CAPs: none open (0)", 90.0), (1, "CAPs: 1 open (-5)", 85.0), (2, "CAPs: 2 open (-10)", 80.0),
    (3, "CAPs: 3 open (-15)", 75.0),
])
def test_each_open_cap_costs_five_points_up_to_fifteen(session: Session, caps: int, text: str, score: float) -> None:
    from placedesk.models import Cap
    from placedesk.models.enums import CapOutcome, CapSeverity, CapStatus

    referral = make_referral(session)
    oak = make_provider(session, "Oak House", **FIT)
    for n in range(caps):
        session.add(Cap(ref=f"CAP-O-{n}", provider_id=oak.id, issue="Staffing", severity=CapSeverity.LOW,
                        opened_on=TODAY))
    # A closed plan no longer counts.
    session.add(Cap(ref="CAP-O-closed", provider_id=oak.id, issue="Old", severity=CapSeverity.LOW,
                    opened_on=TODAY, status=CapStatus.CLOSED, outcome=CapOutcome.RESOLVED, closed_on=TODAY))
    session.flush()
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "CAPs") == text and row.open_caps == caps and row.score == score


def test_rates_starting_at_the_budget_straddle_it(session: Session) -> None:
    referral = make_referral(session, budget_ceiling_pence=400000)
    make_provider(session, "Oak House", capabilities=["emotional_behavioural", "missing"],
                  weekly_rate_from_pence=400000, weekly_rate_to_pence=420000)
    assert _reason(_row(match_referral(session, referral, today=TODAY), "Oak House"), "Price") == (
        "Price: rates £4,000.00 to £4,200.00 a week, partly above the £4,000.00 budget (+3)")


def test_a_dpv_provider_gets_the_framework_points(session: Session) -> None:
    from placedesk.models.enums import ContractRoute

    referral = make_referral(session)
    make_provider(session, "Oak House", contract_route=ContractRoute.DPV, framework_name="", **FIT)
    assert _reason(_row(match_referral(session, referral, today=TODAY), "Oak House"), "Contract") == (
        "Contract: DPV terms (+10)")


def test_an_unknown_price_neither_adds_nor_takes_points(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Unpriced", capabilities=["emotional_behavioural", "missing"])
    row = _row(match_referral(session, referral, today=TODAY), "Unpriced")
    assert _reason(row, "Price") == "Price: no rates or past offers to compare (0)"
    assert row.score == 80.0  # 30 + 15 + 15 + 10 (same authority) + 0 + 10
