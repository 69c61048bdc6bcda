"""The NLP port: a parser that turns texts into neutral token annotations.

Providers (spaCy, or the rules-only fallback) fill these plain values; the
understanding pipeline never sees a provider's own objects.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Parser", "Sentence", "Token"]


@dataclass(frozen=True, slots=True)
class Token:
    """One token.

    Attributes:
        text: the token as written.
        start: character offset in the parsed text.
        lemma: base form, lower case.
        pos: universal part of speech (``PROPN``, ``VERB``, ...).
        dep: dependency label (``nsubj``, ``dobj``, ...); ``""`` without a parser.
        head: index of the head token within the sentence (itself for the root).
        ent: named-entity label (``PERSON``, ``GPE``, ...) or ``""``.
        ent_start: whether the token begins a named entity.
        tag: fine-grained tag (Penn Treebank: ``VBD`` is a verb in the past tense);
            ``""`` without a tagger.
    """

    text: str
    start: int
    lemma: str
    pos: str
    dep: str = ""
    head: int = 0
    ent: str = ""
    ent_start: bool = False
    tag: str = ""

    @property
    def end(self) -> int:
        """Character offset just after the token."""
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: its character span and tokens (heads index into ``tokens``)."""

    start: int
    end: int
    tokens: tuple[Token, ...]


class Parser(ABC):
    """Splits texts into sentences of annotated tokens."""

    #: a short identity recorded with what the parser produced, e.g. ``"spacy:en_core_web_sm"``
    name: str = "parser"
    #: whether ``dep``/``head`` are real dependency parses (rules-only parsers: ``False``)
    has_dependencies: bool = False

    def load(self) -> None:  # noqa: B027 (optional: rule parsers have nothing to load)
        """Load the model now (parsers that have one load it on their first parse)."""

    @abstractmethod
    def parse_many(self, texts: Sequence[str]) -> list[list[Sentence]]:
        """The sentences of each text, in order."""
