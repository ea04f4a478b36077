"""The dashboard in Simplified Chinese: chosen by --lang/the environment before the app is built, or
by `[ui] language` once the config is read; no English left on the screen but data; the events
table's columns line up by terminal cells in a real terminal (tmux)."""

from __future__ import annotations

import re
import shutil
import string
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from riskmon import i18n
from riskmon.paths import bundled_config_dir
from riskmon.present.cells import cell_width
from riskmon.tui.app import RiskmonApp, create_app
from tests.support import screen_text, wait_for
from tests.test_i18n_catalog import allowed_words, english_left
from tests.tui_support import dashboard_ready

NOW = datetime(2025, 5, 1, tzinfo=UTC)
KEYS = set(string.ascii_letters) | {"^p", "esc"}
"""Key names in the footer (`E`, `c`, `^p`): typed as they are, never translated."""


pytestmark = pytest.mark.usefixtures("isolated_lang")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The bundled demo config (its events and playbooks are in the catalog), in a writable dir."""
    target = tmp_path / "cfg"
    shutil.copytree(bundled_config_dir(), target, ignore=shutil.ignore_patterns("*.json"))
    return target


async def ready(pilot: Pilot[Any]) -> None:
    await dashboard_ready(pilot, 30)


def footer_text(app: RiskmonApp) -> str:
    return " ".join(str(k.render()) for k in app.screen.query("FooterKey"))


def english_on_screen(app: RiskmonApp, config: Path) -> set[str]:
    text = re.sub(r"[A-Za-z]+…", " ", screen_text(app))  # data cut to fit ('Amaz…')
    return {w for w in english_left(text, allowed_words(config)) if w not in KEYS}


@pytest.mark.parametrize("size", [(160, 50), (120, 35), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_dashboard_speaks_chinese_and_nothing_else_but_data(demo: Path, size: tuple[int, int]) -> None:
    i18n.setup("zh-CN", {})  # as `riskmon --lang zh-CN` does before the app is built
    app = create_app(demo, demo / "h.json", NOW)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        if size == (160, 50):  # tall enough for the charts, which mount after the first frame
            await wait_for(pilot, lambda: "零线" in screen_text(app), 30)
        text = screen_text(app)
        assert "风险分" in text and "原因" in text  # the header
        assert "事件" in text and "下一步行动" in text
        footer = footer_text(app)
        assert "详情" in footer and "筛选" in footer
        assert not english_on_screen(app, demo), text


async def test_an_unmarked_string_on_the_dashboard_fails_the_check(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above catches English that is not in the catalog (here: a pane's title)."""
    monkeypatch.setattr("riskmon.tui.words.NEXT_ACTIONS", "Upcoming work")
    i18n.setup("zh-CN", {})
    app = create_app(demo, demo / "h.json", NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        assert {"Upcoming", "work"} <= english_on_screen(app, demo)


async def test_the_palette_help_and_detail_are_chinese(demo: Path) -> None:
    i18n.setup("zh-CN", {})
    app = create_app(demo, demo / "h.json", NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "event-detail")
        await pilot.pause()
        assert "损失构成" in screen_text(app) and "返回" in footer_text(app)
        await pilot.press("escape", "question_mark")
        await wait_for(pilot, lambda: "按键" in screen_text(app))
        assert "各数字的含义" not in footer_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id != "help" and "详情" in footer_text(app))


async def test_ui_language_in_the_config_switches_the_dashboard(demo: Path) -> None:
    """Nothing in the environment, `[ui] language = "zh-CN"` in riskmon.toml: once read, the
    dashboard, its column headers and the footer are Chinese."""
    toml = demo / "riskmon.toml"
    text = toml.read_text(encoding="utf-8")
    if "[ui]" in text:
        text = re.sub(r"(?m)^\[ui\]\s*$", '[ui]\nlanguage = "zh-CN"', text, count=1)
    else:
        text += '\n[ui]\nlanguage = "zh-CN"\n'
    toml.write_text(text, encoding="utf-8")
    i18n.setup(None, {})
    app = create_app(demo, demo / "h.json", NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        await pilot.pause()
        assert i18n.language() == "zh-CN"
        assert "详情" in footer_text(app)
        assert "状态" in screen_text(app) and "各渠道敞口" not in footer_text(app)


async def test_english_is_unchanged(demo: Path) -> None:
    i18n.setup(None, {"LANG": "C"})
    app = create_app(demo, demo / "h.json", NOW)
    async with app.run_test(size=(120, 35)) as pilot:
        await ready(pilot)
        text = screen_text(app)
        assert "Next actions" in text and "score " in text
        assert "Details" in footer_text(app)
        assert not re.search(r"[\u4e00-\u9fff]", text.replace("Harbor", ""))  # the demo's data is English


# ---------------------------------------------------------------------------------------------
# A real terminal


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_lang_zh_cn_in_tmux_reads_chinese_and_columns_line_up(tmp_path: Path, demo: Path) -> None:
    import os

    from tests.test_tui_tmux import Term

    t = Term(f"riskmon-test-{uuid.uuid4().hex[:8]}")
    argv = [sys.executable, "-m", "riskmon", "--config", str(demo), "--db", str(tmp_path / "h.json")]
    argv += ["--now", "2025-05-01"]
    command = " ".join(f"'{a}'" for a in argv) + "; echo RISKMON-EXIT=$?; sleep 30"
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "NO_COLOR", "RISKMON_DEBUG")}
    env.update(LANG="zh_CN.UTF-8", TERM="xterm-256color", RISKMON_DATA=str(tmp_path / "data"))
    root = Path(__file__).resolve().parent.parent
    start = t.tmux("new-session", "-d", "-s", t.name, "-x", "100", "-y", "30", command)
    subprocess.run(start, check=True, env=env, cwd=root)
    try:
        # The pane's title is there from the first frame; its open count only once the data is in.
        screen = t.wait_for_all("待办", "命令面板", timeout=40)  # the footer comes with the second step
        assert "风险分" in screen and "详情" in screen
        header_y, header = t.line_with("状态", "时间")
        table = []
        for line in screen.splitlines()[header_y + 1 :]:
            if line.lstrip().startswith("╰"):
                break  # the table's bottom border
            table.append(line)
        rows = [line for line in table if re.search(r"(天|月)(后|前)", line)]
        assert rows, screen
        for row in rows[:4]:
            # Each row's status and money column start/end at the header's cells, and its right
            # border is where the header's is: columns measured in cells, not characters.
            assert cell_width(row[: row.rindex("│")]) == cell_width(header[: header.rindex("│")]), (header, row)
            status = next(w for w in ("已确认", "暂缓", "传闻", "已取消", "已生效", "已宣布", "已解决") if w in row)
            assert cell_width(row[: row.index(status)]) == cell_width(header[: header.index("状态")]), (header, row)
        t.keys("q")
        assert "RISKMON-EXIT=0" in t.exited()
    finally:
        subprocess.run(t.tmux("kill-server"), capture_output=True)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_palette_key_reads_whole_at_80_columns_in_chinese(tmp_path: Path, demo: Path) -> None:
    """At 80 columns the footer's keys run past the screen; the palette's Chinese label must not
    lose a character where a hidden key's edge cuts the line (it did: "^p   令面板")."""
    import os

    from tests.test_tui_tmux import Term

    t = Term(f"riskmon-test-{uuid.uuid4().hex[:8]}")
    argv = [sys.executable, "-m", "riskmon", "--config", str(demo), "--db", str(tmp_path / "h.json")]
    command = " ".join(f"'{a}'" for a in argv) + "; echo RISKMON-EXIT=$?; sleep 30"
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "NO_COLOR", "RISKMON_DEBUG")}
    env.update(LANG="zh_CN.UTF-8", TERM="xterm-256color", RISKMON_DATA=str(tmp_path / "data"))
    start = t.tmux("new-session", "-d", "-s", t.name, "-x", "80", "-y", "24", command)
    subprocess.run(start, check=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    try:
        screen = t.wait_for_all("待办", "命令面板", timeout=40)  # the footer comes with the second step
        footer = screen.rstrip("\n").splitlines()[-1]
        assert "^p 命令面板" in footer, footer
        assert "详情" in footer, footer
        t.keys("q")
        assert "RISKMON-EXIT=0" in t.exited()
    finally:
        subprocess.run(t.tmux("kill-server"), capture_output=True)
