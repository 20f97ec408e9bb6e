"""Needs and risks as stable codes, shared by referrals, providers and matching.

A referral lists the needs and risks it states; a provider lists the needs and
risks it can meet. Codes are stored; labels are shown.
"""

from __future__ import annotations

NEEDS: dict[str, str] = {
    "emotional_behavioural": "Emotional and behavioural",
    "health": "Health",
    "disability": "Disability",
    "learning_disability": "Learning disability",
    "autism": "Autism",
    "education_ehcp": "Education (EHCP)",
    "identity_culture": "Identity and culture",
    "sibling_group": "Sibling group",
    "parent_and_child": "Parent and child assessment",
    "uasc": "Unaccompanied asylum-seeking child",
}

RISKS: dict[str, str] = {
    "missing": "Going missing",
    "exploitation": "Exploitation (CSE/CCE)",
    "self_harm": "Self-harm",
    "offending": "Offending",
    "substance_misuse": "Substance misuse",
    "risk_to_others": "Risk to others",
}

CAPABILITIES: dict[str, str] = {**NEEDS, **RISKS}
"""Everything a provider may say it can meet: the needs and the risks."""


def label(code: str) -> str:
    """The label for a need or risk code; unknown codes are shown as given."""
    return CAPABILITIES.get(code, code)
