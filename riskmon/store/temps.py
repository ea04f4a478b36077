"""Which temp files a directory holds, for sweeping those that writers which died left behind
(riskmon.store.lockedjson), without listing a shared directory once per file."""

from __future__ import annotations

import os
import threading
from contextlib import suppress
from pathlib import Path


class TempListings:
    """Each directory's temp files, listed once while the directory is unchanged (its mtime): a
    fleet's thousand history files share one directory, and listing it for each file was quadratic
    (~2 s of a 1,000-profile `fleet check`). A commit of ours changes the directory too; when the
    listing was current before it, it stays current after (`committed`). A listed name may be gone
    since (its writer finished): unlinking it then fails harmlessly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listed: dict[str, tuple[int, list[str]]] = {}

    def names(self, directory: Path) -> list[str]:
        stamp = os.stat(directory).st_mtime_ns
        with self._lock:
            listed = self._listed.get(str(directory))
        if listed is not None and listed[0] == stamp:
            return listed[1]
        with os.scandir(directory) as it:
            names = [e.name for e in it if e.name.startswith(".") and e.name.endswith(".tmp")]
        with self._lock:
            self._listed[str(directory)] = (stamp, names)
        return names

    def stamp(self, directory: Path) -> int | None:
        """The directory's mtime if our listing of it is current, else None."""
        with self._lock:
            listed = self._listed.get(str(directory))
        try:
            return listed[0] if listed is not None and os.stat(directory).st_mtime_ns == listed[0] else None
        except OSError:
            return None

    def committed(self, directory: Path, before: int | None, removed: list[str]) -> None:
        """Our commit (and sweep of `removed`) changed `directory`, whose listing was current at
        `before`: it is current again at the new mtime. (Another writer's change in that instant
        is taken for ours; a temp it left, if it died, is swept at the next listing.)"""
        with self._lock:
            listed = self._listed.pop(str(directory), None)
            if before is None or listed is None or listed[0] != before:
                return
            with suppress(OSError):
                names = [n for n in listed[1] if n not in removed]
                self._listed[str(directory)] = (os.stat(directory).st_mtime_ns, names)


TEMP_LISTINGS = TempListings()
