"""spaCy's attribute ruler as look-up tables: the same rules, without the Matcher.

The ruler gives each token its coarse POS, morphology and some lemmas from its fine tag,
with exceptions keyed on the word and its dependency ("'s" tagged VBP is an AUX, "gonna"
is "go" + "to"). spaCy runs its 179 patterns through a Matcher, which tests every pattern
at every token: a sixth of the whole parse. Every pattern is a short sequence of tests on
TAG, LOWER, DEP and IS_SPACE, so each is filed under the tag or the word its first token
needs, and a token is tried only against the patterns filed under its own. The matches
are then set by the ruler itself, in its order (a later rule wins), so the result is the
ruler's, token for token; a model whose ruler uses any other test keeps its ruler.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["AttributeTable"]

_ATTRIBUTES = ("TAG", "LOWER", "DEP", "IS_SPACE")  # a token is read once, as this tuple
_Token = tuple[str, str, str, bool]
_TokenTest = Callable[[_Token], bool]
_SequenceTest = Callable[[list[_Token], int], bool]  # (a doc's tokens, where to start)
_Pattern = tuple[int, int, _SequenceTest]  # (the rule's index, its width, its test)


class _Unsupported(Exception):
    """A pattern uses a test the table does not compile."""


class AttributeTable:
    """The patterns of one spaCy ``AttributeRuler``, filed for look-up."""

    def __init__(self, ruler: Any) -> None:
        self._ruler = ruler
        self._labels: list[int] = []
        self._by_key: dict[tuple[str, Any], list[_Pattern]] = defaultdict(list)
        self._everywhere: list[_Pattern] = []
        for index, rule in enumerate(ruler.patterns):
            self._labels.append(ruler.vocab.strings.add(str(index)))
            for sequence in rule["patterns"]:
                self._file(index, sequence)

    @classmethod
    def of(cls, ruler: Any) -> AttributeTable | None:
        """The ruler's table, or None when one of its patterns cannot be compiled."""
        try:
            return cls(ruler)
        except _Unsupported:
            return None

    def _file(self, index: int, sequence: Sequence[dict[str, Any]]) -> None:
        keys = _keys(sequence[0])
        filed_by = keys[0][0] if keys else None
        pattern = (index, len(sequence), _sequence_test(sequence, filed_by))
        if not keys:
            self._everywhere.append(pattern)
        for key in keys:
            self._by_key[key].append(pattern)

    def __call__(self, doc: Any) -> Any:
        """Set the ruler's attributes on ``doc``, in place; returns it."""
        tokens = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        matches = []
        for start, token in enumerate(tokens):
            candidates = (
                self._by_key.get(("LOWER", token[1]), [])
                + self._by_key.get(("TAG", token[0]), [])
                + self._everywhere
            )
            for index, width, test in candidates:
                if test(tokens, start):
                    matches.append((index, self._labels[index], start, start + width))
        matches.sort()
        self._ruler.set_annotations(doc, matches)
        return doc


def _keys(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    """Where a pattern is filed: the tags or words its first token must have ([]: anywhere)."""
    for name in ("LOWER", "TAG"):  # a word is the narrower of the two
        value = spec.get(name)
        if isinstance(value, str):
            return [(name, value)]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return [(name, v) for v in value["IN"]]
    return []


def _sequence_test(sequence: Sequence[dict[str, Any]], filed_by: str | None) -> _SequenceTest:
    """The pattern's test; the attribute it is filed under is known to match already."""
    width = len(sequence)
    tests = [
        (offset, test)
        for offset, spec in enumerate(sequence)
        if (test := _token_test(spec, filed_by if offset == 0 else None)) is not None
    ]
    if width == 1:
        if not tests:
            return lambda tokens, start: True
        [(_, only)] = tests
        return lambda tokens, start: only(tokens[start])
    return lambda tokens, start: (
        start + width <= len(tokens) and all(test(tokens[start + offset]) for offset, test in tests)
    )


def _token_test(spec: dict[str, Any], known: str | None) -> _TokenTest | None:
    tests = [_attribute_test(name, value) for name, value in spec.items() if name != known]
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda token: all(test(token) for test in tests)


def _attribute_test(name: str, value: Any) -> _TokenTest:
    if name not in _ATTRIBUTES:
        raise _Unsupported(name)
    position = _ATTRIBUTES.index(name)
    if not isinstance(value, dict):
        return lambda token: token[position] == value
    if len(value) != 1:
        raise _Unsupported(f"{name}: {value}")
    [(operator, operand)] = value.items()
    if operator == "IN":
        members = frozenset(operand)
        return lambda token: token[position] in members
    if operator == "NOT_IN":
        excluded = frozenset(operand)
        return lambda token: token[position] not in excluded
    if operator == "REGEX":
        pattern = re.compile(operand)
        return lambda token: pattern.search(token[position]) is not None
    raise _Unsupported(f"{name}: {operator}")
