"""Shared test helpers: sample config texts, writing a config directory, Textual pilot waits.

Only what several test files used word for word lives here; a file whose sample config differs on
purpose (comments, ids, shares its assertions depend on) keeps its own text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.widgets import DataTable

    from riskmon.tui.widgets.choice import ChoiceScreen

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# Sample configs

# The what-if seller (test_scenario, test_whatif_cli, test_tui_whatif): three channels, one of them
# reached through TikTok links, with comments the edits must keep.
WHATIF_EXPOSURE = """\
# the business
[business]
name = "Test Seller"
monthly_revenue = 100000     # per month
gross_margin = 0.4
monthly_fixed_costs = 30000
cash_on_hand = 60000

# TikTok, the risky one
[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.5            # half of all orders
inventory_value = 50000
pending_payouts = 10000

[[channels]]
id = "amazon-us"
platform = "amazon"
regions = ["US"]
order_share = 0.3
inventory_value = 20000

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = 0.2
traffic = [{ via = "tiktok", feature = "external_link", share = 0.3 }]
"""

# Its events: a paused TikTok ban and a rumoured Amazon fee rise.
WHATIF_EVENTS = """\
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "paused"            # EO 14166
effective = 2025-01-19
ends = 2025-04-05

[[events]]
id = "amazon-fees"
title = "Amazon fee rise"
kind = "fee_change"
platforms = ["amazon"]
regions = ["US"]
status = "rumored"
effective = 2025-03-01
impact = { fee_delta = 0.02 }
"""

# A third event, appended to WHATIF_EVENTS (after a blank line) where a link cut-off is wanted.
LINK_CUTOFF_EVENT = """\
[[events]]
id = "link-cutoff"
title = "Outbound links end"
kind = "link_cutoff"
platforms = ["tiktok"]
status = "rumored"
effective = 2025-06-01
"""

# The `check` seller (test_cli, test_playbooks): a str.format template, {cash} and {share} (TikTok's
# order share) to fill in; literal braces are doubled.
SELLER_EXPOSURE = """
[business]
name = "Test Seller"
monthly_revenue = 100000
gross_margin = 0.4
monthly_fixed_costs = 30000
cash_on_hand = {cash}

[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = {share}
inventory_value = 50000
pending_payouts = 10000

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = 0.2
traffic = [{{ via = "tiktok", feature = "external_link", share = 0.3 }}]
"""

# The feed-polling seller (test_check_feeds, test_daemon, test_monitor): 30% of orders on TikTok US,
# so a confirmed ban there is a WARNING; events come from a local feed server.
SHOP_EXPOSURE = """
[business]
name = "Test Shop"
currency = "USD"
monthly_revenue = 100000
gross_margin = 0.4
monthly_fixed_costs = 20000
cash_on_hand = 200000

[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.3
inventory_value = 10000

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = 0.7
"""


def ban(effective: str = "2025-01-15", **kw: Any) -> dict[str, Any]:
    """A confirmed ban on TikTok US, as a feed serves it: removes 30% of SHOP_EXPOSURE's orders."""
    return {
        "id": "us-ban",
        "title": "US ban",
        "kind": "ban",
        "platforms": ["tiktok"],
        "regions": ["US"],
        "status": "confirmed",
        "effective": effective,
    } | kw


def events_toml(*events: dict[str, Any]) -> str:
    """Events (as `ban` gives them) as events.toml text: JSON strings and lists are TOML too."""
    return "".join(
        "[[events]]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in e.items()) for e in events
    )


def write_config(root: Path, *, name: str = "cfg", **files: str | None) -> Path:
    """Write `root/name/<key>.toml` for each keyword (exposure=..., events=..., riskmon=...) that
    is not None, creating the directory if need be; returns the directory."""
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    for key, text in files.items():
        if text is not None:
            (d / f"{key}.toml").write_text(text)
    return d


def hook_posts(server: Any) -> list[dict[str, Any]]:
    """The JSON bodies POSTed to a LocalServer's /hook route, in order."""
    return [json.loads(r.body) for r in server.hits("/hook") if r.method == "POST"]


# ---------------------------------------------------------------------------------------------
# Textual pilot helpers


async def wait_for(pilot: Pilot[Any], cond: Callable[[], object], timeout: float = 10.0) -> None:
    """Let the app run until `cond()` is true; fail the test after `timeout` seconds, saying what
    was awaited and what the app's workers raised (when run with tests.tui_support.running)."""
    from tests.tui_support import worker_failures
    from tests.waiting import describe

    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"waited {timeout:g} s for: {describe(cond)}\n{worker_failures(pilot.app)}")
        await pilot.pause(0.05)


async def asked(pilot: Pilot[Any]) -> ChoiceScreen:
    """Wait for a question (a ChoiceScreen) to be on screen with its buttons."""
    from riskmon.tui.widgets.choice import ChoiceScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.query("#choice-buttons Button"))
    await pilot.pause()
    assert isinstance(app.screen, ChoiceScreen)
    return app.screen


def cell(table: DataTable[Any], row: str, col: str) -> str:
    return str(table.get_cell(row, col).plain)


def row_keys(table: DataTable[Any]) -> list[str]:
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


def spy_notify(app: App[Any], record: Callable[[str, str], T]) -> list[T]:
    """Every notification the app raises from now on, as `record(title, message)`; each is still
    shown."""
    seen: list[T] = []
    notify = app.notify

    def spy(message: str, **kw: Any) -> None:
        seen.append(record(str(kw.get("title", "")), message))
        notify(message, **kw)

    app.notify = spy  # type: ignore[method-assign]
    return seen


def validated(model: str, data: Any) -> Any:
    """`data` read the way a config file is (validated by the model named `model`, e.g.
    "Channel"), as the core's plain dataclass that riskmon computes with."""
    from riskmon.sources.config import schema

    return schema.to_core(getattr(schema, model).model_validate(data))


def screen_lines(app: App[Any]) -> list[str]:
    """The text on the app's screen right now, one string per terminal row, as a person reads it:
    from Textual's public screenshot (SVG), each run of text put at its column."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[int, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text [^>]*?x="([\d.]+)"[^>]*?clip-path="url\(#[\w-]*?line-(\d+)\)">(.*?)</text>', svg):
        rows.setdefault(int(m.group(2)), []).append((float(m.group(1)), html.unescape(m.group(3))))
    width = app.size.width
    out = [""] * app.size.height
    for row, runs in rows.items():
        line = ""
        for x, text in sorted(runs):
            line = line.ljust(round(x / 12.2)) + text
        if 0 <= row < len(out):
            out[row] = line.replace("\xa0", " ")[:width]
    return out


def screen_text(app: App[Any]) -> str:
    return "\n".join(screen_lines(app))


def widget_text(app: App[Any], selector: str) -> str:
    """The text on screen inside one widget's region (its border and padding stripped), its lines
    joined with single spaces: wrapped text reads as one."""
    r = app.screen.query_one(selector).region
    rows = screen_lines(app)[r.y : r.y + r.height]
    return " ".join(" ".join(row[r.x : r.x + r.width].strip(" │╭╮╰╯─") for row in rows).split())


# A small valid exposure.toml that config tests edit one line at a time (`edit`) to break it.
EXPOSURE = """\
[business]
name = "Test Shop"
monthly_revenue = 100000
gross_margin = 0.4

[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.5

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
order_share = 0.3
traffic = [{ via = "tiktok", share = 0.3 }]
"""


def edit(text: str, old: str, new: str) -> str:
    """`text` with the first `old` replaced by `new`; `old` must be there (a test that edits
    nothing would pass for the wrong reason)."""
    assert old in text, old
    return text.replace(old, new, 1)
