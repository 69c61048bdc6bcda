"""The backend conformance suite: what every engramdb storage backend must do.

A backend (registered under its URL scheme, see :mod:`engramdb.registry`) runs it with
one test module::

    import pytest
    from engramdb.testing.conformance import *  # noqa: F403  (the tests and their fixtures)

    @pytest.fixture
    def engramdb_location(tmp_path):
        return "mydb://..."  # a fresh, empty store of your backend

The suite covers memories (verbatim episodes, times, search with reasons, versions,
history, deletion), bad input (refused, nothing changed), scopes and tenants
(isolation, API keys), export and import, consolidation, the timeline and lineage, the
store calls a search makes and,
with the ``nlp`` extra, understanding (facts, truth that changes, entities). It needs
``pytest``.
"""

from __future__ import annotations

import pytest

_PARTS = (
    "fixtures", "memories", "bad_input", "scopes_and_tenants", "export_import", "consolidation",
    "understanding", "lineage", "search_reads",
)  # fmt: skip
# failed assertions in the parts explain themselves, as in a test module
pytest.register_assert_rewrite(*(f"{__name__}.{part}" for part in _PARTS))

from engramdb.testing.conformance import (  # noqa: E402 - after the assertion rewrite hook
    bad_input,
    consolidation,
    export_import,
    fixtures,
    lineage,
    memories,
    scopes_and_tenants,
    search_reads,
    understanding,
)

_FIXTURE = type(fixtures.mem)  # what pytest.fixture makes of a function
__all__: list[str] = []
for _part in (
    fixtures,
    memories,
    bad_input,
    scopes_and_tenants,
    export_import,
    consolidation,
    understanding,
    lineage,
    search_reads,
):
    for _name, _value in vars(_part).items():
        if _name.startswith("test_") or isinstance(_value, _FIXTURE):
            if _name in globals() and globals()[_name] is not _value:
                raise RuntimeError(f"two conformance tests are called {_name}")
            globals()[_name] = _value
            __all__.append(_name)
