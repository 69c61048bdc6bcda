"""Search in the SQLite backend: FTS5 BM25, exact and HNSW vector search, the ANN sidecar."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from engramdb.backends._lexical import ScopeShares, TermCounts
from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite.sql import chunks, fts_match_sql, marks, scope_where_sql
from engramdb.backends.sqlite.vectors import AnnIndex, Fingerprint, exact_top_k
from engramdb.model.filters import Filter
from engramdb.model.memory import Scope
from engramdb.ports.store import KeywordIndex, ScoredId, VectorIndex
from engramdb.types import Vector

#: the lexical leg first ranks this many times the documents it needs over the whole index
LEXICAL_OVERFETCH = 8

__all__ = ["SQLiteSearch"]


class SQLiteSearch(KeywordIndex, VectorIndex):
    """Mixed into the SQLite store: its connection, lock and ANN index state."""

    _conn: sqlite3.Connection
    _ann: AnnIndex
    _ann_ready: bool
    _unsaved: int
    _term_counts: TermCounts
    _scope_shares: ScopeShares
    exact_threshold: int
    ann_save_every: int
    read_only: bool

    @guarded
    def keyword_search(
        self,
        terms: Sequence[str],
        scope: Scope,
        flt: Filter | None,
        limit: int,
        *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:
        """BM25 over FTS5 (score = -bm25, higher is better).

        In a large store the match runs on the query's rarer words only (see
        ``backends/_lexical.py``), so that a common word does not rank half the table.
        """
        if not terms:
            return []
        terms = self._term_counts.matched(terms, self._documents_with)
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        match = fts_match_sql(terms)
        if self._scope_shares.large(scope, lambda: self._large_scope(scope)):
            # the best matches of the whole index first, then those in scope: scoring and
            # sorting only, not a row look-up per match (the same answer, when enough are
            # in scope; otherwise every match is looked up)
            depth = limit * LEXICAL_OVERFETCH
            rows = self._conn.execute(
                "SELECT m.id, f.s FROM (SELECT rowid, bm25(memory_fts) AS s FROM memory_fts"
                " WHERE memory_fts MATCH ? ORDER BY s, rowid LIMIT ?) f"
                f" JOIN memories m ON m.rid = f.rowid WHERE {where} ORDER BY f.s, f.rowid LIMIT ?",
                [match, depth, *params, limit],
            ).fetchall()
            if len(rows) == limit or not self._matches_beyond(match, depth):
                return [(row[0], -float(row[1])) for row in rows]
        rows = self._conn.execute(
            "SELECT m.id, bm25(memory_fts) AS s FROM memory_fts"
            " JOIN memories m ON m.rid = memory_fts.rowid"
            f" WHERE memory_fts MATCH ? AND {where} ORDER BY s, m.rid LIMIT ?",
            [match, *params, limit],
        ).fetchall()
        return [(row[0], -float(row[1])) for row in rows]

    def _large_scope(self, scope: Scope) -> bool:
        """Whether ``scope`` holds one memory in ``LEXICAL_OVERFETCH`` of the store or more."""
        (top,) = self._conn.execute("SELECT coalesce(max(rid), 0) FROM memories").fetchone()
        share = max(1, int(top) // LEXICAL_OVERFETCH)
        where, params = scope_where_sql(scope, None)
        (held,) = self._conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM memories m WHERE {where} LIMIT ?)",
            [*params, share],
        ).fetchone()
        return int(held) >= share

    def _matches_beyond(self, match: str, depth: int) -> bool:
        """Whether more than ``depth`` documents match."""
        row = self._conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM memory_fts WHERE memory_fts MATCH ? LIMIT ?)",
            [match, depth + 1],
        ).fetchone()
        return int(row[0]) > depth

    def _documents_with(self, term: str) -> int:
        row = self._conn.execute(
            "SELECT count(*) FROM memory_fts WHERE memory_fts MATCH ?", [fts_match_sql([term])]
        ).fetchone()
        return int(row[0])

    @guarded
    def vector_search(
        self,
        vector: Vector,
        scope: Scope,
        flt: Filter | None,
        limit: int,
        *,
        as_of: datetime | None = None,
    ) -> list[ScoredId]:
        """Exact search for small scopes, ANN with over-fetching for large ones."""
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        size = self._conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM memories m WHERE {where} LIMIT ?)",
            [*params, self.exact_threshold + 1],
        ).fetchone()[0]
        if size == 0:
            return []
        if size <= self.exact_threshold:
            pairs = self._exact(vector, where, params, limit)
        else:
            pairs = self._approximate(vector, where, params, limit)
        return self._ids_for(pairs)

    def _exact(
        self, vector: Vector, where: str, params: list[Any], limit: int
    ) -> list[tuple[int, float]]:
        rows = self._conn.execute(
            f"SELECT m.rid, v.vector FROM memories m JOIN vectors v ON v.rid = m.rid WHERE {where}",
            params,
        ).fetchall()
        if not rows:
            return []
        rids = np.array([r[0] for r in rows])
        matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(
            len(rows), -1
        )
        return exact_top_k(vector, rids, matrix, limit)

    def _approximate(
        self, vector: Vector, where: str, params: list[Any], limit: int
    ) -> list[tuple[int, float]]:
        self._sync_ann(load=False)
        fetch = limit * 4
        while True:
            pairs = self._ann.search(vector, fetch)
            allowed = self._allowed_rids([rid for rid, _ in pairs], where, params)
            kept = [(rid, score) for rid, score in pairs if rid in allowed]
            if len(kept) >= limit or fetch >= len(self._ann):
                return kept[:limit]
            fetch *= 4

    def _allowed_rids(self, rids: list[int], where: str, params: list[Any]) -> set[int]:
        allowed: set[int] = set()
        for chunk in chunks(rids):
            allowed.update(
                r[0]
                for r in self._conn.execute(
                    # by row id only: a scope index would read every row of a large scope
                    f"SELECT m.rid FROM memories m NOT INDEXED WHERE m.rid IN ({marks(chunk)})"
                    f" AND {where}",
                    [*chunk, *params],
                )
            )
        return allowed

    def _ids_for(self, pairs: list[tuple[int, float]]) -> list[ScoredId]:
        if not pairs:
            return []
        ids = dict(
            self._conn.execute(
                f"SELECT rid, id FROM memories WHERE rid IN ({marks(pairs)})",
                [rid for rid, _ in pairs],
            ).fetchall()
        )
        return [(ids[rid], score) for rid, score in pairs if rid in ids]

    # --------------------------------------------------------------- ANN
    def _fingerprint(self) -> Fingerprint:
        row = self._conn.execute("SELECT count(*), max(rid), total(rid) FROM vectors").fetchone()
        return int(row[0]), int(row[1] or 0), int(row[2])

    def _sync_ann(self, *, load: bool) -> None:
        """Make the ANN index hold exactly the stored vectors (when it is worth having)."""
        if self._ann_ready:
            return
        fingerprint = self._fingerprint()
        if fingerprint[0] <= self.exact_threshold:
            return  # every scope is small enough for exact search
        if load and self._ann.load(fingerprint):
            self._ann_ready = True
            return
        self._ann.clear()
        self._ann.invalidate()
        last = 0
        while True:
            rows = self._conn.execute(
                "SELECT rid, vector FROM vectors WHERE rid > ? ORDER BY rid LIMIT 10000", (last,)
            ).fetchall()
            if not rows:
                break
            matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            self._ann.add(np.array([r[0] for r in rows]), matrix.reshape(len(rows), -1))
            last = rows[-1][0]
        self._ann_ready = True
        self._save_ann()

    def _ann_added(self, rids: np.ndarray, matrix: np.ndarray | None) -> None:
        if matrix is None or not len(rids):
            return
        if not self._ann_ready:
            self._sync_ann(load=False)
            return
        if not self._ann.dirty:
            self._ann.invalidate()
        self._ann.add(rids, matrix)
        self._unsaved += len(rids)
        if self._unsaved >= self.ann_save_every:
            self._save_ann()

    def _ann_removed(self, rids: list[int]) -> None:
        if self._ann_ready and rids:
            if not self._ann.dirty:
                self._ann.invalidate()
            self._ann.remove(rids)

    def _save_ann(self) -> None:
        if self._ann_ready and not self.read_only:
            self._ann.save(self._fingerprint())
            self._unsaved = 0

    # ------------------------------------------------------------- admin
