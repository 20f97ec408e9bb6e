"""The project's error types.

Two kinds, as in qutebrowser's ``sql.py``: a :class:`PlaceDeskError` is something
the officer can act on (bad input, a refused file, an illegal step), and its
message says what to fix. Anything else escaping a service is a bug.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass


class PlaceDeskError(Exception):
    """A problem the user can fix; ``str(error)`` is shown to them as it is."""


class ValidationError(PlaceDeskError):
    """Input that breaks a rule; ``field`` names the input to fix, when there is one.

    ``problems`` lists every (field, message) found at once, so a form can show
    them all beside their fields; a single problem is the usual case.
    """

    def __init__(self, message: str, field: str | None = None,
                 problems: list[tuple[str | None, str]] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.problems: list[tuple[str | None, str]] = problems or [(field, message)]


class Problems:
    """Collects every problem with a form, so the officer hears about them all at once.

    ``with problems.check(): ...`` keeps a ValidationError raised inside instead of
    stopping; :meth:`raise_any` then raises one error carrying them all. Only the
    first problem with each field is kept: fix that and the next shows.
    """

    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, message: str, field: str | None = None) -> None:
        if field is None or all(f != field for f, _ in self.items):
            self.items.append((field, message))

    def has(self, field: str) -> bool:
        return any(f == field for f, _ in self.items)

    @contextlib.contextmanager
    def check(self) -> Iterator[None]:
        try:
            yield
        except ValidationError as exc:
            for field, message in exc.problems:
                self.add(message, field)

    def raise_any(self) -> None:
        if self.items:
            field, _ = self.items[0]
            raise ValidationError("\n".join(m for _, m in self.items), field, list(self.items))


class WorkflowError(PlaceDeskError):
    """A step that the record's current state does not allow."""


class DatabaseRefused(PlaceDeskError):
    """A database file PlaceDesk will not open (foreign, newer, damaged)."""


class DatabaseLocked(DatabaseRefused):
    """An encrypted database none of the known keys opens; a passphrase may."""


class NotFound(PlaceDeskError):
    """A reference that matches no record."""


class DatabaseBusy(PlaceDeskError):
    """Another process held the database's write lock for longer than PlaceDesk waits."""


@dataclass(frozen=True)
class FieldClash:
    """One field of a record saved meanwhile by a colleague: what the officer's save would leave, and
    what is stored now. ``theirs_changed`` is True when the colleague's change touched this field."""

    field: str
    label: str
    yours: str
    theirs: str
    theirs_changed: bool


class EditConflict(PlaceDeskError):
    """A save refused because a colleague changed the record after this screen loaded it.

    Nothing of the save was written. ``changed_by``/``changed_at`` come from the audit trail (the
    last change to the row); ``clashes`` holds both versions of each field in question;
    ``their_version`` is the row version now stored, which a deliberate "apply mine" saves against.
    """

    def __init__(self, *, entity: str, entity_id: uuid.UUID, record_label: str, changed_by: str,
                 changed_at: dt.datetime | None, clashes: tuple[FieldClash, ...], your_version: int,
                 their_version: int | None) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.record_label = record_label
        self.changed_by = changed_by or "another officer"
        self.changed_at = changed_at
        self.clashes = clashes
        self.your_version = your_version
        # None when the colleague deleted the record.
        self.their_version = their_version
        super().__init__(self._message())

    @property
    def deleted(self) -> bool:
        return self.their_version is None

    def changed_when(self) -> str:
        """The local time of the colleague's change with its date ("10:42 on 2 Mar 2026")."""
        if self.changed_at is None:
            return "a moment ago"
        local = self.changed_at.astimezone()
        return f"{local:%H:%M} on {local.day} {local:%b %Y}"

    def changed_time(self) -> str:
        """Just the local time of the colleague's change ("10:42"), for column headings."""
        return f"{self.changed_at.astimezone():%H:%M}" if self.changed_at is not None else "a moment ago"

    def _message(self) -> str:
        return (f"{self._who_did_what(f'this {self.record_label}')} at {self.changed_when()}, after you "
                f"opened it. Nothing of yours was saved: keep their version (reload), or apply yours over theirs.")

    def _who_did_what(self, record: str) -> str:
        what = "deleted" if self.deleted else "changed"
        fields = ", ".join(c.label.lower() for c in self.clashes)
        return f"{self.changed_by} {what} {record}" + (f" ({fields})" if fields else "")

    def during(self, record: str, action: str, again: str) -> str:
        """The refusal of an action with no screen to reload (an import, a command): who changed ``record``
        while ``action`` was running, and ``again``, what to do now."""
        return f"{self._who_did_what(record)} at {self.changed_when()}, while {action} was running. {again}"


class ChangedMeanwhile(PlaceDeskError):
    """A long action (an import) refused whole because a colleague changed one of its records while it ran.

    Unlike a screen's save there is nothing to choose field by field: the action
    reads afresh when done again. ``conflict`` holds who changed what and when.
    """

    def __init__(self, conflict: EditConflict, record: str, action: str, again: str) -> None:
        self.conflict = conflict
        super().__init__(conflict.during(record, action, again))


class PermissionRefused(PlaceDeskError):
    """The team server refused a step the officer's PostgreSQL role does not allow; nothing was changed."""


class Cancelled(PlaceDeskError):
    """The officer stopped a long task; its transaction was rolled back, so nothing changed."""


# How to fill in the officer profile, for every message that asks for it.
PROFILE_HOW_TO = ("Set it in File › Officer profile and settings, or from the command line with "
                  "'placedesk profile --name \"Your Name\" --council \"Council name\" --email you@council.gov.uk'.")


class ProfileIncomplete(PlaceDeskError):
    """The officer profile lacks what an action needs; ``missing`` names the fields to fill in."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing
        # Set once the screen has been asked to open the profile, so it opens once per refusal.
        self.announced = False
