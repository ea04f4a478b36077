"""Config loading: every problem family, located as file:line: field: message, all at once."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon import paths
from riskmon.cli import config as config_cmd
from riskmon.core.playbook_rules import PlaybookFile
from riskmon.core.settings import Settings
from riskmon.core.timing import occurrence
from riskmon.errors import ConfigError
from riskmon.paths import ConfigLocation
from riskmon.sources.config.load import Config, find_problems_in_text, load_config, parse_text, validate_dir
from riskmon.sources.config.positions import duplicate_lines, key_lines, line_for
from tests.support import EXPOSURE, edit

EVENTS = """\
[[events]]
id = "ban"
title = "A ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-01-19

[[events]]
id = "fees"
title = "Fees"
kind = "fee_change"
platforms = ["amazon"]
status = "rumored"
effective = 2027-01-01
[events.impact]
fee_delta = 0.02
"""


def write(directory: Path, **files: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name.replace("_", ".")).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def problems(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(directory)
    return [str(p) for p in info.value.problems]


# ---------------------------------------------------------------------------------------------
# Loading valid configs


def test_minimal_dir_needs_only_exposure(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=EXPOSURE)
    cfg = load_config(d)
    assert isinstance(cfg, Config)
    assert cfg.location == ConfigLocation(d, "--config")
    assert cfg.files == {
        "riskmon.toml": None,
        "exposure.toml": d / "exposure.toml",
        "events.toml": None,
        "playbooks.toml": None,
    }
    assert cfg.settings == Settings()
    assert cfg.events == ()
    assert cfg.playbooks == PlaybookFile()
    assert [c.id for c in cfg.profile.channels] == ["tiktok-us", "shop"]
    assert set(cfg.mtimes) == {"exposure.toml"}
    assert not cfg.changed()


def test_full_dir_and_reload_detection(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        exposure_toml=EXPOSURE,
        events_toml=EVENTS,
        riskmon_toml="[thresholds]\nwarn = 30\n",
        playbooks_toml='[[rules]]\nid = "r"\ntitle = "R"\nkinds = ["ban"]\n[[rules.steps]]\nid = "s"\ntext = "Do"\n',
    )
    cfg = load_config(str(d))
    assert cfg.settings.thresholds.warn == 30
    assert [e.id for e in cfg.events] == ["ban", "fees"]
    assert cfg.events[1].impact.fee_delta == 0.02
    assert [r.id for r in cfg.playbooks.rules] == ["r"]
    assert set(cfg.mtimes) == set(paths.CONFIG_FILES)
    (d / "playbooks.toml").unlink()
    assert cfg.changed()


def test_lookup_uses_env_when_no_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = write(tmp_path / "env", exposure_toml=EXPOSURE)
    monkeypatch.setenv("RISKMON_CONFIG", str(d))
    cfg = load_config()
    assert cfg.location == ConfigLocation(d, "$RISKMON_CONFIG")


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    d = tmp_path / "c"
    d.mkdir()
    (d / "exposure.toml").write_bytes(b"\xef\xbb\xbf" + EXPOSURE.replace("\n", "\r\n").encode())
    assert load_config(d).profile.business.name == "Test Shop"


# ---------------------------------------------------------------------------------------------
# Problem families, with exact file:line: field: message


def test_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, 'name = "Test Shop"', "name = Test Shop"))
    assert problems(d) == [
        f"{d}/exposure.toml:2: invalid TOML at line 2, column 8: invalid value "
        '(text needs double quotes, e.g. platform = "tiktok")'
    ]


def test_duplicate_key_is_located_even_though_tomllib_says_end_of_document(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, "gross_margin = 0.4", "gross_margin = 0.4\ngross_margin = 0.5"))
    assert problems(d) == [
        f"{d}/exposure.toml:5: invalid TOML at line 5: cannot overwrite a value (a key is set twice)"
    ]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, "order_share = 0.5", "oder_share = 0.5"))
    assert problems(d) == [
        f"{d}/exposure.toml:6: channels[tiktok-us].order_share: missing: required field",
        f"{d}/exposure.toml:11: channels[tiktok-us].oder_share: unknown key 'oder_share' — did you mean 'order_share'?",
    ]


def test_unknown_table_and_key_without_a_close_match(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=EXPOSURE, riskmon_toml="[tresholds]\nwarn = 1\n[model]\nzzz = 1\n")
    assert problems(d) == [
        f"{d}/riskmon.toml:1: tresholds: unknown key 'tresholds' — did you mean 'thresholds'?",
        f"{d}/riskmon.toml:4: model.zzz: unknown key 'zzz'; known keys here: horizon_months, recovery_rate, "
        "off_platform_stranded, draws, "
        "forecast_weeks",
    ]


def test_share_out_of_range(tmp_path: Path) -> None:
    text = edit(EXPOSURE, "gross_margin = 0.4", "gross_margin = 1.4")
    text = edit(text, "share = 0.3 }", "share = -0.3 }")
    d = write(tmp_path, exposure_toml=text)
    assert problems(d) == [
        f"{d}/exposure.toml:4: business.gross_margin: must be between 0 and 1 (got 1.4)",
        f"{d}/exposure.toml:18: channels[shop].traffic[0].share: must be between 0 and 1 (got -0.3)",
    ]


def test_negative_money_and_non_numbers(tmp_path: Path) -> None:
    text = edit(EXPOSURE, "monthly_revenue = 100000", 'monthly_revenue = "lots"\ncash_on_hand = -5')
    text = edit(text, 'regions = ["US"]', 'regions = ["US"]\ninventory_value = -100\npayout_hold_days = inf')
    d = write(tmp_path, exposure_toml=text)
    assert problems(d) == [
        f"{d}/exposure.toml:3: business.monthly_revenue: not a number (got 'lots')",
        f"{d}/exposure.toml:4: business.cash_on_hand: must be 0 or more (got -5)",
        f"{d}/exposure.toml:12: channels[tiktok-us].inventory_value: must be 0 or more (got -100)",
        f"{d}/exposure.toml:13: channels[tiktok-us].payout_hold_days: must be a finite number, not inf or nan",
    ]


def test_duplicate_channel_id_on_the_second_occurrence(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, 'id = "shop"', 'id = "tiktok-us"'))
    assert problems(d) == [
        f"{d}/exposure.toml:14: channels[1].id: channel id 'tiktok-us' is used twice; ids must be unique"
    ]


def test_order_shares_over_one_on_the_channels(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, "order_share = 0.3", "order_share = 0.6"))
    assert problems(d) == [
        f"{d}/exposure.toml:6: channels: order_share over all channels adds up to 1.100; it must be at most 1"
    ]


def test_order_shares_over_one_with_inline_channels(tmp_path: Path) -> None:
    text = """\
    business = { name = "X", monthly_revenue = 1, gross_margin = 0.5 }
    channels = [
      { id = "a", platform = "tiktok", order_share = 0.7 },
      { id = "b", platform = "amazon", order_share = 0.7, kind = "shop" },
    ]
    """
    d = write(tmp_path, exposure_toml=text)
    assert problems(d) == [
        f"{d}/exposure.toml:2: channels: order_share over all channels adds up to 1.400; it must be at most 1",
        f"{d}/exposure.toml:4: channels[b].kind: must be one of: marketplace, social_shop, own_store, other "
        "(got 'shop')",
    ]


def test_traffic_shares_over_one(tmp_path: Path) -> None:
    links = 'traffic = [\n  { via = "tiktok", share = 0.6 },\n  { via = "ig", share = 0.6 },\n]'
    text = edit(EXPOSURE, 'traffic = [{ via = "tiktok", share = 0.3 }]', links)
    d = write(tmp_path, exposure_toml=text)
    assert problems(d) == [
        f"{d}/exposure.toml:18: channels[shop].traffic: traffic shares add up to 1.20; they are shares of "
        "this channel's orders and must total at most 1"
    ]


def test_unknown_kind_and_status_list_the_choices(tmp_path: Path) -> None:
    text = edit(EVENTS, 'kind = "ban"', 'kind = "bann"')
    text = edit(text, 'status = "rumored"', 'status = "rumoured"')
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [
        f"{d}/events.toml:4: events[ban].kind: must be one of: ban, shop_closure, link_cutoff, "
        "account_suspension, fee_change, payout_hold, service_shutdown, season, duty_change "
        "(got 'bann') — did you mean 'ban'?",
        f"{d}/events.toml:15: events[fees].status: must be one of: rumored, announced, confirmed, in_effect, "
        "paused, resolved, cancelled (got 'rumoured') — did you mean 'rumored'?",
    ]


def test_ends_before_effective_on_the_ends_line(tmp_path: Path) -> None:
    text = edit(EVENTS, "effective = 2025-01-19", "effective = 2025-01-19\nends = 2025-01-01")
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [f"{d}/events.toml:9: events[ban].ends: ends must be after effective"]


def test_ends_before_effective_is_reported_with_other_field_errors(tmp_path: Path) -> None:
    text = edit(EVENTS, "effective = 2025-01-19", "effective = 2025-01-19\nends = 2025-01-01\nprobability = 2")
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [
        f"{d}/events.toml:9: events[ban].ends: ends must be after effective",
        f"{d}/events.toml:10: events[ban].probability: must be between 0 and 1 (got 2)",
    ]


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=YEARLY;BYMONTH=13", "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"),
        ("FREQ=FORTNIGHTLY", "FREQ must be YEARLY, MONTHLY, WEEKLY, DAILY"),
        ("FREQ=YEARLY;BYDAY=+99FR", "a value is out of range"),
        ("FREQ=YEARLY;INTERVAL=0", "INTERVAL must be 1 or more"),
        ("BYMONTH=11", "FREQ is required, e.g. FREQ=YEARLY"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31", "it never occurs (check BYMONTH, BYMONTHDAY, BYDAY)"),
    ],
)
def test_bad_rrule(tmp_path: Path, rule: str, why: str) -> None:
    text = edit(EVENTS, "effective = 2025-01-19", f'effective = 2025-01-19\nrecurs = "{rule}"')
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [f"{d}/events.toml:9: events[ban].recurs: not a valid RFC 5545 RRULE: {why}"]


@pytest.mark.parametrize(
    ("rule", "effective"),
    [
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2025-01-19"),  # 2025, 2029 ...: no leap year
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=2", "2025-01-19"),  # January, March ...: never February
    ],
)
def test_rrule_that_never_occurs_from_its_effective(tmp_path: Path, rule: str, effective: str) -> None:
    """An INTERVAL > 1 rule is checked from the event's own start: the same rule from another
    start occurs (below), so only the event's effective can tell."""
    text = edit(EVENTS, "effective = 2025-01-19", f'effective = {effective}\nrecurs = "{rule}"')
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    why = f"it never occurs from effective ({effective}) to 2200; check INTERVAL, BYMONTH, BYMONTHDAY, BYDAY"
    assert problems(d) == [f"{d}/events.toml:9: events[ban].recurs: not a valid RFC 5545 RRULE: {why}"]


@pytest.mark.parametrize(
    ("rule", "effective", "first"),
    [
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2024-01-19", "2024-02-29"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=2", "2025-02-03", "2025-02-03"),  # was turned away before
    ],
)
def test_rrule_with_an_interval_that_occurs_from_its_effective(
    tmp_path: Path, rule: str, effective: str, first: str
) -> None:
    text = edit(EVENTS, "effective = 2025-01-19", f'effective = {effective}\nrecurs = "{rule}"')
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    event = load_config(d).events[0]
    assert event.recurs == rule
    counted = occurrence(event, event.effective, 90)
    assert counted is not None
    assert counted[0].date().isoformat() == first


def test_bad_region(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, 'regions = ["US"]', 'regions = ["US", "USA"]'))
    assert problems(d) == [
        f'{d}/exposure.toml:10: channels[tiktok-us].regions: \'USA\': use ISO 3166-1 alpha-2 codes like "US", or "*"'
    ]


def test_regions_given_as_a_string(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, 'regions = ["US"]', 'regions = "US"'))
    assert problems(d) == [
        f"{d}/exposure.toml:10: channels[tiktok-us].regions: must be a list in brackets, e.g. [\"US\"] (got 'US')"
    ]


def test_nested_tables_map_to_their_lines(tmp_path: Path) -> None:
    events = edit(EVENTS, "fee_delta = 0.02", "fee_delta = 2\ntraffic_lost = 0.5\nextra = 1")
    playbooks = """\
    [[rules]]
    id = "a"
    title = "A"
    [[rules.steps]]
    id = "s"
    text = "x"

    [[rules]]
    id = "b"
    title = "B"
    [[rules.steps]]
    id = "s1"
    text = "x"
    [[rules.steps]]
    id = "s2"
    text = "y"
    due_days = 1.5
    [[rules.steps]]
    id = "s3"
    text = ""
    """
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=events, playbooks_toml=playbooks)
    assert problems(d) == [
        f"{d}/events.toml:18: events[fees].impact.fee_delta: must be between -1 and 1 (got 2)",
        f"{d}/events.toml:20: events[fees].impact.extra: unknown key 'extra'; known keys here: orders_lost, "
        "traffic_lost, traffic_features, payouts_frozen, inventory_stranded, deposit_lost, fee_delta, extra_hold_days, "
        "duty_delta, freeze_days",
        f"{d}/playbooks.toml:17: rules[b].steps[s2].due_days: must be a whole number (got 1.5)",
        f"{d}/playbooks.toml:20: rules[b].steps[s3].text: must not be empty",
    ]


def test_model_checks_land_on_their_field(tmp_path: Path) -> None:
    settings_text = """\
    [thresholds]
    warn = 80
    crit = 50

    [[feeds]]
    name = "a"
    type = "http"

    [[feeds]]
    name = "a"
    type = "file"
    path = "x.toml"
    every = "15 minutes"
    """
    playbooks = """\
    [[rules]]
    id = "r"
    title = "R"
    [[rules.steps]]
    id = "s"
    text = "x"
    [[rules.steps]]
    id = "s"
    text = "y"
    """
    d = write(tmp_path, exposure_toml=EXPOSURE, riskmon_toml=settings_text, playbooks_toml=playbooks)
    assert problems(d) == [
        f"{d}/riskmon.toml:3: thresholds.crit: crit must be at least warn",
        f"{d}/riskmon.toml:5: feeds[0].url: an http feed needs url",
        f"{d}/riskmon.toml:13: feeds[1].every: not a duration: a number and a unit s, m, h, d or w, "
        "e.g. 30s, 15m, 2h, 1d (got '15 minutes')",
        f"{d}/playbooks.toml:8: rules[r].steps[1].id: step id 's' is used twice in this rule, and the earlier "
        "one has no `requires`: give the earlier variant a `requires`, or another id",
    ]


def test_duplicate_event_id_and_missing_fields(tmp_path: Path) -> None:
    text = edit(EVENTS, 'id = "fees"', 'id = "ban"')
    text = edit(text, 'title = "Fees"\n', "")
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [
        f"{d}/events.toml:10: events[1].title: missing: required field",
        f"{d}/events.toml:11: events[1].id: event id 'ban' is used twice; ids must be unique",
    ]


def test_bad_dates(tmp_path: Path) -> None:
    text = edit(EVENTS, "effective = 2025-01-19", 'effective = "next week"')
    text = edit(text, "effective = 2027-01-01", "effective = 12:00:00")
    d = write(tmp_path, exposure_toml=EXPOSURE, events_toml=text)
    assert problems(d) == [
        f"{d}/events.toml:8: events[ban].effective: not a date or date-time: 'next week' "
        "(use 2025-01-19 or 2025-01-19T17:00:00+07:00)",
        f"{d}/events.toml:16: events[fees].effective: not a date or date-time "
        "(use 2025-01-19 or 2025-01-19T17:00:00+07:00) (got 12:00:00)",
    ]


def test_missing_exposure_names_the_dir(tmp_path: Path) -> None:
    d = write(tmp_path / "cfg", events_toml=EVENTS)
    assert problems(d) == [
        f"{d}/exposure.toml: file not found in {d}: a config directory needs at least exposure.toml "
        f"(write a starter set with: riskmon config init {d})"
    ]


def test_missing_dir_is_a_clear_error(tmp_path: Path) -> None:
    d = tmp_path / "nope"
    assert problems(d) == [
        f"{d}: config directory not found (given with --config); write a starter set with: riskmon config init {d}"
    ]


def test_missing_dir_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKMON_CONFIG", str(tmp_path / "gone"))
    with pytest.raises(ConfigError) as info:
        load_config()
    assert "config directory not found (from $RISKMON_CONFIG)" in str(info.value)


def test_dir_that_is_a_file(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    assert problems(f) == [f"{f}: not a directory; give the directory that holds exposure.toml"]


def test_unreadable_and_undecodable_files(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=EXPOSURE)
    (d / "events.toml").mkdir()
    (d / "riskmon.toml").write_bytes(b"[thresholds]\nwarn = 40\n# caf\xe9\n")
    assert problems(d) == [
        f"{d}/riskmon.toml:3: not UTF-8 text (byte 28); save the file as UTF-8",
        f"{d}/events.toml: cannot read: a directory, not a file",
    ]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads anything")
def test_permission_denied(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=EXPOSURE)
    (d / "exposure.toml").chmod(0)
    try:
        assert problems(d) == [f"{d}/exposure.toml: cannot read: Permission denied"]
    finally:
        (d / "exposure.toml").chmod(0o644)


def test_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    d = write(
        tmp_path,
        riskmon_toml="[model]\nhorizon_months = 0\n",
        exposure_toml=edit(edit(EXPOSURE, "order_share = 0.5", "order_share = 5"), 'id = "shop"', 'id = "my shop"'),
        events_toml="[[events]\nid = 1\n",
        playbooks_toml="replace_bundled = 2\n",
    )
    assert problems(d) == [
        f"{d}/riskmon.toml:2: model.horizon_months: must be more than 0 and at most 60 (got 0)",
        f"{d}/exposure.toml:11: channels[tiktok-us].order_share: must be between 0 and 1 (got 5)",
        f"{d}/exposure.toml:14: channels[1].id: 'my shop': ids use letters, digits and - _ . : (no spaces)",
        f"{d}/events.toml:1: invalid TOML at line 1, column 9: expected ']]' at the end of an array declaration",
        f"{d}/playbooks.toml:1: replace_bundled: must be true or false (got 2)",
    ]
    assert validate_dir(d) == load_problems(d)


def load_problems(d: Path) -> list:
    try:
        load_config(d)
    except ConfigError as exc:
        return exc.problems
    return []


def test_config_error_summary_line(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=edit(EXPOSURE, "gross_margin = 0.4", "gross_margin = 2\ncurrency = 5"))
    with pytest.raises(ConfigError) as info:
        load_config(d)
    assert info.value.message == (
        f"{d}/exposure.toml:4: business.gross_margin: must be between 0 and 1 (got 2) (and 1 more problem)"
    )
    assert info.value.details.count("\n") == 1


def test_find_problems_in_text_uses_the_file_name() -> None:
    assert find_problems_in_text("exposure.toml", EXPOSURE) == []
    assert find_problems_in_text("events.toml", EVENTS) == []
    assert [str(p) for p in find_problems_in_text("/x/events.toml", "[[events]]\nid = 'a'\n")][:1] == [
        "/x/events.toml:1: events[a].title: missing: required field"
    ]
    assert [str(p) for p in find_problems_in_text("riskmon.toml", "[thresholds]\nwarn = 101\n")] == [
        "riskmon.toml:2: thresholds.warn: must be between 0 and 100 (got 101)"
    ]
    assert [str(p) for p in find_problems_in_text("notes.toml", "")] == [
        "notes.toml: not a riskmon config file; expected one of: riskmon.toml, exposure.toml, events.toml, "
        "playbooks.toml"
    ]
    model, found = parse_text("exposure.toml", EXPOSURE)
    assert found == [] and model is not None


def test_control_characters_in_keys_do_not_reach_the_terminal(tmp_path: Path) -> None:
    d = write(tmp_path, exposure_toml=EXPOSURE + '"\\u001b[31mred" = 1\n')
    (line,) = problems(d)
    assert "\x1b" not in line
    assert line.startswith(f"{d}/exposure.toml:19: channels[shop]")


# ---------------------------------------------------------------------------------------------
# The line scanner


def test_key_lines_tracks_tables_arrays_and_inline_values() -> None:
    text = textwrap.dedent(
        """\
        [a]
        x = 1
        "quoted.key" = 2
        d.e = 3
        [[t]]
        k = [
          { v = 1 },  # comment ] }
          { v = "]" },
        ]
        s = \"\"\"
        fake = 1
        \"\"\"
        [[t]]
        [t.sub]
        y = 1
        [[t.arr]]
        z = 1
        [[t.arr]]
        z = 2
        """
    )
    lines = key_lines(text)
    assert lines[("a",)] == 1
    assert lines[("a", "quoted.key")] == 3
    assert lines[("a", "d", "e")] == 4
    assert lines[("t",)] == 5
    assert lines[("t", 0, "k", 1, "v")] == 8
    assert ("t", 0, "fake") not in lines
    assert lines[("t", 1)] == 13
    assert lines[("t", 1, "sub", "y")] == 15
    assert lines[("t", 1, "arr", 1, "z")] == 19
    assert line_for(lines, ("t", 1, "arr", 0, "missing")) == 16
    assert line_for(lines, ("nothing", 0)) is None


def test_duplicate_lines() -> None:
    assert duplicate_lines("a = 1\n[b]\na = 1\nc.d = 1\nc.d = 2\n") == [5]


@given(st.text(max_size=300))
def test_key_lines_never_raises(text: str) -> None:
    lines = key_lines(text)
    assert all(isinstance(v, int) and v >= 1 for v in lines.values())
    duplicate_lines(text)


# ---------------------------------------------------------------------------------------------
# Property: anything written to the files gives a Config or a ConfigError, nothing else

_FRAGMENTS = [
    line
    for text in (EXPOSURE, EVENTS, "[thresholds]\nwarn = 40\ncrit = 70\n[model]\nhorizon_months = 3\n")
    for line in text.splitlines()
] + [
    "[[channels]]",
    "[[events]]",
    "[events.impact]",
    "[[feeds]]",
    'name = "f"',
    'type = "rss"',
    'every = "5m"',
    'recurs = "FREQ=YEARLY;BYMONTH=11"',
    'recurs = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"',
    "ends = 2020-01-01",
    "effective = 2025-01-19T17:00:00+07:00",
    "probability = nan",
    "order_share = inf",
    "order_share = 1e400",
    'deadlines = [{ date = 2025-01-01, what = "x" }]',
    "deadlines = [{ date = 1, what = [] }]",
    "impact = { fee_delta = -2 }",
    "regions = []",
    "platforms = [1, 2]",
    "x = 999999999999999999999999999",
    'traffic = [{ via = "tiktok", share = 0.9 }, { via = "ig", share = 0.9 }]',
    'id = ""',
    "'key with space' = 1",
    "a.b.c = {}",
    "[business.extra]",
    "[[channels.traffic]]",
    "= 1",
    "[",
    '"""',
]

toml_ish = st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("\n".join)
file_text = st.one_of(st.text(max_size=200), toml_ish)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exposure=st.one_of(st.none(), file_text, st.just(EXPOSURE)),
    events=st.one_of(st.none(), file_text),
    riskmon=st.one_of(st.none(), file_text),
)
def test_load_config_returns_config_or_raises_config_error(
    exposure: str | None, events: str | None, riskmon: str | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        for name, text in (("exposure.toml", exposure), ("events.toml", events), ("riskmon.toml", riskmon)):
            if text is not None:
                (d / name).write_text(text, encoding="utf-8")
        try:
            cfg = load_config(d)
        except ConfigError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.file.startswith(str(d))
                assert p.line is None or p.line >= 1
                assert "\n" not in str(p)
        else:
            assert isinstance(cfg, Config)


# ---------------------------------------------------------------------------------------------
# Commands


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No $RISKMON_*; the user config and data dirs live under tmp_path."""
    for var in ("RISKMON_CONFIG", "RISKMON_DB", "RISKMON_DATA"):
        monkeypatch.delenv(var, raising=False)
    user = tmp_path / "user-config"
    monkeypatch.setattr(paths, "user_config_dir", lambda: user)
    monkeypatch.setattr(config_cmd, "user_config_dir", lambda: user)
    monkeypatch.setenv("RISKMON_DATA", str(tmp_path / "data"))
    return user


def test_config_path_explains_the_bundled_demo(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config_cmd.config_path(None) == 0
    out = capsys.readouterr().out
    demo = paths.bundled_config_dir()
    assert f"config directory: {demo}\n" in out
    assert "chosen by: nothing else applies" in out
    assert "  exposure.toml   exists\n" in out
    assert "  playbooks.toml  missing: the bundled playbooks only\n" in out or "  playbooks.toml  exists\n" in out
    assert "  1. --config         not given\n" in out
    assert "  2. $RISKMON_CONFIG  not set\n" in out
    assert f"  3. user config dir  {isolated}  (does not exist)\n" in out
    assert f"  4. bundled demo     {demo}  <- in use\n" in out
    assert f"history file: {isolated.parent / 'data' / 'history.json'}" in out


def test_config_path_with_user_dir_and_env(
    isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(isolated, exposure_toml=EXPOSURE)
    assert config_cmd.config_path(None) == 0
    out = capsys.readouterr().out
    assert "chosen by: the user config dir, because it holds exposure.toml" in out
    assert f"  3. user config dir  {isolated}  (holds exposure.toml)  <- in use\n" in out
    assert "  riskmon.toml    missing: default settings: thresholds, model constants, no feeds, no alerts\n" in out

    env_dir = write(tmp_path / "env", events_toml=EVENTS)
    monkeypatch.setenv("RISKMON_CONFIG", str(env_dir))
    monkeypatch.setenv("RISKMON_DB", str(tmp_path / "h.json"))
    assert config_cmd.config_path(None) == 1  # no exposure.toml there
    out = capsys.readouterr().out
    assert f"  2. $RISKMON_CONFIG  set: {env_dir}  <- in use\n" in out
    assert "  exposure.toml   MISSING: required" in out
    assert f"history file: {tmp_path / 'h.json'}  (from $RISKMON_DB)" in out

    assert config_cmd.config_path(str(tmp_path / "nowhere"), db="x.json") == 1
    out = capsys.readouterr().out
    assert "(does not exist)" in out.splitlines()[0]
    assert f"  1. --config         given: {tmp_path / 'nowhere'}  <- in use\n" in out
    assert "history file: x.json  (from --db)" in out


def test_config_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good", exposure_toml=EXPOSURE, events_toml=EVENTS)
    assert config_cmd.config_validate(str(good)) == 0
    assert capsys.readouterr().out == f"valid: {good} (2 channels, 2 events)\n"

    exposure = edit(EXPOSURE, "gross_margin = 0.4", "gross_margin = 4")
    bad = write(tmp_path / "bad", exposure_toml=exposure, events_toml="x")
    assert config_cmd.config_validate(str(bad)) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{bad}/exposure.toml:4: business.gross_margin: must be between 0 and 1 (got 4)",
        f"{bad}/events.toml:1: invalid TOML at the end of the file: expected '=' after a key in a key/value pair",
        f"2 problems in {bad}",
    ]
    assert config_cmd.config_validate(str(tmp_path / "none")) == 1
    assert capsys.readouterr().out.splitlines()[-1] == f"1 problem in {tmp_path / 'none'}"


def test_config_init_writes_a_valid_set_and_refuses_to_overwrite(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert config_cmd.config_init(None) == 0
    out = capsys.readouterr().out
    for name in paths.CONFIG_FILES:
        assert f"wrote {isolated / name}\n" in out
    assert "  2. riskmon config validate\n" in out and "  3. riskmon check\n" in out
    assert validate_dir(isolated) == []

    (isolated / "exposure.toml").write_text("# mine\n" + EXPOSURE)
    (isolated / "events.toml").unlink()
    assert config_cmd.config_init(None) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "nothing was written" in captured.err
    assert f"  {isolated / 'exposure.toml'}" in captured.err
    assert not (isolated / "events.toml").exists()  # not even the missing one
    assert (isolated / "exposure.toml").read_text().startswith("# mine")

    assert config_cmd.config_init(None, force=True) == 0
    out = capsys.readouterr().out
    assert f"replaced {isolated / 'exposure.toml'}" in out and f"wrote {isolated / 'events.toml'}" in out
    assert not (isolated / "exposure.toml").read_text().startswith("# mine")


def test_config_init_elsewhere_says_how_to_use_it(
    isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a" / "b"
    assert config_cmd.config_init(str(target)) == 0
    out = capsys.readouterr().out
    assert f"riskmon config validate --config {target}" in out
    assert f"export RISKMON_CONFIG={target}" in out
    assert load_config(target).profile.business.name == "My Shop"


def test_commands_turn_os_errors_into_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert config_cmd.config_init(str(blocker / "sub")) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("riskmon config init: cannot access")
    assert config_cmd.config_init(str(blocker)) == 1
    assert "exists and is not a directory" in capsys.readouterr().err


def test_run_dispatches_from_cli_args(isolated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    good = write(tmp_path / "good", exposure_toml=EXPOSURE)
    assert config_cmd.run(argparse.Namespace(config_command="validate", config=str(good))) == 0
    assert config_cmd.run(argparse.Namespace(config_command="path", config=str(good), db=None)) == 0
    target = tmp_path / "via-config"
    assert config_cmd.run(argparse.Namespace(config_command="init", config=str(target), target=None, force=False)) == 0
    assert (target / "exposure.toml").is_file()
    assert config_cmd.run(argparse.Namespace(config_command="frobnicate")) == 3


def test_duplicate_rule_id_and_unknown_placeholder(tmp_path: Path) -> None:
    playbooks = """\
    [[rules]]
    id = "r"
    title = "Sell down {stok}"
    [[rules.steps]]
    id = "s"
    text = "x"

    [[rules]]
    id = "r"
    title = "R"
    [[rules.steps]]
    id = "s"
    text = "y"
    """
    d = write(tmp_path, exposure_toml=EXPOSURE, playbooks_toml=playbooks)
    assert problems(d) == [
        f"{d}/playbooks.toml:3: rules[0].title: unknown placeholder {{stok}}; did you mean {{stock}}?",
        f"{d}/playbooks.toml:9: rules[1].id: rule id 'r' is used twice; ids must be unique",
    ]
