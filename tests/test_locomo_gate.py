"""Quality gate: LoCoMo evidence recall, categories 1-4, real model, no LLM.

The whole data set (10 conversations, 1,536 scorable questions) takes about two
minutes here (ingestion with understanding, then the questions), so the gate runs
on all of it. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import pytest
from tests.conftest import LOCOMO, fresh_postgres

from engramdb import Memory
from engramdb.eval.context_eval import evaluate_context
from engramdb.eval.locomo import evaluate, load_locomo

pytestmark = [
    pytest.mark.model,
    pytest.mark.slow,
    pytest.mark.skipif(not LOCOMO.exists(), reason="LoCoMo data not present beside the project"),
]

# Measured: recall@10 0.781, recall@1000 tokens 0.890, temporal recall@10 0.819,
# multi-hop recall@10 0.518. The bars are the project's goals, except multi-hop, whose goal
# (0.55) is not reached yet: its bar guards the level reached against regressions.
BARS = {"recall@10": 0.72, "recall@1000tok": 0.88}
CATEGORY_BARS = {"2 temporal": 0.80, "1 multi-hop": 0.50}


@pytest.fixture(scope="module")
def sqlite_report(tmp_path_factory, minilm):  # type: ignore[no-untyped-def]
    """The evaluation on the embedded default, and its packed-context figures."""
    conversations = load_locomo(LOCOMO)
    with Memory.open(tmp_path_factory.mktemp("gate") / "gate.db", embedder=minilm) as mem:
        report = evaluate(mem, conversations).to_json()
        context = evaluate_context(mem, conversations, budget=1000, ingest=False).to_json()
    return report, context


def test_locomo_subset_recall(sqlite_report) -> None:  # type: ignore[no-untyped-def]
    report, context = sqlite_report
    overall = report["overall"]
    assert overall["questions"] == 1536
    for metric, bar in BARS.items():
        assert overall[metric] >= bar, f"{metric} {overall[metric]:.3f} < {bar}: {report}"
    for category, bar in CATEGORY_BARS.items():
        found = report["by_category"][category]["recall@10"]
        assert found >= bar, f"{category} recall@10 {found:.3f} < {bar}: {report}"
    # The packed context (profiles, facts, dated turns, latest turns) within 1,000
    # tokens holds at least the evidence the ranked hits hold within 1,000 tokens.
    packed = context["overall"]
    assert packed["max_tokens"] <= 1000
    # measured 0.893 against 0.890; the tolerance absorbs numeric noise across machines
    assert packed["context_recall"] >= packed["search_recall"] - 0.005, context


def test_postgres_recalls_what_sqlite_recalls(sqlite_report, minilm) -> None:  # type: ignore[no-untyped-def]
    """Same data, same questions: the overall figures agree within 0.01 (measured: 0.001)."""
    with Memory.open(fresh_postgres(), embedder=minilm) as mem:
        report = evaluate(mem, load_locomo(LOCOMO)).to_json()
    for metric in ("recall@10", "recall@1000tok", "mrr"):
        ours, theirs = report["overall"][metric], sqlite_report[0]["overall"][metric]
        assert abs(ours - theirs) <= 0.01, f"{metric}: postgres {ours:.3f}, sqlite {theirs:.3f}"
