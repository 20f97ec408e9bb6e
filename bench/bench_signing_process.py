"""Signing an agreement from the command line as a whole process (issue 14).

Target: ``placedesk ipa REF --out F --sign P12 --passphrase-file F`` under
0.8 s median, wall clock, as a whole new process; its ratio to ``placedesk
--version`` (the cost of starting Python and PlaceDesk at all) is recorded
beside it. Each timed run signs a placement of a fresh copy of the small demo
database (the copy is not timed). The prepared signature-stamp font is kept
in the data folder after the first signature with a name, and reportlab's
reading of the shipped fonts after the first PDF, so the first run ("cold")
is reported separately from the everyday case ("warm"), which loads neither
fontTools nor pyHanko's OpenType engine and reads no font through.

CPU seconds (user + system of the child) are recorded too: on a shared
machine wall time follows the load, CPU time much less.

PlaceDesk's modules are byte-compiled first, as installing the package does:
where ``PYTHONDONTWRITEBYTECODE`` is set (this development machine sets it),
every process would otherwise compile them from source again, which no
officer's installed copy does.

Run alone: ``.venv/bin/python -m bench signing_process``.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ISSUE = 14
LIMIT_S = 0.8
REPEAT = 7
PASSPHRASE = "bench-passphrase"
# The libraries signing from the command line cannot do without, imported and nothing else: the
# floor under the whole command. Loaded as PlaceDesk's commands load them (pyHanko without its
# network clients, garbage collected as a one-shot command, objects frozen before exit).
LIBRARIES = ("from placedesk.runtime import before_exit, one_shot_command; one_shot_command(); "
             "from placedesk.reports.pyhanko_offline import keep_offline; keep_offline(); "
             "import sqlalchemy.orm, reportlab.platypus, pyhanko.sign, pyhanko.stamp, uharfbuzz, "
             "cryptography.hazmat.primitives.serialization.pkcs12; "
             "before_exit()")

# Where a signing process's CPU goes before it does any work: each group of imports in the order the
# command meets them, measured as it loads (CPU milliseconds, Python's own start-up in the first).
FLOOR_STAGES = (
    ("Python, placedesk.cli and its argument parser",
     ("from placedesk.runtime import one_shot_command; one_shot_command(); from placedesk import cli; "
      "cli._add_db_to_subparsers(cli.build_parser('ipa'))")),
    ("SQLAlchemy and its ORM", "import sqlalchemy.orm, sqlalchemy.dialects.sqlite"),
    ("PlaceDesk's models (mapped classes)", "import placedesk.models"),
    ("mapper configuration", "sqlalchemy.orm.configure_mappers()"),
    ("reportlab (platypus, TrueType, HarfBuzz)", "import reportlab.platypus, reportlab.pdfbase.ttfonts, uharfbuzz"),
    ("pyHanko's PDF writer (with pyhanko-certvalidator, asn1crypto)",
     ("from placedesk.reports.pyhanko_offline import keep_offline; keep_offline(); "
      "import pyhanko.pdf_utils.incremental_writer")),
    ("pyHanko's signer and stamp, cryptography's PKCS#12",
     ("import pyhanko.sign.signers, pyhanko.sign.fields, pyhanko.stamp, pyhanko.keys.internal, "
      "cryptography.hazmat.primitives.serialization.pkcs12")),
    ("PlaceDesk's agreement, report and signing modules",
     ("import placedesk.commands.ipa, placedesk.services.agreements.ipa, placedesk.reports.stamp_font, "
      "placedesk.services.common.audit_log")),
)
FLOOR = "import json, time; spent = []\n" + "".join(
    f"{code}\nspent.append(time.process_time())\n" for _label, code in FLOOR_STAGES
) + "print(json.dumps(spent))"


def _floor(env: dict[str, str]) -> list[float]:
    """CPU seconds of each stage of FLOOR_STAGES in one new process."""
    import json

    done = subprocess.run([sys.executable, "-W", "ignore", "-c", FLOOR], env=env, capture_output=True, text=True,
                          check=True)
    marks = json.loads(done.stdout)
    return [mark - before for before, mark in zip([0.0, *marks], marks)]


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one child process, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command[3:]} failed: {done.stderr.strip()}")
    if done.stderr.strip():
        raise RuntimeError(f"{command[3:]} wrote to stderr: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(small_db: Path, folder: Path) -> dict[str, Any]:
    import compileall

    import placedesk
    from placedesk.config import OfficerSettings, Settings, save_settings

    compileall.compile_dir(Path(placedesk.__file__).parent, quiet=1)
    from placedesk.services.agreements.identity import build_identity

    home = folder / "home"
    env = dict(os.environ, PLACEDESK_HOME=str(home))
    os.environ["PLACEDESK_HOME"] = str(home)
    save_settings(Settings(officer=OfficerSettings(
        name="Siân Ŵyn-Roberts", role="Placement Officer", local_authority="Cyngor Sir Ynys Môn",
        la_address="Council Offices, Llangefni LL77 7TW", email="sian@example.gov.uk")))
    p12, _pem = build_identity("Siân Ŵyn-Roberts", "Placement Officer", "Cyngor Sir Ynys Môn", "", PASSPHRASE)
    (folder / "officer.p12").write_bytes(p12)
    (folder / "pass.txt").write_text(PASSPHRASE + "\n", encoding="utf-8")
    python = [sys.executable, "-m", "placedesk"]

    def sign_once() -> tuple[float, float]:
        db = folder / "run.sqlite"
        for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(small_db, db)
        return _run([*python, "--db", str(db), "ipa", "PLC-DEMO-0001", "--out", str(folder / "signed.pdf"),
                     "--sign", str(folder / "officer.p12"), "--passphrase-file", str(folder / "pass.txt")], env)

    cold_wall, cold_cpu = sign_once()
    warm: list[tuple[float, float]] = []
    version: list[tuple[float, float]] = []
    libraries: list[tuple[float, float]] = []
    floors: list[list[float]] = []
    # Taken in turn, so a change in the machine's load falls on all alike and the ratios hold.
    for _ in range(REPEAT):
        warm.append(sign_once())
        version.append(_run([*python, "--version"], env))
        libraries.append(_run([sys.executable, "-W", "ignore", "-c", LIBRARIES], env))
        floors.append(_floor(env))
    from placedesk.reports.signing import verify_pdf

    checks = verify_pdf((folder / "signed.pdf").read_bytes())
    return {
        "cold_s": cold_wall, "cold_cpu_s": cold_cpu,
        "sign_s": statistics.median(w for w, _ in warm), "sign_cpu_s": statistics.median(c for _, c in warm),
        "version_s": statistics.median(w for w, _ in version),
        "version_cpu_s": statistics.median(c for _, c in version),
        "libraries_s": statistics.median(w for w, _ in libraries),
        "libraries_cpu_s": statistics.median(c for _, c in libraries),
        "valid": bool(checks) and all(c.ok for c in checks),
        "floor_s": [statistics.median(stage) for stage in zip(*floors)],
    }


def run(ctx: Any) -> list[Any]:
    from bench import common

    with tempfile.TemporaryDirectory() as tmp:
        m = measure(Path(ctx.small_db_path()), Path(tmp))
    ratio = m["sign_s"] / m["version_s"]
    loading = sum(m["floor_s"])
    stages = "; ".join(f"{label} {1000 * spent:.0f}" for (label, _code), spent in zip(FLOOR_STAGES, m["floor_s"]))
    return [
        common.Result(
            name="placedesk ipa --sign as a whole process (fonts kept from an earlier run)", value=m["sign_s"], unit="s",
            limit=LIMIT_S,
            detail=(f"median of {REPEAT}; {ratio:.1f}x placedesk --version ({m['version_s']:.2f} s); CPU "
                    f"{m['sign_cpu_s']:.2f} s vs {m['version_cpu_s']:.2f} s; first signature with this name "
                    f"(stamp font made and fonts read through, then kept) {m['cold_s']:.2f} s, CPU "
                    f"{m['cold_cpu_s']:.2f} s; signature valid: {m['valid']}; nothing on stderr"),
        ),
        common.Result(name="placedesk --version as a whole process", value=m["version_s"], unit="s",
                      detail=f"median of {REPEAT}, CPU {m['version_cpu_s']:.2f} s"),
        common.Result(name="importing only the libraries signing needs, as a whole process", value=m["libraries_s"],
                      unit="s", target="(the floor under signing; no target)",
                      detail=(f"median of {REPEAT}, CPU {m['libraries_cpu_s']:.2f} s: SQLAlchemy's ORM, reportlab's "
                              "platypus, pyHanko's signer and stamp, HarfBuzz (the stamp's shaping; fontTools only "
                              "prepares a new name's stamp font), cryptography's PKCS#12")),
        common.Result(name="CPU a signing process spends loading its code, by import", value=loading * 1000, unit="ms",
                      target="(where the warm signature's CPU goes; no target)",
                      detail=(f"median of {REPEAT}, CPU ms in load order: {stages}; the rest of the warm "
                              f"signature's CPU ({1000 * (m['sign_cpu_s'] - loading):.0f} ms) is the work itself: "
                              "reading the placement, laying out and storing the agreement, opening the PKCS#12 "
                              "identity (its key stretching), signing, writing")),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    with tempfile.TemporaryDirectory() as tmp:
        print(measure(Path(sys.argv[1]), Path(tmp)))
