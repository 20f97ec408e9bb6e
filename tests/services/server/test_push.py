"""``server push``: a laptop's whole database lands on the team server once, with its history, or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from placedesk.db import open_database
from placedesk.errors import PlaceDeskError
from placedesk.models import AuditEvent, Base, Child, KpiDefinition, Provider
from placedesk.services.server.push import PushRefused, push_laptop
from tests.services.server.conftest import Team


def _counts(engine: Any) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def test_a_laptop_is_pushed_whole_with_its_audit_history(team: Team, laptop: Path) -> None:
    on_laptop = open_database(laptop)
    try:
        on_laptop.officer = "Laptop Officer"
        with on_laptop.session_scope() as s:
            s.scalars(select(Child).order_by(Child.case_reference)).first().known_as = "Visit nickname"
        expected = _counts(on_laptop.engine)
        with on_laptop.engine.connect() as conn:
            history = sorted(conn.execute(select(AuditEvent.id, AuditEvent.officer, AuditEvent.occurred_at)).all())
    finally:
        on_laptop.close()
    server = open_database(team.url(), create=False)
    try:
        # The server starts with the default KPI definitions (and their audit events) from server init.
        before = _counts(server.engine)
        with server.engine.connect() as conn:
            own = set(conn.execute(select(AuditEvent.id)).scalars())
        report = push_laptop(laptop, server)
        after = _counts(server.engine)
        with server.engine.connect() as conn:
            pushed = sorted(conn.execute(select(AuditEvent.id, AuditEvent.officer, AuditEvent.occurred_at)
                                         .where(AuditEvent.id.not_in(own))).all())
            logins = set(conn.execute(select(AuditEvent.login).where(AuditEvent.id.not_in(own))).scalars())
    finally:
        server.close()
    matched = report.matched["kpi_definition"]
    added = {t: after[t] - before[t] for t in after}
    assert added == {**expected, "kpi_definition": expected["kpi_definition"] - matched}
    assert pushed == [tuple(e) for e in history]
    assert any(officer == "Laptop Officer" for _, officer, _ in pushed)
    # The owner pushed: the history keeps the laptop's officer names and no server login made it.
    assert logins == {None}
    assert report.audit_events == expected["audit_event"]
    assert report.records == sum(n for t, n in expected.items() if t not in ("audit_event", "postcode_location")) \
        - matched


def test_pushing_the_same_laptop_again_is_refused_and_writes_nothing(team: Team, laptop: Path) -> None:
    server = open_database(team.url(), create=False)
    try:
        push_laptop(laptop, server)
        before = _counts(server.engine)
        with pytest.raises(PushRefused, match=r"already holds records from this laptop \(18,000 kpi value "
                           "records, .*Nothing was written"):
            push_laptop(laptop, server)
        assert _counts(server.engine) == before
    finally:
        server.close()


def test_a_clash_with_the_servers_own_records_leaves_the_server_untouched(team: Team, laptop: Path) -> None:
    on_laptop = open_database(laptop)
    try:
        with on_laptop.engine.connect() as conn:
            provider_ref = conn.execute(select(Provider.ref).order_by(Provider.ref)).scalars().first()
    finally:
        on_laptop.close()
    # A colleague's provider already on the server under the same reference, with another id.
    with team.scope("alice") as s:
        from placedesk.models.enums import ProviderType

        s.add(Provider(ref=provider_ref, name="Somewhere else", provider_type=ProviderType.IFA))
    server = open_database(team.url(), create=False)
    try:
        before = _counts(server.engine)
        with pytest.raises(PushRefused, match="already holds a different provider record with the same reference"):
            push_laptop(laptop, server)
        assert _counts(server.engine) == before
    finally:
        server.close()


def test_kpi_definitions_the_server_has_are_matched_by_code(team: Team, laptop: Path) -> None:
    from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis

    with team.scope("bob") as s:
        ensure_default_kpis(s)  # server init added them already: nothing changes
    server = open_database(team.url(), create=False)
    try:
        with server.engine.connect() as conn:
            ids = dict(conn.execute(select(KpiDefinition.code, KpiDefinition.id)).all())
        report = push_laptop(laptop, server)
        with server.engine.connect() as conn:
            after = dict(conn.execute(select(KpiDefinition.code, KpiDefinition.id)).all())
            orphans = conn.execute(text("SELECT count(*) FROM kpi_value v LEFT JOIN kpi_definition d "
                                        "ON d.id = v.definition_id WHERE d.id IS NULL")).scalar_one()
    finally:
        server.close()
    assert report.matched["kpi_definition"] == len(ids)
    assert {code: after[code] for code in ids} == ids
    assert orphans == 0


def test_push_wants_a_laptop_file(team: Team, tmp_path: Path) -> None:
    server = open_database(team.url(), create=False)
    try:
        with pytest.raises(PlaceDeskError, match="no laptop database at"):
            push_laptop(tmp_path / "missing.sqlite", server)
    finally:
        server.close()
    assert Child  # the push copies children like every other record


def test_a_push_by_an_officer_stops_at_what_their_role_may_not_write(team: Team, laptop: Path) -> None:
    on_laptop = open_database(laptop)
    try:
        on_laptop.officer = "Laptop Officer"
        with on_laptop.session_scope() as s:
            s.add(KpiDefinition(code="laptop_only", name="A measure only this laptop keeps", kind="outcome",
                                direction="higher_is_better", target=90, amber_threshold=80, scope="provider"))
    finally:
        on_laptop.close()
    server = open_database(team.url("alice"), create=False)
    try:
        before = _counts(server.engine)
        with pytest.raises(PushRefused, match="Only a manager can change KPI definitions.*nothing was written"):
            push_laptop(laptop, server)
        assert _counts(server.engine) == before
    finally:
        server.close()
