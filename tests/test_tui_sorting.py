"""Every table of the dashboard sorts by every column it offers, with `s` (round and round, past the
last column), `S` and clicks on the headers; a table that keeps its order ignores both. Nothing a
user presses or clicks on a table ends the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from riskmon.tui import viewdata
from riskmon.tui.app import RiskmonApp
from riskmon.tui.viewdata import Sort
from riskmon.tui.widgets.table import ListTable, SortableTable
from tests.support import row_keys, wait_for
from tests.test_tui_app import EVENTS, loaded_with_history, make, on_screen, with_news, write_config
from tests.test_tui_app import _data_dir as _data_dir  # autouse: the test's own data dir, fast reloads

try:
    from tests.servers import local_server
except ImportError:  # pragma: no cover - run from tests/
    from servers import local_server  # type: ignore[no-redef]

Check = Callable[[SortableTable], None]


# ---------------------------------------------------------------------------------------------
# What "sorted" means for each table


def events_sorted(table: SortableTable) -> None:
    """The timeline shows the events in the order viewdata sorts them (new/changed marks included)."""
    app: RiskmonApp = table.app  # type: ignore[assignment]
    assert app.loaded is not None
    events = app.loaded.evaluation.assessment.events
    expected = viewdata.sort_events(events, table.sort_state, table.changes)  # type: ignore[attr-defined]
    assert row_keys(table) == [e.id for e in expected]


def exposure_sorted(table: SortableTable) -> None:
    app: RiskmonApp = table.app  # type: ignore[assignment]
    assert app.loaded is not None
    expected = viewdata.sort_channels(app.loaded.evaluation.assessment.channels, table.sort_state)
    assert row_keys(table) == [x.channel.id for x in expected]


def list_sorted(table: SortableTable) -> None:
    """A ListTable's rows run in order of the sorted column's values (rows without one last), or
    as they were handed over before any column is chosen."""
    assert isinstance(table, ListTable)
    key = table.sort_state.key
    if key == viewdata.AS_GIVEN:
        given = [r.key for r in table.given]
        assert row_keys(table) == (given[::-1] if table.sort_state.reverse else given)
        return
    by_key = {r.key: r for r in table.given}
    values = [by_key[k].value(key) for k in row_keys(table)]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), (key, values)
    assert present == sorted(present, reverse=table.sort_state.reverse), (key, values)


# ---------------------------------------------------------------------------------------------
# Driving a table


def header(table: DataTable[Any], key: str) -> str:
    return str(table.columns[key].label.plain)  # type: ignore[index]


def assert_arrow(table: SortableTable) -> None:
    """Exactly the sorted column's header carries the arrow."""
    sort = table.sort_state
    for col in table.shown_columns:
        label = header(table, col.key)
        if col.key == sort.key:
            assert ("▼" if sort.reverse else "▲") in label, (col.key, label)
        else:
            assert "▲" not in label and "▼" not in label, (col.key, label)


async def press_s_round_and_round(pilot: Pilot[Any], table: SortableTable, check: Check) -> None:
    """`s` past the last column: each sortable column shown in turn, in its natural direction, then
    from the first again; `S` reverses whatever is sorted."""
    table.focus()
    await pilot.pause()
    keys = [c.key for c in table.shown_columns if c.sortable]
    assert keys, "a sortable table without a sortable column"
    at = keys.index(table.sort_state.key) if table.sort_state.key in keys else -1
    for _ in range(len(keys) + 2):
        await pilot.press("s")
        at = (at + 1) % len(keys)
        assert table.sort_state == Sort.default_for(keys[at])
        assert_arrow(table)
        check(table)
    before = table.sort_state
    await pilot.press("S")
    assert table.sort_state == Sort(before.key, not before.reverse)
    assert_arrow(table)
    check(table)


async def click_header(pilot: Pilot[Any], table: DataTable[Any], key: str) -> None:
    """A real mouse click on column `key`'s header (scrolled into view first)."""
    x = 0
    for col in table.ordered_columns:
        if col.key.value == key:
            break
        x += col.get_render_width(table)
    table.scroll_to(x=x, animate=False, immediate=True)
    await pilot.pause()
    left = table.content_region.x - table.region.x
    top = table.content_region.y - table.region.y
    assert await pilot.click(table, offset=(left + x - round(table.scroll_x) + 1, top))
    await pilot.pause()


async def click_every_header(pilot: Pilot[Any], table: SortableTable, check: Check) -> None:
    """A click sorts by the column, a second click reverses it; an unsortable column's header does
    nothing."""
    for col in table.shown_columns:
        before = table.sort_state
        await click_header(pilot, table, col.key)
        if not col.sortable:
            assert table.sort_state == before
            continue
        assert table.sort_state == before.toggled(col.key)
        check(table)
        await click_header(pilot, table, col.key)
        assert table.sort_state == before.toggled(col.key).toggled(col.key)
        assert_arrow(table)
        check(table)


async def every_sort(pilot: Pilot[Any], table: SortableTable, check: Check) -> None:
    await press_s_round_and_round(pilot, table, check)
    await click_every_header(pilot, table, check)
    assert pilot.app.is_running


# ---------------------------------------------------------------------------------------------
# The tables


async def test_the_dashboard_tables_sort_by_every_column(tmp_path: Path) -> None:
    """The events timeline (with its unlabeled new/changed column: the KeyError of issue 10) and
    the exposure table, wide and narrow."""
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg=cfg)
    async with app.run_test(size=(140, 45)) as pilot:
        await loaded_with_history(pilot)
        # One new and one changed event, so the first column has something to sort by.
        # (on a platform the seller sells on: one that reaches none of its channels is listed last)
        added = '[[events]]\nid = "etsy-fee"\ntitle = "Etsy fee up"\nkind = "fee_change"\nplatforms = ["shopify"]\n'
        added += 'status = "announced"\neffective = 2025-02-01\n'
        (cfg / "events.toml").write_text(EVENTS.replace('status = "announced"', 'status = "confirmed"') + added)
        events = app.screen.query_one("#events", SortableTable)
        await wait_for(pilot, lambda: "etsy-fee" in row_keys(events))
        await pilot.pause()
        await every_sort(pilot, events, events_sorted)
        events.sort_by("new")
        if events.sort_state.reverse:
            events.sort_by("new")
        await pilot.pause()
        assert row_keys(events)[:2] == ["etsy-fee", "amazon-fee"]  # ● new, then ◆ changed
        exposure = app.screen.query_one("#exposure", SortableTable)
        await every_sort(pilot, exposure, exposure_sorted)
        # A click right of the last header is on no column: nothing changes.
        before = exposure.sort_state
        right = sum(c.get_render_width(exposure) for c in exposure.ordered_columns) + 3
        assert right < exposure.content_region.width
        assert await pilot.click(exposure, offset=(right, 1))
        await pilot.pause()
        assert exposure.sort_state == before
        await pilot.resize_terminal(100, 40)  # narrow: `s` walks the columns on screen only
        await wait_for(pilot, lambda: len(exposure.shown_columns) < len(exposure.spec))
        await every_sort(pilot, exposure, exposure_sorted)
        await every_sort(pilot, events, events_sorted)


async def test_history_tables_sort_by_every_column(tmp_path: Path) -> None:
    with local_server() as server:
        cfg = with_news(tmp_path, server)
        app = make(tmp_path, cfg=cfg, now=None)  # the wall clock: history (and its change log) is recorded
        async with app.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: app.loaded is not None and len(app.loaded.evaluation.headlines) == 2)
            await loaded_with_history(pilot)
            (cfg / "events.toml").write_text(EVENTS.replace('status = "rumored"', 'status = "announced"'))
            await wait_for(pilot, lambda: app.loaded is not None and len(app.loaded.event_log) >= 4)
            await pilot.press("h")
            await on_screen(pilot, "history")
            log = app.screen.query_one("#log", ListTable)
            assert len(log.given) >= 4 and {r.value("change") for r in log.given} >= {"first_seen", "status"}
            list_sorted(log)  # newest first, as recorded
            await every_sort(pilot, log, list_sorted)
            news = app.screen.query_one("#news", ListTable)
            assert news.row_count == 2
            await every_sort(pilot, news, list_sorted)


async def test_event_detail_channels_sort_and_the_breakdown_keeps_its_order(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        app.open_event("us-tiktok-ban")  # hits tiktok-us directly and the shop through links
        await on_screen(pilot, "event-detail")
        channels = app.screen.query_one("#channels", ListTable)
        assert channels.row_count == 2
        await every_sort(pilot, channels, list_sorted)
        # The breakdown is a derivation, term by term: `s`, `S` and header clicks leave it as it is.
        breakdown = app.screen.query_one("#breakdown", DataTable)
        terms = row_keys(breakdown)
        breakdown.focus()
        await pilot.press("s", "S", "s")
        for key in ("term", "value", "inputs"):
            await click_header(pilot, breakdown, key)
        assert row_keys(breakdown) == terms and terms[0] == "revenue lost / month"
        assert app.is_running


async def test_what_if_events_sort_and_the_summary_keeps_its_order(tmp_path: Path) -> None:
    from tests.test_tui_whatif import open_whatif, put, settled

    app = make(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_whatif(pilot)
        await put(pilot, screen, "tiktok-us.order_share", "0.2")  # a scenario: the columns differ
        await settled(pilot, screen)
        table = screen.query_one("#wi-events", ListTable)
        list_sorted(table)  # largest change first, as `riskmon what-if` lists them
        await every_sort(pilot, table, list_sorted)
        summary = screen.query_one("#wi-summary", DataTable)
        for key in ("what", "baseline", "scenario", "change"):
            await click_header(pilot, summary, key)
        assert row_keys(summary) == ["level", "score", "runway", "expected loss"]
        assert app.is_running
