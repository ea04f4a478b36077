"""The layering rules: only riskmon/tui imports Textual; the core stays pure; the import-linter
contracts pass on the tree and fail when an import goes the wrong way."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


# ---------------------------------------------------------------------------------------------
# The import-linter contracts (pyproject.toml), run as `.ci/run` runs them


LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
ROOT = PKG.parent


def lint_imports(tmp_path: Path, bad: tuple[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on a copy of the package and its contracts, with `bad` = (module file,
    import line) added to the copy."""
    shutil.copytree(PKG, tmp_path / "riskmon", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if bad is not None:
        target = tmp_path / "riskmon" / bad[0]
        target.write_text(target.read_text(encoding="utf-8") + f"\n{bad[1]}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    argv = [str(LINT_IMPORTS), "--no-cache", "--no-logo"]
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_the_contracts_hold() -> None:
    r = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 4 kept, 0 broken." in r.stdout


@pytest.mark.parametrize(
    ("bad", "broken"),
    [
        (("core/engine.py", "import riskmon.present.text"), "Layers"),
        (("sources/config/load.py", "import riskmon.usecases.evaluate"), "Layers"),
        (("core/model.py", "import pydantic"), "The core is pure"),
        (("usecases/evaluate.py", "import textual.app"), "Only riskmon.tui imports Textual"),
        (("cli/check.py", "import apscheduler"), "Only riskmon.live imports APScheduler"),
    ],
)
def test_a_wrong_way_import_fails_the_build(tmp_path: Path, bad: tuple[str, str], broken: str) -> None:
    r = lint_imports(tmp_path, bad)
    assert r.returncode != 0, r.stdout
    assert "Contracts: 3 kept, 1 broken." in r.stdout
    assert any(x.startswith(broken) and "BROKEN" in x for x in r.stdout.splitlines()), r.stdout
