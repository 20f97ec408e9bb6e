"""The team server's three timed reads alone (issue 17): matching, Coming up and the dashboard, on both engines.

``python -m bench team_server`` measures these reads and the two 20-officer
runs (about six minutes, most of it the officers). This area measures the reads
only, with three times the rounds, on the same council-like server and large
demo (:mod:`bench.bench_team_server`): about two and a half minutes, for work
on one of them. Its figures are recorded in a section of their own.

``PLACEDESK_BENCH_TEAM_URL``, a superuser URL of a server that already holds the
large demo (loaded with ``placedesk demo --scale large --seed 1 --db URL``),
skips starting and loading a server; its CPU is then not measured.

Run: ``.venv/bin/python -m bench team_reads``.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from bench.bench_team_server import (
    DBNAME,
    load_demo,
    load_now,
    measure_reads,
    read_results,
    server_cpu_seconds,
    start_council_server,
)

ISSUE = 17
# The first round warms each engine's caches and is not counted.
ROUNDS = 16
URL_VARIABLE = "PLACEDESK_BENCH_TEAM_URL"


def run(ctx: Any) -> list[Any]:
    """The harness entry point: a loaded server (started here unless given), then the reads on both engines."""
    from bench import common

    today = dt.date.today()
    lite = Path(ctx.large_db_path())
    given = os.environ.get(URL_VARIABLE)
    if given:
        load_before = load_now()
        reads = measure_reads({"postgresql": given, "sqlite": lite}, today, rounds=ROUNDS)
        reads["load"] = f"load average {load_before} before, {load_now()} after; server given, not started here"
        return list(read_results(reads, common))
    server = start_council_server()
    try:
        url = server.url(DBNAME)
        load_demo(ctx, url)
        start = time.perf_counter()
        server.psql("VACUUM (ANALYZE)", DBNAME)
        vacuum_s = time.perf_counter() - start
        load_before = load_now()
        reads = measure_reads({"postgresql": url, "sqlite": lite}, today, lambda: server_cpu_seconds(server),
                              rounds=ROUNDS)
        reads["load"] = (f"load average {load_before} before, {load_now()} after; large demo loaded here, "
                         f"then VACUUM (ANALYZE) {vacuum_s:.0f} s")
    finally:
        server.stop()
    return list(read_results(reads, common))


if __name__ == "__main__":
    from bench.common import BenchContext

    for result in run(BenchContext()):
        print(result.to_json())
