"""The domain model: one module per aggregate, all on one declarative ``Base``.

Importing this package registers every table on ``Base.metadata`` and installs
the audit hook, so the schema and the trail are complete wherever models are used.
"""

from placedesk.models.agreement import Agreement
from placedesk.models.audit import AuditEvent
from placedesk.models.base import Base, Record, utcnow
from placedesk.models.cap import Cap, CapAction, CapReview, CapSanction
from placedesk.models.child import CarePeriod, Child
from placedesk.models.concurrency import Baseline
from placedesk.models.document import StoredDocument
from placedesk.models.monitoring import KpiDefinition, KpiValue, MonitoringVisit
from placedesk.models.officer import OfficerProfile
from placedesk.models.outcomes import OutcomeAssessment, StarScale
from placedesk.models.placement import Placement, PlacementFeeLine, PlacementFundingShare
from placedesk.models.provider import Inspection, PostcodeLocation, Provider
from placedesk.models.referral import Offer, OfferFeeLine, Referral, ReferralFundingShare, ReferralRecipient
from placedesk.models.sync import SyncConflict, SyncRecord

__all__ = [
    "Agreement",
    "AuditEvent",
    "Base",
    "Cap",
    "CapAction",
    "CapReview",
    "CapSanction",
    "Baseline",
    "CarePeriod",
    "Child",
    "Inspection",
    "KpiDefinition",
    "KpiValue",
    "MonitoringVisit",
    "Offer",
    "OfferFeeLine",
    "OfficerProfile",
    "OutcomeAssessment",
    "Placement",
    "PlacementFeeLine",
    "PlacementFundingShare",
    "PostcodeLocation",
    "Provider",
    "Record",
    "Referral",
    "ReferralFundingShare",
    "ReferralRecipient",
    "StarScale",
    "StoredDocument",
    "SyncConflict",
    "SyncRecord",
    "utcnow",
]
