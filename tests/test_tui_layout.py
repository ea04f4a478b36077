"""What a seller sees at a glance, read off the screen at 80x24, 120x35, 160x50 and 200x60: the
header's figures, the events by title, the next actions in full, the footer's keys.

Each test reads the rendered screen (Textual's screenshot, as text: `support.screen_lines`), not
widget state: a figure that is scrolled away or cut off fails."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from riskmon.core.engine import assess
from riskmon.present.text import money
from riskmon.sources.config.load import load_config
from riskmon.tui.app import RiskmonApp, create_app
from tests.support import screen_lines, screen_text, wait_for
from tests.test_tui_app import write_config

NOW = datetime(2025, 1, 10, tzinfo=UTC)
SIZES = [(80, 24), (120, 35), (160, 50), (200, 60)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("RISKMON_CONFIG", raising=False)
    monkeypatch.delenv("RISKMON_DB", raising=False)


def make(tmp_path: Path) -> tuple[RiskmonApp, Any]:
    cfg = write_config(tmp_path)
    config = load_config(cfg)
    return create_app(cfg, tmp_path / "history.json", NOW), assess(
        config.profile, list(config.events), NOW, config.settings
    )


async def ready(pilot: Pilot[Any]) -> None:
    app: RiskmonApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.loaded is not None and app.loaded.with_history, 20)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_header_says_level_score_and_money_at_every_size(tmp_path: Path, size: tuple[int, int]) -> None:
    app, a = make(tmp_path)
    cur = a.profile.business.currency
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        text = screen_text(app)
        head = " ".join(" ".join(screen_lines(app)[:6]).split())  # figures may wrap
    week = a.forecast.week_starts[a.cash_low_week]
    for figure in (
        a.level.name,
        f"score {a.score:.0f}/100",
        f"expected loss {money(a.expected_loss, cur)} lost",
        f"P50 {money(a.loss_p50, cur)}",
        f"P95 {money(a.loss_p95, cur)}",
        f"{money(a.cash_low, cur)} in the week of {week:%Y-%m-%d}",
        f"shortfall chance {a.cash_shortfall_probability:.0%}",
        f"Why: {a.reasons[0]}",
    ):
        assert figure in head, f"{figure!r} not in the header at {size}:\n{text}"
