"""Twenty officers saving at once: the harness behind the team-server benchmark (issue 17).

Each simulated officer is a separate process (``multiprocessing`` spawn) with
their own login and their own :class:`~placedesk.db.Database`, and does what
the window's slots do, through the same service functions:

- wizard page saves on a draft referral of their own: the Child page
  (:func:`~placedesk.services.referrals.intake.save_child`) and the Needs page
  (:func:`~placedesk.services.referrals.intake.save_needs`);
- on one CAP the whole team shares: adding actions
  (:func:`~placedesk.services.monitoring.caps.add_action`) and changing the
  plan's first few actions (:func:`~placedesk.services.monitoring.caps.change_action`),
  so colleagues do collide.

As on screen, a save is preceded by loading the form in a reading session
and some typing; only the save (one ``session_scope``: the service call and
the commit) is timed. Outcomes are counted apart: saved, refused because a
colleague changed the record meanwhile (optimistic locking, a correct
outcome), and errors a user would see (deadlocks, a busy database, anything
else).

Afterwards :func:`verify` checks that no update was lost, from the final data
and the audit trail, so the check can fail:

- every save an officer saw succeed is in the audit trail with the value
  they saved, and each record ends with the value of its last applied save;
- every action an officer saw added is on the plan;
- no applied change of a shared action replaced a value its officer never
  saw (the audit's "before" is what the officer loaded): otherwise the
  colleague's change before it was overwritten silently, a lost update.

Run by hand: ``python -m bench.officers TARGET [SECONDS]`` (TARGET a database
path or a SQLAlchemy URL with the large demo in it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import queue
import random
import statistics
import sys
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# Number of the CAP's actions every officer changes (the others are only added).
SHARED_ACTIONS = 5
BENCH_LAPTOP = "TEAM"
# What an officer does next, and how often (relative weights).
MIX = {"child_page": 2, "needs_page": 3, "add_action": 2, "change_action": 3}


@dataclass(frozen=True)
class Pace:
    """How fast the simulated officers work, in seconds."""

    # Between loading a form and saving it (typing).
    typing: tuple[float, float] = (0.2, 0.8)
    # Between one save and loading the next form.
    pause: tuple[float, float] = (0.2, 0.8)


@dataclass(frozen=True)
class TeamSetup:
    """The records the run works on, made by :func:`prepare`."""

    cap_id: uuid.UUID
    shared_action_ids: tuple[uuid.UUID, ...]
    referral_ids: tuple[uuid.UUID, ...]
    today: dt.date


@dataclass
class OfficerLog:
    """What one officer did and saw; plain data so it crosses the process boundary."""

    name: str
    # (kind, outcome, milliseconds) of every save attempted.
    saves: list[tuple[str, str, float]] = field(default_factory=list)
    # Successful saves, in order: marker values written.
    child_markers: list[str] = field(default_factory=list)
    needs_markers: list[str] = field(default_factory=list)
    added_actions: list[str] = field(default_factory=list)
    # (action id, description the officer loaded, description they saved).
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # What refused or failed saves would have written: none of it may be in the data.
    unsaved: list[str] = field(default_factory=list)
    # First few error messages, by kind (synthetic data only: no personal data here).
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    connect_seconds: float = 0.0


def _child_details(index: int, known_as: str) -> Any:
    from placedesk.services.referrals.intake import ChildDetails

    return ChildDetails(case_reference=f"TEAMBENCH-{index:02d}", first_name="Bench", last_name=f"Child{index:02d}",
                        date_of_birth=dt.date(2012, 5, 1 + index % 28), known_as=known_as,
                        home_local_authority="Sheffield", home_postcode="S10 2TN")


def _needs(summary: str, today: dt.date) -> Any:
    from placedesk.models.enums import FundingPartner, PlacementType
    from placedesk.services.referrals.intake import ReferralNeeds

    return ReferralNeeds(placement_type=PlacementType.CHILDRENS_HOME, required_start_date=today + dt.timedelta(days=14),
                         funding_shares={FundingPartner.SOCIAL_CARE: 10000}, needs=["autism"], risks=["missing"],
                         needs_summary=summary, max_distance_km=60.0, budget_ceiling_pence=500000)


def prepare(target: Any, officers: int, today: dt.date) -> TeamSetup:
    """One shared CAP (on the first provider) with its actions, and a draft referral per officer."""
    from sqlalchemy import select

    from placedesk.db import open_database
    from placedesk.models import Provider
    from placedesk.models.enums import CapSeverity
    from placedesk.services.monitoring.caps import add_action, open_cap
    from placedesk.services.referrals.intake import save_child, save_needs

    db = open_database(target)
    db.officer = "Team lead"
    try:
        with db.session_scope() as session:
            provider = session.scalars(select(Provider).order_by(Provider.ref).limit(1)).one()
            cap = open_cap(session, provider, issue="Team benchmark: staffing ratios at night",
                           severity=CapSeverity.MEDIUM, opened_on=today, laptop_id=BENCH_LAPTOP)
            actions = [add_action(session, cap, description=f"Shared action {n}", owner="Registered manager",
                                  due_date=today + dt.timedelta(days=28 + n)) for n in range(SHARED_ACTIONS)]
            referrals = []
            for index in range(officers):
                referral = save_child(session, None, _child_details(index, ""), today=today, laptop_id=BENCH_LAPTOP,
                                      created_by=f"Officer {index:02d}")
                save_needs(session, referral, _needs("", today), today=today)
                referrals.append(referral.id)
            session.flush()
            return TeamSetup(cap_id=cap.id, shared_action_ids=tuple(a.id for a in actions),
                             referral_ids=tuple(referrals), today=today)
    finally:
        db.close()


def classify(exc: BaseException) -> str:
    """The outcome a failed save is counted under.

    The cause is looked for first: the app shows a deadlock as a "database busy"
    message, and it still counts as a deadlock shown to a user.
    """
    from placedesk.errors import DatabaseBusy, PlaceDeskError

    if is_conflict(exc):
        return "refused_conflict"
    seen: BaseException | None = exc
    visited: set[int] = set()
    while seen is not None and id(seen) not in visited:
        visited.add(id(seen))
        code = getattr(seen, "sqlstate", None)
        if code == "40P01" or "deadlock" in str(seen).lower():
            return "error_deadlock"
        if code == "40001":
            return "error_serialization"
        if code == "55P03":
            return "error_lock_timeout"
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    if isinstance(exc, DatabaseBusy):
        return "error_busy"
    if isinstance(exc, PlaceDeskError):
        return "error_refused"
    return "error_other"


def is_conflict(exc: BaseException) -> bool:
    """Whether the save was refused because a colleague changed the record meanwhile (optimistic locking)."""
    from sqlalchemy.orm.exc import StaleDataError

    from placedesk import errors

    conflict = getattr(errors, "EditConflict", None)
    return isinstance(exc, StaleDataError) or (conflict is not None and isinstance(exc, conflict))


@contextlib.contextmanager
def _form(db: Any) -> Iterator[tuple[Any, Any]]:
    """A reading session as a screen loads its form with, and the screen's baseline (None without locking)."""
    baseline = new_baseline()
    with db.session() as session:
        if baseline is not None:
            db.baselines.add(baseline)
            baseline.watch(session)
        yield session, baseline


def _timed_save(log: OfficerLog, kind: str, db: Any, baseline: Any, work: Any) -> bool:
    """Run ``work(session)`` as one user action checked against ``baseline``; log its time and outcome.

    True when it was saved.
    """
    start = time.perf_counter()
    outcome = "saved"
    try:
        with db.session_scope() as session:
            if baseline is not None:
                baseline.enforce(session)
            work(session)
    except Exception as exc:  # noqa: BLE001 - every failure is counted by kind, none stops the officer
        outcome = classify(exc)
        if outcome.startswith("error_") and len(log.errors) < 5:
            log.errors.append(f"{kind}: {outcome}: {type(exc).__name__}: {str(exc)[:200]}")
    log.saves.append((kind, outcome, (time.perf_counter() - start) * 1000))
    return outcome == "saved"


def officer_main(index: int, target: str, setup: TeamSetup, pace: Pace, seconds: float, seed: int,
                 ready: Any, go: Any, results: Any) -> None:
    """One officer's session: connect, wait for the others, work for ``seconds``, report."""
    log = OfficerLog(name=f"Officer {index:02d}")
    try:
        _work(index, target, setup, pace, seconds, seed, ready, go, log)
    except BaseException as exc:  # noqa: BLE001 - the parent must hear of a crash rather than wait forever
        log.errors.append(f"crashed: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}")
        traceback.print_exc()
        ready.put(index)

    results.put(log)


def _work(index: int, target: str, setup: TeamSetup, pace: Pace, seconds: float, seed: int,
          ready: Any, go: Any, log: OfficerLog) -> None:
    from placedesk.db import open_database
    from placedesk.models import Cap, CapAction, Referral
    from placedesk.services.monitoring.caps import add_action, change_action
    from placedesk.services.referrals.intake import save_child, save_needs

    rng = random.Random(seed * 1000 + index)
    start = time.perf_counter()
    db = open_database(target, create=False)
    db.officer = log.name
    db.require_officer = True
    referral_id = setup.referral_ids[index]
    today = setup.today
    # Connect and touch every table the loop uses before the clock starts, as a window open all day has.
    with db.session() as session:
        session.get(Referral, referral_id)
        session.get(Cap, setup.cap_id)
    log.connect_seconds = time.perf_counter() - start
    ready.put(index)
    go.wait()
    cpu_start = time.process_time()
    deadline = time.monotonic() + seconds
    kinds, weights = list(MIX), list(MIX.values())
    count = 0
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        count += 1
        marker = f"O{index:02d}-{count:05d}"
        if kind == "child_page":
            with _form(db) as (session, baseline):  # the page loads the draft...
                session.get(Referral, referral_id).child.known_as  # noqa: B018
            time.sleep(rng.uniform(*pace.typing))  # ...the officer types...
            if _timed_save(log, kind, db, baseline, lambda s, marker=marker: save_child(  # ...and Next saves it.
                    s, s.get(Referral, referral_id), _child_details(index, marker), today=today,
                    laptop_id=BENCH_LAPTOP)):
                log.child_markers.append(marker)
            else:
                log.unsaved.append(marker)
        elif kind == "needs_page":
            with _form(db) as (session, baseline):
                session.get(Referral, referral_id).needs_summary  # noqa: B018
            time.sleep(rng.uniform(*pace.typing))
            if _timed_save(log, kind, db, baseline, lambda s, marker=marker: save_needs(
                    s, s.get(Referral, referral_id), _needs(marker, today), today=today)):
                log.needs_markers.append(marker)
            else:
                log.unsaved.append(marker)
        elif kind == "add_action":
            with _form(db) as (session, baseline):  # the CAP panel shows the plan
                session.get(Cap, setup.cap_id).ref  # noqa: B018
            time.sleep(rng.uniform(*pace.typing))
            text = f"Added by {marker}"
            if _timed_save(log, kind, db, baseline, lambda s, text=text: add_action(
                    s, s.get(Cap, setup.cap_id), description=text, owner="Registered manager",
                    due_date=today + dt.timedelta(days=28), today=today)):
                log.added_actions.append(text)
            else:
                log.unsaved.append(text)
        else:
            action_id = rng.choice(setup.shared_action_ids)
            with _form(db) as (session, baseline):  # the Change action dialog shows what is stored now
                seen = session.get(CapAction, action_id).description
            time.sleep(rng.uniform(*pace.typing))
            text = f"Changed by {marker}"

            def change(s: Any, action_id: uuid.UUID = action_id, text: str = text) -> None:
                stored = s.get(CapAction, action_id)
                change_action(s, stored, description=text, owner="Registered manager",
                              due_date=stored.due_date, today=today)

            if _timed_save(log, kind, db, baseline, change):
                log.changes.append((str(action_id), seen, text))
            else:
                log.unsaved.append(text)
        time.sleep(rng.uniform(*pace.pause))
    log.cpu_seconds = time.process_time() - cpu_start
    db.close()


def new_baseline() -> Any:
    """What a screen keeps of the record versions it showed, when this build has optimistic locking.

    Optimistic locking (issue 17, part c: :class:`placedesk.models.concurrency.Baseline`)
    is what refuses a save over a colleague's unseen change; without it such a
    save is applied, and :func:`verify` counts the colleague's change as lost.
    """
    try:
        from placedesk.models.concurrency import Baseline  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return Baseline()


def run_team(target: str, setup: TeamSetup, *, officers: int, seconds: float, pace: Pace = Pace(),
             targets: list[str] | None = None, seed: int = 17) -> list[OfficerLog]:
    """Start ``officers`` processes, let them work together for ``seconds``, return their logs.

    ``targets`` gives each officer their own login (URL); otherwise all use ``target``.
    """
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    processes = []
    for index in range(officers):
        own = targets[index] if targets else target
        process = context.Process(target=officer_main, name=f"officer-{index:02d}",
                                  args=(index, own, setup, pace, seconds, seed, ready, go, results))
        process.start()
        processes.append(process)
    _gather(ready, officers, processes, deadline=time.monotonic() + 600)
    go.set()
    logs: list[OfficerLog] = _gather(results, officers, processes, deadline=time.monotonic() + seconds + 600)
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
    return logs


def _gather(source: Any, count: int, processes: list[Any], *, deadline: float) -> list[Any]:
    """Up to ``count`` items from ``source``; stops early once every process has ended (a crash at start-up)."""
    items: list[Any] = []
    while len(items) < count and time.monotonic() < deadline:
        try:
            items.append(source.get(timeout=1))
        except queue.Empty:
            if not any(p.is_alive() for p in processes):
                break
    return items


@dataclass
class Verdict:
    """What :func:`verify` found."""

    lost_updates: int = 0
    # Saves an officer was told failed (refused or an error) whose change is in the data all the same.
    half_written: int = 0
    details: list[str] = field(default_factory=list)

    def lost(self, message: str) -> None:
        self.lost_updates += 1
        if len(self.details) < 8:
            self.details.append(message)

    def applied_anyway(self, message: str) -> None:
        self.half_written += 1
        if len(self.details) < 8:
            self.details.append(message)


def verify(target: str, setup: TeamSetup, logs: list[OfficerLog]) -> Verdict:
    """Check, from the final data and the audit trail, that every save an officer saw succeed is kept."""
    from sqlalchemy import select

    from placedesk.db import open_database
    from placedesk.models import AuditEvent, CapAction, Referral
    from placedesk.models.enums import AuditAction

    verdict = Verdict()
    db = open_database(target, create=False)
    try:
        with db.session() as session:
            def audited_values(entity: str, ids: list[uuid.UUID], column: str) -> dict[uuid.UUID, dict[str, Any]]:
                """Per record: value written -> value it replaced, for every audited update of ``column``."""
                out: dict[uuid.UUID, dict[str, Any]] = {i: {} for i in ids}
                events = session.scalars(select(AuditEvent).where(
                    AuditEvent.entity == entity, AuditEvent.entity_id.in_(ids), AuditEvent.action == AuditAction.UPDATE))
                for event in events:
                    change = (event.changes or {}).get(column)
                    if change and change.get("after") is not None:
                        out[event.entity_id][change["after"]] = change.get("before")
                return out

            by_name = {log.name: log for log in logs}
            referral_ids = list(setup.referral_ids)
            names = {r.id: r.child.known_as for r in session.scalars(select(Referral).where(Referral.id.in_(referral_ids)))}
            summaries = dict(session.execute(select(Referral.id, Referral.needs_summary)
                                             .where(Referral.id.in_(referral_ids))).all())
            known_as = audited_values("child", [session.get(Referral, r).child_id for r in referral_ids], "known_as")
            needs = audited_values("referral", referral_ids, "needs_summary")
            for index, referral_id in enumerate(referral_ids):
                log = by_name.get(f"Officer {index:02d}")
                if log is None:
                    continue
                child_id = session.get(Referral, referral_id).child_id
                for marker in log.child_markers:
                    if marker not in known_as[child_id]:
                        verdict.lost(f"{log.name}'s Child page save {marker} is not in the audit trail")
                for marker in log.needs_markers:
                    if marker not in needs[referral_id]:
                        verdict.lost(f"{log.name}'s Needs page save {marker} is not in the audit trail")
                if log.child_markers and names[referral_id] != log.child_markers[-1]:
                    verdict.lost(f"{log.name}'s draft ends with known-as {names[referral_id]!r}, "
                                 f"not their last save {log.child_markers[-1]!r}")
                if log.needs_markers and summaries[referral_id] != log.needs_markers[-1]:
                    verdict.lost(f"{log.name}'s draft ends with needs {summaries[referral_id]!r}, "
                                 f"not their last save {log.needs_markers[-1]!r}")
            on_plan = set(session.scalars(select(CapAction.description).where(CapAction.cap_id == setup.cap_id)))
            for log in logs:
                for text in log.added_actions:
                    if text not in on_plan:
                        verdict.lost(f"{log.name}'s added action {text!r} is not on the plan")
            shared = list(setup.shared_action_ids)
            replaced = audited_values("cap_action", shared, "description")
            final = dict(session.execute(select(CapAction.id, CapAction.description)
                                         .where(CapAction.id.in_(shared))).all())
            for log in logs:
                for action_id, seen, text in log.changes:
                    history = replaced[uuid.UUID(action_id)]
                    if text not in history:
                        verdict.lost(f"{log.name}'s change {text!r} is not in the audit trail")
                    elif history[text] != seen:
                        verdict.lost(f"{log.name} saved {text!r} over {history[text]!r}, a colleague's change "
                                     f"they never saw (they had loaded {seen!r})")
            written = {value for by_record in (*known_as.values(), *needs.values(), *replaced.values())
                       for value in by_record} | on_plan
            for log in logs:
                for value in log.unsaved:
                    if value in written:
                        verdict.applied_anyway(f"{log.name} was told {value!r} did not save, yet it is in the data")
            for action_id, description in final.items():
                history = replaced[action_id]
                # The final value is one nobody wrote over: it must be a change someone saw saved.
                if history and description not in history:
                    verdict.lost(f"shared action ends with {description!r}, which no save wrote")
    finally:
        db.close()
    return verdict


def summarise(logs: list[OfficerLog], verdict: Verdict, seconds: float) -> dict[str, Any]:
    """The figures of one run: save times, outcomes, CPU, lost updates."""
    saves = [s for log in logs for s in log.saves]
    times = sorted(ms for _, _, ms in saves)
    outcomes = Counter(outcome for _, outcome, _ in saves)

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, round(p * (len(values) - 1)))] if values else 0.0

    by_kind = {}
    for kind in MIX:
        kind_times = sorted(ms for k, _, ms in saves if k == kind)
        by_kind[kind] = {"count": len(kind_times), "p95_ms": pct(kind_times, 0.95),
                         "median_ms": statistics.median(kind_times) if kind_times else 0.0}
    errors = {k: v for k, v in outcomes.items() if k.startswith("error_")}
    return {
        "officers": len(logs), "seconds": seconds, "saves": len(saves), "saved": outcomes.get("saved", 0),
        "refused_conflict": outcomes.get("refused_conflict", 0), "errors": errors,
        "error_count": sum(errors.values()), "deadlocks": outcomes.get("error_deadlock", 0),
        "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "max_ms": times[-1] if times else 0.0,
        "by_kind": by_kind, "lost_updates": verdict.lost_updates, "lost_details": verdict.details,
        "half_written": verdict.half_written,

        "cpu_seconds": sum(log.cpu_seconds for log in logs),
        "connect_seconds_max": max((log.connect_seconds for log in logs), default=0.0),
        "error_samples": [e for log in logs for e in log.errors][:6],
        "crashed": sum(any(e.startswith("crashed:") for e in log.errors) for log in logs),
    }



def team_run(target: str, *, officers: int = 20, seconds: float = 60.0, today: dt.date | None = None,
             targets: list[str] | None = None, pace: Pace = Pace()) -> dict[str, Any]:
    """Prepare, run and verify one team run on ``target``; the summary of :func:`summarise`."""
    setup = prepare(target, officers, today or dt.date.today())
    logs = run_team(target, setup, officers=officers, seconds=seconds, targets=targets, pace=pace)
    summary = summarise(logs, verify(target, setup, logs), seconds)
    summary["officers_started"] = officers
    summary["optimistic_locking"] = new_baseline() is not None
    return summary


if __name__ == "__main__":
    import json

    chosen = sys.argv[1]
    length = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    team = int(os.environ.get("OFFICERS", "20"))
    print(json.dumps(team_run(chosen, officers=team, seconds=length), indent=1, default=str))
