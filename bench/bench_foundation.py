"""Foundation figures (issue 2): demo generation, start-up, memory, and the Providers list's first page.

Start-up and memory are measured in fresh child processes, timed from the
parent: from spawning the interpreter to the main window shown with the
event loop idle (a zero-timer fires), on the large demo database, against a
bare PySide6 ``QMainWindow`` measured the same way, alternately, in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import peak
from bench.common import BenchContext, Result, timeit

ISSUE = 2
GENERATION_LIMIT_S = 120.0
STARTUP_LIMIT_S = 0.6
STARTUP_RATIO_LIMIT = 5.0
MEMORY_LIMIT_MB = 400.0
FIRST_PAGE_LIMIT_MS = 100.0
STARTS = 5

# Both child scripts print one JSON line when the window is shown and the loop is idle.
_REPORT = peak.SOURCE + """
def _report():
    import json
    from PySide6.QtWidgets import QApplication, QMainWindow
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(10, _report)
        return
    print(json.dumps({"maxrss_kb": own_peak_kb(), "title": shown[0].windowTitle()}), flush=True)
    QApplication.instance().quit()
"""

BARE_SCRIPT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
""" + _REPORT + """
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1200, 800)
window.show()
QTimer.singleShot(0, _report)
sys.exit(app.exec())
"""

# The real entry point (placedesk.cli.main -> run_gui), watched at three moments: the window
# shown with the event loop idle (the issue's measure), the data layer loaded with the first tab
# built, and the first tab (Coming up) filled from the database. Each prints a JSON line.
APP_SCRIPT = """
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
""" + peak.SOURCE + """
def _emit(stage):
    print(json.dumps({"stage": stage, "t": time.time(), "maxrss_kb": own_peak_kb()}), flush=True)

def _watch():
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(10, _watch)
        return
    window = shown[0]
    _emit("idle")

    def ready():
        _emit("ready")
        tab = window.tab("coming_up")
        tab.loaded.connect(lambda: (_emit("filled"), QApplication.instance().quit()))
        if tab.ready:
            _emit("filled")
            QApplication.instance().quit()

    if window.is_ready:
        ready()
    else:
        window.ready.connect(ready)

app = QApplication(sys.argv[:1])
QTimer.singleShot(0, _watch)
from placedesk.cli import main
sys.exit(main(["--db", sys.argv[1]]))
"""


def start_once(ctx: BenchContext, script: str, *args: str) -> tuple[float, dict[str, object]]:
    """Seconds from spawn to the report line, and what the child reported."""
    start = time.perf_counter()
    child = subprocess.Popen([ctx.python, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=ctx.python_env())
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - start
    _, err = child.communicate(timeout=60)
    if not line.strip():
        raise RuntimeError(f"child exited {child.returncode} without reporting: {err.strip()[-1500:]}")
    return elapsed, json.loads(line)


def start_app_once(ctx: BenchContext, db: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Seconds from spawn to each stage of PlaceDesk's start, and the peak memory once filled.

    ``env`` replaces the child's environment (the encryption bench points keyring at its keystore).
    """
    spawned = time.time()
    child = subprocess.Popen([ctx.python, "-c", APP_SCRIPT, str(db)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env or ctx.python_env())
    out, err = child.communicate(timeout=180)
    stages = {}
    for line in out.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            stages[record["stage"]] = record
    if set(stages) != {"idle", "ready", "filled"}:
        raise RuntimeError(f"start-up did not report every stage ({sorted(stages)}): {err.strip()[-1500:]}")
    times = {stage: float(record["t"]) - spawned for stage, record in stages.items()}
    times["peak_mb"] = int(stages["filled"]["maxrss_kb"]) / 1024
    return times


def measure_startup(ctx: BenchContext, db: Path) -> dict[str, float]:
    """Alternate bare and PlaceDesk starts (after one warm-up each) so load changes hit both alike."""
    start_once(ctx, BARE_SCRIPT)
    start_app_once(ctx, db)
    bare: list[float] = []
    runs: list[dict[str, float]] = []
    for _ in range(STARTS):
        seconds, _ = start_once(ctx, BARE_SCRIPT)
        bare.append(seconds)
        runs.append(start_app_once(ctx, db))

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    return {"bare_s": statistics.median(bare), "app_s": median("idle"), "app_max_s": max(r["idle"] for r in runs),
            "app_min_s": min(r["idle"] for r in runs), "ready_s": median("ready"), "filled_s": median("filled"),
            "peak_mb": max(r["peak_mb"] for r in runs)}


def measure_first_page(db: Path) -> dict[str, float]:
    """Open the Providers table model on ``db`` and load its first page (count + first 200 rows)."""
    # The harness is headless: without this Qt aborts the whole run when no display is found.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from placedesk.config import Settings
    from placedesk.db import open_database
    from placedesk.services.referrals.record_lists import provider_list
    from placedesk.ui.context import AppContext
    from placedesk.ui.widgets.paged_model import PagedTableModel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    database = open_database(db, create=False)
    try:
        ctx = AppContext(database, Settings())
        first = time.perf_counter()
        model = PagedTableModel(ctx, provider_list())
        model.reload()
        cold_ms = (time.perf_counter() - first) * 1000
        total = model.total

        def first_page() -> None:
            fresh = PagedTableModel(ctx, provider_list())
            fresh.reload()
            for column in range(fresh.columnCount()):
                fresh.data(fresh.index(0, column))

        timing = timeit(first_page, repeat=7, warmup=1)
    finally:
        database.close()
    del app
    return {"median_ms": timing.median_ms, "max_ms": timing.max_ms, "cold_ms": cold_ms, "providers": total}


def run(ctx: BenchContext) -> list[Result]:
    results: list[Result] = []
    db = ctx.large_db_path()
    if ctx.large_generation_seconds is None:
        # The cached database was reused: time a fresh generation into a scratch file beside it.
        scratch = ctx.out_dir / f"timing-{os.getpid()}.sqlite"
        try:
            ctx.large_generation_seconds = ctx.generate(scratch, "large", 1)
            ctx.large_generation_cpu_seconds = ctx.last_build_cpu_seconds
        finally:
            scratch.unlink(missing_ok=True)
    size_mb = db.stat().st_size / 1024 / 1024
    results.append(Result(
        name="placedesk demo --scale large (whole command)", value=ctx.large_generation_seconds, unit="s",
        limit=GENERATION_LIMIT_S,
        note=f"{ctx.large_generation_cpu_seconds or 0:.0f} s CPU; database {size_mb:,.0f} MB",
    ))
    s = measure_startup(ctx, db)
    results.append(Result(
        name="start-up to main window shown and idle, large demo db (median of 5)", value=s["app_s"], unit="s",
        limit=STARTUP_LIMIT_S,
        note=f"min {s['app_min_s']:.2f} s, max {s['app_max_s']:.2f} s; the window is drawn and responsive "
             "while SQLAlchemy and the models load on a worker thread",
    ))
    results.append(Result(
        name="start-up to the data layer loaded and the first tab built (median of 5)", value=s["ready_s"],
        unit="s", note="no target: recorded so the deferred work is visible",
    ))
    results.append(Result(
        name="start-up to Coming up filled from the large demo db (median of 5)", value=s["filled_s"],
        unit="s", note="no target: the list is computed in the background over the whole caseload",
    ))
    ratio = s["app_s"] / s["bare_s"]
    results.append(Result(
        name="start-up relative to a bare PySide6 QMainWindow (median of 5 each)", value=ratio, unit="x",
        limit=STARTUP_RATIO_LIMIT, note=f"bare {s['bare_s']:.2f} s",
    ))
    results.append(Result(
        name="peak memory (max RSS) with the large demo db open and Coming up filled", value=s["peak_mb"],
        unit="MB",
        limit=MEMORY_LIMIT_MB,
    ))
    p = measure_first_page(db)
    results.append(Result(
        name=f"Providers table first page, {p['providers']:,.0f} providers (median of 7)", value=p["median_ms"],
        unit="ms", limit=FIRST_PAGE_LIMIT_MS, note=f"first ever {p['cold_ms']:.0f} ms, max {p['max_ms']:.0f} ms",
    ))
    return results
