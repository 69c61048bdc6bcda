"""A Mem0 app on engramdb: the only change is the import.

python examples/mem0_dropin.py [STORE]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from engramdb.compat.mem0 import Memory  # was: from mem0 import Memory


def main(store: Path) -> None:
    """Remember what Alice said about movies, then recall it."""
    m = Memory.from_config({"path": str(store)})
    m.add(
        [
            {"role": "user", "content": "I'm not a big fan of thrillers but I love sci-fi movies."},
            {"role": "assistant", "content": "Got it! I'll suggest sci-fi movies."},
        ],
        user_id="alice",
        metadata={"category": "movies"},
    )
    for item in m.search("What movies does Alice like?", filters={"user_id": "alice"})["results"][
        :3
    ]:
        print(f"{item['score']:.3f}  {item['memory']}")
    m.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp) / "mem0.db")
