"""Consolidation in the background of the server, beside the requests.

One daemon thread consolidates the whole store every ``interval`` seconds. Each session
is its own short transaction, so requests (writes included) interleave with a run
instead of waiting for it to finish. A failed run is logged and kept in the status; the
next run retries (consolidation is idempotent and resumes where it stopped).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from engramdb.engine import Memory

__all__ = ["Consolidator"]

log = logging.getLogger("engramdb.server")


class Consolidator:
    """Runs ``memory.consolidate()`` periodically on a daemon thread."""

    def __init__(self, memory: Memory, interval: float) -> None:
        self.memory = memory
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="consolidator", daemon=True)
        self.runs = 0
        self.running = False
        self.last_report: dict[str, int] | None = None
        self.last_error: str | None = None
        self.last_finished: float | None = None

    def start(self) -> None:
        """Start the thread; the first run comes after one interval (or a trigger)."""
        self._thread.start()

    def trigger(self) -> None:
        """Start a run now (or right after the current one)."""
        self._wake.set()

    def stop(self, timeout: float = 60) -> None:
        """Finish the current session's transaction and stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def status(self) -> dict[str, Any]:
        """The schedule and the last run, for the admin endpoint."""
        return {
            "interval_seconds": self.interval,
            "running": self.running,
            "runs": self.runs,
            "last_report": self.last_report,
            "last_error": self.last_error,
            "seconds_since_last_run": (
                None if self.last_finished is None else time.monotonic() - self.last_finished
            ),
        }

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._run_once()

    def _run_once(self) -> None:
        self.running = True
        try:
            self.last_report = self.memory.consolidate(progress=self._check_stop)
            self.last_error = None
        except _Stopped:
            return
        except Exception as exc:  # kept in the status and logged; the next run retries
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("background consolidation failed")
        finally:
            self.running = False
            self.runs += 1
            self.last_finished = time.monotonic()

    def _check_stop(self, _done: int, _total: int) -> None:
        if self._stop.is_set():
            raise _Stopped


class _Stopped(Exception):
    """Shutdown asked the run to end between two sessions."""
