"""``python -m bench.mutation [group ...]`` (``make mutation``): can the rule tests notice a planted bug?

mutmut 3 (configured in ``pyproject.toml``) plants one small bug at a time (a
``<`` made ``<=``, a constant changed, a condition dropped) in the modules that
hold the domain's rules, and runs the tests that reach the changed function. A
mutant the tests notice is *killed*; one they miss *survived*. This runs the
rule modules a group at a time (the machine is shared), then writes the summary,
per module, to ``docs/mutation.md``, with every survivor and the reason it is
harmless, taken from ``bench/mutation_notes.toml``.

Options: ``--again`` re-runs the survivors of the named groups (after new
tests); ``--report`` only rewrites the summary from the last results; with no
group named, every group runs, in the order below (the bugs that matter first).
A group's mutants already checked are not run again unless ``--again``.
It is slow (hours for every group on two cores) and is not part of ``make test``.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
SUMMARY = ROOT / "docs" / "mutation.md"
NOTES = ROOT / "bench" / "mutation_notes.toml"
RESULTS = ROOT / "bench" / "mutation_results.json"
EARLIER = ROOT / "bench" / "mutation_earlier.md"
LOGS = ROOT / "bench" / "out"
RUNS_MARK = "<!-- mutation-runs"
TARGET_KILLED = 0.90


@dataclass(frozen=True)
class Target:
    """One rule module, or the rule functions inside a larger module (``functions`` is a name pattern)."""

    path: str
    functions: str = "*"

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    @property
    def pattern(self) -> str:
        return f"{self.module}.{self.functions}"

    @property
    def label(self) -> str:
        name = self.path.removeprefix("placedesk/")
        if self.functions == "*":
            return name
        function = self.functions.split("__mutmut")[0]
        function = function.removeprefix("xǁ").replace("ǁ", ".") if function.startswith("xǁ") else function[2:]
        return f"{name} ({function})"


def _functions(path: str, *names: str) -> list[Target]:
    """Targets for the named functions of one module (``Class.method`` for a method)."""
    return [Target(path, f"x{'ǁ'.join(['', *name.split('.')]) if '.' in name else '_' + name}__mutmut_*")
            for name in names]


# The rule modules issue 18 names. Each has a group of its rule functions (what decides an outcome
# the officer sees), run first, and most a group of the whole module. With no group named, they run
# in this order: the bugs that would cost most first.
GROUPS: dict[str, list[Target]] = {
    "leaving-care": [Target("placedesk/services/care/leaving_care.py")],
    # Who is left off the shortlist and how each provider is scored, then the whole module.
    "matching-rules": _functions("placedesk/services/referrals/matching.py",
                                 "_exclusion", "_assess", "_score_needs", "_score_proximity", "_score_price"),
    "restrictions": [Target("placedesk/services/monitoring/restrictions.py")],
    "countersignature": _functions("placedesk/services/agreements/ipa.py", "assess_countersignature"),
    # The checks an imported bundle's contents pass before anything is stored.
    "bundle-import-checks": _functions("placedesk/services/sync/import_bundle.py",
                                       "_attach_content", "_json_value", "_columns_of", "_rows", "_batches"),
    "funding": [Target("placedesk/services/referrals/funding.py")],
    "redaction": [Target("placedesk/services/referrals/redaction.py")],
    # WEMWBS and SWEMWBS: the items checked, the totals, the SWEMWBS conversion table.
    "outcomes-scores": _functions("placedesk/services/monitoring/outcomes.py",
                                  "_check_items", "wemwbs_total", "swemwbs_raw_total", "swemwbs_metric",
                                  "score_of", "item_labels"),
    "kpi-rag": _functions("placedesk/services/monitoring/kpis.py", "rag", "rag_for", "_check_thresholds"),
    "cap-rules": _functions("placedesk/services/monitoring/caps.py", "cap_rag", "action_rag", "overdue_actions",
                            "restrictions_in_force", "escalate"),
    "risk-rules": _functions("placedesk/services/monitoring/risk.py", "assess", "RiskAssessment.explain"),
    "milestone-rules": _functions("placedesk/services/care/milestones.py", "_occurrences", "leaving_care_milestones",
                                  "Milestone.overdue", "_review_dates"),
    # Which step may follow which, what each step needs first, and what withdrawing undoes.
    "workflow-transitions": _functions("placedesk/services/referrals/workflow.py", "allowed_next", "advance",
                                       "_free_vacancy", "missing_for"),
    # Bundle verification: each file's size and SHA-256 as it is read, and the manifest's signature.
    "bundle-verification": [*_functions("placedesk/services/sync/bundle_format.py", "_CheckedStream._finish",
                                        "_CheckedStream.read", "BundleReader.verify_files", "safe_member_path"),
                            *_functions("placedesk/services/sync/bundle_signing.py", "_signature_matches")],
    # The whole modules, slower (SQL building, wording, writing).
    "outcomes": [Target("placedesk/services/monitoring/outcomes.py")],
    "milestones": [Target("placedesk/services/care/milestones.py")],
    "kpis": [Target("placedesk/services/monitoring/kpis.py")],
    "risk": [Target("placedesk/services/monitoring/risk.py")],
    "caps": [Target("placedesk/services/monitoring/caps.py")],
    "workflow": [Target("placedesk/services/referrals/workflow.py")],
    "bundle-format": [Target("placedesk/services/sync/bundle_format.py"),
                      Target("placedesk/services/sync/bundle_signing.py")],
    "bundle-import": [Target("placedesk/services/sync/import_bundle.py")],
    "matching": [Target("placedesk/services/referrals/matching.py")],
}

KILLED = {1, 3, 36, -24, 24, 152, 255}  # a failing test, or a mutant that hung until its time ran out
NOT_CHECKED = None
SKIPPED = {34}


def _function_hashes(path: str) -> dict[str, str]:
    """A SHA-256 of each function's syntax tree, under mutmut's name for it (``x_name``, ``xǁClassǁmethod``).

    A mutant's result stays valid while its own function is unchanged (mutmut itself re-runs only
    the functions that changed), so one edit elsewhere in a module does not throw away hours of runs.
    The tree, not the text, is hashed: moving a function or re-wrapping a line keeps its results.
    """
    tree = ast.parse((ROOT / path).read_text("utf-8"))
    hashes: dict[str, str] = {}

    def digest(node: ast.AST) -> str:
        return hashlib.sha256(ast.dump(node).encode("utf-8")).hexdigest()[:16]

    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            hashes[f"x_{node.name}"] = digest(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    hashes[f"xǁ{node.name}ǁ{item.name}"] = digest(item)
    return hashes


def _function_of(name: str) -> str:
    """``x_rag`` from ``placedesk.services.monitoring.kpis.x_rag__mutmut_3``."""
    return name.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[1]


def _saved() -> dict[str, dict[str, object]]:
    """Results kept in the repository (``bench/mutation_results.json``), by module path."""
    if not RESULTS.exists():
        return {}
    return dict(json.loads(RESULTS.read_text("utf-8")))


def _kept_codes(path: str) -> dict[str, int | None]:
    """The kept results of one module whose function is unchanged since they were made."""
    kept = _saved().get(path) or {}
    then: dict[str, str] = kept.get("functions", {})  # type: ignore[assignment]
    now = _function_hashes(path)
    return {name: code for name, code in kept.get("exit_codes", {}).items()  # type: ignore[union-attr]
            if then.get(_function_of(name)) is not None and then.get(_function_of(name)) == now.get(_function_of(name))}


def _module_codes(path: str) -> dict[str, int | None]:
    """Every mutant of one module and its exit code: mutmut's own results (``mutants/``) over the
    results kept in the repository for functions unchanged since."""
    codes = _kept_codes(path)
    meta = MUTANTS / f"{path}.meta"
    if meta.exists():
        for name, code in json.loads(meta.read_text("utf-8"))["exit_code_by_key"].items():
            if code is not NOT_CHECKED or name not in codes:
                codes[name] = code
    return codes


def save_results() -> None:
    """Keep mutmut's results in the repository, so a fresh checkout still reports them.

    Each result is kept with the hash of its function's source as it is now: only when mutmut's
    mutants are newer than the source (it regenerates them when the source changes).
    """
    saved = _saved()
    for path in sorted({t.path for targets in GROUPS.values() for t in targets}):
        meta, mutated = MUTANTS / f"{path}.meta", MUTANTS / path
        if not meta.exists() or mutated.stat().st_mtime < (ROOT / path).stat().st_mtime:
            continue
        codes = {n: c for n, c in _module_codes(path).items() if c is not NOT_CHECKED}
        if codes:
            hashes = _function_hashes(path)
            # The changed line of each mutant not killed, so a checkout without mutants/ still shows it.
            diffs = {n: _diff_lines(n, Target(path)) for n, c in codes.items() if _status(c) != "killed"}
            saved[path] = {"functions": {f: h for f, h in sorted(hashes.items())
                                         if any(_function_of(n) == f for n in codes)},
                           "exit_codes": dict(sorted(codes.items())),
                           "diffs": {n: d for n, d in sorted(diffs.items()) if not d.startswith("(diff unavailable")}}
    RESULTS.write_text(json.dumps(saved, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def _meta(target: Target) -> dict[str, int | None]:
    """The exit code for each of the target's mutants (None: not run yet)."""
    return {name: code for name, code in _module_codes(target.path).items()
            if fnmatch.fnmatch(name, target.pattern)}


def _status(code: int | None) -> str:
    if code is NOT_CHECKED:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in SKIPPED:
        return "skipped"
    return {0: "survived", 5: "no test", 33: "no test"}.get(code, "suspicious")


def _to_run(group: str, again: bool) -> list[str]:
    """Mutant names (or patterns, before mutmut has generated any) that this run should check."""
    names: list[str] = []
    for target in GROUPS[group]:
        codes = _meta(target)
        if not codes:
            return [t.pattern for t in GROUPS[group]]
        names += [n for n, c in codes.items() if c is NOT_CHECKED or (again and _status(c) != "killed")]
    return sorted(names)


def run_group(group: str, *, again: bool, max_children: int) -> dict[str, object]:
    names = _to_run(group, again)
    record: dict[str, object] = {"group": group, "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                 "mutants_run": len(names), "again": again, "max_children": max_children}
    if not names:
        print(f"{group}: nothing left to run")
        return record | {"seconds": 0}
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"mutation-{group}.log"
    print(f"{group}: running {len(names)} mutants with {max_children} children (log: {log.relative_to(ROOT)})",
          flush=True)
    start = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run([str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(max_children), *names],
                              cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=False,
                              env={**os.environ, "HYPOTHESIS_PROFILE": "mutation"})
    seconds = round(time.monotonic() - start)
    print(f"{group}: finished in {seconds} s (mutmut exit code {done.returncode})", flush=True)
    return record | {"seconds": seconds, "exit_code": done.returncode}


def _diff_lines(name: str, target: Target) -> str:
    """The changed source line(s) of a mutant, as mutmut shows them."""
    try:
        from mutmut.mutation.diff_apply import get_diff_for_mutant

        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            diff = get_diff_for_mutant(name, path=target.path)
        finally:
            os.chdir(cwd)
    except Exception as exc:  # noqa: BLE001 - the summary still lists the survivor without its diff
        return f"(diff unavailable: {type(exc).__name__})"
    changed = [line for line in diff.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return " / ".join(re.sub(r"\s+", " ", line).strip() for line in changed)[:300]


def _previous_runs() -> list[dict[str, object]]:
    if not SUMMARY.exists():
        return []
    text = SUMMARY.read_text("utf-8")
    if RUNS_MARK not in text:
        return []
    return json.loads(text.split(RUNS_MARK, 1)[1].rsplit("-->", 1)[0])


def _figures(codes: dict[str, int | None]) -> tuple[Counter[str], int, str, str]:
    """Counts by status, mutants checked, killed % and whether the target is met (all checked, >= 90%)."""
    counts = Counter(_status(c) for c in codes.values())
    checked = len(codes) - counts["not run"] - counts["skipped"]
    score = f"{counts['killed'] / checked:.0%}" if checked else "-"
    ok = "yes" if checked and counts["not run"] == 0 and counts["killed"] / checked >= TARGET_KILLED else "no"
    return counts, checked, score, ok


def _scopes() -> dict[str, list[tuple[str, str, dict[str, int | None]]]]:
    """Module path -> (group, functions, exit codes) for each group that mutates it."""
    out: dict[str, list[tuple[str, str, dict[str, int | None]]]] = {}
    for group, targets in GROUPS.items():
        by_path: dict[str, list[Target]] = {}
        for target in targets:
            by_path.setdefault(target.path, []).append(target)
        for path, mine in by_path.items():
            codes: dict[str, int | None] = {}
            for target in mine:
                codes.update(_meta(target))
            functions = ("whole module" if any(t.functions == "*" for t in mine)
                         else ", ".join(t.label.split(" (", 1)[1].rstrip(")") for t in mine))
            out.setdefault(path, []).append((group, functions, codes))
    return out


def write_summary(runs: list[dict[str, object]]) -> None:
    notes: dict[str, str] = tomllib.loads(NOTES.read_text("utf-8")) if NOTES.exists() else {}
    rows, module_rows, survivors, listed = [], [], [], set()
    # The changed line of each mutant not killed, as kept with the results (read once).
    kept_diffs: dict[str, dict[str, str]] = {path: dict(kept.get("diffs", {}))  # type: ignore[call-overload]
                                             for path, kept in _saved().items()}
    for path, scopes in _scopes().items():
        for group, functions, codes in scopes:
            counts, _, score, ok = _figures(codes)
            rows.append(f"| {group} | `{path.removeprefix('placedesk/')}` | {functions} | {len(codes)} | "
                        f"{counts['killed']} | {counts['survived']} | {counts['no test']} | {counts['suspicious']} | "
                        f"{counts['not run']} | {score} | {ok} |")
            for name, code in sorted(codes.items()):
                if _status(code) in ("survived", "no test", "suspicious") and name not in listed:
                    listed.add(name)
                    reason = notes.get(name, "**not yet explained**")
                    diff = kept_diffs.get(path, {}).get(name) or _diff_lines(name, Target(path))
                    survivors.append(f"- `{name}` ({_status(code)}): `{diff}`  \n  {reason}")
        # The module's figure: its widest group checked in full, else the one with most mutants checked.
        done = [s for s in scopes if s[2] and _figures(s[2])[0]["not run"] == 0]
        group, functions, codes = (max(done, key=lambda s: len(s[2])) if done
                                   else max(scopes, key=lambda s: _figures(s[2])[1]))
        counts, _, score, ok = _figures(codes)
        unexplained = sum(1 for n, c in codes.items()
                          if _status(c) in ("survived", "no test", "suspicious") and n not in notes)
        module_rows.append(f"| `{path.removeprefix('placedesk/')}` | {group}: {functions} | {len(codes)} | "
                           f"{counts['killed']} | {len(codes) - counts['killed'] - counts['not run']} | "
                           f"{unexplained} | {counts['not run']} | {score} | {ok} |")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Mutation testing of the rule modules",
        "",
        "Written by `make mutation` (`python -m bench.mutation`, mutmut 3 configured in `pyproject.toml`);",
        f"summary rewritten {when}. A *killed* mutant is a planted bug the tests noticed (a failing test, or",
        "a hang cut off by mutmut's time limit); *survived* means every test reaching it still passed;",
        "*no test* means no rule test reaches the changed function at all; *not run* was not checked yet.",
        f"Target: at least {TARGET_KILLED:.0%} killed in every module (killed / checked). Figures are for the",
        "source as it was when each group ran (see Runs); after a rule module changes, run its group again.",
        "Results are kept in `bench/mutation_results.json` (with a SHA-256 of each function's syntax tree), so",
        "a fresh checkout reports them; the mutants of a function changed since show as *not run* again.",
        "",
        "Scope: each rule module has a group of its rule functions (the ones that decide what the officer",
        "sees: a status, a date, a RAG, a refusal, a check a bundle must pass), run first; most also have a",
        "group of the whole module (SQL building, wording, writing), run as time allows. Both are listed.",
        "",
        "## By module",
        "",
        "Each module's figure is that of its widest group checked in full (else the one furthest along).",
        "",
        ("| module | scope (group: functions) | mutants | killed | not killed | of those unexplained | not run "
        "| killed % | target met |"),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *module_rows,
        "",
        "## By group",
        "",
        ("| group | module | functions | mutants | killed | survived | no test | suspicious | not run | killed % "
        "| target met |"),
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        "## Survivors, and why each is harmless",
        "",
        "Reasons come from `bench/mutation_notes.toml` (mutant name = reason).",
        "",
        *(survivors or ["None."]),
        "",
        *([EARLIER.read_text("utf-8").rstrip(), ""] if EARLIER.exists() else []),
        "## Runs",
        "",
        "| group | started (UTC) | mutants run | re-run of survivors | children | seconds | note |",
        "| --- | --- | ---: | --- | ---: | ---: | --- |",
        *(f"| {r['group']} | {r['started']} | {r['mutants_run']} | {'yes' if r.get('again') else 'no'} | "
          f"{r.get('max_children', '')} | {r.get('seconds', '')} | {r.get('note', '')} |" for r in runs),
        "",
        f"Machine: {os.cpu_count()} CPUs, shared. Each mutant runs only the tests that reached its function",
        "when mutmut first ran the rule tests (`tests/services`, `tests/reports/test_signing.py`, without",
        "the demo generator's tests), stopping at the first failure.",
        "",
        f"{RUNS_MARK}\n{json.dumps(runs, indent=1)}\n-->",
        "",
    ]
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text("\n".join(lines), encoding="utf-8")
    print(f"Summary written to {SUMMARY.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("groups", nargs="*", metavar="group",
                        help=f"groups to run, from: {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--again", action="store_true", help="re-run the survivors of these groups")
    parser.add_argument("--report", action="store_true", help="only rewrite docs/mutation.md")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    args = parser.parse_args(argv)
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}; choose from: {', '.join(GROUPS)}")
    runs = _previous_runs()
    save_results()
    if not args.report:
        for group in args.groups or list(GROUPS):
            runs.append(run_group(group, again=args.again, max_children=args.max_children))
            save_results()
            write_summary(runs)  # after each group, so a stopped run still leaves its figures
    write_summary(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
