"""What the embedder reads for a memory, and how a memory's vector is made from it.

A long turn is read through its passages: the embedder stops at 256 word pieces, so
the turn's own text would be read twice over its head and never past it. Its vector
is the unit mean of its passages' vectors, which are embedded anyway: the whole turn
counts, and an ingest of long assistant answers embeds a third fewer word pieces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from engramdb.model.memory import MemoryRecord
from engramdb.pipeline.passages import passage_texts
from engramdb.ports.embedder import Embedder

__all__ = [
    "embed_memories",
    "embedding_text",
    "embedding_texts",
    "memory_vector",
    "passage_embedding_texts",
]


def embedding_text(memory: MemoryRecord) -> str:
    """What the embedder sees for a memory read whole.

    The speaker's name keeps "who said it" in the vector, and the resolved reading
    (when there is one) says who "I" and "she" are and when "last week" was.
    """
    return _spoken(memory, memory.reading or memory.text)


def passage_embedding_texts(memory: MemoryRecord) -> list[str]:
    """What the embedder sees of a long turn's passages, in order; nothing for the rest."""
    return [_spoken(memory, piece) for piece in passage_texts(memory)]


def embedding_texts(memory: MemoryRecord) -> list[str]:
    """The texts whose vectors make a memory's: a long turn's passages, else its own."""
    return passage_embedding_texts(memory) or [embedding_text(memory)]


def memory_vector(memory: MemoryRecord, vector_of: Callable[[str], np.ndarray]) -> np.ndarray:
    """A memory's vector from its texts' vectors (see :func:`embedding_texts`)."""
    texts = embedding_texts(memory)
    if len(texts) == 1:
        return vector_of(texts[0])
    mean = np.mean([vector_of(text) for text in texts], axis=0)
    unit: np.ndarray = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
    return unit


def embed_memories(embedder: Embedder, memories: Sequence[MemoryRecord]) -> list[np.ndarray]:
    """Every memory's vector, each distinct text embedded once."""
    texts = list(dict.fromkeys(t for m in memories for t in embedding_texts(m)))
    found: Mapping[str, np.ndarray] = dict(zip(texts, embedder.embed_many(texts), strict=True))
    return [memory_vector(m, found.__getitem__) for m in memories]


def _spoken(memory: MemoryRecord, text: str) -> str:
    return f"{memory.speaker}: {text}" if memory.speaker else text
