"""The time windows a question asks about: what "before", "after" and "by" make of a time.

"What did I buy before last week?" asks about the time up to last week, not about last
week alone; "the Sunday before October 25" about the days just before it. A time
expression found in a question is the window searched unless such words lead up to it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from engramdb.pipeline.understand.intervals import NUM, WEEKDAYS, count
from engramdb.pipeline.understand.timex import TimeSpan, find_times

__all__ = ["question_windows"]

#: the bounds of "before X" and "after X" when nothing says how long before or after
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
#: how many days "the week before", "two months after" ... reach
_UNIT_DAYS = {"day": 1, "night": 1, "weekend": 3, "week": 7, "month": 31, "year": 366}
_WEEKDAY = "|".join(WEEKDAYS)
_LEAD = re.compile(
    r"(?:(?:the|a) (?P<unit>day|night|weekend|week|month|year)"
    rf"|{NUM} (?P<units>day|week|month|year)s?|the (?P<wd>{_WEEKDAY}))?"
    r"\s*\b(?P<side>before|after|prior to|until|by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def question_windows(text: str, ref: datetime) -> list[tuple[datetime, datetime]]:
    """The ``[start, end)`` windows of ``text``'s time expressions, resolved against ``ref``."""
    windows = []
    for span in find_times(text, ref):
        lead = _LEAD.search(text[: span.char_start])
        windows.append(_around(span, lead) if lead else (span.start, span.end))
    return windows


def _around(span: TimeSpan, lead: re.Match[str]) -> tuple[datetime, datetime]:
    side = lead.group("side").lower()
    unit = (lead.group("units") or lead.group("unit") or "").lower()
    times = count(lead) if lead.group("units") else 1
    reach: timedelta | None
    if unit:
        reach = timedelta(days=_UNIT_DAYS[unit] * times)
    else:  # "the Sunday before X" is within the week before it
        reach = timedelta(days=7) if lead.group("wd") else None
    # the window keeps the day named: what is said on it is often about the days before
    # ("the week before August 3" is what someone said on August 3 of "last week")
    if side == "after":
        return span.start, LATEST if reach is None else span.end + reach
    if side in ("until", "by"):
        return EARLIEST, span.end
    return EARLIEST if reach is None else span.start - reach, span.end
