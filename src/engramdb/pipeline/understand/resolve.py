"""Who "I", "you" and "she" are: rule-based pronoun resolution and the resolved reading.

First person resolves to the speaker, second person to the addressee, third
person (he/she/him/her/his/hers) to the one person recently mentioned by name
when there is exactly one candidate; otherwise it stays as written. The turn
itself is never changed: these functions produce a *reading* beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from engramdb.pipeline.understand.timex import TimeSpan
from engramdb.ports.nlp import Sentence, Token

__all__ = ["Referents", "rewrite"]

FIRST = {"i": "{}", "me": "{}", "myself": "{}", "my": "{}'s", "mine": "{}'s"}
FIRST_PLURAL = {"we": "{} and others", "us": "{} and others", "ourselves": "{} and others",
                "our": "{}'s", "ours": "{}'s"}  # fmt: skip
SECOND = {"you": "{}", "yourself": "{}", "your": "{}'s", "yours": "{}'s"}
THIRD = {"he": "{}", "him": "{}", "himself": "{}", "his": "{}'s", "she": "{}", "herself": "{}",
         "hers": "{}'s"}  # fmt: skip
# the verb after "I" or "you", once they are a name, in the third person
VERB_AFTER_SUBJECT = {"'m": "is", "’m": "is", "am": "is", "'re": "is", "’re": "is", "are": "is",
                      "were": "was", "'ve": "has", "’ve": "has", "'d": "would", "’d": "would",
                      "'ll": "will", "’ll": "will"}  # fmt: skip
# after "we", now "Ana and others": only the contractions are spelled out
VERB_AFTER_PLURAL = {"'re": "are", "’re": "are", "'ve": "have", "’ve": "have", "'d": "would",
                     "’d": "would", "'ll": "will", "’ll": "will"}  # fmt: skip
# before the subject they ask a question ("did you like", "are you going"): no agreement then
INVERTING = frozenset(["do", "does", "did", "can", "could", "will", "would", "shall", "should",
                       "may", "might", "must", "have", "has", "had", "am", "are", "is", "was",
                       "were"])  # fmt: skip
POSSESSIVE_NEXT = {"NOUN", "ADJ", "PROPN", "NUM"}


@dataclass(frozen=True, slots=True)
class Referents:
    """Who the pronouns of one turn can refer to."""

    speaker: str | None
    addressee: str | None
    third_person: str | None  # the single recent person, or None when ambiguous


def referent(token: Token, nxt: Token | None, who: Referents) -> str | None:
    """The replacement text for a pronoun token, or ``None`` to keep it."""
    word = token.text.lower()
    if word in FIRST and who.speaker and not (word == "i" and token.text != "I"):
        return FIRST[word].format(who.speaker)
    if word in FIRST_PLURAL and who.speaker:
        return FIRST_PLURAL[word].format(who.speaker)
    if word in SECOND and who.addressee:
        return SECOND[word].format(who.addressee)
    if who.third_person:
        if word in THIRD:
            return THIRD[word].format(who.third_person)
        if word == "her":
            possessive = token.dep == "poss" or (
                not token.dep and nxt is not None and nxt.pos in POSSESSIVE_NEXT
            )
            return f"{who.third_person}'s" if possessive else who.third_person
    return None


def rewrite(
    text: str,
    sentence: Sentence,
    who: Referents,
    times: Sequence[TimeSpan],
    *,
    absolute_times: bool,
) -> str:
    """The sentence with pronouns resolved and time expressions made absolute.

    Args:
        text: the whole turn (token offsets index into it).
        sentence: the sentence to rewrite.
        who: the referents of this turn.
        times: resolved time expressions of the turn.
        absolute_times: replace each expression by its date ("on 2023-05-20");
            otherwise keep it and add the date in brackets.
    """
    pieces: list[str] = []
    cursor = sentence.start
    tokens = sentence.tokens
    previous_subject: str | None = None  # "one" or "many" after a resolved subject pronoun
    inside = [t for t in times if sentence.start <= t.char_start < sentence.end]
    possessive = False
    for index, token in enumerate(tokens):
        span = (
            next((t for t in inside if t.char_start <= token.start < t.char_end), None)
            if inside
            else None
        )
        if span is not None:
            if token.start == span.char_start:
                before = text[cursor : token.start]
                possessive = text[span.char_end : span.char_end + 2] in ("'s", "’s")
                if possessive and absolute_times:  # "yesterday's run" -> "the 2024-04-14 run"
                    label = span.label()
                    when = label if label.startswith("the ") else f"the {label}"
                else:
                    when = _time_text(span, absolute=absolute_times)
                if _PREPOSITION.match(when) and _OTHER_PREPOSITION_BEFORE.search(before):
                    when = _PREPOSITION.sub("", when, count=1)  # "by next summer": "by summer"
                elif _PREPOSITION.match(when):  # "in October" -> "in October 2023", not "in in"
                    before = _PREPOSITION_BEFORE.sub("", before)
                elif when.startswith("from "):  # "over Easter weekend" -> "from ... to ..."
                    before = _PREPOSITION_BEFORE_RANGE.sub("", before)
                pieces += [before, when]
            end = span.char_end + (2 if possessive and absolute_times else 0)
            cursor = max(cursor, min(end, sentence.end))
            previous_subject = None
            continue
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        replacement = referent(token, nxt, who)
        if replacement is None and previous_subject == "one":
            replacement = VERB_AFTER_SUBJECT.get(token.text.lower()) or _third_person(token)
        elif replacement is None and previous_subject == "many":
            replacement = VERB_AFTER_PLURAL.get(token.text.lower())
        if replacement is not None and token.start >= cursor:
            pieces.append(text[cursor : token.start])
            glued = token.start > sentence.start and not text[token.start - 1].isspace()
            pieces.append(f" {replacement}" if glued and token.text[:1] in "'’" else replacement)
            cursor = token.end
        adverb = token.pos == "ADV" or (not token.dep and token.text.endswith("ly"))
        if not (previous_subject and adverb):  # "I really love" -> "Ana really loves"
            previous_subject = _agrees(tokens, index) if replacement is not None else None
    pieces.append(text[cursor : sentence.end])
    return "".join(pieces).strip()


def _agrees(tokens: Sequence[Token], index: int) -> str | None:
    """How the verb after this resolved pronoun agrees with its name: "one", "many", None.

    "I" and "we" are subjects; "you" is one unless parsed otherwise ("I told you so");
    none is when a question puts the verb before it ("did you like it").
    """
    token = tokens[index]
    word = token.text.lower()
    if index > 0 and tokens[index - 1].text.lower() in INVERTING:
        return None
    if token.text == "I" or (word == "you" and token.dep in ("", "nsubj")):
        return "one"
    return "many" if word == "we" else None


COMMON_VERBS = frozenset(
    [
        "live",
        "work",
        "love",
        "like",
        "have",
        "want",
        "need",
        "hate",
        "enjoy",
        "think",
        "know",
        "feel",
        "go",
        "do",
        "play",
        "make",
        "take",
        "prefer",
        "plan",
        "hope",
        "miss",
        "teach",
        "study",
        "run",
        "paint",
        "write",
        "read",
        "own",
        "volunteer",
    ]
)
MODALS = frozenset(["can", "could", "will", "would", "shall", "should", "may", "might", "must"])


def _third_person(token: Token) -> str | None:
    """``live`` -> ``lives`` after "I" becomes a name (``None``: leave the verb as it is)."""
    word = token.text
    lower = word.lower()
    is_base = token.pos in ("VERB", "AUX") and token.lemma == lower
    if lower in MODALS or not (is_base or (not token.dep and lower in COMMON_VERBS)):
        return None
    if token.tag in ("VBD", "VBN"):  # "I split up", "Jake and I went" (lemma taken as "went")
        return None
    if lower in ("have", "do"):
        return {"have": "has", "do": "does"}[lower]
    if lower.endswith(("s", "sh", "ch", "x", "o")):
        return word + "es"
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


_PREPOSITION = re.compile(r"(?:in|on|during) ")
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|on|during|at) $", re.IGNORECASE)
_PREPOSITION_BEFORE_RANGE = re.compile(r"\b(?:in|on|during|at|over|around) $", re.IGNORECASE)
_OTHER_PREPOSITION_BEFORE = re.compile(
    r"\b(?:by|before|after|until|till|from|around|through|to|of|for|since|between) $",
    re.IGNORECASE,
)


def _time_text(span: TimeSpan, *, absolute: bool) -> str:
    if not absolute:
        return f"{span.expression} ({span.label()})"
    label = span.label()
    if label.startswith(("since", "the ", "from ")):  # "since 2019", "the week of ...", "from ..."
        return label
    preposition = {"day": "on", "week": "during"}.get(span.precision, "in")
    return f"{preposition} {label}"
