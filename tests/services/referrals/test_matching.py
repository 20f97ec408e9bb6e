"""Matching: each score reason and exclusion, the ordering, stable ties, and the fallbacks."""

from __future__ import annotations


import datetime as dt
import re

import pytest
from sqlalchemy.orm import Session

from placedesk.models import Cap, CapSanction, PostcodeLocation
from placedesk.models.enums import (
    CapSeverity,
    CapStatus,
    ContractRoute,
    OfstedJudgement,
    PlacementType,
    ProviderType,
    RiskLevel,
    SanctionKind,
)
from placedesk.services.referrals.matching import match_referral
from tests.services.referrals.helpers import TODAY, add_offer, make_child, make_provider, make_referral

# Sheffield S10, Rotherham S60, Leeds LS1, Bristol BS1 (outward-code centroids).
LOCATIONS = {"S10": (53.3807, -1.5109), "S60": (53.4210, -1.3347), "LS1": (53.7969, -1.5474),
             "BS1": (51.4538, -2.5926)}


def _locations(session: Session) -> None:
    session.add_all(PostcodeLocation(postcode=k, latitude=a, longitude=b) for k, (a, b) in LOCATIONS.items())
    session.flush()


def _fit(**kw: object) -> dict[str, object]:
    """A provider that meets the default referral's needs and risks."""
    values: dict[str, object] = dict(capabilities=["emotional_behavioural", "missing"],
                                     weekly_rate_from_pence=400000, weekly_rate_to_pence=420000)
    values.update(kw)
    return values


def _row(result, name: str):
    return next(r for r in result.ranked if r.provider_name == name)


def _reason(row, prefix: str) -> str:
    return next(r for r in row.reasons if r.startswith(prefix))


def test_each_component_is_explained(session: Session) -> None:
    _locations(session)
    referral = make_referral(session)
    make_provider(session, "Oak House", postcode="S60 1AA", **_fit())
    result = match_referral(session, referral, today=TODAY)
    row = _row(result, "Oak House")
    assert [r.split(":")[0] for r in row.reasons] == [
        "Type", "Needs and risks", "Vacancy", "Ofsted", "Distance", "Price", "Contract", "CAPs", "Monitoring risk",
    ]
    assert _reason(row, "Needs") == "Needs and risks: meets all 2 stated (+30)"
    assert _reason(row, "Vacancy") == "Vacancy: 1 recorded (+15)"
    assert _reason(row, "Ofsted") == "Ofsted: Good (+15)"
    assert row.distance_km == pytest.approx(12.6, abs=0.5)
    assert "within the 50 km maximum distance" in _reason(row, "Distance")
    assert _reason(row, "Price") == "Price: rates £4,000.00 to £4,200.00 a week, within the £4,500.00 budget (+10)"
    assert _reason(row, "Contract") == "Contract: Framework terms (+10)"
    # 30 + 15 + 15 + 20 * (1 - d/50) + 10 + 10
    assert row.score == pytest.approx(80 + 20 * (1 - row.distance_km / 50), abs=0.2)
    assert result.uses_location_table


def test_unmet_needs_are_named_and_cost_points(session: Session) -> None:
    referral = make_referral(session, needs=["emotional_behavioural", "autism"], risks=["self_harm"])
    make_provider(session, "Oak House", capabilities=["emotional_behavioural"])
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "Needs") == "Needs and risks: meets 1 of 3; cannot meet Autism, Self-harm (+10)"


def test_no_vacancy_is_a_heavy_penalty_not_an_exclusion(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Full House", vacancies=0, **_fit())
    make_provider(session, "Open House", vacancies=2, **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Open House", "Full House"]
    assert "none recorded" in _reason(_row(result, "Full House"), "Vacancy")
    assert _row(result, "Open House").score - _row(result, "Full House").score == 40


@pytest.mark.parametrize(
    ("judgement", "text"),
    [(OfstedJudgement.OUTSTANDING, "Outstanding (+20)"), (OfstedJudgement.REQUIRES_IMPROVEMENT,
     "Requires improvement to be good (-10)"), (OfstedJudgement.NOT_YET_INSPECTED, "Not yet inspected (+5)")],
)
def test_ofsted_judgement_scores(session: Session, judgement: OfstedJudgement, text: str) -> None:
    referral = make_referral(session)
    make_provider(session, "Oak House", ofsted_judgement=judgement)
    assert _reason(_row(match_referral(session, referral, today=TODAY), "Oak House"), "Ofsted") == f"Ofsted: {text}"


def test_exclusions_carry_their_reasons(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Bad House", ofsted_judgement=OfstedJudgement.INADEQUATE)
    make_provider(session, "Foster Co", provider_type=ProviderType.IFA)
    make_provider(session, "Shut House", suspended=True, suspension_reason="Safeguarding investigation")
    make_provider(session, "Gone House", registration_status="Resigned")
    make_provider(session, "Good House")
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Good House"]
    reasons = {e.provider_name: e.reason for e in result.excluded}
    assert reasons == {
        "Bad House": "Ofsted judgement is Inadequate",
        "Foster Co": "Independent fostering agency does not offer children's home placements",
        "Shut House": "Suspended from new referrals: Safeguarding investigation",
        "Gone House": "Ofsted registration is resigned",
    }
    assert [e.provider_name for e in result.excluded] == ["Bad House", "Foster Co", "Gone House", "Shut House"]


def test_provider_restricted_after_a_cap_sanction_is_excluded(session: Session) -> None:
    referral = make_referral(session)
    provider = make_provider(session, "Oak House")
    assert [r.provider_name for r in match_referral(session, referral, today=TODAY).ranked] == ["Oak House"]
    cap = Cap(ref="CAP-T-0001", provider_id=provider.id, issue="Missing-from-care notifications late",
              severity=CapSeverity.HIGH, opened_on=TODAY - dt.timedelta(days=30), status=CapStatus.ESCALATED)
    cap.sanctions.append(CapSanction(kind=SanctionKind.RESTRICT_REFERRALS, imposed_on=TODAY))
    session.add(cap)
    session.flush()
    result = match_referral(session, referral, today=TODAY)
    assert result.ranked == []
    assert result.excluded[0].reason.startswith("Restriction of new referrals under CAP-T-0001")


def test_fostering_accepts_ifa_and_in_house(session: Session) -> None:
    referral = make_referral(session, placement_type=PlacementType.FOSTERING)
    make_provider(session, "Foster Co", provider_type=ProviderType.IFA)
    make_provider(session, "County Fostering", provider_type=ProviderType.IN_HOUSE_FOSTERING)
    make_provider(session, "Oak House")
    result = match_referral(session, referral, today=TODAY)
    assert sorted(r.provider_name for r in result.ranked) == ["County Fostering", "Foster Co"]


def test_a_provider_beyond_the_maximum_distance_is_excluded_with_the_distance_and_the_limit(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, max_distance_km=30.0)
    make_provider(session, "Near", postcode="S60 2BB", **_fit())
    far = make_provider(session, "Far", postcode="BS1 4DJ", town="Bristol", urn="SC765432", **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Near"]
    excluded = result.excluded_for(far.id)
    assert excluded is not None
    assert re.fullmatch(r"2\d\d\.\d km from home, beyond the 30 km maximum distance", excluded.reason)
    assert excluded.provider_label == "Far, Bristol (URN SC765432)"
    assert result.beyond_limit == 1
    assert "30 km maximum (providers further away are excluded)" in result.proximity_note


def test_asking_for_providers_beyond_the_limit_ranks_them_with_the_penalty(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, max_distance_km=30.0)
    make_provider(session, "Near", postcode="S60 2BB", **_fit())
    make_provider(session, "Far", postcode="BS1 4DJ", **_fit())
    result = match_referral(session, referral, today=TODAY, include_beyond_limit=True)
    far = _row(result, "Far")
    assert far.distance_km == pytest.approx(226, abs=10) and far.beyond_maximum
    assert _reason(far, "Distance").endswith("beyond the 30 km maximum; shown because providers beyond the limit "
                                             "were asked for (-20)")
    assert [r.provider_name for r in result.ranked] == ["Near", "Far"]
    assert result.excluded_for(far.provider_id) is None


def _one_degree_apart(session: Session) -> None:
    # Home and provider on the same meridian one degree of latitude apart: 6371.0088 km x pi/180 = 111.195 km.
    session.add_all([PostcodeLocation(postcode="ZZ11AA", latitude=50.0, longitude=0.0),
                     PostcodeLocation(postcode="ZZ21AA", latitude=51.0, longitude=0.0)])
    session.flush()


@pytest.mark.parametrize(("maximum", "kept"), [(111.2, True), (111.19, False)])
def test_the_maximum_distance_edge(session: Session, maximum: float, kept: bool) -> None:
    _one_degree_apart(session)
    referral = make_referral(session, child=make_child(session, home_postcode="ZZ1 1AA"), max_distance_km=maximum)
    provider = make_provider(session, "Edge", postcode="ZZ2 1AA", **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert (result.row_for(provider.id) is not None) is kept
    if not kept:
        assert result.excluded_for(provider.id).reason == "111.2 km from home, beyond the 111.19 km maximum distance"


def test_a_preferred_distance_scores_and_never_excludes(session: Session) -> None:
    _one_degree_apart(session)
    child = make_child(session, home_postcode="ZZ1 1AA")
    referral = make_referral(session, child=child, max_distance_km=200.0, preferred_distance_km=20.0)
    make_provider(session, "Edge", postcode="ZZ2 1AA", **_fit())
    row = _row(match_referral(session, referral, today=TODAY), "Edge")
    assert _reason(row, "Distance") == "Distance: 111.2 km from home, beyond the 20 km preferred distance (-20)"
    # Preferred 222.39 km (twice the distance): +20 x (1 - 111.195 / 222.39) = +10.
    referral.preferred_distance_km = 222.39
    row = _row(match_referral(session, referral, today=TODAY), "Edge")
    assert _reason(row, "Distance").endswith("within the 222.39 km preferred distance (+10)")


def test_without_a_maximum_no_provider_is_excluded_for_distance(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, max_distance_km=None)
    make_provider(session, "Far", postcode="BS1 4DJ", **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Far"] and result.beyond_limit == 0


def test_a_full_postcode_in_the_table_comes_before_its_outward_code(session: Session) -> None:
    _locations(session)
    # This one full postcode is listed, placed in Leeds; its neighbours have only Rotherham's S60 centroid.
    session.add(PostcodeLocation(postcode="S601AA", latitude=LOCATIONS["LS1"][0], longitude=LOCATIONS["LS1"][1]))
    referral = make_referral(session, max_distance_km=None)
    make_provider(session, "Listed", postcode="s60 1aa", **_fit())
    make_provider(session, "Outward only", postcode="S60 2BB", **_fit())
    make_provider(session, "Unknown", postcode="TR1 1AA", local_authority="Truro", **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert _row(result, "Listed").distance_km == pytest.approx(46.3, abs=0.5)
    assert _row(result, "Outward only").distance_km == pytest.approx(12.6, abs=0.5)
    assert _row(result, "Unknown").distance_km is None
    assert "1 provider(s) have no location in the table" in result.proximity_note


def test_without_a_location_table_proximity_falls_back_and_says_so(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Same LA", local_authority="Sheffield", postcode="S1 2AA")
    make_provider(session, "Same area", local_authority="Rotherham", postcode="S60 1AA")
    make_provider(session, "Elsewhere", local_authority="Leeds", postcode="LS1 1AA")
    result = match_referral(session, referral, today=TODAY)
    assert not result.uses_location_table
    assert "No postcode location table" in result.proximity_note
    assert "same local authority" in result.proximity_note
    assert _reason(_row(result, "Same LA"), "Proximity") == "Proximity: same local authority as home (Sheffield) (+10)"
    assert _reason(_row(result, "Same area"), "Proximity") == "Proximity: same postcode area as home (S) (+5)"
    assert _reason(_row(result, "Elsewhere"), "Proximity") == "Proximity: different local authority and postcode area (0)"
    assert all(r.distance_km is None for r in result.ranked)


def test_child_postcode_missing_from_table_is_noted(session: Session) -> None:
    _locations(session)
    referral = make_referral(session, child=make_child(session, home_postcode="TR1 1AA"))
    make_provider(session, "Oak House", postcode="S60 1AA")
    result = match_referral(session, referral, today=TODAY)
    assert not result.uses_location_table
    assert "TR1 1AA is not in the location table" in result.proximity_note


def test_price_uses_past_offers_when_no_rates(session: Session) -> None:
    referral = make_referral(session, budget_ceiling_pence=300000)
    provider = make_provider(session, "Oak House")
    earlier = make_referral(session)
    add_offer(session, earlier, provider, 350000)
    add_offer(session, make_referral(session), provider, 380000)
    row = _row(match_referral(session, referral, today=TODAY), "Oak House")
    assert _reason(row, "Price") == "Price: past offers £3,500.00 to £3,800.00 a week, above the £3,000.00 budget (-15)"


def test_price_unknown_and_straddling(session: Session) -> None:
    referral = make_referral(session, budget_ceiling_pence=410000)
    make_provider(session, "Unknown")
    make_provider(session, "Straddles", **_fit())
    result = match_referral(session, referral, today=TODAY)
    assert _reason(_row(result, "Unknown"), "Price") == "Price: no rates or past offers to compare (0)"
    assert "partly above the £4,100.00 budget (+3)" in _reason(_row(result, "Straddles"), "Price")


def test_framework_before_spot_caps_and_risk(session: Session) -> None:
    referral = make_referral(session)
    make_provider(session, "Framework", contract_route=ContractRoute.FRAMEWORK, framework_name="Yorkshire IFA")
    spot = make_provider(session, "Spot", contract_route=ContractRoute.SPOT, risk_override=RiskLevel.HIGH)
    for n in range(4):
        session.add(Cap(ref=f"CAP-S-{n}", provider_id=spot.id, issue="Staffing", severity=CapSeverity.LOW,
                        opened_on=TODAY))
    session.flush()
    result = match_referral(session, referral, today=TODAY)
    assert [r.provider_name for r in result.ranked] == ["Framework", "Spot"]
    assert _reason(_row(result, "Framework"), "Contract") == "Contract: Framework (Yorkshire IFA) terms (+10)"
    spot_row = _row(result, "Spot")
    assert _reason(spot_row, "Contract") == "Contract: spot purchase; framework providers come first (0)"
    assert _reason(spot_row, "CAPs") == "CAPs: 4 open (-15)"
    assert _reason(spot_row, "Monitoring risk") == "Monitoring risk: high (-10)"
    assert spot_row.open_caps == 4


def test_ties_are_broken_by_name_then_reference(session: Session) -> None:
    referral = make_referral(session)
    for name in ["Willow", "ash", "Birch", "Ash"]:
        make_provider(session, name)
    first = match_referral(session, referral, today=TODAY)
    assert len({r.score for r in first.ranked}) == 1
    names = [(r.provider_name, r.provider_ref) for r in first.ranked]
    assert [n for n, _ in names] in (["ash", "Ash", "Birch", "Willow"], ["Ash", "ash", "Birch", "Willow"])
    ash_refs = [ref for n, ref in names if n.lower() == "ash"]
    assert ash_refs == sorted(ash_refs)
    assert names == [(r.provider_name, r.provider_ref) for r in match_referral(session, referral, today=TODAY).ranked]


@pytest.mark.parametrize(("limit", "maximum", "points", "says"), [
    # Exactly at the preferred distance: still within it, for no points either way.
    (25.0, 40.0, 0.0, "Distance: 25.0 km from home, within the 25 km preferred distance (0)"),
    # Exactly at the maximum: scored against it as the limit, not shown as beyond it.
    (25.0, 25.0, 0.0, "Distance: 25.0 km from home, within the 25 km maximum distance (0)"),
])
def test_a_provider_exactly_at_the_limit_is_within_it(limit: float, maximum: float, points: float, says: str) -> None:
    from placedesk.services.referrals.matching import _Context, _score_proximity

    ctx = _Context(sought="", stated=[], limit=limit, budget=None, home=(53.38, -1.51), home_la="", home_area="",
                   caps={}, past_prices={}, maximum=maximum)
    reasons: list[str] = []
    assert _score_proximity(25.0, None, ctx, reasons) == points  # type: ignore[arg-type]
    assert reasons == [says]
