"""An assistant's courtesies: what it says of its own willingness, feelings and limits.

"I'd be happy to help", "I'm glad you enjoyed it", "I apologize for the confusion", "As an
AI, I don't have access to ...": an assistant says such things in most answers, and they
tell nothing about the user or the world. Drawn as facts ("The assistant is glad the user
...") they were about a sixth of the facts of LongMemEval's chats and crowded the user's
own facts out of searches. They are not drawn; the turn keeps them verbatim. What the
assistant did or recommended ("I booked the flight", "I recommend the Louvre") stays a fact.
"""

from __future__ import annotations

import re

from engramdb.pipeline.understand.facts import FactDraft

__all__ = ["is_courtesy"]

_DEGREE = r"(?:(?:so|very|really|truly|more than|always|just|absolutely|extremely|super|also)\s+)*"
_FEELING = (
    r"glad|happy|thrilled|excited|delighted|pleased|sorry|sure|here|honou?red|grateful"
    r"|thankful|unable|not able|an? (?:AI|artificial intelligence|large language model"
    r"|language model|virtual assistant|assistant|computer program)"
)
_OFFER = r"help|provide|suggest|offer|give|recommend|assist|tell|walk|guide"
_LIMIT = (
    r"have|access|browse|know|predict|recall|remember|retain|see|hold|experience|possess"
    r"|store|feel|provide|give|make|offer|guarantee|replace"
)
_COURTESY = re.compile(
    rf"(?:is|was|would be|will be|feels?)\s+{_DEGREE}(?:{_FEELING})\b"
    rf"|{_DEGREE}(?:(?:completely|totally|fully)\s+)?"
    r"(?:apologi[sz]es|hopes|understands|agrees|appreciates|thanks|exists solely)\b"
    rf"|(?:can|could|will|would)\s+{_DEGREE}(?:(?:certainly|definitely|gladly|happily)\s+)?"
    rf"(?:{_OFFER})\b"
    rf"|has got\b|(?:is not|isn't|does not|doesn't|cannot|can't|do not|don't)"
    rf"\s+(?:able to\s+)?(?:{_LIMIT})\b",
    re.IGNORECASE,
)
#: "However, ...", "Sure, ...", "Don't worry, ...": a short opener before the subject
_OPENER = re.compile(r"(?:[^,.!?]{1,40}[,!]\s+)?")
#: "As an AI language model, I cannot ...": whatever follows is about the assistant's limits
_AS_AN_AI = re.compile(
    r"As an? (?:\w+ ){0,2}(?:AI|artificial intelligence|language model|assistant)\b",
    re.IGNORECASE,
)


def is_courtesy(draft: FactDraft, speaker: str) -> bool:
    """Whether ``draft``, drawn from a turn of the assistant ``speaker``, is a courtesy."""
    if draft.subject != speaker:
        return False
    if _AS_AN_AI.match(draft.text):
        return True
    rest = _after_subject(draft.text, speaker)
    return rest is not None and _COURTESY.match(rest) is not None


def _after_subject(text: str, speaker: str) -> str | None:
    """What follows ``speaker`` opening ``text`` (after a short opener, if any)."""
    opener = _OPENER.match(text)
    for start in (0, opener.end() if opener else 0):
        if text[start : start + len(speaker)].lower() == speaker.lower():
            return text[start + len(speaker) :].lstrip()
    return None
