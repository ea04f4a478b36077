"""`riskmon what-if` as a user runs it: overrides, stress, saved scenarios, --apply."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.support import WHATIF_EVENTS as EVENTS
from tests.support import WHATIF_EXPOSURE as EXPOSURE
from tests.support import write_config

NOW = "2025-01-10T00:00:00Z"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "RISKMON_CONFIG"}
    return {
        **base,
        "NO_COLOR": "1",
        "RISKMON_DATA": str(tmp_path / "data"),
        "RISKMON_DB": str(tmp_path / "data" / "history.json"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path),
    }


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return write_config(tmp_path, exposure=EXPOSURE, events=EVENTS)


def riskmon(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "riskmon", *args], capture_output=True, text=True, env=env, timeout=60)


def what_if(env: dict[str, str], cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return riskmon(env, "what-if", "--config", str(cfg), "--now", NOW, *args)


def what_if_json(env: dict[str, str], cfg: Path, *args: str) -> dict[str, Any]:
    r = what_if(env, cfg, "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def check_json(env: dict[str, str], cfg: Path) -> dict[str, Any]:
    r = riskmon(env, "check", "--config", str(cfg), "--now", NOW, "--no-history", "--format", "json")
    assert r.returncode in (0, 1, 2), r.stdout + r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def same_assessment(side: dict[str, Any], check: dict[str, Any]) -> None:
    """A what-if side equals `check --format json` (check adds playbooks, history, config_dir)."""
    for key, value in side.items():
        if key == "events":
            assert [{**e, "playbook": []} for e in check[key]] == value
        elif key == "standing":
            continue
        else:
            assert check[key] == value, key


# ---------------------------------------------------------------------------------------------
# The numbers


def test_baseline_and_scenario_equal_check_on_the_config_and_on_an_edited_copy(
    env: dict[str, str], cfg: Path, tmp_path: Path
) -> None:
    doc = what_if_json(
        env,
        cfg,
        "--set",
        "us-ban.status=confirmed",
        "--set",
        "us-ban.probability=0.95",
        "--set",
        "tiktok-us.order_share=25%",
        "--set",
        "amazon-us.order_share=0.55",
        "--set",
        "business.cash_on_hand=90000",
    )
    assert set(doc) >= {"baseline", "scenario", "delta", "what_if"}
    same_assessment(doc["baseline"], check_json(env, cfg))

    edited = tmp_path / "edited"
    shutil.copytree(cfg, edited)
    exposure = (edited / "exposure.toml").read_text()
    for old, new in (
        ("order_share = 0.5 ", "order_share = 0.25"),
        ("order_share = 0.3\n", "order_share = 0.55\n"),
        ("cash_on_hand = 60000", "cash_on_hand = 90000"),
    ):
        exposure = exposure.replace(old, new)
    (edited / "exposure.toml").write_text(exposure)
    events = (edited / "events.toml").read_text()
    (edited / "events.toml").write_text(events.replace('status = "paused"', 'status = "confirmed"\nprobability = 0.95'))
    same_assessment(doc["scenario"], check_json(env, edited))

    delta = doc["delta"]
    base, scen = doc["baseline"], doc["scenario"]
    score_change = scen["score"] - base["score"]
    assert delta["score"] == {"baseline": base["score"], "scenario": scen["score"], "change": score_change}
    assert delta["level"]["baseline"] == base["level"] and delta["level"]["scenario"] == scen["level"]
    assert delta["expected_loss"]["change"] == pytest.approx(scen["expected_loss"] - base["expected_loss"])
    ban = next(e for e in delta["events"] if e["id"] == "us-ban")
    base_ban = next(e for e in base["events"] if e["id"] == "us-ban")
    scen_ban = next(e for e in scen["events"] if e["id"] == "us-ban")
    assert (ban["baseline"], ban["scenario"]) == (base_ban["expected_loss"], scen_ban["expected_loss"])
    assert ban["change"] == pytest.approx(scen_ban["expected_loss"] - base_ban["expected_loss"])
    assert [c["target"] for c in doc["what_if"]["changes"]] == [
        "us-ban.status",
        "us-ban.probability",
        "tiktok-us.order_share",
        "amazon-us.order_share",
        "business.cash_on_hand",
    ]
    # Nothing was written.
    assert (cfg / "exposure.toml").read_text() == EXPOSURE and (cfg / "events.toml").read_text() == EVENTS


def test_stress(env: dict[str, str], cfg: Path) -> None:
    doc = what_if_json(env, cfg, "--stress")
    assert doc["what_if"]["stress"] is True
    for e in doc["scenario"]["events"]:
        assert (e["status"], e["probability"], e["effective"], e["in_effect"]) == (
            "in_effect",
            1.0,
            "2025-01-10T00:00:00+00:00",
            True,
        )
    ban = next(e for e in doc["scenario"]["events"] if e["id"] == "us-ban")
    assert ban["ends"] == "2025-03-27T00:00:00+00:00"  # the 76-day window keeps its length
    assert doc["delta"]["score"]["change"] > 0


def test_text_output_side_by_side(env: dict[str, str], cfg: Path) -> None:
    r = what_if(env, cfg, "--set", "us-ban.status=confirmed", "--set", "us-ban.effective=2025-02-01")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "us-ban.status: paused -> confirmed" in out
    assert "us-ban.ends: 2025-04-05 -> 2025-04-18 (moved with effective)" in out
    for word in ("BASELINE", "SCENARIO", "CHANGE", "level", "score", "runway", "expected loss", "EVENT"):
        assert word in out
    assert "\x1b" not in out


# ---------------------------------------------------------------------------------------------
# Errors: RiskmonError, exit 3, one line on stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--set", "tiktok-usa.order_share=0.1"), "no channel 'tiktok-usa'; did you mean 'tiktok-us'?"),
        (("--set", "us-bann.probability=1"), "no event 'us-bann'; did you mean 'us-ban'?"),
        (("--set", "us-ban.probabilty=1"), "unknown field 'probabilty'; did you mean 'probability'?"),
        (("--set", "tiktok-us.order_share=0.9"), "order_share over all channels adds up to 1.400"),
        (("--set", "us-ban"), "expected ID.FIELD=VALUE"),
        ((), "nothing to change"),
        (("--scenario", "nope"), "no scenario 'nope'"),
        (("--apply", "x", "--set", "us-ban.probability=1"), "takes no --set"),
    ],
)
def test_errors_are_one_line_and_unknown(env: dict[str, str], cfg: Path, args: tuple[str, ...], expected: str) -> None:
    r = what_if(env, cfg, *args)
    assert r.returncode == 3, r.stdout + r.stderr
    assert r.stderr.startswith("riskmon: ") and expected in r.stderr.splitlines()[0]
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------------------------------
# Saved scenarios and --apply


def test_save_load_and_list(env: dict[str, str], cfg: Path) -> None:
    first = what_if_json(
        env, cfg, "--set", "us-ban.status=confirmed", "--set", "tiktok-us.order_share=0.25", "--save", "ban-move"
    )
    path = cfg / "scenarios" / "ban-move.toml"
    assert first["what_if"]["saved"] == str(path)
    text = path.read_text()
    assert '[scenario]\nname = "ban-move"\ncreated = 2025-01-10T00:00:00Z\nstress = false' in text
    assert '[[set]]\ntarget = "tiktok-us.order_share"\nvalue = 0.25' in text

    again = what_if_json(env, cfg, "--scenario", "ban-move")
    assert again["scenario"] == first["scenario"] and again["what_if"]["name"] == "ban-move"
    more = what_if_json(env, cfg, "--scenario", "ban-move", "--set", "tiktok-us.order_share=0.1")
    assert [c["to"] for c in more["what_if"]["changes"]] == ["confirmed", 0.1]

    r = what_if(env, cfg, "--list")
    assert r.returncode == 0 and "ban-move: us-ban.status=confirmed, tiktok-us.order_share=0.25" in r.stdout


def test_apply_needs_yes_and_then_writes_comment_preserving(env: dict[str, str], cfg: Path) -> None:
    what_if_json(
        env,
        cfg,
        "--set",
        "us-ban.status=confirmed",
        "--set",
        "tiktok-us.order_share=0.25",
        "--set",
        "us-ban.effective=2025-02-01",
        "--save",
        "plan",
    )
    dry = what_if(env, cfg, "--apply", "plan")
    assert dry.returncode == 1
    assert f"{cfg}/exposure.toml: channels[tiktok-us].order_share: 0.5 -> 0.25" in dry.stdout
    assert f"{cfg}/events.toml: events[us-ban].ends: 2025-04-05 -> 2025-04-18 (moved with effective)" in dry.stdout
    assert "--yes" in dry.stdout
    assert (cfg / "exposure.toml").read_text() == EXPOSURE and (cfg / "events.toml").read_text() == EVENTS

    scenario = what_if_json(env, cfg, "--scenario", "plan")["scenario"]
    done = what_if(env, cfg, "--apply", "plan", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"wrote {cfg}/exposure.toml" in done.stdout and f"wrote {cfg}/events.toml" in done.stdout
    exposure = (cfg / "exposure.toml").read_text()
    assert "order_share = 0.25            # half of all orders" in exposure
    assert exposure.replace("0.25 ", "0.5 ", 1) == EXPOSURE
    assert 'status = "confirmed"            # EO 14166' in (cfg / "events.toml").read_text()
    same_assessment(scenario, check_json(env, cfg))  # the config now is the scenario

    again = what_if(env, cfg, "--apply", "plan", "--yes")
    assert again.returncode == 0 and "nothing to write" in again.stdout


def test_apply_refuses_stress_and_invalid_scenarios(env: dict[str, str], cfg: Path) -> None:
    what_if_json(env, cfg, "--stress", "--save", "doom")
    r = what_if(env, cfg, "--apply", "doom", "--yes")
    assert r.returncode == 3 and "stress test" in r.stderr

    (cfg / "scenarios" / "broken.toml").write_text(
        textwrap.dedent("""
        [scenario]
        name = "broken"
        [[set]]
        target = "tiktok-us.order_share"
        value = 0.9
    """)
    )
    before = (cfg / "exposure.toml").read_bytes()
    r = what_if(env, cfg, "--apply", "broken", "--yes")
    assert r.returncode == 3 and "adds up to 1.400" in r.stderr
    assert (cfg / "exposure.toml").read_bytes() == before


def test_saving_into_the_bundled_demo_is_refused(env: dict[str, str]) -> None:
    r = riskmon(env, "what-if", "--now", NOW, "--offline", "--stress", "--save", "x")
    assert r.returncode == 3 and "riskmon config init" in r.stderr
    r = riskmon(env, "what-if", "--now", NOW, "--offline", "--stress", "-f", "json")
    assert r.returncode == 0, r.stderr


def test_check_path_does_not_import_the_editing_layer(cfg: Path) -> None:
    code = textwrap.dedent(f"""
        import sys
        from riskmon.cli.main import main
        rc = main(["check", "--config", {str(cfg)!r}, "--now", "{NOW}", "--no-history", "-f", "json"])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] == "tomlkit" or m in (
            "riskmon.sources.config.edit", "riskmon.core.scenario", "riskmon.sources.scenarios", "riskmon.cli.whatif"))
        print("LOADED", loaded, file=sys.stderr)
        sys.exit(0 if not loaded else 99)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
