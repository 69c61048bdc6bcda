"""Which signal earns its keep where: each retrieval signal switched off in turn, on
LoCoMo and on LongMemEval side by side.

Usage::

    python benchmarks/ablation_both.py --conversations 4 --per-type 5 \\
        --locomo-db /tmp/locomo.db --lme-db /tmp/lme.db

Ingests once into each store (kept when a path is given, so a second run only
searches), then evaluates the default settings, the default with one signal off,
and a plain hybrid retriever (BM25 + MiniLM, RRF k=60, nothing else). A setting is
kept only if neither benchmark falls by more than 0.005 recall@10 without it.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from engramdb import Memory, RetrievalSettings
from engramdb.eval.locomo import evaluate, ingest_conversation, load_locomo
from engramdb.eval.longmemeval import evaluate_longmemeval, load_longmemeval, sample_questions

DEFAULT = RetrievalSettings()
OFF: dict[str, dict[str, Any]] = {
    "neighbouring turns": {"neighbour_window": 0},
    "entity focus": {"entity_penalty": 1.0, "mention_weight": 1.0},
    "I / you focus": {"party_focus": False},
    "time windows": {"time_boost": 1.0, "time_said": False},
    "said time in windows": {"time_said": False},
    "latest first for now": {"recency_weight": 0.0},
    "graph candidates": {"graph_weight": 0.0, "graph_boost": 1.0},
    "relation candidates": {"relation_weight": 0.0},
    "evidence support": {"support_weight": 0.0},
    "quoted lists": {"quote_weight": 0.0},
    "retention": {"retention_weight": 0.0},
    "lexical floor": {"lexical_floor": 0.0},
}
PLAIN = {key: value for change in OFF.values() for key, value in change.items()} | {"rrf_k": 60}
CONFIGS = {
    "default": DEFAULT,
    **{f"- {name}": replace(DEFAULT, **change) for name, change in OFF.items()},
    "+ search through gists (off by default)": replace(DEFAULT, gist_top=8),
    "plain hybrid (BM25 + MiniLM, RRF k=60)": replace(DEFAULT, **PLAIN),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--locomo", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument(
        "--longmemeval", type=Path, default=Path("../shared/data/longmemeval_s_dev.json.gz")
    )
    parser.add_argument("--conversations", type=int, default=4)
    parser.add_argument(
        "--per-type", type=int, default=5, help="questions of each type (0: every question)"
    )
    parser.add_argument("--locomo-db")
    parser.add_argument("--lme-db")
    args = parser.parse_args()
    conversations = load_locomo(args.locomo)[: args.conversations]
    questions = load_longmemeval(args.longmemeval)
    if args.per_type:
        questions = sample_questions(questions, per_type=args.per_type)
    with tempfile.TemporaryDirectory() as tmp:
        locomo_db = args.locomo_db or str(Path(tmp) / "locomo.db")
        fresh = not Path(locomo_db).exists()
        with Memory.open(locomo_db) as locomo, Memory.open(args.lme_db or f"{tmp}/l.db") as lme:
            if fresh:
                for conversation in conversations:
                    ingest_conversation(locomo, conversation)
            print(
                f"{'settings':<42}{'LoCoMo R@10':>12}{'R@1000t':>9}{'LME R@10':>10}{'R@1000t':>9}"
            )
            for name, settings in CONFIGS.items():
                locomo.retriever.settings = lme.retriever.settings = settings
                ours = evaluate(locomo, conversations, ingest=False).to_json()["overall"]
                theirs = evaluate_longmemeval(lme, questions).overall
                print(
                    f"{name:<42}{ours['recall@10']:>12.3f}{ours['recall@1000tok']:>9.3f}"
                    f"{theirs.recall_at[10]:>10.3f}{theirs.recall_tokens[1000]:>9.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
