"""spaCy loads without the parts engramdb never uses: torch and spaCy's command line."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from engramdb.providers.nlp.spacy_parser import SpacyParser
parser = SpacyParser()
assert parser.parse_many(["I moved to Lisbon."])[0][0].tokens
print(sorted(m for m in ("torch", "typer", "spacy.cli") if m in sys.modules))
import spacy.cli  # the real command line is still there when asked for
from spacy.cli.info import info
print(spacy.info is not info and callable(spacy.info), hasattr(spacy.cli, "download"))
"""


def test_spacy_loads_without_torch_or_its_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["[]", "True True"]
