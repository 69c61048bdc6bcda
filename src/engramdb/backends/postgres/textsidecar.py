"""A process's own in-memory text index of a PostgreSQL store, kept in step by every writer.

PostgreSQL's BM25 statement (``lexical.py``) scores every document that holds one of the
query's rarer words: 26-48 ms per query over 100,000 memories. Once the store has held
``threshold`` memories, a process builds a tantivy index of their text in memory, on a
thread of its own, and ranks words with it (``backends/_textindex.py``), asking SQL only
which of the best rows pass the search's filters. Until it is built, and whenever it may
be behind, searches rank with SQL as before.

Keeping it in step: triggers add a row to ``text_changes`` for every memory whose text or
scope a transaction inserts, changes or deletes, stamped with that transaction's id
(migration 0008), whichever process writes. The feed thread reads, in one REPEATABLE READ
snapshot, the changes stamped at or above its watermark and the current rows of the
memories they name, applies them, and moves the watermark to the snapshot's ``xmin``:
every transaction below it had ended, so a transaction that commits late carries an id at
or above it and is read next time. A search ranks with the index only when the count of
changes at or above the watermark is still the one the feed saw, i.e. nothing was
committed since, so it sees every write committed before it; otherwise it ranks with SQL
and wakes the feed. A search inside a write's transaction (which sees that transaction's
own rows) ranks with SQL.

Changes older than an hour are deleted by the feeds; a feed that has not caught up for
half an hour rebuilds instead. A deleted memory's text leaves the index at once for
searches, and the process's memory when tantivy merges its segments or, after an erasure
(``compact``, ``forget``), when every process rebuilds its index (a counter in ``meta``
tells them). If the index fails, the process ranks with SQL from then on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engramdb.backends._textindex import (
    TEXT_COLUMNS,
    TextIndex,
    TextRow,
    text_batches,
    text_rows,
)

__all__ = ["TEXT_ERASURES", "TextSidecar"]

log = logging.getLogger(__name__)

#: seconds between catch-ups when no search asks for one
POLL_SECONDS = 1.0
#: seconds between two looks at the store's size while it is below the threshold
SIZE_CHECK_SECONDS = 60.0
#: changes kept this long for the feeds of other processes
KEEP_CHANGES = "1 hour"
#: a feed that has not caught up for this long rebuilds (its changes may be trimmed)
REBUILD_AFTER = 1800.0
#: the meta key counting erasures (``compact``): each makes every index be built anew
TEXT_ERASURES = "text_erasures"


class _Stopped(Exception):
    """The store was closed while its index was being built."""


class TextSidecar:
    """The in-memory index of one store object, and the thread that keeps it in step."""

    def __init__(self, pool: Any, threshold: int, *, poll: float = POLL_SECONDS) -> None:
        self._pool = pool
        self.threshold = threshold
        self.poll = poll
        self.broken = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sized_at: float | None = None
        # set together, under the lock, once an index is built (a new one replaces it whole)
        self._index: TextIndex | None = None
        self._erasures: str | None = None  # the erasure count it was built at
        self._watermark = 0  # every change stamped below it is applied
        self._seen = 0  # changes stamped at or above it when the feed last caught up
        self._caught_up_at = 0.0
        self._trimmed_at = 0.0

    @property
    def built(self) -> bool:
        """Whether this process has an index (it may be behind a write for a moment)."""
        return self._index is not None

    def current(self, rows: Any) -> TextIndex | None:
        """The index a search may rank with now, if any (starting its build if it is due)."""
        if self.broken or self._stop.is_set():
            return None
        with self._lock:
            index, watermark, seen, at = (
                self._index, self._watermark, self._seen, self._caught_up_at
            )  # fmt: skip
        if index is None:
            self._start_if_large(rows)
            return None
        if time.monotonic() - at < REBUILD_AFTER and _changes_since(rows, watermark) == seen:
            return index
        self._wake.set()
        return None

    def wait(self, rows: Any, timeout: float) -> bool:
        """Build the index if need be and wait until it holds every committed write."""
        deadline = time.monotonic() + timeout
        self._sized_at = None
        while time.monotonic() < deadline:
            if self.current(rows) is not None:
                return True
            self._wake.set()
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        """Stop the feed (a build in progress is left to end on its own)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _start_if_large(self, rows: Any) -> None:
        now = time.monotonic()
        if self._thread is not None or (
            self._sized_at is not None and now - self._sized_at < SIZE_CHECK_SECONDS
        ):
            return
        self._sized_at = now
        top = rows("SELECT coalesce(max(rid), 0) AS n FROM memories", [])[0]["n"]
        if top >= self.threshold:
            self._thread = threading.Thread(
                target=self._run, name="engramdb-text-feed", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        try:
            self._build()
            while not self._stop.is_set():
                self._wake.wait(self.poll)
                self._wake.clear()
                if self._stop.is_set():
                    return
                if time.monotonic() - self._caught_up_at > REBUILD_AFTER or not self._catch_up():
                    self._build()
                self._trim()
        except _Stopped:
            return
        except Exception as exc:  # a cache: SQL ranks from now on, nothing is lost
            log.warning("in-memory text index stopped (%s); searching with SQL", exc)
            self.broken = True
            with self._lock:
                self._index = None

    def _build(self) -> None:
        """Build a new index beside the one in use (searches keep using that one meanwhile)."""
        index = TextIndex(None)
        with _snapshot(self._pool) as conn:
            watermark = _xmin(conn)
            erasures = _erasures(conn)
            index.rebuild(self._until_stopped(_all_rows(conn)), (0, 0))
            seen = _changes_since(_rows_of(conn), watermark)
        with self._lock:
            self._index, self._erasures = index, erasures
        self._caught_up(watermark, seen)

    def _until_stopped(self, batches: Iterator[list[TextRow]]) -> Iterator[list[TextRow]]:
        """The batches, until the store is closed (a one-shot command need not wait)."""
        for batch in batches:
            if self._stop.is_set():
                raise _Stopped
            yield batch

    def _catch_up(self) -> bool:
        """Apply the changes committed since the last catch-up; whether it could.

        Not when words were erased (``compact``) since the index was built: it holds
        them in its segments, so it is built anew instead.
        """
        with self._lock:
            index, since = self._index, self._watermark
        assert index is not None
        with _snapshot(self._pool) as conn:
            if _erasures(conn) != self._erasures:
                return False
            watermark = _xmin(conn)
            changed = [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT rid FROM text_changes WHERE xid >= %s::xid8", [str(since)]
                )
            ]
            current = conn.execute(
                f"SELECT {TEXT_COLUMNS} FROM memories WHERE rid = ANY(%s)", [changed]
            ).fetchall()
            seen = _changes_since(_rows_of(conn), watermark)
        if changed:
            index.remove(changed)
            index.add(text_rows(current))
            index.commit((0, 0))
        self._caught_up(watermark, seen)
        return True

    def _caught_up(self, watermark: int, seen: int) -> None:
        with self._lock:
            self._watermark, self._seen = watermark, seen
            self._caught_up_at = time.monotonic()

    def _trim(self) -> None:
        if time.monotonic() - self._trimmed_at < 60:
            return
        self._trimmed_at = time.monotonic()
        with self._pool.connection() as conn:
            conn.execute(f"DELETE FROM text_changes WHERE at < now() - interval '{KEEP_CHANGES}'")


@contextmanager
def _snapshot(pool: Any) -> Iterator[Any]:
    """A pooled connection in a REPEATABLE READ transaction: one view of the store."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield conn


def _xmin(conn: Any) -> int:
    """The oldest transaction still running when the snapshot was taken."""
    row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()
    return int(row[0])


def _erasures(conn: Any) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = %s", [TEXT_ERASURES]).fetchone()
    return None if row is None else str(row[0])


def _changes_since(rows: Any, watermark: int) -> int:
    found = rows("SELECT count(*) AS n FROM text_changes WHERE xid >= %s::xid8", [str(watermark)])
    return int(found[0]["n"])


def _rows_of(conn: Any) -> Any:
    def rows(query: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        cursor = conn.execute(query, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]

    return rows


def _all_rows(conn: Any) -> Iterator[list[TextRow]]:
    return text_batches(
        lambda after, limit: conn.execute(
            f"SELECT {TEXT_COLUMNS} FROM memories WHERE rid > %s ORDER BY rid LIMIT %s",
            [after, limit],
        ).fetchall()
    )
