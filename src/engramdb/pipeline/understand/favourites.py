"""Favourites, either way round: "my favourite book is Dune", "Dune is my favourite book"."""

from __future__ import annotations

import re
from functools import lru_cache

from engramdb.pipeline.understand.phrases import NOT_A_VALUE, OBJ, clean, hypothetical, owned_at

__all__ = ["favourite_of", "find_favourite"]

_FAVOURITE_WORDS = r"(?:new |current |all-time |absolute |very )*(?:favou?rite|go-to)"
_THING = r"(?P<thing>\w+(?: to \w+)?)"  # "book", "thing to eat"
#: how long it has been so, between the thing and its value: "favourite movie these days is"
_LATELY = r"(?: these days| lately| right now| at the moment| now| of all time| ever)?"
_TIME_WORDS = r"(?:these|lately|right|at|now|of|ever)\b"
#: "'s new favourite book is Dune", after the subject ("thinks the user's favourite ...")
_FAVOURITE = re.compile(
    rf"(?:'s|’s) {_FAVOURITE_WORDS} (?P<thing>\w+(?: (?!{_TIME_WORDS})\w+)?(?: to \w+)?){_LATELY}"
    rf" (?:is|are|has to be|would be|is now|has become) {OBJ}",
    re.IGNORECASE,
)
#: "Dune is the user's favourite book": the value first; "{owner}" is the subject
_FAVOURITE_FIRST = (  # also a later clause's: "..., Taylor Swift's the user's favourite artist"
    r"(?:^|(?<=, ))(?P<o>[\w’'&/-]+(?: [\w’'&/-]+){{0,4}}?)(?:,? (?:is|are|has always been|"
    r"has become|is now|remains|is still)|'s|’s) {owner}(?:'s|’s) "
    + _FAVOURITE_WORDS
    + rf" {_THING}\b"
)
#: "Octavia Butler has overtaken everyone as my favourite author"
_TAKEN_OVER = (
    r"^(?P<o>[\w’'&/-]+(?: [\w’'&/-]+){{0,4}}?) (?:has |have )?(?:overtaken|replaced|beaten|"
    r"dethroned|taken over from) (?:[\w’']+ ){{0,3}}?as {owner}(?:'s|’s) "
    + _FAVOURITE_WORDS
    + rf" {_THING}\b"
)
#: the same thing by other words: one favourite of it at a time
_SAME_THING = {
    "film": "movie", "films": "movie", "movies": "movie", "dish": "food", "meal": "food",
    "thing_to_eat": "food", "writer": "author", "novelist": "author", "novel": "book",
    "singer": "artist", "musician": "artist", "tv_show": "show", "series": "show",
}  # fmt: skip
#: "the user thinks Dune is ...": what is thought or said is read on its own
_THINKS = r"^{owner} (?:\w+ )?(?:thinks?|says?|feels?|guess(?:es)?|reckons?|knows?) (?:that )?"
#: "loves Coldplay more than any other band"
_MORE_THAN_ANY = (
    r"\b{owner} (?:\w+ ){{0,2}}?(?:loves?|likes?|enjoys?|prefers?) "
    r"(?P<o>[\w’'&/-]+(?: [\w’'&/-]+){{0,4}}?) (?:more|better) than any (?:other )?(?P<thing>\w+)\b"
)


def find_favourite(statement: str, subject: str) -> re.Match[str] | None:
    """Either "the user's favourite book is Dune" or "Dune is the user's favourite book"."""
    for at in owned_at(statement, subject):
        after = _FAVOURITE.match(statement, at)
        if after and not hypothetical(statement, after):
            return after
    thinks, *forms = _value_first(subject)
    said = thinks.sub("", statement)
    for regex in forms:
        found = regex.search(said)
        if found and found.group("o").lower() not in NOT_A_VALUE:
            return None if hypothetical(said, found) else found
    return None


@lru_cache(maxsize=1024)
def _value_first(subject: str) -> list[re.Pattern[str]]:
    """What the subject thinks, then the forms naming the value first (compiled once)."""
    owner = re.escape(subject)
    forms = (_THINKS, _FAVOURITE_FIRST, _MORE_THAN_ANY, _TAKEN_OVER)
    return [re.compile(form.format(owner=owner), re.IGNORECASE) for form in forms]


def favourite_of(match: re.Match[str]) -> tuple[str, str]:
    """The predicate and value of a favourite found by :func:`find_favourite`."""
    thing = "_".join(match.group("thing").lower().split())
    return f"favourite_{_SAME_THING.get(thing, thing)}", clean(match.group("o"))
