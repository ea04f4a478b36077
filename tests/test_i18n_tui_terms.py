"""zh-CN terms a seller reads right (issue 17): the demo badge, the event detail's source and
platforms, the help screen's key column, and the CLI's "when" word and payout-hold kind."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon import i18n
from riskmon.i18n import _
from riskmon.paths import bundled_config_dir
from riskmon.tui.app import create_app
from riskmon.tui.screens.help import HELP, HelpScreen
from tests.support import SELLER_EXPOSURE, screen_lines, screen_text, wait_for, widget_text, write_config
from tests.test_i18n import run
from tests.test_i18n_tui import ready

NOW = datetime(2025, 5, 1, tzinfo=UTC)
ALL_PLATFORMS_EVENT = """\
[[events]]
id = "everywhere-fee"
title = "Every platform raises fees"
kind = "fee_change"
status = "rumored"
probability = 0.3
effective = "2025-06-01"
platforms = ["*"]
regions = ["*"]
[events.impact]
fee_delta = 0.01
"""


pytestmark = pytest.mark.usefixtures("isolated_lang")


@pytest.mark.parametrize(("lang", "badge"), [("zh-CN", "演示"), (None, "DEMO")])
async def test_the_demo_badge_is_in_the_readers_language_and_the_header_fits(lang: str | None, badge: str) -> None:
    i18n.setup(lang, {"LANG": "C"})
    app = create_app(None, None, NOW)  # no config anywhere: the bundled demo
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: badge in widget_text(app, "#demo"))
        top = app.screen.query_one("#top")
        assert top.region.right <= 80
        row = screen_lines(app)[top.region.y]
        assert badge in row and "DEMO" not in row.replace(badge, "") if lang else badge in row
        # Nothing of the row is cut off at the right: the badge is the row's last text.
        assert row.rstrip().endswith(badge), row


async def test_the_event_detail_names_the_catalog_and_every_platform_in_words(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, exposure=SELLER_EXPOSURE.format(cash=200_000, share=0.5), events=ALL_PLATFORMS_EVENT
    )
    i18n.setup("zh-CN", {})
    app = create_app(config, tmp_path / "h.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "event-detail")
        await wait_for(pilot, lambda: "内置事件目录" in screen_text(app))
        text = screen_text(app)
        assert "所有平台" in text and "catalog" not in text
        assert not re.search(r"平台 \*", text), text


async def test_the_event_detail_in_english_keeps_the_ids(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, exposure=SELLER_EXPOSURE.format(cash=200_000, share=0.5), events=ALL_PLATFORMS_EVENT
    )
    i18n.setup(None, {"LANG": "C"})
    app = create_app(config, tmp_path / "h.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "from catalog" in screen_text(app))
        assert "platforms *" in screen_text(app)


@pytest.mark.parametrize("lang", ["zh-CN", None])
async def test_the_help_screens_keys_are_whole(tmp_path: Path, lang: str | None) -> None:
    shutil.copytree(bundled_config_dir(), tmp_path / "cfg", ignore=shutil.ignore_patterns("*.json"))
    i18n.setup(lang, {"LANG": "C"})
    app = create_app(tmp_path / "cfg", tmp_path / "h.json", NOW)
    async with app.run_test(size=(100, 60)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and "shift+tab" in screen_text(app))
        await pilot.pause()
        # The screenshot puts wide characters' runs a cell apart: compare without spaces.
        text = screen_text(app).replace(" ", "")
        keys = [line.split("|")[1].replace("`", "").replace(" ", "") for line in _(HELP).splitlines()[4:9]]
        assert "tab/shift+tab" in keys
        for key in keys:
            assert f"│{key}│" in text, (key, text)
        assert "…" not in widget_text(app, "MarkdownTableContent"), text  # no description cut short


def test_events_says_a_passed_date_apart_from_the_status_and_names_the_payout_hold() -> None:
    r = run("--lang", "zh-CN", "events", "--offline")
    assert r.returncode == 0, r.stderr
    rumour = next(line for line in r.stdout.splitlines() if line.startswith("tiktok-outbound-link-ban-rumor-2023"))
    assert rumour.split()[1:3] == ["已过生效日", "已取消"], rumour
    in_force = next(line for line in r.stdout.splitlines() if line.startswith("in-tiktok-ban-2020"))
    assert in_force.split()[1:3] == ["已过生效日", "已生效"], in_force
    shown = run("--lang", "zh-CN", "events", "show", "us-tiktok-shop-payout-hold", "--offline")
    assert shown.returncode == 0, shown.stderr
    assert "，压款，" in shown.stdout and "冻结" not in shown.stdout.splitlines()[2], shown.stdout
