"""The Textual dashboard (`riskmon` with no command). The only package that imports Textual.

`create_app()` in `riskmon.tui.app` builds the app for the CLI and the tests alike.
"""
