"""The fixtures the conformance tests run on; a backend gives ``engramdb_location``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engramdb import Memory
from engramdb.ports.nlp import Parser
from engramdb.testing.conformance._support import T0
from engramdb.testing.fakes import FrozenClock, HashEmbedder

__all__ = ["clock", "engramdb_location", "engramdb_parser", "mem", "umem"]


@pytest.fixture
def engramdb_location() -> str:
    """Where a fresh, empty store of the backend under test is: override this fixture."""
    pytest.fail(
        "define an `engramdb_location` fixture that returns the location (a URL of your"
        " backend's scheme) of a fresh, empty store"
    )


@pytest.fixture
def clock() -> FrozenClock:
    """The time stands still at :data:`T0` (tests move it on)."""
    return FrozenClock(T0)


@pytest.fixture(scope="session")
def engramdb_parser() -> Parser:
    """SpaCy's parser (the tests of understanding need the ``nlp`` extra)."""
    pytest.importorskip("spacy")
    from engramdb.providers.nlp.spacy_parser import SpacyParser

    return SpacyParser()


@pytest.fixture
def mem(engramdb_location: str, clock: FrozenClock) -> Iterator[Memory]:
    """A fresh engine on the backend, with the hash embedder and a frozen clock."""
    with Memory.open(engramdb_location, embedder=HashEmbedder(), clock=clock) as memory:
        yield memory


@pytest.fixture
def umem(engramdb_location: str, clock: FrozenClock, engramdb_parser: Parser) -> Iterator[Memory]:
    """An engine that understands (the spaCy parser), on the backend."""
    with Memory.open(
        engramdb_location, embedder=HashEmbedder(), clock=clock, parser=engramdb_parser
    ) as memory:
        yield memory
