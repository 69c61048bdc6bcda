"""Every example under examples/ runs to the end and prints what it says it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXPECTED = {
    "mem0_dropin.py": "sci-fi",
    "langgraph_store.py": "Miso",
    "langchain_retriever.py": "Lisbon half marathon",
    "openai_agents_session.py": "Your cat is called Miso",
    "langmem_tools.py": "aisle seats",
}  # a word each example's output must hold


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str, tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / name), str(tmp_path / "store.db")],
        capture_output=True, text=True, timeout=300, check=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("ENGRAMDB_LLM")},
    )  # fmt: skip
    assert EXPECTED[name] in run.stdout, run.stdout + run.stderr


def test_every_example_is_run() -> None:
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(EXPECTED)
