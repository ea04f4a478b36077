"""The dashboard's structured edits: `c` (channel numbers), `E` (an event's status, probability,
dates) and `n` (a new event), driven through App.run_test(). Saves keep comments and order;
invalid values never reach disk and are shown next to their field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select

from riskmon.errors import Problem
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.screens.forms import (
    ChannelForm,
    EditForm,
    EventForm,
    FormField,
    NewEventForm,
    check_value,
    differs,
    where_problem,
)
from tests.support import row_keys, spy_notify, wait_for, write_config

NOW = datetime(2025, 1, 10, tzinfo=UTC)

EXPOSURE = """\
# the business
[business]
name = "Harbor Home & Pet"
monthly_revenue = 400000     # gross, all channels
gross_margin = 0.35
monthly_fixed_costs = 90000
cash_on_hand = 150000

# TikTok, the risky one
[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.55           # more than half
inventory_value = 420000     # Black Friday stock
pending_payouts = 65000

[[channels]]
id = "amazon-us"
platform = "amazon"
regions = ["US"]
order_share = 0.2
"""

EVENTS = """\
# local catalog: keep this comment
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"         # upheld
effective = 2025-01-19       # the law's date

[[events]]
id = "amazon-fees"
title = "Amazon fee rise"
kind = "fee_change"
platforms = ["amazon"]
status = "rumored"
effective = 2025-03-01
impact = { fee_delta = 0.02 }
"""


pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


async def ready(pilot: Pilot[Any]) -> RiskmonApp:
    app: RiskmonApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.loaded is not None)
    await pilot.pause()
    return app


async def form_open(pilot: Pilot[Any], kind: type[EditForm]) -> Any:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, kind) and app.screen.query("#form-save"))
    await pilot.pause()
    return app.screen


async def highlight(pilot: Pilot[Any], table: DataTable[Any], key: str) -> None:
    table.move_cursor(row=row_keys(table).index(key))
    await pilot.pause()


async def set_input(pilot: Pilot[Any], form: EditForm, name: str, text: str) -> None:
    box = form.query_one(f"#f-{name}", Input)
    box.focus()
    box.value = ""
    await pilot.press(*text) if text else None
    await pilot.pause()


def toasts(app: RiskmonApp) -> list[str]:
    return spy_notify(app, lambda title, message: message)


# ---------------------------------------------------------------------------------------------
# The checks behind the inputs


def test_check_value_reads_text_like_the_save() -> None:
    share = FormField("order_share", "share", "share", required=True)
    assert check_value("channels", share, "0.35") is None
    assert check_value("channels", share, "") == "required"
    assert "not a number" in (check_value("channels", share, "abc") or "")
    assert "at most 1" in (check_value("channels", share, "1.5") or "")
    assert check_value("channels", share, "-1") == "must be 0 or more"
    money = FormField("inventory_value", "inv", "money")
    assert check_value("channels", money, "") is None
    assert check_value("channels", money, "1_200_000") is None
    assert check_value("channels", money, "1,200") is not None
    date = FormField("effective", "eff", "date", required=True)
    assert check_value("events", date, "2025-02-01") is None
    assert check_value("events", date, "2025-02-01T17:00:00+07:00") is None
    assert check_value("events", date, "2025-13-01") is not None
    ident = FormField("id", "id", "id", required=True, taken=frozenset({"us-ban"}))
    assert check_value("events", ident, "new-one") is None
    assert check_value("events", ident, "us-ban") == "'us-ban' is already used"
    assert check_value("events", ident, "two words") is not None
    regions = FormField("regions", "r", "regions")
    assert check_value("events", regions, "US, ca") is None
    assert check_value("events", regions, "USA") is not None


def test_differs_and_where_problem() -> None:
    assert not differs(0.35, 0.35) and differs(0.35, 0.4)
    assert not differs(0.0, None, 0.0)  # removing a key that holds the default changes nothing
    assert not differs(None, None)
    assert not differs(datetime(2025, 1, 19, tzinfo=UTC), datetime(2025, 1, 19).date())
    assert differs(datetime(2025, 1, 19, tzinfo=UTC), datetime(2025, 1, 20).date())
    names = ["order_share", "inventory_value"]
    p = Problem("/c/exposure.toml", 5, "channels[tiktok-us].order_share", "must be 1 or less")
    assert where_problem(p, names) == "order_share"
    total = Problem("/c/exposure.toml", 10, "channels", "order_share over all channels adds up to 1.1")
    assert where_problem(total, names) == "order_share"
    assert where_problem(Problem("/c/x", None, "", "cannot write"), names) is None


# ---------------------------------------------------------------------------------------------
# Channel


async def test_c_edits_a_channel_keeping_comments_and_the_dashboard_reloads(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("x")
        await highlight(pilot, app.screen.query_one("#exposure", DataTable), "tiktok-us")
        await pilot.press("c")
        form = await form_open(pilot, ChannelForm)
        assert form.values()["order_share"] == "0.55" and form.values()["inventory_value"] == "420000"
        assert form.values()["deposit"] == "0"
        await set_input(pilot, form, "order_share", "0.5")
        await set_input(pilot, form, "inventory_value", "300000")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        expected = EXPOSURE.replace("order_share = 0.55 ", "order_share = 0.5 ").replace(
            "inventory_value = 420000 ", "inventory_value = 300000 "
        )
        assert (cfg / "exposure.toml").read_text() == expected
        await wait_for(
            pilot,
            lambda: app.loaded is not None and app.loaded.evaluation.config.profile.channels[0].order_share == 0.5,
        )


async def test_invalid_channel_values_never_reach_disk(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await highlight(pilot, app.screen.query_one("#exposure", DataTable), "tiktok-us")
        await pilot.press("c")  # works whichever table has the focus
        form = await form_open(pilot, ChannelForm)
        await set_input(pilot, form, "order_share", "abc")
        assert "not a number" in form.error_of("order_share")
        await pilot.press("enter")  # submit: refused on the spot
        await pilot.pause(0.2)
        assert app.screen is form and (cfg / "exposure.toml").read_text() == EXPOSURE
        await set_input(pilot, form, "pending_payouts", "-5")
        assert form.error_of("pending_payouts") == "must be 0 or more"
        await set_input(pilot, form, "pending_payouts", "65000")
        assert form.error_of("pending_payouts") == ""
        # Valid on its own, invalid for the file: 0.9 + 0.2 > 1. The save says so, by the field.
        await set_input(pilot, form, "order_share", "0.9")
        assert form.error_of("order_share") == ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "adds up to" in form.error_of("order_share"))
        assert app.screen is form and not form.saving
        assert (cfg / "exposure.toml").read_text() == EXPOSURE
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        assert (cfg / "exposure.toml").read_text() == EXPOSURE


# ---------------------------------------------------------------------------------------------
# Events


async def test_E_edits_an_event_status_probability_and_dates(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await highlight(pilot, app.screen.query_one("#events", DataTable), "us-ban")
        await pilot.press("E")
        form = await form_open(pilot, EventForm)
        assert form.values() == {"status": "confirmed", "probability": "", "effective": "2025-01-19", "ends": ""}
        assert "0.9" in form.query_one("#f-probability", Input).placeholder
        form.query_one("#f-status", Select).value = "paused"
        await pilot.pause()
        assert "0.5" in form.query_one("#f-probability", Input).placeholder
        await set_input(pilot, form, "probability", "0.3")
        await set_input(pilot, form, "effective", "2025-02-01")
        await set_input(pilot, form, "ends", "2025-13-01")
        assert form.error_of("ends")
        await set_input(pilot, form, "ends", "2025-04-05")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        text = (cfg / "events.toml").read_text()
        assert text.startswith("# local catalog: keep this comment\n")
        assert 'status = "paused"         # upheld\n' in text
        assert "effective = 2025-02-01       # the law's date\n" in text
        assert "probability = 0.3\n" in text and "ends = 2025-04-05\n" in text
        assert text.endswith(EVENTS[EVENTS.index('[[events]]\nid = "amazon-fees"') :])
        await wait_for(
            pilot,
            lambda: app.loaded is not None and app.loaded.evaluation.config.events[0].status == "paused",
        )


async def test_event_dates_the_file_rejects_are_shown_and_not_written(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await highlight(pilot, app.screen.query_one("#events", DataTable), "us-ban")
        await pilot.press("E")
        form = await form_open(pilot, EventForm)
        await set_input(pilot, form, "ends", "2025-01-01")  # before effective
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form.error_of("ends") or str(form.query_one("#form-problems").render()).strip())
        assert app.screen is form
        assert (cfg / "events.toml").read_text() == EVENTS
        # Nothing changed: nothing is written, the form closes.
        await set_input(pilot, form, "ends", "")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        assert (cfg / "events.toml").read_text() == EVENTS


async def test_n_adds_an_event_by_form(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        form = await form_open(pilot, NewEventForm)
        assert form.values()["effective"] == "2025-01-10"
        await set_input(pilot, form, "id", "us-ban")
        assert "already used" in form.error_of("id")
        await set_input(pilot, form, "id", "tiktok-links")
        await set_input(pilot, form, "title", "Links cut [b]off[/b]")
        form.query_one("#f-kind", Select).value = "link_cutoff"
        await set_input(pilot, form, "platforms", "tiktok")
        await set_input(pilot, form, "regions", "us")
        form.query_one("#f-status", Select).value = "announced"
        await set_input(pilot, form, "effective", "2025-02-15")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        text = (cfg / "events.toml").read_text()
        assert text.startswith(EVENTS)
        added = text[len(EVENTS) :]
        assert 'id = "tiktok-links"' in added and 'kind = "link_cutoff"' in added
        assert 'platforms = ["tiktok"]' in added and 'regions = ["US"]' in added
        assert "effective = 2025-02-15" in added and "probability" not in added
        await wait_for(
            pilot,
            lambda: app.loaded is not None and any(e.id == "tiktok-links" for e in app.loaded.evaluation.events),
        )


async def test_a_new_event_missing_required_fields_is_refused(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("n")
        form = await form_open(pilot, NewEventForm)
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert form.error_of("id") == "required" and form.error_of("title") == "required"
        assert form.error_of("platforms") == "required"
        assert form.query_one("#f-id", Input).has_focus
        assert app.screen is form and (cfg / "events.toml").read_text() == EVENTS


async def test_the_demo_config_offers_no_forms(tmp_path: Path) -> None:
    app = create_app(None, tmp_path / "history.json", NOW)
    seen = toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        for key in ("c", "E", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.id == "dashboard"
        assert sum("riskmon config init" in s for s in seen) == 3
