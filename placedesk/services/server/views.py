"""The commissioners' pseudonymised views: what the market is doing, never who the children are.

They live in their own schema (:data:`~placedesk.services.server.roles.VIEWS_SCHEMA`),
the only one the commissioner role may use. No view shows a child's name,
date of birth, address, postcode, case reference, social worker, or any free
text an officer typed (notes, summaries, CAP issues), since free text may
name a child. A child appears only as a pseudonym: ``C-`` and ten hex digits
of ``md5(secret || child id)``, stable across the views so one child can be
followed from referral to placement, but not reversible without the secret,
which is a random value made at ``server init`` in a table no PlaceDesk role
may read. Ages are DfE bands at the placement's start.

The views run with their owner's rights (PostgreSQL's default), so the
commissioner needs no grant on the tables beneath them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from placedesk.services.server.roles import VIEWS_SCHEMA, Role

SECRET_TABLE = f"{VIEWS_SCHEMA}.pseudonym_secret"


def _pseudonym(child_id: str) -> str:
    return (f"'C-' || upper(left(md5((SELECT secret FROM {SECRET_TABLE}) || {child_id}::text), 10))")


def _age_band(born: str, on: str) -> str:
    years = f"date_part('year', age({on}, {born}))"
    return (f"CASE WHEN {born} IS NULL OR {on} IS NULL THEN NULL WHEN {years} < 1 THEN 'Under 1' "
            f"WHEN {years} <= 4 THEN '1 to 4' WHEN {years} <= 9 THEN '5 to 9' WHEN {years} <= 15 THEN '10 to 15' "
            f"WHEN {years} <= 17 THEN '16 to 17' WHEN {years} <= 20 THEN '18 to 20' "
            f"WHEN {years} <= 24 THEN '21 to 24' ELSE '25 and over' END")


# name -> SELECT; the table names are the casework schema's, reached through the search path at creation.
VIEWS: dict[str, str] = {
    "providers": """
        SELECT p.id AS provider_id, p.ref, p.urn, p.name, p.provider_type, p.registration_status,
               p.owner_organisation, p.town, p.local_authority, p.region, p.sector, p.contract_route,
               p.framework_name, p.places, p.vacancies, p.weekly_rate_from_pence, p.weekly_rate_to_pence,
               p.ofsted_judgement, p.last_inspection_date, p.suspended, p.suspended_from, p.suspended_until,
               p.risk_level
        FROM provider p""",
    "inspections": """
        SELECT i.provider_id, i.inspection_date, i.judgement, i.inspection_type FROM inspection i""",
    "placements": f"""
        SELECT pl.id AS placement_id, {_pseudonym('pl.child_id')} AS child, pl.provider_id, pl.referral_id,
               pl.placement_type, pl.start_date, pl.planned_end_date, pl.end_date, pl.end_reason,
               {_age_band('c.date_of_birth', 'pl.start_date')} AS age_band_at_start, c.gender,
               c.legal_status, c.home_local_authority,
               (SELECT coalesce(sum(f.weekly_amount_pence), 0) FROM placement_fee_line f
                 WHERE f.placement_id = pl.id) AS weekly_cost_pence
        FROM placement pl JOIN child c ON c.id = pl.child_id""",
    "referrals": f"""
        SELECT r.id AS referral_id, {_pseudonym('r.child_id')} AS child, r.status, r.referred_on,
               r.placement_type, r.urgency, r.required_start_date, r.response_by, r.budget_ceiling_pence,
               {_age_band('c.date_of_birth', 'r.referred_on')} AS age_band_at_referral,
               (SELECT count(*) FROM referral_recipient rr WHERE rr.referral_id = r.id) AS providers_asked,
               (SELECT count(*) FROM offer o JOIN referral_recipient rr ON rr.id = o.recipient_id
                 WHERE rr.referral_id = r.id) AS offers_received
        FROM referral r JOIN child c ON c.id = r.child_id""",
    "kpi_values": """
        SELECT v.provider_id, d.code AS kpi_code, d.name AS kpi_name, d.unit, v.period_start, v.value
        FROM kpi_value v JOIN kpi_definition d ON d.id = v.definition_id""",
    "caps": """
        SELECT cp.id AS cap_id, cp.ref, cp.provider_id, cp.placement_id, cp.source, cp.severity, cp.status,
               cp.opened_on, cp.closed_on, cp.outcome
        FROM cap cp""",
    "sanctions": """
        SELECT s.cap_id, cp.provider_id, s.kind, s.amount_pence, s.imposed_on, s.lifted_on
        FROM cap_sanction s JOIN cap cp ON cp.id = s.cap_id""",
    "outcomes": f"""
        SELECT {_pseudonym('o.child_id')} AS child, o.placement_id, o.tool, o.assessed_on, o.total, o.metric_score
        FROM outcome_assessment o""",
}


def apply_views(conn: Connection) -> list[str]:
    """(Re)create the views schema, its secret and every view; returns the views' qualified names.

    Run after every upgrade (``server init`` again): views are dropped and made
    afresh, so a column the migrations renamed or added is picked up.
    """
    run = conn.exec_driver_sql
    run(f"CREATE SCHEMA IF NOT EXISTS {VIEWS_SCHEMA}")
    run(f"REVOKE ALL ON SCHEMA {VIEWS_SCHEMA} FROM PUBLIC")
    run(f"CREATE TABLE IF NOT EXISTS {SECRET_TABLE} (secret text NOT NULL)")
    run(f"REVOKE ALL ON TABLE {SECRET_TABLE} FROM PUBLIC")
    if conn.execute(text(f"SELECT count(*) FROM {SECRET_TABLE}")).scalar_one() == 0:
        # 32 random bytes from the server's own generator (gen_random_uuid is built in from PostgreSQL 13).
        run(f"INSERT INTO {SECRET_TABLE} VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''))")
    made = []
    for name, select in VIEWS.items():
        qualified = f"{VIEWS_SCHEMA}.{name}"
        run(f"DROP VIEW IF EXISTS {qualified}")
        run(f"CREATE VIEW {qualified} AS {select}")
        run(f"REVOKE ALL ON TABLE {qualified} FROM PUBLIC")
        made.append(qualified)
    groups = ", ".join(f'"{r.group}"' for r in Role)
    run(f"GRANT USAGE ON SCHEMA {VIEWS_SCHEMA} TO {groups}")
    for qualified in made:
        run(f"GRANT SELECT ON TABLE {qualified} TO {groups}")
    run(f"REVOKE ALL ON TABLE {SECRET_TABLE} FROM {groups}")
    return made
