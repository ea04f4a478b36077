"""What-if, pure part: parsing overrides, applying them as validated copies, stress, comparing."""

from __future__ import annotations

import textwrap
import tomllib
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmon.core import scenario as sc
from riskmon.core.engine import assess
from riskmon.core.record import replace
from riskmon.core.scenario import Override, ScenarioError, parse_set
from riskmon.errors import Level
from riskmon.present import formats
from riskmon.sources.config import edit as configedit
from riskmon.sources.config.load import load_config
from riskmon.sources.config.schema import revalidate
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.support import write_config

# What-if overrides checked by the config's own rules, as the shells do.
apply_checked = partial(sc.apply, validate=revalidate)

NOW = datetime(2025, 1, 10, tzinfo=UTC)

# the what-if seller with events of its own: a dotted id and one long resolved
EVENTS = """\
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "paused"
effective = 2025-01-19
ends = 2025-04-05            # EO window

[[events]]
id = "amazon.fees.2025"
title = "Amazon fee rise"
kind = "fee_change"
platforms = ["amazon"]
regions = ["US"]
status = "rumored"
effective = 2025-03-01
impact = { fee_delta = 0.02 }

[[events]]
id = "old-closure"
title = "Long over"
kind = "shop_closure"
platforms = ["tiktok"]
regions = ["US"]
status = "resolved"
effective = 2023-10-04
ends = 2023-12-12
"""


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


# ---------------------------------------------------------------------------------------------
# Parsing


def test_parse_set_types_each_field() -> None:
    assert parse_set("us-ban.probability=0.9") == Override("event", "us-ban", "probability", 0.9)
    assert parse_set(" us-ban.status = Confirmed ") == Override("event", "us-ban", "status", "confirmed")
    assert parse_set("us-ban.effective=2025-03-01").value == datetime(2025, 3, 1, tzinfo=UTC)
    assert parse_set("us-ban.effective=2025-03-01T17:00:00+07:00").value == datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert parse_set("us-ban.ends=none").value is None
    assert parse_set("us-ban.probability=default").value is None
    assert parse_set("tiktok-us.order_share=17.5%").value == 0.175
    assert parse_set("tiktok-us.inventory_value=1_200_000").value == 1_200_000.0
    assert parse_set("tiktok-us.pending_payouts=45,000").value == 45_000.0
    assert parse_set("business.cash_on_hand=80000") == Override("business", "business", "cash_on_hand", 80000.0)


def test_ids_may_contain_dots() -> None:
    o = parse_set("amazon.fees.2025.probability=0.4")
    assert (o.target_kind, o.id, o.field) == ("event", "amazon.fees.2025", "probability")
    assert o.target == "amazon.fees.2025.probability"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("us-ban.probabilty=1", "did you mean 'probability'"),
        ("us-ban.status=confirm", "did you mean 'confirmed'"),
        ("us-ban.probability", "expected ID.FIELD=VALUE"),
        ("probability=1", "expected ID.FIELD"),
        ("tiktok-us.order_share=abc", "not a number: 'abc'"),
        ("tiktok-us.order_share=nan", "finite"),
        ("tiktok-us.order_share=none", "needs a value"),
        ("us-ban.effective=soon", "not a date"),
        ("us-ban.effective=none", "needs a value"),
        ("tiktok-us.cash_on_hand=1", "write business.cash_on_hand"),
    ],
)
def test_parse_errors_are_clear(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_set(text)
    assert expected in info.value.message


# ---------------------------------------------------------------------------------------------
# Applying


def test_apply_returns_validated_copies_and_leaves_the_input_alone(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    overrides = [
        parse_set("us-ban.probability=0.9"),
        parse_set("tiktok-us.order_share=0.25"),
        parse_set("amazon-us.order_share=0.55"),
        parse_set("business.cash_on_hand=90000"),
    ]
    profile, events = apply_checked(cfg.profile, cfg.events, overrides)
    assert [c.order_share for c in profile.channels] == [0.25, 0.55, 0.2]
    assert profile.business.cash_on_hand == 90000
    assert events[0].probability == 0.9 and events[0].status == "paused"
    assert cfg.profile.channels[0].order_share == 0.5 and cfg.events[0].probability is None
    assert events[1] is cfg.events[1]  # untouched events are not copied


def test_an_override_that_breaks_a_rule_is_a_clear_error(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    adds_up = r"tiktok-us.order_share=0.6: order_share over all channels adds up to 1.100"
    with pytest.raises(ScenarioError, match=adds_up):
        apply_checked(cfg.profile, cfg.events, [parse_set("tiktok-us.order_share=0.6")])
    with pytest.raises(ScenarioError, match=r"order_share: must be 1 or less"):
        apply_checked(cfg.profile, cfg.events, [parse_set("tiktok-us.order_share=1.5")])
    with pytest.raises(ScenarioError, match=r"deposit: must be 0 or more"):
        apply_checked(cfg.profile, cfg.events, [parse_set("tiktok-us.deposit=-1")])
    with pytest.raises(ScenarioError, match="ends must be after effective"):
        apply_checked(cfg.profile, cfg.events, [parse_set("us-ban.ends=2025-01-01")])


def test_unknown_ids_say_did_you_mean(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    cases = {
        "tiktok-usa.order_share=0.1": "no channel 'tiktok-usa'; did you mean 'tiktok-us'?",
        "us-bann.probability=1": "no event 'us-bann'; did you mean 'us-ban'?",
        "tiktok-us.probability=1": "'tiktok-us' is a channel",
        "us-ban.order_share=0.1": "'us-ban' is an event",
    }
    for text, expected in cases.items():
        with pytest.raises(ScenarioError) as info:
            apply_checked(cfg.profile, cfg.events, [parse_set(text)])
        assert expected in info.value.message, info.value.message


def test_moving_effective_moves_ends_unless_ends_is_set(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    _, events = apply_checked(cfg.profile, cfg.events, [parse_set("us-ban.effective=2025-02-01")])
    ban = events[0]
    assert ban.effective == datetime(2025, 2, 1, tzinfo=UTC)
    assert ban.ends - ban.effective == cfg.events[0].ends - cfg.events[0].effective  # type: ignore[operator]
    _, events = apply_checked(
        cfg.profile, cfg.events, [parse_set("us-ban.effective=2025-02-01"), parse_set("us-ban.ends=none")]
    )
    assert events[0].ends is None
    changes = sc.changes(cfg.profile, cfg.events, [parse_set("us-ban.effective=2025-02-01")])
    assert [(c.field, c.implied) for c in changes] == [("effective", False), ("ends", True)]


def test_later_override_of_the_same_field_wins(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    twice = [parse_set("us-ban.probability=0.2"), parse_set("us-ban.probability=0.7")]
    _, events = apply_checked(cfg.profile, cfg.events, twice)
    assert events[0].probability == 0.7
    first = [parse_set("a.probability=0.2"), parse_set("b.deposit=1")]
    merged = sc.merge_overrides(first, [parse_set("a.probability=0.7")])
    assert [str(o) for o in merged] == ["b.deposit=1", "a.probability=0.7"]


def test_stress_makes_every_event_happen_now(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    _, events = apply_checked(cfg.profile, cfg.events, [], stress=True, now=NOW)
    for before, after in zip(cfg.events, events, strict=True):
        assert (after.status, after.probability, after.effective) == ("in_effect", 1.0, NOW)
        if before.ends is not None:
            assert after.ends - after.effective == before.ends - before.effective  # type: ignore[operator]
    a = assess(cfg.profile, events, NOW, cfg.settings)
    assert {e.id for e in a.events} == {"us-ban", "amazon.fees.2025", "old-closure"}
    assert all(e.in_effect and e.probability == 1.0 for e in a.events)
    # An override comes after stress: it can take one event out of the test.
    _, events = apply_checked(cfg.profile, cfg.events, [parse_set("old-closure.probability=0")], stress=True, now=NOW)
    assert events[2].probability == 0.0 and events[2].status == "in_effect"


def test_stress_needs_an_aware_now(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    with pytest.raises(ValueError):
        apply_checked(cfg.profile, cfg.events, [], stress=True)


# ---------------------------------------------------------------------------------------------
# The numbers: what-if equals assess() on an edited copy of the config


def test_what_if_equals_assess_on_an_edited_copy(cfg_dir: Path, tmp_path: Path) -> None:
    cfg = load_config(cfg_dir)
    overrides = [
        parse_set("us-ban.status=confirmed"),
        parse_set("us-ban.probability=0.95"),
        parse_set("us-ban.effective=2025-01-15"),
        parse_set("tiktok-us.order_share=0.25"),
        parse_set("amazon-us.order_share=0.55"),
        parse_set("amazon-us.inventory_value=80000"),
        parse_set("tiktok-us.pending_payouts=0"),
        parse_set("business.cash_on_hand=75000"),
    ]
    profile, events = apply_checked(cfg.profile, cfg.events, overrides)
    what_if = assess(profile, events, NOW, cfg.settings)

    # The same change made to a copy of the files, through the editing layer, then loaded as usual.
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(cfg_dir, copy)
    configedit.apply_edits(copy, configedit.edits_from_changes(sc.changes(cfg.profile, cfg.events, overrides)))
    edited = load_config(copy)
    direct = assess(edited.profile, edited.events, NOW, edited.settings)
    assert formats.assessment_to_dict(what_if) == formats.assessment_to_dict(direct)
    assert "# half of all orders" in (copy / "exposure.toml").read_text()


def test_compare(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    base = assess(cfg.profile, cfg.events, NOW, cfg.settings)
    profile, events = apply_checked(cfg.profile, cfg.events, [], stress=True, now=NOW)
    worse = assess(profile, events, NOW, cfg.settings)
    d = sc.compare(base, worse)
    assert d.level_change == int(worse.level) - int(base.level) >= 0
    assert d.score == pytest.approx(worse.score - base.score) and d.score > 0
    assert d.expected_loss == pytest.approx(worse.expected_loss - base.expected_loss)
    # Each event's change is its own; the total is the union's (overlaps are not counted twice).
    for e in d.events:
        assert e.change == pytest.approx((e.scenario or 0.0) - (e.baseline or 0.0))
    assert [abs(e.change) for e in d.events] == sorted((abs(e.change) for e in d.events), reverse=True)
    old = next(e for e in d.events if e.id == "old-closure")
    assert old.baseline is None and old.scenario is not None  # expired in the baseline, counts under stress
    doc = d.to_dict()
    assert doc["level"] == {"baseline": base.level.name, "scenario": worse.level.name, "change": d.level_change}
    assert set(doc) == {
        "level",
        "score",
        "runway_weeks",
        "expected_loss",
        "cash_low",
        "cash_low_week",
        "cash_shortfall_probability",
        "loss_p50",
        "loss_p95",
        "events",
    }
    # The forecast and the distribution, side by side with their differences.
    sides = {
        "cash_low": (base.cash_low, worse.cash_low),
        "cash_shortfall_probability": (base.cash_shortfall_probability, worse.cash_shortfall_probability),
        "loss_p50": (base.loss_p50, worse.loss_p50),
        "loss_p95": (base.loss_p95, worse.loss_p95),
    }
    for key, (b, s) in sides.items():
        assert doc[key] == {"baseline": b, "scenario": s, "change": s - b}, key
    assert (d.cash_low, d.loss_p95) == (worse.cash_low - base.cash_low, worse.loss_p95 - base.loss_p95)
    assert d.cash_low < 0 and d.cash_shortfall_probability >= 0  # everything happening now costs cash
    assert (d.baseline_cash_low_week, d.scenario_cash_low_week) == (base.cash_low_week, worse.cash_low_week)
    assert doc["cash_low_week"] == {"baseline": base.cash_low_week, "scenario": worse.cash_low_week}

    same = sc.compare(base, base)
    assert (same.level_change, same.score, same.expected_loss) == (0, 0.0, 0.0)
    assert same.scenario_level == base.level and all(e.change == 0 for e in same.events)


def test_runway_change_is_none_when_a_side_does_not_burn(cfg_dir: Path) -> None:
    cfg = load_config(cfg_dir)
    base = assess(cfg.profile, cfg.events, NOW, cfg.settings)
    profile, events = apply_checked(cfg.profile, cfg.events, [parse_set("business.monthly_fixed_costs=0")])
    rich = assess(profile, events, NOW, cfg.settings)
    assert rich.runway_weeks is None
    assert sc.compare(base, rich).runway_weeks is None
    assert sc.compare(base, base).runway_weeks == (0.0 if base.runway_weeks is not None else None)


@settings(max_examples=40, deadline=None)
@given(
    share=st.floats(min_value=0, max_value=0.5),
    p=st.floats(min_value=0, max_value=1),
    cash=st.floats(min_value=0, max_value=1e7),
)
def test_overrides_match_a_model_copy(share: float, p: float, cash: float) -> None:
    """Property: the what-if side is assess() of the profile and events with those fields set."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "exposure.toml").write_text(EXPOSURE)
        (d / "events.toml").write_text(EVENTS)
        cfg = load_config(d)
    overrides = [
        Override("channel", "tiktok-us", "order_share", share),
        Override("event", "us-ban", "probability", p),
        Override("business", "business", "cash_on_hand", cash),
    ]
    profile, events = apply_checked(cfg.profile, cfg.events, overrides)
    channels = (replace(cfg.profile.channels[0], order_share=share), *cfg.profile.channels[1:])
    expected_profile = replace(
        cfg.profile, channels=channels, business=replace(cfg.profile.business, cash_on_hand=cash)
    )
    expected_events = [replace(cfg.events[0], probability=p), *cfg.events[1:]]
    a = assess(profile, events, NOW, cfg.settings)
    b = assess(expected_profile, expected_events, NOW, cfg.settings)
    assert formats.assessment_to_dict(a) == formats.assessment_to_dict(b)
    assert a.level in (Level.OK, Level.WARNING, Level.CRITICAL)


# ---------------------------------------------------------------------------------------------
# Scenario data


def test_scenario_round_trips_through_toml(tmp_path: Path) -> None:
    from riskmon.sources.scenarios import load_scenario, save_scenario, scenario_text

    s = sc.Scenario(
        name="ban-move-half",
        overrides=(
            parse_set("us-ban.status=confirmed"),
            parse_set("us-ban.probability=none"),
            parse_set("us-ban.effective=2025-02-01"),
            parse_set("us-ban.ends=2025-05-01T12:30:00Z"),
            parse_set("tiktok-us.order_share=0.25"),
        ),
        stress=False,
        created=NOW,
        description="ban confirmed, half of TikTok moves to Amazon",
    )
    text = scenario_text(s)
    data = tomllib.loads(text)
    assert data["scenario"]["name"] == "ban-move-half" and data["scenario"]["stress"] is False
    assert data["set"][0] == {"target": "us-ban.status", "value": "confirmed"}
    assert data["set"][1] == {"target": "us-ban.probability", "value": "none"}
    assert str(data["set"][2]["value"]) == "2025-02-01"  # a plain date for midnight UTC
    assert sc.scenario_from_data(data, "x.toml") == s

    path = save_scenario(tmp_path, s)
    assert path == tmp_path / "scenarios" / "ban-move-half.toml"
    assert load_scenario(tmp_path, "ban-move-half") == s


def test_hand_written_scenario_errors_name_the_entry() -> None:
    data = tomllib.loads(
        textwrap.dedent("""
        [scenario]
        name = "x"
        [[set]]
        target = "us-ban.probability"
        value = 0.5
        [[set]]
        target = "us-ban.probabilty"
        value = 0.5
    """)
    )
    with pytest.raises(ScenarioError, match=r"x.toml: \[\[set\]\] #2: .*did you mean 'probability'"):
        sc.scenario_from_data(data, "x.toml")
    with pytest.raises(ScenarioError, match=r"scenario.stres: unknown key; did you mean 'stress'"):
        sc.scenario_from_data({"scenario": {"stres": True}}, "x.toml")
    with pytest.raises(ScenarioError, match="needs target"):
        sc.scenario_from_data({"set": [{"target": "a.probability"}]}, "x.toml")


def test_scenario_names_are_file_names_not_paths(tmp_path: Path) -> None:
    from riskmon.sources.scenarios import load_scenario, scenario_path

    for bad in ("../x", "a/b", "", " x", ".hidden"):
        with pytest.raises(ScenarioError):
            scenario_path(tmp_path, bad)
    assert scenario_path(tmp_path, "plan.toml").name == "plan.toml"
    with pytest.raises(ScenarioError, match="save one with"):
        load_scenario(tmp_path, "nope")


def test_format_value() -> None:
    assert sc.format_value(0.175) == "0.175"
    assert sc.format_value(120000.0) == "120000"
    assert sc.format_value(None) == "none"
    assert sc.format_value(datetime(2025, 1, 19, tzinfo=UTC)) == "2025-01-19"
    assert sc.format_value(datetime(2025, 1, 19, tzinfo=UTC) + timedelta(hours=17)) == "2025-01-19T17:00:00Z"
