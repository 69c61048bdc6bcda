"""What the import confinement checks cost: a tenant's export imported into a fresh tenant.

python benchmarks/bench_import.py [--memories 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import io
import time
from typing import Any

import engramdb.portable as portable
from engramdb import Memory
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.testing import HashEmbedder


def _export(memories: int) -> tuple[int, str]:
    with Memory.open(":memory:", embedder=HashEmbedder(), parser=RulesParser()) as mem:
        tenant = mem.for_tenant("a")
        for batch in range(memories // 500):
            tenant.add_batch(
                [{"messages": [{"role": "user", "name": "Ana",
                                "content": f"I moved to Lisbon {i} with my dog Max in May"}],
                  "user_id": "u", "session_id": f"s{batch}"} for i in range(250)]
            )  # fmt: skip
        out = io.StringIO()
        return tenant.export(out), out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    count, text = _export(args.memories)
    print(f"{count} memories, {text.count(chr(10))} export lines")
    checks: list[float] = []
    checked = portable.check_import

    def timed(*call: Any, **options: Any) -> None:
        started = time.perf_counter()
        checked(*call, **options)
        checks.append(time.perf_counter() - started)

    portable.check_import = timed  # type: ignore[assignment]
    for _ in range(args.runs):
        with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as target:
            started = time.perf_counter()
            target.for_tenant("b").import_(io.StringIO(text))
            total = time.perf_counter() - started
        print(f"import {total:.2f} s, of which confinement checks {checks[-1]:.3f} s")


if __name__ == "__main__":
    main()
