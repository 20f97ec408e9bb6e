"""The shared-folder outbox: bundles wait while the share is unreachable and go when it is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.config import outbox_dir
from placedesk.db import Database
from placedesk.models import Child
from placedesk.models.base import utcnow
from placedesk.services.sync.sync_id import sync_id
from placedesk.services.sync.outbox import (
    bundles_to_pick_up,
    deliver_waiting,
    export_to_outbox,
    share_problem,
    sync_status,
    sync_with_share,
)
from tests.services.sync.helpers import fill, new_db, signer_for, team_trust


def _export(db: Database, laptop: str = "LAPA") -> Path:
    with db.session_scope() as s:
        return export_to_outbox(s, laptop_id=laptop, signer=signer_for(db.officer), now=utcnow()).path


def test_an_unreachable_share_fills_the_outbox_and_the_next_attempt_drains_it(db: Database, tmp_path: Path) -> None:
    share = tmp_path / "share"  # not mounted yet
    with db.session_scope() as s:
        fill(s)
    first = _export(db)
    with db.session_scope() as s:
        fill(s)
    _export(db)
    with db.session_scope() as s:
        result = deliver_waiting(s, str(share), now=utcnow())
    assert result.waiting == 2 and "cannot be reached" in (result.problem or "")
    assert first.parent == outbox_dir() and len(list(outbox_dir().iterdir())) == 2
    with db.session() as s:
        status = sync_status(s, str(share))
    assert status.waiting == 2 and status.last_sync_at is None
    assert "2 bundles waiting to send" in status.text()

    share.mkdir()
    with db.session_scope() as s:
        result = deliver_waiting(s, str(share), now=utcnow())
    assert result.waiting == 0 and result.problem is None
    assert sorted(p.name for p in share.iterdir()) == sorted(p.name for p in result.delivered)
    assert list(outbox_dir().iterdir()) == []
    with db.session() as s:
        status = sync_status(s, str(share))
    assert status.waiting == 0 and status.last_sync_at is not None
    assert "Outbox empty" in status.text()


def test_a_share_without_write_permission_keeps_bundles_waiting(db: Database, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "share"
    share.mkdir()
    with db.session_scope() as s:
        fill(s)
    _export(db)
    # As the share's permissions would say for an officer without write access (tests may run as root).
    monkeypatch.setattr("placedesk.services.sync.outbox.os.access", lambda path, mode: False)
    with db.session_scope() as s:
        result = deliver_waiting(s, str(share), now=utcnow())
    assert result.waiting == 1 and "do not have permission" in (result.problem or "")
    assert list(share.iterdir()) == [] and len(list(outbox_dir().iterdir())) == 1


def test_share_problems_say_what_is_wrong(tmp_path: Path) -> None:
    assert "No shared folder is set" in (share_problem("") or "")
    afile = tmp_path / "f"
    afile.write_text("x")
    assert "is a file" in (share_problem(str(afile)) or "")
    assert share_problem(str(tmp_path)) is None


def test_colleagues_bundles_are_picked_up_once_and_our_own_are_skipped(db: Database, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    colleague = new_db(tmp_path / "colleague.sqlite", "Officer B")
    with colleague.session_scope() as s:
        fill(s, child_name=("Ruby", "Lane"))
    with db.session_scope() as s:
        fill(s)
    first = sync_with_share(colleague, str(share), laptop_id="LAPB", now=utcnow, signer=signer_for(colleague.officer), trust=team_trust())
    assert len(first.delivery.delivered) == 1
    outcome = sync_with_share(db, str(share), laptop_id="LAPA", now=utcnow, signer=signer_for(db.officer), trust=team_trust())
    assert len(outcome.delivery.delivered) == 1
    assert [r.laptop_id for r in outcome.imported] == ["LAPB"]
    assert "From laptop LAPB: Imported" in outcome.summary()
    with db.session() as s:
        assert s.scalar(select(Child).where(Child.first_name == "Ruby")) is not None
        # On the team server its own bundles carry the server's sync id, not the laptop's.
        own = sync_id(s, "LAPA", shared_database=db.is_server)
        assert bundles_to_pick_up(s, str(share), own_laptop_id=own) == []
    again = sync_with_share(db, str(share), laptop_id="LAPA", now=utcnow, trust=team_trust(), export=False)
    assert again.imported == [] and again.rejected == []
    back = sync_with_share(colleague, str(share), laptop_id="LAPB", now=utcnow, trust=team_trust(), export=False)
    assert [r.laptop_id for r in back.imported] == [own], back.summary()
    colleague.close()


def test_a_bad_bundle_on_the_share_is_reported_and_the_others_still_import(db: Database, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    colleague = new_db(tmp_path / "colleague.sqlite", "Officer B")
    with colleague.session_scope() as s:
        fill(s, child_name=("Ruby", "Lane"))
    sync_with_share(colleague, str(share), laptop_id="LAPB", now=utcnow, signer=signer_for(colleague.officer), trust=team_trust())
    bogus = share / ("placedesk-LAPC-20260101T000000Z-" + "c" * 32 + ".zip")
    bogus.write_bytes(b"PK\x03\x04 not really")
    outcome = sync_with_share(db, str(share), laptop_id="LAPA", now=utcnow, trust=team_trust(), export=False)
    assert [r.laptop_id for r in outcome.imported] == ["LAPB"]
    assert outcome.rejected and outcome.rejected[0][0] == bogus.name
    assert "not a readable zip" in outcome.rejected[0][1]
    colleague.close()


def test_a_bundle_taken_to_a_memory_stick_leaves_no_gap_in_what_the_share_receives(db: Database,
                                                                                   tmp_path: Path) -> None:
    from placedesk.services.sync.export_bundle import export_bundle

    with db.session_scope() as s:
        fill(s)
    with db.session_scope() as s:
        first = export_to_outbox(s, laptop_id="LAPA", signer=signer_for(db.officer), now=utcnow())
    with db.session_scope() as s:
        s.scalars(select(Child)).first().known_as = "Jay"
        export_bundle(s, tmp_path / "stick", laptop_id="LAPA", signer=signer_for(db.officer), now=utcnow())
    with db.session_scope() as s:
        to_share = export_to_outbox(s, laptop_id="LAPA", signer=signer_for(db.officer), now=utcnow())
    assert to_share.since == first.created_at
    assert to_share.counts.get("child") == 1
