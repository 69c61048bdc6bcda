"""The REST wire form of results, by their declared type (server, client, MCP, CLI).

Each type's JSON pair is in :mod:`engramdb.model.codec`; this table says which pair a
declared result type travels in. A wire shape that should differ from the record's
(a renamed field, say) is changed here, and stored data is not touched.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from engramdb.model.answer import Answer
from engramdb.model.codec import (
    answer_from_dict,
    answer_to_dict,
    context_from_dict,
    context_to_dict,
    entity_from_dict,
    entity_page_from_dict,
    entity_page_to_dict,
    entity_to_dict,
    event_from_dict,
    event_to_dict,
    hit_from_dict,
    hit_to_dict,
    job_from_dict,
    job_to_dict,
    lineage_from_dict,
    lineage_to_dict,
    memory_from_dict,
    memory_to_dict,
    page_from_dict,
    page_to_dict,
    procedure_from_dict,
    procedure_to_dict,
    profile_from_dict,
    profile_to_dict,
    timeline_from_dict,
    timeline_to_dict,
)
from engramdb.model.context import Context
from engramdb.model.graph import Entity, EntityPage
from engramdb.model.jobs import Job
from engramdb.model.lineage import Lineage, Timeline
from engramdb.model.memory import MemoryEvent, MemoryRecord
from engramdb.model.procedure import Procedure
from engramdb.model.profile import Profile
from engramdb.model.query import Hit, Page

__all__ = ["from_wire", "to_wire"]


# each result type and its (to JSON, from JSON) pair
_CODECS: dict[type, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    MemoryRecord: (memory_to_dict, memory_from_dict),
    Hit: (hit_to_dict, hit_from_dict),
    Page: (page_to_dict, page_from_dict),
    MemoryEvent: (event_to_dict, event_from_dict),
    Entity: (entity_to_dict, entity_from_dict),
    EntityPage: (entity_page_to_dict, entity_page_from_dict),
    Profile: (profile_to_dict, profile_from_dict),
    Context: (context_to_dict, context_from_dict),
    Procedure: (procedure_to_dict, procedure_from_dict),
    Job: (job_to_dict, job_from_dict),
    Answer: (answer_to_dict, answer_from_dict),
    Lineage: (lineage_to_dict, lineage_from_dict),
    Timeline: (timeline_to_dict, timeline_from_dict),
}


def to_wire(value: Any, annotation: Any) -> Any:
    """The JSON form of an operation's result, by its declared type."""
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return [to_wire(v, item) for v in value]
    codec = _CODECS.get(annotation)
    return value if codec is None else codec[0](value)


def from_wire(data: Any, annotation: Any) -> Any:
    """Inverse of :func:`to_wire`: the result object from its JSON form."""
    if annotation is type(None):
        return None
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        return [from_wire(v, item) for v in data]
    if annotation is int:
        return int(data)
    codec = _CODECS.get(annotation)
    return data if codec is None else codec[1](data)
