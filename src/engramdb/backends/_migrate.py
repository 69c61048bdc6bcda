"""Versioned, hashed, per-dialect SQL migrations shared by every backend.

Files are named ``NNNN-name.<dialect>.sql``. Each applied file is recorded with its
sha256; a store whose recorded hash differs from the shipped file, or whose version
is newer than any shipped file, is refused rather than guessed at.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

from engramdb.errors import MigrationError

__all__ = ["Migration", "check_applied", "load_migrations"]

_NAME_RE = re.compile(r"^(\d{4})-([a-z0-9_]+)\.(\w+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str

    @property
    def sha256(self) -> str:
        """Hash of the SQL text, recorded when applied."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(package: str, dialect: str) -> list[Migration]:
    """Every migration for ``dialect`` shipped in ``package``, in version order."""
    found = []
    for entry in resources.files(package).iterdir():
        match = _NAME_RE.match(entry.name)
        if match and match.group(3) == dialect:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def check_applied(shipped: list[Migration], applied: dict[int, str]) -> list[Migration]:
    """Validate what a store has applied; return the migrations still to apply.

    Args:
        shipped: migrations shipped with this version of engramdb.
        applied: version -> sha256 recorded in the store.

    Raises:
        MigrationError: the store is newer than this code, or a file changed.
    """
    known = {m.version: m for m in shipped}
    newest = max(known, default=0)
    for version, digest in applied.items():
        if version > newest:
            raise MigrationError(
                f"the store has schema version {version}, newer than this engramdb "
                f"supports ({newest}); upgrade engramdb"
            )
        if known[version].sha256 != digest:
            raise MigrationError(f"migration {version} changed after it was applied")
    return [m for m in shipped if m.version not in applied]
