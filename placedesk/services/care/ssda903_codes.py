"""The SSDA903 code tables PlaceDesk reads: legal status, placement type, and header codes.

Descriptions follow the Department for Education's SSDA903 guidance. Each
legal status also says whether the child is looked after under it and whether
its days count towards the leaving-care 13 weeks (DOMAIN.md):

- C1, C2, D1, E1 (care, freeing and placement orders) and V2 (a single period
  under s20): looked after, and counted.
- J1, J2, J3 (youth justice: remand to local authority accommodation, PACE
  transfer, supervision order with residence requirement): the child is looked
  after (s22 Children Act 1989; LASPO 2012 s104 for remand), so the days count.
- V3, V4 (an agreed series of short breaks): looked after while there, but
  never counted towards the 13 weeks (Care Planning Regulations 2010 reg 40(2)).
- L1, L2, L3 (police protection, emergency protection order, child assessment
  order): DOMAIN.md treats these as not looked after, so they neither make a
  child looked after nor count.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LegalStatusCode:
    """One SSDA903 legal status and what it means for leaving care."""

    code: str
    description: str
    looked_after: bool
    counts_towards_13_weeks: bool

    @property
    def short_break(self) -> bool:
        """A looked-after status whose days never count (an agreed series of short breaks)."""
        return self.looked_after and not self.counts_towards_13_weeks


LEGAL_STATUSES: dict[str, LegalStatusCode] = {
    c.code: c
    for c in (
        LegalStatusCode("C1", "Interim care order (s38)", True, True),
        LegalStatusCode("C2", "Full care order (s31)", True, True),
        LegalStatusCode("D1", "Freeing order granted", True, True),
        LegalStatusCode("E1", "Placement order granted", True, True),
        LegalStatusCode("J1", "Remanded to local authority accommodation or youth detention accommodation", True, True),
        LegalStatusCode("J2", "Placed in local authority accommodation under PACE 1984", True, True),
        LegalStatusCode("J3", "Sentenced to a supervision order with residence requirement", True, True),
        LegalStatusCode("L1", "Under police protection and in local authority accommodation", False, False),
        LegalStatusCode("L2", "Emergency protection order (EPO)", False, False),
        LegalStatusCode("L3", "Under a child assessment order and in local authority accommodation", False, False),
        LegalStatusCode("V2", "Single period of accommodation under s20", True, True),
        LegalStatusCode("V3", "Agreed series of short-term breaks (individual episodes recorded)", True, False),
        LegalStatusCode("V4", "Agreed series of short-term breaks (agreements recorded)", True, False),
    )
}

PLACEMENT_TYPES: dict[str, str] = {
    "A3": "Placed for adoption with placement order with current foster carer",
    "A4": "Placed for adoption with placement order not with current foster carer",
    "A5": "Placed for adoption with consent with current foster carer",
    "A6": "Placed for adoption with consent not with current foster carer",
    "H5": "Semi-independent living accommodation",
    "K1": "Secure children's home",
    "K2": "Children's home",
    "P1": "Placed with own parent(s) or others with parental responsibility",
    "P2": "Independent living (flat, lodgings, bedsit, B&B or with friends)",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution",
    "S1": "Residential school (not dual-registered as a children's home)",
    "T0": "Temporary move",
    "T1": "Temporary period in hospital",
    "T2": "Temporary absence on holiday",
    "T3": "Temporary accommodation while the foster carer is on holiday",
    "T4": "Temporary accommodation of seven days or less",
    "U1": "Foster placement with relative or friend: long term",
    "U2": "Foster placement with relative or friend who is also an approved adopter (FFA)",
    "U3": "Foster placement with relative or friend: not long term or FFA",
    "U4": "Foster placement with other foster carer: long term",
    "U5": "Foster placement with other foster carer who is also an approved adopter (FFA)",
    "U6": "Foster placement with other foster carer: not long term or FFA",
    "Z1": "Other placement",
}

SEX: dict[str, str] = {"1": "Male", "2": "Female"}

ETHNICITY: dict[str, str] = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}


def legal_status(code: str) -> LegalStatusCode | None:
    """The legal status for a code (any case, surrounding spaces ignored), or None."""
    return LEGAL_STATUSES.get(code.strip().upper())


def describe_legal_status(code: str) -> str:
    """``C2 Full care order (s31)``; an unknown code is shown as given."""
    status = legal_status(code)
    return f"{status.code} {status.description}" if status else code


def describe_placement(code: str) -> str:
    """``K2 Children's home``; an unknown code is shown as given."""
    key = code.strip().upper()
    return f"{key} {PLACEMENT_TYPES[key]}" if key in PLACEMENT_TYPES else code
