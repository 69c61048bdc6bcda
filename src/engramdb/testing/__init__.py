"""Test helpers shipped for users and backend authors: deterministic fakes, a call counter."""

from engramdb.testing.calls import store_calls
from engramdb.testing.fakes import FrozenClock, HashEmbedder

__all__ = ["FrozenClock", "HashEmbedder", "store_calls"]
