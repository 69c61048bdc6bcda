"""NLP parser providers, and the choice of the default one."""

from __future__ import annotations

import functools
import logging
import os

from engramdb.errors import CapabilityMissing, ConfigError
from engramdb.ports.nlp import Parser

__all__ = ["default_parser"]

_log = logging.getLogger("engramdb")


@functools.cache
def default_parser() -> Parser:
    """SpaCy when its model is installed; otherwise the rules-only parser, said once.

    Rules alone still resolve pronouns and dates and find facts, with less
    precision: no dependency parse and no entity types. ``ENGRAMDB_PARSER=rules``
    chooses them on purpose (the fast tier: bulk import where parsing is the bound).

    Raises:
        ConfigError: ``ENGRAMDB_PARSER`` names neither ``spacy`` nor ``rules``.
    """
    chosen = os.environ.get("ENGRAMDB_PARSER", "").strip().lower()
    if chosen not in ("", "spacy", "rules"):
        raise ConfigError(f"ENGRAMDB_PARSER must be 'spacy' or 'rules', not {chosen!r}")
    if chosen == "rules":
        from engramdb.pipeline.understand.rules_parser import RulesParser

        return RulesParser()
    try:
        from engramdb.providers.nlp.spacy_parser import SpacyParser

        return SpacyParser()
    except CapabilityMissing as exc:
        _log.warning(  # once per process: the result is cached
            "%s: understanding runs on rules only (lower quality). "
            "Install it with: pip install 'engramdb[nlp]'",
            exc,
        )
        from engramdb.pipeline.understand.rules_parser import RulesParser

        return RulesParser()
