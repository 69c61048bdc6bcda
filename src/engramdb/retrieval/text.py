"""Query analysis for lexical search: terms without stop words."""

from __future__ import annotations

import re

__all__ = ["STOP_WORDS", "query_terms", "quoted_terms"]

_APOSTROPHES = "'\u2019"  # ASCII and typographic apostrophes
_WORD_RE = re.compile(rf"[^\W_]+(?:[{_APOSTROPHES}][^\W_]+)?", re.UNICODE)

# Function words and question scaffolding that match everything and rank nothing.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its
    itself just me might more most must my myself no nor not now of off on once only or other
    our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    s t don didn doesn isn wasn weren aren hasn haven hadn won wouldn shouldn couldn ll re ve d
    m o y also ever kind sort thing things get got many much may us
    """.split()  # noqa: SIM905 - a word list reads best as text
)


def query_terms(text: str, *, limit: int = 32) -> list[str]:
    """Distinct lower-cased content words of ``text``, in order of appearance.

    Possessives are reduced (``Caroline's`` -> ``caroline``) so they match the name.
    """
    terms: list[str] = []
    for match in _WORD_RE.finditer(text.lower()):
        word = re.sub(rf"[{_APOSTROPHES}]s$", "", match.group())
        if word in STOP_WORDS or word in terms or (len(word) < 2 and not word.isdigit()):
            continue
        terms.append(word)
        if len(terms) == limit:
            break
    return terms


# a quote opens after a space, a colon or a bracket and closes before one or a stop, so
# that the apostrophes of "I'm" and "brother's" are not quotes
_QUOTE = re.compile(
    r"(?:^|(?<=[\s(:,]))[\"\u201c\u2018'](?P<quoted>[^\"\u201c\u201d\u2018\u2019]{2,120}?)"
    r"[\"\u201d\u2019'](?=[\s,.;:?!)]|$)"
)


def quoted_terms(text: str, *, least: int = 2) -> list[tuple[str, ...]]:
    """The terms of each quoted part of ``text``, when it quotes ``least`` or more.

    A quote of several words is first matched as the phrase it is, stop words and all,
    then on its content words: "The Power" is the title, where "power" alone would be
    any power (a phrase is a term of its own, as FTS5 and the sidecar read a term with
    spaces).
    """
    found = [_quote_terms(m.group("quoted")) for m in _QUOTE.finditer(text)]
    found = [terms for terms in dict.fromkeys(found) if terms]
    return found if len(found) >= least else []


def _quote_terms(quoted: str) -> tuple[str, ...]:
    words = query_terms(quoted)
    if not words:
        return ()
    phrase = " ".join(m.group() for m in _WORD_RE.finditer(quoted.lower()))
    return (phrase, *words) if " " in phrase else tuple(words)
