"""Input at the edges of what a type can hold is refused with a clear error, storing nothing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engramdb import InvalidInput, Memory
from engramdb.testing import HashEmbedder


@pytest.mark.parametrize(
    "timestamp",
    [
        "0001-01-01T00:00:00+00:01",  # before the first instant a UTC datetime can hold
        datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1))),  # after the last
    ],
)
def test_a_time_out_of_range_is_refused_and_nothing_is_stored(timestamp: object) -> None:
    with Memory.open(":memory:", embedder=HashEmbedder(), understand=False) as mem:
        with pytest.raises(InvalidInput, match="timestamp is out of range"):
            mem.add("I moved to Lisbon.", user_id="ana", timestamp=timestamp)  # type: ignore[arg-type]
        assert len(mem.get_all(user_id="ana")) == 0
