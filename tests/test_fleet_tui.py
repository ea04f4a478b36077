"""The fleet overview (`riskmon --fleet DIR`) driven through App.run_test(): the table sorted by
state and score, `enter` opening a profile's dashboard with that profile's numbers, `esc` coming
back, a broken profile explained instead of opened, profiles appearing live."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from riskmon.tui.screens.dashboard import DashboardScreen
from riskmon.tui.screens.fleet import FleetApp, FleetScreen, FleetTable, ProfileDashboard
from tests.fleet_support import exposure, make_fleet, profile_name, riskmon
from tests.support import cell, row_keys, spy_notify, wait_for

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def fleet_levels(tmp_path: Path, fleet: Path) -> dict[str, dict[str, Any]]:
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--now", "2025-01-10", "--no-history")
    return {p["profile"]: p for p in json.loads(r.stdout)["profiles"]}


async def overview(pilot: Pilot[Any], rows: int) -> FleetTable:
    app = pilot.app
    assert isinstance(app, FleetApp)
    table = app.overview.query_one(FleetTable)
    await wait_for(pilot, lambda: table.row_count == rows, timeout=20)
    return app.overview.query_one(FleetTable)


async def test_the_overview_is_sorted_and_enter_opens_the_profiles_dashboard(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 8, broken={5: "syntax"})
    expected = fleet_levels(tmp_path, fleet)
    app = FleetApp(fleet, tmp_path / "data", NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await overview(pilot, 8)
        rank = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, "OK": 3}
        want = sorted(expected, key=lambda n: (rank[expected[n]["level"]], -(expected[n].get("score") or 0), n))
        # Rows appear as profiles load and move as their assessments land: wait for the last move.
        await wait_for(pilot, lambda: row_keys(table) == want, timeout=20)
        keys = want
        for name, doc in expected.items():
            assert cell(table, name, "level") == doc["level"]
            if doc["level"] != "UNKNOWN":
                assert cell(table, name, "score") == f"{doc['score']:.0f}"
        summary = str(app.overview.query_one("#summary").render())
        assert "8 profiles" in summary

        target = next(n for n in keys if expected[n]["level"] != "UNKNOWN")
        table.move_cursor(row=keys.index(target))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileDashboard) and app.screen.loaded is not None)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.loaded is not None
        shown = screen.loaded.evaluation.assessment
        assert shown.profile.business.name == expected[target]["business"]
        assert shown.score == expected[target]["score"]
        assert app.db_path == tmp_path / "data" / "history" / f"{target}.json"

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))
        other = next(n for n in keys if n != target and expected[n]["level"] != "UNKNOWN")
        table.move_cursor(row=row_keys(table).index(other))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileDashboard) and app.screen.loaded is not None)
        screen = app.screen
        assert isinstance(screen, ProfileDashboard) and screen.loaded is not None
        assert screen.loaded.evaluation.assessment.profile.business.name == expected[other]["business"]
        await pilot.press("q")


async def test_a_broken_profile_is_explained_not_opened(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2, broken={1: "range"})
    app = FleetApp(fleet, tmp_path / "data", NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        seen = spy_notify(app, lambda title, message: (title, message))
        table = await overview(pilot, 2)
        broken = profile_name(1)
        assert cell(table, broken, "level") == "UNKNOWN" and "monthly_revenue" in cell(table, broken, "reason")
        table.move_cursor(row=row_keys(table).index(broken))
        await pilot.press("enter")
        await wait_for(pilot, lambda: seen)
        assert seen[0][0] == "No dashboard for this profile" and broken in seen[0][1]
        assert isinstance(app.screen, FleetScreen)
        await pilot.press("h")  # a profile's history: nothing to show on the overview
        assert isinstance(app.screen, FleetScreen)


async def test_esc_first_closes_the_filter_then_goes_back(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2)
    app = FleetApp(fleet, tmp_path / "data", NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await overview(pilot, 2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileDashboard) and app.screen.loaded is not None)
        await pilot.press("slash", "b", "a", "n")
        await pilot.press("escape")
        assert isinstance(app.screen, ProfileDashboard), "the first esc clears the filter"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FleetScreen))


@pytest.mark.slow
async def test_a_profile_added_on_disk_appears_live(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2)
    app = FleetApp(fleet, tmp_path / "data", NOW)
    async with app.run_test(size=(160, 40)) as pilot:
        await overview(pilot, 2)
        (fleet / "late-comer").mkdir()
        (fleet / "late-comer" / "exposure.toml").write_text(exposure(42))
        table = await overview(pilot, 3)
        await wait_for(pilot, lambda: cell(table, "late-comer", "level") != "UNKNOWN", timeout=20)
        assert "late-comer" in row_keys(table)
