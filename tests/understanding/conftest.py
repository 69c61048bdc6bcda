"""Fixtures: the real spaCy parser (the default), and an engine that understands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import backend_location

from engramdb import Memory
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock, HashEmbedder


@pytest.fixture
def umem(
    backend: str, tmp_path: Path, clock: FrozenClock, spacy_parser: Parser
) -> Iterator[Memory]:
    """An engine that understands, on each backend."""
    location = backend_location(backend, tmp_path)
    with Memory.open(location, embedder=HashEmbedder(), clock=clock, parser=spacy_parser) as memory:
        yield memory
