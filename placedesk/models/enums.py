"""The fixed vocabularies of the officer's world (DOMAIN.md), as string enums.

Values are what is stored in the database and written to export bundles, so
they never change once released; labels for people live in ``label``.
"""

from __future__ import annotations

import enum


class LabelledEnum(enum.StrEnum):
    """A string enum whose members also carry a human label."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ProviderType(LabelledEnum):
    IFA = "ifa"
    CHILDRENS_HOME = "childrens_home"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    RESIDENTIAL_SPECIAL_SCHOOL = "residential_special_school"
    PARENT_AND_CHILD = "parent_and_child"
    IN_HOUSE_FOSTERING = "in_house_fostering"

    @property
    def label(self) -> str:
        return {
            "ifa": "Independent fostering agency",
            "childrens_home": "Children's home",
            "supported_accommodation": "Supported accommodation (16+)",
            "residential_special_school": "Residential special school",
            "parent_and_child": "Parent and child unit",
            "in_house_fostering": "In-house fostering (LA)",
        }[self.value]


class PlacementType(LabelledEnum):
    """The kind of placement a referral seeks."""

    FOSTERING = "fostering"
    CHILDRENS_HOME = "childrens_home"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    RESIDENTIAL_SCHOOL = "residential_school"
    PARENT_AND_CHILD = "parent_and_child"

    @property
    def label(self) -> str:
        return {
            "fostering": "Foster care",
            "childrens_home": "Children's home",
            "supported_accommodation": "Supported accommodation (16+)",
            "residential_school": "Residential special school",
            "parent_and_child": "Parent and child",
        }[self.value]


class ContractRoute(LabelledEnum):
    """How a provider is bought: framework and DPV terms are preferred to spot."""

    FRAMEWORK = "framework"
    DPV = "dpv"
    SPOT = "spot"

    @property
    def label(self) -> str:
        return {"framework": "Framework", "dpv": "DPV", "spot": "Spot"}[self.value]


class OfstedJudgement(LabelledEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_YET_INSPECTED = "not_yet_inspected"

    @property
    def label(self) -> str:
        return {
            "outstanding": "Outstanding",
            "good": "Good",
            "requires_improvement": "Requires improvement to be good",
            "inadequate": "Inadequate",
            "not_yet_inspected": "Not yet inspected",
        }[self.value]


class ReferralStatus(LabelledEnum):
    DRAFT = "draft"
    READY = "ready"
    SENT = "sent"
    OFFERS_RECEIVED = "offers_received"
    AWARDED = "awarded"
    IPA_ISSUED = "ipa_issued"
    IPA_SIGNED = "ipa_signed"
    PLACED = "placed"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"ipa_issued": "IPA issued", "ipa_signed": "IPA signed"}.get(
            self.value, self.value.replace("_", " ").capitalize()
        )


class Urgency(LabelledEnum):
    EMERGENCY = "emergency"
    PLANNED = "planned"


class RecipientResponse(LabelledEnum):
    AWAITING = "awaiting"
    OFFERED = "offered"
    DECLINED = "declined"


class DeclineReason(LabelledEnum):
    NO_VACANCY = "no_vacancy"
    CANNOT_MEET_NEEDS = "cannot_meet_needs"
    MATCHING_IMPACT = "matching_impact"
    LOCATION = "location"
    RISK_TOO_HIGH = "risk_too_high"
    START_DATE = "start_date"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "no_vacancy": "No vacancy",
            "cannot_meet_needs": "Cannot meet needs",
            "matching_impact": "Impact on children already placed",
            "location": "Location unsuitable",
            "risk_too_high": "Risks cannot be managed",
            "start_date": "Cannot meet start date",
            "other": "Other",
        }[self.value]


class OfferStatus(LabelledEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class FeeLineKind(LabelledEnum):
    CORE = "core"
    ADDITIONAL_SUPPORT = "additional_support"
    EDUCATION = "education"
    HEALTH_THERAPY = "health_therapy"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "core": "Core fee",
            "additional_support": "Additional support",
            "education": "Education",
            "health_therapy": "Health / therapy",
            "other": "Other",
        }[self.value]


class FundingPartner(LabelledEnum):
    SOCIAL_CARE = "social_care"
    EDUCATION = "education"
    HEALTH = "health"


class LineFunding(LabelledEnum):
    """Who funds one fee line: one partner alone, or every partner by the agreed shares."""

    SHARED = "shared"
    SOCIAL_CARE = "social_care"
    EDUCATION = "education"
    HEALTH = "health"

    @property
    def label(self) -> str:
        if self is LineFunding.SHARED:
            return "Shared by the agreed shares"
        return FundingPartner(self.value).label

    @property
    def partner(self) -> FundingPartner | None:
        """The one partner funding the line, or None when the agreed shares split it."""
        return None if self is LineFunding.SHARED else FundingPartner(self.value)


class AwardReason(LabelledEnum):
    VALUE = "value"
    QUALITY = "quality"
    PROXIMITY = "proximity"
    ONLY_OFFER = "only_offer"

    @property
    def label(self) -> str:
        return {
            "value": "Best value",
            "quality": "Quality",
            "proximity": "Proximity",
            "only_offer": "Only suitable offer",
        }[self.value]


class AgreementStatus(LabelledEnum):
    """An IPA version's life: drafted, signed by the officer, countersigned, superseded."""

    DRAFT = "draft"
    OFFICER_SIGNED = "officer_signed"
    COUNTERSIGNED = "countersigned"
    SUPERSEDED = "superseded"


class KpiKind(LabelledEnum):
    OUTCOME = "outcome"
    OUTPUT = "output"
    PROCESS = "process"


class KpiDirection(LabelledEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class KpiScope(LabelledEnum):
    PROVIDER = "provider"
    PLACEMENT = "placement"


class Rag(LabelledEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class VisitType(LabelledEnum):
    ANNOUNCED = "announced"
    UNANNOUNCED = "unannounced"
    DESK_REVIEW = "desk_review"
    REG44_REPORT = "reg44_report"

    @property
    def label(self) -> str:
        return {
            "announced": "Announced visit",
            "unannounced": "Unannounced visit",
            "desk_review": "Desk review",
            "reg44_report": "Reg 44 report received",
        }[self.value]


class VisitRating(LabelledEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


class OutcomeTool(LabelledEnum):
    WEMWBS = "wemwbs"
    SWEMWBS = "swemwbs"
    STAR = "star"

    @property
    def label(self) -> str:
        return {"wemwbs": "WEMWBS", "swemwbs": "SWEMWBS", "star": "Outcomes star"}[self.value]


class RiskLevel(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CapApproach(LabelledEnum):
    DEVELOPMENTAL = "developmental"
    PUNITIVE = "punitive"


class CapSeverity(LabelledEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class CapStatus(LabelledEnum):
    OPEN = "open"
    ESCALATED = "escalated"
    CLOSED = "closed"


class CapOutcome(LabelledEnum):
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    TERMINATED = "terminated"


class CapSource(LabelledEnum):
    VISIT = "visit"
    KPI = "kpi"
    INSPECTION = "inspection"
    COMPLAINT = "complaint"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "KPI" if self is CapSource.KPI else super().label


class CapActionStatus(LabelledEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WAIVED = "waived"


# A CAP still being worked on, and an action that needs nothing more: CAP rules, risk and
# the monitoring view all read these, so they live beside the states themselves.
OPEN_CAP_STATUSES = (CapStatus.OPEN, CapStatus.ESCALATED)
DONE_ACTION_STATUSES = (CapActionStatus.COMPLETE, CapActionStatus.WAIVED)


class SanctionKind(LabelledEnum):
    FINE = "fine"
    RESTRICT_REFERRALS = "restrict_referrals"
    FRAMEWORK_SUSPENSION = "framework_suspension"
    TERMINATION_NOTICE = "termination_notice"

    @property
    def label(self) -> str:
        return {
            "fine": "Fine",
            "restrict_referrals": "Restriction of new referrals",
            "framework_suspension": "Suspension from the framework",
            "termination_notice": "Notice of termination",
        }[self.value]


class AuditAction(LabelledEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class SyncDirection(LabelledEnum):
    EXPORT = "export"
    IMPORT = "import"


class ExportStatus(LabelledEnum):
    DELIVERED = "delivered"
    WAITING = "waiting"
    APPLIED = "applied"


class ConflictResolution(LabelledEnum):
    KEEP_LOCAL = "keep_local"
    TAKE_REMOTE = "take_remote"
