"""Access logs are JSON lines carrying the request's fields."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from tests.server.conftest import Served

from engramdb.server.logs import JsonFormatter, configure_logging


def test_one_json_line_per_request(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="engramdb.server.access"):
        served.client(served.acme).get("/v1/entities", params={"user_id": "u"})
    record = next(r for r in caplog.records if r.name == "engramdb.server.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/v1/entities" and line["status"] == 200
    assert line["tenant_id"] == "acme" and line["request_id"] and line["duration_ms"] >= 0
    assert line["level"] == "info" and line["time"].endswith("+00:00")


def test_exceptions_are_logged_with_their_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("engramdb").makeRecord(
            "engramdb", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed" and "ValueError: boom" in line["exception"]


def test_configure_logging_installs_the_json_handler() -> None:
    configure_logging("warning")
    try:
        handler = logging.getLogger("engramdb").handlers[0]
        assert isinstance(handler.formatter, JsonFormatter)
        assert logging.getLogger("uvicorn").level == logging.WARNING
    finally:
        for name in ("engramdb", "uvicorn", "uvicorn.error"):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.propagate = True
            logger.setLevel(logging.NOTSET)
