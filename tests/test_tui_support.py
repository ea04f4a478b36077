"""The TUI test helper: a wait that times out shows what the app's workers raised."""

from __future__ import annotations

import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.support import wait_for
from tests.tui_support import running


class Failing(App[None]):
    """Starts a thread worker and an async one; both fail, as a refresh that hits a bug would."""

    def compose(self) -> ComposeResult:
        yield Static("waiting", id="status")

    def on_mount(self) -> None:
        self.refresh_data()
        self.load_more()

    @work(thread=True, exit_on_error=False, name="refresh")
    def refresh_data(self) -> None:
        raise ValueError("the feed cache is corrupt")

    @work(exit_on_error=False, name="load-more")
    async def load_more(self) -> None:
        raise KeyError("tiktok-us")


async def test_a_timed_out_wait_shows_the_workers_exceptions() -> None:
    app = Failing()
    async with running(app) as pilot:
        with pytest.raises(AssertionError) as failed:
            await wait_for(pilot, lambda: str(app.query_one("#status", Static).render()) == "ready", timeout=1)
    text = str(failed.value)
    assert "waited 1 s for: lambda: str(app.query_one" in text
    assert "worker refresh" in text and "ValueError: the feed cache is corrupt" in text
    assert "worker load-more" in text and "KeyError: 'tiktok-us'" in text
    assert "raise ValueError" in text, "with the traceback"


async def test_a_timeout_with_no_failed_worker_says_so() -> None:
    app: App[None] = App()
    async with running(app) as pilot:
        with pytest.raises(AssertionError) as failed:
            await wait_for(pilot, lambda: False, timeout=0.2)
    assert str(failed.value) == "waited 0.2 s for: lambda: False\nno worker failed"
