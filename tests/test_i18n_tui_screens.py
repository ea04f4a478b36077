"""The dashboard's other screens in Simplified Chinese (what-if, history, the edit forms, the config
editor, news review): opened under zh-CN,
no English left on them but data (the same check as the dashboard's, tests/test_i18n_tui.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from riskmon import i18n
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.screens.config_editor import ConfigEditorScreen
from riskmon.tui.screens.forms import ChannelForm, EventForm, NewEventForm
from riskmon.tui.screens.history import HistoryScreen
from riskmon.tui.screens.news import NewsScreen
from riskmon.tui.screens.whatif import WhatIfScreen
from tests.support import screen_text, wait_for, widget_text
from tests.test_i18n_catalog import allowed_words, english_left
from tests.test_i18n_tui import KEYS, NOW, demo, footer_text, ready

__all__ = ["demo"]  # the fixture, shared with the dashboard's tests
pytestmark = pytest.mark.usefixtures("isolated_lang")


def english_on_screen(app: RiskmonApp, config: Path) -> set[str]:
    """The dashboard's check, with ids cut to fit their column ('cn-douyin-link-cutoff-…') taken
    as the data they are."""
    text = re.sub(r"[\w.-]+…", " ", screen_text(app))
    return {w for w in english_left(text, allowed_words(config)) if w not in KEYS}


def english_in_form(app: RiskmonApp, config: Path) -> set[str]:
    """The check, on the form alone (the dashboard behind it is covered, its words cut) and with
    the values in the inputs (ISO times like 2025-08-29T04:01:00+00:00, typed text) as data."""
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:+.-]+|x0\.\d+", " ", widget_text(app, "#form-box"))
    return {w for w in english_left(text, allowed_words(config)) if w not in KEYS}


def chinese_app(config: Path) -> RiskmonApp:
    i18n.setup("zh-CN", {})  # as `riskmon --lang zh-CN` does before the app is built
    return create_app(config, config / "h.json", NOW)


async def open_screen(pilot: Pilot[Any], key: str, kind: type[Any]) -> None:
    app: RiskmonApp = pilot.app  # type: ignore[assignment]
    await ready(pilot)
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, kind), 30)
    await pilot.pause()


async def open_whatif(pilot: Pilot[Any]) -> WhatIfScreen:
    """The what-if screen, open with its first outcome computed."""
    await open_screen(pilot, "w", WhatIfScreen)
    screen: WhatIfScreen = pilot.app.screen  # type: ignore[assignment]
    await wait_for(pilot, lambda: screen.outcome is not None and not screen.pending, 30)
    await pilot.pause()
    return screen


async def test_the_what_if_screen_is_chinese(demo: Path) -> None:
    app = chinese_app(demo)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_whatif(pilot)
        text = screen_text(app)
        assert "基准" in text and "情景" in text, text
        assert "保存情景" in footer_text(app)
        assert not english_on_screen(app, demo), text


async def test_the_what_if_per_event_table_fits_its_pane_with_the_change_column_whole(demo: Path) -> None:
    """The catalog's 43-character ids made the table wider than its pane at 140 columns: the change
    column (变化) was cut. Ids are cut to EVENT_ID_CELLS instead."""
    app = chinese_app(demo)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_whatif(pilot)
        table = screen.query_one("#wi-events")
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert "变化" in widget_text(app, "#wi-events")
        assert "ware… " in widget_text(app, "#wi-events")  # us-tiktok-shop-virtual-warehouse, cut


async def test_the_what_if_screen_under_stress_is_chinese(demo: Path) -> None:
    """The switched-on stress label and the stress note are words the first view does not show."""
    app = chinese_app(demo)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_screen(pilot, "w", WhatIfScreen)
        screen: WhatIfScreen = app.screen  # type: ignore[assignment]
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: screen.outcome is not None and screen.outcome.stress and not screen.pending, 30)
        await pilot.pause()
        assert not english_on_screen(app, demo), screen_text(app)


async def test_the_history_screen_is_chinese(demo: Path) -> None:
    app = chinese_app(demo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_screen(pilot, "h", HistoryScreen)
        text = screen_text(app)
        assert "事件变更记录" in text, text
        assert not english_on_screen(app, demo), text


@pytest.mark.parametrize(
    ("key", "form"), [("E", EventForm), ("c", ChannelForm), ("n", NewEventForm)], ids=["E", "c", "n"]
)
async def test_the_edit_forms_are_chinese(demo: Path, key: str, form: type[Any]) -> None:
    app = chinese_app(demo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_screen(pilot, key, form)
        text = screen_text(app)
        assert "保存" in text and "取消" in text, text
        assert not english_in_form(app, demo), widget_text(app, "#form-box")


async def test_a_field_error_in_a_form_is_chinese(demo: Path) -> None:
    app = chinese_app(demo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_screen(pilot, "c", ChannelForm)
        await pilot.press("x")  # into the order share, focused first: "x0.08" is not a number
        await wait_for(pilot, lambda: "不是数字" in screen_text(app))
        assert not english_in_form(app, demo), widget_text(app, "#form-box")


async def test_the_config_editor_is_chinese_around_the_file(demo: Path) -> None:
    """The status line, the problem list and the keys (the file's own text is the user's)."""
    app = chinese_app(demo)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_screen(pilot, "e", ConfigEditorScreen)
        editor: ConfigEditorScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: editor.is_open and editor.checked, 30)
        editor.editor.insert("bogus = 1\n", (0, 0))  # a key the file does not have: a problem, and modified
        await wait_for(pilot, lambda: editor.checked and bool(editor.problems), 30)
        await pilot.pause()
        around = " ".join([widget_text(app, "#ed-status"), widget_text(app, "#ed-problems"), footer_text(app)])
        around = around.replace(str(demo), " ").replace("bogus", " ")  # the path and the key typed: data
        assert "已修改" in around and "保存" in around, around
        assert not {w for w in english_left(around, allowed_words(demo)) if w not in KEYS}, around


async def test_the_news_review_is_chinese(demo: Path) -> None:
    """A Chinese article queued as a draft: the queue's columns, states, the evidence heading and
    the note under it are Chinese; the article and what was read from it are data."""
    from datetime import UTC, datetime

    from riskmon.paths import resolve_config_dir
    from riskmon.usecases import news
    from tests.test_news_cli import ZH_DUTY

    loc = resolve_config_dir(demo)
    made = news.take_in(loc, [news.ArticleIn(ZH_DUTY, None, None)], events=news.catalog(loc), now=datetime.now(UTC))
    app = chinese_app(demo)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_screen(pilot, "N", NewsScreen)
        await wait_for(pilot, lambda: "待审核" in screen_text(app), 30)
        text = screen_text(app)
        assert "依据" in text and "接受" in footer_text(app), text
        for m in made:  # the draft's id, made from what it read: data
            text = text.replace(m.draft.id, " ")
        # The matched event's id is data too, also while its column is still narrower than the id
        # (a first layout can cut it to 'us-d'): a word that starts an event id is data.
        ids = [e.id for e in news.catalog(loc)]
        left = {w for w in english_left(text, allowed_words(demo)) if w not in KEYS}
        assert not {w for w in left if not any(i.startswith(w) for i in ids)}, text


def test_the_monitors_change_lines_and_the_change_log_are_chinese() -> None:
    """The lines the Monitor writes (riskmon.store.snapshots) and the history screen's change log
    rows, translated where shown; English exactly as the store wrote them."""
    from datetime import UTC, datetime

    from riskmon.present.changes import change_line
    from riskmon.tui.screens.history import log_row
    from riskmon.tui.viewdata import Changes

    at = datetime(2025, 5, 1, tzinfo=UTC)
    entries = [
        {"at": at, "event_id": "x-ban", "change": "status", "old": "announced", "new": "confirmed"},
        {"at": at, "event_id": "x-ban", "change": "ends", "old": None, "new": "2025-09-01"},
        {"at": at, "event_id": "y-fee", "change": "first_seen", "new": {"status": "rumored", "probability": 0.25}},
    ]
    changes = Changes(frozenset(), {"x-ban": ("status announced → confirmed", "probability 60% → 90%")}, {})

    def cells() -> list[str]:
        return [" | ".join(str(c) for c in log_row(str(i), e).cells.values()) for i, e in enumerate(entries)]

    english = cells()
    assert english[0].endswith("status | announced → confirmed") and "first_seen" in english[2]
    assert change_line("status announced → confirmed") == "status announced → confirmed"
    i18n.setup("zh-CN", {})
    assert change_line("status announced → confirmed") == "状态 已宣布 → 已确认"
    assert change_line("something else") == "something else"
    zh = cells()
    assert zh[0].endswith("状态 | 已宣布 → 已确认") and "结束日期 | 无 → 2025-09-01" in zh[1], zh
    assert "首次出现" in zh[2] and "传闻" in zh[2], zh
    assert changes.lines() == ["x-ban：状态 已宣布 → 已确认；概率 60% → 90%"], changes.lines()
