"""Simplified Chinese in the fleet overview (`fleet check` text and the fleet screen: state line,
headline, headers, each profile's top reason) and in what-if (why an override's text is not a value
of its field, "status default" for a cleared probability, `riskmon what-if`'s text), in the CLI and
the TUI; English and Nagios byte for byte as before."""

from __future__ import annotations

import ast
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from riskmon import i18n
from riskmon.core import overrides as ov
from riskmon.core.scenario import ScenarioError, coerce_value, parse_set
from riskmon.present.whatif import OVERRIDE_MESSAGES, said
from riskmon.tui.screens.fleet import FleetApp, FleetTable
from riskmon.tui.screens.whatif import WhatIfScreen
from tests.fleet_support import EVENTS, make_fleet
from tests.fleet_support import riskmon as fleet_riskmon
from tests.support import screen_text, spy_notify, wait_for
from tests.test_i18n import has_chinese, run
from tests.test_i18n_catalog import allowed_words, english_left
from tests.test_i18n_tui import KEYS, demo
from tests.test_i18n_tui_screens import chinese_app, english_on_screen, open_screen

__all__ = ["demo"]  # the fixture, shared with the dashboard's tests
pytestmark = pytest.mark.usefixtures("isolated_lang")

FLEET_NOW = "2025-01-10"
WHATIF_NOW = "2025-05-01"
CLEARED = "us-tiktok-shop-payout-hold"
"""A demo event with a probability of its own (0.1), so clearing it changes something."""


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """Six sellers (one with a Chinese business name) and one broken on purpose."""
    return make_fleet(tmp_path / "fleet", 6, broken={5: "range"})


def fleet_words(fleet: Path, demo: Path) -> set[str]:
    """What is data in the fleet: profile names, the events' ids, the platforms, and the broken
    profile's field (a config key, named as written)."""
    events = tomllib.loads(EVENTS)["events"]
    names = {p.name for p in fleet.iterdir()}
    data = {"amazon", "tiktok", "shopify", "business.monthly_revenue"}
    return allowed_words(demo) | names | {e["id"] for e in events} | data


def fleet_text(tmp_path: Path, fleet: Path, *args: str, lang: str | None = None) -> str:
    flag = ["--lang", lang] if lang else []
    r = fleet_riskmon(tmp_path, *flag, "fleet", "check", str(fleet), "--now", FLEET_NOW, "--no-history", *args)
    assert r.returncode == 2, r.stdout + r.stderr  # one seller is CRITICAL
    return r.stdout


# ---------------------------------------------------------------------------------------------
# Fleet: the CLI


def test_fleet_check_text_is_chinese_but_its_data(tmp_path: Path, fleet: Path, demo: Path) -> None:
    text = fleet_text(tmp_path, fleet, lang="zh-CN")
    first, _, header, *rows = text.splitlines()
    assert first.startswith("RISKMON 店铺组 CRITICAL - 6 个档案：") and "1 CRITICAL、1 UNKNOWN" in first, first
    assert header.split() == ["档案", "级别", "风险分", "现金最低点", "缺口概率", "首要原因"]
    assert all(has_chinese(row) for row in rows), text  # every top reason (the broken one's too)
    assert not english_left(text, fleet_words(fleet, demo)), text


def test_fleet_check_in_english_and_nagios_are_unchanged(tmp_path: Path, fleet: Path) -> None:
    text = fleet_text(tmp_path, fleet)
    assert text.startswith("RISKMON FLEET CRITICAL - 6 profiles: 1 CRITICAL, 1 UNKNOWN")
    assert "PROFILE      LEVEL     SCORE  LOWEST CASH  SHORTFALL  TOP REASON" in text
    assert "(in 9 d) would remove" in text and "below warning 40" in text
    nagios = fleet_text(tmp_path, fleet, "-f", "nagios")
    assert fleet_text(tmp_path, fleet, "-f", "nagios", lang="zh-CN") == nagios
    assert nagios.startswith("RISKMON FLEET CRITICAL - 6 profiles: ") and not has_chinese(nagios.split("|")[0])


# ---------------------------------------------------------------------------------------------
# Fleet: the TUI


async def test_the_fleet_screen_is_chinese_but_its_data(tmp_path: Path, fleet: Path, demo: Path) -> None:
    i18n.setup("zh-CN", {})  # as `riskmon --lang zh-CN --fleet DIR` does before the app is built
    app = FleetApp(fleet, tmp_path / "data", datetime.fromisoformat(FLEET_NOW).replace(tzinfo=UTC))
    async with app.run_test(size=(260, 30)) as pilot:  # wide: the broken profile's path shows whole
        table = app.overview.query_one(FleetTable)
        summary = app.overview.query_one("#summary", Static)
        await wait_for(pilot, lambda: table.row_count == 6 and "6 个档案" in str(summary.render()), timeout=30)
        # Every profile assessed (none left "not assessed yet"): the headline counts one UNKNOWN.
        await wait_for(pilot, lambda: "1 UNKNOWN、" in str(summary.render()), timeout=30)
        await pilot.pause()
        text = screen_text(app)
        assert "CRITICAL - 6 个档案：1 CRITICAL、1 UNKNOWN" in text, text
        assert "会砍掉" in text and "风险分" in text, text  # the rules' reasons, rebuilt in Chinese
        shown = {w for w in english_left(text, fleet_words(fleet, demo)) if w not in KEYS}
        assert not shown, text


# ---------------------------------------------------------------------------------------------
# What-if: the core's messages as data, the presenter's words


BAD_SETS = (
    "us-ban.probability",
    "nodot=1",
    "us-ban.colour=1",
    "acme.cash_on_hand=5",
    "tiktok-us.order_share=none",
    "us-ban.status=maybe",
    "us-ban.effective=tomorrow",
    "tiktok-us.order_share=abc",
    "tiktok-us.deposit=abc",
    "tiktok-us.deposit=nan",
)


def test_every_core_template_is_marked_with_the_same_english() -> None:
    assert set(OVERRIDE_MESSAGES) == set(ov.TEMPLATES)
    assert all(marked == template for template, marked in OVERRIDE_MESSAGES.items())


@pytest.mark.parametrize("text", BAD_SETS)
def test_a_bad_set_says_the_same_in_english_and_chinese_in_zh_cn(text: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_set(text)
    exc = caught.value
    assert exc.why is not None and said(exc) == exc.message  # English: the core's own text
    i18n.activate("zh-CN")
    try:
        assert has_chinese(said(exc)), said(exc)
    finally:
        i18n.activate(i18n.ENGLISH)


def test_other_values_are_typed_and_booleans_and_toml_dates_are_explained() -> None:
    with pytest.raises(ScenarioError) as caught:
        coerce_value("x.deposit", "deposit", True)
    assert caught.value.message == "x.deposit: expected a number, got true"
    assert coerce_value("x.probability", "probability", "35%") == pytest.approx(0.35)


def test_the_core_never_imports_the_translations() -> None:
    core = Path(ov.__file__).parent
    for path in core.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{a.name}" for a in node.names]
            assert not [n for n in names if n.startswith("riskmon.i18n")], path


# ---------------------------------------------------------------------------------------------
# What-if: the CLI


def what_if(demo: Path, *args: str, lang: str | None = "zh-CN") -> Any:
    flag = ["--lang", lang] if lang else []
    return run(*flag, "what-if", "--config", str(demo), "--now", WHATIF_NOW, "--offline", *args)


@pytest.mark.parametrize("value", ["tiktok-us.order_share=abc", "tiktok-us.effective=tomorrow", "tiktok-us.colour=1"])
def test_a_bad_override_value_is_explained_in_chinese(demo: Path, value: str) -> None:
    r = what_if(demo, "--set", value)
    assert r.returncode == 3 and not r.stdout, r.stdout + r.stderr
    line = r.stderr.strip()
    assert line.startswith(f"riskmon: {value.split('=')[0]}：") and has_chinese(line), line
    target, typed = value.split("=")
    typed_words = {target, typed, target.rpartition(".")[2]}  # what was typed is data
    assert not english_left(line, allowed_words(demo) | typed_words), line
    with pytest.raises(ScenarioError) as caught:
        parse_set(value)
    english = what_if(demo, "--set", value, lang=None)
    assert english.returncode == 3 and english.stderr.strip() == f"riskmon: {caught.value.message}"


def test_a_cleared_probability_names_the_status_default_in_chinese(demo: Path) -> None:
    r = what_if(demo, "--set", f"{CLEARED}.probability=none", "-v")
    assert r.returncode == 0, r.stderr
    change = next(line for line in r.stdout.splitlines() if line.strip().startswith(f"{CLEARED}.probability"))
    assert change.strip() == f"{CLEARED}.probability: 0.1 -> 状态默认值 1", change
    assert "基准" in r.stdout and "情景" in r.stdout and "缺口概率" in r.stdout, r.stdout  # the table
    assert not english_left(r.stdout, allowed_words(demo) | {f"{CLEARED}.probability"}), r.stdout
    english = what_if(demo, "--set", f"{CLEARED}.probability=none", "-v", lang=None)
    assert f"{CLEARED}.probability: 0.1 -> status default 1" in english.stdout
    assert (
        "BASELINE" in english.stdout and "shortfall probability" in english.stdout and not has_chinese(english.stdout)
    )


# ---------------------------------------------------------------------------------------------
# What-if: the TUI


async def test_the_what_if_screen_explains_a_bad_value_and_a_cleared_probability_in_chinese(demo: Path) -> None:
    app = chinese_app(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_screen(pilot, "w", WhatIfScreen)
        screen: WhatIfScreen = app.screen  # type: ignore[assignment]

        async def put(target: str, text: str) -> None:
            box = screen.input_for(target)
            assert isinstance(box, Input), target
            box.focus()
            box.value = text
            await pilot.pause()
            await wait_for(pilot, lambda: not screen.pending, 30)
            await pilot.pause()

        await wait_for(pilot, lambda: screen.outcome is not None and not screen.pending, 30)
        await put(f"{CLEARED}.probability", "")
        await wait_for(pilot, lambda: bool(screen.outcome and screen.outcome.changes), 30)
        await wait_for(pilot, lambda: "状态默认值 1" in screen_text(app), 30)
        targets = {f"{CLEARED}.probability", "tiktok-us.order_share"}  # ID.FIELD: data
        assert not english_on_screen(app, demo) - targets, screen_text(app)

        await put("tiktok-us.order_share", "abc")
        await wait_for(pilot, lambda: screen.error is not None, 30)
        assert screen.error is not None and "tiktok-us.order_share：不是数字：'abc'" in screen.error, screen.error
        await pilot.pause()
        assert not english_on_screen(app, demo) - targets - {"abc"}, screen_text(app)


async def test_a_broken_scenario_file_is_explained_in_chinese_on_the_what_if_screen(demo: Path) -> None:
    (demo / "scenarios").mkdir(exist_ok=True)
    (demo / "scenarios" / "broken.toml").write_text('[scenario]\nname = "broken"\nstress = "yes"\n', encoding="utf-8")
    app = chinese_app(demo)
    async with app.run_test(size=(160, 45)) as pilot:
        await open_screen(pilot, "w", WhatIfScreen)
        screen: WhatIfScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: screen.outcome is not None and not screen.pending, 30)
        notes = spy_notify(app, lambda title, message: message)
        screen.load("broken")
        await wait_for(pilot, lambda: any("无法载入" in note for note in notes), 30)
        assert any("scenario.stress 必须是 true 或 false" in note for note in notes), notes
