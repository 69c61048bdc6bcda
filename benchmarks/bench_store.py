"""Ingestion throughput and search latency of a store (SQLite by default, or PostgreSQL).

Usage::

    python benchmarks/bench_store.py --data ../shared/data/locomo10.json --sizes 10000 100000
    python benchmarks/bench_store.py --db postgresql://postgres@127.0.0.1:54329/bench ...

``--db`` names a store to fill (an empty database for a DSN); by default a temporary file.

1. Ingestion: every LoCoMo turn through ``Memory.add_batch`` (one item per session)
   with the real local embedder; turns/s.
2. Search: a scope is grown to each size with the real turns' texts and MiniLM
   vectors, replicated with small noise (clustered like real data, not uniform
   random), then LoCoMo questions are searched end to end in that one scope
   (query embedding, full-text BM25, ANN, fusion, neighbours); p50 / p95 / p99 latency,
   beside the lexical and ANN legs alone (same questions, same depth, vectors precomputed)
   and the number of store calls one search makes.
A ``--db`` that was filled by an earlier run is grown to the next size, not refilled.
Peak RSS is reported at the end. Results are printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from engramdb import Memory, MemoryRecord
from engramdb.eval.locomo import ingest_conversation, load_locomo
from engramdb.model.ids import new_id
from engramdb.model.memory import Scope
from engramdb.retrieval.text import query_terms
from engramdb.testing.calls import store_calls

SCOPE = "bench"
COPIES_KEY = "bench_copies"  # store metadata: how many copies of the seed turns it holds


def ingest(mem: Memory, data: Path) -> dict[str, float]:
    conversations = load_locomo(data)
    started = time.perf_counter()
    turns = sum(ingest_conversation(mem, c) for c in conversations)
    seconds = time.perf_counter() - started
    return {"turns": turns, "seconds": round(seconds, 1), "turns_per_s": round(turns / seconds, 1)}


def seed_turns(mem: Memory, users: list[str]) -> tuple[list[MemoryRecord], dict[str, np.ndarray]]:
    turns: list[MemoryRecord] = []
    for user in users:
        cursor = None
        while True:
            page = mem.get_all(user_id=user, limit=1000, cursor=cursor)
            turns += page.memories
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    return turns, mem.store.vectors_of([t.id for t in turns])


def grow(mem: Memory, seeds: list[MemoryRecord], vectors: dict[str, np.ndarray], start: int,
         stop: int, rng: np.random.Generator) -> float:  # fmt: skip
    """Add copies ``start..stop`` of the seed turns to scope ``bench``; returns seconds."""
    began = time.perf_counter()
    now = mem.clock.now()
    for chunk in range(start, stop, 5000):
        batch, batch_vectors = [], []
        for n in range(chunk, min(chunk + 5000, stop)):
            seed = seeds[n % len(seeds)]
            noisy = vectors[seed.id] + rng.normal(0, 0.02, 384).astype(np.float32)
            batch.append(replace(seed, id=new_id(now), scope=replace(seed.scope, user_id=SCOPE),
                                 seq=n, metadata={"copy": n}))  # fmt: skip
            batch_vectors.append(noisy / np.linalg.norm(noisy))
        mem.store.insert(batch, batch_vectors, "bench", record_events=False)
        mem.store.set_meta(COPIES_KEY, str(min(chunk + 5000, stop)))
    return time.perf_counter() - began


def search_latency(mem: Memory, questions: list[str]) -> dict[str, object]:
    """End-to-end searches in the one big scope, the raw legs alone, and store calls."""
    mem.search(questions[0], user_id=SCOPE, k=10)  # warm: loads / builds the ANN index
    settle = getattr(mem.store, "wait_for_text_index", None)
    if settle is not None:
        settle(600)  # the text sidecar holds the rows just added (searches use it from then)
    end_to_end = timed_searches(mem, [(SCOPE, q) for q in questions])
    return {**end_to_end, **raw_legs(mem, questions), **search_calls(mem, questions)}


def timed_searches(mem: Memory, questions: list[tuple[str, str]]) -> dict[str, float]:
    """Search each ``(user_id, question)``; the count and p50 / p95 / p99 latency in ms."""
    timings = []
    for user_id, question in questions:
        started = time.perf_counter()
        mem.search(question, user_id=user_id, k=10)
        timings.append((time.perf_counter() - started) * 1000)
    return {"queries": len(timings), **percentiles(timings)}


def percentiles(timings: list[float], prefix: str = "") -> dict[str, float]:
    ordered = sorted(timings)
    at = lambda q: round(ordered[int(q * (len(ordered) - 1))], 2)  # noqa: E731
    return {f"{prefix}p50_ms": at(0.5), f"{prefix}p95_ms": at(0.95), f"{prefix}p99_ms": at(0.99)}


def raw_legs(mem: Memory, questions: list[str]) -> dict[str, float]:
    """The lexical and ANN legs alone, as deep as the retriever asks (query vectors precomputed).

    The lexical leg is FTS5 in a store of fewer than 20,000 memories, the tantivy sidecar
    beyond (SQLite), or PostgreSQL's full-text BM25.
    """
    depth = mem.retriever.settings.candidates
    scope = Scope(SCOPE)
    vectors = mem.embedder.embed_many(questions)
    lexical, dense = [], []
    for question, vector in zip(questions, vectors, strict=True):
        started = time.perf_counter()
        mem.store.keyword_search(query_terms(question), scope, None, depth)
        lexical.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        mem.store.vector_search(vector, scope, None, depth)
        dense.append((time.perf_counter() - started) * 1000)
    return {**percentiles(lexical, "lexical_"), **percentiles(dense, "ann_")}


def search_calls(mem: Memory, questions: list[str]) -> dict[str, float]:
    """Store methods one search calls (outermost calls only), median and max."""
    counts: list[int] = []
    for question in questions:
        with store_calls(mem.store) as calls:
            mem.search(question, user_id=SCOPE, k=10)
        counts.append(len(calls))
    return {"store_calls_p50": statistics.median(counts), "store_calls_max": max(counts)}


def copies_held(mem: Memory) -> int:
    """How many copies the big scope holds already (a kept ``--db`` is grown, not refilled)."""
    return int(mem.store.get_meta(COPIES_KEY) or 0)


def measure(
    mem: Memory, data: Path, sizes: list[int], questions: list[str], *, fresh: bool
) -> dict[str, object]:
    """Ingest LoCoMo, then grow one scope to each size and time searches in it."""
    results: dict[str, object] = {"ingest": ingest(mem, data)} if fresh else {}
    seeds, vectors = seed_turns(mem, [c.user_id for c in load_locomo(data)])
    rng = np.random.default_rng(7)
    have = 0 if fresh else copies_held(mem)
    for size in sorted(sizes):
        if size < have:
            print(json.dumps({size: f"skipped: the store holds {have} already"}), flush=True)
            continue
        seconds = grow(mem, seeds, vectors, have, size, rng) if size > have else 0.0
        added, have = max(size - have, 0), max(size, have)
        results[f"search@{size}"] = {
            "bulk_insert_rows_per_s": round(added / max(seconds, 1e-9)) if added else None,
            **search_latency(mem, questions),
        }
        print(json.dumps({size: results[f"search@{size}"]}), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--db", help="store file or postgresql:// DSN (default: a temporary file)")
    args = parser.parse_args()
    conversations = load_locomo(args.data)
    questions = [q.text for c in conversations for q in c.questions][: args.queries]
    results: dict[str, object] = {"store": "postgresql" if "://" in (args.db or "") else "sqlite"}
    with tempfile.TemporaryDirectory() as tmp, Memory.open(args.db or f"{tmp}/b.db") as mem:
        fresh = mem.store.stats()["memories"] == 0
        results.update(measure(mem, args.data, args.sizes, questions, fresh=fresh))
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
