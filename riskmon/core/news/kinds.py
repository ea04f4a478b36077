"""Which event kinds can describe the same change, and which statuses tell what came after it."""

from __future__ import annotations

COMPATIBLE = frozenset({frozenset({"ban", "shop_closure"}), frozenset({"shop_closure", "service_shutdown"})})
"""A ban closes shops; a shop closure is a service shutting down for sellers."""


def compatible(a: str, b: str) -> bool:
    return a == b or frozenset({a, b}) in COMPATIBLE


LATER = frozenset({"paused", "resolved", "cancelled"})
"""Statuses reporting what happened after a change was made: their date is when that happened, not
when the change takes effect, and within an article they win over how the change was announced."""
