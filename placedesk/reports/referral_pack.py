"""The referral pack: what a provider needs to decide whether it can offer, and nothing more.

Minimised as DOMAIN.md's "Privacy in referral packs" says regional placement
portals do: the child appears by initials and age, with gender, ethnicity,
religion and language, needs and risks, education and health summaries,
location and start requirements, and the date to respond by. The data class
has no field for a full name, date of birth or case reference, so none can
be printed; :mod:`placedesk.services.referrals.intake` builds it and scrubs those
from the free-text summaries.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer

from placedesk.reports.common import (
    PAGE_MARGIN,
    ReportStyles,
    bullets,
    key_value_table,
    numbered_canvas,
    para,
    report_styles,
)
from placedesk.services.common.parsing import format_date

TITLE = "Referral for a placement"
NOTICE = "OFFICIAL – SENSITIVE: minimised referral. Do not forward. Full identity follows an accepted offer."


@dataclass(frozen=True)
class ReferralPackData:
    """Everything printed in one provider's referral pack (plain values, already minimised)."""

    referral_ref: str
    issued_on: dt.date
    response_by: dt.date | None
    la_name: str
    officer_name: str
    officer_role: str
    officer_email: str
    provider_name: str
    provider_ref: str
    initials: str
    age_years: int
    gender: str
    ethnicity: str
    religion: str
    language: str
    placement_type: str
    urgency: str
    required_start_date: dt.date | None
    needs: Sequence[str] = field(default_factory=tuple)
    risks: Sequence[str] = field(default_factory=tuple)
    needs_summary: str = ""
    risks_summary: str = ""
    identity_summary: str = ""
    has_ehcp: bool = False
    education_summary: str = ""
    health_summary: str = ""
    home_area: str = ""
    max_distance_km: float | None = None
    preferred_distance_km: float | None = None
    location_notes: str = ""
    # The council's logo for the page header (PNG or JPEG), when it has one.
    logo: bytes | None = None
    school_area: str = ""
    family_contact_notes: str = ""


def _story(data: ReferralPackData, st: ReportStyles) -> list:
    respond = format_date(data.response_by) if data.response_by else "as soon as possible"
    story: list = [
        para(TITLE, st.title, st),
        para(f"To {data.provider_name} ({data.provider_ref})\nFrom {data.la_name or 'the local authority'}, "
             f"issued {format_date(data.issued_on)}", st.subtitle, st),
        key_value_table([
            ("Our reference", data.referral_ref),
            ("Please respond by", respond),
            ("Placement sought", data.placement_type),
            ("Urgency", data.urgency),
            ("Required start", format_date(data.required_start_date) or "to be agreed"),
        ], st),
        para("The young person", st.heading, st),
        key_value_table([
            ("Initials", data.initials),
            ("Age", f"{data.age_years} years"),
            ("Gender", data.gender),
            ("Ethnicity", data.ethnicity),
            ("Religion", data.religion),
            ("First language", data.language),
        ], st),
    ]
    story.append(para("Needs", st.heading, st))
    story.extend(bullets(list(data.needs), st) if data.needs else [para("No specific needs stated.", st.body, st)])
    if data.needs_summary:
        story.append(para(data.needs_summary, st.body, st))
    if data.identity_summary:
        story.append(para(f"Identity and culture: {data.identity_summary}", st.body, st))
    story.append(para("Risks", st.heading, st))
    story.extend(bullets(list(data.risks), st) if data.risks else [para("No specific risks stated.", st.body, st)])
    if data.risks_summary:
        story.append(para(data.risks_summary, st.body, st))
    story.append(KeepTogether([
        para("Education and health", st.heading, st),
        key_value_table([
            ("EHCP", "Yes" if data.has_ehcp else "No"),
            ("Education", data.education_summary),
            ("Health", data.health_summary),
        ], st),
    ]))
    limit = f"within {data.max_distance_km:g} km of home" if data.max_distance_km else "no distance limit stated"
    if data.preferred_distance_km and data.preferred_distance_km != data.max_distance_km:
        limit += f"; preferably within {data.preferred_distance_km:g} km"
    story.append(KeepTogether([
        para("Location and start", st.heading, st),
        key_value_table([
            ("Home area", data.home_area or "not stated"),
            ("Distance", limit),
            ("School area", data.school_area),
            ("Family contact", data.family_contact_notes),
            ("Other location needs", data.location_notes),
        ], st),
    ]))
    contact = ", ".join(x for x in (data.officer_name, data.officer_role, data.officer_email) if x)
    story += [Spacer(1, 4 * mm), KeepTogether([
        para("How to respond", st.heading, st),
        para(
            f"Please reply by {respond} with either an offer (weekly fee broken into lines, proposed start date, "
            "any conditions and how long the offer stands) or a decline with its reason. Quote our reference "
            f"{data.referral_ref}.", st.body, st,
        ),
        para(f"Contact: {contact or 'the placement team'}", st.body, st),
        para("This pack is minimised: the young person's full identity is shared only with the provider whose "
             "offer is accepted, with the placement agreement.", st.small, st),
    ])]
    return story


def build_referral_pack(data: ReferralPackData) -> bytes:
    """The referral pack PDF for one provider."""
    st = report_styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN,
        topMargin=20 * mm, bottomMargin=20 * mm, title=f"{TITLE} {data.referral_ref}",
        author=data.la_name or "PlaceDesk", subject="Minimised referral pack", creator="PlaceDesk",
    )
    canvas = numbered_canvas(data.la_name or "Local authority", TITLE, f"Referral {data.referral_ref}", NOTICE,
                             logo=data.logo)
    doc.build(_story(data, st), canvasmaker=canvas)
    return buffer.getvalue()


__all__ = ["ReferralPackData", "build_referral_pack"]
