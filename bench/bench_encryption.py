"""Encryption at rest (issue 12): the large demo database opened encrypted versus plain.

Two copies of the large demo: one plain, one converted with ``encrypt_database``
under a key kept in a keystore (a file-backed test keystore the child processes
share, standing in for the system's, as an officer's laptop would hold it). Measured:

- start-up in fresh processes, alternately plain and encrypted: to the window
  shown and idle, and to Coming up filled from the database;
- the monitoring dashboard and Coming up computed in-process on each (median of
  5, interleaved), and on the plain file read through SQLCipher's driver with no
  key, which separates the driver's own cost from decryption.

Target: every encrypted figure within 1.5x of the plain one.
Set ``PLACEDESK_BENCH_LARGE`` to an already generated large demo file to reuse it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import time
from pathlib import Path

from bench.bench_foundation import start_app_once
from bench.common import ROOT, BenchContext, Result

ISSUE = 12
RATIO_LIMIT = 1.5
STARTS = 5

KEYSTORE_ENV = "PLACEDESK_BENCH_KEYSTORE"

def _env(ctx: BenchContext, keystore: Path) -> dict[str, str]:
    return dict(ctx.python_env(), PYTHON_KEYRING_BACKEND="bench.keystore.FileKeyring",
                **{KEYSTORE_ENV: str(keystore)}, PYTHONPATH=str(ROOT))


def _start(ctx: BenchContext, db: Path, keystore: Path) -> dict[str, float]:
    return start_app_once(ctx, db, env=_env(ctx, keystore))


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


def _driver_only_engine(path: Path):  # type: ignore[no-untyped-def]
    """The plain file read through SQLCipher's driver without a key: the driver's cost without decryption."""
    import sqlcipher3
    from sqlalchemy import create_engine

    return create_engine(f"sqlite:///{path}", creator=lambda: sqlcipher3.connect(str(path), check_same_thread=False))


def in_process(plain: Path, encrypted: Path) -> dict[str, dict[str, float]]:
    """Median milliseconds of the dashboard and Coming up: plain, encrypted, and plain through SQLCipher's driver.

    The three are timed in turn, round by round, so a change in the shared machine's load hits all alike.
    """
    from sqlalchemy.orm import Session

    from placedesk.config import MonitoringSettings
    from placedesk.db import open_database
    from placedesk.services.care.coming_up import coming_up
    from placedesk.services.monitoring.dashboard import compute_dashboard

    today = dt.date.today()
    plain_db, encrypted_db = open_database(plain, create=False), open_database(encrypted, create=False)
    driver = _driver_only_engine(plain)
    engines = {"plain": plain_db.engine, "encrypted": encrypted_db.engine, "driver": driver}
    work = {
        "dashboard": lambda session: compute_dashboard(session, on=today),
        "coming_up": lambda session: coming_up(session, today=today, days=28, intervals=MonitoringSettings()),
    }
    samples: dict[str, dict[str, list[float]]] = {w: {e: [] for e in engines} for w in work}
    try:
        for round_no in range(6):
            for what, fn in work.items():
                for name, engine in engines.items():
                    start = time.perf_counter()
                    with Session(engine) as session:
                        fn(session)
                    if round_no:  # the first round warms each connection's cache
                        samples[what][name].append((time.perf_counter() - start) * 1000)
    finally:
        plain_db.close()
        encrypted_db.close()
        driver.dispose()
    return {what: {name: statistics.median(v) for name, v in by.items()} for what, by in samples.items()}


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
    p_mb = max(r["peak_mb"] for r in runs["plain"])
    e_mb = max(r["peak_mb"] for r in runs["encrypted"])
    results.append(Result(name="peak memory with Coming up filled, large demo encrypted vs plain", value=e_mb - p_mb,
                          unit="MB", note=f"encrypted {e_mb:.0f} MB, plain {p_mb:.0f} MB: decrypted pages are cached "
                          "in the process (a plain file's stay in the system's file cache)"))
    figures = in_process(plain, encrypted)
    for name, label in (("dashboard", "monitoring dashboard"), ("coming_up", "Coming up (28 days)")):
        f = figures[name]
        results.append(Result(
            name=f"{label} on the large demo, encrypted vs plain (median of 5, interleaved)",
            value=f["encrypted"] / f["plain"], unit="x", limit=RATIO_LIMIT,
            note=f"encrypted {f['encrypted']:.0f} ms, plain {f['plain']:.0f} ms; the plain file through "
                 f"SQLCipher's driver {f['driver']:.0f} ms ({f['driver'] / f['plain']:.2f} x: the driver's share)"))
    return results
