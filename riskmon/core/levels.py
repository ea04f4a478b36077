"""The risk level of an assessment, ordered so that max() gives the worst."""

from __future__ import annotations

import enum


class Level(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
