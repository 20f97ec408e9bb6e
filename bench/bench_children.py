"""Benchmark for finding a child: the Children tab's list on the large demo database (20,000 children).

Target (issue 15): the list opens, and a search answers, as fast as the officer
types: under 300 ms for the count and first page of 200 rows, sorted by name or
filtered by a name part, a case reference or a date of birth.

Run alone: ``.venv/bin/python -m bench children`` (through the harness) or
``.venv/bin/python -m bench.bench_children LARGE_DEMO.sqlite``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.common import timed_runs

ISSUE = 15
ON = dt.date(2026, 6, 15)
LIMIT_MS = 300.0
PAGE = 200


def measure(path: Path, repeat: int = 5) -> dict[str, dict[str, float]]:
    """Count plus first page, as ListPanel loads them, for each way the officer looks a child up."""
    from sqlalchemy import select

    from placedesk.db import open_database
    from placedesk.models import Child
    from placedesk.services.care.children import child_list
    from placedesk.services.common.listing import ListRequest, count_rows, fetch_page

    db = open_database(path)
    spec = child_list(ON)
    out: dict[str, dict[str, float]] = {}
    try:
        with db.session() as session:
            sample = session.scalars(select(Child).order_by(Child.case_reference).limit(1)).one()
            requests = {
                "open, sorted by name": ListRequest(sort_key="name"),
                f"a last name ('{sample.last_name.lower()}')": ListRequest(sample.last_name.lower()),
                "a case reference": ListRequest(sample.case_reference),
                "a date of birth (dd/mm/yyyy)": ListRequest(sample.date_of_birth.strftime("%d/%m/%Y")),
            }
            for label, request in requests.items():
                rows = count_rows(session, spec, request)

                def load(request: ListRequest = request) -> None:
                    count_rows(session, spec, request)
                    fetch_page(session, spec, request, 0, PAGE)

                wall, _ = timed_runs(load, repeat)
                out[label] = {"median_ms": statistics.median(wall) * 1000, "rows": rows}
    finally:
        db.close()
    return out


def run(ctx: Any) -> list[Any]:
    """The harness entry point."""
    from bench import common

    large = getattr(ctx, "large_db_path", None)
    if callable(large):
        large = large()
    if not large:
        return []
    results = []
    for label, figures in measure(Path(large)).items():
        results.append(common.Result(
            name=f"Children list on the large demo, {label} (count + first {PAGE} rows, median)",
            value=figures["median_ms"], unit="ms", limit=LIMIT_MS,
            detail=f"{int(figures['rows']):,} children match"))
    return results


if __name__ == "__main__":
    for name, figures in measure(Path(sys.argv[1])).items():
        print(f"{name}: {figures['median_ms']:.0f} ms, {int(figures['rows']):,} rows")
