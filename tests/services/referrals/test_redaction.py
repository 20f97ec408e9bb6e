"""Redaction: no identifier of the child survives in a pack's free text, however it was typed."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from placedesk.services.referrals.redaction import (
    CASE_MARK,
    DOB_MARK,
    NAME_MARK,
    POSTCODE_MARK,
    ChildIdentifiers,
    fold,
    identifiers_of,
    redact,
)

ZOE = ChildIdentifiers(names=("Zoë", "O'Brien-Ní Mhaille", "Zoë"), case_reference="DM166215",
                       date_of_birth=dt.date(2014, 2, 17), home_postcode="SW1A 1AA", social_worker_name="Priya Shah")


def test_the_needs_summary_that_leaked_now_names_no_one() -> None:
    result = redact("Zoe O'Brien-Ni Mhaille (Zoë) needs a calm home", ZOE)
    assert result.text == f"{NAME_MARK} {NAME_MARK} ({NAME_MARK}) needs a calm home"
    assert [r.original for r in result.removals] == ["Zoe", "O'Brien-Ni Mhaille", "Zoë"]
    # Each removal says where its mark stands, so the Send page can highlight it.
    assert all(result.text[r.start:r.end] == r.mark for r in result.removals)


def test_references_dates_postcodes_possessives_and_the_social_worker_go() -> None:
    text = ("Case DM 166215 (166215). Born 17 February 2014, 17.02.2014, 17-02-2014, 17/2/14, 2014-02-17, "
            "17th of Feb 2014, February 17, 2014. Noah's friend; zoe's and ZOES. Lives at sw1a1aa. "
            "Priya Shah's view. Obrien. Mhaille's dog.")
    result = redact(text, ZOE)
    assert result.text == (
        f"Case {CASE_MARK} ({CASE_MARK}). Born {DOB_MARK}, {DOB_MARK}, {DOB_MARK}, {DOB_MARK}, {DOB_MARK}, "
        f"{DOB_MARK}, {DOB_MARK}. Noah's friend; {NAME_MARK} and {NAME_MARK}. Lives at {POSTCODE_MARK}. "
        f"{NAME_MARK} view. {NAME_MARK}. {NAME_MARK} dog.")


def test_other_words_and_dates_are_left_alone() -> None:
    text = "Zoology at school; start 17 March 2014 is wrong; 1662150 is another number."
    assert redact(text, ZOE).text == text


def test_everything_on_the_childs_record_that_identifies_them_is_taken_from_it() -> None:
    from placedesk.models import Child

    child = Child(first_name="Amara", last_name="Okafor", known_as="Mara", case_reference="LA 12/345",
                  date_of_birth=dt.date(2010, 9, 3), home_postcode="M1 1AE", social_worker_name="Tom Reed")
    ids = identifiers_of(child)
    assert ids == ChildIdentifiers(names=("Amara", "Okafor", "Mara"), case_reference="LA 12/345",
                                   date_of_birth=dt.date(2010, 9, 3), home_postcode="M1 1AE",
                                   social_worker_name="Tom Reed")
    text = "Mara lives at M11AE, ref 12345, born 3 Sept 2010; Tom Reed visits."
    assert redact(text, ids).text == (f"{NAME_MARK} lives at {POSTCODE_MARK}, ref {CASE_MARK}, born {DOB_MARK}; "
                                      f"{NAME_MARK} visits.")
    # A record not filled in yet identifies nothing by its empty fields.
    blank = identifiers_of(Child(first_name="Amara", last_name="Okafor"))
    assert blank == ChildIdentifiers(names=("Amara", "Okafor", ""))
    assert identifiers_of(Child()) == ChildIdentifiers(names=("", "", ""))
    assert redact("12 hours a week in M1", blank).text == "12 hours a week in M1"


def test_a_short_case_reference_keeps_its_digits_out_of_ordinary_numbers_only_below_three() -> None:
    three = ChildIdentifiers(names=("Amara",), case_reference="AB123")
    assert redact("see 123 and AB 123", three).text == f"see {CASE_MARK} and {CASE_MARK}"
    two = ChildIdentifiers(names=("Amara",), case_reference="AB12")
    assert redact("12 hours; AB-12", two).text == f"12 hours; {CASE_MARK}"


def test_identifiers_that_overlap_are_removed_as_one_mark() -> None:
    ids = ChildIdentifiers(names=("Ash-Lee", "Smith"), case_reference="ASH", date_of_birth=dt.date(2014, 2, 17))
    # The longest identifier starting at a place wins it: the whole name, not the case reference in it.
    assert redact("Ash-Lee is well", ids).text == f"{NAME_MARK} is well"
    # An identifier running on past another's end extends the first one's mark over both.
    digits = ChildIdentifiers(names=("Amara",), case_reference="2014 55", date_of_birth=dt.date(2014, 2, 17))
    result = redact("Born 17/02/2014 55 days early", digits)
    assert result.text == f"Born {DOB_MARK} days early"
    assert [(r.mark, r.original) for r in result.removals] == [(DOB_MARK, "17/02/2014 55")]
    # At one place, a longer case reference is taken before the name at its start.
    named = ChildIdentifiers(names=("Ash",), case_reference="ASH123")
    assert redact("ASH123 today", named).text == f"{CASE_MARK} today"


# --- generated cases ----------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzéèëïöüñçáíóúâôŵŷ"
FILLER = ["needs", "a", "calm", "home", "with", "support", "at", "school", "and", "contact", "weekly", "the",
          "placement", "should", "be", "near", "family"]


@st.composite
def name_parts(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(LETTERS[:26])).upper()
    rest = draw(st.text(alphabet=LETTERS, min_size=2, max_size=9))
    return first + rest


@st.composite
def names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(name_parts(), min_size=1, max_size=3))
    joins = draw(st.lists(st.sampled_from(["-", "'", " "]), min_size=len(parts) - 1, max_size=len(parts) - 1))
    out = parts[0]
    for join, part in zip(joins, parts[1:]):
        out += join + part
    return out


@st.composite
def children(draw: st.DrawFn) -> ChildIdentifiers:
    prefix = draw(st.text(alphabet="ABCDEFGHJKLMNPRSTWXYZ", min_size=0, max_size=3))
    digits = draw(st.integers(min_value=1000, max_value=99999999))
    joiner = draw(st.sampled_from(["", "-", "/"])) if prefix else ""
    return ChildIdentifiers(
        names=(draw(names()), draw(names()), draw(st.one_of(st.just(""), names()))),
        case_reference=f"{prefix}{joiner}{digits}",
        date_of_birth=draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2025, 12, 31))),
        social_worker_name=draw(names()),
    )


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _ordinal(day: int) -> str:
    return "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _strip_accents(text: str) -> str:
    return fold(text)[0]


@st.composite
def name_forms(draw: st.DrawFn, ids: ChildIdentifiers) -> str:
    name = draw(st.sampled_from([n for n in (*ids.names, ids.social_worker_name) if n]))
    parts = [p for p in re.split(r"[\s'\-]+", name) if len(p) > 1]
    chosen = draw(st.sampled_from([name, *parts]))
    chosen = draw(st.sampled_from([chosen, chosen.upper(), chosen.lower(), _strip_accents(chosen)]))
    return chosen + draw(st.sampled_from(["", "'s", "s", "’s"]))


@st.composite
def case_forms(draw: st.DrawFn, ids: ChildIdentifiers) -> str:
    ref = ids.case_reference
    digits = "".join(c for c in ref if c.isdigit())
    letters = "".join(c for c in ref if c.isalpha())
    return draw(st.sampled_from([ref, ref.lower(), f"{letters} {digits}", digits, f"{letters}-{digits}",
                                 f"ref {digits}"]))


@st.composite
def dob_forms(draw: st.DrawFn, ids: ChildIdentifiers) -> str:
    d = ids.date_of_birth
    assert d is not None
    day = draw(st.sampled_from([str(d.day), f"{d.day:02d}"]))
    month = draw(st.sampled_from([str(d.month), f"{d.month:02d}"]))
    year = draw(st.sampled_from([str(d.year), f"{d.year % 100:02d}"]))
    sep = draw(st.sampled_from(["/", ".", "-", " "]))
    word = draw(st.sampled_from([MONTHS[d.month - 1], MONTHS[d.month - 1][:3], MONTHS[d.month - 1].upper()]))
    ordinal = draw(st.sampled_from(["", _ordinal(d.day)]))
    return draw(st.sampled_from([
        f"{day}{sep}{month}{sep}{year}", d.isoformat(), f"{d.day}{ordinal} {word} {year}",
        f"{d.day}{ordinal} of {word} {d.year}", f"{word} {d.day}{ordinal}, {d.year}",
    ]))


@st.composite
def cases(draw: st.DrawFn) -> tuple[ChildIdentifiers, str, list[str]]:
    ids = draw(children())
    pieces: list[str] = []
    planted: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["name", "case", "dob", "filler"]))
        if kind == "filler":
            pieces.append(" ".join(draw(st.lists(st.sampled_from(FILLER), min_size=1, max_size=4))))
            continue
        form = draw({"name": name_forms, "case": case_forms, "dob": dob_forms}[kind](ids))
        planted.append(form)
        pieces.append(form)
    punctuation = draw(st.lists(st.sampled_from([" ", ", ", ". ", " (", ") ", "; "]), min_size=len(pieces),
                                max_size=len(pieces)))
    text = "".join(p + q for p, q in zip(pieces, punctuation))
    return ids, text, planted


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^\w]+", _strip_accents(text)) if w}


@settings(max_examples=1000, deadline=None)
@given(cases())
def test_no_identifier_survives_any_generated_text(case: tuple[ChildIdentifiers, str, list[str]]) -> None:
    ids, text, planted = case
    out = redact(text, ids).text
    words = _words(out)
    for name in (*ids.names, ids.social_worker_name):
        for part in re.split(r"[\s'\-]+", _strip_accents(name)):
            if len(part) > 1:
                assert part not in words and f"{part}s" not in words, (text, out)
    digits = "".join(c for c in ids.case_reference if c.isdigit())
    assert digits not in re.sub(r"[\s\-/_.]", "", out), (text, out)
    for form in planted:
        assert form not in out, (text, out)
