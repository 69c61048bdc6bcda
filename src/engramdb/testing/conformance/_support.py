"""What the conformance tests share: the time they start at, messages, a store's raw text."""

from __future__ import annotations

from datetime import UTC, datetime

from engramdb import Memory

__all__ = ["T0", "dump_store", "say"]

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def say(name: str, content: str, **extra: object) -> dict[str, object]:
    """A user message said by ``name``."""
    return {"role": "user", "name": name, "content": content, **extra}


def dump_store(mem: Memory) -> str:
    """Everything ``mem``'s store holds, as text, to check what it does not hold.

    The built-in backends give every row of every table; another backend gives what its
    ports expose: an export of every memory, event and entity, and the API keys' digests.
    """
    store = mem.store
    if hasattr(store, "_conn"):  # SQLite
        return "\n".join(store._conn.iterdump())
    if hasattr(store, "_rows"):  # PostgreSQL
        return _postgres_rows(store)
    import io

    exported = io.StringIO()
    mem.export(exported)
    digests: dict[str, str] = getattr(store, "key_digests", dict)()
    return exported.getvalue() + "\n" + "\n".join(f"{k} {v}" for k, v in digests.items())


def _postgres_rows(store: object) -> str:
    from psycopg import sql

    rows = store._rows  # type: ignore[attr-defined]
    lines: list[str] = []
    for table in rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"):
        query = sql.SQL("SELECT t::text AS row FROM {} t").format(
            sql.Identifier(table["tablename"])
        )
        lines.extend(row["row"] for row in rows(query))
    return "\n".join(lines)
