"""The language-model port: one chat call that returns text and its token counts.

An LLM is optional in engramdb. Providers (``engramdb.providers.llm``) implement
this protocol over HTTP; the pipeline only sees :class:`ChatModel` and the errors
:class:`~engramdb.errors.LLMUnavailable` (retryable) and
:class:`~engramdb.errors.LLMError` (not retryable).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["ChatModel", "ChatReply", "Message"]

Message = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ChatReply:
    """What the model answered, with the tokens it cost.

    Attributes:
        text: the assistant message content.
        model: the model that answered (as the server names it).
        prompt_tokens: input tokens (reported by the server, else counted locally).
        completion_tokens: output tokens.
    """

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int


@runtime_checkable
class ChatModel(Protocol):
    """A chat-completions model.

    Attributes:
        name: identity recorded in what the model produced (``provider:model``).
        input_price: currency units per million input tokens (0 when free or unknown).
        output_price: currency units per million output tokens.
    """

    name: str
    input_price: float
    output_price: float

    def chat(self, messages: Sequence[Message], *, json_output: bool = True) -> ChatReply:
        """One completion; ``json_output`` asks for a JSON object when the server can.

        Raises:
            LLMUnavailable: unreachable, timed out, 429 or 5xx (worth retrying).
            LLMError: any other failure (e.g. 401, 400).
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...
