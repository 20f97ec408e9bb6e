"""Believable care arrangements for demo IPAs: key contacts, how each need is met, school, health.

Written in the shape :class:`placedesk.services.agreements.arrangements.CareArrangements`
stores, so a demo agreement prints like one an officer issued.
"""

from __future__ import annotations

from typing import Any

from placedesk.models.enums import PlacementType
from placedesk.models.vocab import label
from placedesk.services.demo.names import FIRST_NAMES_ADULTS, LAST_NAMES
from placedesk.services.demo.writer import DemoWriter

# How a provider typically says it will meet each need or risk.
HOW_MET: dict[str, str] = {
    "emotional_behavioural": "Therapeutic parenting; weekly sessions with the provider's clinical psychologist.",
    "health": "Registered with a local GP within 5 working days; carers attend every health appointment.",
    "disability": "Adapted bedroom and bathroom; staff trained in moving and handling.",
    "learning_disability": "Visual timetables and a consistent key worker; speech and language input.",
    "autism": "Predictable routines, a low-arousal space and autism-trained staff.",
    "education_ehcp": "Carers attend EHCP and PEP reviews and support homework every evening.",
    "identity_culture": "Faith, diet and language needs met; links kept with community groups.",
    "sibling_group": "Siblings placed together; separate bedrooms for the older children.",
    "parent_and_child": "24-hour supervised assessment with written reports to the court timetable.",
    "uasc": "Interpreter for key meetings; support with the asylum claim and ESOL classes.",
    "missing": "Missing-from-care protocol agreed with the police; return home interviews within 72 hours.",
    "exploitation": "Exploitation risk assessment reviewed monthly; safety plan shared with the police.",
    "self_harm": "Safety plan with CAMHS; sharps and medication locked away; waking night staff.",
    "offending": "Works with the youth justice service; positive activities most evenings.",
    "substance_misuse": "Referral to the young people's substance misuse service; weekly key-work.",
    "risk_to_others": "Individual risk assessment; staffing 1:1 in the community until reviewed.",
}
SCHOOLS = ("Hillside Academy", "St Mary's Catholic High School", "Oakfield Community School",
           "Riverside College", "Meadowbank Primary School")
SURGERIES = ("Park Lane Medical Centre", "Elm Tree Surgery", "Castle Street Health Centre")


def _person(writer: DemoWriter) -> str:
    return f"{writer.pick(FIRST_NAMES_ADULTS)} {writer.pick(LAST_NAMES)}"


def demo_arrangements(writer: DemoWriter, *, social_worker: str, local_authority: str, needs: list[str],
                      risks: list[str], has_ehcp: bool, placement_type: PlacementType) -> dict[str, Any]:
    """One placement's arrangements as stored on its agreement."""
    slug = local_authority.lower().replace(" ", "-").replace("'", "")
    adult = placement_type in (PlacementType.SUPPORTED_ACCOMMODATION,)
    school = ("Riverside College, Level 2 course" if adult
              else f"{writer.pick(SCHOOLS)}; transport arranged by the provider")
    return {
        "contacts": [
            ["Social worker", social_worker, f"01632 960{writer.rng.randint(0, 999):03d}"],
            ["Team manager", _person(writer), f"01632 961{writer.rng.randint(0, 999):03d}"],
            ["Independent Reviewing Officer", _person(writer), f"iro@{slug}.example.org"],
            ["Virtual school", _person(writer), f"virtual.school@{slug}.example.org"],
        ],
        "needs": [["Need", label(code), HOW_MET.get(code, "As set out in the placement plan.")] for code in needs]
        + [["Risk", label(code), HOW_MET.get(code, "As set out in the placement plan.")] for code in risks],
        "school": school,
        "ehcp": "EHCP in place; annual review attended by the provider" if has_ehcp else "No EHCP",
        "virtual_school": f"{local_authority} Virtual School: Personal Education Plan reviewed termly",
        "gp": writer.pick(SURGERIES),
        "camhs": "CAMHS appointments fortnightly" if "emotional_behavioural" in needs or "self_harm" in risks
        else "No CAMHS involvement",
        "health_assessments": "Review health assessment every six months (12 months if aged under 5)",
        "family_time": writer.pick((
            "Supervised family time with mother every Saturday at the family centre; phone calls on Wednesdays.",
            "Fortnightly family time with grandparents, supported by the provider; weekly video calls with siblings.",
            "Contact with father as agreed at the looked-after review; no unsupervised contact.",
        )),
        "delegated_authority": [
            ["Overnight stays with friends", "Carer or home manager"],
            ["Haircuts", "Carer or home manager"],
            ["School trips in the UK", "Carer or home manager"],
            ["School trips and holidays abroad", "Social worker's manager"],
            ["Routine medical and dental treatment", "Carer or home manager"],
            ["Mobile phone and social media", "Carer or home manager"],
        ],
    }
