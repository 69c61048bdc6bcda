"""``python -m engramdb``: the command line."""

from engramdb.cli.main import cli

cli()
