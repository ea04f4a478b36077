"""The command line: riskmon.cli.main parses (riskmon.cli.parser) and dispatches; one module per
command; the shared argument types in riskmon.cli.args (no command module imports
riskmon.cli.main). `riskmon.cli.main(argv)` stays the entry point callers use."""

from riskmon.cli.main import main

__all__ = ["main"]
