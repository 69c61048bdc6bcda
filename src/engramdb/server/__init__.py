"""The REST server (``engramdb serve``); needs the ``server`` extra."""

from engramdb.server.app import create_app

__all__ = ["create_app"]
