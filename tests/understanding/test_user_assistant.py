"""A user talking to an assistant: role speakers, facts stated in everyday phrasing,
two facts in one clause, and changing truth, through the public API (spaCy parser)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.model.memory import MemoryKind
from engramdb.ports.nlp import Parser
from engramdb.testing.fakes import FrozenClock, HashEmbedder

USER = "u_8f3a"  # an opaque id: it names no one
START = datetime(2024, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def chat(tmp_path: Path, spacy_parser: Parser) -> Iterator[Memory]:
    clock = FrozenClock(START)
    with Memory.open(
        tmp_path / "chat.db", embedder=HashEmbedder(), clock=clock, parser=spacy_parser
    ) as memory:
        yield memory


def said(mem: Memory, *turns: tuple[str, str], days: int = 0) -> None:
    messages = [{"role": role, "content": text} for role, text in turns]
    mem.add(messages, user_id=USER, timestamp=START + timedelta(days=days))


def facts(mem: Memory) -> list[tuple[str, str | None]]:
    """(predicate, object) of the active facts, oldest first."""
    page = mem.get_all(user_id=USER, limit=500)
    return [
        (m.metadata["predicate"], m.metadata.get("object"))
        for m in page.memories
        if m.kind is MemoryKind.FACT
    ]


def test_roles_are_the_speakers_and_pronouns_follow_them(chat: Memory) -> None:
    said(
        chat,
        ("user", "I've been using a Fitbit Charge 3 for my runs."),
        ("assistant", "Great! Your Fitbit can track your pace. I can suggest a plan."),
    )
    user_turn, assistant_turn = [
        m for m in chat.get_all(user_id=USER).memories if m.kind is MemoryKind.EPISODE
    ]
    assert user_turn.reading == "the user has been using a Fitbit Charge 3 for the user's runs."
    assert assistant_turn.reading is not None
    assert "the user's Fitbit can track the user's pace" in assistant_turn.reading
    assert "the assistant can suggest" in assistant_turn.reading
    assert "u_8f3a" not in (user_turn.reading + assistant_turn.reading)
    assert chat.profile("the user", user_id=USER).person.name == "the user"


def test_a_user_id_that_reads_as_a_name_names_the_user(
    tmp_path: Path, spacy_parser: Parser
) -> None:
    with Memory.open(tmp_path / "m.db", embedder=HashEmbedder(), parser=spacy_parser) as mem:
        mem.add("I live in Lisbon.", user_id="ana")
        assert mem.profile("ana", user_id="ana").as_dict()["home"] == "Lisbon"


def test_a_pet_named_in_passing_reaches_the_profile(chat: Memory) -> None:
    said(chat, ("user", "I live in Lisbon with my dog Max."))
    profile = chat.profile("the user", user_id=USER).as_dict()
    assert profile["home"] == "Lisbon"
    assert profile["pets"] == ["Max"]


def test_a_short_statement_of_a_preference_is_a_fact(chat: Memory) -> None:
    said(chat, ("user", "I hate running."), ("user", "I love sushi."))
    assert ("dislikes", "running") in facts(chat)
    assert chat.profile("the user", user_id=USER).as_dict()["likes"] == ["sushi"]


def test_a_relative_date_after_a_preposition_reads_well(chat: Memory) -> None:
    said(chat, ("user", "I want to run a marathon by next summer."))
    [goal] = [m for m in chat.get_all(user_id=USER).memories if m.kind is MemoryKind.FACT]
    assert goal.text == "The user wants to run a marathon by summer 2024"  # the coming one


def test_employer_and_job_in_one_clause_are_two_facts(chat: Memory) -> None:
    said(chat, ("user", "I work at Acme Corp as a nurse."))
    assert facts(chat) == [("works_at", "Acme Corp"), ("job", "nurse")]
    profile = chat.profile("the user", user_id=USER).as_dict()
    assert set(profile["job"]) == {"Acme Corp", "nurse"}  # type: ignore[arg-type]


def test_a_relative_introduced_by_name_gets_their_own_facts(chat: Memory) -> None:
    said(chat, ("user", "My sister Lucy works at Google as a designer."))
    lucy = chat.profile("Lucy", user_id=USER).as_dict()
    assert set(lucy["job"]) == {"Google", "designer"}  # type: ignore[arg-type]
    user = chat.profile("the user", user_id=USER).as_dict()
    assert user["job"] == []  # the user is not the designer


def test_a_town_after_moved_to_is_a_place(chat: Memory) -> None:
    said(chat, ("user", "I moved to Porto now."))
    [porto] = [e for e in chat.entities(user_id=USER) if e.name == "Porto"]
    assert porto.kind == "place"


def test_a_job_stated_beside_a_move_survives_the_next_move(chat: Memory) -> None:
    said(chat, ("user", "I just moved to Boston for my new job at Acme."))
    said(chat, ("user", "We finally relocated to Denver last week."), days=200)
    current = facts(chat)
    assert ("works_at", "Acme") in current
    assert ("lives_in", "Denver") in current
    assert ("lives_in", "Boston") not in current
    assert chat.profile("the user", user_id=USER).as_dict()["home"] == "Denver"


#: ways people say they have a new employer, as they come up in chats
NEW_EMPLOYER = [
    "I joined Stripe last month.",
    "I just signed with Stripe!",
    "My first week at Stripe was intense.",
    "I started at Stripe on Monday.",
    "I got a job at Stripe.",
    "I accepted an offer from Stripe.",
    "I got hired by Stripe after three interviews.",
    "I'm working for Stripe now.",
    "My new job is at Stripe.",
    "I took a job with Stripe.",
    "I start at Stripe on the 1st!",
    "Just wrapped up my first month at Stripe and I love the team.",
    "I handed in my notice, and I start at Stripe next week.",
    "I work remotely for Stripe, so I can travel a lot.",
    "I ended up taking the offer from Stripe.",
    "My manager at Stripe wants the report by Friday.",
    "I quit my job at Acme and now I work at Stripe.",
    "I'm leaving Acme for an offer from Stripe.",
    "I turned down the other offer and signed on with Stripe instead.",
    "I cleared out my desk at Acme, and then signed with Stripe.",
]
#: ways people say where they live now
NEW_HOME = [
    "I moved to Denver in the spring.",
    "We relocated to Denver for the schools.",
    "I'm living in Denver these days.",
    "We bought a house in Denver.",
    "I finally settled in Denver.",
    "I'm based in Denver now.",
    "My new apartment is in Denver.",
    "I moved back to Denver after college.",
    "We just moved into a place in Denver.",
    "I'm now based out of Denver.",
    "I finally unpacked the last boxes after our move to Denver.",
    "Since I moved to Denver I walk everywhere.",
    "We're renting a little house in Denver.",
    "We closed on a house in Denver last Friday!",
    "We sold the old place and bought a condo in Denver.",
]


def superseded(chat: Memory, first: str, then: str, predicate: str, old: str, new: str) -> None:
    """Say ``first``, later ``then``: the predicate's value is ``new`` now, not ``old``."""
    said(chat, ("user", first))
    said(chat, ("user", then), days=90)
    current = facts(chat)
    assert (predicate, new) in current, current
    assert (predicate, old) not in current, current


def kept(chat: Memory, first: str, then: str, predicate: str, value: str) -> None:
    """Say ``first``, later ``then``: the predicate's only value is still ``value``."""
    said(chat, ("user", first))
    said(chat, ("user", then), days=30)
    assert [o for p, o in facts(chat) if p == predicate] == [value]


@pytest.mark.parametrize("phrase", NEW_EMPLOYER)
def test_a_new_employer_supersedes_the_old_one(chat: Memory, phrase: str) -> None:
    superseded(chat, "I work at Acme.", phrase, "works_at", "Acme", "Stripe")
    hits = chat.search("Where do I work?", user_id=USER, k=3)
    assert "Stripe" in hits[0].memory.text


@pytest.mark.parametrize("phrase", NEW_HOME)
def test_a_new_home_supersedes_the_old_one(chat: Memory, phrase: str) -> None:
    superseded(chat, "I live in Austin.", phrase, "lives_in", "Austin", "Denver")
    assert chat.profile("the user", user_id=USER).as_dict()["home"] == "Denver"


#: plans, wishes and collaborations that do not change where one works or lives, as said in
#: chats ("thinking of working with some bloggers" is not a new employer)
NOT_A_CHANGE = [
    "I'm thinking of working with some fashion bloggers and influencers next month.",
    "I'll keep working at it and hopefully the next steps will become clearer.",
    "I work with kids at the community center on weekends.",
    "I would love to work for Stripe one day.",
    "I might move to Denver if the job works out.",
    "I'm considering moving to Denver next year.",
    "I moved there when I was a kid.",
    "I joined a book club last week.",
    "I just joined the gym near my office.",
    "I joined a running group that meets on Sundays.",
    "Our team meetings start at 8:30 AM on Tuesdays.",
    "I start at 9 every day, so mornings are rushed.",
    "My sister's manager at Stripe is strict.",
    "I lost my job at Stripe two years ago.",
    "I'm still waiting to hear back about an offer from Stripe.",
    "I went to the store and bought a lamp I saw in Denver.",
    "It's amazing how technology is changing the way we build and live in our homes.",
    "I want to quit my job at Acme.",
    "I might quit Acme next year.",
    "I never quit Acme, even when it was hard.",
]


@pytest.mark.parametrize("phrase", NOT_A_CHANGE)
def test_a_plan_or_a_wish_does_not_supersede_the_job_or_the_home(chat: Memory, phrase: str) -> None:
    said(chat, ("user", "I work at Acme."), ("user", "I live in Austin."))
    said(chat, ("user", phrase), days=30)
    current = facts(chat)
    assert ("works_at", "Acme") in current and ("lives_in", "Austin") in current, current


def test_anothers_work_is_not_the_speakers_job(chat: Memory) -> None:
    """From a two-person chat: John speaks of Maria's work, then of what he did himself."""
    chat.add([
        {"role": "user", "name": "Maria", "content": "I've been volunteering at the shelter."},
        {"role": "user", "name": "John", "content": (
            "Hey Maria, that's awesome! You mentioned your work at the homeless shelter last"
            " time and it made me think of how I could help too."
        )},
    ], user_id=USER, timestamp=START)  # fmt: skip
    john = [(p, o) for p, o in facts(chat) if p == "works_at"]
    assert ("works_at", "homeless shelter") not in john, john


@pytest.mark.parametrize(
    ("said_by", "text", "reading"),
    [
        ("assistant", "If you're looking for more, ask.", "If the user is looking for more, ask."),
        ("assistant", "You are right about that.", "the user is right about that."),
        ("assistant", "You love hiking, so try this.", "the user loves hiking, so try this."),
        ("assistant", "Did you like the book?", "Did the user like the book?"),
        ("assistant", "I told you so.", "the assistant told the user so."),
        ("user", "Did I tell you about it?", "Did the user tell the assistant about it?"),
        ("user", "You were great yesterday.", "the assistant was great yesterday"),
        ("user", "We're on the topic of commuting.", "the user and others are on the topic"),
    ],
)
def test_the_verb_agrees_with_a_resolved_pronoun(
    chat: Memory, said_by: str, text: str, reading: str
) -> None:
    other = "user" if said_by == "assistant" else "assistant"
    said(chat, (other, "Hello there."), (said_by, text))
    turn = next(m for m in chat.get_all(user_id=USER).memories if m.text == text)
    assert turn.reading is not None
    assert turn.reading.startswith(reading)


#: a new partner, said the ways people say it in chats
NEW_PARTNER = [
    "I've been dating Ryan for a couple of months now.",
    "My boyfriend Ryan and I went hiking last weekend.",
    "I just started going out with Ryan.",
    "My girlfriend, Ryan, loves Italian food.",
    "I got engaged to Ryan last month!",
    "I married Ryan in June.",
    "My husband Ryan is a chef.",
    "My partner Ryan and I are planning a trip to Lisbon.",
    "I'm in a relationship with Ryan now.",
    "My new boyfriend is Ryan.",
    "I've started seeing Ryan, it's going well so far.",
]


@pytest.mark.parametrize("phrase", NEW_PARTNER)
def test_a_new_partner_supersedes_the_old_one(chat: Memory, phrase: str) -> None:
    superseded(chat, "I'm dating Jake, he's a nurse.", phrase, "partner", "Jake", "Ryan")
    family = chat.profile("the user", user_id=USER).as_dict()["family"]
    assert isinstance(family, list)
    assert any(value.endswith(": Ryan") for value in family), family
    assert not any(value.endswith(": Jake") for value in family), family


@pytest.mark.parametrize(
    "phrase",
    [
        "I quit my job at Amazon last month.",
        "I got laid off from Amazon last week.",
        "I resigned from Amazon.",
        "I left my job at Amazon to start a company.",
    ],
)
def test_leaving_a_job_ends_the_employer_without_a_new_one(chat: Memory, phrase: str) -> None:
    said(chat, ("user", "I work at Amazon as a data analyst."))
    said(chat, ("user", phrase), days=60)
    current = facts(chat)
    assert ("left_employer", "Amazon") in current, current
    assert ("works_at", "Amazon") not in current, current
    assert ("job", "data analyst") in current, current  # still the trade, wherever next


@pytest.mark.parametrize(
    "phrase",
    [
        "I broke up with Jake last week.",
        "I finally split up with Jake.",
        "I divorced Jake in May.",
        "My boyfriend Jake and I split up last week.",  # names him as the partner, and parts
        "Jake and I called it quits.",
    ],
)
def test_a_break_up_ends_the_partner_without_a_new_one(chat: Memory, phrase: str) -> None:
    said(chat, ("user", "My boyfriend Jake is a nurse."))
    said(chat, ("user", phrase), days=60)
    current = facts(chat)
    assert ("split_from", "Jake") in current, current
    assert not any(p == "partner" for p, _ in current), current
    family = chat.profile("the user", user_id=USER).as_dict()["family"]
    assert family == [], family


@pytest.mark.parametrize(
    "phrase",
    [
        "I'm seeing a friend for lunch tomorrow.",
        "I almost broke up with Jake last year.",
        "I never broke up with Jake, even after that fight.",
        "My sister is dating someone new.",
        "I went out with Ryan and Maya for drinks.",
        "My ex-boyfriend Ryan called me yesterday.",
    ],
)
def test_these_are_no_new_partner(chat: Memory, phrase: str) -> None:
    said(chat, ("user", "My boyfriend Jake is a nurse."))
    said(chat, ("user", phrase), days=30)
    current = facts(chat)
    assert ("partner", "Jake") in current, current
    assert not any(p == "partner" and o != "Jake" for p, o in current), current


def test_a_relative_named_in_passing_is_the_speakers_relative(chat: Memory) -> None:
    said(chat, ("user", "My sister Lucy and I went to a concert on Friday."))
    current = facts(chat)
    assert ("family_sister", "Lucy") in current, current
    turn = next(m for m in chat.get_all(user_id=USER).memories if m.kind is MemoryKind.EPISODE)
    assert turn.reading is not None and "went to a concert" in turn.reading  # not "wents"


#: a new favourite, value after or before "favourite", as chats put it
NEW_FAVOURITE = [
    "My new favorite book is Dune.",
    "Dune is my favorite book these days.",
    "Dune has always been my favourite book, honestly.",
    "I think my all-time favorite book has to be Dune.",
    "Right now my favourite book is Dune.",
]


@pytest.mark.parametrize("phrase", NEW_FAVOURITE)
def test_a_new_favourite_supersedes_the_old_one(chat: Memory, phrase: str) -> None:
    superseded(chat, "My favourite book is Emma.", phrase, "favourite_book", "Emma", "Dune")
    likes = chat.profile("the user", user_id=USER).as_dict()["likes"]
    assert likes == ["favourite book: Dune"], likes


def test_a_favourite_one_wishes_for_is_no_favourite(chat: Memory) -> None:
    said(chat, ("user", "My favourite book is Emma."))
    said(chat, ("user", "I wish my favourite book would be something lighter."), days=3)
    assert ("favourite_book", "Emma") in facts(chat)


@pytest.mark.parametrize(
    "phrase",
    ["I retrained and I'm a data analyst now.", "I moved to Boston and I'm a data analyst there."],
)
def test_a_job_in_a_later_clause_supersedes_the_old_one(chat: Memory, phrase: str) -> None:
    superseded(chat, "I'm a nurse.", phrase, "job", "nurse", "data analyst")


@pytest.mark.parametrize(
    "phrase",
    [
        "Ryan and I just celebrated our six-month anniversary.",
        "Ryan and I got engaged last weekend!",
        "Ryan and I moved in together last month.",
        "Me and Ryan are getting married in June!",
    ],
)
def test_what_only_a_couple_does_names_the_partner(chat: Memory, phrase: str) -> None:
    superseded(chat, "I'm dating Jake, he's a nurse.", phrase, "partner", "Jake", "Ryan")


@pytest.mark.parametrize(
    "phrase",
    [
        "I've started seeing someone new, her name is Ryan, we met at a climbing gym.",
        "I have been dating a guy, his name is Ryan.",
        "I've been seeing this girl for a while now, her name's Ryan.",
    ],
)
def test_a_partner_named_in_the_next_clause_is_the_new_partner(chat: Memory, phrase: str) -> None:
    superseded(chat, "I'm dating Jake, he's a nurse.", phrase, "partner", "Jake", "Ryan")


@pytest.mark.parametrize(
    "phrase",
    [
        "Seattle has been great since we moved here, except for the rain.",
        "Seattle is so much calmer since I moved here.",
        "Honestly, Seattle has been a dream since we relocated here.",
    ],
)
def test_a_town_one_moved_here_to_is_the_new_home(chat: Memory, phrase: str) -> None:
    superseded(chat, "I live in Denver, near the park.", phrase, "lives_in", "Denver", "Seattle")


@pytest.mark.parametrize(
    "phrase",
    [
        "Seattle was rainy since we got here, but the hotel is nice.",
        "My brother says Seattle has been great since he moved here.",
    ],
)
def test_a_visit_or_anothers_move_here_is_no_new_home(chat: Memory, phrase: str) -> None:
    kept(chat, "I live in Denver, near the park.", phrase, "lives_in", "Denver")


@pytest.mark.parametrize(
    "phrase",
    [
        "My parents celebrated their anniversary.",
        "I hope Ryan and I get married someday.",
        "My sister started seeing someone new, her name is Ryan.",
        "I might start dating someone, her name is Ryan.",
        "I met someone at work, her name is Ryan.",
    ],
)
def test_anothers_partner_a_hope_or_a_colleague_is_no_new_partner(
    chat: Memory, phrase: str
) -> None:
    kept(chat, "I'm dating Jake, he's a nurse.", phrase, "partner", "Jake")


COURTESIES = [
    "I'd be happy to help you plan the trip to Lisbon.",
    "I'm so sorry to hear about your dog's surgery.",
    "As an AI language model, I don't have personal preferences about music.",
    "However, I can suggest a few quiet cafes near your office.",
    "I'm glad the stretching routine helped your back!",
    "I apologize for the confusion about the train times.",
    "I hope you enjoy the concert on Saturday.",
    "I completely understand your worry about the budget.",
    "I don't have access to your calendar, but I can help you plan the week.",
]


@pytest.mark.parametrize("courtesy", COURTESIES)
def test_an_assistants_courtesy_is_not_a_fact(chat: Memory, courtesy: str) -> None:
    said(chat, ("user", "Can you help me?"), ("assistant", courtesy))
    assert facts(chat) == []
    [answer] = [m for m in chat.get_all(user_id=USER).memories if m.role == "assistant"]
    assert answer.text == courtesy  # the turn keeps it, verbatim


def test_what_an_assistant_did_or_advised_and_a_users_own_offer_stay_facts(
    chat: Memory,
) -> None:
    said(
        chat,
        ("assistant", "I booked your flight to Lisbon for the third of May."),
        ("assistant", "For the stain, I recommend baking soda and white vinegar."),
        ("assistant", "I will do the database migration tonight."),  # an agent's plan
        ("user", "I'd be happy to help my sister move to Austin next month."),
    )
    subjects = [
        m.metadata["subject"]
        for m in chat.get_all(user_id=USER, limit=50).memories
        if m.kind is MemoryKind.FACT
    ]
    assert subjects.count("the assistant") == 3 and "the user" in subjects
