"""Helpers for the fleet, Prometheus and Alertmanager tests: generated sellers, riskmon in a
subprocess, and the real Prometheus and Alertmanager started on free localhost ports.

Sellers are generated from a seed, so a failing case can be rebuilt: a mix of cash, platform
shares and regions (some Chinese business names), a few profiles broken on purpose in the ways a
hand-edited directory breaks (a syntax error, a missing field, a value out of range, a typo'd key).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.waiting import process_state, wait_until

NOW = "2025-01-10T00:00:00Z"

EVENTS = """\
[[events]]
id = "us-tiktok-ban"
title = "US divest-or-ban law takes effect"
kind = "ban"
platforms = ["tiktok"]
regions = ["US"]
status = "confirmed"
effective = 2025-01-19

[[events]]
id = "amazon-fee-rise"
title = "Amazon referral fee rise"
kind = "fee_change"
platforms = ["amazon"]
regions = ["US", "DE"]
status = "announced"
effective = 2025-02-01
impact = { fee_delta = 0.03 }

[[events]]
id = "id-social-commerce"
title = "Indonesia bans checkout in social media"
kind = "shop_closure"
platforms = ["tiktok"]
regions = ["ID"]
status = "rumored"
effective = 2025-03-01
"""

BROKEN = {
    "syntax": '[business]\nname = "Broken"\nmonthly_revenue = 1000\ngross_margin = 0.4\n[[channels]\n',
    "missing": '[business]\nname = "Missing"\nmonthly_revenue = 1000\n',
    "range": '[business]\nname = "Range"\nmonthly_revenue = -5\ngross_margin = 0.4\n',
    "typo": '[business]\nname = "Typo"\nmonthly_revenue = 1000\ngross_margin = 0.4\ncash_on_hnad = 5\n',
}
"""exposure.toml texts that are invalid, by the way they break."""


def exposure(seed: int) -> str:
    """A seller's exposure.toml: seeded shares of TikTok (US or ID), Amazon and an own store."""
    rng = random.Random(seed)
    tiktok = round(rng.uniform(0.05, 0.6), 2)
    amazon = round(rng.uniform(0.0, 0.9 - tiktok), 2)
    shop = round(max(0.0, 1.0 - tiktok - amazon - 0.05), 2)
    name = f"卖家{seed}号宠物用品" if seed % 5 == 0 else f"Seller {seed}"
    region = rng.choice(["US", "US", "ID", "DE"])
    return f"""\
[business]
name = "{name}"
currency = "USD"
monthly_revenue = {rng.choice([20000, 100000, 400000, 2000000])}
gross_margin = {round(rng.uniform(0.2, 0.5), 2)}
monthly_fixed_costs = {rng.choice([5000, 30000, 90000])}
cash_on_hand = {rng.choice([2000, 40000, 150000, 900000])}

[[channels]]
id = "tiktok"
platform = "tiktok"
kind = "social_shop"
regions = ["{region}"]
order_share = {tiktok}
inventory_value = {rng.choice([0, 20000, 120000])}
pending_payouts = {rng.choice([0, 5000, 45000])}

[[channels]]
id = "amazon"
platform = "amazon"
regions = ["US", "DE"]
order_share = {amazon}

[[channels]]
id = "shop"
platform = "shopify"
kind = "own_store"
regions = ["US"]
order_share = {shop}
traffic = [{{ via = "tiktok", feature = "external_link", share = {round(rng.uniform(0, 0.5), 2)} }}]
"""


def profile_name(i: int) -> str:
    return f"seller-{i:04d}"


def make_fleet(
    root: Path, n: int, *, broken: dict[int, str] | None = None, events: bool = True, fleet_toml: str | None = None
) -> Path:
    """A fleet directory of `n` generated profiles; `broken` maps profile numbers to a BROKEN
    kind; `events`: each profile gets EVENTS as its own events.toml."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        d = root / profile_name(i)
        d.mkdir(exist_ok=True)
        kind = (broken or {}).get(i)
        (d / "exposure.toml").write_text(BROKEN[kind] if kind else exposure(i), encoding="utf-8")
        if events:
            (d / "events.toml").write_text(EVENTS, encoding="utf-8")
    if fleet_toml is not None:
        (root / "fleet.toml").write_text(fleet_toml, encoding="utf-8")
    return root


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment: no proxies, no config or history of the user's; data under tmp."""
    out = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name in ("RISKMON_CONFIG", "RISKMON_DB"):
        out.pop(name, None)
    out.update(RISKMON_DATA=str(tmp_path / "data"), NO_COLOR="1", **extra)
    return out


def riskmon(tmp_path: Path, *args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskmon", *args],
        capture_output=True,
        text=True,
        env=env(tmp_path, **extra),
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 5) -> tuple[int, str]:
    """GET `url` (no proxy); (status, body), or (0, why) when nothing answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:
        return 0, str(exc)


def get_json(url: str) -> Any:
    status, body = get(url)
    return json.loads(body) if status == 200 else None


# ---------------------------------------------------------------------------------------------
# Processes


class Proc:
    """A process started by a test, its output in a file (shown when a wait times out)."""

    def __init__(self, argv: list[str], log: Path, **kw: Any) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(argv, stdout=self._out, stderr=subprocess.STDOUT, **kw)

    def text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def context(self) -> str:
        return process_state(self.proc, self.text())

    def wait_for(self, cond: Any, timeout: float = 30.0) -> Any:
        return wait_until(cond, timeout, context=self.context)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._out.close()
        return int(self.proc.returncode)


@contextmanager
def fleet_daemon(tmp_path: Path, fleet: Path, *args: str) -> Iterator[Proc]:
    """`riskmon fleet daemon FLEET` in a subprocess, data under tmp; stopped (SIGTERM) after."""
    p = Proc(
        [sys.executable, "-m", "riskmon", "fleet", "daemon", str(fleet), "--data", str(tmp_path / "fleetdata"), *args],
        tmp_path / f"daemon-{len(list(tmp_path.glob('daemon-*.log')))}.log",
        env=env(tmp_path),
    )
    try:
        yield p
    finally:
        p.stop()


def binary(*names: str) -> str:
    """The first of `names` on PATH (or in /usr/bin); the test is skipped, saying so, without one."""
    for name in names:
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if found:
            return found
    pytest.skip(f"{' or '.join(names)} not installed (.ci/run installs it from the system's packages)")


ALERTMANAGER_CONFIG = """\
route:
  receiver: sink
  group_by: ["alertname", "team"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: sink
"""


@contextmanager
def served(exe: str, args: list[str], log: Path) -> Iterator[str]:
    """`exe` listening on a free localhost port (`--web.listen-address`) until ready; its URL."""
    port = free_port()
    p = Proc([exe, *args, f"--web.listen-address=127.0.0.1:{port}"], log)
    url = f"http://127.0.0.1:{port}"
    try:
        p.wait_for(lambda: get(f"{url}/-/ready")[0] == 200)
        yield url
    finally:
        p.stop()


@contextmanager
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """A real Alertmanager on a free localhost port (clustering off, storage under tmp); its URL."""
    exe = binary("prometheus-alertmanager", "alertmanager")
    config = tmp_path / "alertmanager.yml"
    config.write_text(ALERTMANAGER_CONFIG)
    args = [f"--config.file={config}", f"--storage.path={tmp_path / 'am-data'}", "--cluster.listen-address="]
    with served(exe, args, tmp_path / "alertmanager.log") as url:
        yield url


@contextmanager
def prometheus(tmp_path: Path, targets: list[str], *, interval: str = "1s", rules: Path | None = None) -> Iterator[str]:
    """A real Prometheus on a free localhost port scraping `targets` (host:port); its URL."""
    exe = binary("prometheus")
    config = tmp_path / "prometheus.yml"
    rule_files = f"rule_files: [{json.dumps(str(rules))}]\n" if rules else ""
    config.write_text(
        f"global:\n  scrape_interval: {interval}\n  evaluation_interval: {interval}\n{rule_files}"
        f"scrape_configs:\n  - job_name: riskmon\n    static_configs:\n      - targets: {json.dumps(targets)}\n"
    )
    args = [f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'prom-data'}"]
    with served(exe, args, tmp_path / "prometheus.log") as url:
        yield url


def lint_metrics(text: str) -> None:
    """`promtool check metrics` passes on `text` (skipped without promtool)."""
    promtool = binary("promtool")
    r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def promql(url: str, query: str) -> list[dict[str, Any]]:
    """The result vector of an instant query."""
    from urllib.parse import quote

    doc = get_json(f"{url}/api/v1/query?query={quote(query)}")
    return list(doc["data"]["result"]) if doc and doc.get("status") == "success" else []
