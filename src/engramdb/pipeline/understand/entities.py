"""Entity mentions: people, places, organisations, pets, events and works in a sentence.

Named-entity labels from the parser are the main source; rules add what NER
misses in chat ("my dog Max", "my sister Anna", titles in quotes) and give the
aliases that link them ("Melanie's sister" -> Anna).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engramdb.model.graph import entity_key
from engramdb.ports.nlp import Sentence

__all__ = ["Mention", "entity_key", "sentence_mentions"]

NER_KINDS = {
    "PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place",
    "ORG": "organization", "EVENT": "event", "WORK_OF_ART": "work", "PRODUCT": "product",
}  # fmt: skip
PETS = (
    "dog|cat|puppy|pup|kitten|kitty|pet|bird|parrot|hamster|rabbit|bunny|fish|turtle|horse|"
    "snake|guinea pig"
)
FAMILY = (
    "sister|brother|mom|mother|mum|dad|father|son|daughter|wife|husband|grandma|grandmother|"
    "grandpa|grandfather|aunt|uncle|cousin|niece|nephew|partner|boyfriend|girlfriend|fiance|"
    "fiancee|fiancé|fiancée|friend|best friend|roommate|boss|coworker|colleague"
)
_NAME = r"(?P<name>[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?)"
_PET_RE = re.compile(
    rf"\b(?P<owner>(?i:my|our|his|her|their)) (?P<rel>{PETS}),? (?:named |called )?{_NAME}"
)
_PET_NAMED_RE = re.compile(rf"\b(?:a|an) (?P<rel>{PETS}) (?:named|called) {_NAME}")
_FAMILY_RE = re.compile(rf"\b(?P<owner>(?i:my|our|his|her|their)) (?P<rel>{FAMILY}),? {_NAME}")
_PLACE_BEFORE = re.compile(
    r"\b(?:mov(?:e|es|ed|ing)|relocat\w+|liv(?:e|es|ed|ing)|based|settled|fl(?:y|ew|ying)|"
    r"travel\w*|trip|visit\w*|back|grew up|born)(?: back| over| out)? (?:to|in|into|from|near) $",
    re.IGNORECASE,
)
_TITLE_RE = re.compile(r"[\"“](?P<name>[A-Z][^\"”]{1,60}?)[\"”]")


@dataclass(frozen=True, slots=True)
class Mention:
    """An entity mentioned in a turn.

    Attributes:
        name: the name as written (or the speaker's name).
        kind: person, place, organization, pet, event, work, product or other.
        role: how the turn refers to it: ``speaker``, ``addressee``, ``named`` or ``pronoun``.
        alias: a descriptive alias found with it, e.g. ``"Melanie's sister"``.
    """

    name: str
    kind: str
    role: str
    alias: str | None = None

    @property
    def key(self) -> str:
        """The normalised name used to link mentions across sessions."""
        return entity_key(self.name)


def sentence_mentions(
    text: str, sentence: Sentence, owners: dict[str, str | None], known_people: set[str]
) -> list[Mention]:
    """Entities named in one sentence.

    Args:
        text: the whole turn.
        sentence: the sentence to scan.
        owners: who "my", "our", "his"... refer to in this turn (``None``: unknown).
        known_people: names already known to be people (speakers, earlier mentions);
            without NER, a capitalised word matching one of them is a person.
    """
    found: dict[str, Mention] = {}
    words = text[sentence.start : sentence.end]
    for regex, rule_kind in ((_PET_RE, "pet"), (_PET_NAMED_RE, "pet"), (_FAMILY_RE, "person")):
        for match in regex.finditer(words):
            owner = owners.get((match.groupdict().get("owner") or "").lower())
            alias = f"{owner}'s {match.group('rel')}" if owner else None
            found[entity_key(match.group("name"))] = Mention(
                match.group("name"), rule_kind, "named", alias
            )
    for match in _TITLE_RE.finditer(words):
        found.setdefault(
            entity_key(match.group("name")), Mention(match.group("name"), "work", "named")
        )
    for name, label, start in _spans(text, sentence):
        kind: str | None = NER_KINDS.get(label) or (
            "person" if entity_key(name) in known_people else None
        )
        if kind == "person" and _PLACE_BEFORE.search(text[max(0, start - 40) : start]):
            kind = "place"  # "moved to Porto": the parser's PERSON is a town
        if kind is None and label == "PROPN":
            kind = "other"
        key = entity_key(name)
        if kind is not None and not any(key in other for other in found):
            found[key] = Mention(name, kind, "named")
    return [m for key, m in found.items() if key]


def _spans(text: str, sentence: Sentence) -> list[tuple[str, str, int]]:
    """Named-entity spans (name, label, start), or runs of proper nouns without NER."""
    spans: list[tuple[str, str, int]] = []
    start: int | None = None
    end = 0
    label = ""
    for token in sentence.tokens:
        tag = token.ent or ("PROPN" if token.pos == "PROPN" and not token.ent else "")
        continues = start is not None and tag == label and not token.ent_start and tag
        if continues:
            end = token.end
            continue
        if start is not None:
            spans.append((text[start:end], label, start))
            start = None
        if tag and tag in {*NER_KINDS, "PROPN"}:
            start, end, label = token.start, token.end, tag
    if start is not None:
        spans.append((text[start:end], label, start))
    return [(name.strip(" .,!?;:"), lab, at) for name, lab, at in spans]
