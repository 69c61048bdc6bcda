"""Cost of consolidation, and search latency before and after it.

Usage::

    python benchmarks/bench_consolidation.py --data ../shared/data/locomo10.json [--db PATH_OR_DSN]

Ingests every LoCoMo conversation (real embedder, understanding on), times the LoCoMo
questions' searches, consolidates the whole store (timed: seconds per 1,000 turns), times
a second, idempotent run, then times the same searches again. Recall on categories 1-4
is measured on the same store before and after. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench_store import timed_searches

from engramdb import Memory
from engramdb.eval.locomo import Conversation, evaluate, ingest_conversation, load_locomo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument("--db", help="store file or empty postgresql:// database")
    args = parser.parse_args()
    conversations = load_locomo(args.data)
    questions = [(c.user_id, q.text) for c in conversations for q in c.questions]
    with tempfile.TemporaryDirectory() as tmp, Memory.open(args.db or f"{tmp}/c.db") as mem:
        turns = sum(ingest_conversation(mem, c) for c in conversations)
        timed_searches(mem, questions[:20])  # warm caches and the ANN index
        before = timed_searches(mem, questions)
        recall_before = _recall(mem, conversations)
        started = time.perf_counter()
        report = mem.consolidate()
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = mem.consolidate()
        second = time.perf_counter() - started
        after = timed_searches(mem, questions)
        recall_after = _recall(mem, conversations)
        memories = mem.stats()["memories"]
    print(json.dumps({
        "turns": turns,
        "memories_after": memories,
        "consolidation": report,
        "seconds": round(seconds, 2),
        "seconds_per_1000_turns": round(seconds / turns * 1000, 3),
        "second_run": again,
        "second_run_seconds": round(second, 2),
        "search_before": before,
        "search_after": after,
        "recall_before": recall_before,
        "recall_after": recall_after,
    }, indent=2))  # fmt: skip


def _recall(mem: Memory, conversations: list[Conversation]) -> dict[str, float]:
    """Recall@10 by category and overall, and overall recall@1000 tokens."""
    report = evaluate(mem, conversations, ingest=False).to_json()
    recall = {name: s["recall@10"] for name, s in report["by_category"].items()}
    return {
        **recall,
        "overall": report["overall"]["recall@10"],
        "overall@1000tok": report["overall"]["recall@1000tok"],
    }


if __name__ == "__main__":
    main()
