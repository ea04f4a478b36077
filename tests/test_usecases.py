"""The use-case layer every shell calls: `evaluate()` gives the assessment, the playbook plan and
the explanations, and the commands print exactly those (they present; none computes)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from riskmon.core.money import money
from riskmon.usecases.evaluate import Evaluation, evaluate
from tests.support import SHOP_EXPOSURE, ban, events_toml, write_config

NOW = datetime(2025, 1, 10, 12, tzinfo=UTC)


def config(tmp_path: Path) -> Path:
    """A confirmed ban on TikTok US (30% of the orders) in five days."""
    return write_config(tmp_path, exposure=SHOP_EXPOSURE, events=events_toml(ban(effective="2025-01-15")))


def riskmon(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "RISKMON_DATA": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path)}
    argv = [sys.executable, "-m", "riskmon", *args, "--config", str(config(tmp_path)), "--now", NOW.isoformat()]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    return r.stdout


def evaluated(tmp_path: Path) -> Evaluation:
    return evaluate(str(config(tmp_path)), NOW, offline=True)


def test_the_evaluation_explains_every_counted_event(tmp_path: Path) -> None:
    ev = evaluated(tmp_path)
    (event,) = ev.assessment.events
    assert set(ev.explanations) == {"us-ban"}
    explained = ev.explain("us-ban")
    assert explained == ev.explanations["us-ban"]
    assert explained is not None and explained.term("expected loss").value == money(event.expected_loss, "USD")
    assert explained.term("probability").value == f"{event.probability:.2f}"
    assert ev.explain("us-bam") is None


def test_the_plan_ticks_what_history_says_is_done(tmp_path: Path) -> None:
    ev = evaluated(tmp_path)
    first = ev.plan.items("us-ban")[0]
    assert not first.step.done
    done = ev.with_progress({(first.key, first.step.id): {"done": True, "at": NOW}})
    assert done.assessment is ev.assessment, "the same assessment, not assessed again"
    ticked = {i.step.id: i.step.done for i in done.plan.items("us-ban")}
    assert ticked[first.step.id] is True
    assert first.line() in ev.plan.action_lines(limit=None)
    assert first.line() not in done.plan.action_lines(limit=None)


def test_the_commands_print_the_evaluations_explanation_and_plan(tmp_path: Path) -> None:
    ev = evaluated(tmp_path)
    explained = ev.explain("us-ban")
    assert explained is not None
    lines = explained.lines()
    assert riskmon(tmp_path, "events", "show", "us-ban").splitlines()[: len(lines)] == lines
    very_verbose = riskmon(tmp_path, "check", "-vv", "--no-history", "--offline")
    assert "\n".join(lines) in very_verbose
    assert all(line in very_verbose for line in ev.plan.action_lines())
