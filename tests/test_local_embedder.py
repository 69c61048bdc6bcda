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


def test_sharing_the_cores_gives_the_same_vectors_on_a_core_fewer() -> None:
    from engramdb.providers.embedders.minilm import QuantizedMiniLMEmbedder

    texts = [f"sentence number {i} " + "word " * (i % 7) for i in range(40)]
    embedder = QuantizedMiniLMEmbedder(threads=2)
    wide = embedder.embed_many(texts)
    embedder.cache_size = 0  # embed them again, not from the cache
    embedder.__dict__.pop("_vector_cache", None)
    with embedder.sharing_cores():
        narrow = embedder.embed_many(texts)
    assert embedder._narrow_session is not None  # one thread: the parser has the other core
    assert np.allclose(wide, narrow, atol=1e-5)


def test_identity_is_recorded(minilm) -> None:  # type: ignore[no-untyped-def]
    assert minilm.identity == "all-MiniLM-L6-v2-int8:384"


def test_onnx_export_from_the_packaged_weights(tmp_path, minilm) -> None:  # type: ignore[no-untyped-def]
    from engramdb.providers.embedders.minilm import MiniLMEmbedder, QuantizedMiniLMEmbedder

    fresh = QuantizedMiniLMEmbedder(cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing is loaded until something is embedded
    fresh.load()
    graphs = [p.name for p in tmp_path.glob("all-MiniLM-L6-v2-*.onnx")]
    assert len(graphs) == 2 and sum("-int8-" in g for g in graphs) == 1  # float and int8
    text = "exported graphs give the same vectors"
    assert np.allclose(fresh.embed(text), minilm.embed(text), atol=1e-5)
    float_model = MiniLMEmbedder(cache_dir=tmp_path)
    assert float_model.identity == "all-MiniLM-L6-v2:384"
    assert float(float_model.embed(text) @ fresh.embed(text)) > 0.98


def test_int8_vectors_stay_close_to_the_float_model(minilm) -> None:  # type: ignore[no-untyped-def]
    from engramdb.providers.embedders.minilm import MiniLMEmbedder

    texts = [
        "I adopted a cat named Miso last week.",
        "Here are some quick and easy dinner ideas: 1. **One-Pot Pasta** with basil. " * 6,
        "ok",
        "Can you suggest some useful accessories for my phone?",
    ]
    cosines = (MiniLMEmbedder().embed_many(texts) * minilm.embed_many(texts)).sum(axis=1)
    assert cosines.min() > 0.95 and cosines.mean() > 0.98  # "ok" is the farthest: 0.968


def test_a_store_made_with_the_float_model_keeps_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from engramdb import Memory
    from engramdb.providers.embedders.minilm import MiniLMEmbedder

    with Memory.open(tmp_path / "old.db", embedder=MiniLMEmbedder(), understand=False) as mem:
        mem.add("I moved to Lisbon.", user_id="ana")
    with Memory.open(tmp_path / "old.db", understand=False) as mem:  # no embedder named
        assert mem.stats()["embedder"] == "all-MiniLM-L6-v2:384"
        assert "Lisbon" in mem.search("Where does Ana live?", user_id="ana")[0].memory.text
    with Memory.open(tmp_path / "new.db", understand=False) as mem:
        assert mem.stats()["embedder"] == "all-MiniLM-L6-v2-int8:384"


def test_the_graph_written_without_torch_matches_the_reference_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The numpy-written ONNX graph against Hugging Face's BertModel on the same weights."""
    torch = pytest.importorskip("torch")  # the reference only; the graph needs neither
    transformers = pytest.importorskip("transformers")
    import onnxruntime as ort

    from engramdb.providers.embedders.bert_onnx import write_bert_onnx
    from engramdb.providers.embedders.minilm import _model_dir, _tokenizer

    model_dir = _model_dir()
    write_bert_onnx(model_dir, tmp_path / "bert.onnx")
    texts = ["I adopted a cat named Miso.", "x", "Which race is Ana training for? " * 12]
    encoded = _tokenizer(model_dir, 256).encode_batch(texts)
    ids = np.array([e.ids for e in encoded], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
    session = ort.InferenceSession(str(tmp_path / "bert.onnx"), providers=["CPUExecutionProvider"])
    ours = session.run(None, {"input_ids": ids, "attention_mask": mask,
                              "token_type_ids": np.zeros_like(ids)})[0]  # fmt: skip
    reference = transformers.AutoModel.from_pretrained(str(model_dir)).eval()
    with torch.no_grad():
        theirs = reference(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask))
    real = mask.astype(bool)
    assert np.abs(ours[real] - theirs.last_hidden_state.numpy()[real]).max() < 1e-4
