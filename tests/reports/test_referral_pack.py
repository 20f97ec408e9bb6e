"""The referral pack PDF: readable sections, response date, page numbers, and no identity fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from pypdf import PdfReader

from placedesk.reports.referral_pack import ReferralPackData, build_referral_pack


def _data(**kw: object) -> ReferralPackData:
    values: dict[str, object] = dict(
        referral_ref="REF-7F3A-0001", issued_on=dt.date(2026, 3, 2), response_by=None,
        la_name="Sheffield City Council", officer_name="Sam Patel", officer_role="Placement Officer",
        officer_email="sam@example.gov.uk", provider_name="Oak House", provider_ref="PRV-0001", initials="AM",
        age_years=15, gender="Female", ethnicity="Arab", religion="Muslim", language="Arabic",
        placement_type="Children's home", urgency="Emergency", required_start_date=None,
        needs=(), risks=("Self-harm",), identity_summary="Speaks العربية at home",
    )
    values.update(kw)
    return ReferralPackData(**values)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pack_prints_sections_and_guides_the_reply() -> None:
    text = _text(build_referral_pack(_data()))
    for expected in ("Referral for a placement", "The young person", "Needs", "Risks", "Education and health",
                     "Location and start", "How to respond", "Page 1 of 1", "Self-harm"):
        assert expected in text, expected
    # Empty parts say so instead of leaving a blank.
    assert "No specific needs stated." in text
    assert "Please respond by as soon as possible" in text
    assert "Required start to be agreed" in text


def test_pack_data_has_no_place_for_identity() -> None:
    names = {f.name for f in dataclasses.fields(ReferralPackData)}
    assert not names & {"first_name", "last_name", "full_name", "date_of_birth", "case_reference", "home_postcode"}


def test_pack_metadata_names_no_child() -> None:
    reader = PdfReader(io.BytesIO(build_referral_pack(_data())))
    assert reader.metadata.title == "Referral for a placement REF-7F3A-0001"


def test_pack_gives_the_maximum_and_the_preferred_distance() -> None:
    text = _text(build_referral_pack(_data(max_distance_km=50.0, preferred_distance_km=20.0)))
    assert "within 50 km of home; preferably within 20 km" in text
