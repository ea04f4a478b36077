"""Atomic file writes, the one implementation riskmon uses: config saves, the feed cache, reports
and the Prometheus textfile (riskmon.live.exporters; history has its own, inside its lock:
riskmon.store.lockedjson).

We write a temp file in the same directory (named `.<name>.<random>.tmp`, so a collector that
reads `*.prom` ignores it), fsync it and `os.replace` it over the target: a reader sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = 0o644) -> None:
    """Write `data` to `path` atomically (temp file in the same dir, fsync, rename, fsync dir).

    `mode=None` keeps the permissions of the file being replaced (0644 for a new one): a user who
    made their config private keeps it private after riskmon saves it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort; not possible on every platform)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
