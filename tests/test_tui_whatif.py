"""The what-if screen (`w`) driven through App.run_test(): its numbers equal `assess()` on an edited
copy of the config and `riskmon what-if --format json` for the same overrides; stress; invalid
values; scenarios saved, loaded and run by the CLI; applying to the config after a confirmation."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from riskmon.core.engine import assess
from riskmon.core.scenario import ScenarioError, make_override
from riskmon.present import formats
from riskmon.present.text import money
from riskmon.sources.config.load import load_config
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.screens.whatif import WhatIfScreen, parse_field
from riskmon.usecases.whatif import run as compute
from tests.support import LINK_CUTOFF_EVENT, WHATIF_EVENTS, asked, cell, validated, wait_for, write_config
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.tui_support import running

NOW = datetime(2025, 1, 10, tzinfo=UTC)
NOW_ISO = "2025-01-10T00:00:00Z"

# the what-if events and a third, a link cut-off
EVENTS = WHATIF_EVENTS + "\n" + LINK_CUTOFF_EVENT

pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


def cli(tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("RISKMON_CONFIG", "RISKMON_DB")}
    env.update({"NO_COLOR": "1", "RISKMON_DATA": str(tmp_path / "cli-data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    out = subprocess.run(
        [sys.executable, "-m", "riskmon", "what-if", "--now", NOW_ISO, "--offline", "--format", "json", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    doc: dict[str, Any] = json.loads(out.stdout)
    return doc


def as_json(x: Any) -> Any:
    """`x` as the CLI's JSON has it (a part of a document carries no `"schema"` of its own)."""
    doc = json.loads(formats.to_json(x))
    if isinstance(doc, dict) and "schema" not in x:
        del doc["schema"]
    return doc


async def open_whatif(pilot: Pilot[Any]) -> WhatIfScreen:
    app: RiskmonApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.loaded is not None)
    await pilot.press("w")
    await wait_for(pilot, lambda: isinstance(app.screen, WhatIfScreen) and app.screen.outcome is not None)
    screen = app.screen
    assert isinstance(screen, WhatIfScreen)
    await settled(pilot, screen)
    return screen


async def settled(pilot: Pilot[Any], screen: WhatIfScreen) -> None:
    await pilot.pause()
    await wait_for(pilot, lambda: not screen.pending and screen._timer is None)
    await pilot.pause()


async def put(pilot: Pilot[Any], screen: WhatIfScreen, target: str, text: str) -> None:
    w = screen.input_for(target)
    assert w is not None, target
    if isinstance(w, Select):
        w.value = text
    else:
        # Set the whole text at once: typing it key by key would let a loaded machine assess the
        # intermediate values ("0" on the way to "0.9"), which are real scenarios of their own.
        w.focus()
        w.value = text
    await settled(pilot, screen)


SETS = {
    "us-ban.status": "confirmed",
    "us-ban.probability": "0.8",
    "amazon-fees.effective": "2025-01-20",
    "tiktok-us.order_share": "0.25",
    "amazon-us.order_share": "0.55",
    "tiktok-us.inventory_value": "20000",
    "tiktok-us.pending_payouts": "5000",
}


# ---------------------------------------------------------------------------------------------


def test_parse_field() -> None:

    ev = validated(
        "Event",
        {
            "id": "x",
            "title": "t",
            "kind": "ban",
            "platforms": ["tiktok"],
            "status": "paused",
            "effective": "2025-01-19",
        },
    )
    assert parse_field("event", "x", "probability", "", ev) is None  # empty: the status default, as now
    assert parse_field("event", "x", "probability", "35%", ev) == make_override("x.probability", 0.35)
    assert parse_field("event", "x", "effective", "2025-01-19", ev) is None
    assert parse_field("event", "x", "effective", "2025-02-01", ev) == make_override("x.effective", "2025-02-01")
    ch = validated("Channel", {"id": "c", "platform": "amazon", "order_share": 0.3})
    assert parse_field("channel", "c", "order_share", "0.30", ch) is None
    assert parse_field("channel", "c", "inventory_value", "1_000", ch) == make_override("c.inventory_value", 1000.0)
    for bad in ("abc", "1.5", "-1"):
        with pytest.raises(ScenarioError, match=r"c\.order_share"):
            parse_field("channel", "c", "order_share", bad, ch)


async def test_numbers_equal_assess_on_an_edited_copy_and_the_cli(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        assert w.outcome is not None and w.outcome.delta.score == 0 and not w.outcome.changes
        for target, text in SETS.items():
            await put(pilot, w, target, text)
        o = w.outcome
        assert o is not None and w.error is None
        assert {x.target for x in o.overrides} == set(SETS)

        # 1. assess() on a copy of the config with the same values written in by hand.
        copy = tmp_path / "edited"
        shutil.copytree(cfg, copy)
        exp = (
            EXPOSURE.replace("order_share = 0.5 ", "order_share = 0.25")
            .replace("order_share = 0.3\n", "order_share = 0.55\n")
            .replace("inventory_value = 50000", "inventory_value = 20000")
            .replace("pending_payouts = 10000", "pending_payouts = 5000")
        )
        evs = EVENTS.replace('status = "paused"', 'status = "confirmed"\nprobability = 0.8').replace(
            "effective = 2025-03-01", "effective = 2025-01-20"
        )
        (copy / "exposure.toml").write_text(exp)
        (copy / "events.toml").write_text(evs)
        edited = load_config(copy)
        ref = assess(edited.profile, list(edited.events), NOW, edited.settings)
        s = o.scenario
        assert (s.level, s.score, s.runway_weeks, s.expected_loss) == (
            ref.level,
            ref.score,
            ref.runway_weeks,
            ref.expected_loss,
        )
        assert {e.id: e.expected_loss for e in s.events} == {e.id: e.expected_loss for e in ref.events}
        base = assess(load_config(cfg).profile, list(load_config(cfg).events), NOW, edited.settings)
        assert o.baseline.score == base.score and o.baseline.expected_loss == base.expected_loss

        # 2. `riskmon what-if --format json` with the same --set values.
        doc = cli(tmp_path, "--config", str(cfg), *(a for t, v in SETS.items() for a in ("--set", f"{t}={v}")))
        assert as_json(o.delta.to_dict()) == doc["delta"]
        assert as_json(formats.assessment_to_dict(o.scenario, feeds=[])) == doc["scenario"]
        assert as_json(formats.assessment_to_dict(o.baseline, feeds=[])) == doc["baseline"]

        # 3. The tables show those numbers.
        summary = w.query_one("#wi-summary", DataTable)
        assert cell(summary, "score", "baseline") == f"{base.score:.1f}"
        assert cell(summary, "score", "scenario") == f"{ref.score:.1f}"
        assert cell(summary, "level", "scenario") == ref.level.name
        assert cell(summary, "expected loss", "scenario") == money(ref.expected_loss, "USD")
        events = w.query_one("#wi-events", DataTable)
        for d in o.delta.events:
            shown = cell(events, d.id, "scenario")
            assert shown == ("—" if d.scenario is None else money(d.scenario, "USD"))
        note = str(w.query_one("#wi-note", Static).render())
        assert "tiktok-us.order_share: 0.5 -> 0.25" in note
        assert "amazon-fees.effective: 2025-03-01 -> 2025-01-20" in note


async def test_stress_switch_equals_cli_stress(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        await pilot.press("ctrl+t")
        await settled(pilot, w)
        assert w.stress and w.outcome is not None and w.outcome.stress
        await put(pilot, w, "link-cutoff.probability", "0")  # take one event out of the stress test
        doc = cli(tmp_path, "--config", str(cfg), "--stress", "--set", "link-cutoff.probability=0")
        assert as_json(w.outcome.delta.to_dict()) == doc["delta"]
        assert "stress" in str(w.query_one("#wi-note", Static).render())
        await pilot.press("ctrl+t")
        await settled(pilot, w)
        assert not w.outcome.stress


async def test_invalid_values_show_errors_and_keep_the_last_scenario(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(80, 24)) as pilot:
        w = await open_whatif(pilot)
        assert w.has_class("-narrow")
        await put(pilot, w, "tiktok-us.order_share", "0.4")
        good = w.outcome
        await put(pilot, w, "tiktok-us.order_share", "abc")
        box = w.input_for("tiktok-us.order_share")
        assert isinstance(box, Input) and box.has_class("-invalid")
        assert w.error and "tiktok-us.order_share" in w.error and w.outcome is good
        note = str(w.query_one("#wi-note", Static).render())
        assert "tiktok-us.order_share" in note and "last valid" in note
        # Valid alone, but the shares add up to more than 1: the scenario rules say so.
        await put(pilot, w, "tiktok-us.order_share", "0.9")
        assert w.error is not None and "tiktok-us.order_share=0.9" in w.error and "at most 1" in w.error, w.error
        assert w.outcome is good
        await put(pilot, w, "us-ban.effective", "someday")
        await pilot.press("ctrl+r")  # reset: every value back to the config's
        await settled(pilot, w)
        assert w.error is None and w.outcome is not None and not w.outcome.overrides


async def test_scenarios_save_load_and_run_in_the_cli(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        await put(pilot, w, "us-ban.status", "confirmed")
        await put(pilot, w, "tiktok-us.order_share", "0.175")
        await put(pilot, w, "amazon-us.order_share", "0.625")
        name = w.query_one("#wi-name", Input)
        name.value = "ban-move-half"
        await pilot.press("ctrl+s")
        path = cfg / "scenarios" / "ban-move-half.toml"
        await wait_for(pilot, path.exists)
        saved = w.outcome
        assert saved is not None
        doc = cli(tmp_path, "--config", str(cfg), "--scenario", "ban-move-half")
        assert as_json(saved.delta.to_dict()) == doc["delta"]
        listed = w.query_one("#wi-saved", OptionList)
        await wait_for(pilot, lambda: any(o.id == "ban-move-half" for o in listed.options))

        # A scenario written by hand (with a field the form has no input for) loads too.
        (cfg / "scenarios" / "cash.toml").write_text(
            '[scenario]\nname = "cash"\nstress = false\n\n[[set]]\ntarget = "business.cash_on_hand"\nvalue = 10000\n'
            '\n[[set]]\ntarget = "us-ban.probability"\nvalue = 0.95\n'
        )
        await pilot.press("ctrl+r")
        await settled(pilot, w)
        w.load("cash")
        await wait_for(pilot, lambda: w.query_one("#wi-name", Input).value == "cash")
        await settled(pilot, w)
        assert [str(x) for x in w.extras] == ["business.cash_on_hand=10000"]
        assert w.input_for("us-ban.probability").value == "0.95"  # type: ignore[union-attr]
        assert "business.cash_on_hand=10000" in str(w.query_one("#wi-extra", Static).render())
        doc = cli(tmp_path, "--config", str(cfg), "--scenario", "cash")
        assert as_json(w.outcome.delta.to_dict()) == doc["delta"]  # type: ignore[union-attr]

        # Loading the first one again from the list puts its values back into the form.
        listed.focus()
        listed.highlighted = next(i for i, o in enumerate(listed.options) if o.id == "ban-move-half")
        await pilot.press("enter")
        await wait_for(pilot, lambda: w.query_one("#wi-name", Input).value == "ban-move-half")
        await settled(pilot, w)
        assert w.extras == ()
        assert w.input_for("tiktok-us.order_share").value == "0.175"  # type: ignore[union-attr]
        assert as_json(w.outcome.delta.to_dict()) == as_json(saved.delta.to_dict())  # type: ignore[union-attr]

        # Saving under a used name asks first.
        await pilot.press("ctrl+s")
        q = await asked(pilot)
        assert "Replace" in str(q.query_one("#choice-title").render())
        await pilot.press("escape")


async def test_apply_to_config_is_confirmed_and_keeps_comments(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        await put(pilot, w, "us-ban.status", "confirmed")
        await put(pilot, w, "us-ban.effective", "2025-02-01")
        await put(pilot, w, "tiktok-us.order_share", "0.4")
        scenario_score = w.outcome.scenario.score  # type: ignore[union-attr]
        await pilot.press("ctrl+g")
        q = await asked(pilot)
        body = str(q.query_one("#choice-text").render())
        assert "exposure.toml: channels[tiktok-us].order_share: 0.5 -> 0.4" in body
        assert "events.toml: events[us-ban].ends: 2025-04-05 -> 2025-04-18 (moved with effective)" in body
        await pilot.press("enter")  # Cancel has the focus
        await wait_for(pilot, lambda: app.screen is w)
        assert (cfg / "exposure.toml").read_text() == EXPOSURE and (cfg / "events.toml").read_text() == EVENTS

        await pilot.press("ctrl+g")
        await asked(pilot)
        await pilot.click("#choice-apply")
        await wait_for(pilot, lambda: "order_share = 0.4" in (cfg / "exposure.toml").read_text())
        assert (cfg / "exposure.toml").read_text() == EXPOSURE.replace("order_share = 0.5 ", "order_share = 0.4 ")
        events = (cfg / "events.toml").read_text()
        assert 'status = "confirmed"            # EO 14166' in events
        assert "effective = 2025-02-01\nends = 2025-04-18\n" in events
        # The app reloads; the what-if follows: the config now is the scenario.
        await wait_for(
            pilot,
            lambda: (
                w.evaluation.config.profile.channels[0].order_share == 0.4
                and not w.pending
                and w.outcome is not None
                and not w.outcome.overrides
            ),
        )
        assert w.outcome is not None and w.outcome.baseline.score == scenario_score


async def test_stress_and_the_demo_cannot_be_applied_or_saved(tmp_path: Path, cfg: Path) -> None:
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        await pilot.press("ctrl+t")
        await settled(pilot, w)
        await pilot.press("ctrl+g")
        await pilot.pause(0.2)
        assert app.screen is w  # no confirmation: refused
        assert (cfg / "events.toml").read_text() == EVENTS
    demo = create_app(None, tmp_path / "history2.json", NOW)
    async with running(demo, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        first = w.outcome.baseline.events[0].id  # type: ignore[union-attr]
        await put(pilot, w, f"{first}.probability", "0.1")
        w.query_one("#wi-name", Input).value = "demo-try"
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+g")
        await pilot.pause(0.2)
        assert demo.screen is w
        assert not (w.evaluation.config.path / "scenarios").exists()
        assert w.outcome is not None and w.outcome.overrides  # the what-if itself works on the demo


async def test_compute_is_what_the_cli_computes_for_feeds_too(tmp_path: Path) -> None:
    """The pure function on the bundled demo (catalog events only, no screen)."""
    from riskmon.core.scenario import make_override as mo
    from riskmon.usecases.evaluate import evaluate

    ev = evaluate(None, NOW, offline=True)
    first = ev.assessment.events[0].id
    o = compute(ev, [mo(f"{first}.probability", "0.1")], stress=False)
    doc = cli(tmp_path, "--set", f"{first}.probability=0.1")
    assert as_json(o.delta.to_dict()) == doc["delta"]


async def test_a_failed_apply_is_reported_even_to_someone_leaving(
    tmp_path: Path, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from riskmon.errors import RiskmonError
    from riskmon.sources.config import edit as configedit
    from tests import support

    started, disk = threading.Event(), threading.Event()

    def failing_write(*args: Any, **kw: Any) -> Any:
        started.set()
        disk.wait(10)  # a slow disk, for as long as the test needs
        raise RiskmonError("disk full")

    monkeypatch.setattr(configedit, "apply_edits", failing_write)
    app = create_app(cfg, tmp_path / "history.json", NOW)
    seen = support.spy_notify(app, lambda title, message: message)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        await put(pilot, w, "tiktok-us.order_share", "0.4")
        await pilot.press("ctrl+g")
        await asked(pilot)
        await pilot.click("#choice-apply")
        await wait_for(pilot, started.is_set)
        await pilot.press("escape")  # leaving while it is written: the screen waits for the answer
        await wait_for(pilot, lambda: any("Still writing" in s for s in seen))
        assert app.screen is w
        disk.set()
        await wait_for(pilot, lambda: any("Not applied: disk full" in s for s in seen))
        assert app.screen is w
        await pilot.press("escape")  # answered: now it leaves
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        assert (cfg / "exposure.toml").read_text() == EXPOSURE


async def test_the_scenario_chosen_last_is_the_one_loaded(
    tmp_path: Path, cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import riskmon.sources.scenarios as sf

    (cfg / "scenarios").mkdir()
    for name, p in [("slow", "0.2"), ("quick", "0.9")]:
        (cfg / "scenarios" / f"{name}.toml").write_text(
            f'[scenario]\nname = "{name}"\nstress = false\n\n[[set]]\ntarget = "us-ban.probability"\nvalue = {p}\n'
        )
    real = sf.load_scenario

    def slow_for_slow(config_dir: Path, name: str) -> Any:
        if name == "slow":
            time.sleep(0.5)
        return real(config_dir, name)

    monkeypatch.setattr(sf, "load_scenario", slow_for_slow)
    app = create_app(cfg, tmp_path / "history.json", NOW)
    async with running(app, size=(140, 45)) as pilot:
        w = await open_whatif(pilot)
        w.load("slow")
        await pilot.pause(0.05)
        w.load("quick")
        await wait_for(pilot, lambda: w.query_one("#wi-name", Input).value == "quick")
        await pilot.pause(0.8)  # the slow one has finished meanwhile
        assert w.query_one("#wi-name", Input).value == "quick"
        assert w.input_for("us-ban.probability").value == "0.9"  # type: ignore[union-attr]
