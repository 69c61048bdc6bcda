"""LoCoMo in context mode: evidence recall within the packed context of ``Memory.context``.

For each question, the context is built with a token budget, and a gold evidence
turn counts as found when the context shows it, or shows a fact drawn from it.
The same question's search-only recall within the same budget (hits' texts
counted until the budget is spent) is reported beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from engramdb.engine import Memory
from engramdb.eval.locomo import (
    CATEGORY_NAMES,
    Conversation,
    Question,
    asked_after,
    ingest_unless_stored,
    ranked_evidence,
)

__all__ = ["ContextReport", "evaluate_context", "render_context_table"]


@dataclass(frozen=True, slots=True)
class _Scored:
    context_recall: float
    search_recall: float
    tokens: int


@dataclass
class ContextReport:
    """Context recall, search recall at the same budget, and tokens used, per category."""

    budget: int
    by_category: dict[str, list[_Scored]]

    def _summary(self, scores: Sequence[_Scored]) -> dict[str, Any]:
        return {
            "questions": len(scores),
            "context_recall": round(fmean(s.context_recall for s in scores), 4),
            "search_recall": round(fmean(s.search_recall for s in scores), 4),
            "mean_tokens": round(fmean(s.tokens for s in scores), 1),
            "max_tokens": max(s.tokens for s in scores),
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict."""
        every = [s for scores in self.by_category.values() for s in scores]
        return {
            "budget_tokens": self.budget,
            "overall": self._summary(every),
            "by_category": {
                f"{c} {CATEGORY_NAMES.get(c, '')}".strip(): self._summary(s)
                for c, s in sorted(self.by_category.items())
            },
        }


def _score(memory: Memory, conversation: Conversation, question: Question, budget: int) -> _Scored:
    context = memory.context(
        question.text, user_id=conversation.user_id, budget_tokens=budget, reinforce=False
    )
    shown = memory.store.get_many(list(context.sources))
    found = {m.metadata.get("dia_id") for m in shown.values()}
    hits = memory.search(question.text, user_id=conversation.user_id, k=100)
    ranked = ranked_evidence(hits)
    within = {
        t for t, used in zip(ranked.turns, ranked.tokens_before, strict=True) if used <= budget
    }
    gold = question.evidence
    return _Scored(
        sum(g in found for g in gold) / len(gold),
        sum(g in within for g in gold) / len(gold),
        context.tokens,
    )


def evaluate_context(
    memory: Memory,
    conversations: Sequence[Conversation],
    *,
    budget: int = 1000,
    categories: Sequence[str] = ("1", "2", "3", "4"),
    ingest: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> ContextReport:
    """Ingest (unless already done), build a context per question and score it."""
    by_category: dict[str, list[_Scored]] = defaultdict(list)
    for conversation in conversations:
        if ingest:
            added = ingest_unless_stored(memory, conversation)
            if progress:
                progress("turns", added)
        for question in conversation.questions:
            if question.category in categories and question.evidence:
                with asked_after(memory, conversation):
                    scored = _score(memory, conversation, question, budget)
                by_category[question.category].append(scored)
                if progress:
                    progress("questions", 1)
    return ContextReport(budget, dict(by_category))


def render_context_table(report: ContextReport) -> str:
    """A fixed-width table: context recall beside search recall, and tokens used."""
    data = report.to_json()
    header = f"{'category':<16}{'n':>6}{'context R':>11}{'search R':>10}{'tokens':>8}{'max':>6}"
    rows = [f"evidence recall within {report.budget} tokens", header, "-" * len(header)]
    for label, s in [*data["by_category"].items(), ("overall", data["overall"])]:
        rows.append(
            f"{label:<16}{s['questions']:>6}{s['context_recall']:>11.3f}{s['search_recall']:>10.3f}"
            f"{s['mean_tokens']:>8.0f}{s['max_tokens']:>6}"
        )
    return "\n".join(rows)
