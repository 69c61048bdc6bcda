"""LoCoMo: load conversations, ingest them, and measure evidence retrieval.

Each conversation goes into its own scope (``user_id = "locomo:<sample_id>"``), one
``session_id`` per session, turns as messages named by their speaker, the
session's date as their timestamp, and a shared image's caption appended to the
turn text. Questions of categories 1-4 are asked; category 5 (adversarial, no
answer in the conversation) is excluded as is customary.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engramdb.engine import Memory
from engramdb.errors import InvalidInput
from engramdb.eval.metrics import (
    QuestionResult,
    RankedEvidence,
    Summary,
    score_question,
    summarize,
    timing,
)
from engramdb.model.memory import Scope
from engramdb.model.query import Hit
from engramdb.retrieval.budget import count_tokens
from engramdb.testing.fakes import FrozenClock

__all__ = [
    "CATEGORY_NAMES",
    "Conversation",
    "LocomoReport",
    "Question",
    "asked_after",
    "clock_at",
    "evaluate",
    "ingest_conversation",
    "ingest_unless_stored",
    "load_locomo",
]

CATEGORY_NAMES = {"1": "multi-hop", "2": "temporal", "3": "open-domain", "4": "single-hop"}
_EVIDENCE_RE = re.compile(r"D(\d+):(\d+)")
_SESSION_RE = re.compile(r"^session_(\d+)$")
KS = (5, 10, 20)
BUDGETS = (500, 1000, 2000)
SESSION_KS = (1, 3, 5)


@dataclass(frozen=True, slots=True)
class Question:
    """One LoCoMo question with its gold evidence turn ids."""

    text: str
    category: str
    evidence: tuple[str, ...]
    answer: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    """One session: its number, date and turns (raw LoCoMo dicts)."""

    number: int
    when: datetime
    turns: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Conversation:
    """One LoCoMo sample."""

    sample_id: str
    sessions: tuple[Session, ...]
    questions: tuple[Question, ...]

    @property
    def user_id(self) -> str:
        """The scope this conversation is ingested into."""
        return f"locomo:{self.sample_id}"


def parse_session_time(text: str) -> datetime:
    """``"1:56 pm on 8 May, 2023"`` -> an aware datetime (LoCoMo times carry no zone: UTC)."""
    try:
        return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"unrecognised LoCoMo session time {text!r}") from None


def load_locomo(path: str | Path) -> list[Conversation]:
    """Parse ``locomo10.json`` (or any file in its format).

    Raises:
        InvalidInput: the file is not in LoCoMo format.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return [_conversation(sample) for sample in raw]
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path} is not a LoCoMo file: {exc!r}") from exc


def _conversation(sample: dict[str, Any]) -> Conversation:
    conv = sample["conversation"]
    sessions = []
    for key, turns in conv.items():
        match = _SESSION_RE.match(key)
        if match and isinstance(turns, list) and turns:
            when = parse_session_time(conv[f"{key}_date_time"])
            sessions.append(Session(int(match.group(1)), when, tuple(turns)))
    questions = tuple(
        Question(
            qa["question"],
            str(qa["category"]),
            _evidence_ids(qa.get("evidence", [])),
            str(qa.get("answer", "")),
        )
        for qa in sample.get("qa", [])
    )
    return Conversation(
        str(sample["sample_id"]), tuple(sorted(sessions, key=lambda s: s.number)), questions
    )


def _evidence_ids(evidence: Sequence[str]) -> tuple[str, ...]:
    """Gold ids, tolerating the data's typos ("D8:6; D9:17", "D:11:26" is dropped)."""
    found = (f"D{a}:{b}" for item in evidence for a, b in _EVIDENCE_RE.findall(str(item)))
    return tuple(dict.fromkeys(found))


def turn_text(turn: dict[str, Any]) -> str:
    """A turn's text, with the caption of a shared image appended."""
    text = str(turn.get("text", "")).strip()
    caption = turn.get("blip_caption")
    if caption:
        text = f"{text} [shares a photo: {caption}]".strip()
    return text


def conversation_batch(conversation: Conversation) -> list[dict[str, Any]]:
    """The :meth:`Memory.add_batch` items that store ``conversation``, one per session."""
    items = []
    for session in conversation.sessions:
        messages = [
            {
                "role": "user",
                "name": turn["speaker"],
                "content": turn_text(turn),
                "metadata": {"dia_id": turn["dia_id"]},
            }
            for turn in session.turns
            if turn_text(turn)
        ]
        items.append(
            {
                "messages": messages,
                "user_id": conversation.user_id,
                "session_id": f"session_{session.number}",
                "timestamp": session.when,
            }
        )
    return items


def ingest_conversation(memory: Memory, conversation: Conversation) -> int:
    """Add every session of ``conversation``; returns the number of turns stored."""
    return sum(len(stored) for stored in memory.add_batch(conversation_batch(conversation)))


def ingest_unless_stored(memory: Memory, conversation: Conversation) -> int:
    """Add ``conversation`` unless an earlier run stored it in this store (``--db``); turns added.

    A second ingest would store every turn twice, and move the figures.
    """
    scope = Scope(user_id=conversation.user_id, tenant_id=memory.tenant_id)
    if memory.store.latest_time(scope) is not None:
        return 0
    return ingest_conversation(memory, conversation)


@dataclass
class LocomoReport:
    """Per-category and overall retrieval metrics."""

    by_category: dict[str, Summary]
    overall: Summary
    conversations: int
    turns: int
    skipped_questions: int
    timing: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict."""

        def summary(s: Summary) -> dict[str, Any]:
            return {
                "questions": s.questions,
                **{f"recall@{k}": round(v, 4) for k, v in s.recall_at.items()},
                **{f"recall@{b}tok": round(v, 4) for b, v in s.recall_tokens.items()},
                **{f"session_recall@{k}": round(v, 4) for k, v in s.session_recall_at.items()},
                "mrr": round(s.mrr, 4),
            }

        return {
            "conversations": self.conversations,
            "turns": self.turns,
            "skipped_questions": self.skipped_questions,
            "timing": {k: round(v, 3) for k, v in self.timing.items()},
            "overall": summary(self.overall),
            "by_category": {
                f"{c} {CATEGORY_NAMES.get(c, '')}".strip(): summary(s)
                for c, s in sorted(self.by_category.items())
            },
        }


@contextmanager
def clock_at(memory: Memory, when: datetime) -> Iterator[None]:
    """Run with ``memory``'s clock standing at ``when``, then give the old clock back."""
    saved = memory.clock
    memory.clock = FrozenClock(when)
    try:
        yield
    finally:
        memory.clock = saved


def asked_after(memory: Memory, conversation: Conversation) -> AbstractContextManager[None]:
    """Ask with the clock just after the conversation's last session, as a user would.

    "Last Saturday" in a question then means the Saturday before that session, not
    before the day the evaluation runs.
    """
    return clock_at(memory, max(s.when for s in conversation.sessions))


def ranked_evidence(hits: Sequence[Hit], key: str = "dia_id") -> RankedEvidence:
    """Turn ids credited by each hit (its sources' metadata ``key``), with tokens spent."""
    turns: list[str] = []
    tokens: list[int] = []
    used = 0
    for hit in hits:
        used += count_tokens(hit.memory.text)
        for source in hit.sources:
            dia_id = source.metadata.get(key)
            if isinstance(dia_id, str) and dia_id not in turns:
                turns.append(dia_id)
                tokens.append(used)
    return RankedEvidence(tuple(turns), tuple(tokens))


def evaluate(
    memory: Memory,
    conversations: Sequence[Conversation],
    *,
    categories: Sequence[str] = ("1", "2", "3", "4"),
    k: int = 100,
    ingest: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> LocomoReport:
    """Ingest (unless already done) and ask every question; score the evidence found.

    Args:
        memory: the engine to evaluate (normally a fresh store).
        conversations: parsed LoCoMo samples.
        categories: question categories to ask.
        k: hits retrieved per question (enough to fill the largest token budget).
        ingest: add the conversations first.
        progress: called with ``("turns" | "questions", n)`` as work is done.
    """
    turns = 0
    results: list[QuestionResult] = []
    skipped = 0
    ingest_s = 0.0
    searches: list[float] = []
    for conversation in conversations:
        if ingest:
            started = time.perf_counter()
            added = ingest_unless_stored(memory, conversation)
            ingest_s += time.perf_counter() - started
            turns += added
            if progress:
                progress("turns", added)
        for question in conversation.questions:
            if question.category not in categories:
                continue
            if not question.evidence:
                skipped += 1
                continue
            started = time.perf_counter()
            with asked_after(memory, conversation):
                hits = memory.search(question.text, user_id=conversation.user_id, k=k)
            searches.append(time.perf_counter() - started)
            results.append(
                score_question(
                    question.category,
                    question.evidence,
                    ranked_evidence(hits),
                    ks=KS,
                    budgets=BUDGETS,
                    session_ks=SESSION_KS,
                )
            )
            if progress:
                progress("questions", 1)
    grouped: dict[str, list[QuestionResult]] = defaultdict(list)
    for result in results:
        grouped[result.category].append(result)
    return LocomoReport(
        {c: summarize(r) for c, r in grouped.items()},
        summarize(results),
        len(conversations),
        turns,
        skipped,
        timing=timing(ingest_s, turns, searches),
    )
