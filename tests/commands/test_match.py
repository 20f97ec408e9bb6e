"""``placedesk match``: the printed shortlist with reasons, the excluded providers, and the CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from placedesk.cli import main
from placedesk.db import Database
from placedesk.models.enums import OfstedJudgement
from tests.services.referrals.helpers import make_provider, make_referral


def _setup(db: Database) -> str:
    with db.session_scope() as session:
        referral = make_referral(session)
        make_provider(session, "Oak House", capabilities=["emotional_behavioural", "missing"])
        make_provider(session, "Elm House")
        make_provider(session, "Bad House", ofsted_judgement=OfstedJudgement.INADEQUATE)
        return referral.ref


def test_match_prints_ranked_and_excluded_with_reasons(db: Database, capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    ref = _setup(db)
    out_csv = tmp_path / "out" / "shortlist.csv"
    assert main(["--db", db.location, "match", ref.lower(), "--on", "2026-03-02", "--csv", str(out_csv)]) == 0
    out = capsys.readouterr().out
    assert f"Shortlist for {ref} (Children's home) on 02/03/2026" in out
    assert "No postcode location table" in out
    assert out.index("Oak House") < out.index("Elm House")
    assert "- Needs and risks: meets all 2 stated (+30)" in out
    assert "Bad House (" in out and "Ofsted judgement is Inadequate" in out
    with out_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["rank"], r["provider"]) for r in rows] == [("1", "Oak House"), ("2", "Elm House"), ("", "Bad House")]
    assert rows[2]["excluded_because"] == "Ofsted judgement is Inadequate"
    assert "Vacancy: 1 recorded (+15)" in rows[0]["reasons"]


def test_unknown_referral_fails_with_advice(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db.location, "match", "REF-NOPE-0001"]) == 2
    assert "No referral has the reference" in capsys.readouterr().err
