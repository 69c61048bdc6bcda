"""``engramdb eval``: the built-in evaluations (LoCoMo, LongMemEval)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from engramdb.cli._common import (
    exit_on_error,
    open_memory,
    progress_bar,
)
from engramdb.engine import Memory
from engramdb.errors import (
    InvalidInput,
)

__all__ = ["eval_"]


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--json`` and ``--understanding``, shared by the evaluations."""
    command = click.option(
        "--understanding",
        type=click.Choice(["spacy", "rules", "none"]),
        default="spacy",
        show_default=True,
        help="Parser for understanding turns (rules: without spaCy; none: verbatim turns only).",
    )(command)
    return click.option(
        "--json",
        "json_out",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the report as JSON here.",
    )(command)


def _answer_options(whole: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--llm``, ``--full-context`` and ``--llm-ingest``, shared by the evaluations."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--llm-ingest/--no-llm-ingest",
            default=True,
            show_default=True,
            help="With --llm: run the LLM extraction on the ingested turns.",
        )(command)
        command = click.option(
            "--full-context", is_flag=True, help=f"With --llm: answer from the whole {whole}."
        )(command)
        return click.option(
            "--llm",
            "with_llm",
            is_flag=True,
            help="Answer each question with the LLM and judge it.",
        )(command)

    return decorate


@click.group(name="eval")
def eval_() -> None:
    """Measure retrieval quality on benchmarks (no LLM needed)."""


@eval_.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="../shared/data/locomo10.json",
    show_default=True,
    help="LoCoMo JSON file.",
)
@click.option("--db", help="Store to ingest into (default: a temporary file).")
@click.option("--conversations", type=int, help="Evaluate only the first N conversations.")
@click.option("--categories", default="1,2,3,4", show_default=True, help="Question categories.")
@_report_options
@click.option(
    "--mode",
    type=click.Choice(["search", "context"]),
    default="search",
    show_default=True,
    help="search: ranked hits; context: the packed context of `engramdb context`.",
)
@click.option("--budget", default=1000, show_default=True, help="Context token budget.")
@_answer_options("conversation")
@click.option("--questions", type=int, help="With --llm: at most N questions per conversation.")
def locomo(
    data: Path,
    db: str | None,
    conversations: int | None,
    categories: str,
    json_out: Path | None,
    understanding: str,
    mode: str,
    budget: int,
    with_llm: bool,
    full_context: bool,
    llm_ingest: bool,
    questions: int | None,
) -> None:
    """LoCoMo evidence recall@k, recall within token budgets, session recall, MRR.

    With --llm: answer accuracy by the LLM judge, token F1, tokens per question and
    latency, from engramdb's context or (--full-context) the whole conversation.
    """
    from engramdb.eval.locomo import load_locomo
    from engramdb.eval.report import render_report, run_locomo

    options = _eval_options(understanding)
    if with_llm:
        del options["llm"]  # the configured model answers; recall alone needs none
    with exit_on_error(), tempfile.TemporaryDirectory() as tmp:
        samples = load_locomo(data)[:conversations]
        with open_memory(db or str(Path(tmp) / "locomo.db"), **options) as mem:
            if with_llm:
                report: Any = _answer_eval(
                    mem, samples, categories, budget, full_context, llm_ingest, questions
                )
                text = _answer_table(report)
            else:
                report = run_locomo(
                    mem, samples, categories.split(","), progress_bar, mode=mode, budget=budget
                )
                text = render_report(report)
        click.echo(text)
        if json_out:
            json_out.write_text(json.dumps(report.to_json(), indent=2))


@eval_.command()
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default="../shared/data/longmemeval_s_dev.json.gz",
    show_default=True,
    help="LongMemEval JSON file (.json or .json.gz).",
)
@click.option(
    "--db", help="Store to ingest into (default: a temporary file); kept haystacks are reused."
)
@click.option("--sample", type=int, help="Evaluate N questions spread evenly over the types.")
@click.option("--per-type", type=int, help="Evaluate N questions of each type.")
@click.option("--seed", default=0, show_default=True, help="Seed of the --sample choice.")
@click.option("--types", help="Comma-separated question types (default: all).")
@_report_options
@click.option("--budget", default=1000, show_default=True, help="With --llm: context budget.")
@_answer_options("history")
def longmemeval(
    data: Path,
    db: str | None,
    sample: int | None,
    per_type: int | None,
    seed: int,
    types: str | None,
    json_out: Path | None,
    understanding: str,
    budget: int,
    with_llm: bool,
    full_context: bool,
    llm_ingest: bool,
) -> None:
    """LongMemEval turn recall@k, recall within token budgets, session recall and NDCG.

    Each question's haystack goes into a fresh scope, each session at its date; the
    question is asked at its question_date. Abstention (_abs) questions are
    left out of recall and reported apart.

    With --llm: answer accuracy by the paper's per-type judge rules, from engramdb's
    context or (--full-context) the whole history.
    """
    from engramdb.eval.longmemeval import QUESTION_TYPES, load_longmemeval, sample_questions
    from engramdb.eval.report import render_lme_table, run_longmemeval

    chosen = [t.strip() for t in types.split(",")] if types else None
    with exit_on_error():
        unknown = sorted(set(chosen or ()) - set(QUESTION_TYPES))
        if unknown:
            raise InvalidInput(f"--types: unknown {unknown}; choose from {list(QUESTION_TYPES)}")
        questions = sample_questions(
            load_longmemeval(data), per_type=per_type, total=sample, types=chosen, seed=seed
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = db or str(Path(tmp) / "longmemeval.db")
            options = _eval_options(understanding)
            if with_llm:
                del options["llm"]  # the configured model answers and judges
            with open_memory(path, **options) as mem:
                if with_llm:
                    report: Any = _lme_answers(mem, questions, budget, full_context, llm_ingest)
                    text = _answer_table(report)
                else:
                    report = run_longmemeval(mem, questions, progress_bar)
                    text = render_lme_table(report)
        click.echo(text)
        if json_out:
            json_out.write_text(json.dumps(report.to_json(), indent=2))


def _lme_answers(
    mem: Memory, questions: list[Any], budget: int, full_context: bool, llm_ingest: bool
) -> Any:
    from engramdb.eval.lme_answers import evaluate_lme_answers

    with progress_bar(len(questions), "q", "answer") as bar:
        return evaluate_lme_answers(
            mem, questions, budget=budget, full_context=full_context, llm_ingest=llm_ingest,
            progress=lambda phase, n: bar.update(n if phase == "questions" else 0),
        )  # fmt: skip


def _eval_options(understanding: str) -> dict[str, Any]:
    from engramdb.pipeline.understand.rules_parser import RulesParser

    options: dict[str, Any] = {"understand": understanding != "none", "llm": None}
    if understanding == "rules":
        options["parser"] = RulesParser()
    return options


def _answer_eval(
    mem: Memory,
    samples: list[Any],
    categories: str,
    budget: int,
    full_context: bool,
    llm_ingest: bool,
    questions: int | None,
) -> Any:
    from engramdb.eval.answers import evaluate_answers

    asked = sum(
        min(len([q for q in s.questions if q.category in categories.split(",")]),
            questions or 10**9)
        for s in samples
    )  # fmt: skip
    with progress_bar(asked, "q", "answer") as bar:
        return evaluate_answers(
            mem, samples, categories=categories.split(","), budget=budget,
            full_context=full_context, llm_ingest=llm_ingest,
            questions_per_conversation=questions,
            progress=lambda phase, n: bar.update(n if phase == "questions" else 0),
        )  # fmt: skip


def _answer_table(report: Any) -> str:
    from engramdb.eval.answers import render_answer_table

    return render_answer_table(report)
