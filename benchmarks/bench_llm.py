"""Tokens, cost and engramdb's own latency for each LLM-enhanced operation per 1,000 turns.

Usage::

    python benchmarks/bench_llm.py --data ../shared/data/locomo10.json [--turns 1000]
        [--prices 0.15,0.60] [--base-url URL --model NAME]

Ingests LoCoMo conversations until ``--turns`` turns are stored (real embedder and
understanding), runs the LLM extraction and conflict jobs, consolidates and runs the
abstractive gist jobs, then answers ``--questions`` questions. Prompt tokens are
counted exactly (o200k_base) on the prompts engramdb really sends.

Without ``--base-url`` the model is a scripted server on 127.0.0.1 that answers like a
typical extraction model (one fact per informative turn, a 60-word gist, a one-line
answer), so the completion tokens are representative, not measured, and the latency is
engramdb's overhead per call (client, parsing, validation, storage) with an instant
model. With ``--base-url`` a real model answers and every figure is measured. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from engramdb import Memory
from engramdb.eval.locomo import ingest_conversation, load_locomo
from engramdb.pipeline.llm.runner import CallPolicy
from engramdb.providers.llm import OpenAICompatible
from engramdb.testing.llm_server import ScriptedLLMServer

TURN = re.compile(r"^(T\d+) \[(\d{4}-\d\d-\d\d)\] ([^:]+): (.*)$", re.MULTILINE)
MEMORY = re.compile(r"^\[(M\d+)\] \(([^)]*)\) (.*)$", re.MULTILINE)


VERBS = ("love", "like", "went", "work", "live", "moved", "have", "bought", "started", "play")


def _predicate(text: str) -> dict[str, str | None]:
    """A verb and its next word, so that facts about one subject can conflict."""
    words = re.findall(r"[a-z]+", text.lower())
    for verb in VERBS:
        if verb in words[:-1]:
            return {"predicate": verb, "object": words[words.index(verb) + 1]}
    return {"predicate": "said", "object": None}


def typical_model(request: dict[str, Any]) -> dict[str, Any]:
    """Answers of the size a capable extraction model gives."""
    system, user = (m["content"] for m in request["messages"])
    if system.startswith("You turn conversation"):
        turns = TURN.findall(user.split("Turns to extract from:")[1])
        facts = [
            {"text": f"{who} said: {text}"[:240], "subject": who, **_predicate(text),
             "when": day, "sources": [alias]}
            for alias, day, who, text in turns
            if len(text.split()) >= 6
        ]  # fmt: skip
        return {"facts": facts, "aliases": []}
    if system.startswith("You keep a memory"):
        pairs = re.findall(r"^(N\d+) .*?$((?:\n  F\d+ .*$)*)", user, re.MULTILINE)
        return {"verdicts": [
            {"new": new, "fact": old, "relation": "independent", "reason": "both can be true"}
            for new, block in pairs for old in re.findall(r"F\d+", block)
        ]}  # fmt: skip
    if system.startswith("You write the gist"):
        words = " ".join(user.split()[:60])
        return {"gist": words}
    first = MEMORY.search(user)
    return {"answer": first.group(3)[:120] if first else "I do not know",
            "citations": [first.group(1)] if first else []}  # fmt: skip


def run(args: argparse.Namespace, base_url: str, model: str) -> dict[str, Any]:
    prices = [float(p) for p in args.prices.split(",")]
    llm = OpenAICompatible(
        base_url=base_url, model=model, api_key=args.api_key, timeout=120,
        input_price=prices[0], output_price=prices[1],
    )  # fmt: skip
    conversations = load_locomo(args.data)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Memory.open(
            f"{tmp}/llm.db", llm=llm, background=False, llm_policy=CallPolicy(cache_size=0)
        ) as mem,
    ):
        turns, asked, phases = 0, [], {}
        for conversation in conversations:
            if turns >= args.turns:
                break
            turns += ingest_conversation(mem, conversation)
            asked += [(conversation.user_id, q.text) for q in conversation.questions]
        for phase, work in (
            ("extract", mem.run_jobs),
            ("consolidate+gists", lambda: (mem.consolidate(), mem.run_jobs())),
            ("answer", lambda: [mem.answer(q, user_id=u) for u, q in asked[: args.questions]]),
        ):
            started = time.perf_counter()
            work()
            phases[phase] = round(time.perf_counter() - started, 2)
        usage = mem.usage()
    per_turns = 1000 / turns
    report = {}
    for name, used in usage.items():
        scale = 1 / args.questions if name == "answer" else per_turns
        unit = "per question" if name == "answer" else "per 1,000 turns"
        report[name] = {
            "unit": unit,
            "calls": round(used["calls"] * scale, 2),
            "prompt_tokens": round(used["prompt_tokens"] * scale),
            "completion_tokens": round(used["completion_tokens"] * scale),
            "cost": round(used["cost"] * scale, 5),
            "latency_p50_s": used["latency_p50_s"],
            "latency_p95_s": used["latency_p95_s"],
        }
    return {"turns": turns, "questions": args.questions, "model": model,
            "prices_per_million": prices, "seconds": phases, "operations": report}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/locomo10.json"))
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--prices", default="0.15,0.60", help="input,output per million tokens")
    parser.add_argument("--base-url")
    parser.add_argument("--model", default="typical-extractor")
    parser.add_argument("--api-key")
    args = parser.parse_args()
    if args.base_url:
        print(json.dumps(run(args, args.base_url, args.model), indent=2))
        return
    with ScriptedLLMServer(typical_model) as server:
        print(json.dumps(run(args, server.url, args.model), indent=2))


if __name__ == "__main__":
    main()
