"""The default providers of :meth:`Memory.open <engramdb.Memory.open>`, chosen in one place.

* embedder: the local all-MiniLM-L6-v2 model (ONNX);
* parser: spaCy's small English model, or rules only when it is not installed;
* the retriever's time parser: :mod:`engramdb.pipeline.understand.timex`;
* store: the backend registered for the location's scheme (:mod:`engramdb.registry`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engramdb.pipeline.understand.question_times import question_windows
from engramdb.pipeline.understand.timex import mentions_time
from engramdb.ports.embedder import Embedder
from engramdb.ports.nlp import Parser

__all__ = ["default_embedder", "parser_for", "time_windows"]


def default_embedder(recorded: str | None = None) -> Embedder:
    """The local MiniLM embedder, int8 (loads its model on first use).

    ``recorded`` is the identity a store records: a store made with the float model
    keeps it (same dimensions, so it is known only once the store is open).
    """
    from engramdb.providers.embedders.minilm import MiniLMEmbedder, QuantizedMiniLMEmbedder

    embedder = MiniLMEmbedder()
    if recorded == embedder.identity:
        return embedder
    return QuantizedMiniLMEmbedder()


def parser_for(*, understand: bool, read_only: bool, parser: Parser | None) -> Parser | None:
    """The parser understanding runs on, or ``None`` when turns are stored verbatim only.

    A read-only store writes nothing, so it loads no parser.
    """
    if read_only or not understand:
        return None
    if parser is not None:
        return parser
    from engramdb.providers.nlp import default_parser

    return default_parser()


def time_windows(
    query: str, reference: Callable[[], datetime | None]
) -> list[tuple[datetime, datetime]]:
    """The intervals a query's time expressions refer to (the retriever's time parser).

    "Before last week" reaches back from the end of last week, "the Sunday before May 3"
    is the week up to May 3 (see :mod:`~engramdb.pipeline.understand.question_times`).

    The reference time is looked up only when the query has a time expression.
    """
    if not mentions_time(query):
        return []
    at = reference()
    return [] if at is None else question_windows(query, at)
