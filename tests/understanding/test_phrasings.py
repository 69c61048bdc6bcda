"""Single-valued facts and favourites in the many ways chats state them, and what is not one.

Each phrasing is said by the user to an assistant, through the public API (spaCy parser);
the facts stored must hold the value, and only the user's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.model.memory import MemoryKind
from engramdb.ports.nlp import Parser
from engramdb.testing.fakes import FrozenClock, HashEmbedder

USER = "u_5c1d"
SAID_AT = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)  # a Friday


@pytest.fixture
def chat(tmp_path: Path, spacy_parser: Parser) -> Iterator[Memory]:
    with Memory.open(
        tmp_path / "chat.db",
        embedder=HashEmbedder(),
        clock=FrozenClock(SAID_AT),
        parser=spacy_parser,
    ) as memory:
        yield memory


def user_facts(mem: Memory, text: str) -> list[tuple[str, str | None, str]]:
    """(predicate, object, subject) of the facts drawn from the user saying ``text``."""
    mem.add([{"role": "user", "content": text}], user_id=USER, timestamp=SAID_AT)
    page = mem.get_all(user_id=USER, limit=100)
    return [
        (m.metadata["predicate"], m.metadata.get("object"), m.metadata.get("subject", ""))
        for m in page.memories
        if m.kind is MemoryKind.FACT
    ]


STATED = [
    # a home
    ("We finally got the keys to our new apartment in Brooklyn!", "lives_in", "Brooklyn"),
    ("Our new place in Oakland has a tiny balcony I love.", "lives_in", "Oakland"),
    ("I've called Portland home for about three years.", "lives_in", "Portland"),
    ("I'm now based in Austin after the move.", "lives_in", "Austin"),
    ("Just signed a lease on a one-bedroom in Dublin.", "lives_in", "Dublin"),
    ("My commute got way shorter after we moved out to Sacramento.", "lives_in", "Sacramento"),
    ("We're settling into life in Melbourne, the coffee is amazing.", "lives_in", "Melbourne"),
    ("Moving day is done, we're officially Nashville residents!", "lives_in", "Nashville"),
    ("I relocated from Boston to Austin for the weather.", "lives_in", "Austin"),
    ("Finally moved to Denver last month.", "lives_in", "Denver"),
    ("We love our Denver apartment.", "lives_in", "Denver"),
    ("Our neighbours in Leeds threw a street party.", "lives_in", "Leeds"),
    ("We relocated down south to Brighton.", "lives_in", "Brighton"),
    ("Still adjusting to the weather since moving to Oslo.", "lives_in", "Oslo"),
    # an employer
    ("My new employer, Netflix, has a great parental leave policy.", "works_at", "Netflix"),
    ("I left Oracle, and on Monday I start at Salesforce.", "works_at", "Salesforce"),
    ("I'm a software engineer over at Dropbox.", "works_at", "Dropbox"),
    ("Just wrapped up onboarding at HubSpot.", "works_at", "HubSpot"),
    ("I joined Canva's design team in January.", "works_at", "Canva"),
    ("I work for a small startup called Lumen Labs.", "works_at", "Lumen Labs"),
    ("Started my new job at Deloitte today!", "works_at", "Deloitte"),
    ("My new job at Acme starts Monday.", "works_at", "Acme"),
    ("My second week at Stripe was intense.", "works_at", "Stripe"),
    ("I signed the offer from Figma yesterday.", "works_at", "Figma"),
    ("I've worked at Shopify since March 2021.", "works_at", "Shopify"),
    ("I handed in my notice and I'm joining Accenture next month.", "works_at", "Accenture"),
    # a job
    ("I work as a paralegal at a small firm.", "job", "paralegal"),
    ("I just started my residency as a pediatrician.", "job", "pediatrician"),
    ("As a graphic designer I spend all day in Figma.", "job", "graphic designer"),
    ("I got hired by Pfizer as a lab technician!", "job", "lab technician"),
    # a partner, or the end of one
    ("Chris and I have been together for two years now.", "partner", "Chris"),
    ("I've been seeing a guy named Leo for a few weeks.", "partner", "Leo"),
    ("Broke up with Tom last night.", "split_from", "Tom"),
    ("Priya and I have been dating for a year.", "partner", "Priya"),
    ("Jon and I celebrated three years together in May.", "partner", "Jon"),
    ("I asked Zoe out last week and she said yes.", "partner", "Zoe"),
    ("Noah, my husband, is an amazing cook.", "partner", "Noah"),
    ("Mia and I got engaged in Paris!", "partner", "Mia"),
    # favourites
    ("I adore Taylor Swift, she's my favorite artist.", "favourite_artist", "Taylor Swift"),
    ("I love Coldplay more than any other band.", "favourite_band", "Coldplay"),
    ("My go-to comfort show is The Office.", "favourite_comfort_show", "Office"),
    ("Lately sushi is my favourite thing to eat.", "favourite_food", "sushi"),
    ("I'd say Haruki Murakami is my favourite writer.", "favourite_author", "Haruki Murakami"),
    ("Dune has replaced Foundation as my favourite book.", "favourite_book", "Dune"),
    ("My favourite film right now is Dune.", "favourite_movie", "Dune"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "predicate", "value"), STATED)
def test_a_phrasing_states_the_value(chat: Memory, text: str, predicate: str, value: str) -> None:
    found = user_facts(chat, text)
    # a value that opened the sentence has its capital ("Lately sushi is ..." -> "Sushi ...")
    assert (predicate, value.lower()) in [(p, (o or "").lower()) for p, o, _ in found], found


#: others' news, plans, the past, and sentences with no "I" that are not the user's news
NOT_THE_USERS = [
    ("My sister relocated to Austin last year.", "lives_in"),
    ("My sister moved to Austin last year.", "lives_in"),
    ("My boyfriend works as a chef at Nobu.", "job"),
    ("My friend is a nurse at Mercy Hospital.", "works_at"),
    ("I was a nurse at Mercy Hospital before I retrained.", "works_at"),
    ("I might relocate to Austin.", "lives_in"),
    ("Thinking of moving out to Denver next year.", "lives_in"),
    ("Looking for an apartment in Brooklyn.", "lives_in"),
    ("Joined Tom's soccer team last week.", "works_at"),
    ("My friend just got the keys to her new apartment in Queens.", "lives_in"),
    ("We visited my parents' new place in Tampa.", "lives_in"),
    ("My brother Sam and I have been together all week for the conference.", "partner"),
    ("Sounds great, thanks for the tips on moving to Denver!", "lives_in"),
    ("My parents' Denver apartment is huge.", "lives_in"),
    ("Our old apartment in Boston was tiny.", "lives_in"),
    ("My sister and her boyfriend have been dating for years.", "partner"),
    ("I asked Sam to be my maid of honour.", "partner"),
    ("Kate, my sister, just got engaged.", "partner"),
]


@pytest.mark.parametrize(("text", "predicate"), NOT_THE_USERS)
def test_not_the_users_value(chat: Memory, text: str, predicate: str) -> None:
    found = user_facts(chat, text)
    assert predicate not in [p for p, _, s in found if s.lower() == "the user"], found


def test_a_sentence_without_an_i_keeps_only_what_a_pattern_recognises(chat: Memory) -> None:
    found = user_facts(chat, "Traded in the old car and picked up a used Civic yesterday.")
    assert found == []


def test_a_timetable_in_the_present_dates_the_coming_day(chat: Memory) -> None:
    chat.add(
        [
            {
                "role": "user",
                "content": "Today was my last day at Oracle, and on Monday I start at Salesforce.",
            }
        ],
        user_id=USER,
        timestamp=SAID_AT,
    )
    texts = [m.text for m in chat.get_all(user_id=USER).memories if m.kind is MemoryKind.FACT]
    assert "On 2024-03-04 the user starts at Salesforce" in texts, texts
