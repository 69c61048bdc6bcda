"""Holidays by name: "over Thanksgiving", "on Christmas Eve", "last Easter".

A holiday resolves to its day in the year the sentence means: the one named with
a year ("Christmas 2021"), the last or next one ("last Halloween"), this year's
("this Easter"), or else the latest one up to the reference day, or the next one
if the sentence looks ahead ("we're hosting on Thanksgiving"). "... weekend" is the
long weekend around it (its week when it falls mid-week). The dates are the
United States' for the holidays that move.

A name counts only after a word that leads up to a time ("on", "over", "for",
"last", ...) and before the end of the phrase, so that "a Christmas tree" and
"for Christmas dinner" are no dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from engramdb.pipeline.understand.intervals import (
    LEAD_UP,
    PHRASE_END,
    Interval,
    days,
    looks_ahead,
    midnight,
)

__all__ = ["HOLIDAY_RULES", "HOLIDAY_WORDS", "holiday_day"]


def _fixed(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _nth(month: int, weekday: int, n: int) -> Callable[[int], date]:
    """The ``n``-th ``weekday`` (Monday 0) of ``month``; ``n`` -1 is the last."""

    def on(year: int) -> date:
        if n > 0:
            first = date(year, month, 1)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)

    return on


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    shift = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * shift + 114, 31)
    return date(year, month, day + 1)


def _after(days_after: int, of: Callable[[int], date]) -> Callable[[int], date]:
    return lambda year: of(year) + timedelta(days=days_after)


_THANKSGIVING = _nth(11, 3, 4)
#: each holiday's day in a given year, by the forms of its name (lower case, apostrophes
#: left out)
_DAYS: dict[str, Callable[[int], date]] = {
    "christmas eve": _fixed(12, 24),
    "christmas day": _fixed(12, 25),
    "christmas": _fixed(12, 25),
    "xmas": _fixed(12, 25),
    "new years eve": _fixed(12, 31),
    "new years day": _fixed(1, 1),
    "new years": _fixed(1, 1),
    "valentines day": _fixed(2, 14),
    "valentines": _fixed(2, 14),
    "st patricks day": _fixed(3, 17),
    "halloween": _fixed(10, 31),
    "independence day": _fixed(7, 4),
    "thanksgiving": _THANKSGIVING,
    "black friday": _after(1, _THANKSGIVING),
    "easter": _easter,
    "easter sunday": _easter,
    "good friday": _after(-2, _easter),
    "memorial day": _nth(5, 0, -1),
    "labor day": _nth(9, 0, 1),
    "labour day": _nth(9, 0, 1),
    "mothers day": _nth(5, 6, 2),
    "fathers day": _nth(6, 6, 3),
}


def _written(key: str) -> str:
    """The ways a name is written: "New Year's", "new years", "St. Patrick's Day"."""
    form = re.sub(r"(year|valentine|patrick|mother|father)s\b", r"\1(?:'|’)?s", key)
    return re.sub(r"^st ", r"st\\.? ", form)


_NAMES = [_written(key) for key in sorted(_DAYS, key=len, reverse=True)]
HOLIDAY_PATTERN = re.compile(
    rf"\b(?:(?P<which>last|next|this|this past|past) |{LEAD_UP}(?:the )?)"
    rf"(?P<name>{'|'.join(_NAMES)})(?P<weekend> weekend| break| holidays?| vacation)?"
    rf"(?:,? (?P<y>(?:19|20)\d\d))?\b{PHRASE_END}",
    re.IGNORECASE,
)
#: a holiday's name holds one of these (the cheap test before the time rules run)
HOLIDAY_WORDS = ("christmas", "xmas", "thanksgiving", "easter", "halloween", "valentine")


def holiday_day(name: str, year: int) -> date | None:
    """The day of the holiday ``name`` (as written) in ``year``, or ``None``."""
    key = re.sub(r"['’.]", "", name.lower())
    on = _DAYS.get(key)
    return on(year) if on else None


def _holiday(m: re.Match[str], ref: datetime) -> Interval | None:
    which = (m.group("which") or "").lower()
    today = ref.date()
    name = m.group("name")
    if m.group("y"):
        day = holiday_day(name, int(m.group("y")))
    elif which == "this":
        day = holiday_day(name, today.year)
    else:
        ahead = which == "next" or (not which and looks_ahead(m))
        day = _nearest(name, today, ahead=ahead, strictly=bool(which))
    if day is None:
        return None
    if m.group("weekend"):
        return _around(day, ref)
    return days(ref, day, 1, "day")


def _nearest(name: str, today: date, *, ahead: bool, strictly: bool) -> date | None:
    """The holiday's latest day up to ``today`` (or first from it, if ``ahead``)."""
    candidates = [holiday_day(name, today.year + shift) for shift in (-1, 0, 1)]
    found = [d for d in candidates if d is not None]
    if ahead:
        later = [d for d in found if d > today or (d == today and not strictly)]
        return min(later, default=None)
    earlier = [d for d in found if d < today or (d == today and not strictly)]
    return max(earlier, default=None)


def _around(day: date, ref: datetime) -> Interval:
    """The long weekend of a holiday (Friday to Monday), or its week when it is mid-week."""
    friday = day - timedelta(days=(day.weekday() - 4) % 7)
    monday = day + timedelta(days=-day.weekday() % 7)
    if (monday - friday).days > 3:  # Tuesday to Thursday: the week it falls in
        friday = day - timedelta(days=day.weekday())
        monday = friday + timedelta(days=6)
    return midnight(friday, ref), midnight(monday + timedelta(days=1), ref), "range"


class _HolidayFinder:
    """The holiday pattern, searched only in texts that hold a word of a holiday's name.

    Most texts hold none, and a cheap substring test spares them the pattern, whose
    look-behinds are tried at every word.
    """

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        lower = text.lower()
        if any(word in lower for word in _GATE_WORDS):
            return HOLIDAY_PATTERN.finditer(text)
        return iter(())


_GATE_WORDS = ("christmas", "xmas", "year", "valentine", "patrick", "halloween", "independence",
               "thanksgiving", "friday", "easter", "memorial", "labor", "labour", "mother",
               "father")  # fmt: skip
HOLIDAY_RULES = [(_HolidayFinder(), _holiday)]
