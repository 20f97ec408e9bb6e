"""A ready-made :class:`IpaData` for report tests (no database needed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from placedesk.reports.ipa import Contact, FeeLine, FundingShare, IpaData, Kpi, NeedMet, VersionEntry, load_clauses


def sample(**changes: Any) -> IpaData:
    data = IpaData(
        agreement_ref="IPA-PLC-7F3A-0001", version=1, issued_on=dt.date(2026, 3, 2),
        la_name="Cyngor Sir Ynys Môn", la_address="Council Offices, Llangefni LL77 7TW",
        officer_name="Siân Ŵyn-Roberts", officer_role="Placement Officer", officer_email="sian@example.gov.uk",
        provider_name="Oak House", provider_owner="Brightpath Care Ltd", provider_address="1 High St, Bangor LL57 1AA",
        provider_urn="SC123456", provider_contact="Jo Provider", contract_route="Framework (North Wales)",
        placement_ref="PLC-7F3A-0001", placement_type="Children's home",
        placement_address="Oak House, 3 Lôn Las, Bangor LL57 2BB",
        start_date=dt.date(2026, 3, 9), planned_end_date=dt.date(2027, 3, 8), review_date=dt.date(2026, 4, 6),
        child_name="Zoë Żółkiewska", child_known_as="Zoë", child_date_of_birth=dt.date(2011, 4, 2),
        child_gender="Female", child_case_reference="CASE-0042", child_legal_status="C2 – Full care order (s31)",
        child_home_authority="Ynys Môn",
        fee_lines=(FeeLine("Core fee", "Core weekly fee", 450000),
                   FeeLine("Additional support", "1:1 support, 10 hours", 32050, core=False)),
        funding_shares=(FundingShare("Social care", 7000, 337435), FundingShare("Education", 3000, 144615)),
        notice_period_days=28,
        kpis=(Kpi("School attendance", "Outcome", "at least 95%"),),
        review_dates=(dt.date(2026, 6, 1),),
        special_conditions="Keep the school place at Ysgol David Hughes.",
        history=(),
        clauses=load_clauses(),
        key_contacts=(Contact("Social worker", "Ffion Hughes", "01248 752000, ffion.hughes@example.gov.uk"),
                      Contact("Team manager", "Gareth Price", "01248 752001"),
                      Contact("Independent Reviewing Officer", "Nia Lloyd", "nia.lloyd@example.gov.uk"),
                      Contact("Virtual school", "Dewi Owen", "virtual.school@example.gov.uk")),
        needs_met=(NeedMet("Need", "Emotional and behavioural", "Weekly therapeutic sessions with the home's psychologist"),
                   NeedMet("Risk", "Going missing", "Missing-from-care protocol; waking night staff")),
        education=(("School or college", "Ysgol David Hughes, Year 10"), ("EHCP", "No EHCP"),
                   ("Virtual school", "Ynys Môn Virtual School")),
        health=(("GP", "Bodnant Surgery, Bangor"), ("CAMHS and therapy", "North Wales CAMHS, fortnightly"),
                ("Health assessments", "Review health assessment due 01/05/2026")),
        family_time="Supervised family time with mother every other Saturday at the family centre.",
        delegated_authority=(("Haircuts", "Carer or home manager"), ("School trips and holidays abroad",
                                                                     "Social worker's manager")),
    )
    return dataclasses.replace(data, **changes)


def earlier_version() -> VersionEntry:
    return VersionEntry(1, dt.date(2026, 3, 2), "Superseded", "")
