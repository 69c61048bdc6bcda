"""LoCoMo retrieval ablation: the same store searched with different retriever settings.

Usage::

    python benchmarks/ablation_locomo.py --data ../shared/data/locomo10.json

Ingests once (real local embedder, understanding with spaCy: readings, facts,
entities), then evaluates each configuration on categories 1-4 and prints one
line of metrics per configuration, with multi-hop and temporal recall@10.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from engramdb import Memory, RetrievalSettings
from engramdb.eval.locomo import evaluate, ingest_conversation, load_locomo

CONFIGS = {
    "RRF k=60, equal weights; no neighbours, entity, time, graph": RetrievalSettings(
        rrf_k=60,
        neighbour_window=0,
        lexical_floor=0.0,
        entity_penalty=1.0,
        time_boost=1.0,
        graph_weight=0.0,
        graph_boost=1.0,
    ),
    "RRF k=5; no neighbours, entity, time, graph": RetrievalSettings(
        neighbour_window=0, entity_penalty=1.0, time_boost=1.0, graph_weight=0.0, graph_boost=1.0
    ),
    "+ neighbouring turns (decay 0.8)": RetrievalSettings(
        entity_penalty=1.0, time_boost=1.0, graph_weight=0.0, graph_boost=1.0
    ),
    "+ entity focus (penalty 0.4)": RetrievalSettings(
        time_boost=1.0, graph_weight=0.0, graph_boost=1.0
    ),
    "+ time windows (boost 2)": RetrievalSettings(graph_weight=0.0, graph_boost=1.0),
    "default: + graph candidates (boost 1.5)": RetrievalSettings(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    args = parser.parse_args()
    conversations = load_locomo(args.data)
    with tempfile.TemporaryDirectory() as tmp, Memory.open(Path(tmp) / "a.db") as mem:
        for conversation in conversations:
            ingest_conversation(mem, conversation)
        for name, settings in CONFIGS.items():
            mem.retriever.settings = settings
            report = evaluate(mem, conversations, ingest=False).to_json()
            o, by = report["overall"], report["by_category"]
            print(
                f"{name:<56} R@5 {o['recall@5']:.3f}  R@10 {o['recall@10']:.3f}  "
                f"R@20 {o['recall@20']:.3f}  R@1000tok {o['recall@1000tok']:.3f}  "
                f"MRR {o['mrr']:.3f}  multi-hop R@10 {by['1 multi-hop']['recall@10']:.3f}  "
                f"temporal R@10 {by['2 temporal']['recall@10']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
