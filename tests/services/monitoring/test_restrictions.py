"""Providers closed to new referrals: suspensions and CAP sanctions, in force or lifted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from placedesk.models import Cap, CapSanction, Provider
from placedesk.models.enums import CapSeverity, ProviderType, SanctionKind
from placedesk.services.monitoring.restrictions import active_restrictions

D = dt.date


def _provider(session: Session, ref: str, **kw: object) -> Provider:
    provider = Provider(ref=ref, name=f"Home {ref}", provider_type=ProviderType.CHILDRENS_HOME, **kw)
    session.add(provider)
    session.flush()
    return provider


def _sanction(session: Session, provider: Provider, kind: SanctionKind, imposed: dt.date,
              lifted: dt.date | None = None) -> None:
    cap = Cap(ref=f"CAP-{provider.ref}", provider_id=provider.id, issue="Staffing below ratio",
              severity=CapSeverity.HIGH, opened_on=imposed)
    cap.sanctions.append(CapSanction(kind=kind, imposed_on=imposed, lifted_on=lifted))
    session.add(cap)
    session.flush()


def test_suspension_applies_only_between_its_dates(session: Session) -> None:
    p = _provider(session, "P1", suspended=True, suspension_reason="Safeguarding concern",
                  suspended_from=D(2026, 3, 1), suspended_until=D(2026, 3, 31))
    assert p.id not in active_restrictions(session, D(2026, 2, 28))
    assert "Safeguarding concern" in active_restrictions(session, D(2026, 3, 1))[p.id]
    assert p.id in active_restrictions(session, D(2026, 3, 31))
    assert p.id not in active_restrictions(session, D(2026, 4, 1))


def test_referral_restriction_holds_until_lifted(session: Session) -> None:
    p = _provider(session, "P2")
    _sanction(session, p, SanctionKind.RESTRICT_REFERRALS, D(2026, 5, 10), lifted=D(2026, 6, 1))
    assert p.id not in active_restrictions(session, D(2026, 5, 9))
    reason = active_restrictions(session, D(2026, 5, 10))[p.id]
    assert "Restriction of new referrals" in reason and "CAP-P2" in reason
    assert p.id not in active_restrictions(session, D(2026, 6, 1))


def test_a_fine_does_not_close_the_provider(session: Session) -> None:
    p = _provider(session, "P3")
    cap = Cap(ref="CAP-P3", provider_id=p.id, issue="Late notifications", severity=CapSeverity.MEDIUM,
              opened_on=D(2026, 1, 1))
    cap.sanctions.append(CapSanction(kind=SanctionKind.FINE, amount_pence=50000, imposed_on=D(2026, 1, 5)))
    session.add(cap)
    session.flush()
    assert active_restrictions(session, D(2026, 2, 1)) == {}


def test_asking_about_some_providers_leaves_the_others_out(session: Session) -> None:
    suspended = _provider(session, "P4", suspended=True, suspension_reason="Registration lapsed")
    sanctioned = _provider(session, "P5")
    _sanction(session, sanctioned, SanctionKind.FRAMEWORK_SUSPENSION, D(2026, 1, 5))
    clear = _provider(session, "P6")
    on = D(2026, 2, 1)
    assert set(active_restrictions(session, on)) == {suspended.id, sanctioned.id}
    assert active_restrictions(session, on, [sanctioned.id, clear.id]).keys() == {sanctioned.id}
    assert "Registration lapsed" in active_restrictions(session, on, [suspended.id])[suspended.id]
    assert active_restrictions(session, on, []) == {}


def test_a_provider_under_two_sanctions_is_restricted_since_the_earlier(session: Session) -> None:
    # The later sanction is recorded first, so only the date order can put the earlier one forward.
    p = _provider(session, "P7")
    later = Cap(ref="CAP-P7-B", provider_id=p.id, issue="Medication errors", severity=CapSeverity.HIGH,
                opened_on=D(2026, 4, 1))
    later.sanctions.append(CapSanction(kind=SanctionKind.FRAMEWORK_SUSPENSION, imposed_on=D(2026, 4, 20)))
    earlier = Cap(ref="CAP-P7-A", provider_id=p.id, issue="Staffing below ratio", severity=CapSeverity.HIGH,
                  opened_on=D(2026, 2, 1))
    earlier.sanctions.append(CapSanction(kind=SanctionKind.RESTRICT_REFERRALS, imposed_on=D(2026, 2, 10)))
    session.add_all([later, earlier])
    session.flush()
    assert active_restrictions(session, D(2026, 5, 1)) == {
        p.id: "Restriction of new referrals under CAP-P7-A since 10/02/2026"}


def test_the_officer_reads_how_long_a_suspension_lasts_and_why(session: Session) -> None:
    dated = _provider(session, "P8", suspended=True, suspension_reason="Safeguarding concern",
                      suspended_from=D(2026, 3, 1), suspended_until=D(2026, 3, 31))
    open_ended = _provider(session, "P9", suspended=True, suspension_reason="Registration lapsed")
    unexplained = _provider(session, "P10", suspended=True)
    assert active_restrictions(session, D(2026, 3, 15)) == {
        dated.id: "Suspended from new referrals until 31/03/2026: Safeguarding concern",
        open_ended.id: "Suspended from new referrals: Registration lapsed",
        unexplained.id: "Suspended from new referrals: no reason recorded",
    }


def test_a_dated_suspension_closes_the_provider_on_its_first_and_last_day_only(session: Session) -> None:
    dated = _provider(session, "P11", suspended=True, suspended_from=D(2026, 3, 1), suspended_until=D(2026, 3, 31))
    lifted = _provider(session, "P12", suspended=False, suspended_from=D(2026, 3, 1), suspended_until=D(2026, 3, 31))
    closed = [dated.id in active_restrictions(session, day, [dated.id])
              for day in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 1))]
    assert closed == [False, True, True, False]
    assert active_restrictions(session, D(2026, 3, 15), [dated.id, lifted.id]) == {
        dated.id: "Suspended from new referrals until 31/03/2026: no reason recorded"}
