"""LoCoMo retrieval ablation: the same store searched with different retriever settings.

Usage::

    python benchmarks/ablation_locomo.py --data ../shared/data/locomo10.json

Ingests once (real local embedder), then evaluates each configuration on
categories 1-4 and prints one line of metrics per configuration.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from engramdb import Memory, RetrievalSettings
from engramdb.eval.locomo import evaluate, ingest_conversation, load_locomo

CONFIGS = {
    "RRF k=60, equal weights, no neighbours": RetrievalSettings(
        rrf_k=60, dense_weight=1.0, neighbour_window=0, lexical_floor=0.0
    ),
    "RRF k=5, dense 0.6, no neighbours": RetrievalSettings(neighbour_window=0),
    "default (RRF k=5, dense 0.6, neighbours 0.6)": RetrievalSettings(),
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
            o = evaluate(mem, conversations, ingest=False).to_json()["overall"]
            print(
                f"{name:<46} R@5 {o['recall@5']:.3f}  R@10 {o['recall@10']:.3f}  "
                f"R@20 {o['recall@20']:.3f}  R@1000tok {o['recall@1000tok']:.3f}  "
                f"MRR {o['mrr']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
