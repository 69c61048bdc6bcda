"""Pronouns, entities and facts from hand-written turns, with and without spaCy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engramdb.pipeline.understand.analyze import Analyzer, TurnInput
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.ports.nlp import Parser

MON = datetime(2023, 5, 22, 14, 0, tzinfo=UTC)


def turn(speaker: str, text: str, to: str) -> TurnInput:
    return TurnInput(text, speaker, MON, to)


def test_first_second_and_third_person_resolve(spacy_parser: Parser) -> None:
    first, second, third = Analyzer(spacy_parser).analyze(
        [
            turn("Melanie", "I ran a charity race for mental health last Saturday.", "Caroline"),
            turn("Caroline", "Your race sounds great! My friend Jenna ran one too.", "Melanie"),
            turn("Melanie", "She is a nurse and she lives in Boston.", "Caroline"),
        ]
    )
    assert first.reading == (
        "Melanie ran a charity race for mental health last Saturday (2023-05-20)."
    )
    assert [f.draft.text for f in first.facts] == [
        "Melanie ran a charity race for mental health on 2023-05-20"
    ]
    assert first.facts[0].when is not None and first.facts[0].when.label() == "2023-05-20"
    assert second.reading == "Melanie's race sounds great! Caroline's friend Jenna ran one too."
    assert third.reading == "Jenna is a nurse and Jenna lives in Boston."
    assert [(f.draft.predicate, f.draft.object) for f in third.facts] == [
        ("job", "nurse"),
        ("lives_in", "Boston"),
    ]


def test_third_person_stays_when_ambiguous(spacy_parser: Parser) -> None:
    _, reply = Analyzer(spacy_parser).analyze(
        [
            turn("Ana", "Tom and Jenna came over yesterday.", "Ben"),
            turn("Ben", "Did she bring the cake? I hope he did.", "Ana"),
        ]
    )
    assert reply.reading == "Did she bring the cake? Ben hopes he did."


def test_entities_with_kinds_and_aliases(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze(
        [turn("Ana", 'My sister Lucy took my dog Max to Paris to see "The Lion King".', "Ben")]
    )
    found = {(m.name, m.kind, m.alias) for m in result.mentions}
    assert ("Lucy", "person", "Ana's sister") in found
    assert ("Max", "pet", "Ana's dog") in found
    assert ("Paris", "place", None) in found
    assert ("The Lion King", "work", None) in found
    assert ("Ana", "person", None) in found


@pytest.mark.parametrize(
    ("text", "predicate", "value"),
    [
        ("I live in Lisbon now.", "lives_in", "Lisbon"),
        ("I just moved to Porto last month.", "lives_in", "Porto"),
        ("I work at Acme Robotics.", "works_at", "Acme Robotics"),
        ("I work as a nurse at the clinic.", "job", "nurse"),
        ("I'm a freelance graphic designer.", "job", "freelance graphic designer"),
        ("I'm 32 years old.", "age", "32"),
        ("I am 41.", "age", "41"),  # the age ends the sentence
        ("I'm 32, so I'm in my 30s.", "age", "32"),
        ("My favourite book is Dune.", "favourite_book", "Dune"),
        ("I really love sushi.", "likes", "sushi"),
        ("I don't like sushi anymore.", "dislikes", "sushi"),
        ("I'm not a big fan of horror movies.", "dislikes", "horror movies"),
        ("I'm not really into board games.", "dislikes", "board games"),
        ("I want to become a counselor.", "goal", "become a counselor"),
        ("I have a cat named Miso.", "has_pet", "Miso"),
        ("My dog's name is Biscuit.", "has_pet", "Biscuit"),
        ("We got a new puppy, a golden retriever named Max.", "has_pet", "Max"),
        ("I adopted a tabby cat named Luna.", "has_pet", "Luna"),
        ("I'm dating Sam these days.", "partner", "Sam"),
    ],
)
def test_profile_predicates_from_self_statements(
    spacy_parser: Parser, text: str, predicate: str, value: str
) -> None:
    [result] = Analyzer(spacy_parser).analyze([turn("Ana", text, "Ben")])
    assert [(f.draft.subject, f.draft.predicate, f.draft.object) for f in result.facts] == [
        ("Ana", predicate, value)
    ]


def test_rules_only_parser_still_resolves_and_extracts() -> None:
    [result] = Analyzer(RulesParser()).analyze(
        [turn("Ana", "Hey Ben! I'm 32 years old and I live in Lisbon. Did you call?", "Ben")]
    )
    assert result.reading == "Hey Ben! Ana is 32 years old and Ana lives in Lisbon. Did Ben call?"
    assert [(f.draft.predicate, f.draft.object) for f in result.facts] == [
        ("age", "32"),
        ("lives_in", "Lisbon"),
    ]


ODD = [
    "😀😀😀 🎉",
    "def f(x):\n    return {'a': [1, 2]}  # I wrote this",
    "Je suis allé à Paris hier avec ma sœur. 我昨天去了北京。",
    "I " + "really " * 1500 + "like long turns.",
    "\x00\x01 weird \u200b control ... ??? !!!",
    "",
]


@pytest.mark.parametrize("parser_name", ["spacy", "rules"])
def test_odd_text_never_crashes(spacy_parser: Parser, parser_name: str) -> None:
    parser = spacy_parser if parser_name == "spacy" else RulesParser()
    results = Analyzer(parser).analyze([turn("Ana", text, "Ben") for text in ODD])
    assert len(results) == len(ODD)
    assert results[3].reading.startswith("Ana really")


def test_each_clause_keeps_its_own_date(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze(
        [turn("Ana", "I'm 32 years old and I moved to Paris last year.", "Ben")]
    )
    dated = [(f.draft.text, f.when.label() if f.when else None) for f in result.facts]
    assert dated == [("Ana is 32 years old", None), ("Ana moved to Paris in 2022", "2022")]


def test_clauses_are_whole_statements_about_their_subject(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze(
        [
            turn(
                "Jolene",
                "Yesterday my partner and I got back from a trip to Rio. "
                "The weather was awful all week, but I loved the hike.",
                "Deborah",
            )
        ]
    )
    # "my partner" alone states nothing; "The weather was awful" is no fact about Jolene
    assert [(f.draft.text, f.draft.subject) for f in result.facts] == [
        ("On 2023-05-21 Jolene's partner and Jolene got back from a trip to Rio", "Jolene"),
        ("Jolene loved the hike", "Jolene"),
    ]


def test_a_name_ending_a_list_opens_no_clause(spacy_parser: Parser) -> None:
    # the parser takes "Monterey" for a person: a name followed by a date and a comma
    # ends a list of places, it is no subject of a clause of its own
    [result] = Analyzer(spacy_parser).analyze(
        [turn("Ana", "I went on a trip to Big Sur and Monterey today, and it was amazing!", "Ben")]
    )
    assert [(f.draft.subject, f.draft.text) for f in result.facts] == [
        ("Ana", "Ana went on a trip to Big Sur and Monterey on 2023-05-22, and it was amazing!")
    ]


def test_another_persons_move_is_not_the_speakers(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze(
        [turn("Ana", "I visited Paris and Lucy moved to Rome.", "Ben")]
    )
    assert ("Ana", "lives_in", "Rome") not in {
        (f.draft.subject, f.draft.predicate, f.draft.object) for f in result.facts
    }
    [own] = Analyzer(spacy_parser).analyze(
        [turn("Ana", "I visited Paris, then finally moved to Rome.", "Ben")]
    )
    assert ("Ana", "lives_in", "Rome") in {
        (f.draft.subject, f.draft.predicate, f.draft.object) for f in own.facts
    }


@pytest.mark.parametrize(
    "text",
    [
        "I got a dog bed for Max.",
        "I bought a cat tree.",
        "I have a dog that barks.",
        "My dog loves long walks.",
        "My cat is sick.",
    ],
)
def test_a_thing_for_a_pet_is_no_pet(spacy_parser: Parser, text: str) -> None:
    # the word after the kind was taken for the pet's name, whatever its case ("tree", "is")
    [result] = Analyzer(spacy_parser).analyze([turn("Ana", text, "Ben")])
    assert not [f for f in result.facts if f.draft.predicate == "has_pet"]


def test_praise_of_a_skill_is_no_job(spacy_parser: Parser) -> None:
    [result] = Analyzer(spacy_parser).analyze([turn("Ana", "I'm a really good cook.", "Ben")])
    assert not [f for f in result.facts if f.draft.predicate == "job"]
