"""Import of SSDA903 episodes and header files into children's care history.

Rows are matched to children by CHILD = ``Child.case_reference``. A row that
cannot be read is reported by file, line and reason and skipped; every other
row imports. An imported episode is recognised again by child, start date and
legal status (``source="ssda903"``), so importing the same file twice changes
nothing, and a later export that closes an open episode updates it in place.

Overlaps are refused, not merged: an episode whose days overlap another
episode of the same child (in the file, or already in PlaceDesk) is reported
and skipped, because overlapping days would make the care history ambiguous.
SSDA903 starts a new episode on the day the last one ended, which is not an
overlap (periods run up to but not including DEC; see ``leaving_care``).

Dates must be possible: an episode starting before the child's date of birth
(as PlaceDesk or the header file has it), or starting or ending after the
import date, is reported by line and skipped.

Files are read a row at a time, never whole, so a return of any size fits in
memory; ``progress(done, total)`` is called as the import goes, and may raise
(``placedesk.errors.Cancelled``) to stop it: the caller's transaction then
rolls back everything.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models.child import CarePeriod, Child
from placedesk.services.common.parsing import format_date, parse_date
from placedesk.services.care.ssda903_codes import ETHNICITY, LEGAL_STATUSES, PLACEMENT_TYPES, SEX

EPISODE_COLUMNS = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "HOME_POST", "PL_POST", "URN")
REQUIRED_EPISODE_COLUMNS = ("CHILD", "DECOM", "LS", "PLACE", "DEC")
REQUIRED_HEADER_COLUMNS = ("CHILD", "DOB")
SOURCE = "ssda903"
# Longest value each short code column holds in the database.
_CODE_LIMITS = {"RNE": 4, "CIN": 4, "PLACE_PROVIDER": 4, "REC": 4, "URN": 16}
# Told how far the import has gone: (done, total), in bytes of the files read and then rows applied.
Progress = Callable[[int, int], None]
# How much of a file is read at a time when checking its encoding, and how often progress is told.
_CHUNK = 1 << 20
_PROGRESS_EVERY = 2000


class RowError(Exception):
    """A row that cannot be imported; ``str()`` says what is wrong with it."""


@dataclass(frozen=True)
class Episode:
    """One SSDA903 episode row, checked."""

    line: int
    child: str
    start_date: dt.date
    end_date: dt.date | None
    legal_status: str
    placement_code: str
    reason_new_episode: str = ""
    category_of_need: str = ""
    place_provider: str = ""
    reason_ended: str = ""
    urn: str = ""

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        """Whether this episode shares a day with [start, end) (end exclusive, None open)."""
        return _overlap(self.start_date, self.end_date, start, end)


@dataclass(frozen=True)
class HeaderRow:
    """One SSDA903 header row: who the child is."""

    line: int
    child: str
    date_of_birth: dt.date
    sex: str = ""
    ethnicity: str = ""


@dataclass(frozen=True)
class RowProblem:
    """A row left out of the import, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did, for the officer to check."""

    episodes_added: int = 0
    episodes_updated: int = 0
    episodes_unchanged: int = 0
    children_created: int = 0
    children_updated: int = 0
    # Header rows for children not in PlaceDesk, left out because creating them was not asked for.
    children_not_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.episodes_added} episodes added",
            f"{self.episodes_updated} updated",
            f"{self.episodes_unchanged} already up to date",
        ]
        if self.children_created:
            parts.append(f"{self.children_created} children created")
        if self.children_updated:
            parts.append(f"{self.children_updated} children's details filled in")
        text = ", ".join(parts) + "."
        if self.children_not_created:
            text += (f" {self.children_not_created} children in the header file are not in PlaceDesk and were "
                     "not created (import again with 'create children' to add them).")
        if self.problems:
            text += f" {len(self.problems)} rows could not be imported (listed below)."
        return text


def _overlap(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _value(row: Mapping[str, str | None], column: str) -> str:
    return (row.get(column) or "").strip()


def _date(row: Mapping[str, str | None], column: str, *, required: bool) -> dt.date | None:
    text = _value(row, column)
    if not text:
        if required:
            raise RowError(f"{column} is blank: give the date as dd/mm/yyyy.")
        return None
    try:
        return parse_date(text)
    except ValidationError as exc:
        raise RowError(f"{column} {exc}") from None


def parse_episode(row: Mapping[str, str | None], line: int) -> Episode:
    """Check one episodes-file row; raise :class:`RowError` saying what to fix."""
    child = _value(row, "CHILD")
    if not child:
        raise RowError("CHILD is blank: every episode needs the child's id.")
    if len(child) > 40:
        raise RowError("CHILD is longer than 40 characters: check the column.")
    start = _date(row, "DECOM", required=True)
    assert start is not None
    end = _date(row, "DEC", required=False)
    if end is not None and end < start:
        raise RowError(f"DEC {format_date(end)} is before DECOM {format_date(start)}: the episode cannot end "
                       "before it starts.")
    legal = _value(row, "LS").upper()
    if legal not in LEGAL_STATUSES:
        raise RowError(f"LS '{legal}' is not an SSDA903 legal status code (C1, C2, E1, V2, V3, ...).")
    place = _value(row, "PLACE").upper()
    if place not in PLACEMENT_TYPES:
        raise RowError(f"PLACE '{place}' is not an SSDA903 placement code (U1-U6, K2, H5, R1, S1, P1, ...).")
    codes = {}
    for column, limit in _CODE_LIMITS.items():
        value = _value(row, column).upper()
        if len(value) > limit:
            raise RowError(f"{column} '{value}' is longer than {limit} characters: check the column.")
        codes[column] = value
    return Episode(
        line=line,
        child=child,
        start_date=start,
        end_date=end,
        legal_status=legal,
        placement_code=place,
        reason_new_episode=codes["RNE"],
        category_of_need=codes["CIN"],
        place_provider=codes["PLACE_PROVIDER"],
        reason_ended=codes["REC"],
        urn=codes["URN"],
    )


def parse_header(row: Mapping[str, str | None], line: int) -> HeaderRow:
    """Check one header-file row; raise :class:`RowError` saying what to fix."""
    child = _value(row, "CHILD")
    if not child:
        raise RowError("CHILD is blank: every row needs the child's id.")
    dob = _date(row, "DOB", required=True)
    assert dob is not None
    sex = _value(row, "SEX")
    if sex and sex not in SEX:
        raise RowError(f"SEX '{sex}' is not an SSDA903 code (1 male, 2 female).")
    ethnic = _value(row, "ETHNIC").upper()
    if ethnic and ethnic not in ETHNICITY:
        raise RowError(f"ETHNIC '{ethnic}' is not an SSDA903 ethnicity code (WBRI, MWBC, BAFR, ...).")
    return HeaderRow(line=line, child=child, date_of_birth=dob, sex=SEX.get(sex, ""),
                     ethnicity=ETHNICITY.get(ethnic, ""))


def _decodes_as(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes in ``encoding``, read a chunk at a time."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _encoding(path: Path) -> str:
    """UTF-8 (as case systems export now), else Windows-1252 (older exports); anything else is refused."""
    try:
        for encoding in ("utf-8-sig", "cp1252"):
            if _decodes_as(path, encoding):
                return encoding
    except OSError as exc:
        raise PlaceDeskError(f"Could not read {path}: {exc.strerror or exc}. Check the file name.") from exc
    raise PlaceDeskError(f"{path} is not a text CSV file. Export it from the case system as CSV.")


def read_rows(path: Path, required: Sequence[str],
              read: Callable[[int], None] | None = None) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line number, row) for each data row, read a row at a time; column names compared without case or spaces.

    ``read(characters)`` is told how much more of the file has been read, now and then.
    """
    path = Path(path)
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as handle:
        counted = _Counted(handle, read)
        reader = csv.DictReader(counted)
        try:
            names = [(n or "").strip().upper() for n in (reader.fieldnames or [])]
            missing = [c for c in required if c not in names]
            if missing:
                raise PlaceDeskError(
                    f"{path.name} is missing the column(s) {', '.join(missing)}. It needs at least "
                    f"{', '.join(required)}: check that it is the right SSDA903 file."
                )
            reader.fieldnames = names
            line = 1
            for row in reader:
                yield line + 1, row
                line = reader.line_num
        except csv.Error as exc:
            # A NUL byte or a runaway quoted field: the file is not a CSV export, so nothing is imported.
            raise PlaceDeskError(f"{path.name} line {reader.line_num + 1} cannot be read as CSV ({exc}). "
                                 "Export the file from the case system again.") from None
        counted.flush()


class _Counted:
    """The lines of a text file, telling ``read`` how many characters have gone by every so often."""

    def __init__(self, handle: Iterator[str], read: Callable[[int], None] | None) -> None:
        self._handle = handle
        self._read = read
        self._pending = 0
        self._lines = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._handle)
        self._pending += len(line)
        self._lines += 1
        if self._lines % _PROGRESS_EVERY == 0:
            self.flush()
        return line

    def flush(self) -> None:
        if self._read is not None and self._pending:
            self._read(self._pending)
        self._pending = 0


def _not_after(episode: Episode, today: dt.date) -> Episode:
    """``episode`` if none of its dates is after the import date ``today``; else RowError."""
    for column, day in (("DECOM", episode.start_date), ("DEC", episode.end_date)):
        if day is not None and day > today:
            raise RowError(f"{column} {format_date(day)} is after the import date ({format_date(today)}): "
                           "an episode cannot start or end in the future. Check the date in the case system.")
    return episode


def read_episodes(path: Path, today: dt.date | None = None,
                  read: Callable[[int], None] | None = None) -> tuple[list[Episode], list[RowProblem]]:
    """Every readable episode in the file, and the problems with the rest.

    With ``today`` (the import date), an episode starting or ending after it is a problem.
    """
    episodes: list[Episode] = []
    problems: list[RowProblem] = []
    for line, row in read_rows(path, REQUIRED_EPISODE_COLUMNS, read):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        try:
            episode = parse_episode(row, line)
            episodes.append(episode if today is None else _not_after(episode, today))
        except RowError as exc:
            problems.append(RowProblem(Path(path).name, line, str(exc)))
    return episodes, problems


def read_header(path: Path, read: Callable[[int], None] | None = None) -> tuple[list[HeaderRow], list[RowProblem]]:
    """Every readable header row in the file, and the problems with the rest."""
    rows: list[HeaderRow] = []
    problems: list[RowProblem] = []
    for line, row in read_rows(path, REQUIRED_HEADER_COLUMNS, read):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        try:
            rows.append(parse_header(row, line))
        except RowError as exc:
            problems.append(RowProblem(Path(path).name, line, str(exc)))
    return rows, problems


def _children_by_ref(session: Session, refs: set[str]) -> dict[str, Child]:
    found: dict[str, Child] = {}
    ordered = sorted(refs)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i:i + 500]
        for child in session.scalars(select(Child).where(Child.case_reference.in_(chunk))):
            found[child.case_reference] = child
    return found


def _apply_header(session: Session, rows: list[HeaderRow], children: dict[str, Child], file: str,
                  create_children: bool, report: ImportReport) -> None:
    for row in rows:
        child = children.get(row.child)
        if child is None:
            if not create_children:
                report.children_not_created += 1
                continue
            # SSDA903 carries no names: the officer adds them on the child's page.
            child = Child(id=uuid.uuid4(), case_reference=row.child, first_name="", last_name="",
                          date_of_birth=row.date_of_birth, gender=row.sex, ethnicity=row.ethnicity)
            session.add(child)
            children[row.child] = child
            report.children_created += 1
            continue
        if child.date_of_birth != row.date_of_birth:
            report.problems.append(RowProblem(
                file, row.line,
                f"DOB {format_date(row.date_of_birth)} differs from the date of birth in PlaceDesk "
                f"({format_date(child.date_of_birth)}); PlaceDesk was not changed: check which is right.",
            ))
        filled = False
        if row.sex and not child.gender:
            child.gender = row.sex
            filled = True
        if row.ethnicity and not child.ethnicity:
            child.ethnicity = row.ethnicity
            filled = True
        report.children_updated += filled


def _describe(start: dt.date, end: dt.date | None) -> str:
    return f"{format_date(start)} to {format_date(end) if end else 'now (open)'}"


def _file_episodes_without_overlaps(episodes: list[Episode], file: str,
                                    report: ImportReport) -> dict[str, list[Episode]]:
    """Episodes by child, in start order, leaving out those that overlap an earlier one."""
    by_child: dict[str, list[Episode]] = {}
    for episode in sorted(episodes, key=lambda e: (e.child, e.start_date, e.line)):
        kept = by_child.setdefault(episode.child, [])
        clash = next((k for k in kept if episode.overlaps(k.start_date, k.end_date)
                      or (k.start_date, k.legal_status) == (episode.start_date, episode.legal_status)), None)
        if clash is not None:
            report.problems.append(RowProblem(
                file, episode.line,
                f"overlaps the episode on line {clash.line} ({_describe(clash.start_date, clash.end_date)}) "
                "for the same child: correct the dates in the case system and export again.",
            ))
            continue
        kept.append(episode)
    return by_child


_EPISODE_FIELDS = ("end_date", "placement_code", "reason_new_episode", "category_of_need", "place_provider",
                   "reason_ended", "urn")


def _born_by_then(episodes: list[Episode], children: Mapping[str, Child], file: str,
                  report: ImportReport) -> list[Episode]:
    """The episodes that start on or after their child's date of birth; the others reported by line."""
    kept = []
    for episode in episodes:
        child = children.get(episode.child)
        if child is not None and child.date_of_birth and episode.start_date < child.date_of_birth:
            report.problems.append(RowProblem(
                file, episode.line,
                f"DECOM {format_date(episode.start_date)} is before the child's date of birth "
                f"({format_date(child.date_of_birth)}): check the dates in the case system.",
            ))
            continue
        kept.append(episode)
    return kept


def import_903(session: Session, episodes_path: Path, header_path: Path | None = None, *,
               create_children: bool = False, today: dt.date | None = None,
               progress: Progress | None = None) -> ImportReport:
    """Import an SSDA903 episodes file (and optionally its header file) into care history.

    ``today`` is the import date (default: the computer's date); episodes after it are refused.
    """
    today = today or dt.date.today()
    report = ImportReport()
    episodes_file = Path(episodes_path).name
    paths = [Path(episodes_path)] + ([Path(header_path)] if header_path is not None else [])
    try:
        # Reading the files is the first half of the work, applying the rows the second.
        total = 2 * max(1, sum(path.stat().st_size for path in paths))
    except OSError as exc:
        raise PlaceDeskError(f"Could not read {exc.filename}: {exc.strerror}. Check the file name.") from exc
    done = 0

    def read(characters: int) -> None:
        nonlocal done
        done = min(total // 2, done + characters)
        if progress is not None:
            progress(done, total)

    header_rows: list[HeaderRow] = []
    if header_path is not None:
        header_rows, problems = read_header(Path(header_path), read)
        report.problems.extend(problems)
    episodes, problems = read_episodes(Path(episodes_path), today, read)
    report.problems.extend(problems)

    children = _children_by_ref(session, {r.child for r in header_rows} | {e.child for e in episodes})
    if header_path is not None:
        _apply_header(session, header_rows, children, Path(header_path).name, create_children, report)

    episodes = _born_by_then(episodes, children, episodes_file, report)
    by_child = _file_episodes_without_overlaps(episodes, episodes_file, report)
    known_ids = [c.id for ref, c in children.items() if ref in by_child]
    existing: dict[uuid.UUID, list[CarePeriod]] = {}
    for i in range(0, len(known_ids), 500):
        for period in session.scalars(select(CarePeriod).where(CarePeriod.child_id.in_(known_ids[i:i + 500]))):
            existing.setdefault(period.child_id, []).append(period)

    for number, (ref, child_episodes) in enumerate(by_child.items(), start=1):
        if progress is not None and number % 200 == 0:
            progress(total // 2 + (total // 2) * number // len(by_child), total)
        child = children.get(ref)
        if child is None:
            for episode in child_episodes:
                report.problems.append(RowProblem(
                    episodes_file, episode.line,
                    f"no child with case reference '{ref}' in PlaceDesk: add the child, or import the header "
                    "file too and ask to create children.",
                ))
            continue
        _import_child_episodes(session, child, child_episodes, existing.get(child.id, []), episodes_file, report)
    report.problems.sort(key=lambda p: (p.file != episodes_file, p.file, p.line))
    session.flush()
    if progress is not None:
        progress(total, total)
    return report


def _import_child_episodes(session: Session, child: Child, episodes: list[Episode], periods: list[CarePeriod],
                           file: str, report: ImportReport) -> None:
    matched: dict[int, CarePeriod] = {}
    by_key = {(p.start_date, p.legal_status): p for p in periods if p.source == SOURCE}
    for episode in episodes:
        period = by_key.get((episode.start_date, episode.legal_status))
        if period is not None:
            matched[episode.line] = period
    matched_ids = {id(p) for p in matched.values()}
    others = [p for p in periods if id(p) not in matched_ids]
    timeline: list[tuple[dt.date, dt.date | None, str]] = []
    for episode in episodes:
        period = matched.get(episode.line)
        if period is None:
            clash = next((p for p in others if episode.overlaps(p.start_date, p.end_date)), None)
            if clash is not None:
                report.problems.append(RowProblem(
                    file, episode.line,
                    f"overlaps the care period {_describe(clash.start_date, clash.end_date)} already in "
                    "PlaceDesk for this child: correct or delete one of them, then import again.",
                ))
                continue
            period = CarePeriod(child_id=child.id, start_date=episode.start_date, legal_status=episode.legal_status,
                                source=SOURCE, **{f: getattr(episode, f) for f in _EPISODE_FIELDS})
            session.add(period)
            report.episodes_added += 1
        else:
            changed = False
            for name in _EPISODE_FIELDS:
                # Only assign real differences, so an unchanged re-import writes no audit events.
                if getattr(period, name) != getattr(episode, name):
                    setattr(period, name, getattr(episode, name))
                    changed = True
            if changed:
                report.episodes_updated += 1
            else:
                report.episodes_unchanged += 1
        timeline.append((period.start_date, period.end_date, period.legal_status))
    timeline.extend((p.start_date, p.end_date, p.legal_status) for p in others)
    open_now = [t for t in timeline if t[1] is None]
    if open_now:
        latest = max(open_now, key=lambda t: t[0])[2]
        if child.legal_status != latest:
            child.legal_status = latest

