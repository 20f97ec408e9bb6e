"""Demo contract monitoring: monthly KPI values, quality visits and corrective action plans.

Each provider has a hidden quality level that drives its Ofsted judgements,
KPI values, visit ratings and CAPs together, so the data tells a coherent
story: weak providers show red KPIs, poor visits, open CAPs with overdue
actions and, at worst, a restriction on new referrals.
"""

from __future__ import annotations

import datetime as dt

from placedesk.models.enums import (
    CapActionStatus,
    CapApproach,
    CapOutcome,
    CapSeverity,
    CapSource,
    CapStatus,
    KpiDirection,
    OfstedJudgement,
    ProviderType,
    RiskLevel,
    SanctionKind,
    VisitRating,
    VisitType,
)
from placedesk.models.monitoring import KpiDefinition
from placedesk.services.demo.casework import DemoPlacement
from placedesk.services.demo.providers import DemoProvider
from placedesk.services.demo.writer import DemoWriter, RowId

VISIT_FINDINGS = {
    VisitRating.OUTSTANDING: "Children spoke warmly about staff; records exemplary; plans reviewed on time.",
    VisitRating.GOOD: "Children settled and well supported; minor gaps in recording of daily logs.",
    VisitRating.REQUIRES_IMPROVEMENT: "Notifications late on several occasions; staff supervision overdue.",
    VisitRating.INADEQUATE: "Missing-from-care protocol not followed; staffing below the agreed ratio.",
}
CAP_ISSUES = (
    ("Notifications of significant events sent late or not at all.", CapSource.KPI),
    ("Staffing below the agreed ratio at night on several occasions.", CapSource.VISIT),
    ("Ofsted judged the service inadequate for leadership and management.", CapSource.INSPECTION),
    ("Repeated missing episodes without return-home interviews.", CapSource.KPI),
    ("Complaint from a young person about restraint not recorded properly.", CapSource.COMPLAINT),
    ("Education provision not in place for a child with an EHCP.", CapSource.VISIT),
    ("Monthly placement reports not received for three months.", CapSource.OTHER),
)
CAP_ACTIONS = (
    "Provide the notification log for the last three months.",
    "Recruit to vacant night-staff posts and send the rota weekly.",
    "Deliver refresher training on the missing-from-care protocol.",
    "Complete return-home interviews within 72 hours of every episode.",
    "Submit an education plan agreed with the virtual school.",
    "Review and update every child's risk assessment.",
    "Send monthly placement reports by the 5th working day.",
    "Share the Reg 44 report and the manager's response.",
)


RISK_INTERVAL_DAYS = {RiskLevel.LOW: 365, RiskLevel.MEDIUM: 180, RiskLevel.HIGH: 90}
VISIT_TYPE_WEIGHTS = (
    (VisitType.ANNOUNCED, 35), (VisitType.UNANNOUNCED, 20), (VisitType.DESK_REVIEW, 30), (VisitType.REG44_REPORT, 15),
)


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` whole months before ``today``'s month, oldest first."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(dt.date(year, month, 1))
    return out[::-1]


KPI_COLUMNS = (
    "id", "created_at", "updated_at", "version", "definition_id", "provider_id", "placement_id",
    "period_start", "value", "note", "source",
)


def generate_kpi_values(writer: DemoWriter, providers: list[DemoProvider], definitions: list[KpiDefinition],
                        months: int) -> None:
    """Monthly values for every provider and default KPI; weak providers drift into red.

    The hottest loop of the generator (a million rows at large scale), so rows
    are built in storage form and buffered with :meth:`DemoWriter.add_raw`.
    """
    rng = writer.rng
    gauss = rng.gauss
    periods = [p.isoformat() for p in _months_back(writer.today, months)]
    specs = [
        (d.id.hex, d.code, d.unit == "%", d.direction is KpiDirection.HIGHER_IS_BETTER, d.target)
        for d in definitions
    ]
    stamp = writer.stamp_text
    new_id = writer.new_id
    add = writer.add_raw
    for provider in providers:
        bias = provider.quality - 0.55
        provider_id = provider.id
        residential = provider.provider_type in (ProviderType.CHILDRENS_HOME, ProviderType.RESIDENTIAL_SPECIAL_SCHOOL)
        for def_id, code, percent, higher, target in specs:
            if percent:
                # Higher-is-better values sit above target for good providers; lower-is-better mirror it.
                centre = target + 3.0 + bias * 25.0 if higher else target - 2.0 - bias * 30.0
                spread = 3.0 if higher else 4.0
            else:
                centre = max(0.05, (0.75 - provider.quality) * (3.0 if residential or code == "MISSING" else 1.2))
                spread = centre * 0.8
            for period in periods:
                value = gauss(centre, spread)
                if percent:
                    value = round(min(100.0, max(0.0, value)), 1)
                else:
                    value = float(max(0, round(value)))
                add("kpi_value", KPI_COLUMNS,
                    (new_id(), stamp, stamp, 1, def_id, provider_id, None, period, value, "", "demo"))


def _rating(writer: DemoWriter, quality: float) -> VisitRating:
    x = quality + writer.rng.gauss(0, 0.12)
    if x > 0.82:
        return VisitRating.OUTSTANDING
    if x > 0.4:
        return VisitRating.GOOD
    if x > 0.2:
        return VisitRating.REQUIRES_IMPROVEMENT
    return VisitRating.INADEQUATE


def generate_visits(writer: DemoWriter, providers: list[DemoProvider],
                    active: dict[RowId, list[DemoPlacement]], officer: str) -> None:
    """Visits, desk reviews and Reg 44 reports over two years, spaced by each provider's risk level.

    Most providers were last seen within their interval (the default settings:
    a year for low risk, six months for medium, three for high); about one in
    eight is overdue, as on a real caseload.
    """
    rng = writer.rng
    today = writer.today
    types = list(VisitType)
    made = 0
    for provider in providers:
        interval = RISK_INTERVAL_DAYS[provider.risk]
        if writer.chance(0.88):
            day = today - dt.timedelta(days=rng.randint(3, int(interval * 0.9)))
        else:
            day = today - dt.timedelta(days=interval + rng.randint(5, 60))
        while day > today - dt.timedelta(days=730):
            # The first few rotate through every type so even a small database shows them all.
            visit_type = types[made] if made < len(types) else writer.weighted(VISIT_TYPE_WEIGHTS)
            made += 1
            rating = _rating(writer, provider.quality)
            placements = active.get(provider.id)
            writer.row(
                "monitoring_visit",
                provider_id=provider.id,
                placement_id=writer.pick(placements).id if placements and writer.chance(0.3) else None,
                visit_date=day,
                visit_type=visit_type,
                officer=officer,
                findings=VISIT_FINDINGS[rating],
                rating=rating,
            )
            day -= dt.timedelta(days=int(interval * rng.uniform(0.7, 1.1)))


class CapMaker:
    """Corrective action plans for weak providers: open, escalated and closed."""

    def __init__(self, writer: DemoWriter, officer: str) -> None:
        self.w = writer
        self.officer = officer
        self.number = 0
        self.overdue_made = False
        self.restriction_made = False

    def run(self, providers: list[DemoProvider], active: dict[RowId, list[DemoPlacement]]) -> None:
        w = self.w
        for provider in providers:
            weak = provider.quality < 0.3 or provider.judgement in (
                OfstedJudgement.REQUIRES_IMPROVEMENT, OfstedJudgement.INADEQUATE
            )
            placements = active.get(provider.id) or []
            if weak and (w.chance(0.5) or not self.restriction_made):
                escalate = not self.restriction_made or (provider.judgement is OfstedJudgement.INADEQUATE and w.chance(0.5))
                self.cap(provider, placements, CapStatus.ESCALATED if escalate else CapStatus.OPEN)
            if w.chance(0.25 if weak else 0.04):
                self.cap(provider, placements, CapStatus.CLOSED)

    def cap(self, provider: DemoProvider, placements: list[DemoPlacement], status: CapStatus) -> None:
        w, rng, today = self.w, self.w.rng, self.w.today
        self.number += 1
        issue, source = w.pick(CAP_ISSUES)
        closed = status is CapStatus.CLOSED
        opened = w.days_ago(200, 700) if closed else w.days_ago(30, 150)
        closed_on = min(today - dt.timedelta(days=1), opened + dt.timedelta(days=rng.randint(60, 180))) if closed else None
        outcome = w.weighted(((CapOutcome.RESOLVED, 75), (CapOutcome.ESCALATED, 15), (CapOutcome.TERMINATED, 10))) if closed else None
        escalated = status is CapStatus.ESCALATED
        severity = CapSeverity.CRITICAL if escalated and w.chance(0.5) else w.pick((CapSeverity.LOW, CapSeverity.MEDIUM, CapSeverity.HIGH))
        cap_id = w.new_id()
        w.row(
            "cap",
            id=cap_id,
            ref=f"CAP-DEMO-{self.number:04d}",
            provider_id=provider.id,
            placement_id=w.pick(placements).id if placements and w.chance(0.3) else None,
            source=source,
            source_id=None,
            issue=issue,
            evidence="Monitoring visit notes, KPI returns for the last quarter and the provider's own log.",
            approach=CapApproach.PUNITIVE if escalated else CapApproach.DEVELOPMENTAL,
            severity=severity,
            status=status,
            opened_on=opened,
            factor_seriousness="Affects children's safety." if severity in (CapSeverity.HIGH, CapSeverity.CRITICAL) else "Affects quality of care, not immediate safety.",
            factor_risks="Children at risk of exploitation placed here." if escalated else "Low immediate risk.",
            factor_contract_breached=escalated or w.chance(0.3),
            factor_relationship="Long-standing provider; open communication." if not escalated else "Repeated missed deadlines.",
            factor_provider_response="Accepted the findings and proposed actions." if not escalated else "Disputed the findings; actions not started.",
            outcome=outcome,
            closed_on=closed_on,
            closing_notes={None: "", CapOutcome.RESOLVED: "All actions evidenced; monitoring returned to normal.",
                           CapOutcome.ESCALATED: "Escalated to the commissioning manager.",
                           CapOutcome.TERMINATED: "Contract terminated after notice."}[outcome],
            owner=self.officer,
        )
        for k in range(rng.randint(2, 5)):
            due = opened + dt.timedelta(days=14 * (k + 1) + rng.randint(0, 10))
            completed_on = None
            waived = ""
            if closed:
                action_status = CapActionStatus.WAIVED if w.chance(0.1) else CapActionStatus.COMPLETE
                if action_status is CapActionStatus.WAIVED:
                    waived = "Superseded by the provider's new staffing structure."
                else:
                    completed_on = min(closed_on or today, due + dt.timedelta(days=rng.randint(-7, 10)))
            elif not self.overdue_made:
                # At least one action past its due date and not complete, for every demo database.
                due = today - dt.timedelta(days=rng.randint(5, 20))
                action_status = CapActionStatus.IN_PROGRESS
                self.overdue_made = True
            elif due < today and w.chance(0.8):
                action_status = CapActionStatus.COMPLETE
                completed_on = min(today, due + dt.timedelta(days=rng.randint(-7, 5)))
            else:
                action_status = w.pick((CapActionStatus.NOT_STARTED, CapActionStatus.IN_PROGRESS))
            w.row(
                "cap_action",
                cap_id=cap_id,
                description=w.pick(CAP_ACTIONS),
                owner=w.pick(("Registered manager", "Responsible individual", self.officer)),
                due_date=due,
                status=action_status,
                completed_on=completed_on,
                evidence="Evidence received by email and filed." if action_status is CapActionStatus.COMPLETE else "",
                waived_reason=waived,
            )
        end = closed_on or today + dt.timedelta(days=60)
        review = opened + dt.timedelta(days=30)
        while review <= end:
            held = review <= today
            w.row("cap_review", cap_id=cap_id, review_date=review, held=held,
                  notes="Progress reviewed with the registered manager." if held else "")
            review += dt.timedelta(days=rng.randint(28, 45))
        if escalated:
            w.row("cap_sanction", cap_id=cap_id, kind=SanctionKind.RESTRICT_REFERRALS, amount_pence=None,
                  imposed_on=opened + dt.timedelta(days=rng.randint(7, 25)), lifted_on=None,
                  notes="No new referrals until the CAP actions are evidenced.")
            self.restriction_made = True
            if w.chance(0.3):
                w.row("cap_sanction", cap_id=cap_id, kind=SanctionKind.FINE, amount_pence=rng.randint(5, 25) * 10000,
                      imposed_on=opened + dt.timedelta(days=rng.randint(7, 25)), lifted_on=None,
                      notes="Service credit under the framework's performance schedule.")
        elif closed and outcome is not CapOutcome.RESOLVED and closed_on is not None:
            kind = SanctionKind.TERMINATION_NOTICE if outcome is CapOutcome.TERMINATED else SanctionKind.FRAMEWORK_SUSPENSION
            imposed = opened + dt.timedelta(days=(closed_on - opened).days // 2)
            w.row("cap_sanction", cap_id=cap_id, kind=kind, amount_pence=None, imposed_on=imposed,
                  lifted_on=closed_on if kind is SanctionKind.FRAMEWORK_SUSPENSION else None,
                  notes="Imposed under the contract's performance clause.")
