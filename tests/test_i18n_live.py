"""The live loop in Simplified Chinese: what the Monitor logs about feeds and alerts (`riskmon
daemon`'s log on a terminal), a failing feed on the dashboard's status line, and the problems of
`config edit`. English stays word for word as it was; the log's prefix (time, level, logger) and
anything machines read stay English."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from riskmon import i18n
from riskmon.errors import ConfigError
from riskmon.paths import bundled_config_dir
from riskmon.sources.config.edit import set_business_field, set_event_field
from riskmon.tui.app import create_app
from tests.support import screen_text, wait_for
from tests.test_i18n import has_chinese, run
from tests.test_i18n_catalog import allowed_words, english_left
from tests.test_i18n_tui import NOW, ready

FAILING_FEED_AND_CHANNELS = """
[[feeds]]
name = "team"
type = "file"
path = "missing-events.json"

[[alerts]]
name = "pager"
type = "command"
argv = ["/nonexistent/notify-me"]

[[alerts]]
name = "log"
type = "command"
argv = ["{ok}"]
"""
NAMES = {"team", "pager", "log"}
"""The feed's and the channels' names: data the user wrote, shown as written."""
PREFIX = re.compile(r"^\S+ (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: ", re.M)
"""A daemon log line's prefix: the time, the level and the logger (kept English: grepped by ops)."""


@pytest.fixture
def alerting(tmp_path: Path) -> Path:
    """The demo config with a feed whose file is missing, a warning threshold it crosses (so a
    level alert goes out), one alert channel that fails and one that delivers."""
    target = tmp_path / "cfg"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    settings = target / "riskmon.toml"
    text = settings.read_text(encoding="utf-8").replace("\nwarn = 40.0 ", "\nwarn = 1.0 ", 1)
    assert "\nwarn = 1.0 " in text
    ok = shutil.which("true")
    assert ok is not None
    settings.write_text(text + FAILING_FEED_AND_CHANNELS.replace("{ok}", ok), encoding="utf-8")
    return target


def daemon_once(config: Path, db: Path, **env: str) -> str:
    r = run("daemon", "--once", "--config", str(config), "--db", str(db), **env)
    assert r.returncode in (0, 1, 2), r.stderr
    return r.stderr


def test_the_daemon_logs_feed_and_alert_trouble_in_chinese(alerting: Path, tmp_path: Path) -> None:
    log = daemon_once(alerting, tmp_path / "h.json", LANG="zh_CN.UTF-8")
    assert re.search(r"WARNING \S+: 数据源 team：找不到文件：\S+missing-events\.json（没有可退回的副本）", log), log
    assert "告警渠道 pager 尝试 1 次后仍失败：找不到命令：/nonexistent/notify-me" in log, log
    assert "告警渠道 pager 失败（找不到命令：/nonexistent/notify-me）；保留 1 条告警" in log, log
    assert "告警已经 log 发送：" in log, log
    assert "级别 WARNING，评分" in log, log
    assert not english_left(PREFIX.sub("", log), allowed_words(alerting) | NAMES), log


def test_the_daemon_log_in_english_is_unchanged(alerting: Path, tmp_path: Path) -> None:
    log = daemon_once(alerting, tmp_path / "h.json", LANG="C")
    assert not has_chinese(log), log
    assert re.search(
        r"WARNING \S+: feed team: file not found: \S+missing-events\.json \(no copy to fall back on\)", log
    )
    assert "alert channel pager failed after 1 attempt(s): command not found: /nonexistent/notify-me" in log, log
    assert re.search(
        r"alert channel pager failed \(command not found: /nonexistent/notify-me\); 1 alert\(s\) kept", log
    )
    assert "alert sent via log: riskmon: OK -> WARNING" in log, log
    assert re.search(r"level WARNING, score \d+/100: score \d+ >= warning 1", log), log


async def test_a_failing_feed_on_the_chinese_dashboard(alerting: Path, tmp_path: Path) -> None:
    i18n.setup("zh-CN", {})
    try:
        app = create_app(alerting, tmp_path / "h.json", NOW)
        async with app.run_test(size=(120, 35)) as pilot:
            await ready(pilot)
            await wait_for(pilot, lambda: "数据源 0/1 正常; team: " in screen_text(app), 30)
            text = screen_text(app)
            assert app.loaded is not None
            (feed,) = app.loaded.evaluation.feeds
            assert feed["error"].startswith("找不到文件："), feed  # what the feed's detail shows
            left = english_left(re.sub(r"[A-Za-z]+…", " ", text), allowed_words(alerting) | NAMES)
            assert not left - {"c", "E"}, (left, text)
    finally:
        i18n.setup(None, {})


def test_config_edit_problems_in_chinese(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    assert run("config", "init", "--config", str(config), LANG="C").returncode == 0
    (config / "exposure.toml").write_bytes('name = "caf\xe9"\n'.encode("latin-1"))
    zh = run("--lang", "zh-CN", "config", "edit", "exposure", "--config", str(config), EDITOR="true")
    en = run("config", "edit", "exposure", "--config", str(config), EDITOR="true", LANG="C")
    where = f"{config / 'exposure.toml'}:1: "
    assert zh.returncode == en.returncode == 3
    assert f"{where}不是 UTF-8 文本；请将文件另存为 UTF-8" in zh.stderr, zh.stderr
    assert f"{where}not UTF-8 text; save the file as UTF-8" in en.stderr, en.stderr


@pytest.mark.parametrize(
    ("edit", "chinese", "english"),
    [
        (
            lambda d: set_business_field(d, "nmae", "x"),
            "未知字段 'nmae'",
            "unknown field 'nmae' — did you mean 'name'?",
        ),
        (
            lambda d: set_event_field(d, "no-such-event", "title", "x"),
            "没有 id 为 'no-such-event' 的事件",
            "no event with id",
        ),
    ],
    ids=["unknown field", "unknown event"],
)
def test_the_config_editors_edit_problems_in_chinese(tmp_path: Path, edit: object, chinese: str, english: str) -> None:
    """The TUI config editor's edits go through these functions; their problems name the same
    file and field in both languages."""
    config = tmp_path / "cfg"
    shutil.copytree(bundled_config_dir(), config, ignore=shutil.ignore_patterns("*.json"))
    said: dict[str, list[str]] = {}
    for lang in ("zh-CN", "en"):
        i18n.setup(lang, {})
        try:
            with pytest.raises(ConfigError) as caught:
                edit(config)  # type: ignore[operator]
            said[lang] = [str(p) for p in caught.value.problems]
        finally:
            i18n.setup(None, {})
    assert chinese in said["zh-CN"][0] and english in said["en"][0], said
    assert said["zh-CN"][0].split(": ")[0] == said["en"][0].split(": ")[0]  # the same file and field
    message = re.sub(r"'[^']*'", " ", said["zh-CN"][0].split(": ", 2)[-1])  # the names, quoted as written
    assert not english_left(message, allowed_words(config)), said
