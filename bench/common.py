"""What every benchmark module shares: the demo databases, a timer, the machine, and ``Result``.

The large demo database is generated once into ``bench/out/large.sqlite`` by
the real ``placedesk demo --scale large`` command and reused while the
generator version and seed match, so areas run on their own stay quick.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
LARGE_SEED = 1
SMALL_SEED = 1


@dataclass
class Result:
    """One measured figure and whether it met its target.

    Modules give either ``target`` and ``passed`` directly, or a ``limit``
    (a ceiling in ``unit``: passed when ``value <= limit``). ``detail`` is
    accepted as another name for ``note``. ``issue`` defaults to the module's
    ``ISSUE`` constant (the harness fills it in).
    """

    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""
    issue: int | None = None
    limit: float | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.limit is not None:
            if not self.target:
                self.target = f"< {self.limit:g} {self.unit}"
            if self.passed is None:
                self.passed = self.value <= self.limit
        if self.detail and not self.note:
            self.note = self.detail
        if self.passed is None:
            self.passed = True

    def to_json(self) -> dict[str, Any]:
        return {"issue": self.issue, "name": self.name, "value": self.value, "unit": self.unit,
                "target": self.target, "passed": self.passed, "note": self.note}


@dataclass(frozen=True)
class Timing:
    """Wall-clock times of repeated runs, in milliseconds."""

    runs_ms: tuple[float, ...]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def min_ms(self) -> float:
        return min(self.runs_ms)

    @property
    def max_ms(self) -> float:
        return max(self.runs_ms)

    def describe(self) -> str:
        return f"median {self.median_ms:.1f} ms, min {self.min_ms:.1f}, max {self.max_ms:.1f} ({len(self.runs_ms)} runs)"


def timed_runs(fn: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of ``repeat`` runs: on a shared machine wall time follows the load,
    CPU time does not."""
    # Garbage left by the set-up (or an earlier measure) is collected now, not billed to these runs.
    gc.collect()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def timeit(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    # Garbage left by the set-up is collected now, not billed to the timed runs.
    gc.collect()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000.0)
    return Timing(tuple(runs))


def python_loop_seconds() -> float:
    """CPU seconds for ten million additions in a Python loop: a yardstick for reading the figures.

    The machine is a shared virtual one whose speed changes by the hour (0.35 s here when quiet,
    over a second when busy); each section records it beside its figures.
    """
    start = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - start


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, Python version and current speed: what every figure must be read against."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "?"),
        "ram": ram,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load": load,
        "loop_s": f"{python_loop_seconds():.2f}",
    }


class LazyPath(os.PathLike[str]):
    """A database path made on first use: call it (``ctx.large_db_path()``) or use it as a path."""

    def __init__(self, make: Callable[[], Path]) -> None:
        self._make = make

    def __call__(self) -> Path:
        return self._make()

    def __fspath__(self) -> str:
        return str(self._make())

    def __bool__(self) -> bool:
        return True


def _demo_command(path: Path, scale: str, seed: int) -> list[str]:
    return [sys.executable, "-m", "placedesk", "demo", "--db", str(path), "--scale", scale, "--seed", str(seed)]


@dataclass
class BenchContext:
    """Shared by every module in one harness run."""

    out_dir: Path = OUT_DIR
    python: str = sys.executable
    # Seconds the last fresh large generation took in this run (None when the cache was reused).
    large_generation_seconds: float | None = None
    # CPU seconds (user + system) that generation used, which load on a shared machine does not inflate.
    large_generation_cpu_seconds: float | None = None
    last_build_cpu_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.large_db_path = LazyPath(self._large)
        self.small_db_path = LazyPath(self._small)

    def _meta_path(self, name: str) -> Path:
        return self.out_dir / f"{name}.json"

    def _cached(self, name: str, seed: int) -> Path | None:
        from placedesk.services.demo import GENERATOR_VERSION

        path = self.out_dir / f"{name}.sqlite"
        meta = self._meta_path(name)
        if not path.exists() or not meta.exists():
            return None
        try:
            info = json.loads(meta.read_text())
        except ValueError:
            return None
        if info.get("generator_version") != GENERATOR_VERSION or info.get("seed") != seed:
            return None
        # A file left empty or half-written by an interrupted run is not a cache, nor is one made
        # under an older schema (opening it would upgrade it: the figures would not be of this version).
        from placedesk.migrations import SCHEMA_VERSION

        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                providers = conn.execute("SELECT count(*) FROM provider").fetchone()[0]
                schema = conn.execute("PRAGMA user_version").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.Error:
            return None
        return path if providers and schema == SCHEMA_VERSION else None

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        """Hold ``bench/out/<name>.lock``: harness runs started side by side build a database once."""
        with open(self.out_dir / f"{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def generate(self, path: Path, scale: str, seed: int) -> float:
        """Run ``placedesk demo`` into a new file ``path``; returns wall seconds (CPU in ``last_build_cpu_seconds``)."""
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        env = dict(os.environ, PLACEDESK_HOME=str(self.out_dir / "home"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(_demo_command(path, scale, seed), env=env, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_build_cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"demo generation failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        # Fold any write-ahead log into the file, so copying or moving the one file takes all the data.
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return seconds

    def build_demo(self, name: str, scale: str, seed: int) -> float:
        """Generate ``bench/out/<name>.sqlite`` afresh under its lock; returns the wall time in seconds.

        The scratch file is private to this process and replaces the cached
        file only when complete, so other runs never see a half-built database.
        """
        from placedesk.fileio import atomic_write_text
        from placedesk.services.demo import GENERATOR_VERSION

        target = self.out_dir / f"{name}.sqlite"
        scratch = self.out_dir / f"{name}.building-{os.getpid()}.sqlite"
        with self._locked(name):
            try:
                seconds = self.generate(scratch, scale, seed)
                for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
                    stale.unlink(missing_ok=True)
                os.replace(scratch, target)
            finally:
                scratch.unlink(missing_ok=True)
            atomic_write_text(self._meta_path(name), json.dumps(
                {"generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale, "seconds": round(seconds, 2),
                 "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2))
        return seconds

    def _cached_or_build(self, name: str, scale: str, seed: int) -> tuple[Path, float | None]:
        path = self._cached(name, seed)
        if path is not None:
            return path, None
        with self._locked(name):
            # Another run may have finished building while this one waited for the lock.
            path = self._cached(name, seed)
        if path is not None:
            return path, None
        seconds = self.build_demo(name, scale, seed)
        return self.out_dir / f"{name}.sqlite", seconds

    def _large(self) -> Path:
        path, seconds = self._cached_or_build("large", "large", LARGE_SEED)
        if seconds is not None:
            self.large_generation_seconds = seconds
            self.large_generation_cpu_seconds = self.last_build_cpu_seconds
        return path

    def _small(self) -> Path:
        return self._cached_or_build("small", "small", SMALL_SEED)[0]

    def python_env(self) -> dict[str, str]:
        """Environment for child processes: offscreen Qt and a private settings folder."""
        return dict(os.environ, QT_QPA_PLATFORM="offscreen", PLACEDESK_HOME=str(self.out_dir / "home"))
