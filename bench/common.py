"""What every benchmark module shares: the demo databases, a timer, the machine, and ``Result``.

The large demo database is generated once into ``bench/out/large.sqlite`` by
the real ``placedesk demo --scale large`` command and reused while the
generator version and seed match, so areas run on their own stay quick.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
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


def timeit(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000.0)
    return Timing(tuple(runs))


def machine() -> dict[str, str]:
    """CPU model, cores, RAM and Python version: what every figure must be read against."""
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
        return path

    def build_demo(self, name: str, scale: str, seed: int) -> float:
        """Generate a demo database afresh with the real command; returns the wall time in seconds."""
        from placedesk.fileio import atomic_write_text
        from placedesk.services.demo import GENERATOR_VERSION

        target = self.out_dir / f"{name}.sqlite"
        scratch = self.out_dir / f"{name}.building.sqlite"
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
        env = dict(os.environ, PLACEDESK_HOME=str(self.out_dir / "home"))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(_demo_command(scratch, scale, seed), env=env, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.last_build_cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"demo generation failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        # Fold any write-ahead log into the file, so moving the one file moves all the data.
        conn = sqlite3.connect(scratch)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        for leftover in (Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
        for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        shutil.move(str(scratch), str(target))
        atomic_write_text(self._meta_path(name), json.dumps(
            {"generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale, "seconds": round(seconds, 2),
             "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2))
        return seconds

    def _large(self) -> Path:
        path = self._cached("large", LARGE_SEED)
        if path is None:
            self.large_generation_seconds = self.build_demo("large", "large", LARGE_SEED)
            self.large_generation_cpu_seconds = self.last_build_cpu_seconds
            path = self.out_dir / "large.sqlite"
        return path

    def _small(self) -> Path:
        path = self._cached("small", SMALL_SEED)
        if path is None:
            self.build_demo("small", "small", SMALL_SEED)
            path = self.out_dir / "small.sqlite"
        return path

    def python_env(self) -> dict[str, str]:
        """Environment for child processes: offscreen Qt and a private settings folder."""
        return dict(os.environ, QT_QPA_PLATFORM="offscreen", PLACEDESK_HOME=str(self.out_dir / "home"))
