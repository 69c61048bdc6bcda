"""The default local embedder: real all-MiniLM-L6-v2 weights, offline."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.model


def test_vectors_are_unit_384d_and_meaningful(minilm) -> None:  # type: ignore[no-untyped-def]
    vectors = minilm.embed_many(
        ["A cat sat on the mat.", "A kitten rests on a rug.", "Stock markets fell."]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_batching_and_order_do_not_change_vectors(minilm) -> None:  # type: ignore[no-untyped-def]
    texts = [f"sentence number {i} " + "word " * (i % 7) for i in range(40)]
    together = minilm.embed_many(texts)
    alone = np.vstack([minilm.embed(t) for t in texts[:5]])
    assert np.allclose(together[:5], alone, atol=1e-5)


def test_identity_is_recorded(minilm) -> None:  # type: ignore[no-untyped-def]
    assert minilm.identity == "all-MiniLM-L6-v2:384"


def test_onnx_export_from_the_packaged_weights(tmp_path, minilm) -> None:  # type: ignore[no-untyped-def]
    from engramdb.providers.embedders.minilm import MiniLMEmbedder

    fresh = MiniLMEmbedder(cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing is loaded until something is embedded
    fresh.load()
    assert len(list(tmp_path.glob("all-MiniLM-L6-v2-*.onnx"))) == 1
    text = "exported graphs give the same vectors"
    assert np.allclose(fresh.embed(text), minilm.embed(text), atol=1e-5)
