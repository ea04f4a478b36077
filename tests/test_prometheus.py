"""The Prometheus exposition: names and units by the conventions, a `profile` label on every
series, an event's status only on `riskmon_event_info`, promtool's lint, the renames listed in
CHANGELOG.md, the contrib/ rules under `promtool check rules` and `promtool test rules`, and a
real Prometheus scraping a fleet daemon's /metrics."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from riskmon.present import prometheus
from riskmon.sources.config.load import load_config
from riskmon.usecases.evaluate import evaluate
from tests.fleet_support import EVENTS, binary, fleet_daemon, free_port, get, lint_metrics, make_fleet, promql, riskmon
from tests.fleet_support import prometheus as real_prometheus

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 1, 10, tzinfo=UTC)
SAMPLE = re.compile(r"^(riskmon_[a-z0-9_]+)(?:\{(.*)\})? (\S+)$")

pytestmark = pytest.mark.usefixtures("no_proxy")


def promtool() -> str:
    return binary("promtool")


lint = lint_metrics


def samples(text: str) -> list[tuple[str, dict[str, str], str]]:
    out = []
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, line
        labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, m.group(3)))
    return out


def seller(tmp_path: Path, name: str = "harbor", riskmon_toml: str = "", events: str = EVENTS) -> Path:
    d = make_fleet(tmp_path / "f", 1)
    target = tmp_path / name
    (d / "seller-0000").rename(target)
    (target / "events.toml").write_text(events)
    if riskmon_toml:
        (target / "riskmon.toml").write_text(riskmon_toml)
    return target


def test_check_labels_every_series_with_the_config_dirs_name_or_export_profile(tmp_path: Path) -> None:
    cfg = seller(tmp_path, "harbor-pet")
    r = riskmon(tmp_path, "check", "--config", str(cfg), "-f", "prometheus", "--now", "2025-01-10")
    found = samples(r.stdout)
    assert found and all(labels.get("profile") == "harbor-pet" for _, labels, _ in found)
    lint(r.stdout)
    (cfg / "riskmon.toml").write_text('[export]\nprofile = "Harbor Pet (EU)"\n')
    r = riskmon(tmp_path, "check", "--config", str(cfg), "-f", "prometheus", "--now", "2025-01-10")
    assert all(labels.get("profile") == "Harbor Pet (EU)" for _, labels, _ in samples(r.stdout))
    demo = riskmon(tmp_path, "check", "-f", "prometheus", "--now", "2025-01-10")
    assert all(labels.get("profile") == "demo" for _, labels, _ in samples(demo.stdout))


def test_an_events_status_is_a_label_of_event_info_only(tmp_path: Path) -> None:
    cfg = seller(tmp_path)
    before = prometheus.prometheus(evaluate(load_config(cfg), NOW, offline=True).assessment, labels={"profile": "p"})
    (cfg / "events.toml").write_text(EVENTS.replace('status = "announced"', 'status = "confirmed"'))
    after = prometheus.prometheus(evaluate(load_config(cfg), NOW, offline=True).assessment, labels={"profile": "p"})

    def series(text: str, name: str) -> dict[str, dict[str, str]]:
        return {labels["event"]: labels for n, labels, _ in samples(text) if n == name}

    for name in ("riskmon_event_score", "riskmon_event_expected_loss", "riskmon_event_probability_ratio"):
        assert {tuple(sorted(lb)) for lb in series(before, name).values()} == {("event", "profile")}
        assert series(before, name).keys() == series(after, name).keys(), "the same series, whatever the status"
    info_before, info_after = series(before, "riskmon_event_info"), series(after, "riskmon_event_info")
    assert info_before["amazon-fee-rise"]["status"] == "announced"
    assert info_after["amazon-fee-rise"]["status"] == "confirmed"
    assert info_after["us-tiktok-ban"] == {
        "profile": "p",
        "event": "us-tiktok-ban",
        "kind": "ban",
        "status": "confirmed",
        "title": "US divest-or-ban law takes effect",
    }


def test_names_follow_the_conventions_and_ratios_are_between_0_and_1(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 12)
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "prometheus", "--now", "2025-01-10")
    lint(r.stdout)
    helps = dict(re.findall(r"^# HELP (riskmon_\w+) (.*)$", r.stdout, re.M))
    types = dict(re.findall(r"^# TYPE (riskmon_\w+) (\w+)$", r.stdout, re.M))
    assert set(types.values()) == {"gauge"} and helps.keys() == types.keys()
    for name, help_text in helps.items():
        assert re.fullmatch(r"riskmon_[a-z][a-z0-9_]*", name)
        assert name.endswith("_ratio") == ("(0 to 1)" in help_text), name
        assert not name.endswith(("_total", "_count", "_sum", "_bucket")), name
        if "Unix time" in help_text:
            assert name.endswith("_timestamp_seconds"), name
        if "Time until" in help_text:
            assert name.endswith("_seconds"), name
    for name, _labels, value in samples(r.stdout):
        if name.endswith("_ratio"):
            assert 0 <= float(value) <= 1, (name, value)


def test_untrusted_label_values_are_escaped_and_lint_clean(tmp_path: Path) -> None:
    hostile = 'Tit"le \\ with\nnewline \x1b[31mred\x1b[0m'
    events = EVENTS.replace('"US divest-or-ban law takes effect"', json.dumps(hostile), 1)
    cfg = seller(tmp_path, "evil", events=events)
    (cfg / "riskmon.toml").write_text('[export]\nprofile = "a \\"quoted\\" name"\n')
    r = riskmon(tmp_path, "check", "--config", str(cfg), "-f", "prometheus", "--now", "2025-01-10")
    assert "\x1b" not in r.stdout, r.stdout
    assert 'title="Tit\\"le \\\\ with newline red"' in r.stdout
    assert 'profile="a \\"quoted\\" name"' in r.stdout
    lint(r.stdout)


def test_the_changelog_lists_every_renamed_metric(tmp_path: Path) -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text()
    renames = re.findall(r"^\| `(riskmon_\w+)[^`]*` \| `(riskmon_\w+)[^`]*` \|$", changelog, re.M)
    assert len(renames) >= 7
    cfg = seller(tmp_path)
    r = riskmon(tmp_path, "check", "--config", str(cfg), "-f", "prometheus", "--now", "2025-01-10")
    shown = {name for name, _, _ in samples(r.stdout)}
    families = {f"riskmon_{f.name}" for f in prometheus.FAMILIES}
    for old, new in renames:
        assert new in families and new in shown, new
        if old != new:
            assert old not in shown, f"{old} was renamed to {new}"
    assert "riskmon_event_score{event,kind,status}" in changelog, "the dropped labels are named"


def test_contrib_rules_pass_promtool_and_fire_on_riskmon_series(tmp_path: Path) -> None:
    tool = promtool()
    rules = ROOT / "contrib" / "riskmon.rules.yml"
    r = subprocess.run([tool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    config = ROOT / "contrib" / "prometheus.yml"
    r = subprocess.run([tool, "check", "config", str(config)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    test = tmp_path / "riskmon.rules.test.yml"
    test.write_text(
        f"""rule_files: ["{rules}"]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'riskmon_level{{profile="acme",team="eu"}}'
        values: '2x10'
      - series: 'riskmon_level{{profile="beta",team="eu"}}'
        values: '0x10'
      - series: 'riskmon_expected_loss{{profile="acme",team="eu"}}'
        values: '1000x10'
      - series: 'riskmon_expected_loss{{profile="beta",team="eu"}}'
        values: '500x10'
      - series: 'riskmon_info{{profile="acme",team="eu",currency="USD",business="A",version="1",demo="false"}}'
        values: '1x10'
      - series: 'riskmon_info{{profile="beta",team="eu",currency="USD",business="B",version="1",demo="false"}}'
        values: '1x10'
    alert_rule_test:
      - eval_time: 6m
        alertname: RiskmonProfileCritical
        exp_alerts:
          - exp_labels: {{severity: critical, profile: acme, team: eu}}
            exp_annotations:
              summary: "acme is CRITICAL"
              runbook: "riskmon check --config <fleet dir>/acme -v"
    promql_expr_test:
      - expr: team:riskmon_profiles_critical:count
        eval_time: 1m
        exp_samples:
          - labels: 'team:riskmon_profiles_critical:count{{team="eu"}}'
            value: 1
      - expr: currency:riskmon_expected_loss:sum
        eval_time: 1m
        exp_samples:
          - labels: 'currency:riskmon_expected_loss:sum{{currency="USD"}}'
            value: 1500
"""
    )
    r = subprocess.run([tool, "test", "rules", str(test)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_real_prometheus_scrapes_per_profile_series_from_the_fleet_daemon(tmp_path: Path) -> None:
    labels = '[profiles.seller-0001]\nlabels = { client = "acme", team = "eu" }\n'
    fleet = make_fleet(tmp_path / "fleet", 5, broken={3: "syntax"}, fleet_toml=labels)
    port = free_port()
    with fleet_daemon(tmp_path, fleet, "--listen", f"127.0.0.1:{port}") as daemon:
        daemon.wait_for(lambda: "riskmon_level{" in get(f"http://127.0.0.1:{port}/metrics")[1])
        with real_prometheus(tmp_path, [f"127.0.0.1:{port}"], rules=ROOT / "contrib" / "riskmon.rules.yml") as url:
            levels = daemon.wait_for(lambda: len(promql(url, "riskmon_level")) == 5 and promql(url, "riskmon_level"))
            assert sorted(s["metric"]["profile"] for s in levels) == [f"seller-{i:04d}" for i in range(5)]
            assert all(s["metric"]["job"] == "riskmon" for s in levels)
            broken = promql(url, 'riskmon_level{profile="seller-0003"}')
            assert broken[0]["value"][1] == "3"
            eu = promql(url, 'riskmon_score{team="eu"}')
            assert [s["metric"]["profile"] for s in eu] == ["seller-0001"] and eu[0]["metric"]["client"] == "acme"
            joined = promql(url, "riskmon_event_score * on (profile, event) group_left (status) riskmon_event_info")
            assert joined and all("status" in s["metric"] for s in joined)
            daemon.wait_for(lambda: promql(url, "team:riskmon_score:max"), timeout=30)
    assert daemon.proc.returncode == 0
