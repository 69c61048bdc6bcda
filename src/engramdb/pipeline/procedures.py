"""Procedural memory: what worked for a kind of task, learned from agent trajectories.

A trajectory is one attempt at a task: its steps and its outcome. Attempts at
tasks of the same kind ("book a flight from Paris to Rome", "book a flight from
Oslo to Lima") share a *pattern*, the task without its particulars (names,
places, numbers, quoted values). Trajectories whose patterns are alike are
grouped into one procedure: the step sequence that succeeded most often, the
success rate, and the pitfalls, steps taken in failed attempts that no
successful one took (or the step where an attempt failed).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engramdb.errors import InvalidInput

__all__ = [
    "OUTCOMES",
    "ProcedureDraft",
    "Step",
    "normalize_steps",
    "summarize",
    "task_pattern",
]

OUTCOMES = frozenset({"success", "failure"})
MAX_STEPS = 200
MAX_STEP_CHARS = 2000
_PARTICULARS = re.compile(
    r"""(?x)
    "[^"]*" | '[^']*'              # quoted values
    | \S+@\S+ | https?://\S+       # addresses
    | \b\d[\d.,:/-]*\b             # numbers, dates, times
    | (?<=\s)[A-Z][a-z][\w'-]*     # capitalised words not at the start: names, places
    """  # (all-capital words such as JSON or PDF are kept)
)
_FILE = re.compile(r"\b[\w-]+\.([A-Za-z][A-Za-z0-9]{0,4})\b")  # report.pdf -> "pdf"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a trajectory: an action and, for a failing step, what went wrong."""

    action: str
    error: str | None = None


def normalize_steps(steps: Any) -> list[Step]:
    """Validate steps given as strings or ``{"action", "error"?}`` dicts.

    Raises:
        InvalidInput: not a non-empty list of such steps.
    """
    if not isinstance(steps, Sequence) or isinstance(steps, str) or not steps:
        raise InvalidInput("steps must be a non-empty list", field="steps")
    if len(steps) > MAX_STEPS:
        raise InvalidInput(f"at most {MAX_STEPS} steps", field="steps")
    found = []
    for index, step in enumerate(steps):
        action, error = (step, None) if isinstance(step, str) else _step_fields(step, index)
        if not isinstance(action, str) or not action.strip() or len(action) > MAX_STEP_CHARS:
            raise InvalidInput(
                f"steps[{index}] must be a non-blank string of at most {MAX_STEP_CHARS} characters",
                field="steps",
                index=index,
            )
        found.append(Step(" ".join(action.split()), error))
    return found


def _step_fields(step: Any, index: int) -> tuple[Any, str | None]:
    if not isinstance(step, Mapping) or set(step) - {"action", "error"}:
        raise InvalidInput(
            f"steps[{index}] must be a string or an {{action, error}} dict", field="steps"
        )
    error = step.get("error")
    if error is not None and not isinstance(error, str):
        raise InvalidInput(f"steps[{index}].error must be a string", field="steps", index=index)
    return step.get("action"), error


def task_pattern(task: str) -> str:
    """The kind of task: the task without its particulars, lower-cased.

    ``"Book a flight from Paris to Rome on 12 May"`` -> ``"book a flight from to on"``;
    ``"Convert sales_2023.csv to JSON"`` -> ``"convert csv to json"``.
    """
    kinds = _FILE.sub(lambda m: m.group(1), task)  # a file stands for its type
    return " ".join(_PARTICULARS.sub(" ", kinds).lower().split())


@dataclass(frozen=True, slots=True)
class ProcedureDraft:
    """What a group of trajectories says about doing a kind of task.

    Attributes:
        steps: the step sequence that succeeded most often (the most recent on a tie).
        successes: how many attempts succeeded.
        failures: how many failed.
        pitfalls: what went wrong in failed attempts, most frequent first.
    """

    steps: tuple[str, ...]
    successes: int
    failures: int
    pitfalls: tuple[str, ...]

    @property
    def success_rate(self) -> float:
        """Successes over attempts."""
        return self.successes / max(1, self.successes + self.failures)


def summarize(attempts: Sequence[tuple[Sequence[Step], str]]) -> ProcedureDraft:
    """The procedure and pitfalls of a group of attempts, oldest first: ``(steps, outcome)``."""
    wins = [tuple(s.action for s in steps) for steps, outcome in attempts if outcome == "success"]
    losses = [steps for steps, outcome in attempts if outcome == "failure"]
    counts = Counter(wins)
    best = max(reversed(wins), key=lambda seq: counts[seq]) if wins else ()
    worked = {action.lower() for seq in wins for action in seq}
    pitfalls: Counter[str] = Counter()
    for steps in losses:
        for step in steps:
            if step.error:
                pitfalls[f"{step.action}: {step.error}"] += 1
            elif step.action.lower() not in worked:
                pitfalls[step.action] += 1
    return ProcedureDraft(
        steps=best,
        successes=len(wins),
        failures=len(losses),
        pitfalls=tuple(p for p, _ in pitfalls.most_common()),
    )
