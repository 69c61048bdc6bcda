"""One writer process per store file, however it is named, enforced with ``flock``."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from engramdb.errors import BackendUnavailable, StoreLocked

__all__ = ["WriterLock"]


class WriterLock:
    """An exclusive ``flock`` on the database file itself, held while it is open for writing.

    The lock is taken on the file (its inode), not on a name, so opening the same store
    through a symlink or a hard link is refused like a second open through the same path.
    SQLite's own locks are POSIX record locks, which ``flock`` does not interact with.
    The holder's pid is written to ``<real path>.lock`` for the error message. The
    kernel releases the lock when the process dies, so a crash never leaves it stale.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        real = db_path.resolve()
        self.path = real.with_name(real.name + ".lock")
        self._real = real
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`StoreLocked` naming the holder."""
        fd = self._open(self._real)  # created empty if new: SQLite takes it as a new store
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreLocked(str(self.db_path), self._holder()) from None
        pid_fd = self._open(self.path)
        os.ftruncate(pid_fd, 0)
        os.write(pid_fd, str(os.getpid()).encode())
        os.close(pid_fd)
        self._fd = fd

    def _open(self, path: Path) -> int:
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BackendUnavailable(
                f"cannot open {path}: {exc.strerror}", location=str(self.db_path)
            ) from exc

    def _holder(self) -> int | None:
        try:
            holder = self.path.read_text(errors="replace").strip()
        except OSError:
            return None
        return int(holder) if holder.isdigit() else None

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
