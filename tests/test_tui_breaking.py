"""Chinese text in the TUI wraps between characters (riskmon.tui.breaking): a step's text starts on
its date's line and every line but an item's last is full, where Textual alone, wrapping at
spaces only, left "在" alone on a line and half-empty lines down the next actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import Static

from riskmon import i18n
from riskmon.present.cells import cell_width
from riskmon.tui.app import create_app
from riskmon.tui.breaking import Breakable, BreakingStatic, breakable
from tests.support import screen_lines
from tests.test_i18n_tui import ready

TEXT = "在 2026年2月24日包裹关税变化之前，重新核算到岸成本，标出已经达不到利润要求的商品。"
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("isolated_lang")


class Two(App[None]):
    CSS = "Static { width: 30; }"

    def compose(self) -> ComposeResult:
        yield Static(Content(TEXT), id="textual")
        yield BreakingStatic(breakable(Content.assemble(("在", "bold"), TEXT[1:])), id="broken")


def rows_of(app: App[Any], selector: str) -> list[str]:
    r = app.screen.query_one(selector).region
    return [row[r.x : r.x + r.width].rstrip() for row in screen_lines(app)[r.y : r.y + r.height]]


async def test_a_chinese_paragraph_fills_its_lines_and_keeps_its_words_and_styles() -> None:
    app = Two()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        textual, broken = rows_of(app, "#textual"), rows_of(app, "#broken")
        assert textual[0] == "在"  # what Textual does alone: why riskmon breaks Chinese itself
        assert " ".join(broken[0].split()).startswith("在 2026年2月24日包裹关税变化")
        assert all(cell_width(row) >= 26 for row in broken[:-1]) and len(broken) < len(textual)
        assert "".join("".join(broken).split()) == "".join(TEXT.split())
        assert not any(row.startswith(("，", "。")) for row in broken)
        strips = app.query_one("#broken", Static).render_lines(app.query_one("#broken").region.reset_offset)
        assert any(seg.text == "在" and seg.style and seg.style.bold for seg in strips[0])


async def test_a_selection_copies_the_text_under_it_as_drawn() -> None:
    """The text has one line and is drawn in three: a selection on the third drawn line copies what
    is on it (Textual would look for a third line in the text as given, and fail)."""
    app = Two()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        box = app.query_one("#broken", BreakingStatic)
        drawn = rows_of(app, "#broken")
        app.screen.selections = {box: Selection(Offset(0, 2), Offset(6, 2))}
        await pilot.pause()
        copied = app.screen.get_selected_text()
        assert copied and copied.strip() == "".join(drawn[2].split())[:6]
        await pilot.press("ctrl+c")  # copying must not end the app
        await pilot.pause()
        assert app.is_running


async def test_breaking_is_done_once_per_width() -> None:
    content = breakable(TEXT)
    assert isinstance(content, Breakable)
    first = content.at({}, 30)  # type: ignore[arg-type]
    assert content.at({}, 30) is first and content.at({}, 20) is not first  # type: ignore[arg-type]


async def test_english_is_left_to_textual() -> None:
    plain = Content("Download your TikTok data before the ban")
    assert breakable(plain) is plain


async def test_the_next_actions_in_chinese_start_on_their_dates_line_and_fill_each_line() -> None:
    i18n.setup("zh-CN", {"LANG": "C"})
    app = create_app(None, None, NOW)  # the bundled demo
    async with app.run_test(size=(140, 45)) as pilot:
        await ready(pilot)
        lst = app.screen.query_one("#na-list")
        rows = rows_of(app, "#na-list")
        width = lst.scrollable_content_region.width - 2  # the options' padding
        starts = [i for i, row in enumerate(rows) if row.lstrip().startswith("[")]
        assert len(starts) >= 3
        for i, row in enumerate(rows[:-1]):
            continued = rows[i + 1].strip() and not rows[i + 1].lstrip().startswith("[")
            if continued and not set(rows[i + 1].strip()) <= set("─"):
                assert cell_width(row.strip()) >= width - 6, (row, rows[i + 1])
