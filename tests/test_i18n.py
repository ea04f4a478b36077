"""Simplified Chinese: which language is chosen (--lang > [ui] language > LC_ALL > LC_MESSAGES > LANG),
what the CLI prints in it, what stays English (Nagios, Prometheus), and columns that line up when
a cell is Chinese."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskmon import i18n
from riskmon.paths import bundled_config_dir

NOW = "2025-05-01"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return {**env, "NO_COLOR": "1", **extra}


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args],
        capture_output=True,
        text=True,
        env=clean_env(**env),
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the bundled demo config (the catalog's text has translations), history apart."""
    target = tmp_path / "demo"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    return target


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """Tests that activate a language leave the process in English."""
    yield
    i18n.setup(i18n.ENGLISH)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---------------------------------------------------------------------------------------------
# Choosing the language


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zh_CN.UTF-8", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("zh-CN", "zh-CN"),
        ("zh_Hans", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh_CN.utf8@pinyin", "zh-CN"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("C.UTF-8", "en"),
        ("fr_FR.UTF-8", "en"),
        ("", "en"),
    ],
)
def test_environment_values(value: str, expected: str) -> None:
    assert i18n.from_environment({"LANG": value}) == expected


def test_posix_precedence_lc_all_then_lc_messages_then_lang() -> None:
    zh, en = "zh_CN.UTF-8", "en_US.UTF-8"
    assert i18n.from_environment({"LC_ALL": zh, "LC_MESSAGES": en, "LANG": en}) == "zh-CN"
    assert i18n.from_environment({"LC_ALL": en, "LC_MESSAGES": zh, "LANG": zh}) == "en"
    assert i18n.from_environment({"LC_MESSAGES": zh, "LANG": en}) == "zh-CN"
    assert i18n.from_environment({"LC_MESSAGES": en, "LANG": zh}) == "en"
    assert i18n.from_environment({"LANG": zh}) == "zh-CN"
    # An empty variable is unset: the next one decides.
    assert i18n.from_environment({"LC_ALL": "", "LC_MESSAGES": "", "LANG": zh}) == "zh-CN"
    assert i18n.from_environment({}) == "en"


def test_flag_beats_config_beats_environment() -> None:
    zh_env = {"LANG": "zh_CN.UTF-8"}
    assert i18n.choose("en", "zh-CN", zh_env) == "en"
    assert i18n.choose(None, "en", zh_env) == "en"
    assert i18n.choose(None, "zh-CN", {"LANG": "C"}) == "zh-CN"
    assert i18n.choose(None, None, zh_env) == "zh-CN"


def test_config_language_follows_only_without_a_flag() -> None:
    i18n.setup(None, {"LANG": "C"})
    assert i18n.follow_config("zh-CN") == "zh-CN"
    assert i18n.follow_config(None) == "en"  # back to what the environment says
    i18n.setup("en", {"LANG": "zh_CN.UTF-8"})
    assert i18n.follow_config("zh-CN") == "en"


def test_untranslated_text_falls_back_to_english() -> None:
    i18n.setup("zh-CN")
    assert i18n._("next actions:") == "下一步行动："
    assert i18n._("no such message in any catalog") == "no such message in any catalog"
    assert i18n.data("My own step, as I wrote it.") == "My own step, as I wrote it."


def test_money_and_dates_for_the_locale() -> None:
    from datetime import date

    assert i18n.money(-20615.4, "USD") == "-$20,615"
    assert i18n.day(date(2025, 5, 26)) == "2025-05-26"
    i18n.setup("zh-CN")
    assert i18n.money(-20615.4, "USD") == "-US$20,615"
    assert i18n.money(1234, "CNY") == "¥1,234"
    assert i18n.day(date(2025, 5, 26)) == "2025年5月26日"
    with i18n.english():
        assert i18n.money(1234, "EUR") == "EUR 1,234"
    assert i18n.language() == "zh-CN"


# ---------------------------------------------------------------------------------------------
# The CLI


def test_lang_env_gives_chinese_check(demo: Path) -> None:
    r = run("check", "--config", str(demo), "--now", NOW, "--no-history", "-v", LANG="zh_CN.UTF-8")
    assert r.returncode == 1, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("WARNING 风险分 35/100，资金可撑"), first
    assert "缺口概率" in first and "现金最低点" in first
    assert "下一步行动：" in r.stdout


@pytest.mark.parametrize(
    "env, flag, chinese",
    [
        ({"LANG": "zh_CN.UTF-8"}, [], True),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, [], True),
        ({"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, [], False),
        ({"LANG": "zh_CN.UTF-8"}, ["--lang", "en"], False),
        ({"LANG": "C"}, ["--lang", "zh_CN"], True),
    ],
)
def test_cli_language_choice(demo: Path, env: dict[str, str], flag: list[str], chinese: bool) -> None:
    r = run("check", "--config", str(demo), "--now", NOW, "--no-history", *flag, **env)
    assert has_chinese(r.stdout) is chinese, r.stdout


def test_config_language_wins_over_environment_not_over_flag(demo: Path) -> None:
    (demo / "riskmon.toml").write_text('[ui]\nlanguage = "zh_CN.UTF-8"\n', encoding="utf-8")
    base = ("check", "--config", str(demo), "--now", NOW, "--no-history")
    assert has_chinese(run(*base, LANG="en_US.UTF-8").stdout)
    assert not has_chinese(run(*base, "--lang", "en", LANG="zh_CN.UTF-8").stdout)
    # The validated-config cache carries the setting: a second run reads it from there.
    assert has_chinese(run(*base, LANG="C").stdout)


def test_bad_language_in_config_is_a_located_problem(demo: Path) -> None:
    (demo / "riskmon.toml").write_text('[ui]\nlanguage = "zh-CM"\n', encoding="utf-8")
    r = run("check", "--config", str(demo), "--now", NOW, "--no-history", LANG="zh_CN.UTF-8")
    assert r.returncode == 3
    line = r.stdout.strip()
    assert line.startswith("RISKMON UNKNOWN - ") and "riskmon.toml:2: ui.language: " in line, line
    # The sentence is Chinese, the field and the values stay as written.
    assert "必须是以下之一：en, zh-CN" in line and "是不是想写 'zh-CN'？" in line, line


def test_unknown_lang_flag_is_a_usage_error() -> None:
    r = run("check", "--lang", "klingon")
    assert r.returncode == 3 and "unknown language 'klingon'" in r.stdout


@pytest.mark.parametrize("fmt", ["nagios", "prometheus"])
def test_machine_formats_stay_english_and_identical(demo: Path, fmt: str) -> None:
    args = ("check", "--config", str(demo), "--now", NOW, "--no-history", "-v", "-f", fmt)
    english = run(*args, LANG="C")
    chinese = run(*args, LANG="zh_CN.UTF-8")
    flagged = run(*args, "--lang", "zh-CN")
    assert english.stdout and english.returncode == chinese.returncode == flagged.returncode
    assert chinese.stdout == english.stdout == flagged.stdout
    assert not has_chinese(chinese.stdout)


def test_english_check_imports_no_babel_nor_gettext_catalog(demo: Path) -> None:
    """English must cost nothing: no Babel, no catalog read."""
    code = textwrap.dedent(f"""
        import sys
        from riskmon.cli.main import main
        main(["check", "--config", {str(demo)!r}, "--now", "{NOW}", "--no-history", "-vv"])
        from riskmon import i18n
        print("BABEL", sorted(m for m in sys.modules if m.split(".")[0] == "babel"), i18n.is_english(),
              file=sys.stderr)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(LANG="C"))
    assert "BABEL [] True" in r.stderr, r.stderr[-2000:]


# ---------------------------------------------------------------------------------------------
# Columns measured in cells


def test_cell_width_counts_wide_characters_twice() -> None:
    from riskmon.present.text import cell_width

    assert cell_width("abc") == 3
    assert cell_width("风险分") == 6
    assert cell_width("ＡＢ") == 4  # fullwidth
    assert cell_width("e\u0301") == 1  # a combining accent takes no cell


def display_columns(line: str) -> list[int]:
    """The cell offset at which each column (after a run of two spaces) starts."""
    from riskmon.present.text import cell_width

    starts, at = [], 0
    for i, ch in enumerate(line):
        if ch != " " and i >= 2 and line[i - 2 : i] == "  ":
            starts.append(at)
        at += cell_width(ch)
    return starts


def test_table_with_chinese_titles_lines_up() -> None:
    from riskmon.present.text import cell_width, table

    money = ["$1,000", "$20", "$300"]
    titles = ["美国封禁 TikTok", "A fee", "印尼关店"]
    rows = [[k, t, m, "x"] for k, t, m in zip(("us-ban", "eu", "shop"), titles, money, strict=True)]
    lines = table(["EVENT", "标题", "LOSS", "NOTE"], rows, right={2})
    # Left-aligned columns start in the same cell; the right-aligned money ends in the same cell.
    assert len({display_columns(line)[0] for line in lines}) == 1, lines
    assert len({display_columns(line)[-1] for line in lines}) == 1, lines
    ends = {cell_width(line[: line.index(m) + len(m)]) for line, m in zip(lines[1:], money, strict=True)}
    assert len(ends) == 1 and ends == {cell_width(lines[0][: lines[0].index("LOSS") + 4])}, lines


def test_check_vv_tables_line_up_in_chinese(demo: Path) -> None:
    r = run("check", "--config", str(demo), "--now", NOW, "--no-history", "-vv", LANG="zh_CN.UTF-8")
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("事件  "))
    block = lines[header : lines.index("", header)]
    assert len(block) > 2 and has_chinese(block[1])
    # The left-aligned columns (WHEN, STATUS and the Chinese TITLE) start in the same cell on every
    # row, and the row is as wide in cells up to the title as the header.
    assert {(*display_columns(line)[:2], display_columns(line)[-1]) for line in block} == {
        (*display_columns(block[0])[:2], display_columns(block[0])[-1])
    }


# ---------------------------------------------------------------------------------------------
# The core's English reasons, rebuilt by the presenters


def test_rebuilt_words_match_the_core_in_english(demo: Path) -> None:
    """riskmon.present.words rebuilds the core's English sentences (the rules' reasons, how an
    event reaches a channel, the next actions, the matched facts) in the active language; in
    English the rebuild must say exactly what the core says, so the two cannot drift apart."""
    from datetime import UTC, datetime

    from riskmon.present import words
    from riskmon.usecases.evaluate import evaluate

    for when in ("2023-09-01", "2024-12-20", "2025-01-20", "2025-05-01", "2026-03-01"):
        ev = evaluate(demo, datetime.fromisoformat(when).replace(tzinfo=UTC), offline=True)
        a = ev.assessment
        assert [words.rule_reason(a, r) for r in a.rules] == [r.reason for r in a.rules], when
        assert [words.channel_why(h) for e in a.events for h in e.channels] == [
            h.why for e in a.events for h in e.channels
        ]
        assert words.action_lines(ev.plan) == ev.plan.action_lines(), when
        actions = ev.plan.next_actions(None)
        assert [words.action_line(x) for x in actions] == [x.line() for x in actions], when
        facts = [b for s in ev.plan.suggestions(None) for b in s.because]
        assert facts and [words.fact(b) for b in facts] == facts, when
