"""Nagios plugin conventions: the guidelines' threshold ranges (riskmon.core.ranges, pure) and
`riskmon check -w/-c/--runway-*/--shortfall-*`, `-V`, `--help` as a monitoring system runs them."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskmon.core.ranges import Range, RangeError, parse_range
from tests import support

# ---------------------------------------------------------------------------------------------
# The parser, against the guidelines' table

# (range, values that alert, values that do not): the table of the Monitoring Plugins development
# guidelines, "Threshold and ranges", with the ends of each range probed on both sides.
GUIDELINES = [
    ("10", [-0.001, -5, 10.001, 11, 1e9], [0, 0.5, 5, 10]),
    ("10:", [-1, 0, 9.999], [10, 10.5, 1e9]),
    ("~:10", [10.001, 11, 1e9], [-1e9, -1, 0, 10]),
    ("10:20", [-1, 9.999, 20.001, 1e9], [10, 15, 20]),
    ("@10:20", [10, 15, 20], [9.999, 20.001, -1, 1e9]),
]


@pytest.mark.parametrize(("text", "alert", "quiet"), GUIDELINES)
def test_the_guidelines_table(text: str, alert: list[float], quiet: list[float]) -> None:
    r = parse_range(text)
    assert [v for v in alert if not r.alerts(v)] == []
    assert [v for v in quiet if r.alerts(v)] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10", Range(0, 10)),
        (":10", Range(0, 10)),
        ("10:", Range(10, math.inf)),
        ("~:10", Range(-math.inf, 10)),
        ("10:20", Range(10, 20)),
        ("@10:20", Range(10, 20, inside=True)),
        ("@10", Range(0, 10, inside=True)),
        ("-5:-1", Range(-5, -1)),
        ("0.25:1.5e1", Range(0.25, 15)),
        (" 10 ", Range(0, 10)),
    ],
)
def test_parsed_forms(text: str, expected: Range) -> None:
    assert parse_range(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty range"),
        ("@", "empty range"),
        ("abc", "'abc' is not a number"),
        ("20:10", "start 20 is above end 10"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("10:inf", "not a number"),
        ("1e999", "too large"),
        ("10:20:30", "not a number"),
        ("~", "not a number"),
        ("10:~", "not a number"),
        ("1_0", "not a number"),
        ("@@10", "not a number"),
    ],
)
def test_bad_ranges_say_why(text: str, why: str) -> None:
    with pytest.raises(RangeError, match=why):
        parse_range(text)


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(finite, finite, finite)
def test_start_end_alerts_outside_and_at_alerts_inside(a: float, b: float, x: float) -> None:
    lo, hi = min(a, b), max(a, b)
    outside = x < lo or x > hi
    assert parse_range(f"{lo!r}:{hi!r}").alerts(x) is outside
    assert parse_range(f"@{lo!r}:{hi!r}").alerts(x) is (not outside)


@given(finite, finite)
def test_open_ends(bound: float, x: float) -> None:
    assert parse_range(f"{bound!r}:").alerts(x) is (x < bound)
    assert parse_range(f"~:{bound!r}").alerts(x) is (x > bound)
    if bound >= 0:
        assert parse_range(repr(bound)).alerts(x) is (x < 0 or x > bound)


ranges = st.builds(
    Range,
    st.one_of(finite, st.just(-math.inf)),
    st.one_of(finite, st.just(math.inf)),
    st.booleans(),
).filter(lambda r: r.start <= r.end)


@given(ranges)
def test_canonical_text_parses_back_to_the_same_range(r: Range) -> None:
    text = str(r)
    assert "e" not in text.lower(), "perfdata never carries an exponent"
    assert parse_range(text) == r


# ---------------------------------------------------------------------------------------------
# The CLI

NOW = "2025-01-10T00:00:00Z"


def config(tmp_path: Path, *, cash: float = 10_000_000, status: str = "rumored", riskmon: str | None = None) -> Path:
    """A rumour (probability 0.25: no shock rule) gives a score above 0 with every rule OK."""
    exposure = support.SELLER_EXPOSURE.format(cash=cash, share=0.3)
    return support.write_config(
        tmp_path,
        exposure=exposure,
        events=support.events_toml(support.ban(effective="2025-01-19", status=status)),
        riskmon=riskmon,
    )


def check(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "riskmon", "check", "--config", str(cfg), "--now", NOW, "--no-history", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)


def as_json(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(r.stdout)
    assert doc["exit_code"] == r.returncode
    return doc


def rule(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["rules"] if r["rule"] == name)


def test_a_plain_number_warns_above_it_where_riskmon_toml_warns_at_it(tmp_path: Path) -> None:
    base = as_json(check(config(tmp_path), "-f", "json"))
    score = base["score"]
    assert base["level"] == "OK" and 0 < score < 40, base["reasons"]

    at = check(config(tmp_path), "-f", "json", "-w", repr(score))
    assert at.returncode == 0, "the guidelines: -w N alerts when the value is above N, not at N"
    below = as_json(check(config(tmp_path), "-f", "json", "-w", repr(score * 0.99)))
    assert below["level"] == "WARNING"
    assert "(warning range -w " in rule(below, "score")["reason"]

    toml = as_json(check(config(tmp_path / "t", riskmon=f"[thresholds]\nwarn = {score!r}\n"), "-f", "json"))
    assert toml["level"] == "WARNING", "riskmon.toml's warn means at or above"
    assert toml["thresholds"]["warn"] == score


def test_at_ranges_alert_inside_and_critical_wins(tmp_path: Path) -> None:
    score = as_json(check(config(tmp_path), "-f", "json"))["score"]
    inside = f"@{score - 1!r}:{score + 1!r}"
    doc = as_json(check(config(tmp_path), "-f", "json", "-w", "0:", "-c", inside))
    assert doc["level"] == "CRITICAL"
    assert f"(critical range -c {inside}" in rule(doc, "score")["reason"]
    doc = as_json(check(config(tmp_path), "-f", "json", "-c", f"@{score + 1!r}:{score + 2!r}"))
    assert doc["level"] == "OK", "outside an @ range is quiet"
    assert "no alert" in rule(doc, "score")["reason"]
    doc = as_json(check(config(tmp_path), "-f", "json", "-w", f"{score + 1!r}:"))
    assert doc["level"] == "WARNING", "10: alerts below 10"


def test_nagios_perfdata_carries_the_ranges_asked(tmp_path: Path) -> None:
    r = check(config(tmp_path), "-f", "nagios", "-w", "~:90", "-c", "@95:100", "--runway-warning", "26:")
    assert r.returncode == 0, r.stdout
    perf = r.stdout.splitlines()[0].split(" | ", 1)[1].split()
    fields = {p.split("=")[0].strip("'"): p.split("=")[1].split(";") for p in perf}
    assert fields["score"][1:3] == ["~:90", "@95:100"]
    assert fields["runway_weeks"][1:3] == ["26:", "4:"], "the critical one not asked stays riskmon.toml's"


def test_runway_ranges(tmp_path: Path) -> None:
    cfg = config(tmp_path, cash=60_000, status="confirmed")  # the ban brings a burn: the runway is finite
    runway = as_json(check(cfg, "-f", "json"))["runway_weeks"]
    assert runway is not None and runway > 4
    assert rule(as_json(check(cfg, "-f", "json")), "runway")["level"] == "OK"
    doc = as_json(check(cfg, "-f", "json", "--runway-critical", f"{runway + 1!r}:"))
    assert doc["level"] == "CRITICAL" and rule(doc, "runway")["level"] == "CRITICAL"
    assert "(critical range --runway-critical " in rule(doc, "runway")["reason"]
    doc = as_json(check(cfg, "-f", "json", "--runway-warning", f"{runway - 1!r}:", "--runway-critical", "0:"))
    assert rule(doc, "runway")["level"] == "OK"

    rich = config(tmp_path / "rich", cash=1e12)
    assert as_json(check(rich, "-f", "json"))["runway_weeks"] is None
    r = check(rich, "-f", "json", "--runway-warning", "~:500")
    assert r.returncode == 1, "no burn is an infinite runway: above 500"


def test_shortfall_ranges_need_an_engine_that_computes_it(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    doc = as_json(check(cfg, "-f", "json"))
    r = check(cfg, "-f", "json", "--shortfall-warning", "@0:1")
    if "cash_shortfall_probability" in doc:
        assert r.returncode == 1 and "shortfall probability" in rule(as_json(r), "runway")["reason"]
    else:
        assert r.returncode == 3
        assert "does not compute the shortfall probability" in json.loads(r.stdout)["error"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["-w", "20:10"], "argument -w/--warning: start 20 is above end 10 in '20:10'"),
        (["-c", "ten"], "argument -c/--critical: range 'ten' is not a number"),
        (["--runway-warning", "nan"], "argument --runway-warning: range 'nan' is not a number"),
        (["-w", ""], "empty range"),
    ],
)
def test_bad_ranges_are_unknown(tmp_path: Path, args: list[str], needle: str) -> None:
    r = check(config(tmp_path), *args)
    assert r.returncode == 3
    assert r.stdout.startswith("RISKMON UNKNOWN - bad arguments: ") and needle in r.stdout.splitlines()[0]


def test_version_and_help() -> None:
    from riskmon import __version__

    for args in (["-V"], ["--version"], ["check", "-V"], ["check", "--version"]):
        r = subprocess.run([sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, timeout=60)
        assert (r.returncode, r.stdout.strip()) == (0, f"riskmon {__version__}"), args
    r = subprocess.run([sys.executable, "-m", "riskmon", "check", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for needle in ("RISKMON_CONFIG", "RISKMON_DATA", "RISKMON_DB", "RISKMON_DEBUG", "NO_COLOR", "JOURNAL_STREAM"):
        assert needle in r.stdout
    assert "UNKNOWN: riskmon itself failed" in r.stdout and "@10:20" in r.stdout and "--runway-warning" in r.stdout
    top = subprocess.run([sys.executable, "-m", "riskmon", "--help"], capture_output=True, text=True)
    assert "exit codes:" in top.stdout and "NOTIFY_SOCKET" in top.stdout
