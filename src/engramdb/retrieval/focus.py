"""What a query is about: the known entities it names, and the time it asks about."""

from __future__ import annotations

import re
from collections.abc import Sequence

from engramdb.model.graph import Entity, entity_key
from engramdb.model.memory import Scope, role_name

__all__ = [
    "entities_in_query",
    "kinds_asked_for",
    "parties_in_query",
    "predicates_asked_for",
    "without_names",
]

MIN_NAME = 3


def entities_in_query(query: str, entities: Sequence[Entity]) -> list[Entity]:
    """The entities whose name, alias or (for people) first name the query contains.

    Matching is on whole words of the normalised query, so "Mel" does not match
    "Melbourne" and "Ann" does not match "Anne".
    """
    plain = re.sub(r"['’]s\b", "", query)
    words = " " + " ".join(re.findall(r"[\w-]+", entity_key(plain))) + " "
    found = []
    for entity in entities:
        names = {entity.key, *(entity_key(a) for a in entity.aliases)}
        if entity.kind == "person" and entity.key:
            names.add(entity.key.split()[0])
        if not any(len(n) >= MIN_NAME and f" {n} " in words for n in names if n):
            continue
        # a name that is also a common word ("Art", "Hope") counts only as written
        if entity.kind == "other" and entity.name not in query:
            continue
        found.append(entity)
    return found


_ASKER = re.compile(r"\b(?:i|me|my|mine|myself|i'm|i've|i'd|i'll)\b", re.IGNORECASE)
_ASKED = re.compile(r"\b(?:you|your|yours|yourself|you've|you'd|you're)\b", re.IGNORECASE)
#: "you" in a request ("Can you suggest...", "Do you have any tips?") asks the assistant
#: now; it does not ask about what the assistant said before
_REQUEST = re.compile(r"\b(?:can|could|would|will) you\b|\bdo you (?:have|know)\b", re.IGNORECASE)


def parties_in_query(query: str, scope: Scope, entities: Sequence[Entity]) -> list[Entity]:
    """The user and the assistant, when a question speaks of them as "I" and "you".

    A user asking "How much have I spent on my bike?" is asking about what they
    said; "What did you suggest?" about what the assistant said. Each stands for
    the speaker entity of its role (see :func:`role_name`), when the scope has one.
    """
    wanted = {
        entity_key(name)
        for regex, role in ((_ASKER, "user"), (_ASKED, "assistant"))
        if regex.search(_REQUEST.sub(" ", query)) and (name := role_name(role, scope))
    }
    return [e for e in entities if e.kind == "person" and e.key in wanted]


#: nouns in a question that ask for entities of a kind ("which cities...", "what books...")
KIND_WORDS = {
    "place": "city cities country countries place places town towns state states location "
    "locations",
    "work": "book books novel novels movie movies film films song songs album albums show shows "
    "series",
    "pet": "pet pets dog dogs cat cats",
    "organization": "company companies organization organizations organisation organisations "
    "employer",
    "event": "event events festival festivals conference conferences",
}
_KIND_OF = {word: kind for kind, words in KIND_WORDS.items() for word in words.split()}


def kinds_asked_for(query: str) -> set[str]:
    """The entity kinds a question asks for, from its nouns ("Which cities..." -> place)."""
    return {_KIND_OF[w] for w in re.findall(r"[a-z]+", query.lower()) if w in _KIND_OF}


_AUX = r"(?:does|did|do|is|was|were|am|are|has|have|had)"
#: phrases in a question that ask for a single-valued attribute of a person
PREDICATE_PHRASES = (
    (rf"\bwhere {_AUX} \w+(?: \w+)? (?:live|living|stay|staying|based|from)\b"
     r"|\b(?:home|hometown|address)\b|\blives?\b", ("lives_in",)),
    (rf"\bwhere {_AUX} \w+(?: \w+)? (?:work|working|employed)\b"
     r"|\bjobs?\b|\bemployer\b|\boccupation\b|\bprofession\b|\bfor (?:a )?living\b"
     r"|\bwork(?:s|ed|ing)? (?:at|for|as)\b", ("works_at", "job")),
    (r"\bhow old\b|\bage\b|\byears old\b|\bhow many years (?:older|younger)\b"
     rf"|\bhow many years (?:will|would|{_AUX}) \w+(?: \w+)? be\b", ("age",)),
    (r"\b(?:dating|boyfriend|girlfriend|partner|husband|wife|fianc[eé]e?|spouse|married"
     r"|engaged|seeing anyone|in a relationship)\b", ("partner",)),
)  # fmt: skip
_PREDICATES = [(re.compile(pattern, re.IGNORECASE), names) for pattern, names in PREDICATE_PHRASES]
_FAVOURITE = re.compile(r"\bfavou?rite (\w+)", re.IGNORECASE)


def predicates_asked_for(query: str) -> set[str]:
    """The single-valued predicates a question asks about ("Where does Ana work?" -> job...)."""
    found = {name for regex, names in _PREDICATES if regex.search(query) for name in names}
    found.update(f"favourite_{m.group(1).lower()}" for m in _FAVOURITE.finditer(query))
    return found


def without_names(query: str, named: Sequence[Entity]) -> str:
    """The query with the people it names replaced by "someone".

    "What did Melanie paint?" embeds as "What did someone paint?": every memory
    about Melanie says "Melanie", so her name adds nothing to the comparison
    between them, and the entity focus already favours them.
    """
    for entity in named:
        if entity.kind != "person":  # "When did Ana go to Rome?": Rome is what is asked
            continue
        names = {entity.name, entity.name.split()[0]}
        for name in sorted(names, key=len, reverse=True):
            query = re.sub(rf"\b{re.escape(name)}\b", "someone", query)
    return re.sub(r"\s+", " ", query).strip()
