"""Deterministic, realistic, synthetic demo data: ``generate_demo(session, scale=..., seed=...)``.

Everything comes from one ``random.Random(seed)``, ids included, so the same
seed and ``today`` give an identical database. No real person is in it: names
are invented combinations, postcodes are invented inside real outward codes,
and phone numbers are in Ofcom's range reserved for drama (01632 960xxx).

Speed: rows are written as bulk ``executemany`` inserts on the session's
connection, in SQLAlchemy's own storage formats (see
:mod:`placedesk.services.demo.writer`). Bulk inserts skip the ORM audit hook:
that is acceptable and intended for generated data (nobody changed anything);
only the default KPI definitions and nothing else go through the ORM, and so
carry audit events. The small scale runs through the same code path as the
large one, so the tests cover it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models import Child, Provider
from placedesk.models.enums import ReferralStatus
from placedesk.services.demo.casework import Casework, DemoPlacement
from placedesk.services.demo.children import ProviderIndex, generate_children
from placedesk.services.demo.geo import PostcodeMaker
from placedesk.services.demo.monitoring import CapMaker, generate_kpi_values, generate_visits
from placedesk.services.demo.names import FIRST_NAMES_ADULTS, LAST_NAMES
from placedesk.services.demo.outcomes import generate_outcomes
from placedesk.services.demo.places import AREAS
from placedesk.services.demo.providers import generate_providers
from placedesk.services.demo.writer import DemoWriter, ProgressFn, RowId
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.risk import assess, collect_facts

# Bumped when the volume or shape of the data changes, so cached benchmark databases are rebuilt
# (a corrected code or wording alone is not worth every benchmark rebuilding it).
GENERATOR_VERSION = 4


@dataclass(frozen=True)
class Scale:
    """How much to make."""

    providers: int
    children: int
    kpi_months: int
    in_flight_share: float
    # One authority for a single officer; a whole region for a regional team.
    regional: bool


SCALES: dict[str, Scale] = {
    "small": Scale(providers=150, children=60, kpi_months=12, in_flight_share=0.15, regional=False),
    "large": Scale(providers=5_200, children=20_000, kpi_months=20, in_flight_share=0.08, regional=True),
}


@dataclass
class DemoSummary:
    """What was generated: the scale, seed, date and a row count per table."""

    scale: str
    seed: int
    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    referral_statuses: dict[str, int] = field(default_factory=dict)

    @property
    def providers(self) -> int:
        return self.counts.get("provider", 0)

    @property
    def children(self) -> int:
        return self.counts.get("child", 0)

    @property
    def referrals(self) -> int:
        return self.counts.get("referral", 0)

    @property
    def placements(self) -> int:
        return self.counts.get("placement", 0)

    @property
    def kpi_values(self) -> int:
        return self.counts.get("kpi_value", 0)

    def lines(self) -> list[str]:
        """The summary as lines for a person to read."""
        out = [f"Demo data ({self.scale}, seed {self.seed}, as of {self.today.isoformat()}):"]
        out += [f"  {table:<26} {count:>10,}" for table, count in sorted(self.counts.items())]
        out.append("  referrals by status: " + ", ".join(f"{k} {v}" for k, v in self.referral_statuses.items()))
        return out


def generate_demo(session: Session, *, scale: str = "small", seed: int = 1, today: dt.date | None = None,
                  progress: ProgressFn | None = None) -> DemoSummary:
    """Fill an empty database with demo data; refuses one that already has providers or children.

    Does not commit: the caller's session scope makes it one transaction, so a
    failure leaves the database as it was.
    """
    if scale not in SCALES:
        raise ValidationError(f"Unknown demo scale {scale!r}; choose one of: {', '.join(SCALES)}.", "scale")
    has_data = session.scalar(select(func.count()).select_from(Provider)) or session.scalar(
        select(func.count()).select_from(Child)
    )
    if has_data:
        raise PlaceDeskError(
            "This database already has providers or children, so demo data was not added "
            "(it must never mix with real records). Give a new file with --db, for example "
            "'placedesk demo --db demo.sqlite'."
        )
    # Invented records need no officer's name: the few the ORM writes (KPI defaults) go in even when none is set.
    session.info["require_officer"] = False
    size = SCALES[scale]
    today = today or dt.date.today()
    say = progress or (lambda message: None)
    writer = DemoWriter(session, seed, today)

    if size.regional:
        region = writer.pick(sorted({a.region for a in AREAS}))
        home_areas = [a for a in AREAS if a.region == region]
    else:
        home_areas = [writer.pick(AREAS)]
    officer = f"{writer.pick(FIRST_NAMES_ADULTS)} {writer.pick(LAST_NAMES)}"
    writer.row(
        "officer_profile", name=officer, role="Placement Officer", local_authority=home_areas[0].local_authority,
        email=f"{officer.split()[0].lower()}.placements@demo-council.example.org", laptop_id="DEMO",
    )
    definitions = ensure_default_kpis(session)

    postcodes = PostcodeMaker(writer)
    providers = generate_providers(writer, postcodes, size.providers, home_areas)
    say(f"Providers: {len(providers):,} with Ofsted inspections")
    index = ProviderIndex(providers)
    children = generate_children(writer, postcodes, index, size.children, home_areas)
    say(f"Children: {len(children):,} with care histories")
    casework = Casework(writer, index, officer)
    casework.run(children, size.in_flight_share)
    say(f"Referrals: {casework.referral_no:,}; placements: {casework.placement_no:,}")

    active: dict[RowId, list[DemoPlacement]] = {}
    for placement in casework.placements:
        if placement.end is None and placement.start <= today:
            active.setdefault(placement.provider.id, []).append(placement)
    generate_visits(writer, providers, active, officer)
    caps = CapMaker(writer, officer)
    caps.run(providers, active)
    say(f"Monitoring visits and {caps.number:,} corrective action plans")
    generate_outcomes(writer, casework.placements)
    say("Outcome assessments")
    with writer.indexes_deferred("kpi_value"):
        generate_kpi_values(writer, providers, definitions, size.kpi_months)
    writer.finish()
    say(f"KPI values: {writer.counts.get('kpi_value', 0):,}")
    _apply_risk_rules(session, today)
    say("Provider risk levels from the monitoring rules")

    counts = dict(writer.counts)
    counts["kpi_definition"] = len(definitions)
    return DemoSummary(
        scale=scale, seed=seed, today=today, counts=counts,
        referral_statuses={s.value: casework.status_counts.get(s, 0) for s in ReferralStatus},
    )


def _apply_risk_rules(session: Session, today: dt.date) -> None:
    """Store each provider's risk level as the monitoring rules compute it from the generated records,
    so the demo's lists agree with what the Monitoring tab shows (bulk, like the rest of the demo)."""
    table = Provider.__table__
    levels = [{"pid": pid, "level": assess(facts).level} for pid, facts in collect_facts(session, today).items()]
    if levels:
        session.execute(update(table).where(table.c.id == bindparam("pid")).values(risk_level=bindparam("level")),
                        levels)


__all__ = ["GENERATOR_VERSION", "SCALES", "DemoPlacement", "DemoSummary", "generate_demo"]
