"""Time-ordered identifiers (ULID layout: 48-bit milliseconds + 80 random bits).

Ids made in the same millisecond are monotonic (the random part is incremented,
as in the ULID spec), so ids sort in creation order even under a frozen clock.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

__all__ = ["new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (-1, 0)  # (milliseconds, random part) of the previous id


def new_id(now: datetime) -> str:
    """A 26-character id that sorts by creation time, then by creation order."""
    global _last
    millis = int(now.timestamp() * 1000)
    with _lock:
        last_millis, last_random = _last
        if millis == last_millis and last_random + 1 < 1 << _RANDOM_BITS:
            random = last_random + 1
        else:
            random = int.from_bytes(os.urandom(10), "big") >> 1  # headroom for increments
        _last = (millis, random)
    value = (millis << _RANDOM_BITS) | random
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))
