"""The code stays in pieces a reader can hold: short modules, short classes."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "engramdb"
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300


def test_no_module_or_class_is_too_long() -> None:
    too_long = []
    for path in sorted(SRC.rglob("*.py")):
        source = path.read_text()
        name = str(path.relative_to(SRC))
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_CLASS_LINES:
                    too_long.append(f"{name}: class {node.name}, {length} lines")
    assert not too_long, too_long
