"""LangChain on engramdb: a retriever and a chat message history (the ``langchain`` extra).

``EngramRetriever`` is a ``BaseRetriever``: engramdb's hybrid recall as documents, each
with its reasons and source turns in its metadata. ``EngramChatHistory`` is a
``BaseChatMessageHistory``: a session's messages, stored verbatim as turns (and understood,
so they are also recalled by the retriever and every other surface).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.documents import Document
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from engramdb.engine import Memory
from engramdb.integrations._paging import every_turn
from engramdb.model.query import Hit

__all__ = ["EngramChatHistory", "EngramRetriever"]

_ROLE_OF = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


class EngramRetriever(BaseRetriever):
    """Recall from an engramdb store for a LangChain chain or agent.

    Attributes:
        memory: the open store.
        user_id: scope to recall from (at least one scope key).
        agent_id: scope.
        session_id: scope.
        k: how many documents.
        budget_tokens: stop before the documents' texts exceed this many tokens.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    memory: Memory
    user_id: str | None = None
    agent_id: str | None = None
    session_id: str | None = None
    k: int = 10
    budget_tokens: int | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.memory.search(
            query, user_id=self.user_id, agent_id=self.agent_id, session_id=self.session_id,
            k=self.k, budget_tokens=self.budget_tokens,
        )  # fmt: skip
        return [_document(hit) for hit in hits]


def _document(hit: Hit) -> Document:
    memory = hit.memory
    return Document(
        page_content=memory.text,
        id=memory.id,
        metadata={
            "id": memory.id,
            "kind": memory.kind.value,
            "score": hit.score,
            "why": [signal.name for signal in hit.why],
            "explain": hit.explain(),
            "sources": [s.id for s in hit.sources],
            "occurred_at": memory.occurred_at.isoformat(),
            "speaker": memory.speaker,
            **memory.metadata,
        },
    )


class EngramChatHistory(BaseChatMessageHistory):
    """The messages of one conversation (an engramdb session), oldest first.

    Args:
        memory: the open store.
        session_id: the conversation.
        user_id: whose conversation (a user and / or an agent is usual).
        agent_id: the agent in it.
    """

    def __init__(
        self,
        memory: Memory,
        session_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
    ) -> None:
        self.memory = memory
        self.user_id, self.agent_id, self.session_id = user_id, agent_id, session_id

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """Every message of the conversation, as it was said."""
        turns = every_turn(
            self.memory, user_id=self.user_id, agent_id=self.agent_id, session_id=self.session_id
        )
        return [_message(turn.role, turn.text, turn.speaker) for turn in turns]

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Store messages, in order, in one call."""
        said = [
            {"role": _ROLE_OF.get(m.type, "user"), "content": _content(m), **_name(m)}
            for m in messages
        ]
        if said:
            self.memory.add(
                said, user_id=self.user_id, agent_id=self.agent_id, session_id=self.session_id
            )

    def clear(self) -> None:
        """Erase the conversation (and what was drawn from it)."""
        self.memory.delete_all(
            user_id=self.user_id, agent_id=self.agent_id, session_id=self.session_id
        )


def _content(message: BaseMessage) -> str:
    content: Any = message.content
    if isinstance(content, str):
        return content
    return " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part)
                    for part in content)  # fmt: skip


def _name(message: BaseMessage) -> dict[str, str]:
    name = getattr(message, "name", None)
    return {"name": name} if isinstance(name, str) and name else {}


def _message(role: str | None, text: str, speaker: str | None) -> BaseMessage:
    if role == "assistant":
        return AIMessage(content=text, name=speaker)
    if role == "system":
        return SystemMessage(content=text)
    if role == "tool":
        return ToolMessage(content=text, tool_call_id=speaker or "tool")
    return HumanMessage(content=text, name=speaker)
