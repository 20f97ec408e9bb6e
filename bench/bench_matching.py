"""Benchmarks for the referral side: matching 5,000 providers and importing 3,000 Ofsted rows.

Targets (issue 3): matching a referral against 5,000 providers under 50 ms
median; an Ofsted import of 3,000 rows under 5 s. Data is generated here,
deterministically, into a scratch database, so the figures do not depend on
the demo generator; the matching figure is also taken on the large demo
database when the harness provides one.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import timed_runs

ISSUE = 3
TODAY = dt.date(2026, 3, 2)
N_PROVIDERS = 5000
N_OFSTED_ROWS = 3000
MATCH_LIMIT_MS = 50.0
IMPORT_LIMIT_S = 5.0
_AREAS = ["S", "LS", "M", "B", "NG", "DE", "YO", "HU", "BD", "WF", "DN", "L", "NE", "SR", "BS"]
_LAS = ["Sheffield", "Leeds", "Manchester", "Birmingham", "Nottingham", "Derby", "York", "Hull", "Bradford",
        "Wakefield", "Doncaster", "Liverpool", "Newcastle", "Sunderland", "Bristol"]


def populate_providers(session: Any, n: int, seed: int = 7) -> None:
    """``n`` providers of every type with locations, rates, caps and past offers: the matcher's full workload."""
    from sqlalchemy import insert

    from placedesk.models import Cap, PostcodeLocation, Provider
    from placedesk.models.enums import CapSeverity, CapStatus, ContractRoute, OfstedJudgement, ProviderType, RiskLevel
    from placedesk.models.vocab import CAPABILITIES

    rng = random.Random(seed)
    codes = list(CAPABILITIES)
    locations: dict[str, tuple[float, float]] = {}
    for i, area in enumerate(_AREAS):
        for district in range(1, 30):
            locations[f"{area}{district}"] = (51.4 + i * 0.15 + rng.random() * 0.1, -2.6 + rng.random() * 1.5)
    session.execute(insert(PostcodeLocation), [
        {"postcode": k, "latitude": a, "longitude": b} for k, (a, b) in locations.items()])
    rows = []
    caps = []
    now = dt.datetime.now(dt.timezone.utc)
    for i in range(n):
        area_index = rng.randrange(len(_AREAS))
        places = rng.randint(1, 8)
        low = rng.randint(250000, 700000)
        pid = uuid.uuid4()
        rows.append({
            "id": pid, "created_at": now, "updated_at": now, "version": 1,
            "ref": f"PRV-BNCH-{i + 1:05d}", "urn": f"SC{100000 + i}", "name": f"Provider {rng.randrange(10**6):06d}",
            "provider_type": rng.choice(list(ProviderType)), "registration_status": "Active",
            "postcode": f"{_AREAS[area_index]}{rng.randint(1, 29)} {rng.randint(1, 9)}AB",
            "local_authority": _LAS[area_index], "contract_route": rng.choice(list(ContractRoute)),
            "places": places, "vacancies": rng.randint(0, places),
            "capabilities": rng.sample(codes, rng.randint(2, len(codes))),
            "weekly_rate_from_pence": low, "weekly_rate_to_pence": low + rng.randint(0, 150000),
            "ofsted_judgement": rng.choice(list(OfstedJudgement)), "risk_level": rng.choice(list(RiskLevel)),
            "suspended": rng.random() < 0.01, "suspension_reason": "Bench suspension",
        })
        if rng.random() < 0.05:
            caps.append({"id": uuid.uuid4(), "created_at": now, "updated_at": now, "version": 1,
                         "ref": f"CAP-BNCH-{i:05d}", "provider_id": pid, "issue": "Bench issue",
                         "severity": CapSeverity.MEDIUM, "status": CapStatus.OPEN, "opened_on": TODAY})
    session.execute(insert(Provider), rows)
    if caps:
        session.execute(insert(Cap), caps)


def _bench_referral(session: Any) -> Any:
    from placedesk.models import Child, Referral, ReferralFundingShare
    from placedesk.models.enums import FundingPartner, PlacementType

    child = Child(case_reference="BENCH-1", first_name="Bench", last_name="Child", date_of_birth=dt.date(2012, 1, 1),
                  home_postcode="S10 2TN", home_local_authority="Sheffield")
    referral = Referral(ref="REF-BNCH-0001", child=child, placement_type=PlacementType.CHILDRENS_HOME,
                        required_start_date=TODAY, needs=["emotional_behavioural", "autism"], risks=["missing"],
                        max_distance_km=60.0, budget_ceiling_pence=500000)
    referral.funding_shares.append(ReferralFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=10000))
    session.add(referral)
    session.flush()
    return referral


def measure_matching(db_path: Path, *, repeat: int = 30, generate: bool = True) -> dict[str, Any]:
    """Median/p95 of ``match_referral`` on the database (5,000 generated providers when ``generate``)."""
    from sqlalchemy import func, select

    from placedesk.db import open_database
    from placedesk.models import Provider, Referral
    from placedesk.runtime import freeze_startup_objects
    from placedesk.services.referrals.matching import match_referral

    db = open_database(db_path)
    try:
        if generate:
            with db.session_scope() as session:
                populate_providers(session, N_PROVIDERS)
                _bench_referral(session)
        with db.session_scope() as session:
            n = session.scalar(select(func.count()).select_from(Provider))
            referral = session.scalars(
                select(Referral).where(Referral.placement_type.is_not(None)).order_by(Referral.ref)
            ).first()
            if referral is None:
                referral = _bench_referral(session)
            match_referral(session, referral, today=TODAY)  # warm caches and statement compilation
            # Ranking runs in the app after its start-up objects are frozen (placedesk.runtime).
            freeze_startup_objects()
            times, cpu = timed_runs(lambda: match_referral(session, referral, today=TODAY), repeat)
            result = match_referral(session, referral, today=TODAY)
            session.rollback()
    finally:
        db.close()
    return {"providers": n, "ranked": len(result.ranked), "excluded": len(result.excluded),
            "median_ms": statistics.median(times) * 1000, "p95_ms": sorted(times)[int(0.95 * (len(times) - 1))] * 1000,
            "cpu_median_ms": statistics.median(cpu) * 1000}


def write_ofsted_file(path: Path, n: int, seed: int = 11) -> None:
    """A CSV shaped like Ofsted's providers list, ``n`` rows, some of them unreadable."""
    rng = random.Random(seed)
    types = ["Children's home", "Independent Fostering Agency", "Supported Accommodation Undertaking",
             "Residential Special School", "Voluntary Adoption Agency", "Residential Family Centre"]
    judgements = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate", ""]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["URN", "Provision type", "Registration status", "Name", "Address 1", "Town", "Postcode",
                         "Local authority", "Ofsted region", "Sector", "Places",
                         "Organisation which owns the provider", "Inspection date",
                         "Overall experiences and progress of children and young people"])
        for i in range(n):
            judgement = rng.choice(judgements)
            date = "" if not judgement else (TODAY - dt.timedelta(days=rng.randint(1, 1500))).strftime("%d/%m/%Y")
            urn = f"SC{200000 + i}" if rng.random() > 0.01 else "bad-urn"
            area = rng.randrange(len(_AREAS))
            writer.writerow([urn, rng.choice(types), "Active", f"Home {i}", f"{i} High Street", _LAS[area],
                             f"{_AREAS[area]}{rng.randint(1, 29)} 1AB", _LAS[area], "Region", "Private",
                             rng.randint(1, 8), "Owner Ltd", date, judgement])


def measure_ofsted_import(folder: Path, *, repeat: int = 3) -> dict[str, Any]:
    """Seconds to import a fresh 3,000-row list into an empty database (median of ``repeat``)."""
    from placedesk.db import open_database
    from placedesk.services.referrals.ofsted_import import import_ofsted_providers

    source = folder / "ofsted.csv"
    write_ofsted_file(source, N_OFSTED_ROWS)
    times, cpu = [], []
    report = None
    for attempt in range(repeat):
        db = open_database(folder / f"ofsted-{attempt}.sqlite")
        try:
            start, start_cpu = time.perf_counter(), time.process_time()
            with db.session_scope() as session:
                report = import_ofsted_providers(session, source, today=TODAY, laptop_id="BNCH")
            cpu.append(time.process_time() - start_cpu)
            times.append(time.perf_counter() - start)
        finally:
            db.close()
    assert report is not None
    return {"rows": report.rows_read, "added": report.added, "bad_rows": report.bad_rows,
            "median_s": statistics.median(times), "cpu_median_s": statistics.median(cpu)}


def run(ctx: Any) -> list[Any]:
    """The harness entry point: results for matching (generated and large demo) and the Ofsted import."""
    from bench import common

    results = []
    speed = f"10M-step Python loop takes {common.python_loop_seconds():.2f} s CPU here"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        m = measure_matching(folder / "match.sqlite")
        results.append(common.Result(
            name="match referral vs 5,000 generated providers (median)", value=m["median_ms"], unit="ms",
            limit=MATCH_LIMIT_MS,
            detail=f"{m['providers']} providers, {m['ranked']} ranked, p95 {m['p95_ms']:.1f} ms, "
                   f"CPU median {m['cpu_median_ms']:.1f} ms; {speed}",
        ))
        large = getattr(ctx, "large_db_path", None)
        if large:
            # Read only (the session is rolled back), so the shared cached file is used as it is.
            m = measure_matching(Path(large()), generate=False)
            results.append(common.Result(
                name="match referral on the large demo database (median)", value=m["median_ms"], unit="ms",
                limit=MATCH_LIMIT_MS,
                detail=f"{m['providers']} providers, {m['ranked']} ranked, CPU median {m['cpu_median_ms']:.1f} ms",
            ))
        o = measure_ofsted_import(folder)
        results.append(common.Result(
            name="Ofsted import of 3,000 rows (median)", value=o["median_s"], unit="s", limit=IMPORT_LIMIT_S,
            detail=f"{o['added']} added, {o['bad_rows']} unreadable rows reported, audited; "
                   f"CPU median {o['cpu_median_s']:.2f} s",
        ))
    return results


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print("matching:", measure_matching(Path(tmp) / "m.sqlite"))
        print("ofsted import:", measure_ofsted_import(Path(tmp)))
