"""Encryption at rest (issue 12): the large demo database opened encrypted versus plain.

Two copies of the large demo: one plain, one converted with ``encrypt_database``
under a key kept in a keystore (a file-backed test keystore the child processes
share, standing in for the system's, as an officer's laptop would hold it). Measured:

- start-up in fresh processes, alternately plain and encrypted: to the window
  shown and idle, and to Coming up filled from the database;
- the monitoring dashboard computed in-process on each (median of 5);
- Coming up computed in-process on each (median of 5).

Target: every encrypted figure within 1.5x of the plain one.
Set ``PLACEDESK_BENCH_LARGE`` to an already generated large demo file to reuse it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.common import ROOT, BenchContext, Result, timeit

ISSUE = 12
RATIO_LIMIT = 1.5
STARTS = 5

KEYSTORE_ENV = "PLACEDESK_BENCH_KEYSTORE"

# The same watch as bench_foundation's start-up: one JSON line per stage.
APP_SCRIPT = """
import json, sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

def _emit(stage):
    print(json.dumps({"stage": stage, "t": time.time()}), flush=True)

def _watch():
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(10, _watch)
        return
    window = shown[0]
    _emit("idle")

    def ready():
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


def _env(ctx: BenchContext, keystore: Path) -> dict[str, str]:
    return dict(ctx.python_env(), PYTHON_KEYRING_BACKEND="bench.keystore.FileKeyring",
                **{KEYSTORE_ENV: str(keystore)}, PYTHONPATH=str(ROOT))


def _start(ctx: BenchContext, db: Path, keystore: Path) -> dict[str, float]:
    spawned = time.time()
    child = subprocess.run([ctx.python, "-c", APP_SCRIPT, str(db)], capture_output=True, text=True,
                           env=_env(ctx, keystore), cwd=ROOT, timeout=180)
    stages = {}
    for line in child.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            stages[record["stage"]] = float(record["t"]) - spawned
    if set(stages) != {"idle", "filled"}:
        raise RuntimeError(f"start-up did not report every stage: {child.stderr.strip()[-1500:]}")
    return stages


def prepare(ctx: BenchContext) -> tuple[Path, Path, Path]:
    """A plain and an encrypted copy of the large demo, and the keystore file holding the key."""
    from bench.keystore import FileKeyring
    from placedesk.db import encrypt_database

    source = Path(os.environ.get("PLACEDESK_BENCH_LARGE") or ctx.large_db_path())
    plain = ctx.out_dir / "encryption-plain.sqlite"
    encrypted = ctx.out_dir / "encryption-encrypted.sqlite"
    keystore = ctx.out_dir / "encryption-keystore.json"
    for path in (plain, encrypted):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, plain)
    shutil.copyfile(source, encrypted)
    keystore.unlink(missing_ok=True)
    os.environ[KEYSTORE_ENV] = str(keystore)
    import keyring

    keyring.set_keyring(FileKeyring())
    from placedesk.dbkey import ensure_keystore_key

    encrypt_database(encrypted, ensure_keystore_key())
    return plain, encrypted, keystore


def in_process(plain: Path, encrypted: Path) -> dict[str, tuple[float, float]]:
    """Median milliseconds of the dashboard and Coming up on each copy, opened the same way."""
    from placedesk.config import MonitoringSettings
    from placedesk.db import open_database
    from placedesk.services.care.coming_up import coming_up
    from placedesk.services.monitoring.dashboard import compute_dashboard

    today = dt.date.today()
    figures: dict[str, tuple[float, float]] = {}
    timings: dict[str, list[float]] = {"open": [], "dashboard": [], "coming_up": []}
    for path in (plain, encrypted):
        start = time.perf_counter()
        db = open_database(path, create=False)
        with db.session() as session:
            session.execute(__import__("sqlalchemy").text("SELECT count(*) FROM provider")).scalar()
        timings["open"].append((time.perf_counter() - start) * 1000)
        try:
            def dashboard() -> None:
                with db.session() as session:
                    compute_dashboard(session, on=today)

            def upcoming() -> None:
                with db.session() as session:
                    coming_up(session, today=today, days=28, intervals=MonitoringSettings())

            timings["dashboard"].append(timeit(dashboard, repeat=5, warmup=1).median_ms)
            timings["coming_up"].append(timeit(upcoming, repeat=5, warmup=1).median_ms)
        finally:
            db.close()
    for name, (p, e) in timings.items():
        figures[name] = (p, e)
    return figures


def run(ctx: BenchContext) -> list[Result]:
    plain, encrypted, keystore = prepare(ctx)
    size_mb = encrypted.stat().st_size / 1024 / 1024
    _start(ctx, plain, keystore)
    _start(ctx, encrypted, keystore)
    runs: dict[str, list[dict[str, float]]] = {"plain": [], "encrypted": []}
    for _ in range(STARTS):
        runs["plain"].append(_start(ctx, plain, keystore))
        runs["encrypted"].append(_start(ctx, encrypted, keystore))
    results: list[Result] = []
    for stage, label in (("idle", "start-up to main window shown and idle"),
                         ("filled", "start-up to Coming up filled")):
        p = statistics.median(r[stage] for r in runs["plain"])
        e = statistics.median(r[stage] for r in runs["encrypted"])
        results.append(Result(name=f"{label}, large demo encrypted vs plain (median of {STARTS})", value=e / p,
                              unit="x", limit=RATIO_LIMIT,
                              note=f"encrypted {e:.2f} s, plain {p:.2f} s; database {size_mb:,.0f} MB"))
    figures = in_process(plain, encrypted)
    for name, label in (("dashboard", "monitoring dashboard"), ("coming_up", "Coming up (28 days)")):
        p, e = figures[name]
        results.append(Result(name=f"{label} on the large demo, encrypted vs plain (median of 5)", value=e / p,
                              unit="x", limit=RATIO_LIMIT, note=f"encrypted {e:.0f} ms, plain {p:.0f} ms"))
    p, e = figures["open"]
    results.append(Result(name="opening the database and a first query, encrypted vs plain", value=e - p, unit="ms",
                          note=f"encrypted {e:.0f} ms, plain {p:.0f} ms (key from the keystore: no key stretching)"))
    return results
