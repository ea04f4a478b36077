"""The dashboard's pure helpers: sorting, filtering, change detection, the breakdown rows, the
status line's next poll and the news list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from riskmon.core.engine import assess
from riskmon.core.model import Business, Channel, Event, Profile, TrafficLink
from riskmon.core.record import replace
from riskmon.present.text import money
from riskmon.store.snapshots import diff_events, event_records, snapshot_of
from riskmon.tui import viewdata
from riskmon.tui.viewdata import Sort
from tests.support import validated

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def profile() -> Profile:
    return Profile(
        business=Business(
            name="Harbor", monthly_revenue=400_000, gross_margin=0.35, monthly_fixed_costs=90_000, cash_on_hand=150_000
        ),
        channels=[
            Channel(
                id="tiktok-us",
                platform="tiktok",
                kind="social_shop",
                regions=["US"],
                order_share=0.55,
                inventory_value=420_000,
                pending_payouts=65_000,
                deposit=5_000,
            ),
            Channel(id="amazon-us", platform="amazon", regions=["US"], order_share=0.2, inventory_value=90_000),
            Channel(
                id="shop",
                platform="shopify",
                kind="own_store",
                regions=["US"],
                order_share=0.25,
                traffic=[TrafficLink(via="tiktok", share=0.3)],
            ),
        ],
    )


def event(id: str, **kw: object) -> Event:
    data: dict[str, object] = dict(
        id=id, title=id, kind="ban", platforms=["tiktok"], regions=["US"], status="confirmed", effective="2025-01-19"
    )
    data.update(kw)
    return validated("Event", data)


EVENTS = [
    event("us-ban", title="US ban"),
    event(
        "fee",
        title="Amazon fee",
        kind="fee_change",
        platforms=["amazon"],
        status="announced",
        effective="2025-02-15",
        impact={"fee_delta": 0.02},
    ),
    event("links", title="Links end", kind="link_cutoff", status="rumored", effective="2025-03-01"),
]


def test_sort_events_by_each_column_and_direction() -> None:
    a = assess(profile(), EVENTS, NOW)
    by_when = viewdata.sort_events(a.events, Sort("when", False))
    assert [e.id for e in by_when] == ["us-ban", "fee", "links"]
    assert [e.id for e in viewdata.sort_events(a.events, Sort("when", True))] == ["links", "fee", "us-ban"]
    by_loss = viewdata.sort_events(a.events, Sort.default_for("loss"))
    assert [e.expected_loss for e in by_loss] == sorted((e.expected_loss for e in a.events), reverse=True)
    assert Sort("score", True).toggled("score") == Sort("score", False)
    assert Sort("score", True).toggled("event") == Sort("event", False)


def test_sort_events_by_the_new_and_changed_marks() -> None:
    """The timeline's unlabeled first column: new events first, then changed ones, then the rest
    in the engine's order; reversed, the other way round."""
    a = assess(profile(), EVENTS, NOW)
    changes = viewdata.Changes(frozenset({"links"}), {"fee": ("status rumored → announced",)})
    by_news = viewdata.sort_events(a.events, Sort.default_for("new"), changes)
    assert [e.id for e in by_news] == ["links", "fee", "us-ban"]
    assert [e.id for e in viewdata.sort_events(a.events, Sort("new", True), changes)] == ["us-ban", "fee", "links"]
    assert [e.id for e in viewdata.sort_events(a.events, Sort("new", False))] == [e.id for e in a.events]


def test_next_column_skips_unsortable_columns_and_wraps() -> None:
    cols = (viewdata.Column("a", "A"), viewdata.Column("b", "B", sortable=False), viewdata.Column("c", "C"))
    assert viewdata.next_column(cols, "a") == "c"
    assert viewdata.next_column(cols, "c") == "a"
    assert viewdata.next_column(cols, "b") == "a"  # not a sort key: start from the first
    assert viewdata.next_column(cols, viewdata.AS_GIVEN) == "a"
    assert viewdata.next_column((viewdata.Column("b", "B", sortable=False),), "b") == viewdata.AS_GIVEN


def test_sort_values_keeps_ties_and_puts_missing_values_last() -> None:
    rows = [("x", 2.0), ("y", None), ("z", 1.0), ("w", 2.0)]
    value = lambda r: r[1]  # noqa: E731
    assert [r[0] for r in viewdata.sort_values(rows, value, Sort("v", False))] == ["z", "x", "w", "y"]
    assert [r[0] for r in viewdata.sort_values(rows, value, Sort("v", True))] == ["x", "w", "z", "y"]
    assert [r[0] for r in viewdata.sort_values(rows, value, Sort(viewdata.AS_GIVEN, False))] == ["x", "y", "z", "w"]
    assert [r[0] for r in viewdata.sort_values(rows, value, Sort(viewdata.AS_GIVEN, True))] == ["w", "z", "y", "x"]


def test_sort_channels_by_numbers_not_text() -> None:
    a = assess(profile(), EVENTS, NOW)
    rows = viewdata.sort_channels(a.channels, Sort("inventory", True))
    assert [r.channel.id for r in rows] == ["tiktok-us", "amazon-us", "shop"]
    rows = viewdata.sort_channels(a.channels, Sort("dependence", True))
    assert rows[-1].channel.id == "shop"  # the own store has no dependence


def test_filter_matches_every_word_anywhere() -> None:
    a = assess(profile(), EVENTS, NOW)
    assert [e.id for e in viewdata.filter_events(a.events, "amazon")] == ["fee"]
    assert [e.id for e in viewdata.filter_events(a.events, "tiktok RUMORED")] == ["links"]
    assert len(viewdata.filter_events(a.events, "  ")) == 3
    assert viewdata.filter_events(a.events, "nothing-like-this") == []


def test_changes_from_the_monitors_diff() -> None:
    """The Monitor diffs event records (riskmon.store.snapshots); the timeline marks and the toast read
    them as Changes."""
    before = assess(profile(), EVENTS[:2], NOW)
    changed = [replace(EVENTS[0], **{"status": "in_effect"}), EVENTS[1], EVENTS[2]]
    after = assess(profile(), changed, NOW)
    records = event_records(after)
    new, lines = diff_events({str(r["id"]): r for r in event_records(before)}, records)
    ch = viewdata.Changes(new, lines, {str(r["id"]): str(r["title"]) for r in records})
    assert ch.new == {"links"}
    assert set(ch.changed) == {"us-ban"}
    assert ch.lines() == ["new: Links end", "US ban: status confirmed → in_effect; probability 90% → 100%"]
    assert not viewdata.Changes()
    assert ch.only({"links"}) == viewdata.Changes(frozenset({"links"}), {}, {"links": "Links end"})
    merged = ch.merged(viewdata.Changes(frozenset(), {"us-ban": ("status confirmed → in_effect", "ends none → x")}))
    assert merged.changed["us-ban"] == ("status confirmed → in_effect", "probability 90% → 100%", "ends none → x")


def test_changes_from_history_log_ignore_the_very_first_run() -> None:
    entries = [
        {"event_id": "a", "title": "A", "change": "first_seen", "old": None, "new": {}},
        {"event_id": "b", "title": "B", "change": "status", "old": "rumored", "new": "confirmed"},
    ]
    ch = viewdata.changes_from_log(entries, first_run=False)
    assert ch.new == {"a"} and ch.changed["b"] == ("status rumored → confirmed",)
    assert viewdata.changes_from_log(entries, first_run=True).new == frozenset()


def test_breakdown_rows_show_the_engine_numbers() -> None:
    a = assess(profile(), EVENTS, NOW)
    e = a.event("us-ban")
    assert e is not None
    rows = {r.term: r.value for r in viewdata.breakdown_rows(e, a)}
    assert rows["profit at risk"] == money(e.profit_at_risk, "USD")
    assert rows["cash frozen"] == money(e.cash_frozen, "USD")
    assert rows["inventory loss"] == money(e.inventory_loss, "USD")
    assert rows["deposit loss"] == money(e.deposit_loss, "USD")
    assert rows["expected loss"] == money(e.expected_loss, "USD")
    assert rows["probability"] == f"{e.probability:.2f}"
    assert rows["urgency"] == f"{e.urgency:.3f}"
    assert rows["score"] == f"{e.score:.2f}"


def test_snapshot_round_trips_through_the_history_store(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    HistoryStore = pytest.importorskip("riskmon.store.history").HistoryStore

    a = assess(profile(), EVENTS, NOW)
    store = HistoryStore(tmp_path / "h.json")
    store.record_check(snapshot_of(a), event_records(a))
    snaps = store.snapshots()
    assert len(snaps) == 1 and round(snaps[0]["score"], 2) == round(a.score, 2)
    series = viewdata.score_series(snaps, NOW)
    assert series.x == (0.0,)
    lines = viewdata.event_series(snaps, NOW)
    assert lines[0].label == a.events[0].id


def test_next_poll_names_the_soonest_feed() -> None:
    polls = {"news": NOW + timedelta(seconds=42), "agency": NOW + timedelta(minutes=14), "off": None}
    assert viewdata.next_poll(polls, NOW) == "next poll in 42 s (news)"
    assert viewdata.next_poll({"a": NOW, "b": NOW}, NOW + timedelta(seconds=1)) == "next poll in 0 s (a +1)"
    assert viewdata.next_poll({"off": None}, NOW) is None
    assert viewdata.next_poll({}, NOW) is None
    assert [viewdata.duration(s) for s in (5, 119, 840, 7200, 200000)] == ["5 s", "119 s", "14 min", "2 h", "2 d"]


def test_news_rows_are_cleaned_sorted_and_deduplicated() -> None:
    headlines = [
        {"feed": "a", "title": "Old", "link": "https://x/1", "published": "2025-01-01T10:00:00+00:00", "platforms": []},
        {
            "feed": "a",
            "title": "[b]New[/b] \x1b[31mred\x1b[0m",
            "link": "https://x/2",
            "published": "2025-01-05T10:00:00+00:00",
            "platforms": ["tiktok", "amazon"],
        },
        {"feed": "b", "title": "Old", "link": "https://x/1", "published": "2025-01-01T10:00:00+00:00", "platforms": []},
        {"feed": "b", "title": "Undated\nline", "link": "", "published": None, "platforms": []},
        {"feed": "b", "title": "", "link": "", "published": "not a date", "platforms": []},
    ]
    rows = viewdata.news_rows(headlines)
    assert [r.title for r in rows] == ["[b]New[/b] red", "Old", "Undated line"]
    assert rows[0].when == "2025-01-05 10:00" and rows[0].platforms == "tiktok,amazon"
    assert rows[2].when == "—"
