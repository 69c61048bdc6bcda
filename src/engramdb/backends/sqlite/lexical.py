"""The SQLite store's lexical leg: FTS5 BM25, and the tantivy sidecar in a large store.

Below ``text_index_threshold`` memories (and inside a write's transaction, whose rows
only FTS5 sees) a search ranks with FTS5. Above it, with the sidecar
(``backends/_textindex.py``), which every committed write keeps up to date: the
changes a transaction makes to the text are queued, handed to the sidecar's feed
(``textfeed.py``) when it commits and dropped when it rolls back. A search ranks with
the sidecar only when it holds every committed write, and with FTS5 until then, so it
always sees every write acknowledged before it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from engramdb.backends._lexical import ScopeShares, TermCounts
from engramdb.backends._shared import best_passing
from engramdb.backends._textindex import (
    TEXT_COLUMNS,
    TEXT_INDEX_THRESHOLD,
    TextFingerprint,
    TextIndex,
    TextRow,
    text_batches,
)
from engramdb.backends.sqlite._errors import guarded
from engramdb.backends.sqlite.sql import chunks, fts_match_sql, marks, scope_where_sql
from engramdb.backends.sqlite.textfeed import TextFeed, TextOp
from engramdb.model.filters import Filter
from engramdb.model.memory import Scope
from engramdb.ports.store import KeywordIndex, ScoredId

__all__ = ["LEXICAL_OVERFETCH", "TEXT_INDEX_THRESHOLD", "SQLiteLexical"]

log = logging.getLogger(__name__)

#: the lexical leg first ranks this many times the documents it needs over the whole index
LEXICAL_OVERFETCH = 8
#: the meta key counting the transactions that changed the indexed text
TEXT_GENERATION = "text_generation"


class SQLiteLexical(KeywordIndex):
    """Mixed into the SQLite store: its connection, lock and text index state."""

    _conn: sqlite3.Connection
    _depth: int
    _term_counts: TermCounts
    _scope_shares: ScopeShares
    _text: TextIndex
    _text_ops: list[TextOp]
    _text_feed: TextFeed | None
    _text_broken: bool
    text_index_threshold: int
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
        """BM25 over the memories' text in scope (higher is better)."""
        if not terms:
            return []
        where, params = scope_where_sql(scope, flt, as_of=as_of)
        if self._text_usable():
            return self._sidecar_search(terms, scope, where, params, limit)
        return self._fts_search(terms, scope, where, params, limit)

    # ----------------------------------------------------------- sidecar
    def _sidecar_search(
        self, terms: Sequence[str], scope: Scope, where: str, params: list[Any], limit: int
    ) -> list[ScoredId]:
        """The sidecar's best matches in scope, kept when they also pass the filter."""
        keys = scope.as_dict()
        return best_passing(
            lambda fetch: self._text.search(terms, keys, fetch),
            lambda rids: self._ids_passing(rids, where, params),
            limit,
        )

    def _ids_passing(self, rids: list[int], where: str, params: list[Any]) -> dict[int, str]:
        """The memory id of each of ``rids`` that meets ``where``."""
        ids: dict[int, str] = {}
        for chunk in chunks(rids):
            ids.update(
                self._conn.execute(
                    # by row id only: a scope index would read every row of a large scope
                    f"SELECT m.rid, m.id FROM memories m NOT INDEXED"
                    f" WHERE m.rid IN ({marks(chunk)}) AND {where}",
                    [*chunk, *params],
                ).fetchall()
            )
        return ids

    def _text_usable(self) -> bool:
        """Whether this search ranks with the sidecar (opening or building it if need be)."""
        if self.read_only or self._depth or self._text_broken:
            return False
        try:
            if not self._text.ready:
                if self._top_rid() < self.text_index_threshold:
                    return False
                self._open_text(rebuild=True)
        except (OSError, ValueError) as exc:  # a cache: fall back to FTS5, lose nothing
            log.warning("text index unusable (%s); searching with FTS5", exc)
            self._text_broken = True
            self._text.close()
            return False
        feed = self._text_feed
        return feed is not None and feed.caught_up()

    def _open_text(self, *, rebuild: bool) -> None:
        """Open the saved sidecar if it matches the store, else build it (if ``rebuild``).

        An open sidecar gets the feed that keeps it matching.
        """
        fingerprint = self._text_fingerprint()
        if not self._text.load(fingerprint):
            if not rebuild:
                return
            self._text.rebuild(self._text_rows(), fingerprint)
        self._text_feed = TextFeed(self._text, fingerprint)

    def _load_saved_text(self) -> None:
        """Open a saved sidecar that matches the store, so this process's writes keep it so."""
        if not self.read_only:
            self._open_text(rebuild=False)

    def wait_for_text_index(self, timeout: float = 30.0) -> bool:
        """Wait until the text sidecar holds every committed write; whether it does.

        Searches never wait (they rank with FTS5 meanwhile); a benchmark or a test that
        means to measure the sidecar does.
        """
        feed = self._text_feed
        return feed is not None and feed.wait(timeout)

    def _text_fingerprint(self) -> TextFingerprint:
        generation = self._conn.execute(
            "SELECT value FROM meta WHERE key = ?", (TEXT_GENERATION,)
        ).fetchone()
        return int(generation[0]) if generation else 0, self._top_rid()

    def _top_rid(self) -> int:
        """The highest row id the store has given (a memory count that never shrinks)."""
        (top,) = self._conn.execute("SELECT coalesce(max(rid), 0) FROM memories").fetchone()
        return int(top)

    def _text_rows(self) -> Iterator[list[TextRow]]:
        # what FTS5 holds, made again from the columns (reading FTS5's rows is 20 times slower)
        return text_batches(
            lambda after, limit: self._conn.execute(
                f"SELECT {TEXT_COLUMNS} FROM memories WHERE rid > ? ORDER BY rid LIMIT ?",
                (after, limit),
            ).fetchall()
        )

    def _text_changed(self, op: str, items: Sequence[Any]) -> None:
        """Queue a change to the indexed text, made by the open transaction."""
        if not self._text_ops:  # a saved header naming the generation before is now stale
            self._conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key)"
                " DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (TEXT_GENERATION,),
            )
        self._text_ops.append((op, items))

    def _text_committed(self) -> None:
        """Hand the committed transaction's changes to the sidecar's feed (when it is open)."""
        ops, self._text_ops = self._text_ops, []
        feed = self._text_feed
        if feed is not None and feed.broken:  # it failed: FTS5 from now on, nothing queued
            self._text_broken = True
            self._close_text()
        elif ops and feed is not None:
            feed.push(ops, self._text_fingerprint())

    def _text_rolled_back(self) -> None:
        self._text_ops = []

    def _close_text(self) -> None:
        """Commit what the feed holds (the saved header then matches the store); let go."""
        if self._text_feed is not None:
            self._text_feed.stop()
            self._text_feed = None
        self._text.close()

    def _text_erased(self) -> None:
        """Delete the sidecar's files, which may hold deleted text; rebuilt when needed."""
        self._close_text()
        self._text.discard()

    # -------------------------------------------------------------- FTS5
    def _fts_search(
        self, terms: Sequence[str], scope: Scope, where: str, params: list[Any], limit: int
    ) -> list[ScoredId]:
        """BM25 over FTS5 (score = -bm25).

        In a large store the match runs on the query's rarer words only (see
        ``backends/_lexical.py``), so that a common word does not rank half the table.
        """
        terms = self._term_counts.matched(terms, self._documents_with)
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
        share = max(1, self._top_rid() // LEXICAL_OVERFETCH)
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
