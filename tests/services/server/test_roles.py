"""Each PlaceDesk role does what its work needs on the team server and is refused the rest, in the database.

The refusals are tried both ways: through the services the screens call (the
officer sees one clear message) and as plain SQL from the same login (the
database itself says no, whatever the client).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from placedesk.errors import PermissionRefused, PlaceDeskError
from placedesk.models import AuditEvent, CapSanction, Child, KpiDefinition, Provider, SyncConflict
from placedesk.models.enums import CapSeverity, ConflictResolution, ProviderType, SanctionKind
from placedesk.services.monitoring.caps import escalate, lift_sanction, open_cap
from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
from placedesk.services.monitoring.kpis import update_definition
from placedesk.services.sync.bundle_records import encode, json_columns
from placedesk.services.server.login import sign_in
from placedesk.services.sync.conflicts import resolve_conflict
from tests.services.server.conftest import Team

DAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 10, 42, tzinfo=dt.timezone.utc)


def _provider(name: str = "Hillside House") -> Provider:
    return Provider(ref=f"PRV-{uuid.uuid4().hex[:6]}", name=name, provider_type=ProviderType.CHILDRENS_HOME)


def _child() -> Child:
    return Child(case_reference="CASE-4471", first_name="Jordan", last_name="Aldridge",
                 date_of_birth=dt.date(2012, 5, 17), home_postcode="NE1 4XY", gender="Male")


def _sanction(team: Team) -> uuid.UUID:
    """An officer opens a CAP and restricts referrals to the provider (an officer may impose one)."""
    with team.scope("alice", "Alice Officer") as s:
        provider = _provider()
        s.add(provider)
        s.flush()
        cap = open_cap(s, provider, issue="Staffing below the agreed ratio", severity=CapSeverity.HIGH,
                       opened_on=DAY)
        sanction = escalate(s, cap, SanctionKind.RESTRICT_REFERRALS, today=DAY, notes="No improvement")
        return sanction.id


def test_an_officer_does_casework_and_every_change_is_recorded_against_their_login(team: Team) -> None:
    with team.scope("alice", "Alice Officer") as s:
        s.add(_child())
    with team.engine().connect() as conn:
        events = conn.execute(select(AuditEvent.officer, AuditEvent.login, AuditEvent.entity)
                              .where(AuditEvent.entity == "child")).all()
        seeded = set(conn.execute(select(AuditEvent.login).where(AuditEvent.entity == "kpi_definition")).scalars())
    assert [tuple(e) for e in events] == [("Alice Officer", "alice", "child")]
    assert seeded == {"owner17"}  # server init added the default KPI definitions


def test_an_officer_cannot_write_an_audit_event_under_a_colleagues_login(team: Team) -> None:
    with team.engine("alice").begin() as conn:
        conn.execute(AuditEvent.__table__.insert().values(
            id=uuid.uuid4(), occurred_at=NOW, created_at=NOW, updated_at=NOW, version=1, officer="Bob Manager",
            entity="child", entity_id=uuid.uuid4(), action="insert", changes={}, login="bob"))
    with team.engine().connect() as conn:
        assert conn.execute(select(AuditEvent.login).where(AuditEvent.entity == "child")).scalars().all() == ["alice"]


@pytest.mark.parametrize("login", ["alice", "bob", "owner17"])
def test_nobody_changes_or_deletes_the_audit_trail(team: Team, login: str) -> None:
    with team.scope("alice") as s:
        s.add(_child())
    for statement in ("UPDATE audit_event SET officer = 'Someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError) as caught, team.engine(login).begin() as conn:
            conn.execute(text(statement))
        assert getattr(caught.value.orig, "sqlstate", None) == "42501"
    with team.engine().connect() as conn:
        assert conn.execute(select(AuditEvent.officer).where(AuditEvent.entity == "child")).scalars().all() \
            == ["Test Officer"]


def test_only_a_manager_lifts_a_restriction(team: Team) -> None:
    sanction_id = _sanction(team)
    with pytest.raises(PermissionRefused, match="Only a manager can lift a restriction; ask your team's manager"), \
            team.scope("alice") as s:
        lift_sanction(s, s.get(CapSanction, sanction_id), today=DAY)
    # Plain SQL from the officer's login is refused alike: lifting, or deleting the sanction in force.
    for statement in ("UPDATE cap_sanction SET lifted_on = '2026-03-02'", "DELETE FROM cap_sanction"):
        with pytest.raises(DBAPIError, match="Only a manager can lift"), team.engine("alice").begin() as conn:
            conn.execute(text(statement))
    with team.scope("bob", "Bob Manager") as s:
        lift_sanction(s, s.get(CapSanction, sanction_id), today=DAY, notes="Ratio restored")
    with team.engine().connect() as conn:
        assert conn.execute(select(CapSanction.lifted_on)).scalar_one() == DAY


def test_an_officer_may_still_edit_a_sanctions_notes_without_lifting_it(team: Team) -> None:
    sanction_id = _sanction(team)
    with team.scope("alice") as s:
        s.get(CapSanction, sanction_id).notes = "No improvement at the second visit"
    with team.engine().connect() as conn:
        assert conn.execute(select(CapSanction.lifted_on)).scalar_one() is None


def test_only_a_manager_ends_a_providers_suspension(team: Team) -> None:
    with team.scope("alice") as s:
        provider = _provider()
        provider.suspended = True
        provider.suspension_reason = "Inadequate judgement"
        s.add(provider)
    with pytest.raises(PermissionRefused, match="Only a manager can lift a restriction"), team.scope("alice") as s:
        s.scalars(select(Provider)).one().suspended = False
    with team.scope("bob") as s:
        s.scalars(select(Provider)).one().suspended = False


def test_only_a_manager_edits_kpi_definitions(team: Team) -> None:
    with team.scope("bob", "Bob Manager") as s:
        ensure_default_kpis(s)
    with pytest.raises(PermissionRefused, match="Only a manager can change KPI definitions"), team.scope("alice") as s:
        update_definition(s, s.scalars(select(KpiDefinition)).first(), name="Placement stability (officer's)")
    with pytest.raises(DBAPIError, match="permission denied for table kpi_definition"), \
            team.engine("alice").begin() as conn:
        conn.execute(text("DELETE FROM kpi_definition"))
    with team.scope("bob") as s:
        definition = s.scalars(select(KpiDefinition).order_by(KpiDefinition.code)).first()
        update_definition(s, definition, name="Renamed by the manager")
    with team.engine().connect() as conn:
        assert "Renamed by the manager" in conn.execute(select(KpiDefinition.name)).scalars().all()


def test_an_officer_records_a_sync_conflict_but_only_a_manager_resolves_it(team: Team) -> None:
    with team.scope("alice") as s:
        child = _child()
        s.add(child)
        s.flush()
        local = {c: encode(getattr(child, c)) for c in json_columns(Child.__table__)}
        remote = {**local, "known_as": "JJ", "version": child.version + 1}
        conflict = SyncConflict(entity="child", entity_id=child.id, bundle_id="b1", local_data=local,
                                remote_data=remote)
        s.add(conflict)
    with pytest.raises(PermissionRefused, match="Only a manager can resolve a sync conflict"), \
            team.scope("alice") as s:
        resolve_conflict(s, conflict.id, ConflictResolution.TAKE_REMOTE, officer="Alice Officer", now=NOW)
    with team.scope("bob", "Bob Manager") as s:
        resolve_conflict(s, conflict.id, ConflictResolution.TAKE_REMOTE, officer="Bob Manager", now=NOW)
    with team.engine().connect() as conn:
        assert conn.execute(select(Child.known_as)).scalar_one() == "JJ"
        assert conn.execute(select(SyncConflict.resolved_by)).scalar_one() == "Bob Manager"


def test_an_officer_may_not_delete_a_childs_record(team: Team) -> None:
    with team.scope("alice") as s:
        s.add(_child())
    with pytest.raises(PermissionRefused, match="not allowed to delete the child records"), team.scope("alice") as s:
        s.delete(s.scalars(select(Child)).one())


def test_a_commissioner_reads_no_casework_table(team: Team) -> None:
    with team.scope("alice") as s:
        s.add(_child())
    for table in ("child", "referral", "placement", "audit_event", "provider", "care_period"):
        with pytest.raises(DBAPIError, match=f"permission denied for table {table}"), \
                team.engine("carol").connect() as conn:
            conn.execute(text(f"SELECT * FROM {table}"))
    with pytest.raises(PermissionRefused, match="not allowed to read the child records"), team.scope("carol") as s:
        s.scalars(select(Child)).all()
    with pytest.raises(PermissionRefused, match="not allowed to add"), team.scope("carol") as s:
        s.add(_provider())


def test_the_audit_log_finds_an_officers_events_by_their_login(team: Team) -> None:
    from placedesk.services.common.audit_log import AuditFilter, list_events

    with team.scope("alice", "Alice Officer") as s:
        s.add(_child())
    with team.scope("bob", "Bob Manager") as s:
        rows = list_events(s, AuditFilter(officer="alice"))
    assert [(r.officer, r.login, r.entity) for r in rows] == [("Alice Officer", "alice", "child")]


@pytest.mark.parametrize(("login", "expected"), [("alice", "officer"), ("bob", "manager"), ("owner17", None)])
def test_placedesk_knows_which_role_a_login_works_as(team: Team, login: str, expected: str | None) -> None:
    from placedesk.services.server.roles import working_role

    with team.engine(login).connect() as conn:
        found, role = working_role(conn)
    assert (found, role.value if role else None) == (login, expected)


def test_a_commissioner_or_a_login_without_a_role_is_told_where_they_stand(team: Team) -> None:
    from placedesk.services.server.roles import revoke_role, working_role

    with pytest.raises(PlaceDeskError, match="carol is a commissioner's: it reads the pseudonymised views"), \
            team.engine("carol").connect() as conn:
        working_role(conn)
    with team.engine().begin() as conn:
        revoke_role(conn, "alice")
    # Without a role the database does not even let the login connect; signing in says why.
    with pytest.raises(PlaceDeskError, match="alice has no PlaceDesk role on this database.*placedesk server grant "
                       "alice --role officer"):
        sign_in(team.url("alice"))
