"""Facts stated in passing, beside a clause's own fact.

A job beside a move, or whose relative or favourite a sentence about something
else names: "I moved to Boston for my new job at Acme" is about the move and says
where the job is; "My sister Lucy and I went to a concert" is about the concert and
says who Lucy is. Each becomes a fact of its own, so that superseding the clause's
fact does not lose it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engramdb.pipeline.understand.facts import (
    _FAMILY,
    _OBJ,
    _PETS,
    JOBS,
    NAME_WORD,
    ORG,
    FactDraft,
    _clean,
    _favourite,
    _favourite_of,
    _hypothetical,
    _kinship,
    _owned_at,
    words_before,
)

__all__ = ["also_stated", "owned_in_passing"]


#: single-valued facts stated in passing, beside a clause's main one: "moved to Boston
#: for a new job at Acme" also says where the job is, so superseding the home
#: must not lose it; each gets a statement of its own
ALSO = (
    (
        "works_at",
        re.compile(rf"\b(?:new |first )?(?:job|position|role|internship) (?:at|with) {_OBJ}"),
    ),
    ("works_at", re.compile(rf"\bworks? (?:at|for) {_OBJ}")),
    ("works_at", re.compile(rf"\bfirst (?:day|week|month|year) (?:at|with) {ORG}")),
    ("works_at", re.compile(rf"\b(?:manager|boss|supervisor|co-?workers?|colleagues?) at {ORG}")),
    (
        "works_at",
        re.compile(
            rf"\b(?:took|taking|accepted|accepting) (?:the |an |their )?(?:job )?offer from {ORG}"
        ),
    ),
    (  # "is leaving Acme for an offer from Stripe"
        "works_at",
        re.compile(
            rf"\b(?:leaving|left|leave|quit|quitting) (?:[\w'’]+ ){{1,4}}?for"
            rf" (?:an |the |their |a better )?(?:job )?offer (?:from|at) {ORG}"
        ),
    ),
    (
        "job",
        re.compile(
            rf"\b(?:works?|working|job|employed|hired|started) (?:\w+ ){{0,4}}?as an? {JOBS}"
        ),
    ),
    ("lives_in", re.compile(rf"\b(?:moved|relocated|moving)(?: back)? to {_OBJ}")),
    ("lives_in", re.compile(rf"\b(?:the|our|\w+(?:'s|’s)) (?:big |recent )?move to {ORG}")),
)
#: "I retrained and I'm a nurse now": the subject's job in a later clause
_IS_A = r" (?:is|has become|became) (?:now |also )?an? "
_OWN_PET = r"(?:'s|’s) (?:new )?(?P<kind>{pets}),? (?:named |called )?(?P<o>[A-Z]\w+)"
STATEMENTS = {
    "works_at": "{s} works at {o}",
    "job": "{s} works as {a} {o}",
    "lives_in": "{s} lives in {o}",
    "has_pet": "{s} has a {kind} named {o}",
}


def also_stated(statement: str, subject: str, predicate: str) -> list[FactDraft]:
    """The other single-valued facts a statement gives in passing, one statement each."""
    found: dict[str, FactDraft] = {}
    for name, regex in ALSO:
        match = regex.search(statement)
        if name == predicate or name in found or match is None or _hypothetical(statement, match):
            continue
        if _someone_elses(statement, match, subject) or _given_up(statement, match):
            continue
        found[name] = _stated(name, subject, match)
    job = re.search(r"\b" + re.escape(subject) + _IS_A + JOBS, statement, re.IGNORECASE)
    if job and "job" not in found and predicate != "job" and not _hypothetical(statement, job):
        found["job"] = _stated("job", subject, job)
    pet = re.search(re.escape(subject) + _OWN_PET.format(pets=_PETS), statement, re.IGNORECASE)
    if pet and predicate != "has_pet":
        text = _capital(
            STATEMENTS["has_pet"].format(s=subject, kind=pet.group("kind"), o=pet.group("o"))
        )
        found["has_pet"] = FactDraft(text, subject, "has_pet", pet.group("o"))
    return list(found.values())


def _stated(predicate: str, subject: str, match: re.Match[str]) -> FactDraft:
    """The fact of ``predicate`` whose value ``match`` found, in a statement of its own."""
    value = _clean(match.group("o"))
    text = _capital(STATEMENTS[predicate].format(s=subject, o=value, a=_article(value)))
    return FactDraft(text, subject, predicate, value)


def owned_in_passing(statement: str, people: Sequence[str]) -> list[FactDraft]:
    """Relatives and favourites of people the sentence is not about.

    "the user's boyfriend Jake and I went ..." and "Dune is the user's favourite book"
    are about Jake and Dune; each ``X's sister Lucy`` or ``X's favourite book``, with
    ``X`` among ``people`` (the speaker, the addressee, the people named), is a fact of
    its own about ``X``.
    """
    drafts = []
    for owner in dict.fromkeys(people):
        favourite = _favourite(statement, owner)
        if favourite:
            predicate, value = _favourite_of(favourite)
            thing = predicate.removeprefix("favourite_").replace("_", " ")
            text = _capital(f"{owner}'s favourite {thing} is {value}")
            drafts.append(FactDraft(text, owner, predicate, value))
        couple = _couple(statement, owner) or _introduced_partner(statement, owner)
        if couple:
            text = _capital(f"{owner}'s partner is {couple}")
            drafts.append(FactDraft(text, owner, "partner", couple))
        home = _home_here(statement, owner)
        if home:
            drafts.append(FactDraft(_capital(f"{owner} lives in {home}"), owner, "lives_in", home))
        for at in _owned_at(statement, owner):
            family = _FAMILY.match(statement, at)
            if family is None:
                continue
            text = _capital(f"{owner}'s {family.group('rel').lower()} is {family.group('o')}")
            drafts.append(FactDraft(text, owner, _kinship(family.group("rel")), family.group("o")))
    return drafts


#: what only a couple does together: "Alex and I celebrated our anniversary"
_AS_A_COUPLE = (
    r"(?:\w+ ){0,2}?(?:celebrated|are celebrating|celebrate) (?:our|their|{owner}(?:'s|’s)) "
    r"(?:[\w-]+ )?anniversary|(?:\w+ ){0,2}?(?:got|are getting|are|just got) (?:married|engaged)"
    r"|(?:\w+ ){0,2}?moved in together"
)


def _couple(statement: str, owner: str) -> str | None:
    """The partner in "Alex and I celebrated our anniversary" (``owner`` is "I")."""
    me = re.escape(owner)
    pair = rf"(?:(?P<a>{NAME_WORD}) and {me}|{me} and (?P<b>{NAME_WORD}))"
    couple = _AS_A_COUPLE.replace("{owner}", me)
    found = re.search(rf"\b{pair} (?:{couple})", statement, re.IGNORECASE)
    if found is None or _hypothetical(statement, found):
        return None
    return found.group("a") or found.group("b")


#: someone one dates, named in the next clause: "seeing someone new, her name is Sam"
_INTRODUCED = (
    r"\b{me} (?:(?:has|have|had|been|just|recently|finally) ){{0,3}}"
    r"(?:started |began |am |is |'m |’m )?"
    r"(?:seeing|dating) (?:someone|somebody|(?:a|this) (?:guy|girl|man|woman|boy|lady))"
    r"[^,.;]{{0,30}}?,? (?:and )?(?:his|her|their|\w+(?:'s|’s)) name(?:'s|’s| is) (?P<o>{name})"
)
#: a home named as the place it has been since one moved "here"
_HERE = (
    r"(?:^|, |\. ){place} (?:has been|is|'s been|’s been|was) [^,.;]{{1,40}}?\bsince "
    r"{me}(?: and others)? (?:moved|relocated) here"
)


def _introduced_partner(statement: str, owner: str) -> str | None:
    """The partner in "I've started seeing someone new, her name is Sam"."""
    regex = _INTRODUCED.format(me=re.escape(owner), name=NAME_WORD)
    found = re.search(regex, statement, re.IGNORECASE)
    if found is None or _hypothetical(statement, found):
        return None
    return found.group("o")


def _home_here(statement: str, owner: str) -> str | None:
    """The home in "Seattle has been great since we moved here"."""
    found = re.search(_HERE.format(me=re.escape(owner), place=ORG), statement)
    if found is None or _hypothetical(statement, found):
        return None
    return _clean(found.group("o"))


def _someone_elses(statement: str, match: re.Match[str], subject: str) -> bool:
    """Whether the match is another's noun: "Maria's work at the shelter" is not John's job."""
    before = statement[: match.start()].rstrip().lower()
    owner = before.split()[-1] if before else ""
    possessive = owner.endswith(("'s", "’s")) or owner in {"your", "his", "her", "their"}
    return possessive and not before.endswith((f"{subject.lower()}'s", f"{subject.lower()}’s"))


#: what one no longer has: "quit my job at Acme", "my old flat in Leeds"
_GIVEN_UP = frozenset({"quit", "left", "leaving", "lost", "former", "old", "previous", "ex"})


def _given_up(statement: str, match: re.Match[str]) -> bool:
    """Whether the few words before ``match`` say the value is no longer held."""
    return not _GIVEN_UP.isdisjoint(words_before(statement, match, 3))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
