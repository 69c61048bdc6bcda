"""A scripted OpenAI-compatible server that plays a plausible model, and engines wired to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import backend_location

from engramdb import Memory
from engramdb.pipeline.llm.runner import CallPolicy
from engramdb.ports.nlp import Parser
from engramdb.providers.llm import OpenAICompatible
from engramdb.testing import FrozenClock, HashEmbedder
from engramdb.testing.llm_server import Reply, ScriptedLLMServer

TURN = re.compile(r"^(T\d+) \[(\d{4}-\d\d-\d\d)\] ([^:]+): (.*)$", re.MULTILINE)
MEMORY = re.compile(r"^\[(M\d+)\] \(([^)]*)\) (.*)$", re.MULTILINE)
NO_WAIT = CallPolicy(attempts=3, backoff_s=0.0, max_wait_s=0.0)


def prompt_of(request: dict[str, Any]) -> str:
    """Which engramdb prompt a request carries (by its system message's opening)."""
    system = request["messages"][0]["content"]
    for opening, name in (
        ("You turn conversation", "extract_facts"),
        ("You keep a memory", "judge_conflict"),
        ("You write the gist", "gist"),
        ("You answer questions", "answer"),
        ("Your task is to label", "judge_answer"),
    ):
        if system.startswith(opening):
            return name
    raise AssertionError(f"unknown prompt: {system[:60]}")


@dataclass
class Brain:
    """What the scripted model answers to each prompt (tests change its parts)."""

    facts: Callable[[list[tuple[str, str, str, str]]], list[dict[str, Any]]] = field(
        default=lambda turns: []
    )
    aliases: list[dict[str, str]] = field(default_factory=list)
    verdict: str = "update"
    gist: str = "They talked."
    seen: list[str] = field(default_factory=list)

    def __call__(self, request: dict[str, Any]) -> Reply | dict[str, Any]:
        name = prompt_of(request)
        self.seen.append(name)
        user = request["messages"][1]["content"]
        if name == "extract_facts":
            turns = TURN.findall(user.split("Turns to extract from:")[1])
            return {"facts": self.facts(turns), "aliases": self.aliases}
        if name == "judge_conflict":
            return {"verdicts": [{**pair, "relation": self.verdict} for pair in pairs_in(user)]}
        if name == "gist":
            return {"gist": self.gist}
        if name == "answer":
            first = MEMORY.search(user)
            cited = [first.group(1), "M999"] if first else []
            # a real model's answer is short; the schema bounds it (a stored line may be long)
            said = first.group(3)[:4000] if first else "I do not know"
            return {"answer": said, "citations": cited}
        return {"label": "CORRECT", "reasoning": ""}


def pairs_in(prompt: str) -> list[dict[str, str]]:
    """The (new fact, older fact) aliases a judge_conflict prompt asks about."""
    pairs, new = [], ""
    for line in prompt.splitlines():
        if line.startswith("N"):
            new = line.split()[0]
        elif line.strip().startswith("F"):
            pairs.append({"new": new, "fact": line.split()[0]})
    return pairs


def fact(text: str, subject: str, predicate: str, obj: str | None, when: str | None,
         *sources: str) -> dict[str, Any]:  # fmt: skip
    return {"text": text, "subject": subject, "predicate": predicate, "object": obj,
            "when": when, "sources": list(sources)}  # fmt: skip


@pytest.fixture
def brain() -> Brain:
    return Brain()


@pytest.fixture
def llm_server(brain: Brain) -> Iterator[ScriptedLLMServer]:
    with ScriptedLLMServer(brain) as server:
        yield server


@pytest.fixture
def llm(llm_server: ScriptedLLMServer) -> Iterator[OpenAICompatible]:
    client = OpenAICompatible(
        base_url=llm_server.url, model="scripted", timeout=10.0,
        input_price=0.15, output_price=0.6,
    )  # fmt: skip
    yield client
    client.close()


def open_llm_memory(location: str | Path, clock: FrozenClock, llm: OpenAICompatible,
                    parser: Parser, **options: Any) -> Memory:  # fmt: skip
    """An engine with the rules or spaCy parser, the hash embedder and the scripted model."""
    options.setdefault("background", False)
    options.setdefault("llm_policy", NO_WAIT)
    return Memory.open(
        location, embedder=HashEmbedder(), clock=clock, parser=parser, llm=llm, **options
    )


@pytest.fixture
def lmem(
    backend: str, tmp_path: Path, clock: FrozenClock, llm: OpenAICompatible, spacy_parser: Parser
) -> Iterator[Memory]:
    """An engine with the scripted LLM, on each backend (jobs run only when asked)."""
    location = backend_location(backend, tmp_path)
    with open_llm_memory(location, clock, llm, spacy_parser) as memory:
        yield memory


@pytest.fixture
def smem(
    tmp_path: Path, clock: FrozenClock, llm: OpenAICompatible, spacy_parser: Parser
) -> Iterator[Memory]:
    """An engine with the scripted LLM on a SQLite file."""
    with open_llm_memory(tmp_path / "m.db", clock, llm, spacy_parser) as memory:
        yield memory
