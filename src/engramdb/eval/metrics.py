"""Retrieval metrics over ranked evidence ids: recall, budgeted recall, sessions, NDCG, MRR.

Evidence ids are turn ids of the form ``"<session>:<turn>"``; a turn's session is
what comes before its last colon.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from statistics import fmean, median

__all__ = [
    "QuestionResult",
    "RankedEvidence",
    "Summary",
    "ndcg",
    "score_question",
    "session_of",
    "summarize",
    "timing",
]


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
    """Metrics of one question.

    ``session_recall_at`` is the share of gold sessions in the first k sessions
    (recall_any@k is whether that share is above zero, recall_all@k whether it is one).
    """

    category: str
    recall_at: dict[int, float]
    recall_tokens: dict[int, float]
    session_recall_at: dict[int, float]
    reciprocal_rank: float
    ndcg_at: dict[int, float] = field(default_factory=dict)
    session_ndcg_at: dict[int, float] = field(default_factory=dict)
    #: each gold turn's rank in the evidence (from 1; None when not found), gold order
    gold_ranks: tuple[int | None, ...] = ()


@dataclass
class Summary:
    """Mean metrics of a group of questions."""

    questions: int = 0
    recall_at: dict[int, float] = field(default_factory=dict)
    recall_tokens: dict[int, float] = field(default_factory=dict)
    session_recall_at: dict[int, float] = field(default_factory=dict)
    mrr: float = 0.0
    ndcg_at: dict[int, float] = field(default_factory=dict)
    session_any_at: dict[int, float] = field(default_factory=dict)
    session_all_at: dict[int, float] = field(default_factory=dict)
    session_ndcg_at: dict[int, float] = field(default_factory=dict)


def session_of(turn_id: str) -> str:
    """The session part of a turn id (``"D3:14"`` -> ``"D3"``)."""
    return turn_id.rsplit(":", 1)[0]


def ndcg(ranked: Sequence[str], gold: Collection[str], k: int) -> float:
    """Binary-relevance NDCG@k of ``ranked`` against ``gold``."""
    gain = sum(1 / math.log2(rank + 1) for rank, i in enumerate(ranked[:k], 1) if i in gold)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(gold), k) + 1))
    return gain / ideal if ideal else 0.0


def score_question(
    category: str,
    gold: Sequence[str],
    ranked: RankedEvidence,
    *,
    ks: Sequence[int],
    budgets: Sequence[int],
    session_ks: Sequence[int],
    gold_sessions: Collection[str] | None = None,
) -> QuestionResult:
    """Score one question's ranked evidence against its gold evidence turn ids.

    ``gold_sessions`` defaults to the sessions of the gold turns.
    """
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
    wanted = set(gold_sessions) if gold_sessions else {session_of(t) for t in gold_set}
    sessions = list(dict.fromkeys(session_of(t) for t in turns))
    session_recall = {k: len(wanted & set(sessions[:k])) / len(wanted) for k in session_ks}
    first = next((rank for rank, t in enumerate(turns, start=1) if t in gold_set), None)
    return QuestionResult(
        category,
        recall_at,
        recall_tokens,
        session_recall,
        1 / first if first else 0.0,
        ndcg_at={k: ndcg(turns, gold_set, k) for k in ks},
        session_ndcg_at={k: ndcg(sessions, wanted, k) for k in session_ks},
        gold_ranks=tuple(turns.index(t) + 1 if t in turns else None for t in gold),
    )


def summarize(results: Sequence[QuestionResult]) -> Summary:
    """Means over ``results`` (an empty group gives zeros)."""
    if not results:
        return Summary()
    first = results[0]

    def mean(pick: str, k: int) -> float:
        return fmean(getattr(r, pick)[k] for r in results)

    return Summary(
        questions=len(results),
        recall_at={k: mean("recall_at", k) for k in first.recall_at},
        recall_tokens={b: mean("recall_tokens", b) for b in first.recall_tokens},
        session_recall_at={k: mean("session_recall_at", k) for k in first.session_recall_at},
        mrr=fmean(r.reciprocal_rank for r in results),
        ndcg_at={k: mean("ndcg_at", k) for k in first.ndcg_at},
        session_any_at={
            k: fmean(float(r.session_recall_at[k] > 0) for r in results)
            for k in first.session_recall_at
        },
        session_all_at={
            k: fmean(float(r.session_recall_at[k] >= 1.0) for r in results)
            for k in first.session_recall_at
        },
        session_ndcg_at={k: mean("session_ndcg_at", k) for k in first.session_ndcg_at},
    )


def timing(ingest_s: float, turns: int, searches: Sequence[float]) -> dict[str, float]:
    """An evaluation's speed: ingest seconds and turns/s, search seconds and median (ms)."""
    return {
        "ingest_s": ingest_s,
        "turns_per_s": turns / ingest_s if ingest_s else 0.0,
        "search_s": sum(searches),
        "search_p50_ms": 1000 * median(searches) if searches else 0.0,
    }
