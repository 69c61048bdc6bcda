"""Counting tokens offline, for servers that do not report usage and for budgets.

``bpe-openai`` (the ``llm`` extra) ships OpenAI's ``o200k_base`` vocabulary, so the
count is exact for OpenAI models and close for others. Without it, a character
estimate (4 per token) is used, and :data:`EXACT` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

__all__ = ["EXACT", "count_tokens"]

CHARS_PER_TOKEN = 4


@cache
def _encoder() -> Callable[[str], list[int]] | None:
    try:
        import bpe_openai
    except ImportError:
        return None
    encoding = bpe_openai.get_encoding("o200k_base")
    return encoding.encode  # type: ignore[no-any-return]


EXACT = _encoder() is not None


def count_tokens(text: str) -> int:
    """Tokens in ``text`` (o200k_base when available, else about 4 characters each)."""
    encode = _encoder()
    if encode is None:
        return -(-len(text) // CHARS_PER_TOKEN)
    return len(encode(text))
