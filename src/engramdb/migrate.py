"""Copy a whole store into another (SQLite to PostgreSQL and back), verified.

The copy goes through the portable export (memories of every status with their vectors,
the event history, the entity graph), then the API keys (digests only, revocations kept).
It is verified by exporting both stores and comparing the two exports record by record,
independent of order: a fingerprint is the count and the sum of the records' SHA-256
digests, so the check streams in constant memory however large the store.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from engramdb.engine import Memory
from engramdb.errors import Conflict, IntegrityViolation
from engramdb.ports.keys import KeyStore

__all__ = ["MigrationReport", "export_fingerprint", "migrate"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What a migration copied; it is verified when it is returned."""

    memories: int
    records: int
    keys: int
    fingerprint: str


def migrate(source: Memory, target: Memory, progress: Progress | None = None) -> MigrationReport:
    """Copy everything in ``source`` into the empty store ``target``, then verify it.

    Raises:
        Conflict: ``target`` already holds memories or keys; nothing is copied.
        IntegrityViolation: the copy's export differs from the source's.
    """
    say = progress or (lambda _message: None)
    if target.stats()["memories"] or _keys_of(target):
        raise Conflict("the target store is not empty; migrate copies into an empty store")
    with tempfile.TemporaryFile("w+", encoding="utf-8") as dump:
        say("exporting the source")
        memories = source.export(dump)
        dump.seek(0)
        say(f"importing {memories} memories")
        target.import_(dump)
    keys = _copy_keys(source, target)
    say("verifying: exporting both stores and comparing")
    expected, found = export_fingerprint(source), export_fingerprint(target)
    if expected != found:
        raise IntegrityViolation(
            f"the copy differs from the source (records {expected[0]} vs {found[0]});"
            " the target should be discarded"
        )
    return MigrationReport(memories, expected[0], keys, expected[1])


def export_fingerprint(memory: Memory) -> tuple[int, str]:
    """The number of records in ``memory``'s export and an order-free digest of them."""
    count, total = 0, 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as dump:
        memory.export(dump)
        dump.seek(0)
        for line in dump:
            canonical = json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
            total += int.from_bytes(hashlib.sha256(canonical.encode()).digest(), "big")
            count += 1
    return count, f"{total % 2**256:064x}"


def _keys_of(memory: Memory) -> dict[str, str]:
    return memory.store.key_digests() if isinstance(memory.store, KeyStore) else {}


def _copy_keys(source: Memory, target: Memory) -> int:
    digests = _keys_of(source)
    if not digests:
        return 0
    keys = source.keys.list()
    for key in keys:
        target.keys.store.save_key(key, digests[key.id])
        if key.revoked_at is not None:
            target.keys.store.revoke_key(key.id, key.revoked_at)
    return len(keys)
