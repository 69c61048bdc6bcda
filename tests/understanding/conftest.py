"""Fixtures: the real spaCy parser (the default), and an engine that understands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engramdb import Memory
from engramdb.ports.nlp import Parser
from engramdb.testing import FrozenClock, HashEmbedder


@pytest.fixture(scope="session")
def spacy_parser() -> Parser:
    from engramdb.providers.nlp.spacy_parser import SpacyParser

    return SpacyParser()


@pytest.fixture
def umem(tmp_path: Path, clock: FrozenClock, spacy_parser: Parser) -> Iterator[Memory]:
    with Memory.open(
        tmp_path / "u.db", embedder=HashEmbedder(), clock=clock, parser=spacy_parser
    ) as memory:
        yield memory
