"""Where ingest time goes: one add per turn and one bulk batch, stage by stage.

python benchmarks/bench_ingest.py --data ../shared/data [--turns 600] [--runs 3]

For LoCoMo turns (short) and LongMemEval turns (long), each stage's seconds are
timed inside real ingests into a fresh SQLite store: validate, parse (spaCy),
understand (resolve and facts, the parse excluded), embed, SQL rows, FTS rows,
ANN index, graph (entities, relations, supersession), commit. The embedder alone,
on the same texts in the same run (every text the bulk ingest gave it: turns, facts
and passages), is the physical limit; every throughput is also
given as a ratio to it. Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engramdb import Memory
from engramdb.backends.sqlite.store import SQLiteStore
from engramdb.eval.locomo import conversation_batch, load_locomo
from engramdb.eval.longmemeval import haystack_batch, load_longmemeval
from engramdb.pipeline import ingest as ingest_module
from engramdb.pipeline.understand import pipeline
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.providers.embedders.static import StaticMiniLMEmbedder

STAGES = ("validate", "parse", "understand", "embed", "sql", "fts", "ann", "graph", "commit")


class Stopwatch:
    """Seconds per stage, from wrapped functions; nested stages are subtracted."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._local = threading.local()  # the embedder runs on a worker thread

    @property
    def _inner(self) -> list[float]:
        if not hasattr(self._local, "inner"):
            self._local.inner = [0.0]
        inner: list[float] = self._local.inner
        return inner

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._inner.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                nested = self._inner.pop()
                self.seconds[stage] += spent - nested
                self._inner[-1] += spent

        return timed


class _TimedConnection:
    """A sqlite3 connection whose COMMIT is timed."""

    def __init__(self, conn: Any, watch: Stopwatch) -> None:
        self._conn = conn
        self._commit = watch.wrap("commit", conn.execute)

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            return self._commit(sql, *args)
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def instrumented(memory: Memory, watch: Stopwatch) -> Iterator[None]:
    """Time the stages of ``memory``'s ingest (a benchmark-only patch, undone on exit)."""
    store = memory.store
    assert isinstance(store, SQLiteStore)
    patches: list[tuple[Any, str, Any]] = [
        (memory, "_add_request", watch.wrap("validate", memory._add_request)),
        (store, "insert", watch.wrap("sql", store.insert)),
        (store, "_write_side_rows", watch.wrap("fts", store._write_side_rows)),
        (store, "_ann_added", watch.wrap("ann", store._ann_added)),
        (store, "_conn", _TimedConnection(store._conn, watch)),
        (memory.embedder, "embed_many", watch.wrap("embed", memory.embedder.embed_many)),
        (ingest_module, "apply_understanding", watch.wrap("graph", pipeline.apply_understanding)),
        (ingest_module, "understand", watch.wrap("understand", pipeline.understand)),
    ]
    if memory.analyzer is not None:
        parser = memory.analyzer.parser
        patches.append((parser, "parse_many", watch.wrap("parse", parser.parse_many)))
    saved = [(target, name, getattr(target, name)) for target, name, _ in patches]
    for target, name, value in patches:
        setattr(target, name, value)
    try:
        yield
    finally:
        for target, name, value in reversed(saved):
            if name in vars(target) and target is not ingest_module:
                delattr(target, name)  # the instance attribute shadowed the class's
            else:
                setattr(target, name, value)


def _batches(data: Path, source: str, turns: int) -> list[dict[str, Any]]:
    """Sessions of real turns, about ``turns`` of them."""
    if source == "locomo":
        items = [i for c in load_locomo(data / "locomo10.json") for i in conversation_batch(c)]
    else:
        questions = load_longmemeval(data / "longmemeval_s_dev.json.gz")
        items = [i for q in questions[:4] for i in haystack_batch(q)]
    chosen, total = [], 0
    for item in items:
        if total >= turns:
            break
        chosen.append(item)
        total += len(item["messages"])
    return chosen


def _open(tier: str, location: str | Path = ":memory:") -> Memory:
    """The default tier (MiniLM, spaCy) or the fast one (static MiniLM, rules only)."""
    if tier == "fast":
        return Memory.open(location, embedder=StaticMiniLMEmbedder(), parser=RulesParser())
    return Memory.open(location)


def _run(
    items: list[dict[str, Any]], mode: str, tier: str, embedded: list[str] | None = None
) -> tuple[Stopwatch, float]:
    """One ingest, timed by stage; ``embedded`` collects the texts given to the embedder."""
    watch = Stopwatch()
    with tempfile.TemporaryDirectory() as tmp, _open(tier, Path(tmp) / "b.db") as memory:
        memory.add("warm the models up", user_id="warm")
        if embedded is not None:
            memory.embedder.embed_many = _recording(memory.embedder.embed_many, embedded)  # type: ignore[method-assign]
        with instrumented(memory, watch):
            started = time.perf_counter()
            if mode == "bulk":
                memory.add_batch(items)
            else:
                for item in items:
                    for message in item["messages"]:
                        memory.add([message], **{k: v for k, v in item.items() if k != "messages"})
            total = time.perf_counter() - started
    return watch, total


def _recording(embed_many: Callable[..., Any], into: list[str]) -> Callable[..., Any]:
    def recorded(texts: list[str]) -> Any:
        into.extend(texts)
        return embed_many(texts)

    return recorded


def _embedder_alone(texts: list[str], tier: str) -> float:
    """The embedder alone on ``texts`` (turns, their facts and passages, as ingest gave them)."""
    with _open(tier) as memory:
        memory.embedder.embed_many(["warm the model up"])
        started = time.perf_counter()
        memory.embedder.embed_many(texts)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--turns", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sources", default="locomo,longmemeval")
    parser.add_argument(
        "--tier", choices=("default", "fast"), default="default",
        help="fast: the static embedder and rules-only understanding",
    )  # fmt: skip
    args = parser.parse_args()
    for source in args.sources.split(","):
        items = _batches(args.data, source, args.turns)
        count = sum(len(i["messages"]) for i in items)
        texts: list[str] = []
        _run(items, "bulk", args.tier, texts)
        alone = statistics.median(_embedder_alone(texts, args.tier) for _ in range(args.runs))
        print(
            f"\n{source}: {count} turns, {len(texts)} texts embedded (turns, facts, passages); "
            f"embedder alone {count / alone:.1f} turns/s"
        )
        print(f"| stage | {' | '.join(f'{m} s' for m in ('add', 'bulk'))} |")
        print("|---|---|---|")
        results = {
            mode: [_run(items, mode, args.tier) for _ in range(args.runs)]
            for mode in ("add", "bulk")
        }
        for stage in STAGES:
            cells = [statistics.median(w.seconds[stage] for w, _ in results[m]) for m in results]
            print(f"| {stage} | {' | '.join(f'{c:.2f}' for c in cells)} |")
        totals = [statistics.median(t for _, t in results[m]) for m in results]
        other = [
            statistics.median(t - sum(w.seconds.values()) for w, t in results[m]) for m in results
        ]
        print(f"| other (events, Python) | {' | '.join(f'{o:.2f}' for o in other)} |")
        print(f"| total | {' | '.join(f'{t:.2f}' for t in totals)} |")
        rates = [count / t for t in totals]
        print(f"| turns/s | {' | '.join(f'{r:.1f}' for r in rates)} |")
        print(f"| of embedder alone | {' | '.join(f'{r * alone / count:.0%}' for r in rates)} |")


if __name__ == "__main__":
    main()
