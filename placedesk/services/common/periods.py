"""Calendar months as monitoring periods: a KPI value covers one month, risk looks back over several."""

from __future__ import annotations

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month: the period a KPI value covers."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, or that month's last day when it is shorter
    (31/08 plus three months is 30/11): how "within three months" is counted."""
    import calendar

    first = add_months(day, months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))


__all__ = ["add_months", "month_start", "months_after"]
