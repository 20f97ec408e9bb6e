"""``placedesk demo``: fill a new database with deterministic synthetic demo data."""

from __future__ import annotations

import argparse
import sys
import time

from placedesk.commands._common import open_db


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        "demo",
        help="fill a new, empty database with realistic synthetic demo data (no real people)",
        description="Generate demo data into a database that has no providers or children yet. "
        "The same seed always gives the same data.",
    )
    demo.add_argument("--scale", choices=("small", "large"), default="small",
                      help="small: one officer's caseload (about 150 providers, 60 children); "
                      "large: a regional team over years (5,000+ providers, 20,000 children)")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from placedesk.services.demo import generate_demo

    db = open_db(args)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", flush=True)

    try:
        with db.session_scope() as session:
            summary = generate_demo(session, scale=args.scale, seed=args.seed, progress=progress)
    finally:
        db.close()
    for line in summary.lines():
        print(line)
    print(f"Done in {time.perf_counter() - started:.1f}s: {db.location}", file=sys.stderr)
    return 0
