"""The full-text sidecar (tantivy) of large stores, for both backends.

FTS5, or PostgreSQL's full-text search, ranks every document that holds a query word:
10-50 ms per query over 100,000 memories, more at a million. tantivy skips the documents
that cannot reach the top (block-max WAND) and answers in about a millisecond. The
database stays the source of truth: this index is a cache of its rows keyed by the
memories' ``rid``, like the ANN index, and only says which rows rank best; whether they
pass a search's filters is asked of the database (``best_passing``).

The SQLite store keeps it in a directory beside the file, with a header saying which
state of the store it holds (see ``TextFingerprint``); every transaction that changes the
text moves the store to a new state, so after a crash, or a write by a process that did
not have the index open, the header names another state and the index is rebuilt from
the memories when next needed. A PostgreSQL server process keeps one in memory
(``backends/postgres/textsidecar.py``).

Text is read as FTS5 reads it (``porter unicode61 remove_diacritics 2``): words of
letters and digits, lower-cased, accents folded, English stems. And a query matches on the
words the SQL legs match on (the rarest, up to ``MATCH_CAP`` documents: see
``backends/_lexical.py``), so that a search ranks the same whichever of them answers it;
without that, on LongMemEval, the sidecar's answers were worse (recall@10 0.947 against
FTS5's 0.962 on one store of 88 haystacks).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from engramdb.backends._lexical import MATCH_CAP, rarest_within

__all__ = [
    "SCOPE_KEYS",
    "TEXT_COLUMNS",
    "TEXT_INDEX_THRESHOLD",
    "TextFingerprint",
    "TextIndex",
    "TextRow",
    "indexed_text",
    "text_batches",
    "text_rows",
]

log = logging.getLogger(__name__)

#: a store that has held this many memories ranks words with the sidecar
TEXT_INDEX_THRESHOLD = 20_000
#: the scope keys a document is filed under (a search must match every key it names)
SCOPE_KEYS = ("user_id", "agent_id", "session_id", "tenant_id")
#: (how many transactions changed the indexed text, highest rid) of the store indexed
TextFingerprint = tuple[int, int]
TextRow = tuple[int, str, Mapping[str, str | None]]  # rid, indexed text, scope keys
#: the memories' columns a text row is made from, in order (see :func:`text_rows`)
TEXT_COLUMNS = ", ".join(("rid", "speaker", "reading", "text", *SCOPE_KEYS))
#: rows read at a time when an index is built from the memories
_BUILD_BATCH = 10_000
_ANALYZER = "engramdb"
_WRITER_HEAP = 64_000_000
_REBUILD_THREADS = 2


def indexed_text(speaker: str | None, reading: str | None, text: str) -> str:
    """What the text indexes hold of a memory: the speaker, and the reading when resolved."""
    return f"{speaker}: {reading or text}" if speaker else reading or text


def text_rows(found: Sequence[Sequence[Any]]) -> list[TextRow]:
    """Text rows from rows of :data:`TEXT_COLUMNS`."""
    return [
        (r[0], indexed_text(r[1], r[2], r[3]), dict(zip(SCOPE_KEYS, r[4:], strict=True)))
        for r in found
    ]


def text_batches(read: Callable[[int, int], Sequence[Sequence[Any]]]) -> Iterator[list[TextRow]]:
    """Every memory's text row, in batches, for a build.

    ``read(after, limit)`` returns at most ``limit`` rows of :data:`TEXT_COLUMNS` whose
    rid is above ``after``, in rid order.
    """
    last = 0
    while found := read(last, _BUILD_BATCH):
        yield text_rows(found)
        last = found[-1][0]


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rid", stored=False, indexed=True, fast=True)
    for key in SCOPE_KEYS:
        builder.add_text_field(key, tokenizer_name="raw", stored=False, index_option="basic")
    builder.add_text_field("text", tokenizer_name=_ANALYZER, stored=False)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


@dataclass
class _Opened:
    """An open index, its one writer and the searcher of its last commit."""

    index: tantivy.Index
    writer: tantivy.IndexWriter
    searcher: tantivy.Searcher


class TextIndex:
    """BM25 over the memories' indexed text, filtered by scope, in a directory or in RAM."""

    def __init__(self, path: Path | None, *, match_cap: int = MATCH_CAP) -> None:
        self.path = path
        self.match_cap = match_cap
        self._header = path.with_name(path.name + ".json") if path else None
        self._schema = _schema()
        self._analyzer = _analyzer()
        self._opened: _Opened | None = None

    @property
    def ready(self) -> bool:
        """Whether the index is open and holds the store's rows."""
        return self._opened is not None

    @property
    def _live(self) -> _Opened:
        if self._opened is None:
            raise ValueError("the text index is not open")
        return self._opened

    def load(self, fingerprint: TextFingerprint) -> bool:
        """Open the saved index if its header says it holds exactly ``fingerprint``."""
        if not (self.path and self._header and self._header.exists()):
            return False
        try:
            saved = tuple(json.loads(self._header.read_text())["fingerprint"])
            if saved != fingerprint:
                return False
            self._open(tantivy.Index.open(str(self.path)))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("text index %s unreadable (%s); rebuilding", self.path, exc)
            self.close()
            return False
        return True

    def rebuild(self, batches: Iterable[Sequence[TextRow]], fingerprint: TextFingerprint) -> None:
        """Index every row of the store at ``fingerprint`` anew (old files are removed first)."""
        self.discard()
        if self.path:
            self.path.mkdir(parents=True)
        index = tantivy.Index(self._schema, path=str(self.path) if self.path else None)
        self._open(index, threads=_REBUILD_THREADS)
        for rows in batches:
            self.add(rows)
        self.commit(fingerprint)
        self._open(index)  # a writer of one thread for the writes to come

    def _open(self, index: tantivy.Index, threads: int = 1) -> None:
        index.register_tokenizer(_ANALYZER, self._analyzer)
        self._opened = None  # the one writer of an index is let go before the next is made
        writer = index.writer(heap_size=_WRITER_HEAP * threads, num_threads=threads)
        self._opened = _Opened(index, writer, index.searcher())

    def add(self, rows: Sequence[TextRow]) -> None:
        """Index rows (after a :meth:`remove` of the same rids when they are replaced)."""
        writer = self._live.writer
        for rid, text, scope in rows:
            fields: dict[str, object] = {"rid": rid, "text": text}
            fields.update((key, scope[key]) for key in SCOPE_KEYS if scope.get(key) is not None)
            writer.add_document(tantivy.Document(**fields))

    def remove(self, rids: Sequence[int]) -> None:
        """Unindex rows (each rid must be indexed)."""
        writer = self._live.writer
        for rid in rids:
            writer.delete_documents_by_term("rid", rid)

    def commit(self, fingerprint: TextFingerprint) -> None:
        """Make every change searchable; saved as the index of the store at ``fingerprint``."""
        opened = self._live
        opened.writer.commit()
        opened.index.reload()
        opened.searcher = opened.index.searcher()
        if self._header:
            self._header.write_text(json.dumps({"fingerprint": list(fingerprint)}))

    def search(
        self, terms: Sequence[str], scope: Mapping[str, str], limit: int
    ) -> list[tuple[int, float]]:
        """The ``limit`` best (rid, BM25) pairs matching any of ``terms`` within ``scope``."""
        searcher = self._live.searcher
        words = self._word_queries(terms)
        if not words or limit <= 0:
            return []
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(words))]
        clauses += [
            (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, key, value))
            for key, value in scope.items()
        ]
        hits = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=False).hits
        rids = searcher.fast_field_values("rid", [address for _, address in hits])
        return [
            (int(rid), float(score))
            for (score, _), rid in zip(hits, rids, strict=True)
            if isinstance(rid, int)
        ]

    def _word_queries(self, terms: Sequence[str]) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """A clause for each term matched on: its word, or the phrase of its words.

        A phrase is how FTS5 reads a quoted term.
        """
        searcher = self._live.searcher
        queries: dict[str, tantivy.Query] = {}
        documents: dict[str, int] = {}
        for term in dict.fromkeys(terms):
            words: list[str | tuple[int, str]] = list(self._analyzer.analyze(term))
            if not words:
                continue
            queries[term] = (
                tantivy.Query.term_query(self._schema, "text", words[0])
                if len(words) == 1
                else tantivy.Query.phrase_query(self._schema, "text", words)
            )
            # a phrase is in at most as many documents as its rarest word
            documents[term] = min(searcher.doc_freq("text", str(word)) for word in words)
        matched = set(rarest_within(list(queries), documents, self.match_cap))
        return [(tantivy.Occur.Should, queries[term]) for term in queries if term in matched]

    def close(self) -> None:
        """Let go of the index (its files stay)."""
        self._opened = None

    def discard(self) -> None:
        """Close and delete the files (they may hold text since deleted)."""
        self.close()
        if self._header and self._header.exists():
            self._header.unlink()
        if self.path and self.path.exists():
            shutil.rmtree(self.path)
