"""What identifies a child in officer-typed text, and removing it with a visible mark.

One place decides it, for every free-text field of a referral pack: every part
of the child's names (first, last, known as; each part of a hyphenated or
apostrophised name, with and without accents, in any case, possessive forms
too), the case reference written with any spacing or prefix and its digits
alone, the date of birth in the common UK written forms (numeric with any of
``/ . -`` or spaces, with or without leading zeros or the century, ISO, and in
words with or without an ordinal), the full home postcode however spaced, and
the social worker's name.

Matching runs on a folded copy of the text (accents stripped, case folded,
apostrophes and dashes made plain) whose every character points back to the
original, so what is removed is exactly the span the officer typed, and the
rest keeps its accents and case. Over-removal is preferred to a leak: a name
that is also an ordinary word is removed wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from placedesk.models import Child

NAME_MARK = "[name removed]"
CASE_MARK = "[case reference removed]"
DOB_MARK = "[date of birth removed]"
POSTCODE_MARK = "[postcode removed]"

# Case-reference digits shorter than this are too common to remove on their own.
MIN_CASE_DIGITS = 3
_APOSTROPHES = "'’‘`´ʼ"
_DASHES = "-‐‑‒–—"
_SEP = r"[\s'\-]*"
# Letter boundaries: a name part must not sit inside a longer word.
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")


@dataclass(frozen=True)
class ChildIdentifiers:
    """What identifies one child, as held on the record."""

    names: tuple[str, ...]
    case_reference: str = ""
    date_of_birth: dt.date | None = None
    home_postcode: str = ""
    social_worker_name: str = ""


@dataclass(frozen=True)
class Removal:
    """One identifier taken out: where its mark now stands in the text, and what it replaced."""

    start: int
    end: int
    mark: str
    original: str


@dataclass(frozen=True)
class Redacted:
    """Text with every identifier replaced by its mark, and the list of what was removed."""

    text: str
    removals: tuple[Removal, ...] = ()


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` with accents stripped and case folded, and for each folded character its original index."""
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if char in _APOSTROPHES:
            plain = "'"
        elif char in _DASHES:
            plain = "-"
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for c in plain:
            out.append(c)
            where.append(index)
    return "".join(out), where


def _folded(text: str) -> str:
    return fold(text)[0]


def _name_parts(name: str) -> list[str]:
    """The parts of a name split at spaces, hyphens and apostrophes, folded."""
    return [p for p in re.split(r"[\s'\-.]+", _folded(name)) if p]


def _name_patterns(names: tuple[str, ...]) -> list[str]:
    """Each run of consecutive name parts (longest first); single letters only inside a longer run."""
    runs: set[tuple[str, ...]] = set()
    for name in names:
        parts = _name_parts(name)
        for i in range(len(parts)):
            for j in range(i + 1, len(parts) + 1):
                run = tuple(parts[i:j])
                if len(run) > 1 or len(run[0]) > 1:
                    runs.add(run)
    ordered = sorted(runs, key=lambda r: (-sum(len(p) for p in r), r))
    return [_SEP.join(re.escape(p) for p in run) for run in ordered]


def _names_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    patterns = _name_patterns(tuple(n for n in names if n and n.strip()))
    if not patterns:
        return None
    # Possessives: "Noah's", "Noahs'", "Noahs" (and the apostrophe alone, "James'").
    return re.compile(rf"{_NOT_LETTER_BEFORE}(?:{'|'.join(patterns)})(?:'s|s'|s|')?{_NOT_LETTER_AFTER}")


def _case_regexes(case_reference: str) -> list[re.Pattern[str]]:
    chunks = re.findall(r"[a-z]+|\d+", _folded(case_reference))
    if not chunks:
        return []
    loose = r"[\s\-/_.#:]*"
    whole = loose.join(loose.join(re.escape(c) for c in chunk) for chunk in chunks)
    found = [re.compile(rf"(?<![a-z0-9]){whole}(?![0-9])")]
    digits = "".join(c for c in chunks if c.isdigit())
    if len(digits) >= MIN_CASE_DIGITS:
        spaced = r"[\s\-/_.]?".join(re.escape(d) for d in digits)
        found.append(re.compile(rf"(?<![0-9]){spaced}(?![0-9])"))
    return found


def _month_words(month: int) -> str:
    name = _MONTHS[month - 1]
    short = {9: "sept?"}.get(month, name[:3])
    return rf"(?:{name}|{short}\.?)"


def _dob_regex(born: dt.date) -> re.Pattern[str]:
    day = rf"0?{born.day}" if born.day < 10 else str(born.day)
    ordinal = r"(?:st|nd|rd|th)?"
    month = rf"0?{born.month}" if born.month < 10 else str(born.month)
    year = rf"(?:{born.year // 100})?{born.year % 100:02d}"
    full_year = str(born.year)
    words = _month_words(born.month)
    sep = r"\s*[/.\-]\s*|\s+"
    forms = [
        rf"{day}(?:{sep}){month}(?:{sep}){year}",
        rf"{full_year}(?:{sep}){month}(?:{sep}){day}",
        rf"{day}{ordinal}[\s,\-]*(?:of\s+)?{words}[\s,\-]*'?{year}",
        rf"{words}\s*{day}{ordinal}[\s,\-]*'?{year}",
    ]
    return re.compile(rf"(?<![0-9a-z])(?:{'|'.join(forms)})(?![0-9a-z])")


def _postcode_regex(postcode: str) -> re.Pattern[str] | None:
    chars = [c for c in _folded(postcode) if c.isalnum()]
    if len(chars) < 5:
        return None
    spaced = r"\s*".join(re.escape(c) for c in chars)
    return re.compile(rf"(?<![a-z0-9]){spaced}(?![a-z0-9])")


class Redactor:
    """The compiled patterns for one child; :meth:`redact` applies them to a text."""

    def __init__(self, ids: ChildIdentifiers) -> None:
        self._rules: list[tuple[re.Pattern[str], str]] = []
        if ids.date_of_birth is not None:
            self._rules.append((_dob_regex(ids.date_of_birth), DOB_MARK))
        postcode = _postcode_regex(ids.home_postcode)
        if postcode is not None:
            self._rules.append((postcode, POSTCODE_MARK))
        self._rules += [(rx, CASE_MARK) for rx in _case_regexes(ids.case_reference)]
        names = _names_regex((*ids.names, ids.social_worker_name))
        if names is not None:
            self._rules.append((names, NAME_MARK))

    def redact(self, text: str) -> Redacted:
        """``text`` with every identifier replaced by its mark."""
        if not text:
            return Redacted(text)
        folded, where = fold(text)
        spans: list[tuple[int, int, str]] = []
        for regex, mark in self._rules:
            for m in regex.finditer(folded):
                if m.end() > m.start():
                    spans.append((where[m.start()], where[m.end() - 1] + 1, mark))
        # Earlier rules (dates, postcodes, references) win an overlap over names; then the longest.
        chosen: list[tuple[int, int, str]] = []
        for start, end, mark in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
            if chosen and start < chosen[-1][1]:
                if end > chosen[-1][1]:
                    last = chosen[-1]
                    chosen[-1] = (last[0], end, last[2])
                continue
            chosen.append((start, end, mark))
        pieces: list[str] = []
        removals: list[Removal] = []
        cursor = length = 0
        for start, end, mark in chosen:
            pieces.append(text[cursor:start])
            length += start - cursor
            removals.append(Removal(length, length + len(mark), mark, text[start:end]))
            pieces.append(mark)
            length += len(mark)
            cursor = end
        pieces.append(text[cursor:])
        return Redacted("".join(pieces), tuple(removals))


def redact(text: str, ids: ChildIdentifiers) -> Redacted:
    """``text`` without anything in ``ids`` (see :class:`Redactor` to reuse the patterns)."""
    return Redactor(ids).redact(text)


def identifiers_of(child: Child) -> ChildIdentifiers:
    """What identifies a child, from their record (a field not filled in yet identifies nothing)."""
    return ChildIdentifiers(
        names=(child.first_name or "", child.last_name or "", child.known_as or ""),
        case_reference=child.case_reference or "",
        date_of_birth=child.date_of_birth,
        home_postcode=child.home_postcode or "",
        social_worker_name=child.social_worker_name or "",
    )


__all__ = [
    "CASE_MARK",
    "ChildIdentifiers",
    "DOB_MARK",
    "NAME_MARK",
    "POSTCODE_MARK",
    "Redacted",
    "Redactor",
    "Removal",
    "fold",
    "identifiers_of",
    "redact",
]
