"""Cold start of `riskmon check` against a bare `python -c pass`. Target: <= 5x.

Run: .venv/bin/python benchmarks/check_cold_start.py
Both are started as fresh processes with the same interpreter, many times; medians are compared.
The check runs offline on the bundled demo config with --no-history, so it measures riskmon, not
the network or the disk.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

RUNS = 25


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - t0) * 1000


def median_of(argv: list[str]) -> float:
    timed(argv)  # warm the OS file cache
    return statistics.median(timed(argv) for _ in range(RUNS))


def main() -> None:
    os.environ.setdefault("NO_COLOR", "1")
    base = median_of([sys.executable, "-c", "pass"])
    check = median_of(
        [sys.executable, "-m", "riskmon", "check", "--offline", "--no-history", "--now", "2026-11-21T12:00:00Z"]
    )
    print(f"python -c pass:  median {base:.1f} ms")
    print(f"riskmon check:   median {check:.1f} ms")
    print(f"ratio: {check / base:.2f}x  (target <= 5x)")


if __name__ == "__main__":
    main()
