"""BM25 on PostgreSQL full-text search, ranked like the SQLite store's FTS5 ``bm25()``.

``ts_rank_cd`` has no inverse document frequency, so a common word counts as much as a
rare name; with it, recall on LoCoMo fell by 0.09 against SQLite. This module scores
the GIN-matched candidates with Okapi BM25 (k1 = 1.2, b = 0.75, FTS5's constants and IDF)
inside one SQL statement. Document length is the number of words, as in FTS5.

At scale a query's common words match a large part of the table, and scoring every
match is slow (0.7 s per query over one million memories). So the match runs on the
rarest of the query's lexemes whose documents add up to at most ``MATCH_CAP`` (at least
one lexeme), while the score still counts every lexeme. A document matching only the
common words left out would score low anyway; below ``MATCH_CAP`` nothing changes.

The corpus statistics (document count, mean length, document frequencies) are global, as
in FTS5, and cached: BM25 barely moves when they drift by a percent, and counting a large
table on every query would not scale. The cache is refreshed after this process has
written 1 % of the documents, or after a minute (other processes' writes).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from psycopg import sql

from engramdb.backends._lexical import MATCH_CAP, rarest_within

__all__ = ["BM25_B", "BM25_K1", "CorpusStats", "bm25_query", "tsquery_text"]

BM25_K1 = 1.2
BM25_B = 0.75
#: seconds after which statistics are recounted, to see other processes' writes
REFRESH_SECONDS = 60.0
#: local writes, as a fraction of the corpus, after which statistics are recounted
REFRESH_FRACTION = 0.01

Rows = Callable[[sql.Composable | str, Sequence[Any]], list[Any]]


def tsquery_text(lexemes: Sequence[str]) -> str:
    """A ``tsquery`` literal matching any of ``lexemes`` (quoted, so any lexeme is literal)."""
    quoted = ("'" + lex.replace("\\", "\\\\").replace("'", "''") + "'" for lex in lexemes)
    return " | ".join(quoted)


def idf(documents: int, frequency: int) -> float:
    """FTS5's inverse document frequency, floored at a tiny positive weight."""
    value = math.log((documents - frequency + 0.5) / (frequency + 0.5))
    return value if value > 0 else 1e-6


class CorpusStats:
    """Document count, mean document length and per-lexeme frequencies, cached."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._counted_at: float | None = None
        self._documents = 0
        self._mean_length = 1.0
        self._frequencies: dict[str, int] = {}
        self._writes = 0

    def wrote(self, count: int) -> None:
        """Note ``count`` documents added, changed or removed by this process.

        Deliberately without the lock: a writer calls this inside its transaction, holding
        a pooled connection, while a search may hold the lock waiting for a connection.
        The count only decides when to recount, so a lost increment does no harm.
        """
        self._writes += count

    def weights(
        self, lexemes: Sequence[str], rows: Rows
    ) -> tuple[float, dict[str, float], list[str]]:
        """The mean document length, each lexeme's IDF and the lexemes to match on."""
        with self._lock:
            if self._stale():
                self._recount(rows)
            missing = [lex for lex in lexemes if lex not in self._frequencies]
            for lex in missing:
                found = rows(
                    "SELECT count(*) AS n FROM memories WHERE search @@ %s::tsquery",
                    [tsquery_text([lex])],
                )
                self._frequencies[lex] = int(found[0]["n"])
            weights = {lex: idf(self._documents, self._frequencies[lex]) for lex in lexemes}
            return self._mean_length, weights, self._selective(lexemes)

    def _selective(self, lexemes: Sequence[str]) -> list[str]:
        """The rarest lexemes whose documents add up to at most ``MATCH_CAP`` (one at least)."""
        return rarest_within(lexemes, self._frequencies, MATCH_CAP)

    def _stale(self) -> bool:
        if self._counted_at is None:
            return True
        if self._clock() - self._counted_at > REFRESH_SECONDS:
            return True
        return self._writes > 0 and self._writes >= REFRESH_FRACTION * self._documents

    def _recount(self, rows: Rows) -> None:
        row = rows("SELECT count(*) AS n, coalesce(avg(search_len), 1) AS mean FROM memories", [])[
            0
        ]
        self._documents = int(row["n"])
        self._mean_length = max(float(row["mean"]), 1.0)
        self._frequencies.clear()
        self._writes = 0
        self._counted_at = self._clock()


def bm25_query(where: sql.Composable) -> sql.Composed:
    """Score the memories matching a tsquery and ``where``, best first.

    Parameters, in order: the mean document length, the lexemes, the lexemes again with
    their IDFs, the tsquery, ``where``'s parameters, the limit. A document's term
    frequencies are read from its vector cut down to the query's lexemes (marked with
    weight A, then filtered, in C): unnesting its every lexeme took twice as long.
    """
    return sql.SQL(
        "SELECT m.id, sum(w.idf * tf.n * {k1p} / (tf.n + {k1} * ({one_b}"
        " + {b} * m.search_len / %s::float8))) AS s"
        " FROM memories m"
        " CROSS JOIN LATERAL unnest(ts_filter(setweight(m.search, 'A', %s::text[]), '{{a}}')) AS u"
        " JOIN unnest(%s::text[], %s::float8[]) AS w (lexeme, idf) ON w.lexeme = u.lexeme"
        " CROSS JOIN LATERAL (SELECT coalesce(array_length(u.positions, 1), 1) AS n) AS tf"
        " WHERE m.search @@ %s::tsquery AND {where}"
        " GROUP BY m.id ORDER BY s DESC, m.id LIMIT %s"
    ).format(
        k1p=sql.Literal(BM25_K1 + 1),
        k1=sql.Literal(BM25_K1),
        one_b=sql.Literal(1 - BM25_B),
        b=sql.Literal(BM25_B),
        where=where,
    )
