"""Counting tokens offline, for servers that do not report usage and for budgets.

``bpe-openai`` (the ``llm`` extra) ships OpenAI's ``o200k_base`` vocabulary, so the
count is exact for OpenAI models and close for others. Without it, a character
estimate (4 per token) is used, and :func:`exact` says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache

__all__ = ["count_tokens", "exact"]

CHARS_PER_TOKEN = 4


@cache
def _encoder() -> Callable[[str], list[int]] | None:
    with warnings.catch_warnings():  # it loads its vocabularies with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import bpe_openai
        except ImportError:
            return None
        encoding = bpe_openai.get_encoding("o200k_base")
    return encoding.encode  # type: ignore[no-any-return]


def exact() -> bool:
    """Whether counts are exact (``bpe-openai`` is installed)."""
    return _encoder() is not None


def count_tokens(text: str) -> int:
    """Tokens in ``text`` (o200k_base when available, else about 4 characters each)."""
    encode = _encoder()
    if encode is None:
        return -(-len(text) // CHARS_PER_TOKEN)
    return len(encode(text))
