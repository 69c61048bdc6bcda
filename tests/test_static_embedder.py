"""The fast tier's static embedder: distilled once from the packaged MiniLM, then a lookup."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.conftest import say

from engramdb import EmbedderMismatch, Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder

pytestmark = pytest.mark.model
static = pytest.importorskip("engramdb.providers.embedders.static")
pytest.importorskip("model2vec", reason="the 'fast' extra is not installed")


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> static.StaticMiniLMEmbedder:
    return static.StaticMiniLMEmbedder(cache_dir=tmp_path_factory.mktemp("static"))


def test_vectors_are_normalised_deterministic_and_rank_by_meaning(
    embedder: static.StaticMiniLMEmbedder,
) -> None:
    texts = ["I adopted a puppy", "We got a new dog", "The stock market fell today"]
    vectors = embedder.embed_many(texts)
    assert vectors.shape == (3, 256) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    again = static.StaticMiniLMEmbedder(cache_dir=embedder._cache_dir)  # the distilled copy
    assert np.allclose(again.embed_many(texts), vectors, atol=1e-6)


def test_a_store_keeps_the_embedder_it_was_built_with(
    tmp_path: Path, embedder: static.StaticMiniLMEmbedder
) -> None:
    with Memory.open(tmp_path / "fast.db", embedder=embedder, parser=RulesParser()) as mem:
        mem.add([say("Ana", "I moved to Lisbon in May.")], user_id="ana")
        hits = mem.search("Where does Ana live?", user_id="ana", k=3)
        assert "Lisbon" in hits[0].memory.text
        assert mem.stats()["embedder"].startswith("minilm-static")
    with pytest.raises(EmbedderMismatch):
        Memory.open(tmp_path / "fast.db", embedder=HashEmbedder())
