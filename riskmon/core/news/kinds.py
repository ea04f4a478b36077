"""Which event kinds can describe the same change."""

from __future__ import annotations

COMPATIBLE = frozenset({frozenset({"ban", "shop_closure"}), frozenset({"shop_closure", "service_shutdown"})})
"""A ban closes shops; a shop closure is a service shutting down for sellers."""


def compatible(a: str, b: str) -> bool:
    return a == b or frozenset({a, b}) in COMPATIBLE
