"""`--help` and usage errors in Simplified Chinese: every command's help, argparse's own words
(headings, the help line, its error sentences) included, while English help, the man page and
shell completion stay as they are."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskmon import i18n
from riskmon.cli.args import Parser
from riskmon.cli.completion import command_tree
from riskmon.cli.parser import build_parser
from riskmon.cli.reference import ENVIRONMENT
from tests.test_i18n import clean_env, has_chinese, run
from tests.test_i18n_catalog import allowed_words, demo, english_left  # noqa: F401  (demo: a fixture)

ARGPARSE_WORDS = "usage: positional arguments: options: show this help message and exit"


def command_paths() -> list[tuple[str, ...]]:
    """Every command and action the parser knows: (), ("check",), ("config", "init") ..."""
    return [c.path[1:] for c in command_tree(build_parser()).walk()]


def data_words() -> set[str]:
    """What help shows as it is: command and action names, the choices of options, the
    environment variables' names."""
    words: set[str] = set()
    for c in command_tree(build_parser()).walk():
        words |= set(c.path) | {choice for o in (*c.options, *c.positionals) for choice in o.choices}
    return words | {name for key, _text in ENVIRONMENT for name in key.split(", ")}


def english_in_help(text: str, allowed: set[str]) -> set[str]:
    """English words left in a help text, options (-h, --warning), choices ({text,json}) and the
    data above apart."""
    text = re.sub(r"\{[^}]*\}|(?<![\w-])-[A-Za-z]+\b", " ", text)
    return english_left(text, allowed | data_words())


@pytest.fixture(scope="module")
def allowed(demo: Path) -> set[str]:  # noqa: F811
    return allowed_words(demo)


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "riskmon")
def test_every_help_in_chinese(path: tuple[str, ...], allowed: set[str]) -> None:
    r = run("--lang", "zh-CN", *path, "--help", COLUMNS="100")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("用法："), r.stdout[:200]
    assert has_chinese(r.stdout) and "选项：" in r.stdout
    assert not english_in_help(r.stdout, allowed), r.stdout


def test_help_follows_the_locale_variables(allowed: set[str]) -> None:
    r = run("check", "--help", LANG="zh_CN.UTF-8")
    assert r.returncode == 0, r.stderr
    assert "退出码：" in r.stdout and "环境变量：" in r.stdout and "范围（-w、-c" in r.stdout
    assert "显示本帮助并退出" in r.stdout
    assert not english_in_help(r.stdout, allowed), r.stdout


def test_lang_after_the_command_is_read_before_its_parser_is_built() -> None:
    r = run("check", "--help", "--lang", "zh_CN", LANG="C")
    assert r.returncode == 0 and r.stdout.startswith("用法： riskmon check"), r.stdout[:300]
    assert run("check", "--help", LANG="zh_CN.UTF-8", LC_ALL="C").stdout.startswith("usage:")  # LC_ALL wins


def test_the_help_check_catches_argparse_words(allowed: set[str]) -> None:
    """argparse's headings and help line, were they left in English, fail the tests above (which
    also look for the Chinese headings themselves: "options" and "show" are data elsewhere, the
    option --options and the action `events show`)."""
    left = english_in_help(ARGPARSE_WORDS, allowed)
    assert {"usage", "positional", "arguments", "help", "exit"} <= left


@pytest.mark.parametrize("columns", [80, 60])
def test_chinese_help_lines_fit_the_terminal(columns: int) -> None:
    """Wide characters count twice: no line of Chinese help runs past the terminal (where it
    would wrap to the first column), and each option's help starts on its own line at one column.
    (`--format {text,json,nagios,prometheus}`, all ASCII, is as long as in English.)"""
    from riskmon.present.cells import cell_width

    r = run("check", "--help", LANG="zh_CN.UTF-8", COLUMNS=str(columns))
    lines = r.stdout.splitlines()
    too_wide = [line for line in lines if cell_width(line) > columns and "{text,json" not in line]
    assert not too_wide, r.stdout
    config = lines.index("  --config 目录")
    assert lines[config + 1].startswith("      配置目录"), r.stdout
    assert lines[lines.index("  -v, --verbose") + 1] == "      更多细节；可重复，最多 -vvv", r.stdout


def test_english_help_is_unchanged_by_the_language_machinery() -> None:
    r = run("check", "--help", LANG="C", COLUMNS="100")
    assert r.stdout.startswith("usage: riskmon check [-h]")
    assert "\noptions:\n  -h, --help            show this help message and exit\n" in r.stdout
    assert "exit codes:\n" in r.stdout and not has_chinese(r.stdout)


@pytest.mark.parametrize("args", [("man",), ("completion", "zsh"), ("completion", "fish"), ("completion", "bash")])
def test_man_page_and_completion_stay_english(args: tuple[str, ...]) -> None:
    english = run(*args, LANG="C")
    assert english.returncode == 0 and english.stdout
    for chinese in (run(*args, LANG="zh_CN.UTF-8"), run("--lang", "zh-CN", *args)):
        assert chinese.stdout == english.stdout
        assert not has_chinese(chinese.stdout)


# ---------------------------------------------------------------------------------------------
# Usage errors


def test_usage_error_in_chinese_keeps_its_exit_code(allowed: set[str]) -> None:
    english = run("check", "--format", "xml", LANG="C")
    chinese = run("check", "--format", "xml", LANG="zh_CN.UTF-8")
    assert english.returncode == chinese.returncode == 3
    assert english.stdout.startswith("RISKMON UNKNOWN - bad arguments: argument --format/-f: invalid choice: 'xml'")
    assert chinese.stdout.startswith("RISKMON UNKNOWN - 参数错误：参数 --format/-f：无效的选择：'xml'"), chinese.stdout
    assert chinese.stderr.startswith("用法： riskmon check"), chinese.stderr
    assert not english_in_help(chinese.stdout.replace("xml", " "), allowed), chinese.stdout


def test_unknown_command_and_missing_value_in_chinese(allowed: set[str]) -> None:
    r = run("--lang", "zh-CN", "chek")
    assert r.returncode == 3
    assert r.stderr.startswith("riskmon: 参数错误：参数 命令：无效的选择：'chek'"), r.stderr
    r = run("check", "-w", LANG="zh_CN.UTF-8")
    assert r.returncode == 3 and r.stdout.startswith("RISKMON UNKNOWN - 参数错误：参数 -w/--warning：需要一个值")


def test_unknown_lang_is_reported_in_the_environments_language() -> None:
    r = run("check", "--lang", "klingon", LANG="zh_CN.UTF-8")
    assert r.returncode == 3 and "未知语言 'klingon'" in r.stdout, r.stdout


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.setup("zh-CN")
    yield
    i18n.setup(i18n.ENGLISH)


def toy_parser() -> Parser:
    parser = Parser(prog="toy")
    parser.add_argument("--format", choices=("text", "json"))
    parser.add_argument("--offline", action="store_true")
    parser.add_argument("--config")
    parser.add_argument("--configure")
    both = parser.add_mutually_exclusive_group()
    both.add_argument("--yes", action="store_true")
    both.add_argument("--no", action="store_true")
    parser.add_argument("target")
    return parser


@pytest.mark.parametrize(
    "argv",
    [
        ["x", "--format", "xml"],  # invalid choice (3.14: "maybe you meant")
        ["x", "--format", "jsn"],
        ["x", "--format"],  # expected one argument
        ["x", "--offline=1"],  # ignored explicit argument
        ["x", "--conf", "a"],  # ambiguous option
        ["x", "--yes", "--no"],  # not allowed with argument
        ["x", "y"],  # unrecognized arguments
        [],  # the following arguments are required
    ],
    ids=" ".join,
)
def test_argparse_error_sentences_are_translated(argv: list[str], chinese: None) -> None:
    """Each of argparse's sentences as this Python words it: a sentence a new Python words
    differently would stay English here and fail."""
    from riskmon.cli.args import UsageError

    with pytest.raises(UsageError) as caught:
        toy_parser().parse_args(argv)
    message = caught.value.message
    assert message.startswith("参数错误："), message
    data = r"'[^']*'|--?[a-z]+(?:/--?[a-z]+)?|\b(?:text|json|target|xml|jsn|y)\b"
    assert not re.findall(r"[A-Za-z]{2,}", re.sub(data, " ", message)), message


def test_english_errors_are_argparse_own() -> None:
    from riskmon.cli.args import UsageError

    with pytest.raises(UsageError) as caught:
        toy_parser().parse_args(["x", "--format", "xml"])
    assert caught.value.message.startswith("bad arguments: argument --format: invalid choice: 'xml'")


def test_coloured_headings_are_translated_too(chinese: None) -> None:
    """Python 3.14 colours the headings on a terminal: the escapes stay around the word."""
    from riskmon.cli.argwords import help_text

    coloured = "\x1b[1;34musage: \x1b[0mriskmon [-h]\n\n\x1b[1;34moptions\x1b[0m:\n  -h, --help\n"
    assert help_text(coloured) == "\x1b[1;34m用法： \x1b[0mriskmon [-h]\n\n\x1b[1;34m选项：\x1b[0m\n  -h, --help\n"


def test_english_check_does_not_load_the_chinese_help_machinery(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom riskmon.cli.main import main\n"
        "main(['check', '--offline', '--no-history', '--now', '2025-05-01'])\n"
        "print('LOADED', 'riskmon.cli.argwords' in sys.modules, file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(LANG="C"))
    assert "LOADED False" in r.stderr, r.stderr[-2000:]
