"""The command line: one click group (main.py) and a module per family of commands."""

from cxinsight.cli.main import cli, main

__all__ = ["cli", "main"]
