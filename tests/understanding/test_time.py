"""Time expressions resolved against the turn's own timestamp, across month and year ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engramdb.pipeline.understand.timex import find_times, mentions_time, resolve_numeric_date

MON_2_JAN_2023 = datetime(2023, 1, 2, 9, 30, tzinfo=UTC)
WED_1_MAR_2023 = datetime(2023, 3, 1, 18, 0, tzinfo=UTC)


def one(text: str, ref: datetime) -> tuple[str, date, date, str]:
    [span] = find_times(text, ref)
    return span.expression, span.start.date(), span.end.date(), span.precision


@pytest.mark.parametrize(
    ("text", "first", "after", "precision"),
    [
        ("I ran a race last Saturday", date(2022, 12, 31), date(2023, 1, 1), "day"),
        ("we met yesterday", date(2023, 1, 1), date(2023, 1, 2), "day"),
        ("the day before yesterday it snowed", date(2022, 12, 31), date(2023, 1, 1), "day"),
        ("I started two weeks ago", date(2022, 12, 19), date(2022, 12, 26), "week"),
        ("3 days ago", date(2022, 12, 30), date(2022, 12, 31), "day"),
        ("last month was busy", date(2022, 12, 1), date(2023, 1, 1), "month"),
        ("next month I move", date(2023, 2, 1), date(2023, 3, 1), "month"),
        ("this weekend we hike", date(2023, 1, 7), date(2023, 1, 9), "weekend"),
        ("last weekend was fun", date(2022, 12, 31), date(2023, 1, 2), "weekend"),
        ("two weekends ago", date(2022, 12, 24), date(2022, 12, 26), "weekend"),
        ("last summer in Rome", date(2022, 6, 1), date(2022, 9, 1), "season"),
        ("last year", date(2022, 1, 1), date(2023, 1, 1), "year"),
        ("I moved in 2019", date(2019, 1, 1), date(2020, 1, 1), "year"),
        ("next Friday", date(2023, 1, 6), date(2023, 1, 7), "day"),
        ("on 20 May, 2022", date(2022, 5, 20), date(2022, 5, 21), "day"),
        ("in March 2021", date(2021, 3, 1), date(2021, 4, 1), "month"),
        ("since 2016-04-03", date(2016, 4, 3), date(2016, 4, 4), "day"),
    ],
)
def test_relative_expressions_across_the_year_boundary(
    text: str, first: date, after: date, precision: str
) -> None:
    _, start, end, found = one(text, MON_2_JAN_2023)
    assert (start, end, found) == (first, after, precision)


def test_month_boundary_and_leap_rules() -> None:
    assert one("yesterday", WED_1_MAR_2023)[1] == date(2023, 2, 28)
    assert one("last month", WED_1_MAR_2023)[1:3] == (date(2023, 2, 1), date(2023, 3, 1))
    assert one("a month ago", WED_1_MAR_2023)[1] == date(2023, 2, 1)


def test_labels_say_the_absolute_time() -> None:
    labels = [t.label() for t in find_times("last Saturday and two weeks ago", MON_2_JAN_2023)]
    assert labels == ["2022-12-31", "the week of 2022-12-19"]
    [duration] = find_times("I've known them for 4 years", MON_2_JAN_2023)
    assert duration.label() == "since 2019"
    [since] = find_times("I've been a vegetarian since 2019", MON_2_JAN_2023)
    assert (since.start.date(), since.end.date()) == (date(2019, 1, 1), date(2023, 1, 3))
    assert since.label() == "since 2019"  # a statement keeps its "since", not "in 2019"


def test_words_that_only_look_like_dates_are_not_dates() -> None:
    # dateparser's search_dates reads "We" and "May I" as dates; we never use it on free text
    assert find_times("We may go. May I ask? I sat down. The march was long.", MON_2_JAN_2023) == []


def test_numeric_dates_go_through_dateparser() -> None:
    assert resolve_numeric_date("5/20/2023", MON_2_JAN_2023) == date(2023, 5, 20)
    assert one("on 5/20/2023", MON_2_JAN_2023)[1] == date(2023, 5, 20)
    assert resolve_numeric_date("13/45/2023", MON_2_JAN_2023) is None


def test_dateparser_cannot_read_this_weekend_so_the_rules_do() -> None:
    import dateparser

    assert dateparser.parse("this weekend", languages=["en"]) is None
    assert one("this weekend", MON_2_JAN_2023)[1] == date(2023, 1, 7)


def test_impossible_dates_are_skipped() -> None:
    assert find_times("on 31 February, 2023 and in 1850", MON_2_JAN_2023) == []


def test_mentions_time_agrees_with_find_times() -> None:
    texts = ["What did Ana do last Saturday?", "in March 2021", "We may go. May I ask?", "hello"]
    assert [mentions_time(t) for t in texts] == [bool(find_times(t, MON_2_JAN_2023)) for t in texts]
    assert [mentions_time(t) for t in texts] == [True, True, False, False]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("I was in Paris in October", date(2022, 10, 1)),  # the last October
        ("I signed up for a race in October", date(2023, 10, 1)),  # the next one
        ("I can't wait for the concert in December!", date(2023, 12, 1)),
        ("I'll visit in January", date(2023, 1, 1)),  # this month
        ("We met on Friday", date(2022, 12, 30)),
        ("I will call her on Friday", date(2023, 1, 6)),
        ("I saw it in June. I will go again on Friday", date(2022, 6, 1)),  # per sentence
    ],
)
def test_a_date_without_a_year_follows_the_tense_of_its_sentence(text: str, first: date) -> None:
    assert find_times(text, MON_2_JAN_2023)[0].start.date() == first


def test_dates_read_as_plain_statements(spacy_parser) -> None:  # type: ignore[no-untyped-def]
    from engramdb.pipeline.understand.analyze import Analyzer, TurnInput

    said = datetime(2024, 3, 4, 9, tzinfo=UTC)
    texts = ["I signed up for the Lisbon half marathon in October.", "I won last week's race."]
    results = Analyzer(spacy_parser).analyze([TurnInput(t, "Ana", said, "Ben") for t in texts])
    assert [f.draft.text for r in results for f in r.facts] == [
        "Ana signed up for the Lisbon half marathon in October 2024",  # not "in in"
        "Ana won the week of 2024-02-26 race",  # not "the the"
    ]


def test_a_stretch_of_days_reads_whole_in_a_fact(spacy_parser) -> None:  # type: ignore[no-untyped-def]
    from engramdb.pipeline.understand.analyze import Analyzer, TurnInput

    said = datetime(2024, 3, 4, 9, tzinfo=UTC)
    turn = TurnInput("Over the past month I've been running every morning.", "Ana", said, "Ben")
    [result] = Analyzer(spacy_parser).analyze([turn])
    [fact] = result.facts
    assert "from 2024-02-04 to 2024-03-04" in fact.draft.text.lower()  # was "over the in February"
    assert "over the" not in fact.draft.text.lower()


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("How many events did I attend in the past month?", date(2023, 2, 1), date(2023, 3, 1)),
        (
            "the order of the trips I took in the past three months",
            date(2022, 12, 1),
            date(2023, 3, 1),
        ),
        ("I've baked twice over the last two weeks", date(2023, 2, 15), date(2023, 3, 1)),
        ("spent on bikes since the start of the year", date(2023, 1, 1), date(2023, 3, 1)),
        ("since last month", date(2023, 2, 1), date(2023, 3, 1)),
        ("I've been vegetarian since May", date(2022, 5, 1), date(2023, 3, 1)),
        ("rollercoasters from July to October", date(2022, 7, 1), date(2022, 10, 31)),
        ("between November and January", date(2022, 11, 1), date(2023, 1, 31)),
        ("I'll be in Lisbon from June to August", date(2023, 6, 1), date(2023, 8, 31)),
        ("in the next few days", date(2023, 3, 1), date(2023, 3, 4)),
        ("over the coming two weeks", date(2023, 3, 1), date(2023, 3, 15)),
    ],
)
def test_stretches_of_days_count_from_the_reference_day(text: str, first: date, last: date) -> None:
    [span] = find_times(text, WED_1_MAR_2023)
    assert (span.start.date(), span.end.date() - timedelta(days=1)) == (first, last)
    assert span.precision == "range"
    assert span.label() == f"from {first.isoformat()} to {last.isoformat()}"


def test_a_calendar_month_and_a_rolling_month_differ() -> None:
    [calendar_month] = find_times("last month", WED_1_MAR_2023)
    [rolling] = find_times("over the past month", WED_1_MAR_2023)
    assert calendar_month.label() == "February 2023"
    assert rolling.expression == "over the past month"  # the preposition goes with it


def test_one_day_of_a_stretch_is_not_a_stretch() -> None:
    assert find_times("on the last day of school", WED_1_MAR_2023) == []
    assert find_times("We may go from here to there. I march on.", WED_1_MAR_2023) == []


def test_the_quick_pre_check_never_hides_an_expression(monkeypatch: pytest.MonkeyPatch) -> None:
    from engramdb.pipeline.understand import timex

    texts = [
        "last Saturday", "3 days ago", "a couple of weeks ago", "this weekend", "last summer",
        "in 2019", "on 20 May, 2022", "5/20/2023", "2016-04-03", "next Friday", "on Monday",
        "tonight", "this morning", "the day after tomorrow", "for 4 years", "winter of 2021",
        "in the past three months", "since the start of the year", "since Dec", "since last week",
        "from July to October", "between Sep and Nov", "in the coming days", "Aug 3",
        "We may go", "hello there", "I sat down", "The march was long.",
    ]  # fmt: skip
    filtered = [find_times(t, MON_2_JAN_2023) for t in texts]
    mentions = [mentions_time(t) for t in texts]
    monkeypatch.setattr(timex, "_could_mention_time", lambda _text: True)
    assert filtered == [find_times(t, MON_2_JAN_2023) for t in texts]
    assert mentions == [mentions_time(t) for t in texts]
    assert sum(map(bool, filtered)) == 24


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("I was in Rome in May.", 2022),
        ("We are getting married in May!", 2023),
        ("I'm flying to Lisbon in May.", 2023),
        ("It has rained a lot since March.", 2022),
        ("We're expecting our second baby in March.", 2023),
        ("I'm training for a half marathon in March.", 2023),
    ],
)
def test_may_and_march_after_a_preposition_are_months(text: str, year: int) -> None:
    """Said on 2023-01-02: a plan in the present progressive looks ahead, a past one back."""
    expression, start, _, precision = one(text, MON_2_JAN_2023)
    assert expression.endswith(("May", "March"))
    assert start.year == year and precision in ("month", "range")


@pytest.mark.parametrize("text", ["I may go running.", "May I ask you something?",
                                  "The March for Science was fun."])  # fmt: skip
def test_may_and_march_as_words_are_no_months(text: str) -> None:
    assert find_times(text, MON_2_JAN_2023) == []


def test_a_question_before_or_after_a_time_asks_about_the_days_around_it() -> None:
    from engramdb.pipeline.understand.question_times import EARLIEST, LATEST, question_windows

    asked = datetime(2023, 3, 2, 6, 11, tzinfo=UTC)

    def days(question: str) -> list[tuple[date, date]]:
        return [(s.date(), e.date()) for s, e in question_windows(question, asked)]

    # last week is 2023-02-20 to 2023-02-26; the window keeps the day or week named,
    # where what was said is often about the days before it
    assert days("What did I buy before last week?") == [(EARLIEST.date(), date(2023, 2, 27))]
    assert days("What did I do last week?") == [(date(2023, 2, 20), date(2023, 2, 27))]
    assert days("Which airlines did I fly with before today?") == [
        (EARLIEST.date(), date(2023, 3, 3))
    ]
    assert days("Where did I go after May 3?") == [(date(2022, 5, 3), LATEST.date())]
    assert days("What did Jo do the week before August 3, 2023?") == [
        (date(2023, 7, 27), date(2023, 8, 4))
    ]
    assert days("What did Jo do on the Sunday before October 25, 2022?") == [
        (date(2022, 10, 18), date(2022, 10, 26))
    ]
    assert days("Which puppy did she get two weeks before August 11, 2023?") == [
        (date(2023, 7, 28), date(2023, 8, 12))
    ]
    assert days("Which puppy did she get Two Weeks before August 11, 2023?") == [
        (date(2023, 7, 28), date(2023, 8, 12))
    ]
    assert days("What did they plan for the Saturday after October 28, 2023?") == [
        (date(2023, 10, 28), date(2023, 11, 5))
    ]
    assert days("How many races had Nate won by July 10, 2022?") == [
        (EARLIEST.date(), date(2022, 7, 11))
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("I paid it on the 15th of last month.", date(2023, 2, 15)),
        ("The wedding is on the 15th of next month.", date(2023, 4, 15)),
        ("I started a diet on the first of the month.", date(2023, 3, 1)),
        ("The rent was due by the 1st.", date(2023, 3, 1)),
        ("We met on the 25th, right?", date(2023, 2, 25)),  # past: last month's
        ("I'll call you on the 25th.", date(2023, 3, 25)),  # ahead: this month's
        ("My 30th birthday was on the 2nd of May.", date(2022, 5, 2)),  # the month named
    ],
)
def test_a_day_of_a_month_not_named_is_the_nearest_one(text: str, day: date) -> None:
    spans = [s for s in find_times(text, WED_1_MAR_2023) if s.precision == "day"]
    assert [s.start.date() for s in spans] == [day]


@pytest.mark.parametrize("text", ["I live on the 2nd floor.", "It was the 3rd time I tried."])
def test_an_ordinal_that_counts_something_is_no_day(text: str) -> None:
    assert find_times(text, WED_1_MAR_2023) == []
