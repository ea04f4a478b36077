"""The risk level of an assessment, ordered so that max() gives the worst."""

from __future__ import annotations

import enum


class Level(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def exit_code(self) -> int:
        """The Nagios plugin exit code of this level (0, 1, 2); riskmon's own failures are 3."""
        return int(self)
