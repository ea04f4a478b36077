"""Structured and whole-text config edits: comments survive, invalid edits never reach the disk."""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from riskmon.errors import ConfigError
from riskmon.paths import ConfigLocation, bundled_config_dir
from riskmon.sources.config import edit as ce
from riskmon.sources.config.load import load_config

EXPOSURE = """\
# exposure.toml: hand-written, with comments everywhere.

[business]
name = "Test Seller"
monthly_revenue = 100000     # gross, per month
gross_margin = 0.4
cash_on_hand = 60000         # today

# TikTok, the risky one
[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.5            # half of all orders
inventory_value = 50000
pending_payouts = 10000

# Amazon, fulfilled by Amazon
[[channels]]
id = "amazon-us"
platform = "amazon"
regions = ["US"]
order_share = 0.30
inventory_value = 20000
"""

EVENTS = """\
# events, by hand
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
id = "id-closure"
title = "TikTok Shop Indonesia closes"
kind = "shop_closure"
platforms = ["tiktok"]
regions = ["ID"]
status = "resolved"
effective = 2023-10-04T17:00:00+07:00

# the end of the catalog
"""


@pytest.fixture
def d(tmp_path: Path) -> Path:
    directory = tmp_path / "cfg"
    directory.mkdir()
    (directory / "exposure.toml").write_text(EXPOSURE)
    (directory / "events.toml").write_text(EVENTS)
    return directory


def diff(before: str, after: str) -> list[str]:
    """The changed lines, as '-old' / '+new'."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


# ---------------------------------------------------------------------------------------------
# Comments, order and formatting survive


def test_setting_a_channel_number_changes_one_line_and_keeps_its_comment(d: Path) -> None:
    path = ce.set_channel_field(d, "tiktok-us", "order_share", 0.25)
    assert path == d / "exposure.toml"
    assert diff(EXPOSURE, path.read_text()) == [
        "-order_share = 0.5            # half of all orders",
        "+order_share = 0.25            # half of all orders",
    ]
    assert load_config(d).profile.channels[0].order_share == 0.25


def test_whole_numbers_stay_integers_and_new_keys_go_where_they_belong(d: Path) -> None:
    ce.set_channel_field(d, "tiktok-us", "inventory_value", 80000.0)
    ce.set_channel_field(d, "tiktok-us", "deposit", 5000.0)  # new: after pending_payouts
    ce.set_channel_field(d, "amazon-us", "pending_payouts", 30000)  # new: before the end of its table
    ce.set_business_field(d, "monthly_fixed_costs", 25000)  # new: after gross_margin
    assert diff(EXPOSURE, (d / "exposure.toml").read_text()) == [
        "+monthly_fixed_costs = 25000",
        "-inventory_value = 50000",
        "+inventory_value = 80000",
        "+deposit = 5000",
        "+pending_payouts = 30000",
    ]
    text = (d / "exposure.toml").read_text()
    # The new key of the TikTok channel sits above the comment that introduces Amazon.
    assert "pending_payouts = 10000\ndeposit = 5000\n\n# Amazon, fulfilled by Amazon\n" in text


def test_event_fields_dates_and_removal(d: Path) -> None:
    ce.set_event_field(d, "us-ban", "status", "confirmed")
    ce.set_event_field(d, "us-ban", "probability", 0.9)  # new: after status
    ce.set_event_field(d, "us-ban", "effective", datetime(2025, 2, 1, tzinfo=UTC))  # midnight UTC: a date
    ce.set_event_field(d, "us-ban", "ends", None)  # removed
    ce.set_event_field(d, "id-closure", "ends", datetime(2023, 12, 12, 17, tzinfo=UTC))  # new, a date-time
    ce.set_event_field(d, "id-closure", "effective", datetime(2023, 10, 4, 11, tzinfo=UTC))  # keeps its offset
    assert diff(EVENTS, (d / "events.toml").read_text()) == [
        '-status = "paused"            # EO 14166',
        "-effective = 2025-01-19",
        "-ends = 2025-04-05",
        '+status = "confirmed"            # EO 14166',
        "+probability = 0.9",
        "+effective = 2025-02-01",
        "-effective = 2023-10-04T17:00:00+07:00",
        "+effective = 2023-10-04T18:00:00+07:00",
        "+ends = 2023-12-12T17:00:00Z",
    ]
    ev = {e.id: e for e in load_config(d).events}
    assert ev["us-ban"].ends is None and ev["us-ban"].p == 0.9
    assert ev["id-closure"].effective == datetime(2023, 10, 4, 11, tzinfo=UTC)


def test_several_edits_across_files_are_one_validated_step(d: Path) -> None:
    # Raising Amazon first would break "shares <= 1" on its own; together the edits are fine.
    paths = ce.apply_edits(
        d,
        [
            ce.channel_edit("amazon-us", "order_share", 0.6),
            ce.channel_edit("tiktok-us", "order_share", 0.2),
            ce.event_edit("us-ban", "status", "confirmed"),
        ],
    )
    assert paths == [d / "exposure.toml", d / "events.toml"]
    cfg = load_config(d)
    assert [c.order_share for c in cfg.profile.channels] == [0.2, 0.6]
    assert cfg.events[0].status == "confirmed"


def test_settings_sections_are_created_when_missing(d: Path) -> None:
    ce.set_setting(d, "thresholds", "warn", 45)
    assert (d / "riskmon.toml").read_text().strip() == "[thresholds]\nwarn = 45"
    assert load_config(d).settings.thresholds.warn == 45


def test_inline_channels_can_be_edited(tmp_path: Path) -> None:
    d = tmp_path / "inline"
    d.mkdir()
    text = (
        'channels = [\n  { id = "a", platform = "amazon", order_share = 0.2 },  # A\n'
        '  { id = "b", platform = "etsy", order_share = 0.3 },\n]\n\n'
        '[business]\nname = "x"\nmonthly_revenue = 1\ngross_margin = 0.5\n'
    )
    (d / "exposure.toml").write_text(text)
    ce.set_channel_field(d, "b", "order_share", 0.4)
    ce.set_channel_field(d, "b", "deposit", 100)
    assert [c.order_share for c in load_config(d).profile.channels] == [0.2, 0.4]
    assert "# A" in (d / "exposure.toml").read_text()


# ---------------------------------------------------------------------------------------------
# Invalid edits never reach the disk


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: ce.set_channel_field(d, "tiktok-us", "order_share", 0.9), "all channels adds up to 1.200"),
        (lambda d: ce.set_channel_field(d, "tiktok-us", "order_share", 1.5), "must be between 0 and 1"),
        (lambda d: ce.set_channel_field(d, "tiktok-us", "deposit", -1), "must be 0 or more"),
        (lambda d: ce.set_channel_field(d, "tiktok-us", "kind", "shop"), "must be one of"),
        (lambda d: ce.set_channel_field(d, "tiktok-usa", "deposit", 1), "did you mean 'tiktok-us'"),
        (lambda d: ce.set_channel_field(d, "tiktok-us", "oder_share", 1), "did you mean 'order_share'"),
        (lambda d: ce.set_event_field(d, "us-ban", "status", "rumoured"), "did you mean 'rumored'"),
        (lambda d: ce.set_event_field(d, "us-ban", "ends", date(2025, 1, 1)), "ends must be after effective"),
        (lambda d: ce.set_event_field(d, "us-ban", "title", None), "missing: required field"),
        (lambda d: ce.set_business_field(d, "gross_margin", 2), "must be between 0 and 1"),
        (lambda d: ce.apply_edits(d, [ce.FieldEdit("channel", "x", "y", 1)]), "did you mean 'channels'"),
        (
            lambda d: ce.add_event(
                d,
                {
                    "id": "us-ban",
                    "title": "again",
                    "kind": "ban",
                    "platforms": ["tiktok"],
                    "status": "rumored",
                    "effective": date(2026, 1, 1),
                },
            ),
            "is used twice",
        ),
    ],
)
def test_invalid_edits_raise_and_leave_every_file_untouched(
    d: Path, edit: Callable[[Path], object], expected: str
) -> None:
    before = snapshot(d)
    with pytest.raises(ConfigError) as info:
        edit(d)
    assert expected in str(info.value.details or info.value.message), info.value.details
    assert snapshot(d) == before  # same bytes, same mtimes, no temp files left


def test_problems_are_located_in_the_edited_file(d: Path) -> None:
    with pytest.raises(ConfigError) as info:
        ce.set_channel_field(d, "tiktok-us", "order_share", 1.5)
    assert str(info.value.problems[0]) == (
        f"{d}/exposure.toml:15: channels[tiktok-us].order_share: must be between 0 and 1 (got 1.5)"
    )


def test_a_failed_write_leaves_the_file_and_no_temp_file(d: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(d)

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ConfigError, match="cannot write: No space left on device"):
        ce.set_channel_field(d, "tiktok-us", "order_share", 0.2)
    assert snapshot(d) == before


def test_a_broken_other_file_does_not_block_an_edit(d: Path) -> None:
    (d / "events.toml").write_text(EVENTS.replace('kind = "ban"', 'kind = "bann"'))
    ce.set_channel_field(d, "tiktok-us", "order_share", 0.4)  # exposure.toml is fine
    assert "order_share = 0.4" in (d / "exposure.toml").read_text()
    with pytest.raises(ConfigError, match="did you mean 'ban'"):
        ce.set_event_field(d, "us-ban", "status", "confirmed")  # the broken file cannot be saved as is


def test_a_file_changed_meanwhile_is_not_overwritten(d: Path) -> None:
    path = d / "exposure.toml"
    base = path.read_text()
    path.write_text(base.replace("Test Seller", "Someone Else"))
    with pytest.raises(ce.ConflictError, match="changed on disk"):
        ce.save_text(path, base.replace("60000", "70000"), base_text=base)
    assert "Someone Else" in path.read_text()
    (d / "riskmon.toml").write_text("# created by someone else meanwhile\n")
    with pytest.raises(ce.ConflictError):
        ce.save_text(d / "riskmon.toml", "[thresholds]\nwarn = 30\n", base_missing=True)
    assert (d / "riskmon.toml").read_text() == "# created by someone else meanwhile\n"


def test_bundled_demo_is_read_only() -> None:
    demo = bundled_config_dir()
    before = (demo / "exposure.toml").read_bytes()
    for target in (demo, ConfigLocation(demo, "bundled demo"), str(demo)):
        with pytest.raises(ConfigError, match="config init"):
            ce.set_business_field(target, "cash_on_hand", 1)
    with pytest.raises(ConfigError, match="config init"):
        ce.save_text(demo / "exposure.toml", before.decode())
    assert (demo / "exposure.toml").read_bytes() == before


# ---------------------------------------------------------------------------------------------
# add / remove events


def test_add_event_appends_a_table_after_the_comments(d: Path) -> None:
    ce.add_event(
        d,
        {
            "title": "Amazon fee rise",
            "id": "amazon-fees",
            "kind": "fee_change",
            "platforms": ["amazon"],
            "regions": ["US"],
            "status": "rumored",
            "effective": date(2025, 6, 1),
            "ends": None,
            "deadlines": [{"date": date(2025, 5, 1), "what": "Reprice"}],
            "impact": {"fee_delta": 0.02},
        },
    )
    text = (d / "events.toml").read_text()
    assert text.startswith(EVENTS)
    assert text[len(EVENTS) :] == (
        "\n[[events]]\n"
        'id = "amazon-fees"\n'
        'title = "Amazon fee rise"\n'
        'kind = "fee_change"\n'
        'platforms = ["amazon"]\n'
        'regions = ["US"]\n'
        'status = "rumored"\n'
        "effective = 2025-06-01\n"
        'deadlines = [{date = 2025-05-01, what = "Reprice"}]\n'
        "\n[events.impact]\n"
        "fee_delta = 0.02\n"
    )
    ev = load_config(d).events[-1]
    assert ev.id == "amazon-fees" and ev.impact.fee_delta == 0.02


def test_add_event_creates_the_file(tmp_path: Path) -> None:
    d = tmp_path / "new"
    d.mkdir()
    (d / "exposure.toml").write_text(EXPOSURE)
    ce.add_event(
        d,
        {
            "id": "x",
            "title": "X",
            "kind": "ban",
            "platforms": ["tiktok"],
            "status": "rumored",
            "effective": datetime(2026, 1, 1, 9, tzinfo=UTC),
        },
    )
    assert (d / "events.toml").read_text().startswith('[[events]]\nid = "x"')
    assert load_config(d).events[0].effective == datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_remove_event(d: Path) -> None:
    ce.remove_event(d, "us-ban")
    assert [e.id for e in load_config(d).events] == ["id-closure"]
    assert "# events, by hand" in (d / "events.toml").read_text()
    with pytest.raises(ConfigError, match="no event with id 'nope'"):
        ce.remove_event(d, "nope")


# ---------------------------------------------------------------------------------------------
# Whole-text saves and drafts


def test_save_text_validates_then_writes(d: Path) -> None:
    path = d / "exposure.toml"
    mode = 0o600
    path.chmod(mode)
    new = EXPOSURE.replace("cash_on_hand = 60000", "cash_on_hand = 90000")
    assert ce.check_text(path, new) == []
    ce.save_text(path, new, base_text=EXPOSURE)
    assert path.read_text() == new
    assert stat.S_IMODE(path.stat().st_mode) == mode

    before = snapshot(d)
    bad = new.replace("order_share = 0.30", "order_share = 0.70")
    problems = ce.check_text(path, bad)
    assert [p.field for p in problems] == ["channels"]
    with pytest.raises(ConfigError, match=r"adds up to 1\.200"):
        ce.save_text(path, bad)
    with pytest.raises(ConfigError, match="invalid TOML at line 1"):
        ce.save_text(path, "= broken")
    with pytest.raises(ConfigError, match="not a riskmon config file"):
        ce.save_text(d / "notes.toml", "")
    assert snapshot(d) == before


def test_drafts_live_beside_the_file_and_go_away_on_save(d: Path) -> None:
    path = d / "exposure.toml"
    assert ce.load_draft(path) is None
    draft = ce.save_draft(path, "half = [typed")
    assert draft == d / "exposure.toml.draft"
    assert ce.load_draft(path) == "half = [typed"
    load_config(d)  # a draft is never read as config
    ce.save_text(path, EXPOSURE.replace("60000", "61000"))
    assert not draft.exists()
    ce.save_draft(path, "x")
    ce.discard_draft(path)
    ce.discard_draft(path)
    assert ce.load_draft(path) is None


def test_a_draft_takes_the_files_permissions(d: Path) -> None:
    path = d / "exposure.toml"
    path.chmod(0o600)
    assert stat.S_IMODE(ce.save_draft(path, "private = [typing").stat().st_mode) == 0o600
    path.chmod(0o640)
    assert stat.S_IMODE(ce.save_draft(path, "again").stat().st_mode) == 0o640
    new = d / "playbooks.toml"  # no file yet: its draft is private
    assert not new.exists() and stat.S_IMODE(ce.save_draft(new, "[[rules]]").stat().st_mode) == 0o600


def test_a_symlinked_file_stays_a_symlink(d: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "exposure.toml"
    real.parent.mkdir()
    (d / "exposure.toml").rename(real)
    (d / "exposure.toml").symlink_to(real)
    ce.set_channel_field(d, "tiktok-us", "order_share", 0.2)
    assert (d / "exposure.toml").is_symlink()
    assert "order_share = 0.2 " in real.read_text()


def test_bom_and_crlf_survive_an_edit(tmp_path: Path) -> None:
    d = tmp_path / "crlf"
    d.mkdir()
    (d / "exposure.toml").write_bytes(b"\xef\xbb\xbf" + EXPOSURE.replace("\n", "\r\n").encode())
    ce.set_channel_field(d, "tiktok-us", "order_share", 0.2)
    data = (d / "exposure.toml").read_bytes()
    assert b"order_share = 0.2            # half of all orders\r\n" in data
    assert data.count(b"\r\n") == EXPOSURE.count("\n")


def test_form_values() -> None:
    assert ce.form_value("channels", "order_share", "0.35") == 0.35
    assert ce.form_value("channels", "inventory_value", "120000") == 120000
    assert ce.form_value("channels", "regions", "US, CA") == ["US", "CA"]
    assert ce.form_value("channels", "regions", '["US"]') == ["US"]
    assert ce.form_value("channels", "id", "2025") == "2025"
    assert ce.form_value("events", "title", 'Ban "now"') == 'Ban "now"'
    assert ce.form_value("events", "effective", "2025-01-19") == date(2025, 1, 19)
    assert ce.form_value("events", "probability", "") is None
    assert ce.form_value("events", "status", "confirmed") == "confirmed"
    assert ce.form_value("events", "probability", "lots") == "lots"  # validation will say why
