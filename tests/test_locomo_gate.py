"""Quality gate: LoCoMo evidence recall, categories 1-4, real model, no LLM.

The gate runs on a fixed subset, the first four conversations (2,080 turns, 99 sessions,
582 scorable questions of every category), so that CI stays within its time budget; the
full evaluation (10 conversations, 1,536 questions) is `engramdb eval locomo` and its
figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import LOCOMO, fresh_postgres

from engramdb import Memory
from engramdb.eval.context_eval import evaluate_context
from engramdb.eval.locomo import Conversation, evaluate, load_locomo

pytestmark = [
    pytest.mark.model,
    pytest.mark.slow,
    pytest.mark.skipif(not LOCOMO.exists(), reason="LoCoMo data not present beside the project"),
]


# Measured on the subset: recall@10 0.806, recall@1000 tokens 0.903, temporal recall@10
# 0.881, multi-hop recall@10 0.573 (`engramdb eval locomo --conversations 4`). The
# overall bars are the ones LoCoMo must never fall below; one question moves recall@10
# by about 0.002.
GATE_CONVERSATIONS = 4
BARS = {"recall@10": 0.80, "recall@1000tok": 0.89}
CATEGORY_BARS = {"2 temporal": 0.80, "1 multi-hop": 0.55}


@pytest.fixture(scope="module")
def sqlite_report(tmp_path_factory, minilm):  # type: ignore[no-untyped-def]
    """The evaluation on the embedded default, and its packed-context figures."""
    conversations = _gate_conversations()
    path = tmp_path_factory.mktemp("gate") / "gate.db"
    with Memory.open(path, embedder=minilm) as mem:
        report = evaluate(mem, conversations).to_json()
        context = evaluate_context(mem, conversations, budget=1000, ingest=False).to_json()
    return report, context, path


def test_locomo_subset_recall(sqlite_report) -> None:  # type: ignore[no-untyped-def]
    report, context, _ = sqlite_report
    overall = report["overall"]
    assert overall["questions"] == 582
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
        report = evaluate(mem, _gate_conversations()).to_json()
    for metric in ("recall@10", "recall@1000tok", "mrr"):
        ours, theirs = report["overall"][metric], sqlite_report[0]["overall"][metric]
        assert abs(ours - theirs) <= 0.01, f"{metric}: postgres {ours:.3f}, sqlite {theirs:.3f}"


_CONSOLIDATE = """
import sys
from engramdb import Memory

def tell(done, total):
    print(done, total, flush=True)

with Memory.open(sys.argv[1]) as mem:
    mem.consolidate(progress=tell)
"""


def _gate_conversations() -> list[Conversation]:
    return list(load_locomo(LOCOMO)[:GATE_CONVERSATIONS])


def _copy_store(source: Path, target: Path) -> Path:
    for part in source.parent.glob(source.name + "*"):
        copied = target.parent / part.name.replace(source.name, target.name)
        if part.is_dir():
            shutil.copytree(part, copied)
        elif not part.name.endswith(".lock"):
            shutil.copy(part, copied)
    return target


def _derived(mem: Memory) -> list[tuple[Any, ...]]:
    """Every gist and fact by content (new gists get new ids in each run)."""
    rows = []
    for conversation in _gate_conversations():
        page = mem.get_all(user_id=conversation.user_id, limit=1000, include_inactive=True)
        while True:
            rows += [
                (
                    m.kind.value,
                    m.text,
                    m.status.value,
                    m.sources,
                    len(m.metadata.get("related", ())),
                )
                for m in page.memories
                if m.kind.value != "episode"
            ]
            if page.next_cursor is None:
                break
            page = mem.get_all(
                user_id=conversation.user_id, limit=1000, include_inactive=True,
                cursor=page.next_cursor,
            )  # fmt: skip
    return sorted(rows)


def test_consolidation_keeps_recall_is_idempotent_and_survives_a_kill(  # type: ignore[no-untyped-def]
    sqlite_report, minilm, tmp_path
) -> None:
    _, _, path = sqlite_report
    killed = _copy_store(path, tmp_path / "killed.db")
    clean = _copy_store(path, tmp_path / "clean.db")
    with subprocess.Popen(
        [sys.executable, "-c", _CONSOLIDATE, str(killed)], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:  # kill it hard half way, in the middle of the next session
            done, total = map(int, line.split())
            if done >= total // 2:
                child.send_signal(signal.SIGKILL)
                break
        child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL
    with Memory.open(killed, embedder=minilm) as mem:
        resumed = mem.consolidate()
        assert 0 < resumed["rebuilt_sessions"] < resumed["sessions"]
        after_kill = _derived(mem)
    with Memory.open(clean, embedder=minilm) as mem:
        # the same store before and after (BM25 statistics differ from the report's, which
        # asks each conversation's questions right after ingesting it)
        before = evaluate(mem, _gate_conversations(), ingest=False).to_json()["overall"]
        first = mem.consolidate()
        sessions = sum(len(c.sessions) for c in _gate_conversations())
        assert first["rebuilt_sessions"] == first["sessions"] == sessions and first["gists"] > 0
        second = mem.consolidate()
        assert (second["rebuilt_sessions"], second["gists"], second["merged_facts"]) == (0, 0, 0)
        assert _derived(mem) == after_kill
        consolidated = evaluate(mem, _gate_conversations(), ingest=False).to_json()
    # measured on the subset: recall@10 0.8052 -> 0.8043, recall@1000 tokens 0.899 -> 0.899
    # (the whole data set: docs/benchmarks.md). New gists and merged facts move BM25's
    # statistics and near-tied scores: three questions moved by a hit near rank 10 (two
    # down, one up), so the bar allows one question's worth (0.0017) and no more.
    after = consolidated["overall"]
    assert after["recall@10"] >= before["recall@10"] - 0.002, (before, after)
    assert after["recall@1000tok"] >= before["recall@1000tok"] - 0.005, (before, after)
