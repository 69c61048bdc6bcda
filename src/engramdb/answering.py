"""Answers from memory.

The context is built as usual, and the model answers with citations to the memories
it used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engramdb.model.answer import Answer
from engramdb.model.context import Context
from engramdb.pipeline.llm.aliases import alias_ids, resolve_aliases

if TYPE_CHECKING:  # the runner needs pydantic; an Answer read from a server does not
    from engramdb.pipeline.llm.runner import LLMRunner

__all__ = ["Answer", "answer_from_context", "memory_lines"]


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
