"""What a hostile world feeds riskmon: each gets a clean answer, never a traceback or a number
that is not one (issue 10, items 5 and 6).

- `check --format json` answers in JSON even when it fails;
- amounts are bounded, outputs are finite and JSON is strict RFC 8259; an integer too long for
  Python is one invalid value (a located config problem, or one skipped feed event);
- bad -t and --now are "bad arguments", not internal errors;
- one supported date range (model.MIN_YEAR..MAX_YEAR) for config, feeds, --now and the engine;
- identifier-like names with invisible or bidi characters are rejected;
- `--config ""` is a bad argument, and every output names the bundled demo when it is in use.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmon.core.engine import assess
from riskmon.paths import bundled_config_dir
from riskmon.present import formats
from riskmon.present.text import DEMO_TAG, render_check
from riskmon.sources.config.load import parse_text
from riskmon.sources.config.schema import DATE_MAX, DATE_MIN, MAX_MONEY, Profile
from tests.support import SHOP_EXPOSURE, validated, write_config
from tests.test_cli import run

NOW = "2025-01-10T00:00:00Z"
NOW_DT = datetime(2025, 1, 10, tzinfo=UTC)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """History and caches under tmp_path; no user config, so without --config the demo is used."""
    return {
        "RISKMON_DATA": str(tmp_path / "data"),
        "RISKMON_DB": str(tmp_path / "data" / "history.json"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "RISKMON_CONFIG": "",
    }


def _reject_constant(name: str) -> None:
    raise ValueError(f"not RFC 8259 JSON: {name}")


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN, Infinity and -Infinity (Python accepts them by default)."""
    return json.loads(text, parse_constant=_reject_constant)


_NON_FINITE = re.compile(r"\b(nan|inf|infinity)\b", re.IGNORECASE)


def non_finite_words(text: str) -> list[str]:
    """inf/nan words in an output, but for Prometheus comments and the documented +Inf runway."""

    def documented(ln: str) -> bool:
        return ln.startswith("#") or (ln.startswith("riskmon_runway_seconds") and ln.endswith(" +Inf"))

    lines = [ln for ln in text.splitlines() if not documented(ln)]
    return _NON_FINITE.findall("\n".join(lines))


def one_line_json_failure(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stdout.count("\n") == 1 and r.stdout.endswith("\n"), r.stdout
    doc = strict_json(r.stdout)
    assert doc["level"] == "UNKNOWN" and doc["exit_code"] == 3
    assert isinstance(doc["error"], str) and doc["error"] and "\n" not in doc["error"]
    assert isinstance(doc["problems"], list)
    for p in doc["problems"]:
        assert set(p) == {"file", "line", "field", "message"}
    assert "Traceback" not in r.stderr
    return doc


def shop(tmp_path: Path, **files: str | None) -> Path:
    return write_config(tmp_path, exposure=files.pop("exposure", SHOP_EXPOSURE), **files)


def check(cfg: Path | str, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run("check", "--config", str(cfg), "--now", NOW, "--no-history", *extra, env=env)


# ---------------------------------------------------------------------------------------------
# check --format json fails in JSON


def test_invalid_config_fails_in_json_with_every_problem(tmp_path: Path, env: dict[str, str]) -> None:
    text = SHOP_EXPOSURE.replace("order_share = 0.3", "order_share = 3").replace(
        "cash_on_hand = 200000", "cash_on_hand = -1"
    )
    cfg = shop(tmp_path, exposure=text)
    doc = one_line_json_failure(check(cfg, "-f", "json", env=env))
    assert "exposure.toml" in doc["error"]
    fields = {p["field"]: p for p in doc["problems"]}
    assert set(fields) == {"business.cash_on_hand", "channels[tiktok-us].order_share"}
    lines = text.splitlines()
    for p in doc["problems"]:
        assert p["file"] == str(cfg / "exposure.toml")
        assert p["field"].rsplit(".", 1)[-1] in lines[p["line"] - 1]
    assert "must be 0 or more" in fields["business.cash_on_hand"]["message"]


@pytest.mark.parametrize(
    "args",
    [
        ["-f", "json", "-t", "nan"],
        ["-fjson", "-t", "inf"],
        ["--format=json", "-w", "nan"],
        ["--format", "json", "--now", "9999-12-31T23:59:59"],
        ["--form", "json", "--bogus"],
    ],
)
def test_bad_arguments_fail_in_json(tmp_path: Path, env: dict[str, str], args: list[str]) -> None:
    doc = one_line_json_failure(check(shop(tmp_path), *args, env=env))
    assert doc["error"].startswith("bad arguments") and doc["problems"] == []


def test_timeout_fails_in_json(tmp_path: Path, env: dict[str, str]) -> None:
    r = check(shop(tmp_path), "-f", "json", "-t", "0.001", env=env)
    doc = one_line_json_failure(r)
    assert doc["error"] == "timed out after 0.001 s"
    assert "raise -t" in r.stderr, "the details go to stderr"


def test_unreadable_file_fails_in_json(tmp_path: Path, env: dict[str, str]) -> None:
    cfg = shop(tmp_path)
    (cfg / "events.toml").mkdir()  # unreadable as a file, even for root
    doc = one_line_json_failure(check(cfg, "-f", "json", env=env))
    assert doc["problems"][0]["file"] == str(cfg / "events.toml")
    assert "events.toml" in doc["error"]


def test_an_unparsable_format_fails_in_text(tmp_path: Path, env: dict[str, str]) -> None:
    r = check(shop(tmp_path), "-f", "jsn", env=env)
    assert r.returncode == 3 and r.stdout.startswith("RISKMON UNKNOWN - bad arguments")


# ---------------------------------------------------------------------------------------------
# Numbers stay numbers


def test_money_beyond_the_cap_is_a_located_error(tmp_path: Path, env: dict[str, str]) -> None:
    text = SHOP_EXPOSURE.replace("monthly_revenue = 100000", "monthly_revenue = 1e308")
    cfg = shop(tmp_path, exposure=text)
    r = run("config", "validate", "--config", str(cfg), env=env)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "monthly_revenue" in t)
    assert r.returncode == 1
    assert f"exposure.toml:{line}: business.monthly_revenue: must be 1,000,000,000,000,000 or less" in r.stdout
    for fmt in ("text", "nagios", "prometheus"):
        first = check(cfg, "-f", fmt, env=env).stdout.splitlines()[0]
        assert first.startswith("RISKMON UNKNOWN - ") and "business.monthly_revenue" in first


def test_money_at_the_cap_gives_finite_output_everywhere(tmp_path: Path, env: dict[str, str]) -> None:
    big = f"{MAX_MONEY:.0f}"
    text = re.sub(
        r"^(monthly_revenue|monthly_fixed_costs|cash_on_hand|inventory_value) = \d+",
        rf"\1 = {big}",
        SHOP_EXPOSURE,
        flags=re.M,
    )
    text = text.replace("order_share = 0.3\n", f"order_share = 0.3\npending_payouts = {big}\ndeposit = {big}\n")
    events = '[[events]]\nid = "b"\ntitle = "b"\nkind = "payout_hold"\nplatforms = ["tiktok"]\n'
    events += 'status = "confirmed"\neffective = 2025-01-12\nimpact = { extra_hold_days = 365 }\n'
    cfg = shop(tmp_path, exposure=text, events=events)
    for fmt in ("json", "nagios", "prometheus", "text"):
        r = check(cfg, "-f", fmt, "-vv", env=env)
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr
        assert non_finite_words(r.stdout) == [], (fmt, r.stdout)
        if fmt == "json":
            assert strict_json(r.stdout)["events"][0]["cash_frozen"] > 0  # a payout hold: late money, no loss
    for fmt in ("md", "csv", "json"):
        r = run("report", "-f", fmt, "--config", str(cfg), "--now", NOW, env=env)
        assert r.returncode == 0 and non_finite_words(r.stdout) == [], (fmt, r.stdout)
    strict_json(run("report", "-f", "json", "--config", str(cfg), "--now", NOW, env=env).stdout)


def test_json_output_is_strict_even_for_a_non_finite_number() -> None:
    text = formats.to_json({"a": math.inf, "b": [math.nan, 1.5], "c": {"d": -math.inf}})
    assert strict_json(text) == {"schema": 1, "a": None, "b": [None, 1.5], "c": {"d": None}}


def test_a_runway_too_long_to_count_is_no_burn() -> None:
    """Fixed costs of a subnormal fraction of a cent: cash / burn overflows to inf."""
    profile = validated(
        "Profile",
        {
            "business": {
                "name": "x",
                "monthly_revenue": 0,
                "gross_margin": 0.5,
                "monthly_fixed_costs": 1e-300,
                "cash_on_hand": MAX_MONEY,
            }
        },
    )
    a = assess(profile, [], NOW_DT)
    assert a.runway_weeks is None
    assert "runway no burn" in render_check(a)


MONEY_FIELDS = {
    "business": ("monthly_revenue", "monthly_fixed_costs", "cash_on_hand"),
    "channels": ("inventory_value", "pending_payouts", "deposit", "payout_hold_days"),
}
FEED_EVENTS = [
    validated("Event", e)
    for e in (
        {"id": "ban", "title": "t", "kind": "ban", "platforms": ["tiktok"], "status": "confirmed",
         "effective": "2025-01-12"},
        {"id": "hold", "title": "t", "kind": "payout_hold", "platforms": ["tiktok"], "status": "in_effect",
         "effective": "2025-01-01", "impact": {"extra_hold_days": 365}},
        {"id": "fee", "title": "t", "kind": "fee_change", "platforms": ["*"], "status": "announced",
         "effective": "2025-02-01", "impact": {"fee_delta": 1.0}},
    )
]  # fmt: skip


def _toml_number(x: float | int) -> str:
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


numbers = st.one_of(
    st.floats().map(_toml_number),
    st.integers(-(10**30), 10**30).map(str),
    st.integers(4000, 6000).map(lambda n: "9" * n),  # past Python's 4300-digit int conversion
    st.sampled_from(["1e15", "1000000000000001", "5e-324", "1.7976931348623157e308"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([(t, k) for t, ks in MONEY_FIELDS.items() for k in ks]), numbers, min_size=1))
def test_any_number_in_a_money_field_is_a_located_error_or_finite_output(values: dict[tuple[str, str], str]) -> None:
    text = SHOP_EXPOSURE
    for (table, key), value in values.items():
        anchor = "[business]\n" if table == "business" else 'id = "tiktok-us"\n'
        text = re.sub(rf"^{key} = .*\n", "", text, flags=re.M)
        text = text.replace(anchor, f"{anchor}{key} = {value}\n", 1)
    profile, problems = parse_text("exposure.toml", text)
    if problems:
        lines = text.splitlines()
        for p in problems:
            assert p.line is not None and p.field, p
            key = p.field.rsplit(".", 1)[-1]
            assert key in lines[p.line - 1], (p, lines[p.line - 1][:80])
        return
    assert isinstance(profile, Profile)
    a = assess(profile, FEED_EVENTS, NOW_DT)
    doc = strict_json(formats.to_json(formats.assessment_to_dict(a)))
    assert doc["score"] >= 0
    for out in (formats.nagios(a), formats.prometheus(a), render_check(a, verbosity=2)):
        assert non_finite_words(out) == [], out


@pytest.mark.parametrize(
    "args",
    [
        ["-t", "nan"],
        ["-t", "inf"],
        ["-t", "-1"],
        ["-t", "0"],
        ["-t", "1e308"],
        ["--now", "9999-12-31T23:59:59"],
        ["--now", "0001-01-01"],
        ["--now", "0001-01-01T00:00:00+05:00"],
        ["--now", ""],
        ["-w", "inf"],
    ],
)
def test_bad_timeouts_and_instants_are_bad_arguments(tmp_path: Path, env: dict[str, str], args: list[str]) -> None:
    r = run("check", "--config", str(shop(tmp_path)), "--no-history", *args, env=env)
    assert r.returncode == 3
    assert r.stdout.count("\n") == 1 and r.stdout.startswith("RISKMON UNKNOWN - bad arguments: "), r.stdout
    assert "internal error" not in r.stdout + r.stderr and "Traceback" not in r.stderr


# ---------------------------------------------------------------------------------------------
# Feeds: one bad event is skipped alone


def _feed_event(ident: str, effective: str, **kw: Any) -> dict[str, Any]:
    return {"id": ident, "title": ident, "kind": "ban", "platforms": ["tiktok"], "regions": ["US"],
            "status": "confirmed", "effective": effective} | kw  # fmt: skip


TOML_FEED = """
[[events]]
id = "t-good"
title = "Amazon ban"
kind = "ban"
platforms = ["amazon"]
status = "confirmed"
effective = 2025-01-12

[[events]]
id = "t-long"
title = "x"
kind = "ban"
platforms = ["amazon"]
status = "confirmed"
effective = 2025-01-12
probability = {long}

[[events]]
id = "t-9999"
title = "x"
kind = "ban"
platforms = ["amazon"]
status = "confirmed"
effective = 9999-12-31T23:59:59
"""


def test_hostile_feed_events_are_skipped_alone(tmp_path: Path, env: dict[str, str]) -> None:
    long = "1" + "0" * 5000
    hostile = [
        _feed_event("year-1", "0001-01-02"),
        _feed_event("year-9999", "9999-12-31T23:59:59"),
        _feed_event("before-year-1", "0001-01-01T00:00:00+05:00"),
        _feed_event("old-update", "2025-01-12", updated="0001-01-01"),
        _feed_event("long", "2025-01-12", probability=0),
        _feed_event("zero-width", "2025-01-12", platforms=["tik\u200btok"]),
        _feed_event("good", "2025-01-12"),
    ]
    body = json.dumps({"events": hostile}).replace('"probability": 0', f'"probability": {long}')
    riskmon = (
        '[[feeds]]\nname = "j"\ntype = "file"\npath = "feed.json"\ntrust = false\n\n'
        '[[feeds]]\nname = "t"\ntype = "file"\npath = "feed.toml"\n'
    )
    cfg = shop(tmp_path, riskmon=riskmon)
    (cfg / "feed.json").write_text(body)
    (cfg / "feed.toml").write_text(TOML_FEED.format(long=long))
    r = check(cfg, "-f", "json", env=env)
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    doc = strict_json(r.stdout)
    assert sorted(e["id"] for e in doc["events"]) == ["good", "t-good"]
    j, t = doc["feeds"]
    assert j["ok"] and t["ok"] and j["events"] == 1 and t["events"] == 1
    reasons = {re.search(r"\(id '([^']+)'\)", s).group(1): s for s in j["skipped"] + t["skipped"]}  # type: ignore[union-attr]
    assert set(reasons) == {
        "year-1",
        "year-9999",
        "before-year-1",
        "old-update",
        "long",
        "zero-width",
        "t-long",
        "t-9999",
    }
    assert "outside the supported dates (years 1900 to 2200)" in reasons["year-1"]
    assert "updated" in reasons["old-update"]
    assert "5001 digits" in reasons["long"] and "5001 digits" in reasons["t-long"]
    assert "U+200B" in reasons["zero-width"]


# ---------------------------------------------------------------------------------------------
# One supported date range


EDGE_EVENT = """
[[events]]
id = "edge"
title = "Edge"
kind = "ban"
platforms = ["tiktok"]
status = "confirmed"
effective = {effective}
{extra}
"""


@pytest.mark.parametrize(
    ("effective", "extra", "field"),
    [
        ("0001-01-02", "", "events[edge].effective"),
        ("9999-12-31T23:59:59", "", "events[edge].effective"),
        ("0001-01-01T00:00:00+05:00", "", "events[edge].effective"),
        ("1899-12-31", "", "events[edge].effective"),
        ("2025-01-12", "ends = 2201-01-01", "events[edge].ends"),
        ("2025-01-12", 'deadlines = [{ date = 0001-01-05, what = "x" }]', "events[edge].deadlines[0].date"),
        ("2025-01-12", "updated = 9999-01-01", "events[edge].updated"),
    ],
)
def test_dates_outside_the_range_are_invalid_everywhere(
    tmp_path: Path, env: dict[str, str], effective: str, extra: str, field: str
) -> None:
    cfg = shop(tmp_path, events=EDGE_EVENT.format(effective=effective, extra=extra))
    r = run("config", "validate", "--config", str(cfg), env=env)
    assert r.returncode == 1, r.stdout
    assert re.search(rf"events\.toml:\d+: {re.escape(field)}: .*outside the supported dates", r.stdout), r.stdout
    for command in (["check"], ["playbook"], ["report"]):
        r = run(*command, "--config", str(cfg), "--now", NOW, env=env)
        assert r.returncode == 3, (command, r.stdout, r.stderr)
        assert field in r.stdout + r.stderr and "OverflowError" not in r.stdout + r.stderr


@pytest.mark.parametrize("now", [DATE_MIN, DATE_MAX])
def test_the_whole_range_works_end_to_end(env: dict[str, str], now: datetime) -> None:
    """The bundled demo (recurring events included) at both ends of the supported dates."""
    for command in (["check", "--no-history"], ["playbook"], ["report"], ["events", "list"]):
        r = run(*command, "--config", str(bundled_config_dir()), "--now", now.isoformat(), env=env)
        expected = (0, 1, 2) if command[0] == "check" else (0,)
        assert r.returncode in expected and "Traceback" not in r.stderr, (command, r.stdout, r.stderr)


def test_the_engine_refuses_an_instant_outside_the_range() -> None:
    profile = validated("Profile", {"business": {"name": "x", "monthly_revenue": 1, "gross_margin": 0.5}})
    assess(profile, [], DATE_MAX)
    with pytest.raises(ValueError, match="outside the supported dates"):
        assess(profile, [], datetime(1, 1, 1, tzinfo=UTC))


# ---------------------------------------------------------------------------------------------
# Invisible characters in names

HIDDEN = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff"]

WHERE = {
    "platform": ("exposure.toml", 'platform = "tiktok"', 'platform = "tik{c}tok"', "channels[tiktok-us].platform"),
    "via": (
        "exposure.toml",
        'kind = "own_store"',
        'kind = "own_store"\ntraffic = [{{ via = "tiktok{c}", share = 0.1 }}]',
        "channels[shop].traffic[0].via",
    ),
    "feature": (
        "exposure.toml",
        'kind = "own_store"',
        'kind = "own_store"\ntraffic = [{{ via = "tiktok", feature = "{c}live", share = 0.1 }}]',
        "channels[shop].traffic[0].feature",
    ),
    "currency": ("exposure.toml", 'currency = "USD"', 'currency = "US{c}D"', "business.currency"),
    "channel id": ("exposure.toml", 'id = "shop"', 'id = "sh{c}op"', "channels[1].id"),
}


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("where", list(WHERE))
def test_names_with_invisible_characters_are_rejected(char: str, where: str) -> None:
    name, old, new, field = WHERE[where]
    text = SHOP_EXPOSURE.replace(old, new.format(c=char), 1)
    _, problems = parse_text(name, text)
    assert [p.field for p in problems] == [field]
    line = next(n for n, t in enumerate(text.splitlines(), 1) if char in t)
    assert problems[0].line == line
    assert f"U+{ord(char):04X}" in problems[0].message and "invisible" in problems[0].message


def test_invisible_characters_in_settings_and_playbooks_are_rejected() -> None:
    riskmon = (
        '[[feeds]]\nname = "f"\ntype = "rss"\nurl = "https://example.org/rss"\n'
        'keywords = { "tik\u200btok" = ["tiktok"] }\n\n'
        '[[alerts]]\nname = "ops\u202e"\ntype = "desktop"\n'
    )
    _, problems = parse_text("riskmon.toml", riskmon)
    # The field shows the key as the terminal may: without the hidden character; the message names it.
    assert [(p.line, p.field) for p in problems] == [(5, "feeds[f].keywords.tiktok"), (8, "alerts[0].name")]
    assert "U+200B" in problems[0].message and "U+202E" in problems[1].message
    playbooks = '[[rules]]\nid = "r"\ntitle = "t"\nplatforms = ["amazon\u2066"]\nsteps = [{ id = "s", text = "x" }]\n'
    _, problems = parse_text("playbooks.toml", playbooks)
    assert [p.field for p in problems] == ["rules[r].platforms[0]"] and "U+2066" in problems[0].message


def test_config_validate_names_the_hidden_character(tmp_path: Path, env: dict[str, str]) -> None:
    cfg = shop(tmp_path, exposure=SHOP_EXPOSURE.replace('platform = "tiktok"', 'platform = "tiktok\u200b"'))
    r = run("config", "validate", "--config", str(cfg), env=env)
    assert r.returncode == 1
    assert "channels[tiktok-us].platform: contains an invisible or text-direction character (U+200B" in r.stdout


# ---------------------------------------------------------------------------------------------
# The demo: never by accident, always named


@pytest.mark.parametrize(
    "command", [["check"], ["check", "-f", "json"], ["events", "list"], ["report"], ["daemon", "--once"]]
)
def test_an_empty_config_is_a_bad_argument(env: dict[str, str], command: list[str]) -> None:
    r = run(*command, "--config", "", env=env)
    assert r.returncode == 3
    assert "bad arguments: --config is empty" in r.stdout + r.stderr
    assert "Harbor" not in r.stdout, "the demo must not be assessed"
    if command[-1] == "json":
        assert one_line_json_failure(r)["error"].startswith("bad arguments: --config is empty")


def test_every_check_format_names_the_demo(env: dict[str, str]) -> None:
    def check_demo(*args: str) -> str:
        r = run("check", "--now", NOW, "--no-history", *args, env=env)
        assert r.returncode in (0, 1, 2), r.stdout + r.stderr
        assert "bundled demo config" in r.stderr
        return r.stdout

    assert DEMO_TAG in check_demo().splitlines()[0]
    nagios = check_demo("-f", "nagios").splitlines()[0]
    assert DEMO_TAG in nagios.split("|")[0]
    doc = strict_json(check_demo("-f", "json"))
    assert doc["demo"] is True and doc["config_source"] == "bundled demo"
    assert Path(doc["config_dir"]) == bundled_config_dir()
    assert re.search(r'^riskmon_info\{.*demo="true".*\} 1$', check_demo("-f", "prometheus"), re.M)


def test_every_other_output_names_the_demo(env: dict[str, str]) -> None:
    def out(*args: str) -> str:
        r = run(*args, "--now", NOW, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout

    assert "Demo:" in out("report").split("## Summary")[0]
    assert "demo,true" in out("report", "-f", "csv")
    assert strict_json(out("report", "-f", "json"))["demo"] is True
    assert out("playbook").startswith(DEMO_TAG)
    assert strict_json(out("playbook", "-f", "json"))["demo"] is True
    assert out("events", "list").startswith(DEMO_TAG)
    assert strict_json(out("events", "list", "-f", "json"))["demo"] is True


def test_an_own_config_is_not_called_a_demo(tmp_path: Path, env: dict[str, str]) -> None:
    cfg = shop(tmp_path)
    r = check(cfg, env=env)
    assert DEMO_TAG not in r.stdout and "demo" not in r.stderr
    doc = strict_json(check(cfg, "-f", "json", env=env).stdout)
    assert doc["demo"] is False and doc["config_dir"] == str(cfg)
    assert 'demo="false"' in check(cfg, "-f", "prometheus", env=env).stdout
    report = run("report", "--config", str(cfg), "--now", NOW, env=env).stdout
    assert "Demo:" not in report
