"""Test helpers shipped for users and backend authors: deterministic fakes."""

from engramdb.testing.fakes import FrozenClock, HashEmbedder

__all__ = ["FrozenClock", "HashEmbedder"]
