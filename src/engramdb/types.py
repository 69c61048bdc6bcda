"""Shared type aliases and sentinels."""

from __future__ import annotations

from typing import Any, Final, NewType

import numpy as np
import numpy.typing as npt

__all__ = ["JSON", "UNSET", "MemoryId", "Metadata", "Unset", "Vector"]

MemoryId = NewType("MemoryId", str)
Vector = npt.NDArray[np.float32]
JSON = Any
Metadata = dict[str, Any]


class Unset:
    """Sentinel type meaning "argument not given" (distinct from ``None``)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:  # noqa: D102 - a singleton constructor
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset()
