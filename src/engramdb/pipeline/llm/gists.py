"""Abstractive gists (the ``gist`` job): the model rewrites an extractive gist.

The extractive gist is written first by consolidation (no model needed); the job
replaces its text with the model's summary, keeping the extractive one in metadata,
and the gist's vector (the centroid of its turns) as it is.
"""

from __future__ import annotations

from dataclasses import replace

from engramdb.model.memory import MemoryRecord
from engramdb.pipeline.llm.runner import LLMRunner
from engramdb.pipeline.llm.schemas import GistOutput
from engramdb.pipeline.understand.pipeline import speaker_name
from engramdb.ports.store import MemoryStore

__all__ = ["abstractive_gist"]

WORDS = {"episode": 60, "session": 100, "day": 120}
MAX_TURNS = 40


def abstractive_gist(runner: LLMRunner, store: MemoryStore, gist: MemoryRecord) -> MemoryRecord:
    """The gist with the model's summary as its text (a new version).

    Episodes are summarised from their turns; roll-ups from their extractive text.

    Raises:
        LLMError: the model failed after the call policy's retries.
    """
    level = str(gist.metadata.get("level", "episode"))
    extractive = str(gist.metadata.get("extractive", gist.text))
    if level == "episode":
        turns = sorted(store.get_many(gist.sources).values(), key=lambda t: (t.occurred_at, t.seq))
        lines = [
            f"[{t.occurred_at.date().isoformat()}] {speaker_name(t) or t.role}: {t.text}"
            for t in turns[:MAX_TURNS]
        ]
    else:
        lines = [extractive]
    output, prompt_id = runner.ask(
        "gist", GistOutput, words=str(WORDS.get(level, 80)), turns="\n".join(lines)
    )
    metadata = {
        **gist.metadata,
        "extractive": extractive,
        "abstractive": runner.model.name,
        "prompt": prompt_id,
    }
    return replace(gist, text=output.gist.strip(), metadata=metadata, version=gist.version + 1)
