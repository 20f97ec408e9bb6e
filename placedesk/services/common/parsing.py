"""Strict parsers and formatters for what officers type: dates, postcodes, money, shares.

Every parser either returns a clean value or raises ValidationError with a
message that says what to type instead. Money is integer pence; shares are
integer basis points (10000 = 100%).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from placedesk.errors import ValidationError

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str, field: str | None = None) -> dt.date:
    """A date typed as ``31/03/2026`` (UK) or ``2026-03-31`` (ISO)."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK.match(value)
        if not match:
            raise ValidationError(f"'{text}' is not a date: type it as dd/mm/yyyy, e.g. 31/03/2026.", field)
        day, month, year = (int(g) for g in match.groups())
    try:
        result = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"'{text}' is not a real date: check the day and month.", field) from None
    if not 1900 <= result.year <= 2200:
        raise ValidationError(f"'{text}' has an unlikely year: check it.", field)
    return result


def format_date(value: dt.date | None) -> str:
    """A date as officers write it (31/03/2026); empty for none."""
    return value.strftime("%d/%m/%Y") if value else ""


# The UK postcode shape: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


# Every time a person reads is shown in UK local time with its zone; stored times stay UTC.
UK_ZONE = "Europe/London"


def uk_local(moment: dt.datetime) -> dt.datetime:
    """``moment`` (aware, or naive meaning UTC as PlaceDesk stores it) in UK local time."""
    from zoneinfo import ZoneInfo

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(UK_ZONE))


def format_uk_time(moment: dt.datetime | None) -> str:
    """dd/mm/yyyy HH:MM with the zone (GMT or BST); empty for None."""
    if moment is None:
        return ""
    return uk_local(moment).strftime("%d/%m/%Y %H:%M %Z")


def normalise_postcode(text: str, field: str | None = None) -> str:
    """A full UK postcode in its standard form (``SW1A 1AA``)."""
    compact = re.sub(r"\s+", "", text.upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise ValidationError(f"'{text}' is not a UK postcode: type it like SW1A 1AA.", field)
    return f"{match.group(1)} {match.group(2)}"


def postcode_key(text: str) -> str:
    """The lookup key for a full postcode or outward code: upper case, no spaces."""
    return re.sub(r"\s+", "", text.upper())


def outward_code(postcode: str) -> str:
    """``SW1A 1AA`` -> ``SW1A``; an outward code alone is returned as it is."""
    compact = postcode_key(postcode)
    match = _POSTCODE.match(compact)
    if match:
        return match.group(1)
    if _OUTWARD.match(compact):
        return compact
    return ""


def postcode_area(postcode: str) -> str:
    """The letters at the start of a postcode (``SW1A 1AA`` -> ``SW``)."""
    match = re.match(r"^[A-Z]{1,2}", postcode_key(postcode))
    return match.group(0) if match else ""


_MONEY = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")
MAX_PENCE = 10_000_000_00  # £10m a week: anything above is a typing slip


def parse_money(text: str, field: str | None = None) -> int:
    """Pounds typed as ``1250``, ``1,250.50`` or ``£1250.5`` -> integer pence."""
    value = text.strip()
    if not _MONEY.match(value):
        raise ValidationError(
            f"'{text}' is not an amount of money: type pounds and pence, e.g. 1250.00.", field
        )
    try:
        pence = int(Decimal(value.lstrip("£").strip().replace(",", "")) * 100)
    except InvalidOperation:
        raise ValidationError(f"'{text}' is not an amount of money.", field) from None
    if pence > MAX_PENCE:
        raise ValidationError(f"'{text}' is more than £10,000,000: check the amount.", field)
    return pence


def format_money(pence: int | None) -> str:
    """Integer pence as ``£1,250.50``; empty for none."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


_PERCENT = re.compile(r"^(\d{1,3})(\.\d{1,2})?\s*%?$")


def parse_percent(text: str, field: str | None = None) -> int:
    """A share typed as ``33.33`` or ``33.33%`` -> basis points (3333); 0 to 100."""
    value = text.strip()
    if not _PERCENT.match(value):
        raise ValidationError(f"'{text}' is not a percentage: type a number from 0 to 100, e.g. 33.33.", field)
    bp = int(Decimal(value.rstrip("%").strip()) * 100)
    if bp > 10000:
        raise ValidationError(f"'{text}' is more than 100%.", field)
    return bp


def format_percent(bp: int) -> str:
    """Basis points as a percentage: 3333 -> ``33.33%``, 5000 -> ``50%``, 6050 -> ``60.5%``."""
    whole, frac = divmod(bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"
