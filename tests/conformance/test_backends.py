"""The shipped conformance suite (engramdb.testing.conformance) on every built-in backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import BACKENDS, backend_location

from engramdb.testing.conformance import *  # noqa: F403


@pytest.fixture(params=BACKENDS)
def engramdb_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return backend_location(str(request.param), tmp_path)


@pytest.fixture(scope="session")
def engramdb_parser(spacy_parser):  # type: ignore[no-untyped-def]
    return spacy_parser  # the suite's tests of understanding share the session's parser
