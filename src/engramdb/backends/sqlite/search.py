"""Dense search in the SQLite backend: exact for small scopes, HNSW (the ANN sidecar) beyond."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import numpy as np

from engramdb.backends._shared import best_passing
from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite.lexical import SQLiteLexical
from engramdb.backends.sqlite.sql import scope_where_sql
from engramdb.backends.sqlite.vectors import AnnIndex, Fingerprint, exact_top_k
from engramdb.model.filters import Filter
from engramdb.model.memory import Scope
from engramdb.ports.store import ScoredId, VectorIndex
from engramdb.types import Vector

__all__ = ["SQLiteSearch"]


class SQLiteSearch(SQLiteLexical, VectorIndex):
    """Mixed into the SQLite store: its connection, lock and ANN index state."""

    _conn: sqlite3.Connection
    _ann: AnnIndex
    _ann_ready: bool
    _unsaved: int
    exact_threshold: int
    ann_save_every: int
    read_only: bool

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
            return self._ids_for(self._exact(vector, where, params, limit))
        return self._approximate(vector, where, params, limit)

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
    ) -> list[ScoredId]:
        self._sync_ann(load=False)
        return best_passing(
            lambda fetch: self._ann.search(vector, fetch),
            lambda rids: self._ids_passing(rids, where, params),
            limit,
            fetch=limit * 4,
        )

    def _ids_for(self, pairs: list[tuple[int, float]]) -> list[ScoredId]:
        ids = self._ids_passing([rid for rid, _ in pairs], "1", [])
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
