"""Time expressions that span a stretch of days.

"The past three months", "since May", "from July to October".

A rolling stretch counts back (or on) from the reference day itself, not from a
calendar boundary: asked on 8 March, "in the past month" is 8 February to 8 March,
while "last month" (a calendar month, see :mod:`~engramdb.pipeline.understand.timex`)
is February. Each resolves to a ``range`` interval that ends the day after the last
day it covers.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from engramdb.pipeline.understand.intervals import (
    MONTH_WORDS,
    NUM,
    Interval,
    count,
    looks_ahead,
    midnight,
    month_number,
    nearest_year,
    week_of,
)

__all__ = ["RANGE_RULES"]

_F = re.IGNORECASE
_YEAR = r"(?:19|20)\d\d"


def shift_months(day: date, months: int) -> date:
    """``day`` moved by whole months, kept within the target month ("31 March" - 1: 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


_DAY = timedelta(days=1)


def _stretch(ref: datetime, first: date, after: date) -> Interval:
    return midnight(first, ref), midnight(after, ref), "range"


def _rolling(m: re.Match[str], ref: datetime) -> Interval | None:
    """A stretch back or on from today: "the past three months", "in the next few days"."""
    n = count(m) if m.group("n") else 1
    unit = m.group("unit").lower()
    today = ref.date()
    sign = 1 if m.group("which").lower() in ("next", "coming") else -1
    if unit in ("day", "week"):
        other = today + timedelta(days=sign * n * (7 if unit == "week" else 1))
    else:
        other = shift_months(today, sign * n * (12 if unit == "year" else 1))
    if sign < 0:
        return _stretch(ref, other, today + timedelta(days=1))
    return _stretch(ref, today, other + timedelta(days=1))


def _since_unit(m: re.Match[str], ref: datetime) -> Interval | None:
    """From the first day of this or the last unit: "since the start of the year"."""
    today = ref.date()
    back = 1 if m.group("which").lower() == "last" else 0
    unit = m.group("unit").lower()
    if unit == "week":
        first = week_of(today) - timedelta(weeks=back)
    elif unit == "month":
        first = shift_months(today.replace(day=1), -back)
    else:
        first = date(today.year - back, 1, 1)
    return _stretch(ref, first, today + timedelta(days=1))


def _since_month(m: re.Match[str], ref: datetime) -> Interval | None:
    """From a month's first day to today: "since May", "since March 2022"."""
    month = month_number(m.group("month"))
    if month is None:
        return None
    year = int(m.group("y")) if m.group("y") else nearest_year(month, ref, ahead=False)
    first = date(year, month, 1)
    today = ref.date()
    return None if first > today else _stretch(ref, first, today + timedelta(days=1))


def _since_year(m: re.Match[str], ref: datetime) -> Interval | None:
    """From a year's first day to today: "since 2019" (its label keeps the "since")."""
    first, today = date(int(m.group("y")), 1, 1), ref.date()
    return None if first > today else (midnight(first, ref), midnight(today, ref) + _DAY, "year")


def _month_to_month(m: re.Match[str], ref: datetime) -> Interval | None:
    """Two months and those between, whole: "from July to October"."""
    first, last = month_number(m.group("a")), month_number(m.group("b"))
    if first is None or last is None:
        return None
    year = int(m.group("y")) if m.group("y") else nearest_year(last, ref, ahead=looks_ahead(m))
    start_year = year if first <= last else year - 1
    end = shift_months(date(year, last, 1), 1)
    return _stretch(ref, date(start_year, first, 1), end)


#: a month name written with a capital ("may" and "march" are mostly words)
_PLAUSIBLE_MONTH = rf"(?:(?=(?-i:[A-Z]))(?:{MONTH_WORDS}))"
#: "the last day of school" and "the past year that we met" name one, not a stretch
_NOT_A_STRETCH = r"(?! (?:of|before|after|that|when)\b)"
RANGE_RULES = [
    (
        re.compile(
            rf"\b(?:(?:in|over|during|within|for|throughout) )?the (?P<which>past|last|previous"
            rf"|next|coming) (?:(?:{NUM}) )?(?P<unit>day|week|month|year)s?\b{_NOT_A_STRETCH}",
            _F,
        ),
        _rolling,
    ),
    (
        re.compile(
            r"\bsince (?:the (?:start|beginning) of )?(?P<which>the|this|last) "
            r"(?P<unit>week|month|year)\b",
            _F,
        ),
        _since_unit,
    ),
    (
        re.compile(rf"\bsince (?P<month>{_PLAUSIBLE_MONTH})(?:,? (?P<y>{_YEAR}))?\b", _F),
        _since_month,
    ),
    (re.compile(rf"\bsince (?P<y>{_YEAR})\b(?![-/]\d)"), _since_year),
    (
        re.compile(
            rf"\b(?:from|between) (?P<a>{_PLAUSIBLE_MONTH}) (?:to|through|till|until|and|-) "
            rf"(?P<b>{_PLAUSIBLE_MONTH})(?:,? (?P<y>{_YEAR}))?\b",
            _F,
        ),
        _month_to_month,
    ),
]
