"""Which query words a full-text match runs on, for every SQL backend.

A query's common words ("went", "last", a speaker's name) match a large part of a big
store, and ranking every such document is what makes a lexical search slow at scale:
scoring BM25 over every document that holds any query word took 0.2-0.7 s per query over
one million memories. So the match runs on the rarest of the query's words whose
documents add up to at most ``MATCH_CAP`` (one word at least). A document that holds
only the common words left out would rank low anyway; below the cap nothing changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping, Sequence

__all__ = ["MATCH_CAP", "ScopeShares", "TermCounts", "rarest_within"]

#: about how many documents one query scores at most
MATCH_CAP = 20_000
#: seconds after which cached document counts are counted again
COUNTS_TTL = 60.0


def rarest_within(terms: Sequence[str], documents: Mapping[str, int], cap: int) -> list[str]:
    """The rarest ``terms`` whose ``documents`` add up to at most ``cap`` (one at least)."""
    chosen: list[str] = []
    total = 0
    for term in sorted(terms, key=lambda t: (documents[t], t)):
        if chosen and total + documents[term] > cap:
            break
        chosen.append(term)
        total += documents[term]
    return chosen


class TermCounts:
    """How many documents hold each term, cached for ``ttl`` seconds; the words to match on.

    Which words are rare barely changes as a store grows; a stale count costs at
    most a slower query, or for a while a common word left out of the match.
    """

    def __init__(
        self,
        *,
        cap: int = MATCH_CAP,
        ttl: float = COUNTS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cap = cap
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._since = clock()

    def of(self, terms: Sequence[str], count: Callable[[str], int]) -> dict[str, int]:
        """Each term's document count, counting with ``count`` those not cached."""
        with self._lock:
            if self._clock() - self._since > self._ttl:
                self._counts.clear()
                self._since = self._clock()
            for term in terms:
                if term not in self._counts:
                    self._counts[term] = count(term)
            return {term: self._counts[term] for term in terms}

    def matched(self, terms: Sequence[str], count: Callable[[str], int]) -> list[str]:
        """The terms to match on (see the module's docstring), in their given order."""
        if len(terms) < 2:
            return list(terms)
        chosen = set(rarest_within(terms, self.of(terms, count), self.cap))
        return [t for t in terms if t in chosen]


class ScopeShares:
    """Whether a scope holds a large share of the store's documents, cached for ``ttl`` seconds.

    A lexical search in a large scope ranks the whole index first and keeps the hits in
    scope (no row look-up per match); in a small one that would keep almost none, so
    there it looks up the scope of every match. Either way the answer is the same: a
    stale share only picks the slower way for a while.
    """

    def __init__(self, *, ttl: float = COUNTS_TTL, clock: Callable[[], float] = time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._large: dict[Hashable, tuple[float, bool]] = {}

    def large(self, scope: Hashable, measure: Callable[[], bool]) -> bool:
        """Whether ``scope`` is large, measuring it with ``measure`` when not known lately."""
        now = self._clock()
        with self._lock:
            known = self._large.get(scope)
            if known is not None and now - known[0] <= self._ttl:
                return known[1]
        found = measure()
        with self._lock:
            if len(self._large) > 10_000:  # many small scopes (one per user): start over
                self._large.clear()
            self._large[scope] = (now, found)
        return found
