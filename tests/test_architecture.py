"""The layering rules: only riskmon/tui imports Textual; the core stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import riskmon

PKG = Path(riskmon.__file__).parent
UI_LIBS = {"textual", "textual_plotext", "plotext", "rich"}
# `riskmon history -f plot` draws with plotext into the terminal, as its issue asks; it is a
# command of its own, never on `check`'s path (tests/test_cli.py checks that at run time).
ALLOWED = {Path("cli/history.py"): {"plotext"}}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_tui_imports_ui_libraries() -> None:
    offenders = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "tui" or rel == Path("cli/tui.py"):
            continue
        bad = imported_roots(path) & UI_LIBS - ALLOWED.get(rel, set())
        if bad:
            offenders[str(rel)] = sorted(bad)
    assert offenders == {}


def test_engine_is_pure() -> None:
    """assess() reads no clock, no files and no network: only the shells pass `now` in."""
    source = (PKG / "core" / "engine.py").read_text(encoding="utf-8")
    roots = imported_roots(PKG / "core" / "engine.py")
    assert not roots & {"os", "io", "pathlib", "time", "httpx", "socket", "tinydb", "apscheduler"}
    for call in ("datetime.now(", "datetime.utcnow(", "time.time(", "open("):
        assert call not in source, call
