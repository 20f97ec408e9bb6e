"""``python -m bench [area ...]``: run benchmark modules, print a table, rewrite bench/RESULTS.md.

Areas are the ``bench/bench_<area>.py`` modules; with none named, all run.
Raw results live in ``bench/out/results.json`` and, so that they survive a
fresh clone, in a comment at the end of RESULTS.md; the whole file is
rendered from them, so areas not run this time keep their last figures.

Every area starts from the same garbage-collector state, whatever ran before
it: nothing frozen. A measure of something the app does on screen freezes the
objects alive after its set-up and warm-up, as the app freezes its start-up
objects once its window is ready (``placedesk.runtime``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import json
import os
import pkgutil
import re
import sys
import time
import traceback
from typing import Any

from bench.common import BENCH_DIR, OUT_DIR, BenchContext, Result, machine

RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_JSON = OUT_DIR / "results.json"
JSON_MARK = "<!-- results-json"


def discover() -> list[str]:
    """Every area with a ``bench_<area>.py`` module, sorted."""
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_"))


def load_store() -> dict[str, Any]:
    """Stored results by area: from bench/out, else from the comment in RESULTS.md."""
    if RESULTS_JSON.exists():
        try:
            return dict(json.loads(RESULTS_JSON.read_text(encoding="utf-8")))
        except ValueError:
            pass
    if RESULTS_MD.exists():
        match = re.search(re.escape(JSON_MARK) + r"\n(.*?)\n-->", RESULTS_MD.read_text(encoding="utf-8"), re.S)
        if match:
            try:
                return dict(json.loads(match.group(1)))
            except ValueError:
                pass
    return {}


def _fresh_heap() -> None:
    """Unfreeze what an earlier area froze, so each area starts as a new process would."""
    from placedesk import runtime

    gc.unfreeze()
    runtime._frozen = False  # a harness-only reset: the app freezes once per process
    gc.collect()


def run_area(area: str, ctx: BenchContext) -> tuple[list[Result], float]:
    """Run one module; a crash becomes a failed result rather than stopping the others."""
    start = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.bench_{area}")
        _fresh_heap()
        results = list(module.run(ctx))
        issue = getattr(module, "ISSUE", None)
        for result in results:
            if result.issue is None:
                result.issue = issue
    except Exception as exc:  # noqa: BLE001 - one broken module must not hide the others' figures
        traceback.print_exc()
        results = [Result(name=f"{area} benchmark crashed", value=0.0, unit="", target="runs", passed=False,
                          note=f"{type(exc).__name__}: {exc}"[:300])]
    return results, time.perf_counter() - start


def format_value(value: float, unit: str) -> str:
    if unit in ("", "count", "rows"):
        return f"{value:,.0f}"
    return f"{value:,.3g} {unit}" if abs(value) < 100 else f"{value:,.0f} {unit}"


def table_lines(results: list[dict[str, Any]]) -> list[str]:
    lines = ["| Issue | Measure | Value | Target | Met | Note |", "|---|---|---|---|---|---|"]
    for r in results:
        issue = f"#{r['issue']}" if r.get("issue") else ""
        met = "yes" if r["passed"] else "**NO**"
        note = str(r.get("note", "")).replace("|", "/").replace("\n", " ")
        lines.append(f"| {issue} | {r['name']} | {format_value(r['value'], r['unit'])} | {r['target']} | {met} | {note} |")
    return lines


def render(store: dict[str, Any]) -> str:
    """The whole RESULTS.md from the stored results of every area."""
    out = [
        "# PlaceDesk benchmark results",
        "",
        "Produced by `make bench` (`python -m bench [area ...]`); do not edit by hand: the file is",
        "rewritten from the stored results on every run. Each section gives the machine and date of",
        "its own run, because areas may be run separately. The machine is shared and 2-core, so",
        "figures carry its load average at the time.",
        "",
    ]
    for area in sorted(store):
        entry = store[area]
        m = entry.get("machine", {})
        out += [
            f"## {area}",
            "",
            f"Run {entry.get('ran_at', '?')} with `{entry.get('command', 'make bench')}` in {entry.get('seconds', 0):.0f} s "
            f"on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, {m.get('ram', '?')} RAM, "
            f"Python {m.get('python', '?')}, {m.get('system', '')} (load average {m.get('load', '?')})"
            + (f"; a 10M-step Python loop took {m['loop_s']} s CPU as it started (the machine's speed then: "
               "compare sections by it)."
               if m.get("loop_s") else "."),
            "",
            *table_lines(entry.get("results", [])),
            "",
        ]
    out += [JSON_MARK, json.dumps(store, indent=1, sort_keys=True), "-->", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", help="areas to run (default: all): " + ", ".join(discover()))
    args = parser.parse_args(argv)
    available = discover()
    unknown = [a for a in args.areas if a not in available]
    if unknown:
        parser.error(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(available)}")
    areas = args.areas or available
    # Benchmarks that build widgets in-process must never need a display.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ctx = BenchContext()
    failed = 0
    for area in areas:
        print(f"== {area}", flush=True)
        results, seconds = run_area(area, ctx)
        rows = [r.to_json() for r in results]
        for line in table_lines(rows):
            print(line)
        failed += sum(not r.passed for r in results)
        # Re-read before writing: another area may have been run alongside this one.
        store = load_store()
        store[area] = {
            "ran_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "make bench" if not args.areas else f"python -m bench {area}",
            "seconds": round(seconds, 1),
            "machine": machine(),
            "results": rows,
        }
        # Save after every area, so a long run interrupted late keeps what it measured.
        from placedesk.fileio import atomic_write_text

        OUT_DIR.mkdir(parents=True, exist_ok=True)
        atomic_write_text(RESULTS_JSON, json.dumps(store, indent=1, sort_keys=True))
        atomic_write_text(RESULTS_MD, render(store))
    print(f"Wrote {RESULTS_MD.relative_to(BENCH_DIR.parent)}; {failed} figure(s) missed their target.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
