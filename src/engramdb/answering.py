"""Answers from memory.

The context is built as usual, and the model answers with citations to the memories
it used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engramdb.pipeline.llm.aliases import alias_ids, resolve_aliases
from engramdb.retrieval.context import Context

if TYPE_CHECKING:  # the runner needs pydantic; an Answer read from a server does not
    from engramdb.pipeline.llm.runner import LLMRunner

__all__ = ["Answer", "answer_from_context", "answer_from_dict", "memory_lines"]


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
        """JSON-compatible form."""
        return {
            "question": self.question,
            "answer": self.text,
            "citations": list(self.citations),
            "sources": list(self.sources),
            "prompt": self.prompt,
            "model": self.model,
            "context": self.context.to_dict(),
        }


def memory_lines(context: Context) -> tuple[list[str], dict[str, str]]:
    """The context as prompt lines, each memory led by its alias and date; the alias table."""
    items = [*context.facts, *context.episodes, *context.recent]
    table = alias_ids([i.memory.id for i in items], "M")
    alias_of = {memory_id: alias for alias, memory_id in table.items()}
    lines = list(context.profile)
    shown: set[str] = set()
    for item in items:
        if item.memory.id in shown:
            continue
        shown.add(item.memory.id)
        day = item.memory.occurred_at.date().isoformat()
        lines.append(f"[{alias_of[item.memory.id]}] ({day}) {item.line}")
    return lines, table


def answer_from_context(runner: LLMRunner, context: Context) -> Answer:
    """Ask the model to answer ``context.query`` from ``context``.

    Raises:
        LLMError: the model failed after the call policy's retries.
    """
    from engramdb.pipeline.llm.schemas import AnswerOutput

    lines, table = memory_lines(context)
    output, prompt_id = runner.ask(
        "answer", AnswerOutput, question=context.query, memories="\n".join(lines) or "(none)"
    )
    cited = resolve_aliases(output.citations, table)
    items = {i.memory.id: i for i in (*context.facts, *context.episodes, *context.recent)}
    sources = dict.fromkeys(s for memory_id in cited for s in items[memory_id].cites)
    return Answer(
        question=context.query,
        text=output.answer.strip(),
        citations=tuple(cited),
        sources=tuple(sources),
        context=context,
        prompt=prompt_id,
        model=runner.model.name,
    )


def answer_from_dict(data: dict[str, Any]) -> Answer:
    """An :class:`Answer` from its :meth:`Answer.to_dict` form (e.g. a server's reply)."""
    from engramdb.wire import context_from_dict

    return Answer(
        question=data["question"],
        text=data["answer"],
        citations=tuple(data["citations"]),
        sources=tuple(data["sources"]),
        context=context_from_dict(data["context"]),
        prompt=data["prompt"],
        model=data["model"],
    )
