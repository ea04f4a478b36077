"""`riskmon check` and `riskmon events` as a monitoring system runs them: a subprocess, an exit code."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import SELLER_EXPOSURE as EXPOSURE
from tests.support import write_config

NOW = "2025-01-10T00:00:00Z"

EVENTS = """
[[events]]
id = "us-ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "{status}"
effective = 2025-01-19
sources = ["https://example.org/ban"]
deadlines = [{{ date = 2025-01-18, what = "Export follower list" }}]
"""


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


def make_config(
    tmp_path: Path,
    *,
    cash: float = 60000,
    share: float = 0.5,
    status: str = "confirmed",
    events: str | None = None,
    riskmon: str = "",
) -> Path:
    return write_config(
        tmp_path,
        exposure=EXPOSURE.format(cash=cash, share=share),
        events=EVENTS.format(status=status) if events is None else events,
        riskmon=riskmon or None,
    )


@pytest.fixture
def data_env(tmp_path: Path) -> dict[str, str]:
    """Keep history and feed caches out of the user's real data dir."""
    return {"RISKMON_DATA": str(tmp_path / "data"), "RISKMON_DB": str(tmp_path / "data" / "history.json")}


def check(cfg: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run("check", "--config", str(cfg), "--now", NOW, "--no-history", *extra, env=env)


# ---------------------------------------------------------------------------------------------
# Exit codes


def test_ok(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, share=0.3, events="")
    r = check(cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("OK ")


def test_warning_from_concentration(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, share=0.65, cash=10_000_000, events="")
    r = check(cfg)
    assert r.returncode == 1, r.stdout
    assert "tiktok carries" in r.stdout


def test_critical(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, share=0.8, cash=20000)
    r = check(cfg)
    assert r.returncode == 2, r.stdout
    assert r.stdout.startswith("CRITICAL ")


def test_thresholds_from_the_command_line(tmp_path: Path) -> None:
    cfg = make_config(tmp_path, share=0.3, cash=10_000_000)
    doc = json.loads(check(cfg, "-f", "json").stdout)
    score = doc["score"]
    assert 0 < score < 40
    r = check(cfg, "-f", "json", "-w", str(score / 2), "-c", str(score * 0.9))
    assert r.returncode == 2
    score_rule = next(x for x in json.loads(r.stdout)["rules"] if x["rule"] == "score")
    assert score_rule["level"] == "CRITICAL" and "critical range -c " in score_rule["reason"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-f", "yaml"], "bad arguments"),
        (["-w", "80:50"], "start 80 is above end 50"),
        (["-t", "0"], "-t/--timeout: must be more than 0"),
        (["--bogus"], "bad arguments"),
    ],
)
def test_bad_arguments_are_unknown(tmp_path: Path, args: list[str], needle: str) -> None:
    r = check(make_config(tmp_path), *args)
    assert r.returncode == 3
    first = r.stdout.splitlines()[0]
    assert first.startswith("RISKMON UNKNOWN - ") and needle in first
    assert "Traceback" not in r.stdout + r.stderr


def test_bad_now_is_unknown(tmp_path: Path) -> None:
    r = run("check", "--config", str(make_config(tmp_path)), "--now", "yesterday-ish")
    # argparse's own wording, as for every other bad value: "argument --now: not a date ...".
    assert r.returncode == 3 and r.stdout.startswith("RISKMON UNKNOWN - bad arguments: argument --now: ")


BROKEN = {
    "toml syntax": ("exposure.toml", "[business\nname = 'x'\n", r"exposure\.toml:1"),
    "unknown key": ("exposure.toml", None, r"exposure\.toml:\d+: "),
    "share out of range": (
        "events.toml",
        EVENTS.format(status="confirmed").replace('status = "confirmed"', 'status = "confirmed"\nprobability = 1.5'),
        r"events\.toml:\d+",
    ),
    "unknown kind": (
        "events.toml",
        EVENTS.format(status="confirmed").replace('"ban"', '"banana"'),
        r"events\.toml:\d+: .*kind",
    ),
    "unknown status": ("events.toml", EVENTS.format(status="maybe"), r"events\.toml:\d+: .*status"),
    "ends before effective": (
        "events.toml",
        EVENTS.format(status="confirmed").replace(
            "effective = 2025-01-19", "effective = 2025-01-19\nends = 2025-01-01"
        ),
        r"events\.toml:\d+: .*ends",
    ),
    "bad rrule": (
        "events.toml",
        EVENTS.format(status="confirmed").replace(
            "effective = 2025-01-19", 'effective = 2025-01-19\nrecurs = "FREQ=SOMETIMES"'
        ),
        r"events\.toml:\d+: .*recurs",
    ),
    "bad thresholds": ("riskmon.toml", "[thresholds]\nwarn = 'high'\n", r"riskmon\.toml:\d+"),
    "not utf-8": ("exposure.toml", b"\xff\xfe[business]\n", r"exposure\.toml"),
}


@pytest.mark.parametrize("family", sorted(BROKEN))
def test_broken_config_is_unknown_naming_the_file(tmp_path: Path, family: str) -> None:
    cfg = make_config(tmp_path)
    name, text, pattern = BROKEN[family]
    if text is None:
        text = EXPOSURE.format(cash=1, share=0.5).replace("order_share = 0.5", "oder_share = 0.5")
    if isinstance(text, bytes):
        (cfg / name).write_bytes(text)
    else:
        (cfg / name).write_text(text)
    for fmt in ("text", "nagios", "json", "prometheus"):
        r = check(cfg, "-f", fmt)
        assert r.returncode == 3, (family, fmt, r.stdout, r.stderr)
        first = r.stdout.splitlines()[0]
        if fmt == "json":  # one JSON document on one line, the reason in `error`
            doc = json.loads(r.stdout)
            assert (doc["level"], doc["exit_code"]) == ("UNKNOWN", 3) and r.stdout.count("\n") == 1
            first = doc["error"]
        else:
            assert first.startswith("RISKMON UNKNOWN - "), first
        assert re.search(pattern, first), (family, first)
        assert "Traceback" not in r.stdout + r.stderr
    if family == "unknown key":
        assert "did you mean 'order_share'" in r.stderr


def test_missing_config_dir_is_unknown(tmp_path: Path) -> None:
    r = check(tmp_path / "nope")
    assert r.returncode == 3
    assert str(tmp_path / "nope") in r.stdout.splitlines()[0]


def test_unreadable_file_is_unknown(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        cfg = make_config(tmp_path)
        (cfg / "events.toml").unlink()
        (cfg / "events.toml").mkdir()  # a directory where a file should be: unreadable even for root
    else:
        cfg = make_config(tmp_path)
        (cfg / "events.toml").chmod(0)
    r = check(cfg)
    assert r.returncode == 3 and "events.toml" in r.stdout.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# Formats


def test_json_contract(tmp_path: Path) -> None:
    r = check(make_config(tmp_path, share=0.5), "-f", "json")
    doc = json.loads(r.stdout)
    assert r.returncode == doc["exit_code"]
    for key in (
        "level",
        "exit_code",
        "score",
        "reasons",
        "thresholds",
        "runway_weeks",
        "concentration",
        "events",
        "feeds",
        "now",
    ):
        assert key in doc
    assert set(doc["concentration"]) >= {"hhi", "top_platform", "top_dependence", "dependence"}
    ev = doc["events"][0]
    for key in (
        "id",
        "title",
        "kind",
        "status",
        "probability",
        "effective",
        "days_until",
        "urgency",
        "score",
        "loss",
        "expected_loss",
        "revenue_lost_monthly",
        "shock",
        "profit_at_risk",
        "fee_cost",
        "duty_cost",
        "cash_frozen",
        "inventory_loss",
        "deposit_loss",
        "channels",
        "timeline",
        "playbook",
    ):
        assert key in ev, key
    # unrounded: the loss terms add up exactly as the README says; cash frozen is late money, apart
    total = (
        ev["profit_at_risk"]
        + max(0, ev["fee_cost"])
        + max(0, ev["duty_cost"])
        + ev["inventory_loss"]
        + ev["deposit_loss"]
    )
    assert ev["loss"] == pytest.approx(total, rel=1e-12)
    assert ev["cash_frozen"] > 0
    assert doc["model_version"] == 2
    for key in ("loss_p50", "loss_p95", "distribution", "cash_low", "cash_low_week", "cash_shortfall_probability"):
        assert key in doc, key
    assert set(doc["cash_forecast"]) == {"week_starts", "baseline", "likely", "stress"}
    assert all(len(doc["cash_forecast"][k]) == 13 for k in ("week_starts", "baseline", "likely", "stress"))
    assert ev["days_until"] == pytest.approx(9.0)
    assert doc["now"].startswith("2025-01-10T00:00:00")


def test_json_numbers_match_the_engine(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from riskmon.core.engine import assess
    from riskmon.sources.config.load import load_config

    cfg_dir = make_config(tmp_path, share=0.6)
    doc = json.loads(check(cfg_dir, "-f", "json").stdout)
    cfg = load_config(cfg_dir)
    a = assess(cfg.profile, cfg.events, datetime(2025, 1, 10, tzinfo=UTC), cfg.settings)
    assert doc["score"] == a.score
    assert doc["runway_weeks"] == a.runway_weeks
    assert [e["expected_loss"] for e in doc["events"]] == [e.expected_loss for e in a.events]


NAGIOS = re.compile(
    r"^RISKMON (OK|WARNING|CRITICAL) - [^|\n]+ \| "
    r"('[a-z_]+'=(U|-?\d+(\.\d+)?)[a-zA-Z%]*(;[^; ]*){0,4} ?)+$"
)


def test_nagios_plugin_line(tmp_path: Path) -> None:
    for share, code in ((0.3, None), (0.8, 2)):
        r = check(make_config(tmp_path, share=share, cash=20000), "-f", "nagios")
        line = r.stdout.splitlines()[0]
        assert NAGIOS.match(line), line
        assert "e+" not in line and "e-" not in line.split("|")[1]
        if code is not None:
            assert r.returncode == code
        perf = line.split(" | ")[1]
        assert "'score'=" in perf and "'runway_weeks'=" in perf and ";12:;4:;" in perf


def test_nagios_verbose_adds_lines(tmp_path: Path) -> None:
    r = check(make_config(tmp_path), "-f", "nagios", "-v")
    assert len(r.stdout.splitlines()) > 1
    assert "|" not in "".join(r.stdout.splitlines()[1:])


def test_prometheus_passes_promtool(tmp_path: Path) -> None:
    r = check(make_config(tmp_path), "-f", "prometheus")
    assert "riskmon_score{profile=" in r.stdout and "# TYPE riskmon_score gauge" in r.stdout
    assert 'riskmon_event_score{profile="' in r.stdout and ',event="us-ban"} ' in r.stdout
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed")
    lint = subprocess.run([promtool, "check", "metrics"], input=r.stdout, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_prometheus_label_escaping(tmp_path: Path) -> None:
    events = (
        EVENTS.format(status="confirmed")
        .replace('id = "us-ban"', 'id = "us-ban"')
        .replace('title = "US ban"', 'title = "US \\"ban\\" \\\\ [bold]x[/]"')
    )
    r = check(make_config(tmp_path, events=events), "-f", "prometheus")
    assert r.returncode in (0, 1, 2)
    if shutil.which("promtool"):
        lint = subprocess.run(["promtool", "check", "metrics"], input=r.stdout, capture_output=True, text=True)
        assert lint.returncode == 0, lint.stderr


def test_text_verbosity_levels(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    v0 = check(cfg).stdout.splitlines()
    v1 = check(cfg, "-v").stdout
    v2 = check(cfg, "-vv").stdout
    v3 = check(cfg, "-vvv").stdout
    assert len(v0) == 1
    assert "us-ban" in v1 and "profit at risk" not in v1
    assert "profit at risk" in v2 and "inventory loss" in v2
    assert "debug: config" in v3


def test_no_colour_when_piped(tmp_path: Path) -> None:
    r = run("check", "--config", str(make_config(tmp_path)), "--now", NOW, "--no-history", env={"NO_COLOR": ""})
    assert "\x1b[" not in r.stdout


def test_hostile_titles_never_reach_the_terminal(tmp_path: Path) -> None:
    events = EVENTS.format(status="confirmed").replace(
        'title = "US ban"', 'title = "ban \\u001b]0;pwned\\u0007\\u001b[31mRED"'
    )
    r = check(make_config(tmp_path, events=events), "-vv")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert "RED" in r.stdout


# ---------------------------------------------------------------------------------------------
# events


def test_events_list_sorted_by_urgency(tmp_path: Path) -> None:
    events = EVENTS.format(status="confirmed") + EVENTS.format(status="rumored").replace('"us-ban"', '"later"').replace(
        "2025-01-19", "2025-06-01"
    ).replace("2025-01-18", "2025-05-01")
    cfg = make_config(tmp_path, events=events)
    r = run("events", "list", "--config", str(cfg), "--now", NOW)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("EVENT")
    assert lines[1].startswith("us-ban") and lines[2].startswith("later")
    doc = json.loads(run("events", "list", "-f", "json", "--config", str(cfg), "--now", NOW).stdout)
    assert [e["id"] for e in doc["events"]] == ["us-ban", "later"]


def test_events_show(tmp_path: Path) -> None:
    cfg = make_config(tmp_path)
    r = run("events", "show", "us-ban", "--config", str(cfg), "--now", NOW)
    assert r.returncode == 0
    assert "profit at risk" in r.stdout and "Export follower list" in r.stdout and "example.org" in r.stdout
    r = run("events", "show", "us-bam", "--config", str(cfg), "--now", NOW)
    assert r.returncode == 3 and "did you mean 'us-ban'" in r.stderr


# ---------------------------------------------------------------------------------------------
# Packaging and hygiene


def test_version_and_module_entry() -> None:
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("riskmon ")


def test_check_imports_no_ui_or_scheduler(tmp_path: Path) -> None:
    """The headless check must not pay for (or depend on) the dashboard's libraries, nor numpy
    (only a profile with more than 10 uncertain events needs its Monte Carlo draws)."""
    cfg = make_config(tmp_path)
    code = textwrap.dedent(f"""
        import sys
        from riskmon.cli.main import main
        rc = main(["check", "--config", {str(cfg)!r}, "--now", "{NOW}", "--no-history", "-f", "json"])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "plotext", "textual_plotext",
                                                                      "apscheduler", "httpx", "tomlkit", "numpy"))
        print("HEAVY", heavy, file=sys.stderr)
        sys.exit(0 if not heavy else 99)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]


def test_bundled_demo_works_from_any_directory(tmp_path: Path, data_env: dict[str, str]) -> None:
    env = {**data_env, "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "check", "--no-history", "--offline", "-f", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, **env},
    )
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["business"] and doc["events"]
