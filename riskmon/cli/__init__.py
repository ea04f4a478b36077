"""The command line: one module per command."""

from riskmon.cli.main import main

__all__ = ["main"]
