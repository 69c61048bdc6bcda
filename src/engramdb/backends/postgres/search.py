"""Search in the PostgreSQL backend: BM25 over tsvector, pgvector HNSW."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from psycopg import sql

from engramdb.backends._shared import best_passing
from engramdb.backends.postgres.connection import PostgresConnection
from engramdb.backends.postgres.lexical import bm25_query, tsquery_text
from engramdb.backends.postgres.sql import scope_where_sql
from engramdb.backends.postgres.textsidecar import TextSidecar
from engramdb.model.filters import Filter
from engramdb.model.memory import Scope
from engramdb.ports.store import (
    KeywordIndex,
    ScoredId,
    VectorIndex,
)
from engramdb.types import Vector

__all__ = ["PostgresSearch"]


class PostgresSearch(PostgresConnection, KeywordIndex, VectorIndex):
    """Mixed into the store: lexical and dense search."""

    _text: TextSidecar

    def keyword_search(
        self, terms: Sequence[str], scope: Scope, flt: Filter | None, limit: int, *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:  # fmt: skip
        """Okapi BM25 over the indexed text, like the SQLite store (higher is better)."""
        if not terms:
            return []
        index = None if self._in_transaction() else self._text.current(self._rows)
        if index is not None:  # inside a write's transaction, only SQL sees its rows
            where, params = scope_where_sql(scope, flt, as_of=as_of)
            keys = scope.as_dict()
            return best_passing(
                lambda fetch: index.search(terms, keys, fetch),
                lambda rids: self._ids_passing(rids, where, params),
                limit,
            )
        found = self._rows(
            "SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', %s))", [" ".join(terms)]
        )
        lexemes = sorted(r["lexeme"] for r in found)
        if not lexemes:
            return []  # only stop words
        mean_length, weights, matched = self._corpus.weights(lexemes, self._rows)
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        rows = self._rows(
            bm25_query(where),
            [mean_length, lexemes, lexemes, [weights[lex] for lex in lexemes],
             tsquery_text(matched), *params, limit],
        )  # fmt: skip
        return [(r["id"], float(r["s"])) for r in rows]

    def _ids_passing(
        self, rids: list[int], where: sql.Composable, params: list[Any]
    ) -> dict[int, str]:
        """The memory id of each of ``rids`` that meets ``where``."""
        rows = self._rows(
            sql.SQL("SELECT m.rid, m.id FROM memories m WHERE m.rid = ANY(%s) AND {}").format(
                where
            ),
            [rids, *params],
        )
        return {r["rid"]: r["id"] for r in rows}

    def wait_for_text_index(self, timeout: float = 30.0) -> bool:
        """Wait until this process's text index holds every committed write; whether it does.

        It is built first if the store is large enough. Searches never wait (they rank
        with SQL meanwhile); a benchmark or a test that means to measure the index does.
        """
        return self._text.wait(self._rows, timeout)

    def vector_search(
        self, vector: Vector, scope: Scope, flt: Filter | None, limit: int, *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:  # fmt: skip
        """Nearest memories by cosine similarity (HNSW, filtered iteratively by pgvector)."""
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        probe = np.asarray(vector, dtype=np.float32)
        rows = self._rows(
            sql.SQL(
                "SELECT m.id, 1 - (v.vector <=> %s) AS s FROM memories m"
                " JOIN vectors v ON v.rid = m.rid WHERE {} ORDER BY v.vector <=> %s LIMIT %s"
            ).format(where),
            [probe, *params, probe, limit],
        )
        return [(r["id"], float(r["s"])) for r in rows]
