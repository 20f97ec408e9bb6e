"""Benchmarks for transitions and the officer's week: leaving-care status and the Coming up list.

Targets (issue 7): leaving-care status for 20,000 children under 2 s (timed
both as the pure rules and as ``leaving_care_report`` reading a database of
20,000 children in two queries); the Coming up list on the large demo
database under 300 ms. The children are generated here, deterministically,
so the first two figures do not depend on the demo generator. The Coming up
list is timed as the app runs it: warm caches, start-up objects frozen out of
garbage collection (``placedesk.runtime``).

Run alone: ``.venv/bin/python -m bench leaving_care`` (through the harness) or
``.venv/bin/python -m bench.bench_leaving_care [LARGE_DEMO.sqlite]``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

from bench.common import timed_runs

ISSUE = 7
ON = dt.date(2026, 3, 2)
N_CHILDREN = 20_000
STATUS_LIMIT_S = 2.0
COMING_UP_LIMIT_MS = 300.0
_STATUSES = ["C2"] * 6 + ["C1"] * 3 + ["V2"] * 4 + ["E1", "J1", "V3", "V4", "L2"]
_PLACES = ["U4", "U6", "K2", "H5", "R1", "S1", "P1"]


def synthetic_children(n: int, seed: int = 11) -> list[tuple[dt.date, list[Any]]]:
    """``n`` children aged 10 to 26 with 0 to 6 care periods each (short breaks, open and closed)."""
    from placedesk.services.care.leaving_care import Period

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        dob = ON - dt.timedelta(days=rng.randint(10 * 365, 26 * 365))
        periods = []
        start = dob + dt.timedelta(days=rng.randint(0, 17 * 365))
        for _ in range(rng.randint(0, 6)):
            length = rng.randint(1, 700)
            end: dt.date | None = start + dt.timedelta(days=length)
            if end is not None and end > ON:
                end = None
            periods.append(Period(start, end, rng.choice(_STATUSES)))
            if end is None:
                break
            start = end + dt.timedelta(days=rng.choice([0, 0, 0, 30, 200]))
            if start > ON:
                break
        out.append((dob, periods))
    return out


def measure_status(n: int = N_CHILDREN, repeat: int = 3) -> dict[str, float]:
    """The pure rules for ``n`` children, every status and change date worked out."""
    from placedesk.services.care.leaving_care import leaving_care_status

    children = synthetic_children(n)
    wall, cpu = timed_runs(lambda: [leaving_care_status(dob, periods, ON) for dob, periods in children], repeat)
    return {"children": n, "median_s": statistics.median(wall), "cpu_s": statistics.median(cpu),
            "periods": sum(len(p) for _, p in children)}


def measure_report(path: Path, n: int = N_CHILDREN, repeat: int = 3) -> dict[str, float]:
    """``leaving_care_report`` over a scratch database of ``n`` children and their periods."""
    from sqlalchemy import insert

    from placedesk.db import open_database
    from placedesk.models import CarePeriod, Child
    from placedesk.services.care.leaving_care import leaving_care_report

    db = open_database(path)
    try:
        now = dt.datetime.now(dt.timezone.utc)
        children, periods = [], []
        for i, (dob, spells) in enumerate(synthetic_children(n)):
            child_id = uuid.uuid4()
            children.append({"id": child_id, "case_reference": f"B{i:06d}", "first_name": "", "last_name": "",
                             "date_of_birth": dob, "created_at": now, "updated_at": now, "version": 1})
            periods.extend({"id": uuid.uuid4(), "child_id": child_id, "start_date": p.start_date,
                            "end_date": p.end_date, "legal_status": p.legal_status,
                            "placement_code": random.Random(i).choice(_PLACES), "source": "ssda903",
                            "created_at": now, "updated_at": now, "version": 1} for p in spells)
        with db.session_scope() as s:
            s.execute(insert(Child), children)
            s.execute(insert(CarePeriod), periods)

        def report() -> None:
            with db.session() as s:
                leaving_care_report(s, ON)

        wall, cpu = timed_runs(report, repeat)
    finally:
        db.close()
    return {"children": n, "periods": len(periods), "median_s": statistics.median(wall),
            "cpu_s": statistics.median(cpu)}


def measure_coming_up(path: Path, repeat: int = 9) -> dict[str, float]:
    """The Coming up list (28 days) on an existing database, e.g. the large demo."""
    from placedesk.config import MonitoringSettings
    from placedesk.db import open_database
    from placedesk.runtime import freeze_startup_objects
    from placedesk.services.care.coming_up import coming_up

    db = open_database(path)
    count = 0
    try:
        def once() -> None:
            nonlocal count
            with db.session() as s:
                count = len(coming_up(s, today=dt.date.today(), days=28, intervals=MonitoringSettings()))

        once()  # warm the page cache and SQLAlchemy's statement cache, as a running app has them
        # The app freezes its start-up objects out of garbage collection once its window is
        # ready (placedesk.runtime); measured without, a full collection of this process's
        # start-up objects lands in about every other run.
        freeze_startup_objects()
        wall, cpu = timed_runs(once, repeat)
    finally:
        db.close()
    return {"items": count, "median_ms": statistics.median(wall) * 1000, "max_ms": max(wall) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000}


def _load() -> str:
    try:
        return f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    except OSError:
        return ""


def _large_db(ctx: Any) -> Path | None:
    large = getattr(ctx, "large_db_path", None)
    if callable(large):
        large = large()
    return Path(large) if large else None


def run(ctx: Any) -> list[Any]:
    """The harness entry point."""
    from bench import common

    results = []
    s = measure_status()
    results.append(common.Result(
        name="leaving-care status, 20,000 children (rules only, median)", value=s["median_s"], unit="s",
        limit=STATUS_LIMIT_S,
        detail=f"{s['children']:,} children, {s['periods']:,} periods; CPU {s['cpu_s']:.2f} s{_load()}",
    ))
    with tempfile.TemporaryDirectory() as tmp:
        r = measure_report(Path(tmp) / "leaving.sqlite")
    results.append(common.Result(
        name="leaving-care report, 20,000 children from the database (median)", value=r["median_s"], unit="s",
        limit=STATUS_LIMIT_S,
        detail=f"{r['children']:,} children, {r['periods']:,} periods, two queries; CPU {r['cpu_s']:.2f} s{_load()}",
    ))
    large = _large_db(ctx)
    if large is not None:
        # Read in place: the list only reads, and the file is hundreds of megabytes.
        c = measure_coming_up(large)
        results.append(common.Result(
            name="Coming up list (28 days) on the large demo database (median)", value=c["median_ms"], unit="ms",
            limit=COMING_UP_LIMIT_MS,
            detail=(f"{c['items']:,} items, slowest of 9 {c['max_ms']:.0f} ms; CPU {c['cpu_ms']:.0f} ms; "
                    f"start-up objects frozen as in the app{_load()}"),
        ))
    return results


if __name__ == "__main__":
    print("leaving-care rules:", measure_status())
    with tempfile.TemporaryDirectory() as tmp:
        print("leaving-care report:", measure_report(Path(tmp) / "leaving.sqlite"))
    if len(sys.argv) > 1:
        print("coming up:", measure_coming_up(Path(sys.argv[1])))
