"""LongMemEval answered by an LLM, judged with per-type rules as in the paper.

Each question is answered from the context engramdb builds for it (``Memory.answer``,
asked at the question's date), or, for the baseline, from the whole history
(``full_context``). The judge applies the rule of the question's type: off-by-one
counts of days or months are forgiven for temporal reasoning, an answer that also
mentions the old value is right for knowledge updates when it gives the new one, a
preference question is graded against a rubric, and an abstention question is right
when the response says the history does not tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from engramdb.engine import Memory
from engramdb.errors import CapabilityMissing
from engramdb.eval.answers import Answered, AnswerReport, judged_answer
from engramdb.eval.locomo import clock_at
from engramdb.eval.longmemeval import LMEQuestion, ingest_haystack

__all__ = ["JUDGE_RULES", "evaluate_lme_answers", "history_transcript"]

_CONTAINS = (
    "Label it CORRECT if the response contains the correct answer, or is equivalent to it, "
    "or gives every intermediate step needed to reach it. If it gives only part of what "
    "the answer needs, label it WRONG."
)
JUDGE_RULES = {
    "default": _CONTAINS,
    "temporal-reasoning": _CONTAINS
    + " Do not count off-by-one errors in a number of days, weeks or months as wrong.",
    "knowledge-update": _CONTAINS
    + " If the response also mentions earlier information besides the updated answer, it"
    " is CORRECT as long as the updated answer is the one the question asks for.",
    "single-session-preference": (
        "The correct answer is a rubric describing the personalised response the user"
        " wants. Label it CORRECT if the response satisfies the rubric: it need not cover"
        " every point, as long as it recalls and uses the user's own information correctly."
    ),
    "abstention": (
        "The question cannot be answered from the conversation history: the correct"
        " answer explains why. Label it CORRECT if the response says the question cannot"
        " be answered, or that the information it needs was never given."
    ),
}


def history_transcript(question: LMEQuestion) -> str:
    """Every turn of the haystack, with its session date, as the baseline sees it."""
    lines = []
    for session in question.sessions:
        day = session.when.date().isoformat()
        for index, turn in enumerate(session.turns):
            text = str(turn.get("content") or "").strip()
            if text:
                lines.append(f"[{session.session_id}:{index}] ({day}) {turn['role']}: {text}")
    return "\n".join(lines)


def evaluate_lme_answers(
    memory: Memory,
    questions: Sequence[LMEQuestion],
    *,
    budget: int = 1000,
    full_context: bool = False,
    llm_ingest: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> AnswerReport:
    """Ingest each haystack into its scope, then answer and judge each question.

    Args:
        memory: an engine opened with an LLM (``background=False``).
        questions: parsed questions (abstention ones are judged by their own rule).
        budget: context token budget for ``Memory.answer``.
        full_context: answer from the whole history instead (the baseline).
        llm_ingest: run the LLM extraction jobs after ingesting.
        progress: called with ``("turns" | "questions", n)`` as work is done.

    Raises:
        CapabilityMissing: ``memory`` has no LLM.
    """
    if memory.enhancer is None:
        raise CapabilityMissing("eval with answers needs an LLM (--llm-base-url / --llm-model)")
    runner = memory.enhancer.runner
    report = AnswerReport("full-context" if full_context else "memory", budget, runner.model.name)
    grouped: dict[str, list[Answered]] = defaultdict(list)
    for question in questions:
        if not full_context:
            added = ingest_haystack(memory, question)
            if llm_ingest:
                memory.run_jobs()
            if progress:
                progress("turns", added)
        with clock_at(memory, question.asked_at):
            answered = _answer_one(memory, question, budget, full_context)
        grouped["abstention" if question.abstention else question.question_type].append(answered)
        if progress:
            progress("questions", 1)
    report.by_category = dict(grouped)
    report.usage = memory.usage()
    return report


def _answer_one(memory: Memory, question: LMEQuestion, budget: int, full_context: bool) -> Answered:
    from engramdb.pipeline.llm.schemas import AnswerOutput, JudgedAnswer

    assert memory.enhancer is not None
    runner = memory.enhancer.runner
    kind = "abstention" if question.abstention else question.question_type

    def answer() -> str:
        if full_context:
            output, _ = runner.ask(
                "answer", AnswerOutput, question=question.question,
                memories=history_transcript(question),
            )  # fmt: skip
            return output.answer
        return memory.answer(question.question, user_id=question.user_id, budget_tokens=budget).text

    def judge(text: str) -> JudgedAnswer:
        judged, _ = runner.ask(
            "judge_longmemeval", JudgedAnswer, rule=JUDGE_RULES.get(kind, JUDGE_RULES["default"]),
            question=question.question, gold=question.answer, generated=text,
        )  # fmt: skip
        return judged

    return judged_answer(memory, kind, question.answer, answer, judge)
