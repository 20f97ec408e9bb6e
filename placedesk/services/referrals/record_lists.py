"""The lists the Referrals and Providers tabs show (the Placements list lives with agreements).

Kept to what an officer scans a list for; detail screens load the rest.
Referral rows show the child by full name and case reference: the officer sees full names on
screen; initials are only for what leaves the laptop.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session, selectinload

from placedesk.db.dialect import as_date, days_between, whole_years_between
from placedesk.models import Child, Provider, Referral
from placedesk.services.care.children import FULL_NAME
from placedesk.models.enums import ContractRoute, OfstedJudgement, ProviderType, ReferralStatus
from placedesk.services.common.listing import Column, ListSpec



def referral_list(today: dt.date) -> ListSpec:
    """Referrals with status, child, age, type sought and days open."""
    on = literal(today.isoformat())
    age_years = whole_years_between(on, Child.date_of_birth)
    opened = func.coalesce(Referral.referred_on, as_date(Referral.created_at))
    # Only a referral still being worked has "days open"; placed, ended and withdrawn ones show none
    # (and sort last), so the longest-waiting open referrals head the list.
    closed = (ReferralStatus.PLACED, ReferralStatus.ENDED, ReferralStatus.WITHDRAWN)
    days_open = case((Referral.status.in_(closed), None),
                     else_=days_between(on, opened))

    def base() -> Select[tuple[()]]:
        return select().select_from(Referral).join(Child, Child.id == Referral.child_id)

    return ListSpec(
        name="referrals",
        id_expr=Referral.id,
        columns=[
            Column("ref", "Referral", Referral.ref),
            Column("status", "Status", Referral.status, "enum"),
            Column("case_reference", "Case ref", Child.case_reference),
            Column("child", "Child", FULL_NAME),
            Column("age", "Age", age_years, "int"),
            Column("placement_type", "Type sought", Referral.placement_type, "enum"),
            Column("urgency", "Urgency", Referral.urgency, "enum"),
            Column("start", "Start needed", Referral.required_start_date, "date"),
            Column("days_open", "Days open", days_open, "int"),
        ],
        base=base,
        search=[Referral.ref, Child.case_reference, Child.first_name, Child.last_name, Child.known_as],
        default_sort="days_open",
        default_descending=True,
        filters={"status": lambda value: Referral.status == ReferralStatus(value)},
    )


def referral_next_actions(session: Session, referral_ids: Collection[uuid.UUID], today: dt.date,
                          ) -> dict[uuid.UUID, str]:
    """What the officer should do next for each listed referral (one page of the list at a time).

    Worked out by :func:`placedesk.services.referrals.workflow.next_action` rather than in
    SQL, so the list and the wizard never disagree about the next step.
    """
    from placedesk.services.referrals.workflow import next_action

    if not referral_ids:
        return {}
    referrals = session.scalars(
        select(Referral).where(Referral.id.in_(list(referral_ids))).options(selectinload(Referral.recipients))
    ).all()
    return {referral.id: next_action(referral, today) for referral in referrals}


def provider_list() -> ListSpec:
    """The provider directory."""
    return ListSpec(
        name="providers",
        id_expr=Provider.id,
        columns=[
            Column("name", "Provider", Provider.name),
            Column("provider_type", "Type", Provider.provider_type, "enum"),
            Column("urn", "URN", Provider.urn),
            Column("local_authority", "Local authority", Provider.local_authority),
            Column("postcode", "Postcode", Provider.postcode),
            Column("ofsted_judgement", "Ofsted", Provider.ofsted_judgement, "enum"),
            Column("contract_route", "Route", Provider.contract_route, "enum"),
            Column("vacancies", "Vacancies", Provider.vacancies, "int"),
            Column("risk", "Risk", func.coalesce(Provider.risk_override, Provider.risk_level), "enum"),
            Column("suspended", "Suspended", Provider.suspended, "bool"),
        ],
        base=lambda: select().select_from(Provider),
        search=[Provider.name, Provider.urn, Provider.town, Provider.postcode, Provider.local_authority, Provider.ref],
        default_sort="name",
        filters={
            "provider_type": lambda v: Provider.provider_type == ProviderType(v),
            "local_authority": lambda v: Provider.local_authority == v,
            "ofsted_judgement": lambda v: Provider.ofsted_judgement == OfstedJudgement(v),
            "contract_route": lambda v: Provider.contract_route == ContractRoute(v),
            "has_vacancy": lambda v: (Provider.vacancies > 0) if v else (Provider.vacancies == 0),
            "suspended": lambda v: Provider.suspended.is_(bool(v)),
        },
    )
