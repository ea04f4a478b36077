"""`check -v`'s "since the previous check" lines in the reader's language: under zh-CN each change
is rebuilt from its fields (状态 传闻 → 已确认, a new event's title translated, 首次出现), with no
unmarked English left; in English they are the store's summaries, as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from riskmon.paths import bundled_config_dir
from tests.test_i18n import NOW, run
from tests.test_i18n_catalog import allowed_words, english_left

BLOCK = "\n[[events]]\n"
NEW_ID = "us-de-minimis-statutory-end-2027"


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(config, history): one check recorded without the US events, then the config restored with
    the rumoured examples confirmed, so the next check sees new events and changed ones."""
    root = tmp_path_factory.mktemp("changes")
    config = root / "cfg"
    shutil.copytree(bundled_config_dir(), config, ignore=shutil.ignore_patterns("*.json"))
    events = config / "events.toml"
    full = events.read_text(encoding="utf-8")
    head, *blocks = full.split(BLOCK)
    events.write_text(BLOCK.join([head, *(b for b in blocks if not b.startswith('id = "us-'))]), encoding="utf-8")
    db = root / "h.json"
    r = run("check", "--config", str(config), "--db", str(db), "--offline", LANG="C")
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    events.write_text(full.replace('\nstatus = "rumored"', '\nstatus = "confirmed"'), encoding="utf-8")
    return config, db


def changes_block(before: tuple[Path, Path], tmp_path: Path, *lang: str) -> list[str]:
    """The indented lines under the "since the previous check" header of a second `check -v`."""
    config, db = before
    mine = tmp_path / "h.json"
    shutil.copy(db, mine)
    r = run(*lang, "check", "-v", "--config", str(config), "--db", str(mine), "--offline", LANG="C")
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith(("since the previous", "自上次")))
    block = []
    for line in lines[header + 1 :]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    return [lines[header], *block]


def test_chinese_change_lines(before: tuple[Path, Path], tmp_path: Path) -> None:
    header, *block = changes_block(before, tmp_path, "--lang", "zh-CN")
    assert header.startswith("自上次检查以来："), header
    assert "example-us-tiktok-link-cutoff-2027：状态 传闻 → 已确认" in block
    assert "example-us-tiktok-link-cutoff-2027：概率 25% → 90%" in block
    new = next(line for line in block if line.startswith(f"{NEW_ID}："))
    assert "（首次出现，已确认，90%）" in new and "小额免税" in new, new
    assert not english_left("\n".join(block), allowed_words(before[0])), block


def test_english_change_lines_unchanged(before: tuple[Path, Path], tmp_path: Path) -> None:
    header, *block = changes_block(before, tmp_path)
    assert header.startswith("since the previous check: "), header
    assert "example-us-tiktok-link-cutoff-2027: status rumored → confirmed" in block
    assert "example-us-tiktok-link-cutoff-2027: probability 25% → 90%" in block
    assert any(line.startswith(f"new event {NEW_ID}: ") and line.endswith(" (confirmed, 90%)") for line in block), block


@pytest.mark.parametrize(
    ("now", "chinese", "english"),
    [
        ("garbage", "不是日期或日期时间：'garbage'（", "not a date or date-time: 'garbage' (use 2025-01-19"),
        ("1800-01-01", "1800-01-01 超出了支持的日期范围", "1800-01-01 is outside the supported dates"),
    ],
)
def test_a_bad_now_is_said_in_the_readers_language(now: str, chinese: str, english: str) -> None:
    zh = run("--lang", "zh-CN", "--now", now, "check", "--offline", LANG="C")
    en = run("--now", now, "check", "--offline", LANG="C")
    assert zh.returncode == en.returncode == 3, zh.stdout + en.stdout
    first = zh.stdout.splitlines()[0]
    assert first.startswith("RISKMON UNKNOWN - 参数错误：参数 --now：") and chinese in first, first
    typed = first.removeprefix("RISKMON UNKNOWN").replace(repr(now), "")
    assert not english_left(typed, allowed_words(bundled_config_dir())), first
    assert en.stdout.startswith(f"RISKMON UNKNOWN - bad arguments: argument --now: {english}"), en.stdout


def test_chinese_check_joins_its_clauses_with_full_width_semicolons(tmp_path: Path) -> None:
    """The runway rule's two clauses, the forecast's week notes and -vv's channels: "；" in
    Chinese (no ASCII "; " between Chinese clauses), "; " in English as before."""
    config = tmp_path / "cfg"
    shutil.copytree(bundled_config_dir(), config, ignore=shutil.ignore_patterns("*.json"))
    common = ("check", "-vv", "--config", str(config), "--now", NOW, "--db", str(tmp_path / "h.json"), "--offline")
    zh = run("--lang", "zh-CN", *common, LANG="C")
    en = run(*common, LANG="C")
    assert zh.returncode == en.returncode and zh.returncode in (0, 1, 2), zh.stdout + zh.stderr
    assert "现金 24.8 周后耗尽；现金出现缺口的概率 0%" in zh.stdout, zh.stdout
    assert ";" not in zh.stdout, [line for line in zh.stdout.splitlines() if ";" in line]
    assert "cash runs out in 24.8 weeks if likely events happen; 0% chance cash runs short" in en.stdout, en.stdout


def test_check_help_says_outside_that_range() -> None:
    """The range options' help reads "超出该范围时为 WARNING", not the metavar dropped in with spaces."""
    r = run("--lang", "zh-CN", "check", "--help", LANG="C", COLUMNS="200")
    assert r.returncode == 0, r.stderr
    assert "风险分（0-100）超出该范围时为 WARNING" in r.stdout, r.stdout
    assert "超出 范围" not in r.stdout, r.stdout
