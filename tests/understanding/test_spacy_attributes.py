"""spaCy's attribute ruler from look-up tables gives the ruler's result, token for token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engramdb.providers.nlp.spacy_attributes import AttributeTable
from engramdb.providers.nlp.spacy_parser import SpacyParser, _load

TEXTS = [
    "I ain't gonna do it, y'all. Let's go! C'mon, we gotta run.",
    "There are 3 cats here and there was a dog. It's ol' Bob's car, nothin' doin'.",
    "She's been to Paris twice; he'd have gone if he could've. Who did it? I did.",
    "Gets me every time. He got it. They'd done it before 'em.",
    "Give it to me, then you and I will see it.  Two  spaces\n\nand a new paragraph.",
    "My sister Lucy works at Google as a designer, which she loves.",
    "That is what I meant: those are the ones which we bought.",
]


def _attributes(docs: list[Any]) -> list[list[tuple[str, str, str, str, str]]]:
    return [[(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in doc] for doc in docs]


def _parsed(parser: SpacyParser, *, ruler: bool) -> list[Any]:
    nlp = parser._nlp
    table = AttributeTable.of(nlp.get_pipe("attribute_ruler"))
    assert table is not None  # the packaged model's patterns all compile
    with nlp.select_pipes(disable=["attribute_ruler", "lemmatizer", "ner"]):
        docs = list(nlp.pipe(TEXTS))
    set_attributes = nlp.get_pipe("attribute_ruler") if ruler else table
    for doc in docs:
        set_attributes(doc)
        nlp.get_pipe("lemmatizer")(doc)
    return docs


def test_the_table_sets_what_the_ruler_sets(spacy_parser: SpacyParser) -> None:
    spacy_parser.load()
    by_table = _attributes(_parsed(spacy_parser, ruler=False))
    assert by_table == _attributes(_parsed(spacy_parser, ruler=True))
    words = {(t[2], t[0]) for doc in by_table for t in doc}
    assert ("go", "VERB") in words and ("be", "AUX") in words  # "gonna", "was"


def test_a_model_whose_ruler_the_table_cannot_read_keeps_its_ruler(
    spacy_parser: SpacyParser, tmp_path: Path
) -> None:
    spacy_parser.load()
    custom = _load(spacy_parser.model)  # as the parser loads it (torch kept out)
    custom.get_pipe("attribute_ruler").add([[{"ORTH": "works"}]], {"POS": "NOUN"})
    assert AttributeTable.of(custom.get_pipe("attribute_ruler")) is None
    custom.to_disk(tmp_path / "model")
    parser = SpacyParser(str(tmp_path / "model"))
    [[sentence]] = parser.parse_many(["lucy works at Google."])
    assert parser._attributes is None  # spaCy's own ruler ran, with the added rule
    assert [t.pos for t in sentence.tokens] == ["PROPN", "NOUN", "ADP", "PROPN", "PUNCT"]
