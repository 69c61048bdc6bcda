"""Progress for long commands: a live bar on a terminal, timed log lines elsewhere.

tqdm draws nothing when stderr is not a terminal (CI logs, ``2> file``), so a long
evaluation would print nothing for minutes; there, a line with the rate and the
time left is printed every ``every`` seconds and once at the end.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, TextIO

from tqdm import tqdm

__all__ = ["LogProgress", "format_duration", "progress_bar"]


def format_duration(seconds: float) -> str:
    """``372.4`` -> ``"6m12s"``; ``4.2`` -> ``"4.2s"``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


class LogProgress:
    """tqdm's ``update`` / ``set_postfix_str`` / context protocol, as log lines."""

    def __init__(
        self,
        total: int | None,
        unit: str,
        desc: str,
        *,
        every: float = 15.0,
        out: TextIO | None = None,
        timer: Any = time.monotonic,
    ) -> None:
        self.total, self.unit, self.desc = total, unit, desc
        self.every, self.out, self.timer = every, out or sys.stderr, timer
        self.n = 0
        self.postfix = ""
        self.started = self.last = timer()

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units; print a line when ``every`` seconds have passed."""
        self.n += n
        now = self.timer()
        if now - self.last >= self.every:
            self.last = now
            self._print(now, final=False)

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Extra text shown at the end of each line."""
        self.postfix = text

    def close(self) -> None:
        """Print the final line (only when something was counted)."""
        if self.n:
            self._print(self.timer(), final=True)

    def _print(self, now: float, *, final: bool) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.n / elapsed
        done = f"{self.n:,}" if self.total is None else f"{self.n:,}/{self.total:,}"
        parts = [f"{self.desc}: {done} {self.unit}", f"{rate:,.1f} {self.unit}/s"]
        if final:
            parts.append(f"in {format_duration(elapsed)}")
        elif self.total and rate > 0:
            parts.append(f"ETA {format_duration(max(self.total - self.n, 0) / rate)}")
        if self.postfix:
            parts.append(self.postfix)
        print(", ".join(parts), file=self.out, flush=True)

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def progress_bar(total: int | None, unit: str, desc: str) -> Any:
    """A tqdm bar on a terminal, :class:`LogProgress` otherwise (both on stderr)."""
    if sys.stderr.isatty():
        return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, leave=False)
    return LogProgress(total, unit, desc)
