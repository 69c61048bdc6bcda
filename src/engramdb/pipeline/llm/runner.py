"""The call policy around every LLM call.

Render, call, parse, validate, retry, cache, and count tokens, cost and latency per
operation.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from engramdb.errors import LLMError, LLMOutputError, LLMUnavailable
from engramdb.pipeline.llm.parse import loads_tolerant
from engramdb.pipeline.llm.render import load_prompt
from engramdb.ports.clock import Clock
from engramdb.ports.llm import ChatModel

__all__ = ["CallPolicy", "LLMRunner", "OperationUsage", "percentile"]

T = TypeVar("T", bound=BaseModel)
LATENCY_WINDOW = 10_000  # latency percentiles are over this many latest calls


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How hard to try before a call is recorded as failed.

    Attributes:
        attempts: calls per request, the first included.
        backoff_s: the wait after the first failure; doubled after each one.
        max_wait_s: the longest wait (a ``Retry-After`` is honoured up to this).
        cache_size: answers kept for identical prompts (0: no cache).
    """

    attempts: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 60.0
    cache_size: int = 4096


@dataclass
class OperationUsage:
    """What one kind of operation cost so far."""

    calls: int = 0
    cached: int = 0
    retries: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def to_dict(self) -> dict[str, Any]:
        """Counts, tokens, cost, and latency p50 / p95 in seconds over the last calls."""
        return {
            "calls": self.calls,
            "cached": self.cached,
            "retries": self.retries,
            "failed": self.failed,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost": round(self.cost, 6),
            "latency_p50_s": percentile(self.latencies, 50),
            "latency_p95_s": percentile(self.latencies, 95),
        }


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank ``q``-th percentile, rounded to 0.1 ms (``None`` for no values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return round(ordered[rank - 1], 4)


class LLMRunner:
    """Asks a model for a prompt's schema, under a :class:`CallPolicy`.

    Args:
        model: the chat model.
        clock: where "today" in prompts comes from.
        policy: retries, backoff and cache.
        sleep: how to wait between attempts (injected in tests).
    """

    def __init__(
        self,
        model: ChatModel,
        clock: Clock,
        policy: CallPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.model = model
        self.clock = clock
        self.policy = policy or CallPolicy()
        self._sleep = sleep
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._usage: dict[str, OperationUsage] = defaultdict(OperationUsage)
        self._lock = threading.Lock()

    def ask(
        self,
        prompt_name: str,
        schema: type[T],
        check: Callable[[T], None] | None = None,
        **variables: str,
    ) -> tuple[T, str]:
        """The validated answer to prompt ``prompt_name``, and the prompt's ``name@version``.

        ``check`` validates what the schema cannot (e.g. that cited turns exist); its
        ``ValueError`` counts as an invalid answer, like a schema error.

        Raises:
            LLMUnavailable: still unreachable / rate-limited after every attempt.
            LLMOutputError: still not valid for ``schema`` after every attempt.
            LLMError: a failure that retrying cannot fix (e.g. 401).
        """
        prompt = load_prompt(prompt_name)
        messages = prompt.render(now=self.clock.now(), **variables)
        key = hashlib.sha256(json.dumps([self.model.name, messages]).encode()).hexdigest()
        usage = self._usage[prompt_name]
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                usage.cached += 1
                return schema.model_validate(self._cache[key]), prompt.id
        data, result = self._call(prompt_name, schema, messages, usage, check)
        with self._lock:
            if self.policy.cache_size:
                self._cache[key] = data
                while len(self._cache) > self.policy.cache_size:
                    self._cache.popitem(last=False)
        return result, prompt.id

    def _call(
        self,
        stage: str,
        schema: type[T],
        messages: Any,
        usage: OperationUsage,
        check: Callable[[T], None] | None,
    ) -> tuple[Any, T]:
        last: LLMError | None = None
        for attempt in range(self.policy.attempts):
            if attempt:
                usage.retries += 1
                self._sleep(self._wait(attempt, last))
            started = time.monotonic()
            try:
                reply = self.model.chat(messages)
            except LLMUnavailable as exc:
                last = exc
                continue
            except LLMError:
                usage.failed += 1
                raise
            self._count(usage, reply.prompt_tokens, reply.completion_tokens, started)
            try:
                data = loads_tolerant(reply.text)
                result = schema.model_validate(data)
                if check is not None:
                    check(result)
                return data, result
            except (ValueError, ValidationError) as exc:
                last = LLMOutputError(_short(exc), raw=reply.text, stage=stage)
        usage.failed += 1
        assert last is not None
        raise last

    def _wait(self, attempt: int, error: LLMError | None) -> float:
        asked = getattr(error, "retry_after_s", None)
        wait = asked if asked is not None else self.policy.backoff_s * 2 ** (attempt - 1)
        return float(min(wait, self.policy.max_wait_s))

    def _count(self, usage: OperationUsage, prompt: int, completion: int, started: float) -> None:
        with self._lock:
            usage.calls += 1
            usage.prompt_tokens += prompt
            usage.completion_tokens += completion
            usage.cost += (
                prompt * self.model.input_price + completion * self.model.output_price
            ) / 1_000_000
            usage.latencies.append(time.monotonic() - started)

    def usage(self) -> dict[str, dict[str, Any]]:
        """Per operation (prompt name): calls, cache hits, retries, failures, tokens, cost."""
        with self._lock:
            return {name: u.to_dict() for name, u in sorted(self._usage.items())}


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        count = exc.error_count()
        return f"answer does not match the schema ({count} errors; {where}: {first['msg']})"
    return f"answer is not JSON ({exc})"
