"""Reading conversations from files: message JSONL, LoCoMo JSON, engramdb exports.

Message JSONL has one message per line, with the message keys of ``Memory.add``
plus its scope keys::

    {"role": "user", "name": "Ana", "content": "...", "timestamp": "2024-03-04T09:12:00+00:00",
     "user_id": "ana", "session_id": "s1", "metadata": {"source": "chat"}}
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engramdb.errors import InvalidInput

__all__ = ["FORMATS", "batch_key", "detect_format", "message_batches"]

FORMATS = ("auto", "messages", "locomo", "export")
_SCOPE_KEYS = ("user_id", "agent_id", "session_id")


def detect_format(path: Path) -> str:
    """``"export"``, ``"locomo"`` or ``"messages"``, from the file's first bytes."""
    with path.open(encoding="utf-8") as handle:
        head = handle.read(4096).lstrip()
    if head.startswith("["):
        return "locomo"
    first = head.split("\n", 1)[0]
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        raise InvalidInput(f"{path}: first line is not JSON", field="source") from None
    if isinstance(record, dict) and record.get("format") == "engramdb":
        return "export"
    return "messages"


def message_batches(
    path: Path, *, batch: int = 512
) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    """``Memory.add_batch`` items from a message JSONL file, ``batch`` lines at a time.

    Yields:
        The line number of each item, and the items.

    Raises:
        InvalidInput: a line is not a JSON object (the line number is given).
    """
    items: list[dict[str, Any]] = []
    lines: list[int] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"{path}:{number}: {exc}", field="source") from None
            if not isinstance(record, dict):
                raise InvalidInput(f"{path}:{number}: expected a JSON object", field="source")
            scope = {key: record.pop(key) for key in _SCOPE_KEYS if key in record}
            items.append({"messages": [record], **scope})
            lines.append(number)
            if len(items) == batch:
                yield lines, items
                items, lines = [], []
    if items:
        yield lines, items


def batch_key(lines: list[int], items: list[dict[str, Any]]) -> str:
    """An idempotency key for one batch of a message file: its line numbers and content."""
    encoded = json.dumps([lines, items], sort_keys=True, ensure_ascii=False, default=str)
    return "import-" + hashlib.sha256(encoded.encode()).hexdigest()
