"""spaCy's NER runs only on the sentences that may name something."""

from __future__ import annotations

from engramdb.pipeline.understand.entities import NER_KINDS
from engramdb.ports.nlp import Parser
from engramdb.providers.nlp.spacy_parser import SpacyParser

NAMED = [
    "Caroline went to the LGBTQ support group with Melanie yesterday.",
    "I finally read Little Women last month and loved it.",
    "We moved to Porto in May, and my sister Lucy visits from Boston.",
    "Goodreads says I read 40 books this year.",
    "Melanie painted a sunrise over Lake Tahoe.",
]
UNNAMED = [
    "glad you had fun, what did you eat there?",
    "Glad to hear it! I love how the lush greenery looks after rain.",
    "I think so too. It was a long week and I need some sleep.",
]


def _entities(parser: Parser, texts: list[str]) -> list[list[tuple[str, str]]]:
    return [
        [(t.text, t.ent) for s in sentences for t in s.tokens if t.ent in NER_KINDS]
        for sentences in parser.parse_many(texts)
    ]


def _whole_pipeline(parser: SpacyParser, texts: list[str]) -> list[list[tuple[str, str]]]:
    parser.load()
    docs = parser._nlp.pipe(texts)
    return [[(t.text, t.ent_type_) for t in doc if t.ent_type_ in NER_KINDS] for doc in docs]


def test_texts_that_name_something_get_the_whole_pipelines_entities(
    spacy_parser: SpacyParser,
) -> None:
    found = _entities(spacy_parser, NAMED)
    assert found == _whole_pipeline(spacy_parser, NAMED)
    assert ("Melanie", "PERSON") in found[0] and ("Boston", "GPE") in found[2]


def test_texts_without_a_name_get_no_entities_but_the_rest_of_the_parse(
    spacy_parser: SpacyParser,
) -> None:
    assert _entities(spacy_parser, UNNAMED) == [[], [], []]
    [sentences] = spacy_parser.parse_many(["Glad to hear it! I love how the greenery looks."])
    assert len(sentences) == 2 and sentences[1].tokens[1].lemma == "love"
    assert sentences[1].tokens[1].dep == "ROOT"


def test_entities_found_in_a_named_sentence_land_on_its_own_tokens(
    spacy_parser: SpacyParser,
) -> None:
    [first, second] = spacy_parser.parse_many(
        ["glad you liked it, truly. My sister Lucy moved to New York in May."]
    )[0]
    assert [t.ent for t in first.tokens] == [""] * len(first.tokens)
    named = [(t.text, t.ent, t.ent_start) for t in second.tokens if t.ent]
    assert named == [
        ("Lucy", "PERSON", True),
        ("New", "GPE", True),
        ("York", "GPE", False),
        ("May", "DATE", True),
    ]


def test_ner_reads_named_sentences_with_their_neighbours_and_skips_the_rest(
    spacy_parser: SpacyParser,
) -> None:
    from engramdb.providers.nlp.spacy_parser import _named_windows

    spacy_parser.load()
    text = (
        "Glad to hear it! The greenery looks great after rain. We stayed home all week. "
        "It was quiet. My sister Lucy visited on Sunday. We baked bread. It was fun. "
        "The oven is old. We should buy a new one."
    )
    with spacy_parser._nlp.select_pipes(disable=["ner"]):
        doc = spacy_parser._nlp(text)
    windows = [window.text for window in _named_windows(doc)]
    assert windows == ["It was quiet. My sister Lucy visited on Sunday. We baked bread."]
