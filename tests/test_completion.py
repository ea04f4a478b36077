"""`riskmon completion bash|zsh|fish` and `riskmon man`: generated from the parser, they know every
command, option and choice. Each script is run by its shell (skipped when the shell is not
installed); the man page is checked by groff and `man -l` when they are."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from riskmon.cli.completion import command_tree
from riskmon.cli.main import build_parser

BASH, ZSH, FISH = shutil.which("bash"), shutil.which("zsh"), shutil.which("fish")
COMMANDS = sorted(command_tree(build_parser()).subcommands)


def riskmon(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("completion")
    paths = {}
    for shell in ("bash", "zsh", "fish"):
        r = riskmon("completion", shell)
        assert r.returncode == 0 and r.stdout, r.stderr
        paths[shell] = out / f"riskmon.{shell}"
        paths[shell].write_text(r.stdout)
    return paths


# Words typed so far (the last one being completed) -> candidates that must be offered; whether
# the list is exact.
CASES = [
    (["riskmon", ""], COMMANDS, True),
    (["riskmon", "ch"], ["check"], True),
    (["riskmon", "check", "--format", ""], ["json", "nagios", "prometheus", "text"], True),
    (["riskmon", "check", "-w", "10", "--runway-"], ["--runway-critical", "--runway-warning"], True),
    (["riskmon", "--config", "/tmp", "check", "-f", "n"], ["nagios"], True),
    (["riskmon", "config", ""], ["edit", "init", "path", "schema", "validate"], True),
    (["riskmon", "config", "init", "--f"], ["--force"], True),
    (["riskmon", "completion", ""], ["bash", "fish", "zsh"], True),
    (["riskmon", "events", "sh"], ["show"], True),
    (["riskmon", "daemon", "--log-level", ""], ["debug", "error", "info", "warning"], True),
]


def _check(got: list[str], want: list[str], exact: bool, words: list[str]) -> None:
    if exact:
        assert sorted(got) == sorted(want), words
    else:
        assert set(want) <= set(got), words


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
@pytest.mark.parametrize(("words", "want", "exact"), CASES)
def test_bash(scripts: dict[str, Path], words: list[str], want: list[str], exact: bool) -> None:
    assert BASH is not None
    program = (
        f'source {scripts["bash"]}; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _riskmon; '
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    r = subprocess.run([BASH, "-c", program, "bash", *words], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    _check(r.stdout.split(), want, exact, words)


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_bash_completes_directories_after_config(scripts: dict[str, Path], tmp_path: Path) -> None:
    assert BASH is not None
    (tmp_path / "cfgdir").mkdir()
    (tmp_path / "cfgfile").write_text("")
    program = f'source {scripts["bash"]}; COMP_WORDS=(riskmon --config "$1"); COMP_CWORD=2; _riskmon; '
    program += 'echo "${COMPREPLY[@]}"'
    r = subprocess.run([BASH, "-c", program, "bash", str(tmp_path / "cfg")], capture_output=True, text=True)
    assert r.stdout.split() == [str(tmp_path / "cfgdir")]


# zsh's completion widgets need a terminal; the generated function is run with the few zsh
# builtins it calls replaced by functions that print what they were given.
ZSH_STUBS = """
compdef() { :; }
_describe() { local n=${@[-1]}; print -rl -- ${${(P)n}%%:*}; }
compadd() { shift; print -rl -- "$@"; }
_files() { print FILES; }; _directories() { print DIRS; }; _message() { :; }
"""


@pytest.mark.skipif(ZSH is None, reason="zsh is not installed")
@pytest.mark.parametrize(("words", "want", "exact"), CASES)
def test_zsh(scripts: dict[str, Path], words: list[str], want: list[str], exact: bool) -> None:
    assert ZSH is not None
    program = f'{ZSH_STUBS}\nsource {scripts["zsh"]}\nwords=("$@"); CURRENT=$#; _riskmon'
    r = subprocess.run([ZSH, "-f", "-c", program, "zsh", *words], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    prefix = words[-1]  # _describe filters by what was typed; the stub does not
    _check([c.replace("\\:", ":") for c in r.stdout.split() if c.startswith(prefix)], want, exact, words)


@pytest.mark.skipif(ZSH is None, reason="zsh is not installed")
def test_zsh_script_registers_itself(scripts: dict[str, Path]) -> None:
    assert ZSH is not None
    program = f"autoload -U compinit; compinit -u -D; source {scripts['zsh']}; print -r -- $_comps[riskmon]"
    r = subprocess.run([ZSH, "-f", "-c", program], capture_output=True, text=True, timeout=30)
    assert r.stdout.strip() == "_riskmon", r.stderr


@pytest.mark.skipif(FISH is None, reason="fish is not installed")
@pytest.mark.parametrize(("words", "want", "exact"), CASES)
def test_fish(scripts: dict[str, Path], words: list[str], want: list[str], exact: bool) -> None:
    assert FISH is not None
    line = " ".join(words)
    program = f"source {scripts['fish']}; complete -C {line!r}"
    r = subprocess.run([FISH, "--no-config", "-c", program], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    _check([row.split("\t")[0] for row in r.stdout.splitlines()], want, exact, words)


def test_an_unknown_shell_is_a_usage_error() -> None:
    r = riskmon("completion", "powershell")
    assert r.returncode == 3 and "invalid choice: 'powershell'" in r.stderr


# ---------------------------------------------------------------------------------------------
# The man page


@pytest.fixture(scope="module")
def roff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = riskmon("man")
    assert r.returncode == 0, r.stderr
    path = tmp_path_factory.mktemp("man") / "riskmon.1"
    path.write_text(r.stdout)
    return path


def test_man_page_structure(roff: Path) -> None:
    text = roff.read_text()
    lines = text.splitlines()
    assert lines[0].startswith('.TH RISKMON 1 "')
    sections = [line.removeprefix(".SH ").strip('"') for line in lines if line.startswith(".SH ")]
    assert sections == ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT",
                        "RANGES", "SEE ALSO"]  # fmt: skip
    subsections = {line[4:].strip('"').replace("\\-", "-") for line in lines if line.startswith(".SS ")}
    assert {f"riskmon {c}" for c in COMMANDS} <= subsections
    assert "riskmon config schema" in subsections
    assert "\\fB\\-\\-runway\\-warning\\fR \\fIRANGE\\fR" in text, "options with their values, hyphens escaped"
    assert "\\fBJOURNAL_STREAM\\fR" in text and "\\fB3\\fR" in text
    for line in lines:
        assert not (line.startswith((".", "'")) and line.split()[0] not in (".TH", ".SH", ".SS", ".TP", ".PP", ".B")), (
            f"text taken for a roff request: {line!r}"
        )


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_finds_nothing_to_warn_about(roff: Path) -> None:
    r = subprocess.run(["groff", "-man", "-ww", "-z", str(roff)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_renders_it(roff: Path) -> None:
    env = {**os.environ, "MANWIDTH": "100", "MANPAGER": "cat", "PAGER": "cat"}
    r = subprocess.run(["man", "-l", str(roff)], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "riskmon - platform risk monitor" in r.stdout
    assert "--shortfall-critical RANGE" in r.stdout and "WATCHDOG_USEC" in r.stdout
