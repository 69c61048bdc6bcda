"""LongMemEval: one user talking to an assistant over many sessions.

Each question brings its own history (a "haystack" of about 50 sessions). It is
ingested into a fresh scope (``user_id = "lme:<question_id>"``), in the order given,
through the bulk path (:meth:`Memory.add_batch`), each session at its date, turns
spoken by their role. The question is then asked with the clock at its
``question_date``. Gold evidence: the turns marked ``has_answer`` (turn recall) and
``answer_session_ids`` (session recall and NDCG). Abstention questions (``_abs``)
have no evidence: they are left out of recall and reported apart.

Reference: Wu et al., *LongMemEval: Benchmarking Chat Assistants on Long-Term
Interactive Memory*, ICLR 2025.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean
from typing import Any

from engramdb.engine import Memory
from engramdb.errors import InvalidInput
from engramdb.eval.locomo import clock_at, ranked_evidence
from engramdb.eval.metrics import QuestionResult, Summary, score_question, summarize, timing
from engramdb.model.memory import Scope

__all__ = [
    "QUESTION_TYPES",
    "LMEQuestion",
    "LMEReport",
    "evaluate_longmemeval",
    "haystack_batch",
    "ingest_haystack",
    "load_longmemeval",
    "parse_lme_date",
    "sample_questions",
]

QUESTION_TYPES = (
    "single-session-user",
    "single-session-assistant",
    "single-session-preference",
    "multi-session",
    "temporal-reasoning",
    "knowledge-update",
)
KS = (5, 10, 20)
BUDGETS = (500, 1000, 2000)
SESSION_KS = (1, 3, 5, 10)
TURN_KEY = "turn_id"  # the metadata key naming a turn "<session_id>:<index>"


@dataclass(frozen=True, slots=True)
class LMESession:
    """One history session: its id, date and turns (raw ``role``/``content`` dicts)."""

    session_id: str
    when: datetime
    turns: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class LMEQuestion:
    """One LongMemEval question with its haystack and gold evidence."""

    question_id: str
    question_type: str
    question: str
    asked_at: datetime
    answer: str
    answer_sessions: tuple[str, ...]
    sessions: tuple[LMESession, ...]

    @property
    def abstention(self) -> bool:
        """Whether the answer is not in the history (the ``_abs`` questions)."""
        return self.question_id.endswith("_abs")

    @property
    def user_id(self) -> str:
        """The scope this question's haystack is ingested into."""
        return f"lme:{self.question_id}"

    @property
    def gold_turns(self) -> tuple[str, ...]:
        """Ids of the turns that hold the answer."""
        return tuple(
            f"{s.session_id}:{i}"
            for s in self.sessions
            for i, turn in enumerate(s.turns)
            if turn.get("has_answer")
        )

    @property
    def turn_count(self) -> int:
        """Turns with text (the ones ingested)."""
        return sum(1 for s in self.sessions for t in s.turns if _content(t))


def parse_lme_date(text: str) -> datetime:
    """``"2023/05/30 (Tue) 23:42"`` -> an aware datetime (the data has no zone: UTC)."""
    try:
        return datetime.strptime(text.strip(), "%Y/%m/%d (%a) %H:%M").replace(tzinfo=UTC)
    except (ValueError, AttributeError):
        raise InvalidInput(f"unrecognised LongMemEval date {text!r}") from None


def load_longmemeval(path: str | Path) -> list[LMEQuestion]:
    """Parse a LongMemEval file (``.json`` or ``.json.gz``, the upstream format).

    Raises:
        InvalidInput: the file is not in LongMemEval format.
    """
    path = Path(path)
    try:
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            raw = json.load(handle)
        return [_question(item) for item in raw]
    except (OSError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise InvalidInput(f"{path} is not a LongMemEval file: {exc!r}") from exc


def _question(item: dict[str, Any]) -> LMEQuestion:
    ids, dates, sessions = (
        item["haystack_session_ids"],
        item["haystack_dates"],
        item["haystack_sessions"],
    )
    if not len(ids) == len(dates) == len(sessions):
        raise ValueError(f"question {item['question_id']}: haystack lists differ in length")
    return LMEQuestion(
        question_id=str(item["question_id"]),
        question_type=str(item["question_type"]),
        question=str(item["question"]),
        asked_at=parse_lme_date(item["question_date"]),
        answer=str(item["answer"]),
        answer_sessions=tuple(str(s) for s in item.get("answer_session_ids", [])),
        sessions=tuple(
            LMESession(str(sid), parse_lme_date(date), tuple(turns))
            for sid, date, turns in zip(ids, dates, sessions, strict=True)
        ),
    )


def sample_questions(
    questions: Sequence[LMEQuestion],
    *,
    per_type: int | None = None,
    total: int | None = None,
    types: Sequence[str] | None = None,
    seed: int = 0,
) -> list[LMEQuestion]:
    """A fixed, reproducible subset, in file order.

    The chosen types, then ``per_type`` questions of each, or ``total`` spread evenly
    across the types (round robin), drawn with ``seed``.
    """
    pool = [q for q in questions if types is None or q.question_type in types]
    if per_type is None and total is None:
        return pool
    by_type: dict[str, list[LMEQuestion]] = defaultdict(list)
    for question in pool:
        by_type[question.question_type].append(question)
    rng = random.Random(seed)
    for group in by_type.values():
        rng.shuffle(group)
    chosen: list[LMEQuestion] = []
    limit = total if total is not None else 10**9
    depth = 0
    while len(chosen) < limit and any(len(g) > depth for g in by_type.values()):
        if per_type is not None and depth >= per_type:
            break
        for name in sorted(by_type):
            if depth < len(by_type[name]) and len(chosen) < limit:
                chosen.append(by_type[name][depth])
        depth += 1
    order = {q.question_id: i for i, q in enumerate(questions)}
    return sorted(chosen, key=lambda q: order[q.question_id])


def _content(turn: dict[str, Any]) -> str:
    return str(turn.get("content") or "").strip()


def haystack_batch(question: LMEQuestion) -> list[dict[str, Any]]:
    """The :meth:`Memory.add_batch` items that store ``question``'s history, one per session."""
    items = []
    for session in question.sessions:
        messages = [
            {
                "role": turn["role"],
                "content": _content(turn),
                "metadata": {TURN_KEY: f"{session.session_id}:{index}"},
            }
            for index, turn in enumerate(session.turns)
            if _content(turn)
        ]
        if messages:
            items.append(
                {
                    "messages": messages,
                    "user_id": question.user_id,
                    "session_id": session.session_id,
                    "timestamp": session.when,
                }
            )
    return items


@dataclass
class LMEReport:
    """Per-type and overall retrieval metrics, abstention questions apart, and timing."""

    by_type: dict[str, Summary]
    overall: Summary
    questions: int
    turns: int
    abstention: dict[str, Any] = field(default_factory=dict)
    timing: dict[str, float] = field(default_factory=dict)
    #: each answerable question's id, type, recall@10 and gold turns' ranks, in order
    per_question: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict."""
        return {
            "questions": self.questions,
            "turns": self.turns,
            "overall": summary_json(self.overall),
            "by_type": {t: summary_json(s) for t, s in sorted(self.by_type.items())},
            "abstention": self.abstention,
            "timing": {k: round(v, 3) for k, v in self.timing.items()},
            "per_question": self.per_question,
        }


def summary_json(s: Summary) -> dict[str, Any]:
    """One group's metrics, named as in the LongMemEval paper."""
    return {
        "questions": s.questions,
        **{f"recall@{k}": round(v, 4) for k, v in s.recall_at.items()},
        **{f"recall@{b}tok": round(v, 4) for b, v in s.recall_tokens.items()},
        **{f"ndcg@{k}": round(v, 4) for k, v in s.ndcg_at.items()},
        **{f"session_recall_any@{k}": round(v, 4) for k, v in s.session_any_at.items()},
        **{f"session_recall_all@{k}": round(v, 4) for k, v in s.session_all_at.items()},
        **{f"session_ndcg@{k}": round(v, 4) for k, v in s.session_ndcg_at.items()},
        "mrr": round(s.mrr, 4),
    }


Progress = Callable[[str, int], None]


def ingest_haystack(memory: Memory, question: LMEQuestion) -> int:
    """Store ``question``'s history in its scope (unless already there); turns added.

    The clock stands at the end of the history while it is stored: everything is
    learned by then.
    """
    scope = Scope(user_id=question.user_id, tenant_id=memory.tenant_id)
    if memory.store.latest_time(scope) is not None:  # stored by an earlier run (--db)
        return 0
    learned = max(question.asked_at, *(s.when for s in question.sessions))
    with clock_at(memory, learned):
        return sum(len(stored) for stored in memory.add_batch(haystack_batch(question)))


def evaluate_longmemeval(
    memory: Memory,
    questions: Sequence[LMEQuestion],
    *,
    k: int = 100,
    progress: Progress | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> LMEReport:
    """Ingest each question's haystack into its own scope, ask it, score it.

    Args:
        memory: the engine to evaluate; a haystack already in its scope is not
            ingested again (so retrieval settings can be compared on one store).
        questions: parsed questions (abstention ones included: reported apart).
        k: hits retrieved per question (enough to fill the largest token budget).
        progress: called with ``("turns" | "questions", n)`` as work is done.
        timer: a monotonic timer in seconds.
    """
    results: list[QuestionResult] = []
    per_question: list[dict[str, Any]] = []
    top_scores: dict[bool, list[float]] = {True: [], False: []}
    ingest_s = 0.0
    searches: list[float] = []
    turns = 0
    for question in questions:
        started = timer()
        added = ingest_haystack(memory, question)
        ingest_s += timer() - started if added else 0.0
        turns += added
        if progress:
            progress("turns", question.turn_count)
        started = timer()
        with clock_at(memory, question.asked_at):
            hits = memory.search(question.question, user_id=question.user_id, k=k)
        searches.append(timer() - started)
        top_scores[question.abstention].append(hits[0].score if hits else 0.0)
        if not question.abstention:
            result = score_question(
                question.question_type,
                question.gold_turns,
                ranked_evidence(hits, TURN_KEY),
                ks=KS,
                budgets=BUDGETS,
                session_ks=SESSION_KS,
                gold_sessions=question.answer_sessions,
            )
            results.append(result)
            per_question.append(_question_json(question, result))
        if progress:
            progress("questions", 1)
    grouped: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        grouped[result.category].append(result)
    return LMEReport(
        {t: summarize(r) for t, r in grouped.items()},
        summarize(results),
        len(questions),
        turns,
        abstention={
            "questions": len(top_scores[True]),
            "mean_top_score": _mean(top_scores[True]),
            "mean_top_score_answerable": _mean(top_scores[False]),
        },
        timing=timing(ingest_s, turns, searches),
        per_question=per_question,
    )


def _question_json(question: LMEQuestion, result: QuestionResult) -> dict[str, Any]:
    return {
        "question_id": question.question_id,
        "type": question.question_type,
        "recall@10": round(result.recall_at[10], 4),
        "gold_ranks": list(result.gold_ranks),
    }


def _mean(values: Sequence[float]) -> float | None:
    return round(fmean(values), 4) if values else None
