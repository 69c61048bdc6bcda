"""Tolerant JSON for models with weak JSON (small local models).

Code fences, prose around the object, trailing commas and smart quotes are forgiven;
anything else fails loudly with the raw text (then the call policy retries).
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads_tolerant"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*(?P<body>.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*(?=[}\]])")
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"'})


def loads_tolerant(text: str) -> Any:
    """The JSON value in ``text``.

    Raises:
        ValueError: no JSON object or array could be read.
    """
    for candidate in _candidates(text):
        for variant in (candidate, _repair(candidate)):
            try:
                return json.loads(variant)
            except ValueError:
                continue
    raise ValueError("no JSON object in the answer")


def _candidates(text: str) -> list[str]:
    found = [m.group("body").strip() for m in _FENCE.finditer(text)]
    stripped = text.strip()
    found.append(stripped)
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = stripped.find(opener), stripped.rfind(closer)
        if 0 <= start < end:
            found.append(stripped[start : end + 1])
    return found


def _repair(candidate: str) -> str:
    return _TRAILING_COMMA.sub("", candidate.translate(_SMART_QUOTES))
