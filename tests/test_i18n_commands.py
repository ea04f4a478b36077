"""The commands' own lines in Chinese: history, news, config, events, playbook, daemon and the
"bad arguments" frame print no unmarked English under zh-CN (the checker of
tests/test_i18n_catalog.py), while the Nagios line and the machine formats stay English."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from riskmon.paths import bundled_config_dir
from riskmon.present.cells import cell_width
from tests.test_i18n import NOW, run
from tests.test_i18n_catalog import allowed_words, english_left

HAN = re.compile(r"[\u4e00-\u9fff]")
LOG_PREFIX = re.compile(r"^\S+ (?:DEBUG|INFO|WARNING|ERROR) riskmon\.[\w.]+: ", re.MULTILINE)
"""A daemon log line's timestamp, level and logger name: the format journald and cron mail keep."""
QUOTED = re.compile(r"'[^'\s]*'")
"""An id or name as typed, quoted (`no event 'x'; did you mean 'y'?`): data."""
METAVARS = {"EVENT_ID", "EVENT", "STEP", "ID", "FILE", "URL", "DIR"}
"""The placeholders of a usage line, typed as they read in --help."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("demo") / "cfg"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    return target


@pytest.fixture(scope="module")
def db(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history file with one recorded check (a check with --now records nothing)."""
    path = tmp_path_factory.mktemp("history") / "h.json"
    r = run("check", "--config", str(demo), "--db", str(path), "--offline", LANG="C")
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    assert path.exists()
    return path


def chinese(text: str, demo: Path) -> None:
    """Chinese is there and no English word is left that is not data (ids, names, paths, commands)."""
    assert HAN.search(text), text
    left = english_left(QUOTED.sub(" ", LOG_PREFIX.sub("", text)), allowed_words(demo) | METAVARS)
    assert not left, (left, text)


def zh(*args: str, **env: str) -> tuple[int, str, str]:
    r = run("--lang", "zh-CN", *args, **env)
    return r.returncode, r.stdout, r.stderr


def test_history_table_and_change_log(demo: Path, db: Path) -> None:
    code, out, err = zh("history", "--config", str(demo), "--db", str(db))
    assert code == 0, err
    head = out.splitlines()[0]
    assert head.split()[:2] == ["时间", "(UTC)"] and "风险分" in head and "样本数" in head, out
    chinese(out, demo)
    code, out, err = zh("history", "changes", "--config", str(demo), "--db", str(db))
    assert code == 0, err
    assert "首次出现" in out, out
    chinese(out, demo)
    # The plot's words are written around it (plotext would count a wide character as one cell).
    code, out, err = zh("history", "--config", str(demo), "--db", str(db), "-f", "plot")
    assert code == 0 and out.startswith("riskmon 风险分\n"), out + err
    framed = [line for line in out.splitlines() if "┤" in line or "│" in line]
    assert len({cell_width(line) for line in framed}) == 1, out
    chinese(out, demo)
    # The JSON keeps its keys.
    doc = json.loads(zh("history", "--config", str(demo), "--db", str(db), "-f", "json")[1])
    assert {"at", "level", "score"} <= set(doc["snapshots"][0])


def test_history_errors(demo: Path, tmp_path: Path) -> None:
    code, _out, err = zh("history", "--config", str(demo), "--db", str(tmp_path / "none.json"))
    assert code == 3 and "还没有历史" in err, err
    chinese(err.replace(str(tmp_path), " "), demo)
    code, _out, err = zh(
        "history", "--config", str(demo), "--db", str(tmp_path / "x.json"), "--since", "下周"
    )  # what the user typed is data
    assert code == 3 and err.startswith("riskmon: 参数错误："), err
    chinese(err, demo)


def test_news_queue(demo: Path) -> None:
    code, out, err = zh("news", "list", "--config", str(demo))
    assert code == 0 and "新闻审阅队列是空的" in out, out + err
    chinese(out, demo)
    code, out, err = zh("news", "reject", "no-such-draft", "--config", str(demo))
    assert code == 1 and "队列中没有待审阅的草稿" in err, err
    chinese(err, demo)


def test_news_add_list_accept(demo: Path, tmp_path: Path) -> None:
    """A draft's summary and what add, list and reject say; the evidence names the draft's fields by
    their keys (events.toml's), which are data."""
    config = tmp_path / "cfg"
    shutil.copytree(demo, config)
    article = tmp_path / "a.txt"
    article.write_text("TikTok Shop 美国站将于 2027 年 3 月 1 日起关闭所有跨境店铺。\n", encoding="utf-8")
    code, added, err = zh("news", "add", str(article), "--config", str(config), "--now", "2026-12-01")
    assert code == 0 and "已加入队列" in added and "置信度" in added, added + err
    code, listed, err = zh("news", "list", "--config", str(config))
    assert code == 0 and "份草稿待审阅" in listed, listed + err
    draft = json.loads(run("news", "list", "--config", str(config), "-f", "json").stdout)[0]["id"]
    data = allowed_words(demo) | METAVARS | {draft, "kind", "platforms", "effective", "regions", "status"}
    assert not english_left(added + listed, data), added + listed
    code, out, err = zh("news", "reject", draft, "--config", str(config))
    assert code == 0 and out.startswith(f"已拒绝 {draft}"), out + err
    code, out, err = zh("news", "accept", draft, "--config", str(config))
    assert code == 1 and "已被拒绝" in err, out + err
    chinese(err, demo)


def test_config_path_validate_schema_edit(demo: Path, tmp_path: Path) -> None:
    code, out, err = zh("config", "validate", "--config", str(demo))
    assert code == 0 and out.startswith("有效："), out + err
    chinese(out, demo)
    code, out, err = zh("config", "path", "--config", str(demo), RISKMON_DB=str(tmp_path / "h.json"))
    assert code == 0 and "查找顺序" in out and "<- 正在使用" in out, out + err
    chinese(out, demo)
    code, out, err = zh("config", "schema", "--config", str(demo), "-o", str(tmp_path / "schemas"))
    assert code == 0, err
    chinese(out.replace(str(tmp_path), " "), demo)
    code, out, err = zh("config", "edit", "nonsense", "--config", str(demo))
    assert code == 3 and "参数错误" in err, err
    chinese(err, demo)


def test_config_path_under_lang_from_the_environment(tmp_path: Path) -> None:
    """No --lang: LANG=zh_CN.UTF-8 chooses Chinese; from an empty directory the bundled demo is used."""
    r = run("config", "path", cwd=tmp_path, LANG="zh_CN.UTF-8", XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    assert r.returncode == 0, r.stderr
    assert "内置演示配置" in r.stdout and "这是内置的演示配置" in r.stdout, r.stdout
    chinese(r.stdout, bundled_config_dir())


def test_events_and_playbook_messages(demo: Path) -> None:
    code, out, err = zh("events", "--config", str(demo), "--now", NOW)
    assert code == 0 and "个已过期事件未显示" in err, err
    chinese(out + err, demo)
    code, out, err = zh("events", "show", "us-tiktok-ban-2025x", "--config", str(demo), "--now", NOW)
    assert code == 3 and "没有事件" in err, err
    chinese(err, demo)
    code, out, err = zh("playbook", "a", "b", "--config", str(demo), "--now", NOW)
    assert code == 3 and err.startswith("riskmon: 参数错误："), err
    chinese(err, demo)


def test_bad_arguments_frame_keeps_the_nagios_status_words(demo: Path) -> None:
    code, out, _err = zh("check", "--config", "")
    assert code == 3
    assert out.startswith("RISKMON UNKNOWN - 参数错误："), out  # the status line's own words stay
    chinese(out, demo)


def test_daemon_log_lines_and_its_nagios_line(demo: Path, tmp_path: Path) -> None:
    """The daemon's own log lines are Chinese; the line it prints for a monitoring system is
    English, as `check --format nagios` is."""
    code, out, err = zh("daemon", "--once", "--offline", "--config", str(demo), "--db", str(tmp_path / "h.json"))
    assert code in (0, 1, 2), out + err
    assert re.match(r"RISKMON (OK|WARNING|CRITICAL) - score ", out) and not HAN.search(out), out
    ours = [line for line in err.splitlines() if " riskmon.daemon: " in line]
    assert ours, err
    chinese("\n".join(ours).replace(str(demo), " "), demo)
