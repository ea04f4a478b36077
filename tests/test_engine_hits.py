"""An event's channel hits are built on first use (core/results.py `Hits`); every reader must see
the tuple of `ChannelHit`s the engine used to build eagerly: same order, equality, hashing and
pickling, whether or not the hits were read before."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from riskmon.core.engine import assess
from riskmon.core.model import Business, Channel, Event, Profile, TrafficLink
from riskmon.core.results import ChannelHit, EventAssessment

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def profile() -> Profile:
    channels = (
        Channel("small", "tiktok", 0.1, regions=("US",), inventory_value=5_000.0, pending_payouts=800.0),
        Channel("big", "tiktok", 0.5, regions=("US",), inventory_value=40_000.0, deposit=1_000.0),
        Channel("linked", "shopify", 0.3, regions=("US",), traffic=(TrafficLink("tiktok", 0.4),)),
    )
    return Profile(Business("B", 100_000.0, 0.4, monthly_fixed_costs=20_000.0, cash_on_hand=50_000.0), channels)


def assessed() -> EventAssessment:
    ban = Event("ban", "TikTok US ban", "ban", ("tiktok",), NOW, "confirmed", regions=("US",))
    found = assess(profile(), [ban], NOW).event("ban")
    assert found is not None
    return found


def test_hits_read_as_a_tuple_most_orders_lost_first() -> None:
    hits = assessed().channels
    eager = tuple(hits)
    assert [h.channel_id for h in hits] == ["big", "linked", "small"]
    assert all(isinstance(h, ChannelHit) for h in hits)
    assert len(hits) == 3 and bool(hits) and hits[0] is eager[0] and hits[1:] == eager[1:]
    assert hits == eager and eager == hits and hash(hits) == hash(eager)
    assert [h.direct for h in hits] == [True, False, True]
    assert hits[1].cut == (TrafficLink("tiktok", 0.4),) and hits[1].fraction > 0.0
    assert hits[0].loss > hits[2].loss > 0.0 and hits[2].cash_frozen > 0.0


def test_two_assessments_of_the_same_inputs_are_equal_read_or_not() -> None:
    a, b = assessed(), assessed()
    assert a == b and hash(a) == hash(b)
    list(a.channels)  # built on one side only
    assert a == b and b == a


def test_an_assessment_pickles_with_its_hits_as_a_plain_tuple() -> None:
    a = assessed()
    back = pickle.loads(pickle.dumps(a))
    assert type(back.channels) is tuple
    assert back == a and back.channels == a.channels
    assert [h.channel_id for h in back.channels] == ["big", "linked", "small"]


def test_an_event_reaching_no_channel_has_no_hits() -> None:
    elsewhere = Event("eu", "EU rule", "ban", ("amazon",), NOW, "confirmed", regions=("DE",))
    found = assess(profile(), [elsewhere], NOW).event("eu")
    assert found is not None
    assert not found.channels and len(found.channels) == 0 and found.channels == ()
