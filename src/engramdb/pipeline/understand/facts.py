"""Atomic facts: self-contained third-person statements with a subject and a predicate.

A sentence about a person becomes a fact once its pronouns are resolved and its
dates made absolute. Recognised patterns give it a normalised predicate and
object (``lives_in``, ``works_at``, ``likes``...); others keep the main verb.
Predicates marked single-valued hold one value at a time, so a newer value
supersedes the older one (see :mod:`engramdb.pipeline.understand.truth`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engramdb.pipeline.understand.favourites import favourite_of, find_favourite
from engramdb.pipeline.understand.phrases import (
    JOBS,
    NAME_WORD,
    NOT_A_VALUE,
    OBJ,
    ORG,
    clean,
)

__all__ = [
    "RECOGNISED",
    "SINGLE_VALUED",
    "FactDraft",
    "classify",
    "is_recognised",
]

#: predicates that hold one value at a time; ``favourite_*`` are single-valued too
SINGLE_VALUED = frozenset({"lives_in", "works_at", "job", "partner", "age", "name"})
#: pairs of predicates that contradict each other on the same object
OPPOSITES = {
    "likes": "dislikes",
    "dislikes": "likes",
    "partner": "split_from",  # "broke up with Jake" ends "Jake is the user's partner"
    "split_from": "partner",  # and getting back together ends the break-up
    "works_at": "left_employer",  # "I quit my job at Acme" ends "works at Acme"
    "left_employer": "works_at",  # and going back ends the leaving
}
#: predicates that end a single-valued one: as asserted as the values they end
_ENDINGS = frozenset({"split_from", "left_employer"})
#: the words for one's partner: whichever is used, the partner is one person at a time
PARTNER_WORDS = r"boyfriend|girlfriend|partner|husband|wife|fianc[eé]e?|spouse|significant other"
_NAME = rf"(?P<o>{NAME_WORD}(?: {NAME_WORD})?)\b(?!'s|’s)"


@dataclass(frozen=True, slots=True)
class Pattern:
    """A predicate recognised by a regular expression after the subject."""

    predicate: str
    regex: re.Pattern[str]
    excluded_words: frozenset[str] = frozenset()  # objects with one of these words are not values


#: the words that may stand between the subject and the verb of a single-valued fact
#: (besides a second subject): they keep it asserted ("just moved to", "has finally
#: started at"); others ("is thinking of working at", "will keep working at", "wants to
#: move to") make it a wish or a plan
_ASSERTING = (
    r"(?:and \w+ )?"  # "Ana and Tom bought a house in", "Ana and others moved to"
    r"(?:(?:just|now|recently|finally|also|still|currently|officially|already|actually|"
    r"really|eventually|then|has|have|had|is|are|was|were|been|got|happily|proudly) ){0,3}?"
)


def _p(
    predicate: str, *verbs: str, obj: str = OBJ, excluded_words: frozenset[str] = frozenset()
) -> Pattern:
    """A pattern: up to three words (adverbs...), one of ``verbs``, then the object."""
    alternatives = "|".join(verbs)
    # a value held, or ended: "wants to quit Acme" and "might break up with Jake" are neither
    asserted = predicate in SINGLE_VALUED or predicate in _ENDINGS
    lead = _ASSERTING if asserted else r"(?:\w+ ){0,3}?"
    # a pattern whose verbs hold their object ends with them: "is 41." ends its clause
    then = f" {obj}" if obj else ""
    regex = re.compile(rf"^{lead}(?:{alternatives}){then}", re.IGNORECASE)
    return Pattern(predicate, regex, excluded_words)


#: what one joins that is not an employer: "joined a book club", "joined the gym near work"
_GROUPS = frozenset({
    "group", "groups", "club", "clubs", "gym", "class", "classes", "course", "team", "league",
    "choir", "band", "community", "program", "programme", "workshop", "committee", "brigade",
    "meetup", "circle", "society", "forum", "chat", "discord", "movement", "cause", "protest",
    "march", "fundraiser", "campaign", "challenge", "trip", "tour", "family", "us", "them",
    "church", "temple", "mosque", "synagogue", "congregation", "parish",
})  # fmt: skip


HOMES = (
    r"(?:house|home|flat|apartment|place|condo|studio|townhouse|loft|bungalow|cottage|"
    r"one-bedroom|two-bedroom|three-bedroom)"
)
_DEPARTMENT = (
    r"(?:design|engineering|marketing|sales|product|data|legal|finance|research|support|"
    r"operations|ops|development|dev|editorial|content|security|growth|HR|IT)"
)
_NOT_AN_AGE = r"(?!\s*(?:%|percent|minutes|hours|days|weeks|months|kids|times))"
_PETS = "dog|cat|puppy|kitten|pet|bird|parrot|hamster|rabbit|bunny|fish|turtle|horse|snake"

# checked in order; the first match wins (dislikes before likes: "doesn't like X")
PATTERNS = (
    _p("name", "(?:'s|’s) name is"),
    _p(
        "age", rf"(?:is|turned|just turned) (?P<o>\d{{1,3}})(?: years? old)?\b{_NOT_AN_AGE}", obj=""
    ),
    _p(
        "lives_in",
        # "moved into a place in Denver": the town, not the place (tried first)
        "(?:moved|moves|moving|has moved|is moving) (?:in)?to (?:a|an|the|our|his|her|their) "
        "(?:new )?(?:house|home|flat|apartment|place|condo|studio) in",
        # "relocated from Boston to Austin", "moved out to Sacramento", "settling into life in"
        "(?:lives?|living|moved|moves|relocated|relocating|is moving|has moved|moving|settled|"
        "settling|based)(?: back| out| over| down| away| up| north| south| east| west){0,2}"
        "(?: from (?-i:[A-Z])[\\w.-]*(?: (?-i:[A-Z])[\\w.-]*)?)? (?:in|to|into)(?: life in)?",
        "(?:is )?based out of",
        "(?:bought|rented|renting|rents?|found|got|owns?|closed on|signed a lease (?:on|for)|"
        "got the keys (?:to|for)) (?:a|an|the|our|his|her|their|(?:the )?\\w+(?:'s|’s)) "
        rf"(?:[\w-]+ ){{0,2}}?{HOMES} in",
        "(?:'s|’s) (?:new )?(?:house|home|flat|apartment|place|address) is in",
        "(?:'s|’s) home is(?: now)?(?: in)?",
    ),
    # "the user's new place in Oakland has a balcony": a town's name only
    _p("lives_in", rf"(?:'s|’s) (?:new |current )?{HOMES} in", obj=ORG),
    _p("lives_in", "(?:calls?|called|has called|have called)", obj=rf"{ORG} home\b"),
    _p(
        "lives_in",
        "(?:is|are|became)(?: now| officially)*(?: an?)?",
        obj=rf"{ORG} (?:residents?|locals?)\b",
    ),
    _p(
        "works_at",
        "(?:works?|working|(?:has|have) worked|got a job|started working|started a new job"
        "|is employed|was hired|got hired|is interning|started an internship|took a job"
        "|accepted a job|accepted an offer|accepted the offer|started a new position"
        "|started a new role)"
        "(?: now| remotely| full[- ]time| part[- ]time)? (?:at|for|from|by)",  # not "with":
        # "works with kids", "with bloggers"
        "(?:signed (?:on )?with|started at|has started at|is starting at|moved over to)",
        "(?:'s|’s) (?:new )?(?:job|position|role|employer|internship) is (?:at|with)",
        "(?:'s|’s) first (?:day|week|month) (?:at|with)",
    ),
    # "I start at Stripe on Monday": a name, not "I start at 9"
    _p("works_at", "(?:starts?|will start) (?:work |working |a new job )?at", obj=ORG),
    # "joined Canva's design team": a company's team, not a club's
    _p("works_at", "joined", obj=rf"{ORG}(?:'s|’s) {_DEPARTMENT} team\b"),
    _p("works_at", "(?:joined|is joining|will be joining|will join)", excluded_words=_GROUPS),
    _p(
        "job",
        "works? as",
        "working as",
        "started as an?",
        "(?:got|was|has been) promoted to",
        "(?:'s|’s) (?:new )?(?:job|role|position) is",
        "is an?",
        "became an?",
        "is now an?",
        "got a job as an?",
        "is training to be an?",
        obj=JOBS,
    ),
    _p(
        "partner",
        "(?:is |are |has been |have been |started |began )?dating",
        "(?:is|has been|is now) seeing",
        "(?:has |have )?(?:started|began) seeing",
        "(?:is|are|has been|started|began) going out with",
        "(?:is|are|has been|got) (?:back )?together with",
        "(?:is|are|has been|got) in a relationship with",
        "(?:got|is|are|became) engaged to",
        "(?:got married to|is married to|married|wed)",
        rf"(?:'s|’s) (?:new )?(?:{PARTNER_WORDS}) is",
        obj=_NAME,
    ),
    # "quit my job at Amazon", "resigned from Deloitte", "got laid off from Meta"
    _p(
        "left_employer",
        "(?:quit|resigned from|retired from|(?:was|got) (?:laid off|let go|fired) from)"
        "(?: (?:(?:the )?\\w+(?:'s|’s)|his|her|their) (?:job|position|role) (?:at|with))?",
        "(?:left|quit) (?:(?:the )?\\w+(?:'s|’s)|his|her|their) (?:job|position|role) (?:at|with)",
        obj=ORG,
    ),
    _p(
        "split_from",
        "(?:broke|split|is breaking|has broken) up with",
        "(?:divorced|dumped|got divorced from|separated from|is divorcing)",
        obj=_NAME,
    ),
    _p(
        "dislikes",
        "hates?",
        "dislikes?",
        "(?:does not|doesn['’]t|don['’]t|no longer|never) (?:like|enjoy|love)s?",
        "can['’]t stand",
        "is not (?:really |exactly |much of )?(?:a (?:big |huge |great )?)?fan of",
        "is not (?:really |that |too |very )?into",
        "stopped liking",
    ),
    _p(
        "likes",
        "loves?",
        "likes?",
        "enjoys?",
        "adores?",
        "is (?:really |so )?into",
        "is a (?:big |huge )?fan of",
        "is passionate about",
        "is obsessed with",
    ),
    _p(
        "goal",
        "wants? to",
        "plans? to",
        "hopes? to",
        "is hoping to",
        "is planning to",
        "(?:'s|’s) goal is to",
        "dreams? of",
        "is aiming to",
        "is saving up for",
    ),
)
#: predicates the patterns recognise (the others are a main verb, or "states")
RECOGNISED = frozenset({p.predicate for p in PATTERNS} | {"has_pet"})


def is_recognised(predicate: str) -> bool:
    """Whether a pattern, not the fallback verb, named ``predicate``."""
    return predicate in RECOGNISED or predicate.startswith(("favourite_", "family_"))


_HAS = re.compile(
    r"^(?:\w+ ){0,3}?(?:has|have|got|adopted|bought|rescued) (?:a |an |two |three )?(?:new )?"
    # a breed before the kind ("a tabby cat"), or after it ("a new puppy, a golden retriever")
    rf"(?:[\w-]+ ){{0,2}}?(?P<kind>{_PETS})s?"
    r"(?:, (?:an? )?[\w-]+(?: [\w-]+){0,2}?(?= named| called))?"
    r"(?: named| called)? (?P<o>(?-i:[A-Z])\w+)",
    re.IGNORECASE,
)
#: "'s sister Lucy", "'s boyfriend, Jake," after the subject's name ("the user" too)
RELATIVES = (
    r"sister|brother|mom|mother|dad|father|son|daughter|kids?|children|grandma|"
    rf"grandmother|grandpa|grandfather|aunt|uncle|cousin|{PARTNER_WORDS}"
)
_FAMILY = re.compile(  # unanchored: match() anchors it where the owner's name ends
    rf"(?:'s|’s) (?:new )?(?P<rel>{RELATIVES}),? (?:is |named |called )?(?P<o>[A-Z]\w+)"
)
_PARTNER = re.compile(rf"^(?:{PARTNER_WORDS})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FactDraft:
    """A fact before it is stored.

    Attributes:
        text: the self-contained statement.
        subject: the person it is about.
        predicate: normalised predicate (``lives_in``, ``likes``, or the main verb).
        object: the value, when the predicate has one.
    """

    text: str
    subject: str
    predicate: str
    object: str | None


def classify(statement: str, subject: str, verb: str | None) -> tuple[str, str | None]:
    """The predicate and object of a statement about ``subject``.

    ``statement`` is the resolved sentence; the part after the subject's first
    mention is matched against the patterns. ``verb`` (the main verb's lemma, if
    a parser found one) names the predicate when no pattern matches.
    """
    at = statement.lower().find(subject.lower())
    rest = statement[at + len(subject) :] if at >= 0 else statement
    favourite = find_favourite(statement, subject)
    if favourite:
        return favourite_of(favourite)
    pet = _HAS.match(rest.lstrip())
    if pet:
        return "has_pet", pet.group("o")
    family = _FAMILY.match(rest) if at >= 0 else None
    if family:
        return _kinship(family.group("rel")), family.group("o")
    for number, clause in enumerate(_verb_phrases(rest)):
        for pattern in PATTERNS:
            match = pattern.regex.match(clause)
            if match is None or _not_a_value(pattern, match.group("o")):
                continue
            # a later verb phrase may sit in a clause of its own ("changing the way we build
            # and live in our homes"): only a name is taken from it, not a common noun
            if number == 0 or clean(match.group("o"))[:1].isupper():
                return pattern.predicate, clean(match.group("o"))
    return (verb or "states"), None


#: where a second verb phrase of the same subject starts: "sold the Corolla and bought a
#: Tesla", "turned down Meta and signed with Stripe" ("and then signed" leaves "then
#: signed", whose "then" the patterns pass over like an adverb)
_NEXT_VERB_PHRASE = re.compile(r"(?:,\s*|\s+)(?:and|then|but|so)\s+(?=[a-z])")


def _verb_phrases(rest: str) -> list[str]:
    """What follows the subject, then each later verb phrase it coordinates, in order."""
    first = rest.lstrip()
    end = re.search(r"[.!?;](?:\s|$)", first)
    sentence = first[: end.start()] if end else first
    return [first, *(sentence[m.end() :] for m in _NEXT_VERB_PHRASE.finditer(sentence))]


def _not_a_value(pattern: Pattern, value: str) -> bool:
    """A pronoun ("moved there"), or a thing the pattern's verb takes that is no value of it."""
    words = value.lower().split()
    pronoun = pattern.predicate in SINGLE_VALUED and value.lower() in NOT_A_VALUE
    return pronoun or not pattern.excluded_words.isdisjoint(words)


def _kinship(relative: str) -> str:
    """The predicate of a relative: one partner at a time, any number of the others."""
    return "partner" if _PARTNER.match(relative) else f"family_{relative.lower()}"
