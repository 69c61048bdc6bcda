"""Storage backends by URL scheme, found through the ``engramdb.backends`` entry points.

A backend is a package that registers a factory under its scheme (the built-ins do it
the same way, in ``pyproject.toml``)::

    [project.entry-points."engramdb.backends"]
    mydb = "mypackage.engramdb_backend:open_store"

``Memory.open("mydb://...")`` then calls ``open_store(location, dimensions=...,
read_only=...)``, which returns a :class:`~engramdb.ports.store.MemoryStore` (check it
with :mod:`engramdb.testing.conformance`). A location without a scheme is a SQLite
file path (or ``":memory:"``).
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Protocol

from engramdb.errors import ConfigError
from engramdb.ports.store import MemoryStore

__all__ = ["GROUP", "BackendFactory", "backends", "open_store", "scheme_of"]

GROUP = "engramdb.backends"
DEFAULT_SCHEME = "sqlite"  # what a plain path opens


class BackendFactory(Protocol):
    """Opens (or creates) the store at a location of the backend's scheme."""

    def __call__(self, location: str, *, dimensions: int, read_only: bool) -> MemoryStore:
        """The store at ``location``, its vectors of ``dimensions`` floats."""
        ...


def scheme_of(location: str) -> str:
    """``postgresql`` for ``postgresql://...``; the default scheme for a plain path."""
    scheme, separator, _ = location.partition("://")
    return scheme.lower() if separator else DEFAULT_SCHEME


def backends() -> dict[str, EntryPoint]:
    """The installed backends by scheme."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def open_store(location: str, *, dimensions: int, read_only: bool = False) -> MemoryStore:
    """Open the store at ``location`` with the backend registered for its scheme.

    Raises:
        ConfigError: no backend serves the scheme (the message lists the known ones),
            or the backend's factory returned something that is not a store.
    """
    scheme = scheme_of(location)
    found = backends()
    if scheme not in found:
        known = ", ".join(f"{s}://" for s in sorted(found))
        raise ConfigError(
            f"unsupported location {location!r}: give a SQLite file path, ':memory:' or a"
            f" URL of an installed backend ({known})"
        )
    factory: BackendFactory = found[scheme].load()
    store = factory(location, dimensions=dimensions, read_only=read_only)
    if not isinstance(store, MemoryStore):
        store_type = type(store).__name__
        raise ConfigError(f"backend {scheme!r} returned a {store_type}, not a MemoryStore")
    return store
