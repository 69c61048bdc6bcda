"""Short aliases for ids in prompts: models copy ``T3`` reliably, a 26-character id not.

The model sees ``T1``..``Tn`` (turns), ``F1``.. (facts) or ``M1``.. (memories); its
answer is mapped back through the same table, and an alias it invented is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["alias_ids", "resolve_aliases"]

_ALIAS = re.compile(r"^\[?\s*([A-Za-z]+)\s*(\d+)\s*\]?$")


def alias_ids(ids: Sequence[str], prefix: str) -> dict[str, str]:
    """``{"T1": ids[0], "T2": ids[1], ...}`` (repeated ids keep their first alias)."""
    table: dict[str, str] = {}
    for memory_id in dict.fromkeys(ids):
        table[f"{prefix}{len(table) + 1}"] = memory_id
    return table


def resolve_aliases(aliases: Iterable[str], table: Mapping[str, str]) -> list[str]:
    """The ids behind ``aliases``, in order, once each.

    ``[m3]`` is read as ``M3``; aliases not in ``table`` are dropped.
    """
    found: dict[str, None] = {}
    for alias in aliases:
        match = _ALIAS.match(str(alias).strip())
        if match is None:
            continue
        key = f"{match.group(1).upper()}{int(match.group(2))}"
        if key in table:
            found[table[key]] = None
    return list(found)
