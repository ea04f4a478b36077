"""A fleet of 1,000 generated sellers: one `fleet check` cycle's CPU, the daemon's resident memory,
and how long `/metrics` takes to render.

Targets (issue 16): one `fleet check` cycle <= 10 s of CPU; the daemon <= 400 MB resident;
`/metrics` rendered in <= 1 s.

The fleet: 1,000 profiles from the tests' seeded generator (three channels each: TikTok in one
market, Amazon US/DE, an own store with TikTok link traffic; a spread of cash, margins and
costs; every fifth with a Chinese business name), each with three events of its own, plus the
bundled catalog's events shared through fleet.toml, and labels for a third of them.

    .venv/bin/python benchmarks/fleet_scale.py [--profiles 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from riskmon.present.prometheus import render  # noqa: E402
from tests.fleet_support import env, free_port, get, make_fleet  # noqa: E402


def build(root: Path, n: int) -> Path:
    labels = "".join(
        f'[profiles.seller-{i:04d}]\nlabels = {{ client = "client-{i % 50}", team = "team-{i % 7}" }}\n'
        for i in range(0, n, 3)
    )
    fleet = make_fleet(root / "fleet", n, fleet_toml=f'events = "{ROOT / "config" / "events.toml"}"\n{labels}')
    return fleet


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fleet_check(tmp: Path, fleet: Path, *args: str) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, exit code) of one `fleet check` in a subprocess."""
    before, start = child_cpu(), time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "riskmon", "fleet", "check", str(fleet), "--data", str(tmp / "data"), *args],
        capture_output=True,
        env=env(tmp),
        check=False,
    )
    return child_cpu() - before, time.perf_counter() - start, r.returncode


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    now = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    return now / 1024, peak / 1024


def daemon(tmp: Path, fleet: Path, n: int) -> dict[str, float]:
    """Start `fleet daemon --listen`, wait for its first pass over every profile, then read its
    memory and time a few scrapes (the first after a pass renders; later ones are cached)."""
    port = free_port()
    log = (tmp / "daemon.log").open("wb")
    argv = [sys.executable, "-m", "riskmon", "fleet", "daemon", str(fleet), "--data", str(tmp / "data")]
    proc = subprocess.Popen(
        [*argv, "--listen", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env(tmp),
    )
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        start = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"daemon exited: {(tmp / 'daemon.log').read_text()[-2000:]}")
            if f"{n} profile(s):" in (tmp / "daemon.log").read_text(errors="replace"):
                break
            if time.perf_counter() - start > 600:
                raise SystemExit("daemon: no first pass within 10 minutes")
            time.sleep(0.5)
        first_pass = time.perf_counter() - start
        scrapes = []
        for _ in range(5):
            t = time.perf_counter()
            status, body = get(url, timeout=60)
            scrapes.append(time.perf_counter() - t)
            assert status == 200 and body.count("riskmon_level{") == n, (status, body[:200])
        now, peak = rss_mb(proc.pid)
        return {
            "first_pass": first_pass,
            "rss": now,
            "peak": peak,
            "scrape_first": scrapes[0],
            "scrape_median": statistics.median(scrapes[1:]),
            "bytes": len(body),
        }
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def render_in_process(fleet: Path, tmp: Path, repeat: int = 5) -> tuple[float, int]:
    """Median seconds to render every profile's samples into one exposition (the /metrics work
    after a change), from a FleetMonitor that assessed the whole fleet in this process."""
    import asyncio
    from datetime import UTC, datetime

    from riskmon.live.fleet import FleetMonitor
    from riskmon.present.prometheus import profile_samples

    async def assessed() -> FleetMonitor:
        monitor = FleetMonitor(fleet, tmp / "inproc", lambda: datetime(2025, 1, 10, tzinfo=UTC), replay=True)
        await monitor.run_once()
        await monitor.aclose()
        return monitor

    monitor = asyncio.run(assessed())
    blocks = [
        profile_samples(m.evaluation.assessment, m.labels, feeds=m.evaluation.feeds, config_ok=True)
        for m in monitor.members.values()
        if m.evaluation is not None
    ]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        text = render(blocks)
        times.append(time.perf_counter() - t)
    return statistics.median(times), text.count("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--keep", metavar="DIR", help="build the fleet in DIR and keep it")
    args = parser.parse_args()
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="riskmon-fleet-"))
    try:
        t = time.perf_counter()
        fleet = build(tmp, args.profiles)
        print(f"fleet of {args.profiles} profiles built in {time.perf_counter() - t:.1f} s: {fleet}")
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}")
        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

        for label, extra in (
            ("fleet check, first (history created)", ["-f", "json"]),
            ("fleet check, a cycle (history recorded)", ["-f", "json"]),
            ("fleet check, a cycle, text", []),
            ("fleet check, a cycle, prometheus", ["-f", "prometheus"]),
            ("fleet check --now (replay: no history)", ["-f", "json", "--now", "2025-01-10"]),
        ):
            cpu, wall, rc = fleet_check(tmp, fleet, *extra)
            print(f"{label:45s} CPU {cpu:6.2f} s  wall {wall:6.2f} s  exit {rc}  (target CPU <= 10 s)")

        median, lines = render_in_process(fleet, tmp)
        print(f"/metrics render in process: median {median * 1000:.0f} ms for {lines} lines (target <= 1 s)")

        d = daemon(tmp, fleet, args.profiles)
        print(f"daemon first pass over every profile: {d['first_pass']:.1f} s (wall)")
        print(f"daemon resident memory: {d['rss']:.0f} MB now, peak {d['peak']:.0f} MB (target <= 400 MB)")
        print(
            f"/metrics over HTTP: first scrape {d['scrape_first'] * 1000:.0f} ms, then median "
            f"{d['scrape_median'] * 1000:.0f} ms (cached), {d['bytes'] / 1e6:.1f} MB"
        )
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
