"""Write the REST API's OpenAPI spec to docs/openapi.json (a test checks it is current)."""

from __future__ import annotations

import json
from pathlib import Path

from engramdb import Memory
from engramdb.server import create_app
from engramdb.testing import HashEmbedder

TARGET = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"

with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as memory:
    spec = create_app(memory).openapi()
TARGET.write_text(json.dumps(spec, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {TARGET}")
