"""Demo referrals, offers, placements, fee lines, funding shares and draft agreements.

PlaceDesk is pretended to have been in use for three years: placements that
started since then came through a referral (placed or ended), older ones are
history without one. Some children in care also have a referral under way,
spread over every earlier workflow state, and a few withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from placedesk.models.enums import (
    AgreementStatus,
    AwardReason,
    ContractRoute,
    DeclineReason,
    FeeLineKind,
    FundingPartner,
    LineFunding,
    OfferStatus,
    PlacementType,
    ProviderType,
    RecipientResponse,
    ReferralStatus,
    Urgency,
)
from placedesk.models.vocab import label
from placedesk.services.demo.arrangements import demo_arrangements
from placedesk.services.demo.children import DemoChild, ProviderIndex, _placement_type
from placedesk.services.demo.providers import DemoProvider
from placedesk.services.demo.writer import DemoWriter, RowId
from placedesk.services.referrals.funding import split_by_element

ERA_DAYS = 3 * 365
IN_FLIGHT = (
    ReferralStatus.DRAFT,
    ReferralStatus.READY,
    ReferralStatus.SENT,
    ReferralStatus.OFFERS_RECEIVED,
    ReferralStatus.AWARDED,
    ReferralStatus.IPA_ISSUED,
    ReferralStatus.IPA_SIGNED,
    ReferralStatus.WITHDRAWN,
)
WITH_RECIPIENTS = {
    ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED, ReferralStatus.AWARDED, ReferralStatus.IPA_ISSUED,
    ReferralStatus.IPA_SIGNED, ReferralStatus.PLACED, ReferralStatus.ENDED,
}
AWARDED_OR_LATER = {
    ReferralStatus.AWARDED, ReferralStatus.IPA_ISSUED, ReferralStatus.IPA_SIGNED, ReferralStatus.PLACED,
    ReferralStatus.ENDED,
}
WIZARD_STEP = {
    ReferralStatus.READY: 3, ReferralStatus.SENT: 4, ReferralStatus.OFFERS_RECEIVED: 5,
}
# How long ago an in-flight referral was made: (fewest, most) days.
IN_FLIGHT_AGE = {
    ReferralStatus.DRAFT: (0, 10), ReferralStatus.READY: (1, 10), ReferralStatus.SENT: (1, 14),
    ReferralStatus.OFFERS_RECEIVED: (5, 20), ReferralStatus.AWARDED: (10, 30), ReferralStatus.IPA_ISSUED: (15, 35),
    ReferralStatus.IPA_SIGNED: (15, 40), ReferralStatus.WITHDRAWN: (5, 60),
}
DECLINE_NOTES = {
    DeclineReason.NO_VACANCY: "No vacancy for the dates requested.",
    DeclineReason.CANNOT_MEET_NEEDS: "Our staff team is not trained for the level of need described.",
    DeclineReason.MATCHING_IMPACT: "The matching assessment shows a risk to the young people already living here.",
    DeclineReason.LOCATION: "Too far from school and family time arrangements.",
    DeclineReason.RISK_TOO_HIGH: "The exploitation risk could not be managed safely at this address.",
    DeclineReason.START_DATE: "Earliest possible start is in six weeks.",
    DeclineReason.OTHER: "Declined after the team meeting; see email.",
}
CONDITIONS = (
    "", "Subject to an introductory visit before the move.", "Subject to 1:1 support for the first four weeks.",
    "Offer holds for 14 days.", "Subject to the education placement being confirmed.",
)
END_REASONS = (
    "Planned move to a long-term placement.", "Placement ended at the provider's request (notice given).",
    "Returned home to family under a support plan.", "Moved on to supported accommodation.",
    "Placement disrupted after repeated missing episodes.", "Staying put arrangement agreed at 18.",
)
WITHDRAWN_REASONS = (
    "Child returned home; placement no longer needed.", "Current carers agreed to continue with extra support.",
    "Kinship carer approved instead.",
)
OUTCOME_TEMPLATES = (
    "Attend school or college every day, with attendance above 95%.",
    "Keep regular family time as set out in the care plan.",
    "Reduce missing episodes to none within three months.",
    "Register with a GP and dentist and keep health appointments.",
    "Build independence skills: budgeting, cooking, travel.",
    "Engage with therapeutic support weekly.",
)


@dataclass
class DemoPlacement:
    """What monitoring data needs to know about a placement."""

    id: RowId
    child: DemoChild
    provider: DemoProvider
    start: dt.date
    end: dt.date | None


FeeLines = list[tuple[FeeLineKind, str, int]]


@dataclass
class ReferralPlan:
    """A referral decided on but not yet written; filled in with what writing it made."""

    child: DemoChild
    status: ReferralStatus
    placement_type: PlacementType
    start: dt.date
    chosen: DemoProvider | None
    urgency: Urgency
    referred_on: dt.date
    id: RowId | None = None
    offer_id: RowId | None = None
    lines: FeeLines | None = None


@dataclass
class PlacementPlan:
    """A placement decided on but not yet written."""

    child: DemoChild
    provider: DemoProvider
    placement_type: PlacementType
    start: dt.date
    end: dt.date | None
    referral: ReferralPlan | None = None
    agreement: bool = False


class Casework:
    """Builds referrals and placements, numbering their references in order."""

    def __init__(self, writer: DemoWriter, index: ProviderIndex, officer: str) -> None:
        self.w = writer
        self.index = index
        self.officer = officer
        self.referral_no = 0
        self.placement_no = 0
        self.status_counts: dict[ReferralStatus, int] = {}
        self.placements: list[DemoPlacement] = []

    def run(self, children: list[DemoChild], in_flight_share: float) -> None:
        """Placements for every spell, referrals for recent ones, and referrals under way.

        Everything is planned first and then written in date order, so
        references run in the order an officer would have issued them
        (REF-DEMO-0001 is the oldest referral, PLC-DEMO-0001 the first placement).
        """
        w = self.w
        era_start = w.today - dt.timedelta(days=ERA_DAYS)
        next_status = 0
        referrals: list[ReferralPlan] = []
        placements: list[PlacementPlan] = []
        for child in children:
            for spell in child.spells:
                plan = PlacementPlan(child, spell.provider, spell.placement_type, spell.start, spell.end)
                if spell.start >= era_start:
                    status = ReferralStatus.PLACED if spell.end is None else ReferralStatus.ENDED
                    plan.referral = self.plan_referral(child, status, spell.placement_type, spell.start, spell.provider)
                    plan.agreement = status is ReferralStatus.PLACED and w.chance(0.6)
                    referrals.append(plan.referral)
                placements.append(plan)
            # Every in-flight state appears before the share decides the rest.
            if child.in_care and child.age_on(w.today) < 18 and (next_status < len(IN_FLIGHT) or w.chance(in_flight_share)):
                status = IN_FLIGHT[next_status % len(IN_FLIGHT)]
                next_status += 1
                ptype = _placement_type(w, child.age_on(w.today), "")
                start = w.today + dt.timedelta(days=w.rng.randint(5, 40))
                chosen = self.index.choose(w, ptype, child.area.region) if status in AWARDED_OR_LATER else None
                referral = self.plan_referral(child, status, ptype, start, chosen)
                referrals.append(referral)
                if chosen is not None:
                    placements.append(PlacementPlan(
                        child, chosen, ptype, referral.start, None, referral,
                        agreement=status in (ReferralStatus.IPA_ISSUED, ReferralStatus.IPA_SIGNED),
                    ))
        # Stable sorts keep same-day records in generation order, so the result stays deterministic.
        for referral in sorted(referrals, key=lambda r: r.referred_on):
            self.referral(referral)
        for plan in sorted(placements, key=lambda p: p.start):
            made = plan.referral
            self.placement(
                plan.child, plan.provider, plan.placement_type, plan.start, plan.end,
                made.id if made else None, made.offer_id if made else None, made.lines if made else None,
                agreement=plan.agreement,
            )

    def plan_referral(self, child: DemoChild, status: ReferralStatus, ptype: PlacementType, start: dt.date,
                      chosen: DemoProvider | None) -> ReferralPlan:
        """When a referral was made and how urgently; written later, in date order."""
        w, rng, today = self.w, self.w.rng, self.w.today
        urgency = Urgency.EMERGENCY if w.chance(0.2) else Urgency.PLANNED
        if status in IN_FLIGHT_AGE:
            low, high = IN_FLIGHT_AGE[status]
            referred_on = today - dt.timedelta(days=rng.randint(low, high))
            if status is ReferralStatus.WITHDRAWN:
                start = referred_on + dt.timedelta(days=rng.randint(5, 30))
        else:
            referred_on = start - dt.timedelta(days=rng.randint(0, 2) if urgency is Urgency.EMERGENCY else rng.randint(10, 60))
        return ReferralPlan(child, status, ptype, start, chosen, urgency, referred_on)

    def fee_lines(self, child: DemoChild, provider: DemoProvider, ptype: PlacementType) -> list[tuple[FeeLineKind, str, int]]:
        rng = self.w.rng
        core = rng.randint(provider.rate_from_pence, provider.rate_to_pence) // 100 * 100
        lines = [(FeeLineKind.CORE, "Core weekly fee", core)]
        if ptype in (PlacementType.CHILDRENS_HOME, PlacementType.SUPPORTED_ACCOMMODATION) and self.w.chance(0.3):
            hours = rng.randint(5, 30)
            lines.append((FeeLineKind.ADDITIONAL_SUPPORT, f"1:1 support, {hours} hours a week", hours * rng.randint(24, 32) * 100))
        if child.has_ehcp and self.w.chance(0.4):
            lines.append((FeeLineKind.EDUCATION, "Education provision (EHCP)", rng.randint(800, 2500) * 100))
        if "health" in child.needs or self.w.chance(0.1):
            lines.append((FeeLineKind.HEALTH_THERAPY, "Therapeutic support (weekly sessions)", rng.randint(150, 600) * 100))
        return lines

    def referral(self, plan: ReferralPlan) -> None:
        """One referral with its shares, recipients and offers; the plan learns its id, accepted offer and lines."""
        w, rng, today = self.w, self.w.rng, self.w.today
        child, status, ptype, start, chosen = plan.child, plan.status, plan.placement_type, plan.start, plan.chosen
        urgency, referred_on = plan.urgency, plan.referred_on
        self.referral_no += 1
        self.status_counts[status] = self.status_counts.get(status, 0) + 1
        step = rng.randint(0, 4) if status is ReferralStatus.DRAFT else WIZARD_STEP.get(status, 6)
        described = step >= 1
        candidates = self.index.candidates(w, ptype, child.area.region, rng.randint(3, 6))
        if chosen is not None:
            candidates = [chosen] + [c for c in candidates if c.id != chosen.id]
        budget = max(c.rate_to_pence for c in candidates) * 11 // 10 // 100 * 100
        referral_id = w.new_id()
        spot_reason = ""
        if chosen is not None and chosen.route is ContractRoute.SPOT:
            spot_reason = "No framework provider could meet the needs within the distance needed for school."
        w.row(
            "referral",
            id=referral_id,
            ref=f"REF-DEMO-{self.referral_no:04d}",
            child_id=child.id,
            status=status,
            wizard_step=step,
            referred_on=referred_on,
            legal_status=child.legal_status,
            placement_type=ptype if described else None,
            needs=child.needs if described else [],
            risks=child.risks if described else [],
            needs_summary="; ".join(label(n) for n in child.needs) if described else "",
            risks_summary="; ".join(label(r) for r in child.risks) if described else "",
            education_summary=("Has an EHCP; needs a school place with SEN support." if child.has_ehcp else "Attends mainstream school.") if described else "",
            health_summary="Initial health assessment done; CAMHS involved." if "health" in child.needs else "",
            identity_summary="Needs carers who can support faith and language at home." if "identity_culture" in child.needs else "",
            max_distance_km=float(w.pick((20, 30, 50, 80))) if described and w.chance(0.8) else None,
            location_notes="Stay within reach of current school." if described and w.chance(0.5) else "",
            school_postcode="",
            family_contact_notes="Supervised family time twice a week." if w.chance(0.5) else "",
            required_start_date=start if described else None,
            urgency=urgency,
            budget_ceiling_pence=budget if described else None,
            response_by=referred_on + dt.timedelta(days=rng.randint(2, 7)) if status in WITH_RECIPIENTS else None,
            spot_reason=spot_reason,
            withdrawn_reason=w.pick(WITHDRAWN_REASONS) if status is ReferralStatus.WITHDRAWN else "",
            created_by=self.officer,
        )
        if described:
            for partner, bp in child.shares.items():
                w.row("referral_funding_share", referral_id=referral_id, partner=partner, share_bp=bp)
        plan.id = referral_id
        if status not in WITH_RECIPIENTS and not (status is ReferralStatus.WITHDRAWN and w.chance(0.5)):
            return

        awarded = status in AWARDED_OR_LATER
        for k, provider in enumerate(candidates):
            sent_on = min(today, referred_on + dt.timedelta(days=rng.randint(0, 2)))
            if awarded and k == 0:
                response = RecipientResponse.OFFERED
            elif status is ReferralStatus.SENT:
                response = RecipientResponse.DECLINED if w.chance(0.3) else RecipientResponse.AWAITING
            elif status is ReferralStatus.OFFERS_RECEIVED and k == 0:
                response = RecipientResponse.OFFERED
            else:
                response = w.weighted(((RecipientResponse.OFFERED, 35), (RecipientResponse.DECLINED, 50), (RecipientResponse.AWAITING, 15 if not awarded else 5)))
            responded_on = None if response is RecipientResponse.AWAITING else min(today, sent_on + dt.timedelta(days=rng.randint(1, 5)))
            decline = w.pick(list(DeclineReason)) if response is RecipientResponse.DECLINED else None
            recipient_id = w.new_id()
            reasons = [f"Ofsted: {provider.judgement.label}", f"{provider.route.label} provider"]
            if provider.area.region == child.area.region:
                reasons.append(f"In the child's region ({provider.area.region})")
            w.row(
                "referral_recipient",
                id=recipient_id,
                referral_id=referral_id,
                provider_id=provider.id,
                sent_on=sent_on,
                pack_sha256="",
                response=response,
                responded_on=responded_on,
                decline_reason=decline,
                decline_notes=DECLINE_NOTES[decline] if decline else "",
                match_score=round(rng.uniform(45, 95), 1),
                match_reasons=reasons,
            )
            if response is not RecipientResponse.OFFERED:
                continue
            if awarded:
                offer_status = OfferStatus.ACCEPTED if k == 0 else OfferStatus.REJECTED
            elif status is ReferralStatus.WITHDRAWN:
                offer_status = OfferStatus.WITHDRAWN
            else:
                offer_status = OfferStatus.OPEN
            received = responded_on or sent_on
            offer_id = w.new_id()
            w.row(
                "offer",
                id=offer_id,
                recipient_id=recipient_id,
                received_on=received,
                proposed_start_date=start + dt.timedelta(days=0 if k == 0 else rng.randint(0, 14)),
                expires_on=received + dt.timedelta(days=14),
                conditions=w.pick(CONDITIONS),
                status=offer_status,
            )
            lines = self.fee_lines(child, provider, ptype)
            for position, (kind, description, amount) in enumerate(lines):
                w.row("offer_fee_line", offer_id=offer_id, position=position, kind=kind,
                      description=description, weekly_amount_pence=amount)
            if awarded and k == 0:
                plan.offer_id, plan.lines = offer_id, lines

    def placement(self, child: DemoChild, provider: DemoProvider, ptype: PlacementType, start: dt.date,
                  end: dt.date | None, referral_id: RowId | None, offer_id: RowId | None,
                  lines: list[tuple[FeeLineKind, str, int]] | None, *, agreement: bool) -> None:
        """A placement with its agreed fee lines, penny-exact funding split and perhaps a draft IPA."""
        w, rng, today = self.w, self.w.rng, self.w.today
        self.placement_no += 1
        ref = f"PLC-DEMO-{self.placement_no:04d}"
        if lines is None:
            lines = self.fee_lines(child, provider, ptype)
        elif w.chance(0.3):
            # Negotiated down from the offer's core fee.
            kind, description, amount = lines[0]
            lines = [(kind, description, amount * rng.randint(93, 99) // 100)] + lines[1:]
        placement_id = w.new_id()
        review = None
        if end is None:
            review = start + dt.timedelta(days=28)
            while review < today:
                review += dt.timedelta(days=182)
        # Current placements plan to end ahead of today; ended ones planned around when they did end.
        planned_end = None
        if w.chance(0.6):
            if end is None:
                planned_end = max(start, today) + dt.timedelta(days=rng.randint(30, 600))
            else:
                planned_end = max(start, end + dt.timedelta(days=rng.randint(-60, 120)))
        award_reason = (AwardReason.ONLY_OFFER if offer_id and w.chance(0.2)
                        else w.pick((AwardReason.VALUE, AwardReason.QUALITY, AwardReason.PROXIMITY)))
        fostering = ptype is PlacementType.FOSTERING and provider.provider_type is not ProviderType.IN_HOUSE_FOSTERING
        w.row(
            "placement",
            id=placement_id,
            ref=ref,
            referral_id=referral_id,
            child_id=child.id,
            provider_id=provider.id,
            offer_id=offer_id,
            placement_type=ptype,
            placement_address="Foster carers' home (address held by the agency)" if fostering else provider.address,
            start_date=start,
            planned_end_date=planned_end,
            review_date=review,
            end_date=end,
            end_reason=w.pick(END_REASONS) if end is not None else "",
            award_reason=award_reason,
            award_justification={
                AwardReason.VALUE: "Lowest weekly cost among offers that meet every assessed need.",
                AwardReason.QUALITY: "Strongest Ofsted judgement and monitoring record among the offers.",
                AwardReason.PROXIMITY: "Closest to school and family; keeps the current school place.",
                AwardReason.ONLY_OFFER: "The only provider able to offer within the timescale.",
            }[award_reason],
            approved_by="Head of Service (demo)",
            approved_on=start - dt.timedelta(days=rng.randint(0, 5)),
        )
        funded: list[tuple[int, LineFunding]] = []
        for position, (kind, description, amount) in enumerate(lines):
            # Tri-partite placements: education and health fund their own elements.
            funded_by = LineFunding.SHARED
            if len(child.shares) > 1:
                own = {FeeLineKind.EDUCATION: FundingPartner.EDUCATION,
                       FeeLineKind.HEALTH_THERAPY: FundingPartner.HEALTH}.get(kind)
                if own is not None and own in child.shares:
                    funded_by = LineFunding(own.value)
            funded.append((amount, funded_by))
            w.row("placement_fee_line", placement_id=placement_id, position=position, kind=kind,
                  description=description, weekly_amount_pence=amount, funded_by=funded_by)
        for partner, amount in split_by_element(funded, child.shares).items():
            w.row("placement_funding_share", placement_id=placement_id, partner=partner,
                  share_bp=child.shares.get(partner, 0), weekly_amount_pence=amount)
        if agreement:
            issued = min(today, start - dt.timedelta(days=rng.randint(1, 7)))
            w.row(
                "agreement",
                placement_id=placement_id,
                ref=f"IPA-{ref}",
                version_number=1,
                status=AgreementStatus.DRAFT,
                issued_on=issued,
                review_dates=[(start + dt.timedelta(days=d)).isoformat() for d in (28, 91, 182)],
                payment_terms="Monthly in arrears against an invoice, paid within 30 days of receipt.",
                notice_period_days=28,
                special_conditions="The provider notifies the local authority of any significant event within 24 hours.",
                outcomes=rng.sample(OUTCOME_TEMPLATES, 3),
                arrangements=demo_arrangements(w, social_worker=child.social_worker,
                                               local_authority=child.area.local_authority, needs=child.needs,
                                               risks=child.risks, has_ehcp=child.has_ehcp, placement_type=ptype),
                change_reason="",
                supersedes_id=None,
                unsigned_document_id=None,
                officer_signed_document_id=None,
                countersigned_document_id=None,
                officer_signer="",
                officer_signed_at=None,
                countersigner_name="",
                countersigned_at=None,
                countersigner_certificate_subject="",
                countersigner_certificate_issuer="",
                countersigner_certificate_serial="",
                countersigner_certificate_sha256="",
            )
        self.placements.append(DemoPlacement(id=placement_id, child=child, provider=provider, start=start, end=end))
