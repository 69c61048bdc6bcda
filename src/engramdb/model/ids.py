"""Time-ordered, unguessable identifiers (ULID layout: 48-bit milliseconds + 80 random bits).

Ids made in the same millisecond stay monotonic, so ids sort in creation order even
under a frozen clock; but each one steps past the previous by a random 56-bit amount
(not by one, as the ULID spec does), so knowing one id does not tell the next: ids
must not be guessable across tenants.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

__all__ = ["new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_RANDOM_BITS = 80
_STEP_BYTES = 7  # a random step of up to 2**56 between ids of one millisecond
_lock = threading.Lock()
_last = (-1, 0)  # (milliseconds, random part) of the previous id


def new_id(now: datetime) -> str:
    """A 26-character id that sorts by creation time, then by creation order."""
    global _last
    millis = int(now.timestamp() * 1000)
    with _lock:
        last_millis, last_random = _last
        if millis == last_millis:
            random = last_random + 1 + int.from_bytes(os.urandom(_STEP_BYTES), "big")
            if random >= 1 << _RANDOM_BITS:  # this millisecond is used up: borrow the next
                millis, random = millis + 1, _fresh()
        else:
            random = _fresh()
        _last = (millis, random)
    value = (millis << _RANDOM_BITS) | random
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))


def _fresh() -> int:
    """A random start with headroom for many steps within one millisecond."""
    return int.from_bytes(os.urandom(10), "big") >> 4
