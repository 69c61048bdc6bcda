"""The README's curl examples work as written, against a real server on loopback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.server.conftest import Served

README = Path(__file__).resolve().parents[2] / "README.md"


def _curl_block() -> str:
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    (block,) = [b for b in blocks if "curl -s localhost:8080/v1/memories" in b]
    return block


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl")
def test_the_readme_curl_examples_run_as_written(served: Served, live_url: str) -> None:
    script = _curl_block().replace("localhost:8080", live_url.removeprefix("http://"))
    run = subprocess.run(
        ["bash", "-c", script.replace("\\\n", " ")],
        env={"KEY": served.acme, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    added, found = (json.loads(line) for line in run.stdout.replace("}{", "}\n{").splitlines())
    assert [m["text"] for m in added["memories"]] == ["I moved to Lisbon"]
    assert any("Lisbon" in h["memory"]["text"] for h in found["hits"])
