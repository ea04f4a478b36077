"""The command line: riskmon.cli.main parses and dispatches; one module per command; the shared
argument types in riskmon.cli.args (no command module imports riskmon.cli.main)."""
