"""An answer from memory, with the memories it cites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engramdb.model.context import Context

__all__ = ["Answer"]


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer and what it rests on.

    Attributes:
        question: what was asked.
        text: the model's answer.
        citations: ids of the memories the model cited (facts, turns or gists).
        sources: ids of the turns those memories stand for (a fact counts as its sources).
        context: the context the model was given.
        prompt: the prompt's ``name@version``.
        model: the model that answered.
    """

    question: str
    text: str
    citations: tuple[str, ...]
    sources: tuple[str, ...]
    context: Context
    prompt: str
    model: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form; see :mod:`engramdb.model.codec`."""
        from engramdb.model.codec import answer_to_dict

        return answer_to_dict(self)
