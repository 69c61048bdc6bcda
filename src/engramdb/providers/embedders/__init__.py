"""Embedder implementations, and the registry that finds them by name.

Embedders register under the ``engramdb.embedders`` entry-point group (the
built-ins the same way as plugins): ``minilm`` (the local default), ``openai``
and ``hash`` (for tests).
"""

from __future__ import annotations

from importlib.metadata import entry_points

from engramdb.errors import ConfigError
from engramdb.ports.embedder import Embedder

__all__ = ["load_embedder"]

GROUP = "engramdb.embedders"


def load_embedder(name: str) -> Embedder:
    """A new embedder of the registered class ``name``, with its default settings.

    Raises:
        ConfigError: no embedder of that name (the message lists the known ones).
    """
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    if name not in found:
        raise ConfigError(f"unknown embedder {name!r}; known: {', '.join(sorted(found))}")
    embedder = found[name].load()()
    if not isinstance(embedder, Embedder):
        raise ConfigError(f"embedder {name!r} does not implement the Embedder interface")
    return embedder
