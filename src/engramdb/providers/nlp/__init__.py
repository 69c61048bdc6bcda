"""NLP parser providers, and the choice of the default one."""

from __future__ import annotations

import functools
import logging

from engramdb.errors import CapabilityMissing
from engramdb.ports.nlp import Parser

__all__ = ["default_parser"]

_log = logging.getLogger("engramdb")


@functools.cache
def default_parser() -> Parser:
    """SpaCy when its model is installed; otherwise the rules-only parser, said once.

    Rules alone still resolve pronouns and dates and find facts, with less
    precision: no dependency parse and no entity types.
    """
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
