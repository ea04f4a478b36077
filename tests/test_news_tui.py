"""The dashboard's News review screen (`N`), through App.run_test(): the queue as a table, the
article with its evidence highlighted (inert text, never markup), accept / reject / edit keys that
say what they did or why not, and a queue file changed by another process under it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TextArea

from riskmon.paths import resolve_config_dir
from riskmon.sources.config import schema
from riskmon.store.news_queue import NewsQueue
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.screens.news import HIGHLIGHT
from riskmon.usecases import news
from tests import support
from tests.support import cell, row_keys, wait_for
from tests.test_news_cli import (
    EN_BAN_DATE,
    EN_PAYOUTS,
    EVENTS,
    EXPOSURE,
    ZH_DUTY,
    ZH_FEES,
    ZH_LINKS,
)

NOW = datetime(2025, 2, 1, tzinfo=UTC)
HOSTILE = (
    "TikTok据传月底关闭电商外链\n"
    "[@click=app.quit]点我[/] \x1b[31m据多位卖家透露，TikTok或将于8月底关闭美区电商外链。\x1b[0m\n"
)


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.setattr("riskmon.tui.screens.news.WATCH_EVERY", 0.2)


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return support.write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


def queue(cfg: Path, *articles: tuple[str, datetime]) -> list[str]:
    """Queue the articles (as `riskmon news add` would); the ids of their drafts."""
    loc = resolve_config_dir(cfg)
    made = news.take_in(
        loc, [news.ArticleIn(t, p, None) for t, p in articles], events=news.catalog(loc), now=datetime.now(UTC)
    )
    return [m.draft.id for m in made]


def app_for(tmp_path: Path, cfg: Path) -> RiskmonApp:
    return create_app(cfg, tmp_path / "history.json", NOW)


async def open_news(pilot: Pilot[Any], chosen: str | None = None) -> DataTable[Any]:
    """Open the screen with `N`, wait for the queue, select the draft `chosen`."""
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app, "loaded", None) is not None)
    await pilot.press("N")
    await wait_for(pilot, lambda: app.screen.id == "news" and app.screen.is_mounted)
    table = app.screen.query_one("#news-queue", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    await pilot.pause()
    if chosen is not None:
        await select(pilot, table, chosen)
    return table


def article_text(app: RiskmonApp) -> Text:
    content = app.screen.query_one("#news-article", Static).content
    assert isinstance(content, Text)
    return content


async def select(pilot: Pilot[Any], table: DataTable[Any], key: str) -> None:
    table.move_cursor(row=row_keys(table).index(key))
    await pilot.pause()


def events_in(cfg: Path) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in tomllib.loads((cfg / "events.toml").read_text())["events"]}


async def test_the_queue_and_the_evidence_in_the_article(tmp_path: Path, cfg: Path) -> None:
    links, ban = queue(
        cfg, (ZH_LINKS, datetime(2024, 8, 10, tzinfo=UTC)), (EN_BAN_DATE, datetime(2025, 1, 10, tzinfo=UTC))
    )
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_news(pilot)
        assert sorted(row_keys(table)) == sorted([links, ban])
        assert cell(table, ban, "matches") == "us-ban" and cell(table, links, "matches") == "new event"
        assert cell(table, links, "kind") == "link_cutoff" and cell(table, links, "date") == "2024-08-31"
        assert cell(table, links, "status") == "rumored" and cell(table, links, "review") == "pending"
        assert cell(table, links, "title") == "TikTok据传月底关闭电商外链"
        await select(pilot, table, links)
        text = article_text(app)
        marked = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == HIGHLIGHT]
        assert marked == ["据多位卖家透露，TikTok或将于8月底关闭美区电商外链，独立站卖家需提前准备。"]
        note = str(app.screen.query_one("#news-note", Static).content)
        assert "a new event" in note


async def test_hostile_article_text_stays_inert(tmp_path: Path, cfg: Path) -> None:
    (draft,) = queue(cfg, (HOSTILE, datetime(2024, 8, 10, tzinfo=UTC)))
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        await open_news(pilot, draft)
        text = article_text(app)
        assert "[@click=app.quit]点我[/]" in text.plain and "\x1b" not in text.plain
        assert app.is_running and app.screen.id == "news"


async def test_accept_and_reject_keys(tmp_path: Path, cfg: Path) -> None:
    links, payouts = queue(
        cfg, (ZH_LINKS, datetime(2024, 8, 10, tzinfo=UTC)), (EN_PAYOUTS, datetime(2025, 2, 1, tzinfo=UTC))
    )
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        seen = support.spy_notify(app, lambda title, message: (title, message))
        table = await open_news(pilot, links)
        await pilot.press("a")
        await wait_for(pilot, lambda: cell(table, links, "review") == "accepted")
        assert links in events_in(cfg) and (cfg / "events.toml").read_text().startswith(EVENTS)
        assert any(t == "News" and f"Accepted {links}" in m for t, m in seen)
        # Again: it says why not.
        await select(pilot, table, links)
        await pilot.press("a")
        await wait_for(pilot, lambda: any(t == "Not accepted" and "already accepted" in m for t, m in seen))
        await select(pilot, table, payouts)
        await pilot.press("x")
        await wait_for(pilot, lambda: cell(table, payouts, "review") == "rejected")
        assert any(f"Rejected {payouts}" in m for _t, m in seen)
    entries = {e.id: e.state for e in NewsQueue(cfg, tmp_path / "data").entries()}
    assert entries == {links: "accepted", payouts: "rejected"}


async def test_an_accept_the_config_would_reject_lists_the_problems(tmp_path: Path, cfg: Path) -> None:
    (duty,) = queue(cfg, (ZH_DUTY, datetime(2025, 4, 10, tzinfo=UTC)))
    before = (cfg / "events.toml").read_text()
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        seen = support.spy_notify(app, lambda title, message: (title, message))
        table = await open_news(pilot, duty)
        await pilot.press("a")
        if "duty_change" in schema.EVENT_KINDS:
            await wait_for(pilot, lambda: cell(table, duty, "review") == "accepted")
            return
        await wait_for(pilot, lambda: any(t == "Not accepted" for t, _m in seen))
        note = app.screen.query_one("#news-note", Static)
        assert note.has_class("-error") and "duty_change" in str(note.content)
        assert "nothing was written" in str(note.content)
        assert cell(table, duty, "review") == "pending"
    assert (cfg / "events.toml").read_text() == before


async def test_edit_then_accept(tmp_path: Path, cfg: Path) -> None:
    (fees,) = queue(cfg, (ZH_FEES, datetime(2025, 2, 1, tzinfo=UTC)))
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_news(pilot, fees)
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen.id == "news-edit" and app.screen.is_mounted)
        area = app.screen.query_one("#draft-text", TextArea)
        assert area.text.startswith(f"# riskmon news: draft {fees}") and "[[events]]" in area.text
        area.text = area.text.replace('status = "announced"', 'status = "soon"')
        await pilot.press("ctrl+s")
        problems = app.screen.query_one("#draft-problems", Static)
        await wait_for(pilot, lambda: "Not accepted" in str(problems.content))
        assert "status" in str(problems.content) and app.screen.id == "news-edit"
        area.text = area.text.replace('status = "soon"', 'status = "confirmed"')
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "news" and cell(table, fees, "review") == "accepted")
    assert events_in(cfg)[fees]["status"] == "confirmed"


async def test_the_screen_follows_the_queue_file(tmp_path: Path, cfg: Path) -> None:
    (links,) = queue(cfg, (ZH_LINKS, datetime(2024, 8, 10, tzinfo=UTC)))
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        table = await open_news(pilot)
        env = {**os.environ, "RISKMON_DATA": str(tmp_path / "data")}
        added = subprocess.run(
            [sys.executable, "-m", "riskmon", "news", "add", "-", "--config", str(cfg), "--published", "2025-02-01"],
            input=EN_PAYOUTS,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert added.returncode == 0, added.stderr
        await wait_for(pilot, lambda: table.row_count == 2)
        # Someone breaks the file: the rows stay, the note says why.
        path = NewsQueue(cfg, tmp_path / "data").path
        path.write_text("not a queue")
        note = app.screen.query_one("#news-note", Static)
        await wait_for(pilot, lambda: "Cannot read the news queue" in str(note.content))
        assert table.row_count == 2 and links in row_keys(table)


async def test_the_palette_opens_the_news_screen(tmp_path: Path, cfg: Path) -> None:
    queue(cfg, (ZH_LINKS, datetime(2024, 8, 10, tzinfo=UTC)))
    app = app_for(tmp_path, cfg)
    async with app.run_test(size=(150, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"News review")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.id == "news")
