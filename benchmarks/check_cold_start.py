"""Cold start of `riskmon check` against a bare `python -c pass`, with the validated-config cache
hit (the usual case: cron runs the check on unchanged files) and missed (the first check after an
edit). Targets: hit <= 5x, miss <= 10x.

Run: .venv/bin/python benchmarks/check_cold_start.py
All three are started as fresh processes with the same interpreter, in turns (one of each per
round, so that a change of load hits all three alike), many times; medians are compared. The
check runs offline on the bundled demo config with --no-history, so it measures riskmon, not the
network or the disk. A miss gets an empty cache directory every time; a hit shares one that the
first check filled. riskmon's bytecode is compiled first, as installing a wheel does (an editable
checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every edited module every run).

Each line gives the wall-time median (the target's measure) and the CPU-time median (user + system
of the child): on a shared machine the load inflates a long process's wall time more than a 20 ms
one's, and CPU time shows what the change itself did.
"""

from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 25
ARGS = ["check", "--offline", "--no-history", "--now", "2026-11-21T12:00:00Z"]


def command() -> list[str]:
    """`riskmon check` as cron and Nagios start it: the installed `riskmon` script beside this
    interpreter (pip's entry point: `from riskmon.cli.main import main`), else `python -m riskmon`
    (which adds runpy and importlib.util, ~3-7 ms, to every start)."""
    script = Path(sys.executable).with_name("riskmon")
    if script.is_file():
        return [sys.executable, str(script), *ARGS]
    return [sys.executable, "-m", "riskmon", *ARGS]


CHECK = command()


def timed(argv: list[str], cache: Path) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of `argv`."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cache)}
    c0, t0 = child_cpu(), time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return (time.perf_counter() - t0) * 1000, (child_cpu() - c0) * 1000


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    import riskmon

    compileall.compile_dir(Path(riskmon.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="riskmon-bench-") as tmp:
        root = Path(tmp)
        os.environ["RISKMON_DATA"] = str(root / "data")
        warm = root / "warm"
        timed(CHECK, warm)  # fills the cache, and the OS file cache
        base, hit, miss = [], [], []
        for i in range(RUNS):
            base.append(timed([sys.executable, "-c", "pass"], warm))
            hit.append(timed(CHECK, warm))
            miss.append(timed(CHECK, root / f"cold-{i}"))
    b, bc = medians(base)
    print(f"check started as: {' '.join(Path(a).name if a.startswith('/') else a for a in CHECK)}")
    print(f"python -c pass:            median {b:.1f} ms (CPU {bc:.1f} ms)")
    for what, runs, target in (("hit: ", hit, 5), ("miss:", miss, 10)):
        w, c = medians(runs)
        print(
            f"riskmon check, cache {what} median {w:.1f} ms  ratio {w / b:.2f}x  (target <= {target}x);"
            f" CPU {c:.1f} ms, {c / bc:.2f}x"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
