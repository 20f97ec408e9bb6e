"""Pseudonyms for sharing beyond the placement team: stable, unguessable, and never reversible here.

A name or case reference becomes ``HMAC-SHA256(secret, kind + value)``,
shortened; the same child gets the same pseudonym in every spreadsheet from
this installation, so analysts can follow a child across sheets and months,
but nobody without the secret can test a guess. The secret is made once, at
random, in the user data folder, readable by this user only (0600).
Dates of birth become age bands.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

from placedesk.config import data_dir
from placedesk.errors import PlaceDeskError

SECRET_NAME = "pseudonym-secret.key"
SECRET_BYTES = 32
# Bands used in the DfE's looked-after children statistics, with care leavers added.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 0, "Under 1"), (1, 4, "1 to 4"), (5, 9, "5 to 9"), (10, 15, "10 to 15"), (16, 17, "16 to 17"),
    (18, 20, "18 to 20"), (21, 24, "21 to 24"), (25, None, "25 and over"),
)
_PREFIX = {"child": "CHILD", "case": "CASE", "person": "PERSON"}


def secret_path(folder: Path | None = None) -> Path:
    return (folder or data_dir()) / SECRET_NAME


def installation_secret(folder: Path | None = None) -> bytes:
    """This installation's pseudonym key, created on first use with owner-only permissions."""
    path = secret_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(SECRET_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
    secret = path.read_bytes()
    if len(secret) != SECRET_BYTES:
        raise PlaceDeskError(
            f"The pseudonym key {path} is damaged ({len(secret)} bytes, expected {SECRET_BYTES}). Restore it from a "
            "backup to keep pseudonyms stable, or delete it to start a new series of pseudonyms."
        )
    return secret


def _normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def pseudonym(secret: bytes, kind: str, value: str) -> str:
    """A stable pseudonym such as ``CHILD-7KQ2M4XP``; empty in, empty out."""
    if not value.strip():
        return ""
    prefix = _PREFIX.get(kind, kind.upper())
    digest = hmac.new(secret, f"{kind}\x00{_normalise(value)}".encode("utf-8"), hashlib.sha256).digest()
    return f"{prefix}-{base64.b32encode(digest[:6]).decode('ascii')[:8]}"


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str:
    """The age band a date of birth falls in on ``on`` ("" when unknown)."""
    if date_of_birth is None:
        return ""
    age = max(age_on(date_of_birth, on), 0)
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return AGE_BANDS[-1][2]


class Pseudonymiser:
    """Applies one installation's key to the values of a spreadsheet."""

    def __init__(self, secret: bytes, on: dt.date) -> None:
        self._secret = secret
        self.on = on

    def child(self, first_name: str, last_name: str, case_reference: str) -> str:
        # Keyed on the case reference when there is one: names are shared and change.
        return pseudonym(self._secret, "child", case_reference or f"{first_name} {last_name}")

    def case(self, case_reference: str) -> str:
        return pseudonym(self._secret, "case", case_reference)

    def person(self, name: str) -> str:
        return pseudonym(self._secret, "person", name)

    def age_band(self, date_of_birth: dt.date | None) -> str:
        return age_band(date_of_birth, self.on)
