"""History growth: a year of 5-minute checks with 20 events, through the real store.

Every simulated check is one `HistoryStore.record_check` (snapshot + event diff in one locked,
fsync'd, atomically replaced write — what a cron'd `riskmon check` does), so the file goes through
the same retention (full 2 days, hourly to 60 days, daily beyond) it would in a year of use.

Prints the file size, append latency (p50/p95/p99/max over the year and over the last 30 days,
when the file is at its steady size) and the time to load a 30-day chart from a fresh store, and
checks them against the targets: file <= 5 MB, append p95 <= 20 ms, 30-day query <= 50 ms.
Exit status 1 when a target is missed.

    .venv/bin/python benchmarks/history_growth.py            # the full year (~15-25 min)
    .venv/bin/python benchmarks/history_growth.py --days 90  # quicker
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from riskmon.store.history import HistoryStore
from riskmon.store.lockedjson import fsync_dir

TARGET_BYTES = 5_000_000
TARGET_APPEND_P95 = 0.020
TARGET_QUERY = 0.050
START = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ("rumored", "announced", "confirmed", "in_effect", "paused")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def machine() -> list[str]:
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        uname = platform.platform()
    return [
        f"nproc: {os.cpu_count()}",
        f"uname -a: {uname}",
        f"python: {platform.python_version()} ({platform.python_implementation()})",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
    ]


class Simulation:
    """A seller's risk drifting over a year: 20 events whose scores random-walk, a status or
    probability change every few days, and now and then a CRITICAL spell."""

    def __init__(self, n_events: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids = [
            f"{p}-{k}-{2026 + i % 2}"
            for i, (p, k) in enumerate(
                (p, k)
                for p in ("tiktok", "amazon", "temu", "etsy", "lazada")
                for k in ("ban", "fee-change", "link-cutoff", "payout-hold")
            )
        ][:n_events]
        while len(self.ids) < n_events:
            self.ids.append(f"event-{len(self.ids)}")
        self.scores = {e: self.rng.uniform(0, 20) for e in self.ids}
        self.losses = {e: self.rng.uniform(1_000, 150_000) for e in self.ids}
        self.events = {
            e: {
                "id": e,
                "title": f"Policy event {e}",
                "status": self.rng.choice(STATUSES),
                "probability": round(self.rng.uniform(0.1, 0.9), 2),
                "effective": START + timedelta(days=self.rng.uniform(30, 400)),
                "ends": None,
            }
            for e in self.ids
        }

    def step(self, at: datetime) -> tuple[dict, list[dict]]:
        rng = self.rng
        for e in self.ids:
            self.scores[e] = min(100.0, max(0.0, self.scores[e] + rng.gauss(0, 0.8)))
            self.losses[e] = max(0.0, self.losses[e] * (1 + rng.gauss(0, 0.01)))
        if rng.random() < 1 / 600:  # every ~2 days: some feed changes an event
            ev = self.events[rng.choice(self.ids)]
            if rng.random() < 0.5:
                ev["status"] = rng.choice(STATUSES)
            else:
                ev["probability"] = round(rng.uniform(0.1, 1.0), 2)
        product = 1.0
        for s in self.scores.values():
            product *= 1 - s / 100 * 0.2
        score = 100 * (1 - product)
        runway = max(0.5, 30 - score / 4 + rng.gauss(0, 1))
        level = "CRITICAL" if score >= 70 or runway < 4 else "WARNING" if score >= 40 or runway < 12 else "OK"
        snap = {
            "at": at,
            "level": level,
            "score": score,
            "runway_weeks": runway,
            "top_platform": "tiktok",
            "top_dependence": 0.45 + rng.gauss(0, 0.01),
            "hhi": 0.31,
            "expected_loss": sum(self.losses.values()),
            "events": {e: {"score": self.scores[e] * 0.2, "expected_loss": self.losses[e]} for e in self.ids},
        }
        return snap, list(self.events.values())


def disk_floor(db: Path, runs: int = 40) -> list[float]:
    """What the disk alone costs per append: the atomic write of the file's bytes, nothing else."""
    payload = db.read_bytes()
    out = []
    for k in range(runs):
        tmp = db.with_name(f".floor.{k}.tmp")  # a new file each time, as the store does
        t0 = time.perf_counter()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, db.with_name(".floor.json"))
        fsync_dir(db.parent)
        out.append(time.perf_counter() - t0)
    db.with_name(".floor.json").unlink()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--every", type=float, default=5, help="minutes between checks")
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--query-runs", type=int, default=25)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, help="history file (default: a temporary directory)")
    args = ap.parse_args(argv)

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="riskmon-bench-")
        args.db = Path(tmp.name) / "history.json"
    if args.db.exists():
        ap.error(f"{args.db} exists; the benchmark needs a fresh file")

    sim = Simulation(args.events, args.seed)
    store = HistoryStore(args.db)
    steps = int(args.days * 24 * 60 / args.every)
    step = timedelta(minutes=args.every)
    times: list[float] = []
    cpu: list[float] = []
    began = time.perf_counter()
    at = START
    for k in range(steps):
        at = START + k * step
        snap, events = sim.step(at)
        t0, c0 = time.perf_counter(), time.process_time()
        store.record_check(snap, events)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if k and k % (30 * 288) == 0:
            print(
                f"  day {k * args.every / 1440:5.0f}: {args.db.stat().st_size / 1e6:5.2f} MB, "
                f"last day's append p95 {ms(pct(times[-288:], 95))}, "
                f"{time.perf_counter() - began:5.0f} s elapsed",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - began

    size = args.db.stat().st_size
    snaps = store.snapshots()
    full = sum(1 for s in snaps if s["samples"] == 1)
    tail_n = int(30 * 1440 / args.every)
    tail, tail_cpu = times[-tail_n:], cpu[-tail_n:]
    floor = disk_floor(args.db)

    query: list[float] = []
    query_cpu: list[float] = []
    light: list[float] = []
    for _ in range(args.query_runs):
        t0, c0 = time.perf_counter(), time.process_time()
        chart = HistoryStore(args.db).snapshots(since=at - timedelta(days=30))
        query.append(time.perf_counter() - t0)
        query_cpu.append(time.process_time() - c0)
        t0 = time.perf_counter()
        HistoryStore(args.db).snapshots(since=at - timedelta(days=30), events=False)
        light.append(time.perf_counter() - t0)
    year: list[float] = []
    for _ in range(max(3, args.query_runs // 5)):
        t0 = time.perf_counter()
        HistoryStore(args.db).snapshots(since=at - timedelta(days=366))
        year.append(time.perf_counter() - t0)

    print("riskmon history growth benchmark")
    for line in machine():
        print(f"  {line}")
    if hasattr(os, "getloadavg"):
        print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"simulated: {args.days:g} days of {args.every:g}-minute checks, {args.events} events, "
        f"{steps} record_check calls in {wall:.0f} s"
    )
    print(
        f"file: {size:,} bytes ({size / 1e6:.2f} MB); {len(snaps)} snapshots kept "
        f"({full} at full resolution, {len(snaps) - full} downsampled); "
        f"{len(store.event_log())} event-log entries"
    )
    print(
        f"append (record_check), whole run:    p50 {ms(statistics.median(times))}, p95 {ms(pct(times, 95))}, "
        f"p99 {ms(pct(times, 99))}, max {ms(max(times))}"
    )
    print(
        f"append (record_check), last 30 days: p50 {ms(statistics.median(tail))}, p95 {ms(pct(tail, 95))}, "
        f"p99 {ms(pct(tail, 99))}, max {ms(max(tail))}"
    )
    print(
        f"  of which CPU time (process_time), last 30 days: p50 {ms(statistics.median(tail_cpu))}, "
        f"p95 {ms(pct(tail_cpu, 95))}"
    )
    print(
        f"  disk floor (write + fsync + os.replace + fsync dir of a file this size): "
        f"p50 {ms(statistics.median(floor))}, p95 {ms(pct(floor, 95))}"
    )
    print(
        f"30-day chart query ({len(chart)} snapshots, fresh store): median {ms(statistics.median(query))}, "
        f"p95 {ms(pct(query, 95))}; CPU median {ms(statistics.median(query_cpu))}"
    )
    print(f"  the same without per-event numbers (events=False): median {ms(statistics.median(light))}")
    print(f"1-year query (what the TUI loads): median {ms(statistics.median(year))}")

    checks = [
        ("file <= 5 MB", size <= TARGET_BYTES),
        ("append p95 <= 20 ms", pct(times, 95) <= TARGET_APPEND_P95),
        ("30-day query <= 50 ms", statistics.median(query) <= TARGET_QUERY),
    ]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    if tmp is not None:
        tmp.cleanup()
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
