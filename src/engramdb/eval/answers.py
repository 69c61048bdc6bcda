"""LoCoMo answered by an LLM: accuracy by the standard LLM judge, and token F1.

Each question is answered from the context engramdb builds (``Memory.answer``), or,
for the baseline, from the whole conversation (``full_context``). The judge prompt
labels each answer CORRECT or WRONG against the gold answer; token F1 is the usual
SQuAD-style overlap. Tokens and latency are those of the answering call.
"""

from __future__ import annotations

import re
import string
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from engramdb.engine import Memory
from engramdb.errors import CapabilityMissing, LLMError
from engramdb.eval.locomo import (
    CATEGORY_NAMES,
    Conversation,
    Question,
    asked_after,
    ingest_conversation,
)
from engramdb.eval.locomo import turn_text as locomo_turn_text
from engramdb.pipeline.llm.runner import percentile

__all__ = [
    "AnswerReport",
    "Answered",
    "answer_tokens",
    "evaluate_answers",
    "judged_answer",
    "render_answer_table",
    "token_f1",
]

_ARTICLES = re.compile(r"\b(a|an|the|and)\b")


@dataclass(frozen=True, slots=True)
class Answered:
    """One question's outcome."""

    category: str
    correct: bool
    f1: float
    tokens: int
    latency_s: float
    failed: bool = False


@dataclass
class AnswerReport:
    """Judge accuracy, F1, tokens and latency per category."""

    mode: str
    budget: int
    model: str
    by_category: dict[str, list[Answered]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)

    def _summary(self, rows: Sequence[Answered]) -> dict[str, Any]:
        latencies = [r.latency_s for r in rows]
        return {
            "questions": len(rows),
            "accuracy": round(fmean(r.correct for r in rows), 4),
            "f1": round(fmean(r.f1 for r in rows), 4),
            "mean_tokens": round(fmean(r.tokens for r in rows), 1),
            "latency_p50_s": percentile(latencies, 50),
            "latency_p95_s": percentile(latencies, 95),
            "failed": sum(r.failed for r in rows),
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict."""
        every = [r for rows in self.by_category.values() for r in rows]
        return {
            "mode": self.mode,
            "budget_tokens": self.budget,
            "model": self.model,
            "overall": self._summary(every) if every else {},
            "by_category": {
                f"{c} {CATEGORY_NAMES.get(c, '')}".strip(): self._summary(rows)
                for c, rows in sorted(self.by_category.items())
            },
            "usage": self.usage,
        }


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 (lower case, no punctuation or articles)."""
    predicted, expected = _tokens(prediction), _tokens(gold)
    common = sum((Counter(predicted) & Counter(expected)).values())
    if not predicted or not expected or not common:
        return float(predicted == expected)
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def _tokens(text: str) -> list[str]:
    text = "".join(c for c in text.lower() if c not in string.punctuation)
    return _ARTICLES.sub(" ", text).split()


def evaluate_answers(
    memory: Memory,
    conversations: Sequence[Conversation],
    *,
    categories: Sequence[str] = ("1", "2", "3", "4"),
    budget: int = 1000,
    full_context: bool = False,
    llm_ingest: bool = True,
    questions_per_conversation: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> AnswerReport:
    """Ingest, then answer and judge every question of ``categories``.

    Args:
        memory: a fresh engine opened with an LLM (``background=False``).
        conversations: parsed LoCoMo samples.
        categories: question categories to ask.
        budget: context token budget for ``Memory.answer``.
        full_context: answer from the whole conversation instead (the baseline).
        llm_ingest: run the LLM extraction jobs after ingesting (else only the
            LLM-free understanding is used for retrieval).
        questions_per_conversation: ask at most this many (to bound cost).
        progress: called with ``("turns" | "questions", n)`` as work is done.

    Raises:
        CapabilityMissing: ``memory`` has no LLM.
    """
    enhancer = memory.enhancer
    if enhancer is None:
        raise CapabilityMissing("eval with answers needs an LLM (--llm-base-url / --llm-model)")
    runner = enhancer.runner
    report = AnswerReport("full-context" if full_context else "memory", budget, runner.model.name)
    grouped: dict[str, list[Answered]] = defaultdict(list)
    for conversation in conversations:
        added = ingest_conversation(memory, conversation)
        if llm_ingest and not full_context:
            memory.run_jobs()
        if progress:
            progress("turns", added)
        asked = [q for q in conversation.questions if q.category in categories][
            :questions_per_conversation
        ]
        transcript = _transcript(conversation) if full_context else ""
        for question in asked:
            with asked_after(memory, conversation):
                answered = _answer_one(memory, conversation, question, transcript, budget)
            grouped[question.category].append(answered)
            if progress:
                progress("questions", 1)
    report.by_category = dict(grouped)
    report.usage = memory.usage()
    return report


def _answer_one(
    memory: Memory, conversation: Conversation, question: Question, transcript: str, budget: int
) -> Answered:
    from engramdb.pipeline.llm.schemas import AnswerOutput, JudgedAnswer

    assert memory.enhancer is not None
    runner = memory.enhancer.runner

    def answer() -> str:
        if transcript:
            output, _ = runner.ask(
                "answer", AnswerOutput, question=question.text, memories=transcript
            )
            return output.answer
        return memory.answer(question.text, user_id=conversation.user_id, budget_tokens=budget).text

    def judge(text: str) -> JudgedAnswer:
        judged, _ = runner.ask(
            "judge_answer", JudgedAnswer, question=question.text, gold=question.answer,
            generated=text,
        )  # fmt: skip
        return judged

    return judged_answer(memory, question.category, question.answer, answer, judge)


def judged_answer(
    memory: Memory,
    category: str,
    gold: str,
    answer: Callable[[], str],
    judge: Callable[[str], Any],
) -> Answered:
    """Answer, time it, count its tokens and judge it; an LLM failure is a failed answer.

    ``judge`` returns an object with a ``label`` (``"CORRECT"`` or ``"WRONG"``).
    """
    before = answer_tokens(memory)
    started = time.monotonic()
    try:
        text = answer()
        latency = time.monotonic() - started
        correct = judge(text).label == "CORRECT"
    except LLMError:
        return Answered(category, False, 0.0, 0, time.monotonic() - started, True)
    return Answered(
        category, correct, token_f1(text, gold), answer_tokens(memory) - before, latency
    )


def answer_tokens(memory: Memory) -> int:
    """Tokens spent by the answering calls so far."""
    used = memory.usage().get("answer", {})
    return int(used.get("prompt_tokens", 0)) + int(used.get("completion_tokens", 0))


def _transcript(conversation: Conversation) -> str:
    """Every turn, with its session date, as the full-context baseline sees it."""
    lines = []
    for session in conversation.sessions:
        day = session.when.date().isoformat()
        for turn in session.turns:
            text = locomo_turn_text(turn)
            if text:
                lines.append(f"[{turn['dia_id']}] ({day}) {turn['speaker']}: {text}")
    return "\n".join(lines)


def render_answer_table(report: AnswerReport) -> str:
    """A fixed-width table: accuracy, F1, tokens and latency per category."""
    data = report.to_json()
    header = f"{'category':<16}{'n':>6}{'acc':>8}{'F1':>8}{'tokens':>9}{'p50 s':>8}{'p95 s':>8}"
    rows = [f"{report.mode}, {report.model}, budget {report.budget}", header, "-" * len(header)]
    for label, s in [*data["by_category"].items(), ("overall", data["overall"])]:
        if s:
            rows.append(
                f"{label:<16}{s['questions']:>6}{s['accuracy']:>8.3f}{s['f1']:>8.3f}"
                f"{s['mean_tokens']:>9.0f}{s['latency_p50_s']:>8.2f}{s['latency_p95_s']:>8.2f}"
            )
    return "\n".join(rows)
