"""Portable, lossless export / import of a whole store, and re-embedding.

Format (JSON Lines, UTF-8), version 2 (version 1, without the graph, still imports)::

    {"type": "header", "format": "engramdb", "version": 1, "embedder": "...", "memories": N}
    {"type": "memory", ...every MemoryRecord field..., "vector": "<base64 float32>"}
    {"type": "event", "id": ..., "memory_id": ..., "kind": ..., "actor": ..., "at": ...,
     "user_id": ..., "agent_id": ..., "session_id": ..., "before": {...}, "after": {...}}
    {"type": "entity", "id": ..., "name": ..., "kind": ..., "key": ..., "aliases": [...], ...}
    {"type": "mention", "entity_id": ..., "memory_id": ..., "role": ...}
    {"type": "relation", "id": ..., "subject_id": ..., "predicate": ..., "object_value": ..., ...}

Vectors are included so an import needs no model; they are re-embedded when the
target store uses another embedder.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from engramdb._portable_checks import ImportRecords, check_import
from engramdb._portable_graph import GRAPH_TYPES, graph_record, graph_records
from engramdb.errors import InvalidInput
from engramdb.model.codec import (
    event_from_dict,
    event_to_dict,
    memory_from_dict,
    memory_to_dict,
)
from engramdb.model.memory import MemoryRecord, Scope
from engramdb.model.validation import normalize_metadata
from engramdb.pipeline.vectors import embed_memories
from engramdb.ports.embedder import Embedder
from engramdb.ports.store import GraphStore, MemoryStore

__all__ = ["FORMAT_VERSION", "export_store", "import_store", "reembed"]

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
_PAGE = 1000


def export_store(
    store: MemoryStore,
    embedder_identity: str,
    target: str | Path | IO[str],
    scope: Scope | None = None,
) -> int:
    """Write every memory of ``scope`` (any status), its vector, its events and graph."""
    scope = scope or Scope()
    with _opened(target, "w") as out:
        total = sum(len(ids) for ids in store.iter_ids(scope, _PAGE))
        header = {
            "type": "header",
            "format": "engramdb",
            "version": FORMAT_VERSION,
            "embedder": embedder_identity,
            "memories": total,
        }
        _write(out, header)
        exported: set[str] = set()
        whole_store = scope.tenant_id is None
        for page in _all_pages(store, scope):
            vectors = store.vectors_of([m.id for m in page])
            if not whole_store:
                page = _without_dangling_links(store, page)
            for memory in page:
                record = {"type": "memory", **memory_to_dict(memory)}
                if memory.id in vectors:
                    record["vector"] = base64.b64encode(
                        vectors[memory.id].astype("<f4").tobytes()
                    ).decode()
                _write(out, record)
                exported.add(memory.id)
        # a tenant's export carries the history of its exported memories only: a tenant may
        # not import history for memories outside its import (the deletion trail of the
        # whole store travels with the whole store's export)
        for event in store.all_events():
            if scope.contains(event.scope) and (whole_store or event.memory_id in exported):
                _write(out, {"type": "event", **event_to_dict(event)})
        if isinstance(store, GraphStore):
            entities, mentions, relations = store.dump_graph()
            for record in graph_records(
                [e for e in entities if scope.contains(e.scope)],
                [m for m in mentions if m.memory_id in exported],
                [r for r in relations if r.fact_id in exported],
            ):
                _write(out, record)
    return len(exported)


def _without_dangling_links(store: MemoryStore, page: list[MemoryRecord]) -> list[MemoryRecord]:
    """A tenant's export does not point at deleted memories: its import could not either."""
    targets = store.get_many([m.superseded_by for m in page if m.superseded_by is not None])
    return [
        m
        if m.superseded_by is None or m.superseded_by in targets
        else replace(m, superseded_by=None)
        for m in page
    ]


def _write(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")


def import_store(
    store: MemoryStore,
    embedder: Embedder,
    source: str | Path | IO[str],
    tenant_id: str | None = None,
) -> int:
    """Load an export; all or nothing. Returns the number of memories imported.

    With ``tenant_id``, every record is moved into that tenant, and no record may
    name an id or reference a record of another tenant (see ``_portable_checks``).
    Without it (the whole store's own view), records keep their tenants and the
    same confinement holds between them.
    """
    with _opened(source, "r") as lines:
        header, records, vectors = _read_export(lines)
    if tenant_id is not None:
        _into_tenant(records, tenant_id)
    check_import(store, records, whole_store=tenant_id is None)
    memories = records.memories
    same_model = header.get("embedder") == embedder.identity
    if not same_model or len(vectors) != len(memories):
        vectors = embed_memories(embedder, memories)
    with store.atomic():
        for start in range(0, len(memories), _PAGE):
            chunk = slice(start, start + _PAGE)
            # the exported history replaces the ADD events insert would record
            store.insert(
                memories[chunk], vectors[chunk], "import", record_events=not records.events
            )
        for event in records.events:
            store.import_event(event)
        if isinstance(store, GraphStore):
            store.save_entities(records.entities)
            store.add_mentions(records.mentions)
            store.add_relations(records.relations)
    return len(memories)


def reembed(
    store: MemoryStore, embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> int:
    """Replace every stored vector with one from ``embedder``."""
    total = store.stats()["memories"]
    done = 0
    for page in _all_pages(store):
        vectors = embed_memories(embedder, page)
        store.set_vectors({m.id: v for m, v in zip(page, vectors, strict=True)})
        done += len(page)
        if progress:
            progress(done, total)
    return done


def _into_tenant(records: ImportRecords, tenant_id: str) -> None:
    def moved(scope: Scope) -> Scope:
        return replace(scope, tenant_id=tenant_id)

    records.memories = [replace(m, scope=moved(m.scope)) for m in records.memories]
    records.events = [replace(e, scope=moved(e.scope)) for e in records.events]
    records.entities = [replace(e, scope=moved(e.scope)) for e in records.entities]
    records.relations = [replace(r, scope=moved(r.scope)) for r in records.relations]


def _all_pages(store: MemoryStore, scope: Scope | None = None) -> Iterator[list[MemoryRecord]]:
    cursor = None
    while True:
        page = store.list_page(
            scope or Scope(), None, limit=_PAGE, cursor=cursor, include_inactive=True
        )
        if page.memories:
            yield page.memories
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _read_export(lines: IO[str]) -> tuple[dict[str, Any], ImportRecords, list[Any]]:
    header: dict[str, Any] | None = None
    records = ImportRecords()
    vectors: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            kind = record.get("type")
            if header is None:
                header = _check_header(record)
            elif kind == "memory":
                blob = record.pop("vector", None)
                memory = memory_from_dict(record)
                normalize_metadata(memory.metadata)  # the limits of add hold for imports too
                records.add(kind, memory, number)
                if blob is not None:
                    vectors.append(np.frombuffer(base64.b64decode(blob), dtype="<f4").copy())
            elif kind == "event":
                records.add(kind, event_from_dict(record), number)
            elif kind in GRAPH_TYPES:
                records.add(kind, graph_record(record), number)
            else:
                raise ValueError(f"unknown record type {kind!r}")
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            # InvalidInput is a ValueError: it gets the line number too
            raise InvalidInput(f"line {number}: {exc}", field="source") from exc
    if header is None:
        raise InvalidInput("empty export: no header line", field="source")
    return header, records, vectors


def _check_header(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict) or record.get("format") != "engramdb":
        raise ValueError("not an engramdb export (first line must be its header)")
    if record.get("version") not in READABLE_VERSIONS:
        raise ValueError(f"export format version {record.get('version')} is not supported")
    return record


@contextmanager
def _opened(target: str | Path | IO[str], mode: str) -> Iterator[IO[str]]:
    if isinstance(target, str | Path):
        with open(target, mode, encoding="utf-8") as handle:
            yield handle
    else:
        yield target
