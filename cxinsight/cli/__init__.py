"""The command line: one click group (app.py) and a module per family of commands."""

from cxinsight.cli.app import cli, main

__all__ = ["cli", "main"]
