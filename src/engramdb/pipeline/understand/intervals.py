"""Calendar intervals that time expressions resolve to: days, weeks, months, seasons, years.

Each helper returns ``(start, end, precision)``: a half-open interval at midnight in the
reference time's zone, and the unit it was stated in.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Protocol

__all__ = [
    "FUTURE",
    "LEAD_UP",
    "MONTHS",
    "MONTH_WORDS",
    "NUM",
    "NUMBERS",
    "PHRASE_END",
    "SEASONS",
    "UNITS",
    "WEEKDAYS",
    "Finder",
    "Interval",
    "count",
    "days",
    "looks_ahead",
    "midnight",
    "month_number",
    "month_span",
    "nearest_year",
    "season_name",
    "season_span",
    "week_of",
    "weekend_span",
    "year_span",
]

Interval = tuple[datetime, datetime, str]


class Finder(Protocol):
    """What a time rule searches a text with: a compiled pattern, or one behind a cheap test."""

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        """Every match in ``string``, in order."""
        ...


WEEKDAYS = {name: i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS.pop("may", None)  # "may" is mostly the verb; only the full-cased "May" is a month
SEASONS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "fall": (9, 11),
    "autumn": (9, 11),
    "winter": (12, 2),
}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3,
}  # fmt: skip
UNITS = {"day": "day", "week": "week", "weekend": "weekend", "month": "month", "year": "year"}


def season_name(month: int) -> str:
    """The season a month falls in ("winter" for January)."""
    return next(
        n for n, (a, b) in SEASONS.items() if a <= month <= b or (a > b and month in (a, 12, 1, 2))
    )


def midnight(day: date, ref: datetime) -> datetime:
    """The first instant of ``day`` in ``ref``'s time zone."""
    return datetime.combine(day, time(), tzinfo=ref.tzinfo)


def days(ref: datetime, first: date, count: int, precision: str) -> Interval:
    """``count`` days from ``first``."""
    return midnight(first, ref), midnight(first + timedelta(days=count), ref), precision


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_span(ref: datetime, year: int, month: int) -> Interval:
    """A calendar month; a month number out of 1..12 rolls into the next or previous year."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return days(ref, date(year, month, 1), last, "month")


def year_span(ref: datetime, year: int) -> Interval:
    """A calendar year."""
    return midnight(date(year, 1, 1), ref), midnight(date(year + 1, 1, 1), ref), "year"


def season_span(ref: datetime, name: str, which: str) -> Interval:
    """The ``which`` ("last", "next" or "this") season ``name`` as seen from ``ref``."""
    first, last = SEASONS[name]
    today = ref.date()

    def span(year: int) -> tuple[date, date]:
        end_year = year + 1 if first > last else year
        end = date(end_year, last, calendar.monthrange(end_year, last)[1]) + timedelta(days=1)
        return date(year, first, 1), end

    year = today.year
    if which == "last":
        while span(year)[1] > today:
            year -= 1
    elif which == "next":
        while span(year)[0] <= today:
            year += 1
    elif span(year - 1)[1] > today:  # "this winter" in January is the one that began in December
        year -= 1
    start, end = span(year)
    return midnight(start, ref), midnight(end, ref), "season"


def weekend_span(ref: datetime, weeks_back: int) -> Interval:
    """The weekend ``weeks_back`` weekends before the reference (0: this one)."""
    saturday = week_of(ref.date()) + timedelta(days=5)
    if saturday > ref.date():
        saturday -= timedelta(days=7) if weeks_back > 0 else timedelta(0)
        weeks_back = max(weeks_back - 1, 0)
    return days(ref, saturday - timedelta(days=7 * weeks_back), 2, "weekend")


# ---------------------------------------------------------------- words
#: a count in digits or words, as the group ``n``
NUM = "(?P<n>" + "|".join([r"\d+", *sorted(NUMBERS, key=len, reverse=True)]) + ")"
#: month names and abbreviations, for a pattern
MONTH_WORDS = "|".join(sorted({*MONTHS, "may"}, key=len, reverse=True))


def month_number(word: str) -> int | None:
    """The month a name or abbreviation means; "May" only as written with a capital."""
    return MONTHS.get(word.lower()) or (5 if word == "May" else None)


def nearest_year(month: int, ref: datetime, *, ahead: bool) -> int:
    """The year of the nearest ``month`` up to the reference's (after it, if ``ahead``).

    "I was in Paris in October" is the last October; "I signed up for a race in October",
    the next one.
    """
    if ahead:
        return ref.year + (1 if month < ref.month else 0)
    return ref.year - (1 if month > ref.month else 0)


def count(match: re.Match[str]) -> int:
    """The number in a match's ``n`` group: digits or a word ("two", "a couple of")."""
    n = match.group("n").lower()
    return int(n) if n.isdigit() else NUMBERS[n]


FUTURE = re.compile(
    r"\b(?:will|won['’]t|going to|gonna|plan(?:s|ned|ning)? (?:to|on)|signed up|sign(?:ing)? up"
    r"|registered|booked|scheduled|can['’]t wait|looking forward|upcoming|coming up|about to"
    r"|hop(?:e|es|ing) to"
    # "we're getting married in June": a plan in the present progressive
    r"|(?:am|is|are|['’]m|['’]re) (?:\w+ )?(?:getting|leaving|flying|moving|starting|heading"
    r"|visiting|hosting|throwing|attending|expecting|training for)"
    # "on Monday I start at Stripe": a timetable in the present simple
    r"|(?:i|we) (?:start|begin|leave|fly)|(?:starts|begins|leaves) (?:on|next|this))\b|['’]ll\b",
    re.IGNORECASE,
)


def looks_ahead(m: re.Match[str]) -> bool:
    """Whether the sentence around ``m`` speaks of the future (a date without a year)."""
    text = m.string
    start = max(text.rfind(c, 0, m.start()) for c in ".!?\n") + 1
    ends = [i for i in (text.find(c, m.end()) for c in ".!?\n") if i >= 0]
    return bool(FUTURE.search(text, start, min(ends, default=len(text))))


#: a word before a day's name that makes it a time ("on Easter", "by the 3rd"), as
#: fixed-width look-behinds
_LEADS = ("on", "at", "over", "for", "during", "before", "after", "by", "since", "until",
          "till", "around", "through", "of", "from", "to", "near")  # fmt: skip
LEAD_UP = "(?<= )(?:" + "|".join(rf"(?<=\b{word} )" for word in _LEADS) + ")"  # space first: fast
#: what may follow such a name: the end of the phrase or a word that does not make it a noun
#: modifier ("for Christmas dinner" is a meal, "on the 2nd floor" a place: no dates)
PHRASE_END = (
    r"(?=\s*(?:[,.;:!?)\"”]|$|(?:with|and|at|in|on|to|from|the|my|our|this|last|next|as|too|"
    r"for|when|because|so|but|or|again|together|morning|night|evening|afternoon|i|we|you|he|"
    r"she|they|it|that|which|who|was|were|is|are|did|do|does|had|have|has|will|would|could|"
    r"can|just|then|while)\b))"
)
