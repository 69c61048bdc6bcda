"""Retrieval metrics over ranked evidence ids: recall@k, recall within a token budget, MRR."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean

__all__ = ["QuestionResult", "RankedEvidence", "Summary", "score_question", "summarize"]


@dataclass(frozen=True, slots=True)
class RankedEvidence:
    """What a search returned, as evidence units in rank order.

    Attributes:
        turns: evidence turn ids in order of first appearance.
        tokens_before: for each turn, the tokens of returned text up to and including
            the hit that first produced it.
    """

    turns: tuple[str, ...]
    tokens_before: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """Metrics of one question."""

    category: str
    recall_at: dict[int, float]
    recall_tokens: dict[int, float]
    session_recall_at: dict[int, float]
    reciprocal_rank: float


@dataclass
class Summary:
    """Mean metrics of a group of questions."""

    questions: int = 0
    recall_at: dict[int, float] = field(default_factory=dict)
    recall_tokens: dict[int, float] = field(default_factory=dict)
    session_recall_at: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0


def _session(turn_id: str) -> str:
    return turn_id.split(":", 1)[0]


def score_question(
    category: str,
    gold: Sequence[str],
    ranked: RankedEvidence,
    *,
    ks: Sequence[int],
    budgets: Sequence[int],
    session_ks: Sequence[int],
) -> QuestionResult:
    """Score one question's ranked evidence against its gold evidence turn ids."""
    gold_set = set(gold)
    turns = ranked.turns
    recall_at = {k: len(gold_set & set(turns[:k])) / len(gold_set) for k in ks}
    recall_tokens = {
        budget: len(
            gold_set
            & {t for t, used in zip(turns, ranked.tokens_before, strict=True) if used <= budget}
        )
        / len(gold_set)
        for budget in budgets
    }
    gold_sessions = {_session(t) for t in gold_set}
    sessions = list(dict.fromkeys(_session(t) for t in turns))
    session_recall = {
        k: len(gold_sessions & set(sessions[:k])) / len(gold_sessions) for k in session_ks
    }
    first = next((rank for rank, t in enumerate(turns, start=1) if t in gold_set), None)
    return QuestionResult(
        category, recall_at, recall_tokens, session_recall, 1 / first if first else 0.0
    )


def summarize(results: Sequence[QuestionResult]) -> Summary:
    """Means over ``results`` (an empty group gives zeros)."""
    if not results:
        return Summary()
    first = results[0]
    return Summary(
        questions=len(results),
        recall_at={k: fmean(r.recall_at[k] for r in results) for k in first.recall_at},
        recall_tokens={b: fmean(r.recall_tokens[b] for r in results) for b in first.recall_tokens},
        session_recall_at={
            k: fmean(r.session_recall_at[k] for r in results) for k in first.session_recall_at
        },
        mrr=fmean(r.reciprocal_rank for r in results),
    )
