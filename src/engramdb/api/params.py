"""The parameter types the operations share, with their bounds and docs, and the limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from engramdb.api.declare import Doc, Length, Local, Range, Wire
from engramdb.model.validation import MAX_ID_CHARS as MAX_ID_CHARS
from engramdb.model.validation import MAX_TEXT_CHARS as MAX_TEXT_CHARS

CONTEXT_BUDGET = 1500  # tokens of a context (and of the answer's context) by default
MAX_K = 1000  # hits per search
MAX_PAGE = 1000  # memories per page of a listing
MAX_JOBS = 10_000  # jobs per listing, job ids per retry
MAX_BATCH = 100  # items per add_batch
MAX_MESSAGES_PER_ADD = 1000  # messages per add (also the REST body's bound)


# --------------------------------------------------------- parameter types
UserId = Annotated[str | None, Length(1, MAX_ID_CHARS), Doc("The user the memories belong to.")]
AgentId = Annotated[str | None, Length(1, MAX_ID_CHARS), Doc("The agent the memories belong to.")]
SessionId = Annotated[str | None, Length(1, MAX_ID_CHARS), Doc("The session (run / conversation).")]
MemoryId = Annotated[str, Length(1, MAX_ID_CHARS), Doc("A memory's id.")]
Text = Annotated[str, Length(1, MAX_TEXT_CHARS)]
Query = Annotated[Text, Doc("What to look for, as a question or keywords.")]
Metadata = Annotated[dict[str, Any] | None, Doc("Free-form JSON data kept with the memory.")]
Filters = Annotated[dict[str, Any] | None, Doc("Metadata filter, e.g. {'topic': 'work'}.")]
Time = datetime | str
AsOf = Annotated[Time | None, Doc("Recall what was true at this time (ISO 8601 with offset).")]
Budget = Annotated[int, Range(ge=50, le=100_000), Doc("Token budget of the context.")]
Task = Annotated[Text, Doc("The task, in words.")]
Owner = Annotated[str, Length(1, MAX_TEXT_CHARS)]
Progress = Annotated[Callable[..., None] | None, Local("a callback runs in the store's process")]
Sync = Annotated[bool, Local("waits for this process's LLM worker"), Doc("Run the LLM first.")]
IdempotencyKey = Annotated[
    str | None,
    Length(1, MAX_ID_CHARS),
    Doc("A key of the client's choosing: a retry with it returns the first result."),
]
Messages = Annotated[Any, Wire("Messages"), Doc("Chat messages, or one string.")]
