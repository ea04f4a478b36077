"""Model 2 in every output but the dashboard and Prometheus (issue 12 item 3, issue 13 item 1):
`check` text at each verbosity, Nagios perfdata, the weekly report, what-if side by side and
`events show`'s timeline, each through the CLI in a subprocess on the README's worked example,
whose figures are checked by hand in tests/test_readme_example.py."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon.core.engine import assess
from riskmon.present import formats, report
from riskmon.present.cash import commitments, one_offs, week_rows
from riskmon.present.text import render_check
from tests.support import validated, write_config
from tests.test_hostile_inputs import non_finite_words
from tests.test_readme_example import EVENTS, EXPOSURE

NOW = "2025-03-03"
NOW_DT = datetime(2025, 3, 3, tzinfo=UTC)

# The README's worked example, week by week (likely = the ban): the rows of its table.
HEADLINE = (
    "CRITICAL score 46/100, runway 4.9 wk (lowest -$20,615 in the week of 2025-05-26), shortfall probability 90%, "
    "tiktok 60% of orders, expected loss $61,830 (P50 $66,000, P95 $75,467) — "
)

# The ban's status over time, for `events show`: paused (40%) is in force on 2025-03-03.
TIMELINE_EVENTS = EVENTS.replace(
    'status = "confirmed"\neffective = 2025-03-17',
    'effective = 2025-03-17\ntimeline = [\n  { date = 2024-04-24, status = "announced" },\n'
    '  { date = 2025-01-10, status = "paused", probability = 0.4 },\n'
    '  { date = 2025-03-10, status = "confirmed" },\n]',
)
HOLD_EVENT = """
[[events]]
id = "hold"
title = "Longer payout hold"
kind = "payout_hold"
platforms = ["tiktok"]
status = "announced"
effective = 2025-03-20
ends = 2025-04-20
impact = { extra_hold_days = 14 }

[[events]]
id = "later"
title = "Not public yet"
kind = "fee_change"
platforms = ["tiktok"]
effective = 2025-09-01
timeline = [{ date = 2025-06-01, status = "rumored" }]
impact = { fee_delta = 0.02 }
"""


def riskmon(home: Path, *args: str, colour: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RISKMON_CONFIG", "NO_COLOR")}
    env |= {"RISKMON_DATA": str(home / "data"), "RISKMON_DB": str(home / "data" / "h.json"), "HOME": str(home)}
    if not colour:
        env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=60)


class Example:
    """The worked example's config dir and a runner with --config and --now."""

    def __init__(self, root: Path, exposure: str = EXPOSURE, events: str = EVENTS) -> None:
        self.root = root
        self.dir = write_config(root, exposure=exposure, events=events)

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return riskmon(self.root, *args, "--config", str(self.dir), "--now", NOW)

    def check(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = self("check", "--no-history", *args)
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr
        return r

    def json(self, *args: str) -> dict[str, Any]:
        r = self(*args, "-f", "json")
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr
        doc: dict[str, Any] = json.loads(r.stdout)
        return doc


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return Example(tmp_path_factory.mktemp("example"))


@pytest.fixture(scope="module")
def doc(example: Example) -> dict[str, Any]:
    return example.json("check", "--no-history")


def section(text: str, start: str, end: str = "\n\n") -> str:
    """The text from the line starting with `start` to the next blank line."""
    i = text.index(start)
    j = text.find(end, i)
    return text[i : j if j >= 0 else None]


# ---------------------------------------------------------------------------------------------
# check, text


def test_one_line_names_the_lowest_week_the_shortfall_and_the_distribution(example: Example) -> None:
    r = example.check()
    assert r.returncode == 2
    assert r.stdout.count("\n") == 1 and r.stdout.startswith(HEADLINE), r.stdout
    assert "no burn" not in r.stdout and "stressed" not in r.stdout


def test_without_a_cash_gap_the_line_says_cash_does_not_run_out(tmp_path: Path) -> None:
    # No event: +$1,153.85 a week, the lowest point the week the purchase order is paid.
    r = Example(tmp_path, events="").check()
    line = r.stdout.splitlines()[0]
    assert "cash does not run out in 13 weeks (lowest $12,308 in the week of 2025-03-10)" in line, line
    assert "shortfall probability 0%" in line and "expected loss $0 (P50 $0, P95 $0)" in line


def test_v_adds_the_forecast_and_the_distribution_but_no_table(example: Example) -> None:
    out = example.check("-v").stdout
    assert (
        "cash, 13-week forecast if likely events happen: lowest -$20,615 in the week of 2025-05-26; "
        "runs out in 4.9 wk, around 2025-04-06"
    ) in out
    assert "shortfall probability 90%: the chance cash goes below zero in some week" in out
    assert "loss, money gone for good: expected $61,830, P50 $66,000, P95 $75,467 (exact)" in out
    table = section(out, "EVENT ")
    assert re.search(r"^ban +in 14 d +confirmed +90% +44\.8 +\$59,400 +\$5,000 +US ban$", table, re.M), table
    assert "WEEK" not in out and "profit at risk" not in out


def test_vv_prints_the_13_weeks_as_the_json_forecast(example: Example, doc: dict[str, Any]) -> None:
    out = example.check("-vv").stdout
    rows = section(out, "WEEK ").splitlines()[1:]
    assert len(rows) == 13
    cash = doc["cash_forecast"]
    for k, row in enumerate(rows):
        cells = row.split()
        assert cells[:2] == [str(k), cash["week_starts"][k][:10]]
        for cell, key in zip(cells[2:5], ("baseline", "likely", "stress"), strict=True):
            assert cell == f"{'-' if cash[key][k] < 0 else ''}${abs(cash[key][k]):,.0f}", (k, key, row)
    assert rows[1].endswith("pay Purchase order")
    assert rows[4].endswith("cash runs out (likely)") and rows[12].endswith("lowest (likely)")
    assert "   4  2025-03-31   $15,769     -$308   -$4,231" in out


def test_vv_keeps_what_is_lost_apart_from_what_is_late(example: Example) -> None:
    out = example.check("-vv").stdout
    ban = section(out, "ban: US ban")
    lost = section(ban, "  lost if it happens", "  late if")
    late = section(ban, "  late if it happens", "  probability")
    for term, value in (("profit at risk", "$48,000"), ("inventory loss", "$16,000"), ("deposit loss", "$2,000")):
        assert re.search(rf"^    {term} +{re.escape(value)}  ", lost, re.M), lost
    assert re.search(r"^    loss +\$66,000  ", lost, re.M) and "frozen" not in lost and "late" not in lost
    assert "    inventory loss               $16,000  tiktok-us $40,000 × 100% stranded" in lost  # values line up
    assert late.splitlines()[0] == "  late if it happens (cash timing, never part of the loss): $5,000"
    assert re.search(
        r"^    payouts frozen +\$5,000  leaves 2025-03-17 \(week 2\), back 2025-06-15 \(after the forecast\)$",
        late,
        re.M,
    ), late
    assert re.search(r"^    cash frozen +\$5,000  tiktok-us payouts \$10,000 × 50%", late, re.M), late
    assert "loss" not in late.replace("never part of the loss", "")
    assert re.search(r"^  expected loss +\$59,400  probability × loss$", ban, re.M)
    assert "  hits tiktok-us: 50.0% of orders, $54,000 lost, $5,000 late (sells on tiktok)" in ban
    links = section(out, "links: Links end")
    assert "  late if it happens (cash timing): nothing" in links


def test_vvv_adds_the_debug_facts(example: Example) -> None:
    out = example.check("-vvv").stdout
    assert f"debug: config {example.dir} (--config)" in out and "WEEK " in out


def test_colour_only_on_a_terminal_and_never_with_no_color(example: Example) -> None:
    import pty

    def on_a_terminal(no_color: str | None) -> str:
        main, sub = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "RISKMON_CONFIG")}
        env |= {"RISKMON_DATA": str(example.root / "data"), "TERM": "xterm"}
        if no_color is not None:
            env["NO_COLOR"] = no_color
        args = ["check", "--config", str(example.dir), "--now", NOW, "--no-history", "-v"]
        with subprocess.Popen([sys.executable, "-m", "riskmon", *args], stdout=sub, stderr=subprocess.DEVNULL, env=env):
            os.close(sub)
            chunks = []
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        os.close(main)
        return b"".join(chunks).decode()

    assert "\x1b[1;31mCRITICAL\x1b[0m score 46/100" in on_a_terminal(None)
    assert "\x1b[" not in on_a_terminal("1")
    assert "\x1b[" not in example.check("-v").stdout


# ---------------------------------------------------------------------------------------------
# check, nagios

PERF = re.compile(r"'([a-z0-9_]+)'=([^ ]*)")


def perfdata(line: str) -> dict[str, str]:
    return dict(PERF.findall(line.split(" | ", 1)[1]))


def test_nagios_perfdata_has_the_lowest_cash_and_the_shortfall_probability(example: Example) -> None:
    line = example.check("-f", "nagios").stdout.splitlines()[0]
    perf = perfdata(line)
    assert perf["cash_low"] == "-20615.3846"  # currency without a unit, no thresholds
    assert perf["shortfall_probability"] == "0.9;0.2;0.5;0;1"
    assert perf["runway_weeks"] == "4.8788;12:;4:;0"
    assert (perf["loss_p50"], perf["loss_p95"]) == ("66000;;;0", "75466.6667;;;0")
    summary = line.split(" | ")[0]
    assert summary.startswith(
        "RISKMON CRITICAL - score 46/100, runway 4.9 wk, lowest -$20,615 in the week of 2025-05-26, "
        "shortfall probability 90%, tiktok 60% of orders: "
    ), summary


def test_nagios_shortfall_perfdata_carries_the_ranges_asked(example: Example) -> None:
    line = example.check("-f", "nagios", "--shortfall-warning", "0.95", "--shortfall-critical", "@0.5:1")
    perf = perfdata(line.stdout.splitlines()[0])
    assert perf["shortfall_probability"] == "0.9;0.95;@0.5:1;0;1"
    assert perf["runway_weeks"] == "4.8788;12:;4:;0"  # not asked: riskmon.toml's


def test_nagios_names_the_cash_only_when_it_raised_the_level(tmp_path: Path) -> None:
    line = Example(tmp_path, events="").check("-f", "nagios").stdout.splitlines()[0]
    summary, _ = line.split(" | ")
    assert summary.startswith("RISKMON WARNING - score 0/100, cash does not run out in 13 wk, tiktok 60%"), summary
    assert "lowest" not in summary and "shortfall probability" not in summary
    perf = perfdata(line)
    assert perf["runway_weeks"].startswith("U;") and perf["shortfall_probability"] == "0;0.2;0.5;0;1"
    assert perf["cash_low"] == "12307.6923"


# ---------------------------------------------------------------------------------------------
# The weekly report


def test_markdown_report_has_the_13_week_table_and_keeps_lost_and_late_apart(example: Example) -> None:
    r = example("report", "--db", str(example.root / "h.json"))
    assert r.returncode == 0, r.stderr
    md = r.stdout
    assert (
        "**CRITICAL**: score 46/100, runway 4.9 wk (lowest -$20,615 in the week of 2025-05-26) if likely events "
        "happen, shortfall probability 90%, expected loss $61,830 (P50 $66,000, P95 $75,467), TikTok carries 60%"
    ) in md
    table = section(md, "| Week |").splitlines()
    assert table[0] == (
        "| Week | Starts | Baseline | Likely | Stress | Commitments | Late, likely | Late, stress | Note |"
    )
    assert len(table) == 2 + 13
    assert table[3] == "| 1 | 2025-03-10 | $12,308 | $12,308 | $10,462 | -$50,000 |  |  | pay Purchase order |"
    assert table[4] == "| 2 | 2025-03-17 | $13,462 | $4,769 | $2,231 |  | -$5,000 | -$5,000 |  |"
    assert table[14] == "| 12 | 2025-05-26 | $25,000 | -$20,615 | -$30,077 |  |  |  | lowest (likely) |"
    events = section(md, "| # | Event |")
    assert "| Lost if it happens | Expected loss | Late if it happens |" in events
    assert (
        "| 1 | US ban (`ban`) | ban | confirmed | 2025-03-17 (in 14 d) | 90% | 45 | $66,000 | $59,400 | $5,000 |"
        in events
    )
    assert "- `ban`: $5,000 payouts frozen, late: leaves 2025-03-17, comes back 2025-06-15." in md
    assert "frozen cash" not in md and "Money at risk" not in md


def parse_csv(text: str) -> dict[str, list[dict[str, str]]]:
    from tests.test_report import parse_csv as sections

    return sections(text)


def test_csv_report_carries_the_forecast_the_distribution_and_late_money(example: Example, doc: dict[str, Any]) -> None:
    r = example("report", "-f", "csv", "--db", str(example.root / "h.json"))
    assert r.returncode == 0, r.stderr
    s = parse_csv(r.stdout)
    summary = {row["field"]: row["value"] for row in s["Summary"] if row["field"] != "reason"}
    assert float(summary["cash_low"]) == pytest.approx(doc["cash_low"], abs=1e-6)
    assert (summary["cash_low_week"], summary["cash_low_week_start"]) == ("12", "2025-05-26")
    assert float(summary["cash_shortfall_probability"]) == pytest.approx(0.9)
    assert (float(summary["loss_p50"]), float(summary["loss_p95"])) == (66000, pytest.approx(75466.666667))
    weeks = s["Cash forecast"]
    assert [w["week_start"] for w in weeks] == [w[:10] for w in doc["cash_forecast"]["week_starts"]]
    for key in ("baseline", "likely", "stress"):
        assert [float(w[key]) for w in weeks] == pytest.approx(doc["cash_forecast"][key], abs=1e-6)
    assert [float(w["commitments"]) for w in weeks][:3] == [0, -50000, 0]
    assert [float(w["late_one_offs_likely"]) for w in weeks][:3] == [0, 0, -5000]
    ban = next(e for e in s["Events"] if e["event"] == "ban")
    assert (float(ban["loss"]), float(ban["cash_frozen"])) == (66000, 5000)
    assert s["Late money"] == [
        {
            "event": "ban",
            "what": "payouts frozen",
            "amount": "5000.0",
            "leaves": "2025-03-17T00:00:00+00:00",
            "back": "2025-06-15T00:00:00+00:00",
        }
    ]


def test_csv_report_still_neutralises_formulas(tmp_path: Path) -> None:
    events = EVENTS.replace('title = "US ban"', 'title = "=HYPERLINK(\\"http://x\\")"')
    ex = Example(tmp_path, exposure=EXPOSURE.replace('what = "Purchase order"', 'what = "@SUM(A1)"'), events=events)
    r = ex("report", "-f", "csv")
    assert r.returncode == 0, r.stderr
    cells = [c for row in csv.reader(io.StringIO(r.stdout)) for c in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or (c[:1] == "-" and not _number(c))], cells


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_json_report_is_the_check_document_with_the_checklist(example: Example, doc: dict[str, Any]) -> None:
    rep = example.json("report", "--db", str(example.root / "h.json"))
    for key in ("cash_forecast", "cash_low", "cash_low_week", "cash_shortfall_probability", "loss_p50", "loss_p95"):
        assert rep[key] == doc[key], key
    assert rep["checklist"] and "this_week" in rep
    weeks = rep["cash_weeks"]
    assert len(weeks) == 13 and list(weeks[0]) == [
        "week",
        "week_start",
        "baseline",
        "likely",
        "stress",
        "commitments",
        "late_one_offs_likely",
        "late_one_offs_stress",
    ]
    assert [w["likely"] for w in weeks] == doc["cash_forecast"]["likely"]
    assert weeks[1]["commitments"] == -50000 and weeks[1]["week_start"] == "2025-03-10"
    assert (weeks[2]["late_one_offs_likely"], weeks[12]["likely"]) == (-5000, pytest.approx(-20615.3846, abs=1e-4))
    assert rep["late_money"] == [
        {
            "event": "ban",
            "what": "payouts frozen",
            "amount": 5000.0,
            "leaves": "2025-03-17T00:00:00+00:00",
            "back": "2025-06-15T00:00:00+00:00",
        }
    ]


# ---------------------------------------------------------------------------------------------
# What if?


def test_what_if_shows_the_forecast_and_the_distribution_side_by_side(example: Example) -> None:
    r = example("what-if", "--set", "business.cash_on_hand=120000", "--set", "ban.probability=0.4", "-v")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    rows = {line.split("  ")[0]: line for line in section(out, "   ").splitlines()}
    assert re.search(r"runway +4\.9 wk +does not run out +—$", rows["runway"])
    assert re.search(
        r"lowest cash +-\$20,615 \(2025-05-26\) +\$72,308 \(2025-03-10\) +\+\$92,923$", rows["lowest cash"]
    )
    assert re.search(r"shortfall probability +90% +0% +-90 pts$", rows["shortfall probability"])
    assert re.search(r"loss P50 +\$66,000 +\$12,000 +-\$54,000$", rows["loss P50"])
    assert re.search(r"loss P95 +\$75,467 +\$75,467 +0$", rows["loss P95"])
    weeks = section(out, "cash at the end of each week if likely events happen:").splitlines()[2:]
    assert len(weeks) == 13
    assert weeks[4].split() == ["4", "2025-03-31", "-$308", "$75,769", "+$76,077"]
    assert "cash at the end" not in example("what-if", "--set", "business.cash_on_hand=120000").stdout


def test_what_if_json_delta_has_the_forecast_and_the_distribution(example: Example) -> None:
    doc = example.json("what-if", "--set", "ban.status=in_effect")
    base, scen, delta = doc["baseline"], doc["scenario"], doc["delta"]
    for key in ("cash_low", "cash_shortfall_probability", "loss_p50", "loss_p95"):
        assert delta[key] == {"baseline": base[key], "scenario": scen[key], "change": scen[key] - base[key]}, key
    assert delta["cash_shortfall_probability"]["scenario"] == pytest.approx(1.0)
    assert delta["cash_low_week"] == {"baseline": 12, "scenario": scen["cash_low_week"]}
    # The likely forecast already has the ban (p 0.9 >= 0.5): certain now, only the odds move.
    assert scen["cash_low"] == base["cash_low"] == pytest.approx(-20615.3846, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# events


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Example:
    return Example(tmp_path_factory.mktemp("timeline"), events=TIMELINE_EVENTS + HOLD_EVENT)


def test_events_show_lists_the_timeline_and_marks_the_entry_in_force(timeline: Example) -> None:
    r = timeline("events", "show", "ban")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:2] == ["ban: US ban", "  effective 2025-03-17 00:00 UTC (in 14 d), ban, paused"]
    table = section(r.stdout, "  timeline").splitlines()
    assert table[0] == "  timeline ('>' is in force on 2025-03-03):"
    assert [row.split() for row in table[2:5]] == [
        ["2024-04-24", "announced", "60%"],
        [">", "2025-01-10", "paused", "40%"],
        ["2025-03-10", "confirmed", "90%"],
    ]
    assert re.search(r"^  probability +0\.40  status paused \(timeline entry of 2025-01-10\)", r.stdout, re.M)
    assert re.search(r"^  expected loss +\$26,400  probability × loss$", r.stdout, re.M)
    lost = section(r.stdout, "  lost if it happens", "  late if")
    assert "frozen" not in lost and re.search(r"^    loss +\$66,000  ", lost, re.M)
    assert re.search(r"^    payouts frozen +\$5,000  leaves 2025-03-17 \(week 2\)", r.stdout, re.M)


def test_events_show_later_the_next_entry_is_in_force(timeline: Example) -> None:
    r = riskmon(timeline.root, "events", "show", "ban", "--config", str(timeline.dir), "--now", "2025-03-12")
    assert r.returncode == 0, r.stderr
    assert "confirmed" in r.stdout.splitlines()[1]
    assert [row.split()[0] for row in section(r.stdout, "  timeline").splitlines()[2:5]] == [
        "2024-04-24",
        "2025-01-10",
        ">",
    ]


def test_events_show_a_hold_is_late_money_that_comes_back(timeline: Example) -> None:
    out = timeline("events", "show", "hold").stdout
    assert "  timeline: none; announced (60%) at every date" in out
    assert re.search(r"^    loss +\$0  ", out, re.M)
    assert re.search(
        r"^    extra hold +\$23,077  leaves 2025-03-20 \(week 2\), back 2025-04-20 \(week 6\)$", out, re.M
    ), out


def test_events_show_an_event_not_public_yet(timeline: Example) -> None:
    r = timeline("events", "show", "later")
    assert r.returncode == 0, r.stderr
    assert "not public yet on 2025-03-03: its timeline starts 2025-06-01" in r.stdout
    doc = timeline.json("events", "show", "later")
    assert doc["public"] is False and doc["timeline"][0]["status"] == "rumored"


def test_events_show_an_unknown_id_is_unknown_with_a_suggestion(timeline: Example) -> None:
    r = timeline("events", "show", "bann")
    assert r.returncode == 3 and "no event 'bann'; did you mean 'ban'?" in r.stderr
    assert "Traceback" not in r.stderr


def test_events_list_shows_the_status_as_of_now(timeline: Example) -> None:
    rows = {line.split()[0]: line.split() for line in timeline("events", "list").stdout.splitlines()}
    assert rows["ban"][4:6] == ["paused", "40%"]  # the config's status is the last entry's: confirmed
    assert "later" not in rows
    doc = timeline.json("events", "list")
    ban = next(e for e in doc["events"] if e["id"] == "ban")
    assert (ban["status"], ban["probability"]) == ("paused", 0.4)
    assert [t["in_force"] for t in ban["timeline"]] == [False, True, False]
    assert [t["probability_in_force"] for t in ban["timeline"]] == [0.6, 0.4, 0.9]
    assert ban["cash_moves"] == [
        {
            "what": "payouts frozen",
            "amount": 5000.0,
            "leaves": "2025-03-17T00:00:00+00:00",
            "back": "2025-06-15T00:00:00+00:00",
        }
    ]


def test_events_show_json_has_the_timeline(timeline: Example) -> None:
    doc = timeline.json("events", "show", "ban")
    assert [(t["status"], t["in_force"]) for t in doc["timeline"]] == [
        ("announced", False),
        ("paused", True),
        ("confirmed", False),
    ]
    assert (doc["loss"], doc["cash_frozen"]) == (66000.0, 5000.0)


# ---------------------------------------------------------------------------------------------
# The cash moves the outputs show are the forecast's own


def test_one_offs_and_commitments_are_what_moves_the_forecast() -> None:
    """A payout hold and a freeze that remove no orders: likely minus baseline, week by week, is
    exactly the late money the outputs list; the baseline moves only by the commitments."""
    profile = validated("Profile", _profile(60_000, [("2025-03-12", 50_000), ("2025-04-30", 7_000)]))
    events = [
        validated("Event", e)
        for e in (
            {"id": "hold", "title": "h", "kind": "payout_hold", "platforms": ["tiktok"], "status": "announced",
             "effective": "2025-03-20", "ends": "2025-04-20", "impact": {"extra_hold_days": 14}},
            {"id": "freeze", "title": "f", "kind": "shop_closure", "platforms": ["tiktok"], "status": "confirmed",
             "effective": "2025-03-10", "impact": {"orders_lost": 0, "inventory_stranded": 0, "freeze_days": 30}},
            {"id": "old", "title": "o", "kind": "account_suspension", "platforms": ["tiktok"], "status": "rumored",
             "effective": "2025-04-02", "impact": {"orders_lost": 0, "inventory_stranded": 0, "deposit_lost": 0}},
        )
    ]  # fmt: skip
    a = assess(profile, events, NOW_DT)
    f = a.forecast

    def flows(balances: tuple[float, ...]) -> list[float]:
        return [b - (balances[k - 1] if k else a.profile.business.cash_on_hand) for k, b in enumerate(balances)]

    base, likely, stress = flows(f.baseline), flows(f.likely), flows(f.stress)
    from riskmon.present.cash import happens_likely, happens_stress

    cents = {"abs": 1e-6}  # balances are running sums: differencing them leaves float noise
    assert [x - y for x, y in zip(likely, base, strict=True)] == pytest.approx(one_offs(a, happens_likely), **cents)
    assert [x - y for x, y in zip(stress, base, strict=True)] == pytest.approx(one_offs(a, happens_stress), **cents)
    due = commitments(a)
    assert [x - base[0] for x in base] == pytest.approx([d - due[0] for d in due], **cents)
    assert due[1] == -50_000 and due[8] == -7_000
    assert any(one_offs(a, happens_likely)) and one_offs(a, happens_stress) != one_offs(a, happens_likely)
    assert [w.likely for w in week_rows(a)] == list(f.likely)


def _profile(cash: float, commitments: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "business": {
            "name": "x",
            "monthly_revenue": 100_000,
            "gross_margin": 0.4,
            "monthly_fixed_costs": 30_000,
            "cash_on_hand": cash,
            "commitments": [{"date": d, "amount": x, "what": "po"} for d, x in commitments],
        },
        "channels": [
            {"id": "tiktok-us", "platform": "tiktok", "order_share": 0.5, "pending_payouts": 10_000},
            {"id": "shop", "platform": "shopify", "kind": "own_store", "order_share": 0.4},
        ],
    }


# ---------------------------------------------------------------------------------------------
# Any profile: every word is a number, Nagios never writes an exponent

NAGIOS_VALUE = re.compile(r"^(U|-?\d+(\.\d+)?)$")
money_values = st.floats(min_value=0, max_value=1e15, allow_nan=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cash=money_values,
    revenue=st.floats(min_value=0, max_value=1e15),
    fixed=money_values,
    due=st.lists(st.tuples(st.integers(-30, 120), money_values), max_size=3),
    payouts=money_values,
    p=st.floats(min_value=0, max_value=1),
    hold=st.floats(min_value=0, max_value=365),
)
def test_every_output_is_finite_and_nagios_has_no_exponent(
    cash: float, revenue: float, fixed: float, due: list[tuple[int, float]], payouts: float, p: float, hold: float
) -> None:
    from datetime import timedelta

    data = _profile(cash, [((NOW_DT + timedelta(days=d)).date().isoformat(), x) for d, x in due])
    data["business"] |= {"monthly_revenue": revenue, "monthly_fixed_costs": fixed}
    data["channels"][0]["pending_payouts"] = payouts
    profile = validated("Profile", data)
    events = [
        validated("Event", e)
        for e in (
            {"id": "ban", "title": "t", "kind": "ban", "platforms": ["tiktok"], "status": "confirmed",
             "probability": p, "effective": "2025-03-20"},
            {"id": "hold", "title": "t", "kind": "payout_hold", "platforms": ["tiktok"], "status": "announced",
             "effective": "2025-03-10", "ends": "2025-05-01", "impact": {"extra_hold_days": hold}},
        )
    ]  # fmt: skip
    a = assess(profile, events, NOW_DT)
    line = formats.nagios(a).splitlines()[0]
    values = [v.split(";") for v in perfdata(line).values()]
    for parts in values:
        assert NAGIOS_VALUE.match(parts[0]), line
        assert all(re.fullmatch(r"-?\d+(\.\d+)?:?|", t) for t in parts[1:]), line
    assert "e+" not in line and "e-" not in line.split(" | ")[1]
    from riskmon.core import playbooks as pb

    plan = pb.plan(a, [])
    outputs = [line, render_check(a, verbosity=2), report.markdown(a, plan), report.csv_text(a, plan)]
    for out in outputs:
        assert non_finite_words(out) == [], out
