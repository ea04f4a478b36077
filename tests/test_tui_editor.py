"""The config editor screen (`e`) driven through App.run_test(): validation as you type, jumping to
problems, saves that keep comments, invalid text that never reaches disk (a draft instead),
conflicts, unsaved-change prompts, switching files and the read-only demo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Select

from riskmon.errors import Problem
from riskmon.tui.app import RiskmonApp, create_app
from riskmon.tui.screens.config_editor import ConfigEditorScreen, problem_label, problem_position
from tests import support
from tests.support import asked, wait_for

NOW = datetime(2025, 1, 10, tzinfo=UTC)

EXPOSURE = """\
# the business: comments must survive every save
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
inventory_value = 420000
pending_payouts = 65000

[[channels]]
id = "amazon-us"
platform = "amazon"
regions = ["US"]
order_share = 0.2
"""

EVENTS = """\
# local catalog
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"         # upheld
effective = 2025-01-19
"""


pytestmark = pytest.mark.usefixtures("isolated_env")


def write_config(root: Path) -> Path:
    return support.write_config(root, exposure=EXPOSURE, events=EVENTS)


async def open_editor(pilot: Pilot[Any]) -> ConfigEditorScreen:
    app: RiskmonApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: app.loaded is not None)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditorScreen) and app.screen.is_open)
    screen = app.screen
    assert isinstance(screen, ConfigEditorScreen)
    await settled(pilot, screen)
    return screen


async def settled(pilot: Pilot[Any], screen: ConfigEditorScreen) -> None:
    """Wait until the debounced check of the text as it is now has come back."""
    await pilot.pause()  # a change made just now posts its message first
    await wait_for(pilot, lambda: screen.checked and screen._timer is None)
    await pilot.pause()


def toasts(app: RiskmonApp) -> list[str]:
    return support.spy_notify(app, lambda title, message: f"{title}: {message}")


def make(tmp_path: Path, cfg: Path | None = None) -> RiskmonApp:
    return create_app(cfg or write_config(tmp_path), tmp_path / "history.json", NOW)


# ---------------------------------------------------------------------------------------------


def test_problem_label_and_position() -> None:
    text = "[business]\nname = 'x'\n  gross_margn = 0.3\n"
    p = Problem("/c/exposure.toml", 3, "business.gross_margn", "unknown key")
    assert problem_label(p, "exposure.toml") == "line 3: business.gross_margn: unknown key"
    assert problem_position(p, "exposure.toml", text) == (2, 2)
    other = Problem("/c/events.toml", 7, "events[0].id", "duplicate\x1b[31m")
    assert problem_label(other, "exposure.toml") == "events.toml:7: events[0].id: duplicate"
    assert problem_position(other, "exposure.toml", text) is None
    assert problem_position(Problem("/c/exposure.toml", None, "", "x"), "exposure.toml", text) is None
    assert problem_position(Problem("/c/exposure.toml", 99, "", "x"), "exposure.toml", text) == (3, 0)


async def test_validates_as_you_type_and_jumps_to_each_problem(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        assert ed.editor.text == EXPOSURE and ed.editor.has_focus
        assert not ed.problems and "valid" in str(ed.query_one("#ed-status").render())
        # Type a typo into line 5 ("gross_margin" -> "gross_margn"), key by key.
        ed.editor.move_cursor((4, len("gross_marg")))
        await pilot.press("delete")
        ed.editor.move_cursor((14, len("order_share = 0.")))
        await pilot.press("delete", "delete", *"9")  # 0.55 -> 0.9: shares add up to 1.1
        assert not ed.checked  # a check is pending (debounced)
        await settled(pilot, ed)
        texts = [problem_label(p, "exposure.toml") for p in ed.problems]
        assert any(t.startswith("line 5: business.gross_margn") for t in texts), texts
        assert "problem" in str(ed.query_one("#ed-status").render())
        box = ed.query_one("#ed-problems", OptionList)
        assert box.option_count == len(ed.problems)
        # f8 and enter on a problem put the cursor on its line, at its key.
        ed.editor.move_cursor((0, 0))
        await pilot.press("f8")
        first = ed.problems[0]
        assert ed.editor.cursor_location == problem_position(first, "exposure.toml", ed.editor.text)
        box.focus()
        await pilot.press("home", "enter")
        assert ed.editor.has_focus
        assert ed.editor.cursor_location[0] == (first.line or 1) - 1
        # Fixing the text clears the list.
        ed.editor.text = EXPOSURE
        await settled(pilot, ed)
        assert ed.problems == [] and box.option_count == 0
        assert not ed.modified


async def test_ctrl_s_saves_only_the_change_and_the_dashboard_reloads(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        ed.editor.move_cursor((14, len("order_share = ")))
        await pilot.press(*"0.5", "delete", "delete", "delete", "delete")  # 0.55 -> 0.5
        assert "order_share = 0.5           # more than half" in ed.editor.text
        await settled(pilot, ed)
        assert ed.problems == []
        await pilot.press("ctrl+s")
        expected = EXPOSURE.replace("order_share = 0.55", "order_share = 0.5")
        await wait_for(pilot, lambda: (cfg / "exposure.toml").read_text() == expected)
        await wait_for(pilot, lambda: not ed.modified)
        assert "modified" not in str(ed.query_one("#ed-status").render())
        # The dashboard reassesses with the saved file.
        await wait_for(
            pilot,
            lambda: app.loaded is not None and app.loaded.evaluation.config.profile.channels[0].order_share == 0.5,
        )
        await pilot.press("escape")  # nothing unsaved: straight back
        await wait_for(pilot, lambda: app.screen.id == "dashboard")


async def test_invalid_text_never_reaches_disk_and_is_kept_as_a_draft(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        broken = EXPOSURE.replace("gross_margin = 0.35", "gross_margin = 1.35").replace(
            "[[channels]]\nid", "[[channels\nid", 1
        )
        ed.editor.text = broken
        await pilot.press("ctrl+s")  # before the debounced check has run: the save checks again
        await asked(pilot)
        assert (cfg / "exposure.toml").read_text() == EXPOSURE
        assert ed.problems and ed.checked
        assert not (cfg / "exposure.toml.draft").exists()
        await pilot.click("#choice-draft")
        await wait_for(pilot, lambda: (cfg / "exposure.toml.draft").exists())
        assert (cfg / "exposure.toml.draft").read_text() == broken
        assert (cfg / "exposure.toml").read_text() == EXPOSURE
        # ctrl+d keeps a draft too (of the text as it is now).
        ed.editor.text = broken + "# more\n"
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: (cfg / "exposure.toml.draft").read_text() == broken + "# more\n")
        # Leaving: discard. Opening again offers the draft; the draft opens as unsaved text.
        await pilot.press("escape")
        await asked(pilot)
        await pilot.click("#choice-discard")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        await pilot.press("e")
        await asked(pilot)
        await pilot.press("enter")  # "Open the draft" has the focus
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditorScreen))
        ed2 = app.screen
        assert isinstance(ed2, ConfigEditorScreen)
        await wait_for(pilot, lambda: ed2.editor.text == broken + "# more\n")
        assert ed2.modified
        # Fixed and saved: the file changes, the draft goes.
        ed2.editor.text = EXPOSURE.replace("cash_on_hand = 150000", "cash_on_hand = 170000")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "cash_on_hand = 170000" in (cfg / "exposure.toml").read_text())
        await wait_for(pilot, lambda: not (cfg / "exposure.toml.draft").exists())
        assert (cfg / "exposure.toml").read_text().startswith("# the business: comments must survive every save\n")


async def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        theirs = EXPOSURE.replace("cash_on_hand = 150000", "cash_on_hand = 1")
        (cfg / "exposure.toml").write_text(theirs)
        ed.editor.text = EXPOSURE.replace("cash_on_hand = 150000", "cash_on_hand = 2")
        await pilot.press("ctrl+s")
        await asked(pilot)
        assert "changed on disk" in str(app.screen.query_one("#choice-title").render())
        assert (cfg / "exposure.toml").read_text() == theirs
        await pilot.click("#choice-reload")  # mine kept as a draft; the file reloaded
        await wait_for(pilot, lambda: app.screen is ed and ed.is_open and ed.editor.text == theirs)
        await wait_for(pilot, lambda: (cfg / "exposure.toml.draft").exists())
        assert "cash_on_hand = 2" in (cfg / "exposure.toml.draft").read_text()
        # The draft just set aside is not offered straight back: the next open offers it.
        await pilot.pause(0.3)
        assert app.screen is ed and not ed.modified


async def test_keep_as_draft_on_reload_and_leave_keeps_it_before_going(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        mine = EXPOSURE.replace("cash_on_hand = 150000", "cash_on_hand = 3")
        ed.editor.text = mine
        await pilot.press("ctrl+r")
        await asked(pilot)
        await pilot.click("#choice-draft")
        await wait_for(pilot, lambda: app.screen is ed and ed.is_open and ed.editor.text == EXPOSURE)
        assert (cfg / "exposure.toml.draft").read_text() == mine
        await pilot.pause(0.3)
        assert app.screen is ed  # no offer of the draft just kept
        # Leaving with a draft: the draft is on disk by the time the dashboard is back.
        ed.editor.text = mine + "# leaving\n"
        await pilot.press("escape")
        await asked(pilot)
        await pilot.click("#choice-draft")
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        assert (cfg / "exposure.toml.draft").read_text() == mine + "# leaving\n"


async def test_a_draft_that_cannot_be_kept_keeps_the_editor_open(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    seen = toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        (cfg / "exposure.toml.draft").mkdir()  # nothing can be written there
        ed.editor.text = EXPOSURE + "# precious\n"
        await pilot.press("escape")
        await asked(pilot)
        await pilot.click("#choice-draft")
        await wait_for(pilot, lambda: any("Draft not kept" in s for s in seen))
        await pilot.pause(0.2)
        assert app.screen is ed and ed.editor.text == EXPOSURE + "# precious\n"
        assert any("stays open" in s for s in seen)


async def test_unsaved_changes_ask_before_leaving_or_switching_files(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        await pilot.press(*"# note", "enter")
        assert ed.modified
        await pilot.press("escape")
        await asked(pilot)
        await pilot.press("enter")  # "Keep editing" has the focus
        await wait_for(pilot, lambda: app.screen is ed)
        assert ed.modified
        # Switching to events.toml asks too; keep editing puts the picker back.
        ed.query_one("#ed-file", Select).value = "events.toml"
        await asked(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is ed)
        assert ed.file_name == "exposure.toml" and ed.query_one("#ed-file", Select).value == "exposure.toml"
        # Discard and switch.
        ed.open_file("events.toml")
        await asked(pilot)
        await pilot.click("#choice-discard")
        await wait_for(pilot, lambda: ed.file_name == "events.toml" and ed.is_open and ed.editor.text == EVENTS)
        assert ed.query_one("#ed-file", Select).value == "events.toml"
        assert (cfg / "exposure.toml").read_text() == EXPOSURE
        # A missing file opens empty and is created on save (riskmon.toml: all defaults).
        ed.open_file("riskmon.toml")
        await wait_for(pilot, lambda: ed.file_name == "riskmon.toml" and ed.is_open)
        assert ed.editor.text == "" and ed.base is None
        ed.editor.text = "[thresholds]\nwarn = 35  # earlier warnings\n"
        await settled(pilot, ed)
        assert ed.problems == []
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (cfg / "riskmon.toml").exists())
        assert (cfg / "riskmon.toml").read_text() == "[thresholds]\nwarn = 35  # earlier warnings\n"


async def test_a_problem_in_another_file_is_listed_with_its_file(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        ed.open_file("events.toml")
        await wait_for(pilot, lambda: ed.file_name == "events.toml" and ed.is_open)
        await settled(pilot, ed)
        ed.editor.text = EVENTS + '\n[[events]]\nid = "us-ban"\ntitle = "again"\nkind = "ban"\n'
        await settled(pilot, ed)
        assert ed.problems
        labels = [problem_label(p, "events.toml") for p in ed.problems]
        assert all(label.startswith(("line", "file")) for label in labels), labels


async def test_the_bundled_demo_is_read_only(tmp_path: Path) -> None:
    app = create_app(None, tmp_path / "history.json", NOW)
    seen = toasts(app)
    async with app.run_test(size=(80, 24)) as pilot:
        ed = await open_editor(pilot)
        assert ed.read_only and ed.editor.read_only
        hint = str(ed.query_one("#ed-hint").render())
        assert "riskmon config init" in hint
        before = ed.path.read_text()
        await pilot.press("ctrl+s")
        await pilot.press("ctrl+d")
        await pilot.pause(0.2)
        assert any("riskmon config init" in s for s in seen)
        assert ed.path.read_text() == before
        assert not Path(str(ed.path) + ".draft").exists()
        await pilot.press("escape")  # nothing to lose: no prompt
        await wait_for(pilot, lambda: app.screen.id == "dashboard")


async def test_v_focuses_the_events_table(tmp_path: Path) -> None:
    app = make(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        await pilot.press("x")
        assert app.screen.query_one("#exposure").has_focus
        await pilot.press("v")
        assert app.screen.query_one("#events").has_focus


async def test_a_config_invalid_at_start_can_be_fixed_in_the_editor(tmp_path: Path) -> None:
    cfg = write_config(tmp_path)
    broken = EXPOSURE.replace("gross_margin = 0.35", "gross_margin = 3.5")
    (cfg / "exposure.toml").write_text(broken)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.screen.query_one("#banner").has_class("-shown"))
        assert app.loaded is None
        await pilot.press("w")  # nothing to compare with yet: a hint, no screen
        await pilot.pause()
        assert app.screen.id == "dashboard"
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigEditorScreen) and app.screen.is_open)
        ed = app.screen
        assert isinstance(ed, ConfigEditorScreen)
        await settled(pilot, ed)
        assert any(p.line == 5 and "gross_margin" in p.field for p in ed.problems)
        await pilot.press("f8")
        assert ed.editor.cursor_location == (4, 0)
        await pilot.press("end", "backspace", "backspace", "backspace", *"0.35")  # 3.5 -> 0.35
        await settled(pilot, ed)
        assert ed.problems == [] and "gross_margin = 0.35" in ed.editor.text
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: (cfg / "exposure.toml").read_text() == EXPOSURE)
        await wait_for(pilot, lambda: app.loaded is not None)


async def test_saving_twice_quickly_is_one_save_not_a_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from riskmon.sources.config import edit as configedit

    real = configedit.save_text
    started, disk = threading.Event(), threading.Event()

    def slow_save(*args: Any, **kw: Any) -> Any:
        started.set()
        disk.wait(10)  # a slow disk: more keys come while the first save is being written
        return real(*args, **kw)

    monkeypatch.setattr(configedit, "save_text", slow_save)
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    seen = toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        mine = EXPOSURE.replace("cash_on_hand = 150000", "cash_on_hand = 4")
        ed.editor.text = mine
        await pilot.press("ctrl+s")
        await wait_for(pilot, started.is_set)
        await pilot.press("ctrl+s", "ctrl+d")  # a draft now would be removed by the save
        await wait_for(pilot, lambda: any("Still saving" in t for t in seen))
        disk.set()
        await wait_for(pilot, lambda: (cfg / "exposure.toml").read_text() == mine and not ed.modified)
        assert not (cfg / "exposure.toml.draft").exists()
        await pilot.press("ctrl+s")  # nothing to save, nothing to ask: the base is the file now
        await pilot.pause(0.5)
        assert app.screen is ed
        assert not any("changed on disk" in t for t in seen)


async def test_escape_while_the_leaving_draft_is_written_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from riskmon.sources.config import edit as configedit
    from riskmon.tui.widgets.choice import ChoiceScreen

    real = configedit.save_draft
    started, disk = threading.Event(), threading.Event()

    def slow_draft(*args: Any, **kw: Any) -> Any:
        started.set()
        disk.wait(10)
        return real(*args, **kw)

    monkeypatch.setattr(configedit, "save_draft", slow_draft)
    cfg = write_config(tmp_path)
    app = make(tmp_path, cfg)
    async with app.run_test(size=(120, 40)) as pilot:
        ed = await open_editor(pilot)
        ed.editor.text = EXPOSURE + "# later\n"
        await pilot.press("escape")
        await asked(pilot)
        await pilot.click("#choice-draft")
        await wait_for(pilot, started.is_set)
        await pilot.press("escape")  # impatient: no second question, and the editor still closes
        await pilot.pause()
        assert app.screen is ed and not isinstance(app.screen, ChoiceScreen)
        disk.set()
        await wait_for(pilot, lambda: app.screen.id == "dashboard")
        await pilot.pause(0.2)
        assert app.screen.id == "dashboard" and len(app.screen_stack) == 2
        assert (cfg / "exposure.toml.draft").read_text() == EXPOSURE + "# later\n"
