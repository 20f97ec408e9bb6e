"""Coming up alone on the team server and the SQLite file (issue 17): the one read of ``team_server``, quicker.

``python -m bench team_server`` times Coming up beside matching and the
dashboard, then runs 20 officers for two minutes (about 5 minutes in all).
This area times Coming up (28 days) alone, with more rounds: the same
throwaway server with the council's settings (:func:`bench.bench_team_server.start_council_server`),
the large demo loaded by the real command and ``VACUUM (ANALYZE)``, the
cached large SQLite file, both engines timed in turn round by round with
start-up objects frozen from the second round, as the app runs it. About 2
minutes. Targets as in ``team_server``: under 300 ms on PostgreSQL, within
2x of the SQLite file. Coming up keeps each young person's leaving-care duties
from one refresh to the next (``milestones._DUTIES``), so the rounds after the
first are refreshes; the first refresh after start-up, working out every
status, is recorded beside them.

Run: ``.venv/bin/python -m bench coming_up_server``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from pathlib import Path
from typing import Any

ISSUE = 17
ROUNDS = 12  # the first warms each engine's caches and is not counted


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def first_refreshes(targets: dict[str, Any], today: dt.date, rounds: int = 6) -> dict[str, list[float]]:
    """Wall ms of Coming up on each engine with no leaving-care duties kept from an earlier refresh.

    As the first refresh after start-up: every young person's status is worked
    out (``milestones._DUTIES`` emptied before each read; the engines' caches warm).
    """
    from placedesk.config import MonitoringSettings
    from placedesk.db import open_database
    from placedesk.services.care import milestones
    from placedesk.services.care.coming_up import coming_up

    dbs = {engine: open_database(target, create=False) for engine, target in targets.items()}
    out: dict[str, list[float]] = {engine: [] for engine in dbs}
    try:
        sessions = {engine: db.session() for engine, db in dbs.items()}
        for round_no in range(rounds):
            for engine, session in sessions.items():
                milestones._DUTIES.clear()
                start = time.perf_counter()
                coming_up(session, today=today, days=28, intervals=MonitoringSettings())
                wall = time.perf_counter() - start
                session.rollback()
                if round_no:
                    out[engine].append(wall * 1000)
        for session in sessions.values():
            session.close()
    finally:
        for db in dbs.values():
            db.close()
    return out


def run(ctx: Any) -> list[Any]:
    """Server up, demo in, Coming up on both engines round by round, server gone."""
    from bench import common
    from bench.bench_team_server import (
        COMING_UP_LIMIT_MS,
        DBNAME,
        RATIO_LIMIT,
        load_demo,
        load_now,
        measure_reads,
        server_cpu_seconds,
        start_council_server,
    )

    today = dt.date.today()
    lite = Path(ctx.large_db_path())
    server = start_council_server()
    try:
        url = server.url(DBNAME)
        load_demo(ctx, url)
        server.psql("VACUUM (ANALYZE)", DBNAME)
        load_before = load_now()
        start = time.perf_counter()
        reads = measure_reads({"postgresql": url, "sqlite": lite}, today, lambda: server_cpu_seconds(server),
                              only=("coming_up",), rounds=ROUNDS)
        seconds = time.perf_counter() - start
        load = f"load average {load_before} before, {load_now()} after ({seconds:.0f} s)"
        first = first_refreshes({"postgresql": url, "sqlite": lite}, today)
    finally:
        server.stop()
    facts = reads["facts"]
    wall, cpu = reads["wall"]["coming_up"], reads["cpu"]["coming_up"]
    pg, lite_ms = wall["postgresql"], wall["sqlite"]
    same = (f"the same {facts['coming_up']['postgresql']:,} items on both engines" if facts["coming_up_same"]
            else f"ITEMS DIFFER: {facts['coming_up']}")
    ratio = _median(pg) / max(_median(lite_ms), 0.001)
    server_ms = statistics.fmean(reads["server_cpu"]["coming_up"] or [0.0])
    return [
        common.Result(
            name=f"Coming up (28 days) alone, PostgreSQL (median of {len(pg)})", value=round(_median(pg), 1),
            unit="ms", limit=COMING_UP_LIMIT_MS,
            note=f"min {min(pg):.1f}, max {max(pg):.1f}; CPU per read: client median {_median(cpu['postgresql']):.1f} ms, "
                 f"server mean {server_ms:.0f} ms (10 ms ticks); {same}; {load}"),
        common.Result(
            name=f"Coming up (28 days) alone, SQLite file (median of {len(lite_ms)})", value=round(_median(lite_ms), 1),
            unit="ms", limit=COMING_UP_LIMIT_MS,
            note=f"min {min(lite_ms):.1f}, max {max(lite_ms):.1f}; client CPU median {_median(cpu['sqlite']):.1f} ms"),
        common.Result(
            name=f"Coming up (28 days), first refresh after start-up, PostgreSQL (median of {len(first['postgresql'])})",
            value=round(_median(first["postgresql"]), 1), unit="ms", target="recorded", passed=True,
            note=f"every young person's leaving-care status worked out (none kept from a refresh before); "
                 f"SQLite file {_median(first['sqlite']):.1f} ms"),
        common.Result(
            name="Coming up (28 days) alone, PostgreSQL / SQLite file (same run)", value=round(ratio, 2), unit="x",
            target=f"< {RATIO_LIMIT:g} x", passed=ratio <= RATIO_LIMIT and facts["coming_up_same"],
            note=f"SQLite median {_median(lite_ms):.1f} ms, PostgreSQL {_median(pg):.1f} ms"),
    ]


if __name__ == "__main__":
    from bench.common import BenchContext

    for result in run(BenchContext()):
        print(result.to_json())
