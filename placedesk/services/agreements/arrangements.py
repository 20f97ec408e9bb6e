"""The care arrangements an IPA carries beside its fees and terms.

Every national contract IPA schedule records who the key people are, the
child's needs and risks with how the provider will meet each, education,
health, family time and contact, and who may consent to what (delegated
authority). They are stored as JSON on each agreement version
(``Agreement.arrangements``) so a new version can change them and the old
one still prints as it was signed.

:func:`proposed_arrangements` starts a first version from what is already
known: the referral's needs, risks, education, health and contact notes, the
child's social worker and EHCP, how the awarded offer said each need would be
met, and the usual delegated-authority matters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from placedesk.errors import ValidationError
from placedesk.models import Agreement, Placement
from placedesk.services.common.parsing import format_date

# Who may consent, in the words of the delegated authority guidance (DfE, 2013).
CONSENT_BY = (
    "Carer or home manager",
    "Social worker",
    "Social worker's manager",
    "Parent(s)",
    "Parent(s) and social worker together",
)
# The matters a delegated authority schedule covers, with who usually consents.
DELEGATED_MATTERS: tuple[tuple[str, str], ...] = (
    ("Overnight stays with friends", "Carer or home manager"),
    ("Haircuts", "Carer or home manager"),
    ("School trips in the UK", "Carer or home manager"),
    ("School trips and holidays abroad", "Social worker's manager"),
    ("Routine medical and dental treatment", "Carer or home manager"),
    ("Emergency medical treatment", "Carer or home manager"),
    ("Planned medical treatment and immunisations", "Social worker"),
    ("Mobile phone and social media", "Carer or home manager"),
    ("Photographs in school or the media", "Social worker"),
)
CONTACT_ROLES = ("Social worker", "Team manager", "Independent Reviewing Officer", "Virtual school")
MAX_TEXT = 2000


@dataclass(frozen=True)
class KeyContact:
    """A key person for the child: role, name and how to reach them."""

    role: str
    name: str
    details: str = ""


@dataclass(frozen=True)
class NeedMet:
    """One of the child's needs or risks, and how the provider will meet it."""

    area: str  # "Need" or "Risk"
    item: str
    how_met: str


@dataclass(frozen=True)
class Delegation:
    """Who may consent to one matter."""

    matter: str
    consent_by: str


@dataclass(frozen=True)
class CareArrangements:
    """What the IPA says about the child's care beyond fees and terms."""

    contacts: tuple[KeyContact, ...] = ()
    needs: tuple[NeedMet, ...] = ()
    school: str = ""
    ehcp: str = ""
    virtual_school: str = ""
    gp: str = ""
    camhs: str = ""
    health_assessments: str = ""
    family_time: str = ""
    delegated_authority: tuple[Delegation, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "contacts": [[c.role, c.name, c.details] for c in self.contacts],
            "needs": [[n.area, n.item, n.how_met] for n in self.needs],
            "school": self.school,
            "ehcp": self.ehcp,
            "virtual_school": self.virtual_school,
            "gp": self.gp,
            "camhs": self.camhs,
            "health_assessments": self.health_assessments,
            "family_time": self.family_time,
            "delegated_authority": [[d.matter, d.consent_by] for d in self.delegated_authority],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> "CareArrangements":
        data = data or {}

        def text(key: str) -> str:
            value = data.get(key, "")
            return value if isinstance(value, str) else ""

        def rows(key: str, width: int) -> list[list[str]]:
            out = []
            for row in data.get(key) or ():
                if isinstance(row, list) and len(row) >= width - 1:
                    cells = [str(c) for c in row[:width]]
                    out.append(cells + [""] * (width - len(cells)))
            return out

        return cls(
            contacts=tuple(KeyContact(*r) for r in rows("contacts", 3)),
            needs=tuple(NeedMet(*r) for r in rows("needs", 3)),
            school=text("school"),
            ehcp=text("ehcp"),
            virtual_school=text("virtual_school"),
            gp=text("gp"),
            camhs=text("camhs"),
            health_assessments=text("health_assessments"),
            family_time=text("family_time"),
            delegated_authority=tuple(Delegation(*r) for r in rows("delegated_authority", 2)),
        )

    @property
    def is_empty(self) -> bool:
        return not any(self.to_json().values())


def check_arrangements(arrangements: CareArrangements) -> CareArrangements:
    """Trimmed arrangements, or a ValidationError naming what to fix."""
    contacts = []
    for contact in arrangements.contacts:
        role, name, details = contact.role.strip(), contact.name.strip(), contact.details.strip()
        if not name and not details:
            continue
        if not role:
            raise ValidationError(f"Say what role {name or details} has (for example 'Team manager').", "contacts")
        contacts.append(KeyContact(role, name, details))
    needs = []
    for need in arrangements.needs:
        if not need.item.strip():
            continue
        if not need.how_met.strip():
            raise ValidationError(
                f"Say how the provider will meet the {need.area.lower()} '{need.item.strip()}'.", "needs"
            )
        needs.append(NeedMet(need.area.strip() or "Need", need.item.strip(), need.how_met.strip()))
    delegated = [
        Delegation(d.matter.strip(), d.consent_by.strip())
        for d in arrangements.delegated_authority if d.matter.strip() and d.consent_by.strip()
    ]
    texts = {
        key: getattr(arrangements, key).strip()
        for key in ("school", "ehcp", "virtual_school", "gp", "camhs", "health_assessments", "family_time")
    }
    for key, value in texts.items():
        if len(value) > MAX_TEXT:
            raise ValidationError(f"Keep the {key.replace('_', ' ')} text under {MAX_TEXT} characters.", key)
    return replace(
        arrangements, contacts=tuple(contacts), needs=tuple(needs), delegated_authority=tuple(delegated), **texts
    )


def arrangements_of(agreement: Agreement | None) -> CareArrangements:
    """The arrangements stored on a version (empty for versions issued before they were recorded)."""
    return CareArrangements.from_json(agreement.arrangements if agreement is not None else None)


def proposed_arrangements(placement: Placement, previous: Agreement | None = None) -> CareArrangements:
    """The arrangements to start from: the last version's, else what the referral and child record say."""
    if previous is not None:
        stored = arrangements_of(previous)
        if not stored.is_empty:
            return stored
    child = placement.child
    referral = placement.referral
    worker = ", ".join(v for v in (child.social_worker_phone, child.social_worker_email) if v)
    contacts = [KeyContact("Social worker", child.social_worker_name, worker)]
    contacts += [KeyContact(role, "") for role in CONTACT_ROLES[1:]]
    needs: list[NeedMet] = []
    # Where the provider's offer said how it would meet a need or risk, that is the starting text.
    offered = dict(placement.offer.needs_met or {}) if placement.offer is not None else {}
    if referral is not None:
        needs += [NeedMet("Need", _label(n), offered.get(n, "")) for n in referral.needs]
        needs += [NeedMet("Risk", _label(r), offered.get(r, "")) for r in referral.risks]
    ehcp = "No EHCP"
    if child.has_ehcp:
        ehcp = "EHCP in place" + (f"; next annual review {format_date(child.ehcp_review_date)}"
                                  if child.ehcp_review_date else "")
    return CareArrangements(
        contacts=tuple(contacts),
        needs=tuple(needs),
        school=referral.education_summary if referral is not None else "",
        ehcp=ehcp,
        virtual_school="",
        gp="",
        camhs="",
        health_assessments=referral.health_summary if referral is not None else "",
        family_time=referral.family_contact_notes if referral is not None else "",
        delegated_authority=tuple(Delegation(matter, who) for matter, who in DELEGATED_MATTERS),
    )


def _label(code: str) -> str:
    from placedesk.models.vocab import label

    return label(code)


__all__ = [
    "CONSENT_BY",
    "CONTACT_ROLES",
    "CareArrangements",
    "DELEGATED_MATTERS",
    "Delegation",
    "KeyContact",
    "NeedMet",
    "arrangements_of",
    "check_arrangements",
    "proposed_arrangements",
]
