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
from functools import lru_cache

from engramdb.pipeline.understand.facts import (
    _FAMILY,
    _PETS,
    HOMES,
    PARTNER_WORDS,
    RELATIVES,
    FactDraft,
    _kinship,
)
from engramdb.pipeline.understand.favourites import favourite_of, find_favourite
from engramdb.pipeline.understand.phrases import (
    JOBS,
    NAME_WORD,
    OBJ,
    ORG,
    clean,
    hypothetical,
    owned_at,
    words_before,
)

__all__ = ["also_stated", "owned_in_passing"]


#: single-valued facts stated in passing, beside a clause's main one: "moved to Boston
#: for a new job at Acme" also says where the job is, so superseding the home
#: must not lose it; each gets a statement of its own
ALSO = (
    (
        "works_at",
        re.compile(rf"\b(?:new |first )?(?:job|position|role|internship) (?:at|with) {OBJ}"),
    ),
    ("works_at", re.compile(rf"\bworks? (?:at|for) {OBJ}")),
    (
        "works_at",
        re.compile(
            rf"\b(?:(?:first|second|third|fourth) (?:day|week|month|year)|onboarding)"
            rf" (?:at|with) {ORG}"
        ),
    ),
    ("works_at", re.compile(rf"\b(?:manager|boss|supervisor|co-?workers?|colleagues?) at {ORG}")),
    (
        "works_at",
        re.compile(
            rf"\b(?:took|taking|accepted|accepting|signed|signing) (?:the |an |their )?(?:job )?"
            rf"offer(?: letter)? from {ORG}"
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
            rf"\b(?:works?|working|job|employed|hired|started) (?:[\w'’]+ ){{0,4}}?as an? {JOBS}"
        ),
    ),
    (
        "lives_in",
        re.compile(rf"\b(?:moved|relocated|relocating|moving)(?: back| out| over)? to {OBJ}"),
    ),
    ("lives_in", re.compile(rf"\b(?:the|our|\w+(?:'s|’s)) (?:big |recent )?move to {ORG}")),
)
#: "I retrained and I'm a nurse now": the subject's job in a later clause
_IS_A = r" (?:is|has become|became) (?:now |also )?an? "
#: "As a graphic designer, I ...": the subject's job before it
_AS_A = r"^As an? {jobs},? {subject}\b"
#: "I'm a software engineer over at Dropbox": the employer after the job
_JOB_AT = (
    r"\b{subject} (?:is|has been|works as) (?:now |also )?an? {jobs} (?:over )?(?:at|for|with) "
)
_OWN_PET = (
    r"(?:'s|’s) (?:new )?(?P<kind>{pets})(?:,? (?:named |called )?|(?:'s|’s) name is )"
    r"(?P<o>(?-i:[A-Z])\w+)"
)
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
        if name == predicate or name in found or match is None or hypothetical(statement, match):
            continue
        if _someone_elses(statement, match, subject) or _given_up(statement, match):
            continue
        found[name] = _stated(name, subject, match)
    found.update(_own_job_and_employer(statement, subject, predicate, found))
    return list(found.values())


def _own_job_and_employer(
    statement: str, subject: str, predicate: str, found: dict[str, FactDraft]
) -> dict[str, FactDraft]:
    """The subject's job and employer named around another fact ("As a nurse, I ...")."""
    is_a, as_a, job_at = _job_forms(subject)
    drafts: dict[str, FactDraft] = {}
    job = is_a.search(statement) or as_a.search(statement)
    for name, match in (("job", job), ("works_at", job_at.search(statement))):
        if match is None or name in found or name == predicate:
            continue
        if not hypothetical(statement, match):
            drafts[name] = _stated(name, subject, match)
    return drafts


@lru_cache(maxsize=1024)
def _job_forms(subject: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The subject's job after "is a", before "As a", and with its employer (compiled once)."""
    me, jobs = re.escape(subject), JOBS.replace("?P<o>", "?:")
    return (
        re.compile(r"\b" + me + _IS_A + JOBS, re.IGNORECASE),
        re.compile(_AS_A.format(jobs=JOBS, subject=me), re.IGNORECASE),
        re.compile(_JOB_AT.format(subject=me, jobs=jobs) + ORG, re.IGNORECASE),
    )


def _stated(predicate: str, subject: str, match: re.Match[str]) -> FactDraft:
    """The fact of ``predicate`` whose value ``match`` found, in a statement of its own."""
    value = clean(match.group("o"))
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
    lowered = statement.lower()
    for owner in dict.fromkeys(people):
        if owner.lower() not in lowered:  # each form below names the owner
            continue
        favourite = find_favourite(statement, owner)
        if favourite:
            predicate, value = favourite_of(favourite)
            thing = predicate.removeprefix("favourite_").replace("_", " ")
            text = _capital(f"{owner}'s favourite {thing} is {value}")
            drafts.append(FactDraft(text, owner, predicate, value))
        parted = _couple(statement, owner, _PARTED)
        drafts += _partners(statement, owner, parted)
        employer = _named_employer(statement, owner)
        if employer:
            text = _capital(f"{owner} works at {employer}")
            drafts.append(FactDraft(text, owner, "works_at", employer))
        pet = re.search(re.escape(owner) + _OWN_PET.format(pets=_PETS), statement, re.I)
        if pet:  # "the user's dog Max", "the user's dog's name is Biscuit"
            text = STATEMENTS["has_pet"].format(s=owner, kind=pet.group("kind"), o=pet.group("o"))
            drafts.append(FactDraft(_capital(text), owner, "has_pet", pet.group("o")))
        home = _home_here(statement, owner)
        if home:
            drafts.append(FactDraft(_capital(f"{owner} lives in {home}"), owner, "lives_in", home))
        drafts += _relatives(statement, owner, parted)
    return drafts


def _partners(statement: str, owner: str, parted: str | None) -> list[FactDraft]:
    """The partner a couple's doings name, or the one ``owner`` parted from (``parted``)."""
    drafts = []
    if parted:  # "my girlfriend Mia and I split up": no longer the partner it names
        drafts.append(
            FactDraft(_capital(f"{owner} split from {parted}"), owner, "split_from", parted)
        )
    couple = _couple(statement, owner, _AS_A_COUPLE)
    couple = couple or _introduced_partner(statement, owner, _INTRODUCED)
    couple = couple or _introduced_partner(statement, owner, _ASKED)
    if couple:
        drafts.append(
            FactDraft(_capital(f"{owner}'s partner is {couple}"), owner, "partner", couple)
        )
    return drafts


def _relatives(statement: str, owner: str, parted: str | None) -> list[FactDraft]:
    """``owner``'s relatives named beside the word for them: "Omar, my boyfriend"."""
    drafts = []
    first = re.search(_NAMED_FIRST.format(me=re.escape(owner)), statement)
    if first:
        relation = _kinship(first.group("rel"))
        text = f"{_capital(owner)}'s {first.group('rel').lower()} is {first.group('o')}"
        drafts.append(FactDraft(text, owner, relation, first.group("o")))
    for at in owned_at(statement, owner):
        family = _FAMILY.match(statement, at)
        if family is None:
            continue
        relation = _kinship(family.group("rel"))
        if relation == "partner" and family.group("o") == parted:
            continue  # "my girlfriend Mia and I split up"
        text = _capital(f"{owner}'s {family.group('rel').lower()} is {family.group('o')}")
        drafts.append(FactDraft(text, owner, relation, family.group("o")))
    return drafts


#: what only a couple does together: "Alex and I celebrated our anniversary"
_AS_A_COUPLE = (
    r"(?:\w+ ){0,2}?(?:celebrated|are celebrating|celebrate) (?:our|their|{owner}(?:'s|’s)) "
    r"(?:[\w-]+ )?anniversary|(?:\w+ ){0,2}?(?:got|are getting|are|just got) (?:married|engaged)"
    r"|(?:\w+ ){0,2}?moved in together"
    r"|(?:\w+ ){0,2}?(?:have|has|'ve|’ve) been (?:together|dating)(?= for| since|[.,!]|$)"
    r"|(?:\w+ ){0,2}?(?:are|is|started|began) dating"
    r"|(?:\w+ ){0,2}?(?:celebrated|are celebrating|is celebrating) (?:\w+ ){1,2}"
    r"(?:years|months) together"
)
#: what a couple does when it parts: "Mia and I split up", "Tom and I broke up last week"
_PARTED = r"(?:\w+ ){0,2}?(?:split up|broke up|separated|divorced|called it quits|got divorced)"
#: "I asked Maya to be my girlfriend", "I finally asked Tom out"
_ASKED = (
    r"\b{me} (?:\w+ )?asked (?P<o>{name}) (?:out\b|to be {me}(?:'s|’s) "
    rf"(?:{PARTNER_WORDS})\b)"
)
#: "Omar, my boyfriend, made breakfast": the relative named before the word for them
_NAMED_FIRST = rf"(?P<o>{NAME_WORD}), {{me}}(?:'s|’s) (?P<rel>{RELATIVES})(?=,)"


def _couple(statement: str, owner: str, does: str) -> str | None:
    """The other one in "Alex and I celebrated our anniversary" (``owner`` is "I").

    ``does`` is what the two do together: :data:`_AS_A_COUPLE` or :data:`_PARTED`.
    """
    me = re.escape(owner)
    pair = rf"(?:(?P<a>{NAME_WORD}) and {me}|{me} and (?P<b>{NAME_WORD}))"
    couple = does.replace("{owner}", me)
    found = re.search(rf"\b{pair} (?:{couple})", statement, re.IGNORECASE)
    if found is None or hypothetical(statement, found):
        return None
    return found.group("a") or found.group("b")


#: someone one dates, named in the next clause: "seeing someone new, her name is Sam"
_INTRODUCED = (
    r"\b{me} (?:(?:has|have|had|been|just|recently|finally) ){{0,3}}"
    r"(?:started |began |am |is |'m |’m )?"
    r"(?:seeing|dating) (?:someone|somebody|(?:a|this) (?:guy|girl|man|woman|boy|lady))"
    r"[^,.;]{{0,30}}?(?:,? (?:and )?(?:his|her|their|\w+(?:'s|’s)) name(?:'s|’s| is)"
    r"| named| called) (?P<o>{name})"
)
#: a home named by what one has there: "our landlord in Chicago", "our Phoenix apartment"
_AT_HOME = rf"(?:new |current )?(?:{HOMES}|landlord|neighbou?rs|neighbou?rhood) in {ORG}"
_HOME_OF = rf"(?:new |current )?{ORG} {HOMES}\b"
#: a home named as the place it has been since one moved "here"
_HERE = (
    r"(?:^|, |\. ){place} (?:has been|is|'s been|’s been|was) [^,.;]{{1,40}}?\bsince "
    r"{me}(?: and others)? (?:moved|relocated) here"
)


def _introduced_partner(statement: str, owner: str, pattern: str) -> str | None:
    """The partner in "I've started seeing someone new, her name is Sam" (``pattern``)."""
    regex = pattern.format(me=re.escape(owner), name=NAME_WORD)
    found = re.search(regex, statement, re.IGNORECASE)
    if found is None or hypothetical(statement, found):
        return None
    return found.group("o")


def _named_employer(statement: str, owner: str) -> str | None:
    """The employer in "my new employer, Netflix, has a great leave policy"."""
    regex = rf"\b{re.escape(owner)}(?:'s|’s) (?:new |current )?(?:employer|company),? (?:is )?{ORG}"
    found = re.search(regex, statement, re.IGNORECASE)
    return None if found is None or hypothetical(statement, found) else clean(found.group("o"))


def _home_here(statement: str, owner: str) -> str | None:
    """The home in "Seattle has been great since we moved here", "our landlord in Chicago"."""
    me = re.escape(owner)
    found = re.search(_HERE.format(me=me, place=ORG), statement)
    for owned in (_AT_HOME, _HOME_OF):
        found = found or re.search(rf"\b{me}(?:'s|’s) {owned}", statement, re.IGNORECASE)
    if found is None or hypothetical(statement, found):
        return None
    return clean(found.group("o"))


def _someone_elses(statement: str, match: re.Match[str], subject: str) -> bool:
    """Whether the match is another's.

    "Maria's work at the shelter" is not John's job; in "the user's sister moved to
    Austin" the move is the sister's: the subject was last named as the owner of
    something other than what matched.
    """
    before = statement[: match.start()].rstrip().lower()
    owner = before.split()[-1] if before else ""
    possessive = owner.endswith(("'s", "’s")) or owner in {"your", "his", "her", "their"}
    if possessive and not before.endswith((f"{subject.lower()}'s", f"{subject.lower()}’s")):
        return True
    if _another_doer(statement[: match.start()], subject):
        return True
    named = list(re.finditer(rf"\b{re.escape(subject.lower())}\b(?:'s|’s)?", before))
    if not named:
        return False
    last = named[-1]
    return len(last.group(0)) > len(subject) and last.end() < len(before)


def _another_doer(before: str, subject: str) -> bool:
    """Whether the verb matched has a subject of its own: "... and Lucy moved to Rome".

    The word before the verb (past an adverb: "she finally moved") is another name or a
    third-person pronoun, and not one of several doers with ``subject`` ("Tom and I").
    """
    words = re.findall(r"[\w’'-]+", before)
    while words and words[-1].lower() in _ADVERBS:
        words.pop()
    if not words or words[-1].lower() == subject.lower():
        return False
    doer = words[-1]
    if doer.lower() not in _THIRD_PERSON and not (doer[:1].isupper() and len(words) > 1):
        return False
    joint = re.search(rf"\b{re.escape(subject)}(?:,| and) [\w’'-]+\W*$", before, re.I)
    return joint is None


_ADVERBS = frozenset({"just", "finally", "recently", "also", "then", "now", "eventually"})
_THIRD_PERSON = frozenset({"he", "she", "they"})

#: what one no longer has: "quit my job at Acme", "my old flat in Leeds"
_GIVEN_UP = frozenset({"quit", "left", "leaving", "lost", "former", "old", "previous", "ex"})


def _given_up(statement: str, match: re.Match[str]) -> bool:
    """Whether the few words before ``match`` say the value is no longer held."""
    return not _GIVEN_UP.isdisjoint(words_before(statement, match, 3))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
