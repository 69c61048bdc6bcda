"""Time expressions: find "last Saturday", "two weeks ago", "in 2019"... and resolve them.

Every expression is resolved against a reference time (the turn's own timestamp,
or a question's ``as_of``) into a half-open interval ``[start, end)`` with its
precision. Rules cover the relative forms people use in conversation; numeric
dates ("5/20/2023") go through ``dateparser`` when it is installed. dateparser is
never asked to find expressions in free text (its ``search_dates`` reads "We" or
"May I" as dates) and is not used for forms it gets wrong ("this weekend").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from engramdb.pipeline.understand.holidays import HOLIDAY_RULES, HOLIDAY_WORDS
from engramdb.pipeline.understand.intervals import (
    LEAD_UP,
    MONTH_WORDS,
    NUM,
    PHRASE_END,
    SEASONS,
    UNITS,
    WEEKDAYS,
    Finder,
    Interval,
    count,
    days,
    looks_ahead,
    midnight,
    month_number,
    month_span,
    nearest_year,
    season_name,
    season_span,
    week_of,
    weekend_span,
    year_span,
)
from engramdb.pipeline.understand.time_ranges import RANGE_RULES

__all__ = ["TimeSpan", "find_times", "mentions_time", "resolve_numeric_date"]


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A resolved time expression.

    Attributes:
        expression: the words as written.
        start: first instant of the interval.
        end: first instant after it.
        precision: ``day``, ``weekend``, ``week``, ``month``, ``season``, ``year`` or
            ``range`` (a stretch of days: "the past three months", "since May").
        char_start: offset of the expression in the text.
        char_end: offset just after it.
    """

    expression: str
    start: datetime
    end: datetime
    precision: str
    char_start: int = 0
    char_end: int = 0

    def label(self) -> str:
        """A readable absolute form: ``2023-05-20``, ``week of 2023-05-15``, ``May 2023``..."""
        day = self.start.date()
        last = (self.end - timedelta(microseconds=1)).date()
        if self.precision == "day":
            return day.isoformat()
        if self.precision == "range":
            return f"from {day.isoformat()} to {last.isoformat()}"
        if self.precision == "month" and (last.year, last.month) != (day.year, day.month):
            return f"since {calendar.month_name[day.month]} {day.year}"
        if self.precision == "month":
            return f"{calendar.month_name[day.month]} {day.year}"
        if self.precision == "year":
            return str(day.year) if last.year == day.year else f"since {day.year}"
        if self.precision == "season":
            return f"{season_name(day.month)} {day.year}"
        if self.precision == "weekend":
            return f"the weekend of {day.isoformat()}"
        if self.precision == "week" and (self.end - self.start).days == 7:
            return f"the week of {day.isoformat()}"
        return f"{day.isoformat()} to {last.isoformat()}"

    def as_dict(self) -> dict[str, str]:
        """JSON-compatible form, stored with facts."""
        return {
            "expression": self.expression,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "precision": self.precision,
            "label": self.label(),
        }


# ---------------------------------------------------------------- rules
_WD = "|".join(WEEKDAYS)
_SEASON = "|".join(SEASONS)
Rule = tuple[Finder, Callable[[re.Match[str], datetime], Interval | None]]


def _ago(m: re.Match[str], ref: datetime) -> Interval | None:
    n, unit = count(m), UNITS[m.group("unit").lower()]
    today = ref.date()
    if unit == "day":
        return days(ref, today - timedelta(days=n), 1, "day")
    if unit == "week":
        return days(ref, week_of(today - timedelta(weeks=n)), 7, "week")
    if unit == "weekend":
        return weekend_span(ref, n)
    if unit == "month":
        return month_span(ref, today.year, today.month - n)
    return year_span(ref, today.year - n)


def _relative_unit(m: re.Match[str], ref: datetime) -> Interval | None:
    which = m.group("which").lower().replace("this past", "last").replace("past", "last")
    unit = m.group("unit").lower()
    today = ref.date()
    step = {"last": -1, "next": 1}.get(which, 0)
    if unit == "week":
        return days(ref, week_of(today) + timedelta(weeks=step), 7, "week")
    if unit == "weekend":
        if step == 1:
            return days(ref, week_of(today) + timedelta(days=12), 2, "weekend")
        return weekend_span(ref, 1 if step == -1 else 0)
    if unit == "month":
        return month_span(ref, today.year, today.month + step)
    if unit == "year":
        return year_span(ref, today.year + step)
    return season_span(ref, unit, which)


def _weekday(m: re.Match[str], ref: datetime) -> Interval | None:
    which = (m.group("which") or "").lower()
    target = WEEKDAYS[m.group("wd").capitalize()]
    today = ref.date()
    if which == "next":
        delta = (target - today.weekday()) % 7 or 7
    elif which == "this":
        delta = target - today.weekday()
    elif looks_ahead(m):  # "I'll call her on Friday"
        delta = (target - today.weekday()) % 7 or 7
    else:  # "last Friday", and "on Friday" in a past-tense chat
        delta = -((today.weekday() - target) % 7 or 7)
    return days(ref, today + timedelta(days=delta), 1, "day")


def _day_of_month(m: re.Match[str], ref: datetime) -> Interval | None:
    """A day of this, the last or the next month: "the 15th of last month", "by the 3rd".

    Without a month named, the day is the nearest one past (or ahead, if the sentence
    looks ahead): on the 20th, "on the 3rd" is this month's, "on the 25th" last month's.
    """
    number = m.group("n")
    day = 1 if number.lower() == "first" else int(number[:-2])
    today = ref.date()
    step = {"last": -1, "next": 1}.get((m.group("which") or "").lower(), 0)
    if not m.group("which") and looks_ahead(m):
        step = 1 if day < today.day else 0
    elif not m.group("which"):
        step = -1 if day > today.day else 0
    first = month_span(ref, today.year, today.month + step)[0].date()
    return days(ref, first.replace(day=day), 1, "day")


def _named_day(m: re.Match[str], ref: datetime) -> Interval | None:
    offsets = {
        "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
        "yesterday": -1, "last night": -1, "the day before yesterday": -2,
        "tomorrow": 1, "the day after tomorrow": 2,
    }  # fmt: skip
    offset = offsets[re.sub(r"\s+", " ", m.group(0).lower())]
    return days(ref, ref.date() + timedelta(days=offset), 1, "day")


def _month_name(m: re.Match[str], ref: datetime) -> Interval | None:
    month = month_number(m.group("mon"))
    if month is None:
        return None
    day_text = m.group("d1") or m.group("d2")
    year_text = m.group("y")
    year = int(year_text) if year_text else nearest_year(month, ref, ahead=looks_ahead(m))
    if day_text:
        day = int(day_text)
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        return days(ref, date(year, month, day), 1, "day")
    return month_span(ref, year, month)


def _season_year(m: re.Match[str], ref: datetime) -> Interval | None:
    year = int(m.group("y"))
    start, end, _ = season_span(
        ref.replace(year=year, month=6, day=30), m.group("s").lower(), "this"
    )
    return (
        start.replace(year=year),
        end.replace(year=year + (1 if end.year > start.year else 0)),
        "season",
    )


def _iso(m: re.Match[str], ref: datetime) -> Interval | None:
    try:
        day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    except ValueError:
        return None
    return days(ref, day, 1, "day")


def _numeric(m: re.Match[str], ref: datetime) -> Interval | None:
    found = resolve_numeric_date(m.group(0), ref)
    return None if found is None else days(ref, found, 1, "day")


def _in_year(m: re.Match[str], ref: datetime) -> Interval | None:
    return year_span(ref, int(m.group("y")))


def _for_duration(m: re.Match[str], ref: datetime) -> Interval | None:
    n, unit = count(m), m.group("unit").lower()
    today = ref.date()
    if unit == "year":
        return (
            midnight(date(today.year - n, 1, 1), ref),
            midnight(today + timedelta(days=1), ref),
            "year",
        )
    if unit == "month":
        start = month_span(ref, today.year, today.month - n)[0]
        return start, midnight(today + timedelta(days=1), ref), "month"
    return None


_F = re.IGNORECASE
_NAMED_DAY = (
    r"\b(?:the )?day (?:before yesterday|after tomorrow)\b"
    r"|\b(?:yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening))\b"
)
_RELATIVE = (
    rf"\b(?P<which>this past|past|last|next|this) (?P<unit>week|weekend|month|year|{_SEASON})\b"
)
_DAY = r"(?:st|nd|rd|th)?"
_MONTH_NAME = (
    rf"\b(?:(?P<d1>\d{{1,2}}){_DAY} (?:of )?)?(?P<mon>{MONTH_WORDS})\.?"
    rf"(?: (?P<d2>\d{{1,2}}){_DAY})?(?:,? (?P<y>(?:19|20)\d\d))?\b"
)
#: a day of a month not named: "the 15th of last month", "on the 3rd", "by the first"
_DAY_OF_MONTH = (
    rf"(?=the )(?:{LEAD_UP}|(?=the \w+ of (?:this|last|next|the) month\b))"
    rf"\bthe (?P<n>\d{{1,2}}(?:st|nd|rd|th)|first)"
    rf"(?: of (?P<which>this|last|next|the) month\b|\b{PHRASE_END})"
)
_YEAR = r"(?P<y>(?:19|20)\d\d)"
RULES: list[Rule] = [
    (re.compile(_NAMED_DAY, _F), _named_day),
    *RANGE_RULES,
    *HOLIDAY_RULES,
    (re.compile(rf"\b{NUM} (?P<unit>day|week|weekend|month|year)s? ago\b", _F), _ago),
    (re.compile(_DAY_OF_MONTH, _F), _day_of_month),
    (re.compile(_RELATIVE, _F), _relative_unit),
    (re.compile(rf"\b(?:(?P<which>last|next|this|on) )(?P<wd>{_WD})\b", _F), _weekday),
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"), _iso),
    (re.compile(r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b"), _numeric),
    (re.compile(_MONTH_NAME, _F), _month_name),
    (re.compile(rf"\b(?P<s>{_SEASON}) (?:of )?{_YEAR}\b", _F), _season_year),
    (
        re.compile(rf"\bfor (?:the (?:last|past) )?{NUM} (?P<unit>month|year)s?\b", _F),
        _for_duration,
    ),
    (re.compile(rf"\b(?:in|during|of|from) {_YEAR}\b", _F), _in_year),
]


def find_times(text: str, ref: datetime) -> list[TimeSpan]:
    """Every time expression in ``text`` resolved against ``ref``, in text order.

    Overlapping matches keep the earliest rule's (rules run from most to least
    specific), so "the day before yesterday" is not also "yesterday".
    """
    found: list[TimeSpan] = []
    taken: list[tuple[int, int]] = []
    if not _could_mention_time(text):
        return found
    for pattern, resolve in RULES:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            if not _plausible(match):
                continue
            resolved = _safely(resolve, match, ref)
            if resolved is None:
                continue
            start, end, precision = resolved
            found.append(TimeSpan(match.group(0), start, end, precision, *span))
            taken.append(span)
    return sorted(found, key=lambda t: t.char_start)


#: every rule needs a digit or one of these (a month, weekday or season name holds one too)
_TIME_WORDS = (
    "day", "week", "month", "year", "night", "morning", "afternoon", "evening", "ago", "since",
    "tomorrow", "tonight", "spring", "summer", "fall", "autumn", "winter", "jan", "feb", "mar",
    "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", *HOLIDAY_WORDS,
)  # fmt: skip
_DIGIT = re.compile(r"\d")


def _could_mention_time(text: str) -> bool:
    """A cheap test that rules most texts out before the rules run (four in five turns)."""
    if _DIGIT.search(text):
        return True
    lower = text.lower()
    return any(word in lower for word in _TIME_WORDS)


def mentions_time(text: str) -> bool:
    """Whether ``text`` has a time expression (found without resolving it)."""
    if not _could_mention_time(text):
        return False
    return any(_plausible(m) for pattern, _ in RULES for m in pattern.finditer(text))


_MONTH_LEAD = re.compile(
    r"\b(?:in|since|during|until|till|through|by|of|early|late|mid|last|this|next|from|before|"
    r"after)\s+$"
)


def _plausible(match: re.Match[str]) -> bool:
    """Reject month-name matches that are really words ("I may", "a march", "sat")."""
    if "mon" not in match.re.groupindex:
        return True
    mon = match.group("mon")
    has_number = bool(match.group("d1") or match.group("d2") or match.group("y"))
    if mon in ("May", "March") and _MONTH_LEAD.search(match.string, 0, match.start()):
        return True  # "in May", "since March": the month, not the verb or the walk
    return (mon[0].isupper() and (has_number or len(mon) > 3) and mon.lower() != "march") or (
        mon.lower() == "march" and has_number
    )


def _safely(
    resolve: Callable[[re.Match[str], datetime], Interval | None],
    match: re.Match[str],
    ref: datetime,
) -> Interval | None:
    try:
        return resolve(match, ref)
    except (ValueError, OverflowError, KeyError):  # year 0, "32nd", an unknown word
        return None


def resolve_numeric_date(text: str, ref: datetime) -> date | None:
    """A numeric date ("5/20/2023") via dateparser, month first as in US English.

    Returns ``None`` when dateparser is not installed or cannot read it.
    """
    try:
        import dateparser
    except ImportError:  # the rules still cover every relative form
        return None
    settings: dict[str, Any] = {
        "RELATIVE_BASE": ref.replace(tzinfo=None),
        "DATE_ORDER": "MDY",
        "PREFER_DATES_FROM": "past",
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)
    return parsed.date() if parsed else None
