"""Import confinement: no record of an import reaches across a tenant.

Every record is checked before anything is written. A record's id must be new or
already belong to the record's own tenant, and everything it points at (sources,
``superseded_by``, mentions, relation ends, events) must be a record of the same
import or of the same tenant. Refusals never say whether an id exists elsewhere: an id
of another tenant reads exactly like a malformed id, and a reference to another
tenant's record exactly like a reference to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engramdb.errors import Conflict, InvalidInput
from engramdb.model.graph import Entity, EntityMention, Relation
from engramdb.model.memory import MemoryEvent, MemoryRecord
from engramdb.model.validation import check_id
from engramdb.ports.store import GraphStore, GraphTable, MemoryStore

__all__ = ["ImportRecords", "check_import"]

_LISTS = {
    "memory": "memories",
    "event": "events",
    "entity": "entities",
    "mention": "mentions",
    "relation": "relations",
}
Tenants = Mapping[str, str | None]  # record id -> its tenant


@dataclass
class ImportRecords:
    """What an import would write, each record with the export line it came from."""

    memories: list[MemoryRecord] = field(default_factory=list)
    events: list[MemoryEvent] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    mentions: list[EntityMention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    lines: dict[tuple[str, int], int] = field(default_factory=dict)  # (type, index) -> line

    def add(self, kind: str, record: object, line: int) -> None:
        """Keep one parsed record of ``kind`` (its export type) read from ``line``."""
        target: list[object] = getattr(self, _LISTS[kind])
        self.lines[kind, len(target)] = line
        target.append(record)

    def line(self, kind: str, index: int) -> int:
        """The export line of the ``index``-th record of ``kind``."""
        return self.lines.get((kind, index), 0)


def _refused_id(line: int, kind: str) -> InvalidInput:
    return InvalidInput(
        f"line {line}: {kind} record refused: its id is malformed or not free in this tenant",
        field="source",
    )


def _refused_reference(line: int, kind: str, name: str) -> InvalidInput:
    return InvalidInput(
        f"line {line}: {kind} record refused: {name} must name a record of this import"
        " or of this tenant",
        field="source",
    )


def check_import(store: MemoryStore, records: ImportRecords, *, whole_store: bool = False) -> None:
    """Refuse an import that would reach across a tenant; nothing has been written yet.

    Args:
        store: the store the import goes into.
        records: the records, already moved into the importer's tenant (if any).
        whole_store: the importer is the whole store's own view (the operator), which
            may also bring events and references of memories the store does not hold
            at all (the deletion trail and dangling links of a whole-store export); a
            tenant's import never may.

    Raises:
        InvalidInput: a record breaks confinement (the message names its line only).
        Conflict: memory ids that already exist in the importer's own tenant.
    """
    memories = _own_ids(records, "memory", [(m.id, m.scope.tenant_id) for m in records.memories])
    stored = store.get_many([m.id for m in records.memories])
    for index, memory in enumerate(records.memories):
        if memory.id in stored and stored[memory.id].scope.tenant_id != memory.scope.tenant_id:
            raise _refused_id(records.line("memory", index), "memory")
    outside = store.get_many([i for i in _memory_references(records) if i not in memories])
    known = {**{i: m.scope.tenant_id for i, m in outside.items()}, **memories}
    for index, memory in enumerate(records.memories):
        for name, ids in (("sources", memory.sources), ("superseded_by", [memory.superseded_by])):
            ids = [i for i in ids if not (whole_store and i not in known)]
            if not _all_in(ids, known, memory.scope.tenant_id):
                raise _refused_reference(records.line("memory", index), "memory", name)
    for index, event in enumerate(records.events):
        absent = whole_store and event.memory_id not in known
        own = event.memory_id in memories and memories[event.memory_id] == event.scope.tenant_id
        if not absent and not own:
            raise _refused_reference(records.line("event", index), "event", "memory_id")
    if isinstance(store, GraphStore):
        _check_graph(store, records, known)
    if stored:
        raise Conflict(f"{len(stored)} memory ids already exist, e.g. {next(iter(stored))}")


def _memory_references(records: ImportRecords) -> set[str]:
    """Every memory id that a record of the import points at."""
    wanted = {s for m in records.memories for s in (*m.sources, m.superseded_by) if s}
    wanted |= {e.memory_id for e in records.events}
    wanted |= {m.memory_id for m in records.mentions}
    return wanted | {r.fact_id for r in records.relations if r.fact_id}


def _own_ids(
    records: ImportRecords, kind: str, ids: Iterable[tuple[str, str | None]]
) -> dict[str, str | None]:
    """The import's ids of one record type with their tenants; malformed or repeated: refused."""
    seen: dict[str, str | None] = {}
    for index, (record_id, tenant) in enumerate(ids):
        try:
            check_id(record_id, "id")
        except InvalidInput:
            raise _refused_id(records.line(kind, index), kind) from None
        if record_id in seen:
            raise _refused_id(records.line(kind, index), kind)
        seen[record_id] = tenant
    return seen


def _all_in(ids: Iterable[str | None], known: Tenants, tenant: str | None) -> bool:
    return all(i is None or (i in known and known[i] == tenant) for i in ids)


def _check_graph(store: GraphStore, records: ImportRecords, memories: Tenants) -> None:
    entities = _own_ids(records, "entity", [(e.id, e.scope.tenant_id) for e in records.entities])
    _check_stored_ids(store, records, "entity", entities)
    relations = _own_ids(
        records, "relation", [(r.id, r.scope.tenant_id) for r in records.relations]
    )
    _check_stored_ids(store, records, "relation", relations)
    ends = {i for r in records.relations for i in (r.subject_id, r.object_id) if i}
    ends |= {m.entity_id for m in records.mentions}
    outside = store.graph_tenants("entities", [i for i in ends if i not in entities])
    known = {**outside, **entities}
    for index, m in enumerate(records.mentions):
        if m.entity_id not in known or not _all_in([m.memory_id], memories, known[m.entity_id]):
            raise _refused_reference(records.line("mention", index), "mention", "memory_id")
    for index, r in enumerate(records.relations):
        tenant = r.scope.tenant_id
        if not _all_in([r.subject_id, r.object_id], known, tenant):
            raise _refused_reference(records.line("relation", index), "relation", "subject_id")
        if not _all_in([r.fact_id], memories, tenant):
            raise _refused_reference(records.line("relation", index), "relation", "fact_id")


def _check_stored_ids(store: GraphStore, records: ImportRecords, kind: str, ids: Tenants) -> None:
    table: GraphTable = "entities" if kind == "entity" else "relations"
    stored = store.graph_tenants(table, list(ids))
    for index, record_id in enumerate(ids):
        if record_id in stored and stored[record_id] != ids[record_id]:
            raise _refused_id(records.line(kind, index), kind)
