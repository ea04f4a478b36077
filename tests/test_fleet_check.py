"""`riskmon fleet check` in a subprocess: a fleet of generated sellers (some broken) against
`riskmon check` of each seller alone; the four formats; fleet.toml's shared feeds, events and
labels; history per profile; replays that record nothing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from riskmon.present.fleet import display_width
from riskmon.store.history import HistoryStore
from tests.fleet_support import EVENTS, NOW, env, exposure, lint_metrics, make_fleet, profile_name, riskmon
from tests.servers import local_server, static

pytestmark = pytest.mark.usefixtures("no_proxy")

BROKEN = {3: "syntax", 7: "missing", 11: "range", 12: "typo"}


def fleet_json(tmp_path: Path, fleet: Path, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--now", NOW, *args)
    return json.loads(r.stdout), r


def single(tmp_path: Path, profile: Path) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    r = riskmon(tmp_path, "check", "--config", str(profile), "-f", "json", "--now", NOW, "--no-history")
    return json.loads(r.stdout), r


def test_every_profile_as_check_alone_would_assess_it(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 14, broken=BROKEN)
    doc, r = fleet_json(tmp_path, fleet)
    assert doc["schema"] == 1
    profiles = {p["profile"]: p for p in doc["profiles"]}
    assert sorted(profiles) == [profile_name(i) for i in range(14)]
    levels = []
    for i in range(14):
        name = profile_name(i)
        mine, alone = profiles[name], single(tmp_path, fleet / name)[0]
        levels.append(alone["level"])
        if i in BROKEN:
            assert mine["level"] == "UNKNOWN" and mine["exit_code"] == 3, mine
            assert mine["error"] == alone["error"] and mine["problems"] == alone["problems"]
            assert any(name in p["file"] for p in mine["problems"]), "the problem names the profile's file"
            continue
        for key in ("level", "exit_code", "score", "reasons", "expected_loss", "runway_weeks", "business"):
            assert mine[key] == alone[key], (name, key)
        assert [e["id"] for e in mine["events"]] == [e["id"] for e in alone["events"]]
        assert [e["score"] for e in mine["events"]] == [e["score"] for e in alone["events"]]
    counts = {lv: levels.count(lv) for lv in ("OK", "WARNING", "CRITICAL", "UNKNOWN")}
    assert doc["summary"] == counts and counts["UNKNOWN"] == 4
    assert counts["CRITICAL"] and counts["WARNING"], "the generated sellers cover the levels"
    assert doc["level"] == "CRITICAL" and r.returncode == 2, "CRITICAL outranks a broken profile's UNKNOWN"


def test_the_exit_code_is_the_worst_state(tmp_path: Path) -> None:
    calm = "[business]\nname = 'Calm'\nmonthly_revenue = 1000\ngross_margin = 0.4\ncash_on_hand = 100000\n"
    fleet = tmp_path / "fleet"
    (fleet / "calm").mkdir(parents=True)
    (fleet / "calm" / "exposure.toml").write_text(calm)
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "--now", NOW)
    assert r.returncode == 0 and r.stdout.startswith("RISKMON FLEET OK - 1 profile: 1 OK"), r.stdout + r.stderr
    (fleet / "broken").mkdir()
    (fleet / "broken" / "exposure.toml").write_text("[business\n")
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "--now", NOW)
    assert r.returncode == 3 and r.stdout.startswith("RISKMON FLEET UNKNOWN - 2 profiles: 1 UNKNOWN, 1 OK")
    make_fleet(fleet, 3)  # seller-0000..2, some WARNING or CRITICAL
    doc, r = fleet_json(tmp_path, fleet)
    assert r.returncode == {"CRITICAL": 2, "UNKNOWN": 3}[doc["level"]]


def test_text_is_a_table_sorted_by_level_then_score_aligned_by_display_width(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 12, broken={4: "missing"})
    (fleet / profile_name(5)).rename(fleet / "东京宠物店")  # a profile named in Chinese: two columns a character
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "--now", NOW)
    lines = r.stdout.splitlines()
    assert re.match(r"RISKMON FLEET (CRITICAL|UNKNOWN) - 12 profiles: ", lines[0])
    header = lines[2]
    assert header.split() == ["PROFILE", "LEVEL", "SCORE", "LOWEST", "CASH", "SHORTFALL", "TOP", "REASON"]
    rows = lines[3:15]
    doc, _ = fleet_json(tmp_path, fleet, "--no-history")
    by_name = {p["profile"]: p for p in doc["profiles"]}
    order = [row.split()[0] for row in rows]
    rank = {"CRITICAL": 0, "UNKNOWN": 1, "WARNING": 2, "OK": 3}
    expected = sorted(by_name, key=lambda n: (rank[by_name[n]["level"]], -(by_name[n].get("score") or 0), n))
    assert order == expected
    # Every row's reason starts at the same terminal column as the header's, CJK names included.
    column = display_width(header[: header.index("TOP REASON")])
    for row, name in zip(rows, order, strict=True):
        reason = by_name[name].get("error") or (by_name[name]["reasons"] or ["-"])[0]
        start = row.index(reason[:20])
        assert display_width(row[:start]) == column, row
    assert "东京宠物店" in order


def test_nagios_gives_the_worst_state_counts_and_perfdata_per_profile(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 6, broken={2: "syntax"})
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "nagios", "--now", NOW)
    first, *details = r.stdout.splitlines()
    text, perf = first.split(" | ")
    doc, _ = fleet_json(tmp_path, fleet, "--no-history")
    assert text.startswith(f"RISKMON FLEET {doc['level']} - 6 profiles: ")
    assert r.returncode == {"CRITICAL": 2, "UNKNOWN": 3}[doc["level"]]
    items = dict(re.findall(r"'([^']+)'=(\S+)", perf))
    for state, count in doc["summary"].items():
        assert items[state.lower()].split(";")[0] == str(count)
    for p in doc["profiles"]:
        value = items[p["profile"]].split(";")[0]
        assert value == ("U" if p["level"] == "UNKNOWN" else str(round(p["score"], 4)).rstrip("0").rstrip("."))
    not_ok = [p["profile"] for p in doc["profiles"] if p["level"] != "OK"]
    assert sorted(d.split(":")[0] for d in details) == sorted(not_ok)


def test_prometheus_labels_every_series_with_its_profile_and_passes_promtool(tmp_path: Path) -> None:
    labels = '[profiles.seller-0001]\nlabels = { client = "acme", team = "eu" }\n'
    fleet = make_fleet(tmp_path / "fleet", 4, broken={2: "typo"}, fleet_toml=labels)
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "prometheus", "--now", NOW)
    samples = [ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")]
    assert samples and all('{profile="seller-' in ln for ln in samples), "every series names its profile"
    assert 'riskmon_level{profile="seller-0002"} 3' in samples, "the broken profile is UNKNOWN (3)"
    assert 'riskmon_config_ok{profile="seller-0002"} 0' in samples
    assert any(ln.startswith('riskmon_level{profile="seller-0001",client="acme",team="eu"} ') for ln in samples)
    assert len([ln for ln in r.stdout.splitlines() if ln.startswith("# TYPE riskmon_level ")]) == 1
    lint_metrics(r.stdout)


def test_shared_feed_polled_once_and_shared_events_for_every_profile(tmp_path: Path) -> None:
    ban = {
        "id": "feed-ban",
        "title": "A ban from the agency feed",
        "kind": "ban",
        "platforms": ["amazon"],
        "regions": ["US"],
        "status": "confirmed",
        "effective": "2025-01-12",
    }
    with local_server() as server:
        url = server.route("/feed", static(json.dumps({"events": [ban]}), 200))
        fleet_toml = f'events = "shared.toml"\n\n[[feeds]]\nname = "agency"\ntype = "http"\nurl = "{url}"\n'
        fleet = make_fleet(tmp_path / "fleet", 5, events=False, fleet_toml=fleet_toml)
        (fleet / "shared.toml").write_text(EVENTS)
        # seller-0001's own copy of the ban replaces the shared one: a paused one.
        own = EVENTS.split("\n\n")[0].replace('status = "confirmed"', 'status = "paused"')
        (fleet / "seller-0001" / "events.toml").write_text(own)
        doc, _ = fleet_json(tmp_path, fleet)
        assert len(server.hits("/feed")) == 1, "one poll for the whole fleet"
    for p in doc["profiles"]:
        events = {e["id"]: e for e in p["events"]}
        assert {"feed-ban", "amazon-fee-rise"} <= set(events), p["profile"]
        assert p["feeds"][0]["name"] == "agency" and p["feeds"][0]["ok"] is True
        want = "paused" if p["profile"] == "seller-0001" else "confirmed"
        if "us-tiktok-ban" in events:
            assert events["us-tiktok-ban"]["status"] == want
    # As check sees the same seller with the shared events copied into its own events.toml:
    alone_dir = tmp_path / "alone"
    shutil.copytree(fleet / "seller-0002", alone_dir)
    (alone_dir / "events.toml").write_text(EVENTS + "\n" + _toml_event(ban))
    alone, _ = single(tmp_path, alone_dir)
    mine = next(p for p in doc["profiles"] if p["profile"] == "seller-0002")
    assert (mine["level"], mine["score"], mine["expected_loss"]) == (
        alone["level"],
        alone["score"],
        alone["expected_loss"],
    )


def _toml_event(e: dict[str, Any]) -> str:
    lines = ["[[events]]"]
    for k, v in e.items():
        lines.append(f"{k} = {json.dumps(v) if k != 'effective' else v}")
    return "\n".join(lines) + "\n"


def test_history_per_profile_and_replays_record_nothing(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 3)
    data = tmp_path / "fleetdata"
    riskmon(tmp_path, "fleet", "check", str(fleet), "--now", NOW, "--data", str(data))
    assert not data.exists(), "--now is a replay: nothing recorded"
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--data", str(data))
    assert sorted(p.name for p in (data / "history").glob("*.json")) == [f"{profile_name(i)}.json" for i in range(3)]
    first = json.loads(r.stdout)
    assert all(p["changes"] is not None for p in first["profiles"])
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--data", str(data))
    assert r.returncode in (1, 2)
    for i in range(3):
        snaps = HistoryStore(data / "history" / f"{profile_name(i)}.json").snapshots()
        assert len(snaps) == 2, "each check is a snapshot in that profile's own history"


def test_the_default_data_dir_is_per_fleet_under_riskmon_data(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "agency-eu", 2)
    riskmon(tmp_path, "fleet", "check", str(fleet))
    assert (tmp_path / "data" / "fleet" / "agency-eu" / "history" / "seller-0000.json").exists()


@pytest.mark.parametrize(
    ("fleet_toml", "field", "message"),
    [
        ('[profiles.seller-0000]\nlabels = { Team-X = "eu" }\n', "profiles.seller-0000.labels", "not a label name"),
        ('[profiles.seller-0000]\nlabels = { severity = "high" }\n', "profiles.seller-0000.labels", "set by riskmon"),
        ('[profiles.seller-0000]\nlabel = { team = "eu" }\n', "profiles.seller-0000.label", "did you mean 'labels'"),
        ('events = "nowhere.toml"\n', "events", "shared events file not found"),
        ('[[routes]]\nmatch = { team = "eu" }\n[[routes.alerts]]\ntype = "alertmanager"\n', "routes[0].alerts", "url"),
        ("[[feeds]]\nname = 'a'\ntype = 'file'\npath = 'x'\n" * 2, "feeds", "twice"),
    ],
)
def test_a_bad_fleet_toml_is_unknown_naming_file_line_and_field(
    tmp_path: Path, fleet_toml: str, field: str, message: str
) -> None:
    fleet = make_fleet(tmp_path / "fleet", 1, fleet_toml=fleet_toml)
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json")
    assert r.returncode == 3, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["level"] == "UNKNOWN" and "Traceback" not in r.stderr
    problem = doc["problems"][0]
    assert problem["file"].endswith("fleet.toml") and problem["line"] >= 1
    assert problem["field"].startswith(field) and message in problem["message"], problem
    r = riskmon(tmp_path, "fleet", "check", str(fleet))
    assert r.returncode == 3 and r.stdout.startswith("RISKMON FLEET UNKNOWN - ") and "fleet.toml:" in r.stdout


def test_a_labelled_profile_without_a_directory_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2, fleet_toml='[profiles.seller-00001]\nlabels = { team = "eu" }\n')
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "--now", NOW)
    assert r.returncode in (1, 2)
    assert "fleet.toml:1: profiles.seller-00001: no profile directory" in r.stderr
    assert "did you mean 'seller-0001'?" in r.stderr


def test_not_a_fleet_directory(tmp_path: Path) -> None:
    r = riskmon(tmp_path, "fleet", "check", str(tmp_path / "nowhere"))
    assert r.returncode == 3 and "fleet directory not found" in r.stdout
    (tmp_path / "empty").mkdir()
    r = riskmon(tmp_path, "fleet", "check", str(tmp_path / "empty"), "-f", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["profiles"] == [] and "no profiles" in r.stderr


def test_a_profile_exposure_that_is_a_directory_is_that_profiles_unknown(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2)
    bad = fleet / "odd"
    (bad / "exposure.toml").mkdir(parents=True)
    doc, _ = fleet_json(tmp_path, fleet)
    odd = next(p for p in doc["profiles"] if p["profile"] == "odd")
    assert odd["level"] == "UNKNOWN" and "exposure.toml" in odd["error"]
    assert [p["level"] for p in doc["profiles"] if p["profile"] != "odd"] != ["UNKNOWN", "UNKNOWN"]
    assert exposure(0)  # the generator is deterministic: the same seed, the same seller


def test_contrib_fleet_toml_is_valid(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "agency", 0)
    for name in ("harbor-pet", "tokyo-home"):
        (fleet / name).mkdir()
        (fleet / name / "exposure.toml").write_text(exposure(len(name)))
    shutil.copy(Path(__file__).resolve().parent.parent / "contrib" / "fleet.toml", fleet / "fleet.toml")
    (fleet / "shared-events.toml").write_text(EVENTS)
    r = riskmon(tmp_path, "fleet", "check", str(fleet), "-f", "json", "--offline", "--now", NOW, AGENCY_TOKEN="x")
    doc = json.loads(r.stdout)
    assert [p["labels"] for p in doc["profiles"]] == [
        {"client": "harbor", "team": "us-east", "region": "US"},
        {"client": "tokyo-home", "team": "apac", "region": "JP"},
    ]
    assert all({e["id"] for e in p["events"]} >= {"us-tiktok-ban"} for p in doc["profiles"]), r.stderr


def test_fleet_check_imports_neither_textual_nor_apscheduler(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path / "fleet", 2)
    code = (
        "import sys, io, contextlib\n"
        "from riskmon.cli.main import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['fleet', 'check', {str(fleet)!r}, '--now', '2025-01-10', '-f', 'json'])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'apscheduler', 'plotext'}))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env(tmp_path))
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check", "-f", "json"],
        ["check", "-f", "json", "--config", "/nowhere"],
        ["events", "list", "-f", "json"],
        ["events", "show", "us-tiktok-ban-2025", "-f", "json"],
        ["playbook", "-f", "json"],
        ["report", "-f", "json"],
        ["what-if", "--stress", "-f", "json"],
        ["history", "-f", "json"],
        ["history", "changes", "-f", "json"],
    ],
)
def test_every_json_document_says_which_schema_it_follows(tmp_path: Path, args: list[str]) -> None:
    riskmon(tmp_path, "check")  # a history to read
    r = riskmon(tmp_path, *args, "--now", NOW)
    assert json.loads(r.stdout)["schema"] == 1, r.stdout[:300] + r.stderr
