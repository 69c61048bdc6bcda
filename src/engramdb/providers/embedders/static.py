"""The fast tier: a static embedder distilled from the packaged MiniLM weights.

model2vec's distillation runs every vocabulary word piece through all-MiniLM-L6-v2
once, reduces the vectors to 256 dimensions with PCA and weights them by frequency;
a text's vector is then the mean of its word pieces' vectors, a lookup and a sum
instead of a transformer: tens of times faster, with lower ranking quality (see
docs/benchmarks.md). The distilled model is built once, offline (about 25 s), and
cached beside the ONNX graph. Install with ``pip install 'engramdb[fast]'``.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engramdb.errors import CapabilityMissing, EmbeddingError
from engramdb.ports.embedder import Embedder
from engramdb.providers.embedders.minilm import _model_dir, cached_build, default_cache_dir

__all__ = ["StaticMiniLMEmbedder"]

_INSTALL_HINT = "pip install 'engramdb[fast]'"


class StaticMiniLMEmbedder(Embedder):
    """all-MiniLM-L6-v2 distilled into static word-piece vectors (model2vec), 256-d.

    Args:
        cache_dir: where the distilled model is kept.
    """

    name = "minilm-static"
    dimensions = 256
    batch_size = 1024  # no padding cost: a batch is a sum per text
    threaded = False  # microseconds a text: a worker thread would only contend for the GIL

    def __init__(self, *, cache_dir: str | Path | None = None) -> None:
        self._model_dir = _model_dir()
        self._cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._model: Any = None

    def load(self) -> None:
        """Load the distilled model, distilling it the first time."""
        if self._model is None:
            try:
                from model2vec import StaticModel
            except ImportError as exc:
                raise CapabilityMissing(
                    f"the static embedder needs the 'fast' extra: {_INSTALL_HINT}", extra="fast"
                ) from exc
            path = cached_build(
                self._model_dir,
                self._cache_dir,
                lambda digest: f"all-MiniLM-L6-v2-static{self.dimensions}-{digest}",
                lambda model_dir, target: _distill(model_dir, target, self.dimensions),
            )
            self._model = StaticModel.from_pretrained(str(path))

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """The mean of each text's word-piece vectors."""
        self.load()
        try:
            vectors: np.ndarray = self._model.encode(
                list(texts), show_progress_bar=False, use_multiprocessing=False
            )
        except Exception as exc:  # model2vec raises whatever its tokenizer raises
            raise EmbeddingError(f"the static model failed: {exc}") from exc
        return vectors


def _distill(model_dir: Path, target: Path, dimensions: int) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are local; never reach a hub
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from model2vec.distill import distill
    except ImportError as exc:
        raise CapabilityMissing(
            f"distilling the static model needs model2vec[distill]: {_INSTALL_HINT}",
            extra="fast",
        ) from exc
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stderr(io.StringIO()),  # one-off progress bars and load reports
        contextlib.redirect_stdout(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        model = distill(model_name=str(model_dir), pca_dims=dimensions)
    model.save_pretrained(str(target))
