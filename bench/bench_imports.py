"""Benchmarks for the files an officer imports first: Ofsted's list and the postcode tables, at full size.

Targets (issue 19): a 100,000-row Ofsted list in under 30 s with under 400 MB
peak memory; a 2,700,000-row ONS Postcode Directory (its own layout, with
terminated postcodes and rows without a location) in under 90 s with under
500 MB peak; an OS Code-Point Open zip of 1,700,000 postcodes (an area CSV
per postcode area, no header lines, its header document) in under 60 s.

Every file is generated here into a temporary folder (nothing third-party is
used or kept) and imported by the real command, ``placedesk providers
import`` / ``placedesk postcodes import``, in its own process, into a new
database: the figures include start-up and creating the database. Peak
memory is that process's maximum resident set size (``os.wait4``).

Run alone: ``.venv/bin/python -m bench imports`` (through the harness) or
``.venv/bin/python -m bench.bench_imports [ofsted|onspd|codepoint ...]``.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ISSUE = 19
N_OFSTED = 100_000
N_ONSPD = 2_700_000
N_CODEPOINT = 1_700_000
OFSTED_LIMIT_S, OFSTED_LIMIT_MB = 30.0, 400.0
ONSPD_LIMIT_S, ONSPD_LIMIT_MB = 90.0, 500.0
CODEPOINT_LIMIT_S = 60.0
ROOT = Path(__file__).resolve().parent.parent

_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# 120 two-letter and one-letter areas (invented combinations are fine: only the shape matters).
_AREAS = [a + b for a in "ABCDEFGHKLMNOPRSTWY" for b in "ABCDEFGHKLMNPRSTW"][:110] + list("BEGLMNSWGY")[:10]

_ONSPD_HEADER = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oscty", "ced", "oslaua", "osward", "parish", "usertype",
                 "oseast1m", "osnrth1m", "osgrdind", "oshlthau", "nhser", "ctry", "rgn", "streg", "pcon", "eer",
                 "teclec", "ttwa", "pct", "itl", "statsward", "oa01", "casward", "npark", "lsoa01", "msoa01",
                 "ur01ind", "oac01", "oa11", "lsoa11", "msoa11", "wz11", "sicbl", "bua24", "ru11ind", "oac11", "lat",
                 "long", "lep1", "lep2", "pfa", "imd", "calncv", "icb", "oa21", "lsoa21", "msoa21", "ruc21"]


def postcodes(n: int) -> list[tuple[str, str]]:
    """``n`` distinct (area file name, postcode) pairs, in area order as the publishers sort them."""
    out: list[tuple[str, str]] = []
    units = [a + b for a in _LETTERS for b in _LETTERS]
    per_area = -(-n // len(_AREAS))
    for area in _AREAS:
        made = 0
        district = 1
        while made < per_area and len(out) < n:
            for sector in range(10):
                for unit in units[:50]:
                    out.append((area.lower(), f"{area}{district} {sector}{unit}"))
                    made += 1
                    if made >= per_area or len(out) >= n:
                        break
                if made >= per_area or len(out) >= n:
                    break
            district += 1
    return out


def write_onspd(path: Path, n: int, seed: int = 19) -> None:
    """An ONSPD-layout CSV of ``n`` rows: about 1 in 8 terminated, 1 in 500 without a location."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(_ONSPD_HEADER) + "\n")
        filler_a = "E99999999,E99999999,E08000019,E05010859,E43000173"
        filler_b = ("E18000003,E40000001,E92000001,E12000003,E15000003,E14000919,E15000003,E15000003,E30000261,"
                    "E38000146,E41000001,E05010859,E00039474,E05010859,,E01007843,E02001618,5,5A1,E00039474,"
                    "E01007843,E02001618,E33001234,E38000146,E63012345,A1,1B2")
        filler_c = "E37000040,,E23000011,12345,E56000001,E54000061,E00172345,E01032345,E02006789,UN1"
        batch: list[str] = []
        for _, pcds in postcodes(n):
            compact = pcds.replace(" ", "")
            pcd = (pcds[:-3].ljust(4) + pcds[-3:])
            doterm = "201507" if rng.random() < 0.125 else ""
            if rng.random() < 0.002:
                east, north, lat, lon = "", "", "99.999999", "0.000000"
            else:
                e, nn = rng.randint(100000, 650000), rng.randint(20000, 1000000)
                east, north = str(e), str(nn)
                lat, lon = f"{50 + nn / 100000:.6f}", f"{-6 + e / 80000:.6f}"
            batch.append(f"{pcd},{compact.ljust(8)},{pcds},198001,{doterm},{filler_a},0,{east},{north},1,"
                         f"{filler_b},{lat},{lon},{filler_c}\n")
            if len(batch) >= 50000:
                handle.write("".join(batch))
                batch = []
        handle.write("".join(batch))


def write_codepoint_zip(path: Path, n: int, seed: int = 19) -> int:
    """An OS Code-Point Open zip of ``n`` postcodes, one area CSV each; returns the number of area files."""
    rng = random.Random(seed)
    by_area: dict[str, list[str]] = {}
    for area, pcds in postcodes(n):
        quality = "90" if rng.random() < 0.002 else "10"
        east, north = ("0", "0") if quality == "90" else (str(rng.randint(100000, 650000)),
                                                          str(rng.randint(20000, 1000000)))
        by_area.setdefault(area, []).append(
            f'"{pcds}",{quality},{east},{north},"E92000001","E19000003","E18000003","","E08000019","E05010859"\n')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("Doc/Code-Point_Open_Column_Headers.csv",
                         "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\nPostcode,Positional_quality_indicator,Eastings,Northings,"
                         "Country_code,NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,"
                         "Admin_ward_code\n")
        archive.writestr("Doc/licence.txt", "Generated for PlaceDesk's benchmark; no OS data.")
        for area, lines in sorted(by_area.items()):
            archive.writestr(f"Data/CSV/{area}.csv", "".join(lines))
    return len(by_area)


def write_ofsted(path: Path, n: int, seed: int = 19) -> None:
    """A 2019-layout Ofsted list of ``n`` rows: placement providers, others, bad rows and repeated URNs."""
    rng = random.Random(seed)
    kinds = ["Children's home"] * 6 + ["Independent fostering agency", "Supported accommodation",
                                       "Voluntary adoption agency", "Residential special school"]
    judgements = ["Outstanding", "Good", "Good", "Requires improvement to be good", "Inadequate", "", "1", "2", "5"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Children's social care providers, generated for PlaceDesk's benchmark"])
        writer.writerow(["Provider URN", "Provision type", "Registration status", "Setting name", "Setting address 1",
                         "Setting town", "Setting postcode", "Local authority", "Ofsted region", "Sector",
                         "Maximum number of places", "Organisation which owns the provider", "Inspection date",
                         "Overall experiences and progress of children and young people"])
        for i in range(n):
            urn = f"SC{1000000 + i}" if rng.random() > 0.002 else f"SC{1000000 + i - 1}"  # a few repeats
            if rng.random() < 0.001:
                urn = "not-a-urn"
            judgement = rng.choice(judgements)
            when = "" if not judgement else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2025)}"
            writer.writerow([urn, rng.choice(kinds), "Active", f"Home {i}", f"{i} High Street", "Leeds",
                             f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}AB", "Leeds",
                             "North East, Yorkshire and the Humber", "Private", rng.randint(1, 12),
                             f"Care Group {i % 500} Ltd", when, judgement])


TIME = Path("/usr/bin/time")


def measure(args: list[str], home: Path) -> dict[str, Any]:
    """Run ``placedesk ARGS`` in its own process: wall seconds, peak memory (MB), output and exit status.

    Peak memory comes from ``/usr/bin/time`` (its child is forked from the small ``time``
    process); without it, from ``os.wait4``, which would also count pages a fork of this
    process shares with it, so the generated data is freed first.
    """
    env = dict(os.environ, PLACEDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "placedesk", *args]
    if TIME.exists():
        command = [str(TIME), "-f", "PEAK_KB=%M", *command]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output, errors = out.read(), err.read()
    peak_kb = float(usage.ru_maxrss)
    if TIME.exists():
        lines = errors.rstrip().splitlines()
        if lines and lines[-1].startswith("PEAK_KB="):
            peak_kb = float(lines[-1].split("=", 1)[1])
            errors = "\n".join(lines[:-1])
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "cpu_s": usage.ru_utime + usage.ru_stime,
            "status": process.returncode, "out": output, "err": errors}


def name_officer(home: Path) -> None:
    """Set the officer profile in ``home``, as an officer does first: changes to records are refused without it."""
    env = dict(os.environ, PLACEDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "placedesk", "profile", "--name", "Bench Officer", "--council",
                    "Leeds City Council", "--email", "placements@example.gov.uk"],
                   env=env, cwd=ROOT, check=True, capture_output=True)


def _line(out: str, start: str) -> str:
    return next((line for line in out.splitlines() if line.startswith(start)), "")


def bench_ofsted(folder: Path) -> list[Any]:
    from bench.common import Result

    source = folder / "ofsted-100k.csv"
    write_ofsted(source, N_OFSTED)
    got = measure(["--db", str(folder / "ofsted.sqlite"), "providers", "import", str(source), "--on", "2026-03-02"],
                  folder / "home")
    counts = next((line for line in got["out"].splitlines() if "providers added" in line), "")
    note = (f"{_line(got['out'], 'ofsted')} {counts} CPU {got['cpu_s']:.1f} s" if got["status"] == 0
            else f"failed: {got['err'][-200:]}")
    # Next year's list over it: most providers have a new inspection, some new URNs.
    later = folder / "ofsted-100k-next-year.csv"
    write_ofsted(later, N_OFSTED, seed=20)
    again = measure(["--db", str(folder / "ofsted.sqlite"), "providers", "import", str(later), "--on", "2026-03-02"],
                    folder / "home")
    again_counts = next((line for line in again["out"].splitlines() if "providers added" in line), "")
    return [
        Result("Ofsted list of 100,000 rows imported (new database)", round(got["seconds"], 1), "s",
               limit=OFSTED_LIMIT_S, passed=got["status"] == 0 and got["seconds"] < OFSTED_LIMIT_S, note=note),
        Result("Ofsted import of 100,000 rows: CPU time (what machine load does not inflate)",
               round(got["cpu_s"], 1), "s", limit=OFSTED_LIMIT_S, passed=got["status"] == 0 and
               got["cpu_s"] < OFSTED_LIMIT_S, note="user + system seconds of the import process"),
        Result("Next year's Ofsted list of 100,000 rows imported over it", round(again["seconds"], 1), "s",
               target="(no target; the yearly refresh)", passed=again["status"] == 0,
               note=f"{again_counts} CPU {again['cpu_s']:.1f} s, {again['peak_mb']:.0f} MB peak" if again["status"] == 0
               else f"failed: {again['err'][-200:]}"),
        Result("Ofsted import of 100,000 rows: peak memory", round(got["peak_mb"]), "MB",
               limit=OFSTED_LIMIT_MB, passed=got["status"] == 0 and got["peak_mb"] < OFSTED_LIMIT_MB,
               note="maximum resident set of the `placedesk providers import` process"),
    ]


def bench_onspd(folder: Path) -> list[Any]:
    from bench.common import Result

    source = folder / "ONSPD_BENCH_UK.csv"
    write_onspd(source, N_ONSPD)
    size_mb = source.stat().st_size / 1e6
    got = measure(["--db", str(folder / "onspd.sqlite"), "postcodes", "import", str(source)], folder / "home")
    source.unlink()
    summary = " ".join(line for line in got["out"].splitlines()[:4]) if got["status"] == 0 else got["err"][-200:]
    return [
        Result("ONSPD-layout file of 2,700,000 rows imported", round(got["seconds"], 1), "s",
               limit=ONSPD_LIMIT_S, passed=got["status"] == 0 and got["seconds"] < ONSPD_LIMIT_S,
               note=f"{size_mb:.0f} MB CSV, 53 columns; CPU {got['cpu_s']:.1f} s. {summary}"),
        Result("ONSPD import of 2,700,000 rows: CPU time", round(got["cpu_s"], 1), "s", limit=ONSPD_LIMIT_S,
               passed=got["status"] == 0 and got["cpu_s"] < ONSPD_LIMIT_S,
               note="user + system seconds of the import process"),
        Result("ONSPD import of 2,700,000 rows: peak memory", round(got["peak_mb"]), "MB",
               limit=ONSPD_LIMIT_MB, passed=got["status"] == 0 and got["peak_mb"] < ONSPD_LIMIT_MB,
               note="maximum resident set of the `placedesk postcodes import` process"),
    ]


def bench_codepoint(folder: Path) -> list[Any]:
    from bench.common import Result

    source = folder / "codepo_gb.zip"
    files = write_codepoint_zip(source, N_CODEPOINT)
    size_mb = source.stat().st_size / 1e6
    got = measure(["--db", str(folder / "codepoint.sqlite"), "postcodes", "import", str(source)], folder / "home")
    source.unlink()
    summary = " ".join(line for line in got["out"].splitlines()[:3]) if got["status"] == 0 else got["err"][-200:]
    return [
        Result("Code-Point Open zip of 1,700,000 postcodes imported", round(got["seconds"], 1), "s",
               limit=CODEPOINT_LIMIT_S, passed=got["status"] == 0 and got["seconds"] < CODEPOINT_LIMIT_S,
               note=f"{files} area files, {size_mb:.0f} MB zip; grid converted to WGS84; CPU {got['cpu_s']:.1f} s, "
                    f"{got['peak_mb']:.0f} MB peak. {summary}"),
        Result("Code-Point Open import of 1,700,000 postcodes: CPU time", round(got["cpu_s"], 1), "s",
               limit=CODEPOINT_LIMIT_S, passed=got["status"] == 0 and got["cpu_s"] < CODEPOINT_LIMIT_S,
               note="user + system seconds of the import process"),
    ]


PARTS = {"ofsted": bench_ofsted, "onspd": bench_onspd, "codepoint": bench_codepoint}


def run(ctx: Any, parts: list[str] | None = None) -> list[Any]:
    results: list[Any] = []
    for name in parts or list(PARTS):
        # Generated into /tmp, never into the project; removed afterwards.
        with tempfile.TemporaryDirectory(prefix=f"placedesk-bench-{name}-") as folder:
            name_officer(Path(folder) / "home")
            results.extend(PARTS[name](Path(folder)))
    return results


if __name__ == "__main__":
    for result in run(None, sys.argv[1:] or None):
        print(f"{result.name}: {result.value} {result.unit} ({result.target}, "
              f"{'met' if result.passed else 'NOT met'}) {result.note}")
