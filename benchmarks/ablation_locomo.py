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
from dataclasses import replace
from pathlib import Path

from engramdb import Memory, RetrievalSettings
from engramdb.eval.locomo import evaluate, ingest_conversation, load_locomo

_PLAIN = {
    "neighbour_window": 0,
    "entity_penalty": 1.0,
    "mention_weight": 1.0,
    "time_boost": 1.0,
    "graph_weight": 0.0,
    "graph_boost": 1.0,
    "support_weight": 0.0,
}


def _step(*enabled: str, **extra: float) -> RetrievalSettings:
    """The default settings with the signals not yet ``enabled`` switched off."""
    defaults = RetrievalSettings()
    switched_on = {
        "neighbours": ("neighbour_window",),
        "focus": ("entity_penalty",),
        "own words": ("mention_weight",),
        "time": ("time_boost",),
        "graph": ("graph_weight", "graph_boost"),
        "support": ("support_weight",),
    }
    kept = {name for signal in enabled for name in switched_on[signal]}
    off = {name: value for name, value in _PLAIN.items() if name not in kept}
    return replace(defaults, **{**off, **extra})


CONFIGS = {
    "RRF k=60, equal weights; no neighbours, entity, time, graph": _step(
        rrf_k=60, lexical_floor=0.0
    ),
    "RRF k=5": _step(),
    "+ neighbouring turns (answer 0.8, context 0.5)": _step("neighbours"),
    "+ entity focus (penalty 0.4)": _step("neighbours", "focus"),
    "+ own words (mentions by others 0.5)": _step("neighbours", "focus", "own words"),
    "+ time windows (boost 2)": _step("neighbours", "focus", "own words", "time"),
    "+ graph candidates (boost 1.5)": _step("neighbours", "focus", "own words", "time", "graph"),
    "default: + evidence support (0.6)": RetrievalSettings(),
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
