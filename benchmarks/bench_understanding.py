"""Extraction throughput: turns analysed per second (readings, times, entities, facts).

Usage::

    python benchmarks/bench_understanding.py --data ../shared/data/locomo10.json

Analyses every LoCoMo turn, one conversation at a time as ``add_batch`` would,
with the spaCy parser and with the rules-only parser; prints the median of
``--runs`` runs and what was extracted. No embedding and no storage: this is
the cost understanding adds to ingestion.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from engramdb.eval.locomo import load_locomo, turn_text
from engramdb.pipeline.understand.analyze import Analyzer, TurnInput
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.ports.nlp import Parser
from engramdb.providers.nlp.spacy_parser import SpacyParser


def conversations(path: Path) -> list[list[TurnInput]]:
    """Each LoCoMo session's turns, ready to analyse."""
    batches = []
    for conversation in load_locomo(path):
        for session in conversation.sessions:
            names = list(dict.fromkeys(t["speaker"] for t in session.turns))
            batches.append(
                [
                    TurnInput(
                        turn_text(t),
                        t["speaker"],
                        session.when,
                        next((n for n in names if n != t["speaker"]), None),
                    )
                    for t in session.turns
                ]
            )
    return batches


def run(parser: Parser, batches: list[list[TurnInput]], runs: int) -> None:
    analyzer = Analyzer(parser)
    turns = sum(len(b) for b in batches)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        results = [r for batch in batches for r in analyzer.analyze(batch)]
        rates.append(turns / (time.perf_counter() - start))
    facts = sum(len(r.facts) for r in results)
    mentions = sum(len(r.mentions) for r in results)
    times = sum(len(r.times) for r in results)
    print(
        f"{parser.name:<32} {statistics.median(rates):7.0f} turns/s (median of {runs}: "
        f"{', '.join(f'{r:.0f}' for r in rates)}); {turns} turns -> {facts} facts, "
        f"{mentions} mentions, {times} time expressions",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    batches = conversations(args.data)
    run(SpacyParser(), batches, args.runs)
    run(RulesParser(), batches, args.runs)


if __name__ == "__main__":
    main()
