"""HeadStart: the first screenful computed in a thread before Textual starts (`riskmon` / `riskmon
tui`), and taken by the app only when it is for the same config dir and `--now`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.errors import ConfigError
from riskmon.paths import resolve_config_dir
from riskmon.tui.app import create_app
from riskmon.tui.source import HeadStart, Loaded, ViewSource
from tests.support import wait_for

pytestmark = pytest.mark.usefixtures("isolated_env")

NOW = datetime(2025, 1, 10, tzinfo=UTC)


def test_it_computes_what_the_app_would() -> None:
    got = HeadStart(None, NOW).result()
    want = ViewSource.first(resolve_config_dir(None), NOW)
    assert got.evaluation.assessment.score == want.evaluation.assessment.score
    assert got.evaluation.assessment.level == want.evaluation.assessment.level
    assert not got.with_history and got.standing == want.standing


def test_it_raises_what_the_first_load_raises(tmp_path: Path) -> None:
    hs = HeadStart(tmp_path / "missing", NOW)
    with pytest.raises(ConfigError):
        hs.result()


@pytest.mark.parametrize(("now", "used"), [(NOW, True), (datetime(2025, 2, 1, tzinfo=UTC), False)])
async def test_the_app_takes_it_only_for_its_own_inputs(tmp_path: Path, now: datetime, used: bool) -> None:
    hs = HeadStart(None, NOW)
    taken: list[bool] = []
    result = hs.result

    def counted() -> Loaded:
        taken.append(True)
        return result()

    hs.result = counted  # type: ignore[method-assign]
    app = create_app(None, tmp_path / "history.json", now, hs)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.loaded is not None)
        assert app.loaded is not None and app.loaded.evaluation.assessment.now == now
        await wait_for(pilot, lambda: app.monitor is not None)
    assert bool(taken) is used


def test_the_dashboard_imports_no_plotext_before_its_first_frame() -> None:
    """The charts (textual-plotext, plotext: ~30 ms) are imported and mounted after the first frame."""
    import subprocess
    import sys

    code = "import sys, riskmon.tui.app; print(sorted(m for m in sys.modules if 'plotext' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
