"""Holidays by name, resolved to the day the sentence means."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engramdb.pipeline.understand.analyze import Analyzer, TurnInput
from engramdb.pipeline.understand.holidays import holiday_day
from engramdb.pipeline.understand.timex import find_times, mentions_time
from engramdb.ports.nlp import Parser

THU_20_APR_2023 = datetime(2023, 4, 20, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "year", "day"),
    [
        ("Easter", 2019, date(2019, 4, 21)),
        ("Easter", 2024, date(2024, 3, 31)),
        ("Easter Sunday", 2025, date(2025, 4, 20)),
        ("Good Friday", 2023, date(2023, 4, 7)),
        ("Thanksgiving", 2022, date(2022, 11, 24)),
        ("Black Friday", 2023, date(2023, 11, 24)),
        ("Memorial Day", 2023, date(2023, 5, 29)),
        ("Labor Day", 2023, date(2023, 9, 4)),
        ("Mother's Day", 2023, date(2023, 5, 14)),
        ("Fathers Day", 2023, date(2023, 6, 18)),
        ("New Year's Eve", 2022, date(2022, 12, 31)),
        ("St. Patrick's Day", 2023, date(2023, 3, 17)),
        ("Groundhog Day", 2023, None),
    ],
)
def test_each_holiday_falls_on_its_day(name: str, year: int, day: date | None) -> None:
    assert holiday_day(name, year) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("I bought her scarf before Christmas.", date(2022, 12, 25)),  # the last one
        ("We went to church on Easter Sunday.", date(2023, 4, 9)),
        ("We're hosting my in-laws on Thanksgiving.", date(2023, 11, 23)),  # looks ahead
        ("Last Halloween I dressed as a pirate.", date(2022, 10, 31)),
        ("Next Christmas we'll stay home.", date(2023, 12, 25)),
        ("This Easter was quiet.", date(2023, 4, 9)),
        ("We got engaged on Valentine's Day 2021.", date(2021, 2, 14)),
        ("How many days before Christmas did I buy the gift?", date(2022, 12, 25)),
    ],
)
def test_a_holiday_named_in_a_sentence_is_the_day_it_means(text: str, day: date) -> None:
    [span] = find_times(text, THU_20_APR_2023)
    assert (span.start.date(), span.precision) == (day, "day")


def test_a_holiday_weekend_is_the_long_weekend_or_the_week_around_it() -> None:
    [memorial] = find_times("We camped over Memorial Day weekend.", THU_20_APR_2023)
    assert (memorial.start.date(), memorial.end.date()) == (date(2022, 5, 27), date(2022, 5, 31))
    [thanksgiving] = find_times("I flew home for Thanksgiving weekend.", THU_20_APR_2023)
    assert (thanksgiving.start.date(), thanksgiving.end.date()) == (
        date(2022, 11, 21),
        date(2022, 11, 28),
    )


@pytest.mark.parametrize(
    "text",
    [
        "We bought a Christmas tree.",
        "I cooked for Christmas dinner.",
        "Christmas movies are the best.",
        "Halloween costumes are expensive.",
    ],
)
def test_a_holiday_that_names_a_thing_is_no_date(text: str) -> None:
    assert find_times(text, THU_20_APR_2023) == []
    assert not mentions_time(text)


def test_a_fact_says_the_days_of_a_holiday_weekend(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze(
        [
            TurnInput(
                "I visited my parents over Memorial Day weekend.", "Ana", THU_20_APR_2023, "Ben"
            )
        ]
    )
    assert result.reading == (
        "Ana visited Ana's parents over Memorial Day weekend (from 2022-05-27 to 2022-05-30)."
    )
    assert [f.draft.text for f in result.facts] == [
        "Ana visited Ana's parents from 2022-05-27 to 2022-05-30"
    ]
