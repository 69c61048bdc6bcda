"""The LoCoMo evaluation's harness on a tiny conversation of its format (no data needed)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engramdb import Memory
from engramdb.eval.locomo import Conversation, Question, Session, evaluate
from engramdb.testing import HashEmbedder


def test_a_locomo_evaluation_run_again_on_its_store_ingests_nothing(tmp_path: Path) -> None:
    turns = ({"speaker": "Ana", "dia_id": "D1:1", "text": "I adopted a cat named Miso."},
             {"speaker": "Ben", "dia_id": "D1:2", "text": "What a lovely name!"})  # fmt: skip
    conversation = Conversation(
        "tiny", (Session(1, datetime(2023, 5, 8, tzinfo=UTC), turns),),
        (Question("What is the name of Ana's cat?", "4", ("D1:1",)),),
    )  # fmt: skip
    with Memory.open(tmp_path / "kept.db", embedder=HashEmbedder()) as mem:
        first = evaluate(mem, [conversation]).to_json()
        again = evaluate(mem, [conversation]).to_json()
        stored = mem.get_all(user_id=conversation.user_id, filters={"kind": "episode"})
    assert first["turns"] == 2 and again["turns"] == 0  # --db: the second run reuses the store
    assert len(stored) == 2 and again["overall"] == first["overall"]
