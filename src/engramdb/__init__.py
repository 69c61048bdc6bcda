"""engramdb: long-term memory for LLM agents.

Quick start::

    from engramdb import Memory
    with Memory.open("agent.db") as mem:
        mem.add([{"role": "user", "name": "Ana", "content": "I moved to Lisbon"}], user_id="ana")
        for hit in mem.search("Where does Ana live?", user_id="ana"):
            print(hit.memory.text, hit.explain())
"""

from engramdb.aio import AsyncMemory
from engramdb.api import MemoryAPI
from engramdb.engine import Memory
from engramdb.errors import (
    BackendUnavailable,
    CapabilityMissing,
    ConfigError,
    Conflict,
    EmbedderMismatch,
    EmbeddingError,
    EngramError,
    FilterError,
    IntegrityViolation,
    InvalidInput,
    LLMError,
    LLMOutputError,
    LLMUnavailable,
    MigrationError,
    NotFound,
    PermissionDenied,
    RemoteError,
    StorageError,
    StoreLocked,
    Unauthenticated,
)
from engramdb.keys import KeyRing
from engramdb.model.answer import Answer
from engramdb.model.context import Context, ContextItem
from engramdb.model.graph import Entity, EntityMention, EntityPage, Relation
from engramdb.model.jobs import Job, JobStatus
from engramdb.model.keys import ApiKey
from engramdb.model.lineage import Lineage, Timeline
from engramdb.model.memory import (
    EventKind,
    MemoryEvent,
    MemoryKind,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from engramdb.model.procedure import Procedure
from engramdb.model.profile import Profile, ProfileValue
from engramdb.model.query import Hit, Page, Signal
from engramdb.ports.clock import Clock, SystemClock
from engramdb.ports.embedder import Embedder
from engramdb.retrieval.retriever import RetrievalSettings

__version__ = "0.1.0"

__all__ = [
    "Answer",
    "ApiKey",
    "AsyncMemory",
    "BackendUnavailable",
    "CapabilityMissing",
    "Clock",
    "ConfigError",
    "Conflict",
    "Context",
    "ContextItem",
    "Embedder",
    "EmbedderMismatch",
    "EmbeddingError",
    "EngramError",
    "Entity",
    "EntityMention",
    "EntityPage",
    "EventKind",
    "FilterError",
    "Hit",
    "IntegrityViolation",
    "InvalidInput",
    "Job",
    "JobStatus",
    "KeyRing",
    "LLMError",
    "LLMOutputError",
    "LLMUnavailable",
    "Lineage",
    "Memory",
    "MemoryAPI",
    "MemoryEvent",
    "MemoryKind",
    "MemoryRecord",
    "MemoryStatus",
    "MigrationError",
    "NotFound",
    "Page",
    "PermissionDenied",
    "Procedure",
    "Profile",
    "ProfileValue",
    "Relation",
    "RemoteError",
    "RetrievalSettings",
    "Scope",
    "Signal",
    "StorageError",
    "StoreLocked",
    "SystemClock",
    "Timeline",
    "Unauthenticated",
    "__version__",
]
