"""The README's worked example ("How the numbers are computed"), through `riskmon check`: every
figure the README quotes, so the text and the model cannot drift apart."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

EXPOSURE = """\
[business]
name = "Worked Example Co"
monthly_revenue = 100000
gross_margin = 0.4
monthly_fixed_costs = 30000
cash_on_hand = 60000
commitments = [{ date = 2025-03-12, amount = 50000, what = "Purchase order" }]

[[channels]]
id = "tiktok-us"
platform = "tiktok"
kind = "social_shop"
regions = ["US"]
order_share = 0.5
inventory_value = 40000
pending_payouts = 10000
deposit = 2000
warehouse = "platform"
contribution_margin = 0.3
recapture = 0.2

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = 0.4
traffic = [{ via = "tiktok", feature = "external_link", share = 0.25 }]
"""

EVENTS = """\
[[events]]
id = "ban"
title = "US ban"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-03-17

[[events]]
id = "links"
title = "Links end"
kind = "link_cutoff"
platforms = ["tiktok"]
status = "rumored"
effective = 2025-03-03
"""


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    d: Path = tmp_path_factory.mktemp("example")
    (d / "exposure.toml").write_text(EXPOSURE)
    (d / "events.toml").write_text(EVENTS)
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "check", "--config", str(d), "--now", "2025-03-03", "-f", "json"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "RISKMON_DATA": str(d / "data"), "HOME": str(d)},
    )
    assert r.returncode == 2, r.stdout + r.stderr
    return json.loads(r.stdout)


def test_each_event_alone(doc: dict) -> None:
    ban, links = (next(e for e in doc["events"] if e["id"] == i) for i in ("ban", "links"))
    assert ban["profit_at_risk"] == pytest.approx(36_000 + 12_000)
    assert ban["inventory_loss"] == pytest.approx(16_000)
    assert ban["deposit_loss"] == pytest.approx(2_000)
    assert ban["loss"] == pytest.approx(66_000)
    assert ban["expected_loss"] == pytest.approx(59_400)
    assert ban["cash_frozen"] == pytest.approx(5_000)  # late, not lost
    assert ban["shock"] == pytest.approx(0.6)
    assert round(ban["score"], 1) == 44.8
    assert (links["loss"], links["expected_loss"]) == (pytest.approx(12_000), pytest.approx(3_000))


def test_together_nothing_twice(doc: dict) -> None:
    shop = 100_000 * 0.4 * 0.4 / 30 * (14 * 0.0625 + 76 * (1 - (1 - 0.0625) * (1 - 0.225)) + 14 * 0.225)
    assert shop == pytest.approx(13_230)
    assert doc["expected_loss"] == pytest.approx(shop + 48_600)
    assert round(doc["score"], 1) == 46.1
    assert doc["distribution"] == "exact"
    assert doc["loss_p50"] == pytest.approx(66_000)
    assert doc["loss_p95"] == pytest.approx(54_000 + 100_000 * 0.4 * 0.4 / 30 * (14 * 0.25 + 76 * 0.4375 + 14 * 0.25))
    assert round(doc["loss_p95"]) == 75_467


def test_the_cash_forecast(doc: dict) -> None:
    cash = doc["cash_forecast"]
    assert [round(x) for x in cash["baseline"][:5]] == [61_154, 12_308, 13_462, 14_615, 15_769]
    assert round(cash["baseline"][12]) == 25_000
    assert [round(x) for x in cash["likely"][:5]] == [61_154, 12_308, 4_769, 2_231, -308]
    assert round(cash["likely"][12]) == -20_615
    assert math.isclose(doc["runway_weeks"], 4 + cash["likely"][3] / (cash["likely"][3] - cash["likely"][4]))
    assert round(doc["runway_weeks"], 1) == 4.9
    assert (round(doc["cash_low"]), doc["cash_low_week"]) == (-20_615, 12)
    assert doc["cash_shortfall_probability"] == pytest.approx(0.9)


def test_the_level_and_its_reasons(doc: dict) -> None:
    rules = {r["rule"]: r["level"] for r in doc["rules"]}
    assert rules == {"score": "WARNING", "runway": "CRITICAL", "shock": "CRITICAL", "concentration": "WARNING"}
    assert doc["level"] == "CRITICAL"
    assert doc["concentration"]["top_dependence"] == pytest.approx(0.6)
