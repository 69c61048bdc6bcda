"""Running an evaluation with progress, and rendering its report as a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engramdb.cli.progress import format_duration
from engramdb.engine import Memory
from engramdb.eval.context_eval import ContextReport, evaluate_context, render_context_table
from engramdb.eval.locomo import CATEGORY_NAMES, Conversation, LocomoReport, evaluate
from engramdb.eval.longmemeval import LMEQuestion, LMEReport, evaluate_longmemeval
from engramdb.eval.metrics import Summary

__all__ = [
    "render_lme_table",
    "render_report",
    "render_table",
    "run_locomo",
    "run_longmemeval",
]

ProgressFactory = Callable[[int | None, str, str], Any]


def run_locomo(
    memory: Memory,
    conversations: Sequence[Conversation],
    categories: Sequence[str],
    progress: ProgressFactory,
    *,
    mode: str = "search",
    budget: int = 1000,
) -> LocomoReport | ContextReport:
    """Evaluate with a progress bar per phase (``progress`` makes tqdm-like bars).

    ``mode="context"`` scores the packed context of ``Memory.context`` within
    ``budget`` tokens instead of the ranked search results.
    """
    turns = sum(len(s.turns) for c in conversations for s in c.sessions)
    questions = sum(
        1 for c in conversations for q in c.questions if q.category in categories and q.evidence
    )
    with (
        progress(turns, "turn", "ingest") as ingest_bar,
        progress(questions, "q", "ask") as ask_bar,
    ):
        bars = {"turns": ingest_bar, "questions": ask_bar}
        if mode == "context":
            return evaluate_context(
                memory,
                conversations,
                budget=budget,
                categories=categories,
                progress=lambda phase, n: bars[phase].update(n),
            )
        return evaluate(
            memory,
            conversations,
            categories=categories,
            progress=lambda phase, n: bars[phase].update(n),
        )


def render_report(report: LocomoReport | ContextReport) -> str:
    """The table of either kind of report."""
    if isinstance(report, ContextReport):
        return render_context_table(report)
    return render_table(report)


def render_table(report: LocomoReport) -> str:
    """A fixed-width table: one row per category and one overall."""
    header = (
        f"{'category':<16}{'n':>6}{'R@5':>8}{'R@10':>8}{'R@20':>8}"
        f"{'R@500t':>8}{'R@1000t':>9}{'R@2000t':>9}{'S@1':>7}{'S@3':>7}{'S@5':>7}{'MRR':>7}"
    )
    rows = [header, "-" * len(header)]
    for category in sorted(report.by_category):
        label = f"{category} {CATEGORY_NAMES.get(category, '')}".strip()
        rows.append(_row(label, report.by_category[category]))
    rows.append(_row("overall", report.overall))
    rows.append(
        f"\n{report.conversations} conversations, {_speed(report.turns, report.timing)}; "
        f"{report.skipped_questions} questions without usable evidence ids skipped"
    )
    return "\n".join(rows)


def _row(label: str, s: Summary) -> str:
    r, t, ss = s.recall_at, s.recall_tokens, s.session_recall_at
    return (
        f"{label:<16}{s.questions:>6}{r[5]:>8.3f}{r[10]:>8.3f}{r[20]:>8.3f}"
        f"{t[500]:>8.3f}{t[1000]:>9.3f}{t[2000]:>9.3f}{ss[1]:>7.3f}{ss[3]:>7.3f}{ss[5]:>7.3f}"
        f"{s.mrr:>7.3f}"
    )


def run_longmemeval(
    memory: Memory,
    questions: Sequence[LMEQuestion],
    progress: ProgressFactory,
) -> LMEReport:
    """Evaluate LongMemEval with one progress bar over the haystacks' turns."""
    total = sum(q.turn_count for q in questions)
    asked = 0
    with progress(total, "turn", "longmemeval") as bar:

        def advance(phase: str, n: int) -> None:
            nonlocal asked
            if phase == "turns":
                bar.update(n)
            else:
                asked += n
                bar.set_postfix_str(f"{asked}/{len(questions)} questions")

        return evaluate_longmemeval(memory, questions, progress=advance)


def render_lme_table(report: LMEReport) -> str:
    """Turn and session metrics per question type and overall, then abstention and timing."""
    header = (
        f"{'type':<27}{'n':>5}{'R@5':>7}{'R@10':>7}{'R@20':>7}{'R@500t':>8}{'R@1000t':>9}"
        f"{'NDCG@10':>9}{'Sany@5':>8}{'Sall@5':>8}{'Sall@10':>9}{'SNDCG@5':>9}"
    )
    rows = [header, "-" * len(header)]
    for name in sorted(report.by_type):
        rows.append(_lme_row(name, report.by_type[name]))
    rows.append(_lme_row("overall", report.overall))
    rows.append(
        f"\n{report.questions} questions ({report.abstention.get('questions', 0)} abstention, "
        f"left out of recall), {_speed(report.turns, report.timing)}"
    )
    return "\n".join(rows)


def _speed(turns: int, timing: dict[str, float]) -> str:
    """How fast the evaluation ingested and searched (see :func:`metrics.timing`)."""
    ingested = (
        f"{turns} turns ingested in {format_duration(timing.get('ingest_s', 0.0))} "
        f"({timing.get('turns_per_s', 0.0):.1f} turns/s)"
        if turns
        else "nothing ingested (already in the store)"
    )
    return f"{ingested}; search p50 {timing.get('search_p50_ms', 0.0):.0f} ms"


def _lme_row(label: str, s: Summary) -> str:
    r, t = s.recall_at, s.recall_tokens
    return (
        f"{label:<27}{s.questions:>5}{r[5]:>7.3f}{r[10]:>7.3f}{r[20]:>7.3f}{t[500]:>8.3f}"
        f"{t[1000]:>9.3f}{s.ndcg_at[10]:>9.3f}{s.session_any_at[5]:>8.3f}"
        f"{s.session_all_at[5]:>8.3f}{s.session_all_at[10]:>9.3f}{s.session_ndcg_at[5]:>9.3f}"
    )
