"""Running an evaluation with progress, and rendering its report as a table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engramdb.engine import Memory
from engramdb.eval.context_eval import ContextReport, evaluate_context, render_context_table
from engramdb.eval.locomo import CATEGORY_NAMES, Conversation, LocomoReport, evaluate
from engramdb.eval.metrics import Summary

__all__ = ["render_report", "render_table", "run_locomo"]

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
        f"\n{report.conversations} conversations, {report.turns} turns ingested; "
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
