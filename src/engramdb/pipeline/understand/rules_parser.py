"""A parser made of rules, for when no NLP model is installed.

It splits sentences and words, tags pronouns and capitalised words, and guesses
nothing else: no dependencies, no entity types. Fact extraction falls back to
patterns over the words, so quality drops but nothing breaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engramdb.ports.nlp import Parser, Sentence, Token

__all__ = ["RulesParser"]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# clitics are their own tokens, as in spaCy: "I'm" -> "I", "'m"
_WORD = re.compile(
    r"\w+(?=['’](?:m|s|ve|d|ll|re)\b)|['’](?:m|s|ve|d|ll|re)\b|\w+(?:['’]\w+)*|[^\w\s]"
)
PRONOUNS = frozenset(
    [
        "i",
        "me",
        "my",
        "mine",
        "myself",
        "we",
        "us",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "it",
        "its",
    ]
)
# capitalised words that open sentences and are not names
_COMMON = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "and",
        "but",
        "or",
        "so",
        "if",
        "when",
        "then",
        "there",
        "here",
        "what",
        "who",
        "how",
        "why",
        "where",
        "which",
        "yes",
        "no",
        "oh",
        "hey",
        "hi",
        "hello",
        "thanks",
        "thank",
        "wow",
        "yeah",
        "great",
        "good",
        "well",
        "just",
        "also",
        "really",
        "i",
        "i'm",
        "i've",
        "i'll",
        "i'd",
        "do",
        "did",
        "does",
        "have",
        "has",
        "had",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "can",
        "could",
        "would",
        "should",
        "will",
        "may",
        "might",
        "must",
        "let",
        "not",
        "my",
        "our",
        "your",
        "their",
        "his",
        "her",
        "we",
        "you",
        "they",
        "he",
        "she",
        "me",
        "us",
        "them",
        "by",
        "the",
        "for",
        "in",
        "on",
        "at",
        "to",
        "from",
        "with",
        "of",
        "as",
        "after",
        "before",
        "last",
        "next",
        "yesterday",
        "today",
        "tomorrow",
        "tonight",
        "sure",
        "okay",
        "ok",
        "nice",
        "awesome",
        "amazing",
        "cool",
        "sounds",
        "love",
        "happy",
        "glad",
        "sorry",
        "congrats",
        "congratulations",
        "totally",
        "absolutely",
        "definitely",
        "maybe",
        "some",
        "all",
        "any",
        "every",
        "one",
        "my",
    ]
)


class RulesParser(Parser):
    """Sentences and words from regular expressions; ``PROPN`` for likely names."""

    name = "rules"
    has_dependencies = False

    def parse_many(self, texts: Sequence[str]) -> list[list[Sentence]]:
        """Split each text."""
        return [_parse(text) for text in texts]


def _parse(text: str) -> list[Sentence]:
    sentences = []
    start = 0
    for match in [*_SENTENCE_END.finditer(text), None]:
        end = match.start() if match else len(text)
        tokens = tuple(_tokens(text, start, end))
        if tokens:
            sentences.append(Sentence(start, end, tokens))
        if match:
            start = match.end()
    return sentences


def _tokens(text: str, start: int, end: int) -> list[Token]:
    tokens = []
    for index, match in enumerate(_WORD.finditer(text, start, end)):
        word = match.group()
        lower = word.lower()
        if lower in PRONOUNS:
            pos = "PRON"
        elif word[:1].isupper() and (index > 0 or lower not in _COMMON) and word.isalpha():
            pos = "PROPN"
        elif word.isdigit():
            pos = "NUM"
        elif not word[:1].isalnum():
            pos = "PUNCT"
        else:
            pos = "X"
        tokens.append(Token(word, match.start(), lower, pos, head=index))
    return tokens
