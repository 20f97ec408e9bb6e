"""Commissioners see the market through pseudonymised views: no child's name, birth date, address or case reference."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from placedesk.models import Child, Placement, Provider, Referral
from placedesk.models.enums import PlacementType, ProviderType
from placedesk.services.server.roles import VIEWS_SCHEMA
from placedesk.services.server.views import VIEWS
from tests.services.server.conftest import Team

PERSONAL = ("Jordan", "Aldridge", "CASE-4471", "2012-05-17", "NE1 4XY", "14 Mill Lane", "Ms Social Worker")


def _casework(team: Team) -> None:
    with team.scope("alice") as s:
        child = Child(case_reference="CASE-4471", first_name="Jordan", last_name="Aldridge", known_as="JJ",
                      date_of_birth=dt.date(2012, 5, 17), home_postcode="NE1 4XY", gender="Male",
                      social_worker_name="Ms Social Worker", notes="Jordan likes football")
        provider = Provider(ref="PRV-1", name="Hillside House", provider_type=ProviderType.CHILDRENS_HOME)
        s.add_all([child, provider])
        s.flush()
        referral = Referral(ref="REF-1", child_id=child.id, referred_on=dt.date(2026, 2, 1),
                            placement_type=PlacementType.CHILDRENS_HOME, needs_summary="Jordan needs …")
        s.add(referral)
        s.flush()
        s.add(Placement(ref="PL-1", referral_id=referral.id, child_id=child.id, provider_id=provider.id,
                        placement_type=PlacementType.CHILDRENS_HOME, placement_address="14 Mill Lane",
                        start_date=dt.date(2026, 2, 20)))


def test_a_commissioner_reads_every_view_and_none_holds_personal_data(team: Team) -> None:
    _casework(team)
    with team.engine("carol").connect() as conn:
        for name in VIEWS:
            rows = conn.execute(text(f"SELECT * FROM {VIEWS_SCHEMA}.{name}")).mappings().all()
            shown = " ".join(f"{k}={v}" for row in rows for k, v in row.items())
            for value in PERSONAL:
                assert value not in shown, (name, value)
            columns = set(rows[0]) if rows else set()
            assert not columns & {"first_name", "last_name", "date_of_birth", "case_reference", "home_postcode",
                                  "placement_address", "notes", "needs_summary"}
        placement = conn.execute(text(f"SELECT * FROM {VIEWS_SCHEMA}.placements")).mappings().one()
        referral = conn.execute(text(f"SELECT * FROM {VIEWS_SCHEMA}.referrals")).mappings().one()
    # One child is one pseudonym across the views, so a commissioner can follow them; their age is a band.
    assert placement["child"] == referral["child"]
    assert placement["child"].startswith("C-") and len(placement["child"]) == 12
    assert placement["age_band_at_start"] == "10 to 15"
    assert placement["provider_id"] is not None


def test_the_pseudonyms_secret_is_out_of_every_roles_reach(team: Team) -> None:
    for login in ("alice", "bob", "carol"):
        with team.engine(login).connect() as conn:
            refused = conn.execute(text(
                f"SELECT has_table_privilege('{VIEWS_SCHEMA}.pseudonym_secret', 'SELECT')")).scalar_one()
        assert refused is False
