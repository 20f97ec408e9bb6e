"""Fuzzing bundle import: whatever a signed bundle's records hold, the import succeeds or refuses cleanly.

Each example changes one line of one records file of a valid bundle (a value
replaced by any JSON value, the line replaced, dropped or repeated), fixes the
checksum and signs it again with the trusted colleague's key, as a hostile or
buggy colleague could. Importing it must either work or raise a
``PlaceDeskError``, and a refused bundle leaves the database file unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from placedesk.db import open_database
from placedesk.errors import PlaceDeskError
from placedesk.models.base import utcnow
from placedesk.services.sync.export_bundle import export_bundle
from placedesk.services.sync.import_bundle import import_bundle
from tests.services.sync.helpers import fill, new_db, rewrite_member, signer_for, team_trust

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2 ** 80), max_value=2 ** 80)

    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30)
    | st.sampled_from(["", "0" * 32, "2026-02-30", "2026-03-02T09:00:00Z", "\ud800", "[1,2]", "{}"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _file_hash(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_any_signed_change_to_a_record_imports_or_is_refused_cleanly(tmp_path: Path) -> None:
    source = new_db(tmp_path / "a.sqlite", "Officer A")
    with source.session_scope() as s:
        fill(s)
        fill(s, child_name=("Amara", "Okafor"))
    with source.session_scope() as s:
        base = export_bundle(s, tmp_path / "base", laptop_id="AAAA", signer=signer_for("Officer A"), now=utcnow()).path
    source.close()
    target = new_db(tmp_path / "target.sqlite", "Officer T")
    with target.session_scope() as s:
        fill(s, child_name=("Ruby", "Lane"))
    target.close()
    members = sorted(p.name for p in (base / "records").iterdir())
    trust = team_trust("Officer A")
    runs = iter(range(10_000))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(member=st.sampled_from(members), line=st.integers(min_value=0, max_value=50),
           how=st.sampled_from(["value", "value", "value", "line", "drop", "repeat"]),
           value=st.one_of(st.sampled_from([2 ** 63, -(2 ** 63) - 1, 2 ** 70, 0, -1, 1.5, 1e308]), json_values),
           text=st.binary(max_size=40), column=st.one_of(st.just("version"), st.integers(min_value=0, max_value=60)))
    def check(member: str, line: int, how: str, value: Any, text: bytes, column: int | str) -> None:
        n = next(runs)
        bundle = tmp_path / f"bundle-{n}" / base.name
        shutil.copytree(base, bundle)
        lines = (bundle / "records" / member).read_bytes().splitlines()
        index = line % len(lines)
        if how == "value":
            index = max(index, 1)  # a record, not the header
            row = json.loads(lines[index])
            names = json.loads(lines[0])["columns"]
            row[names.index(column) if isinstance(column, str) else column % len(row)] = value
            lines[index] = json.dumps(row).encode()
        elif how == "line":
            lines[index] = text
        elif how == "drop":
            del lines[index]
        else:
            lines.insert(index, lines[index])
        rewrite_member(bundle, f"records/{member}", b"\n".join(lines) + b"\n", signer=signer_for("Officer A"))
        copy = tmp_path / f"target-{n}.sqlite"
        shutil.copyfile(target.path, copy)
        before = _file_hash(copy)
        db = open_database(copy)
        db.officer = "Officer T"
        try:
            with db.session_scope() as s:
                import_bundle(s, bundle, own_laptop_id="TTTT", trust=trust, now=utcnow())
        except PlaceDeskError as exc:
            assert "Traceback" not in str(exc)
            db.close()
            assert _file_hash(copy) == before
        else:
            db.close()
        finally:
            shutil.rmtree(bundle.parent)
            copy.unlink()

    check()
