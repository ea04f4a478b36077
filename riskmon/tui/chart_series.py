"""Chart series from history snapshots (riskmon.store.snapshots' format), for the dashboard's
charts. Pure, like riskmon.tui.viewdata (which re-exports these)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from riskmon.store.snapshots import snapshot_of
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment


RANGES: dict[str, timedelta] = {"7d": timedelta(days=7), "30d": timedelta(days=30), "1y": timedelta(days=365)}


@dataclass(frozen=True)
class Series:
    label: str
    x: tuple[float, ...]
    """Days relative to now (negative = in the past)."""
    y: tuple[float, ...]


def _days_ago(at: datetime, now: datetime) -> float:
    return (at - now).total_seconds() / 86400.0


def score_series(snapshots: Sequence[Mapping[str, Any]], now: datetime, since: timedelta | None = None) -> Series:
    start = now - since if since is not None else None
    pts = [
        (_days_ago(s["at"], now), float(s["score"]))
        for s in snapshots
        if isinstance(s.get("at"), datetime) and (start is None or s["at"] >= start) and s["at"] <= now
    ]
    return Series("score", tuple(p[0] for p in pts), tuple(p[1] for p in pts))


def event_series(
    snapshots: Sequence[Mapping[str, Any]], now: datetime, since: timedelta | None = None, limit: int = 5
) -> list[Series]:
    """Per-event score lines, the `limit` events with the highest peak in the range."""
    start = now - since if since is not None else None
    points: dict[str, list[tuple[float, float]]] = {}
    for s in snapshots:
        at = s.get("at")
        if not isinstance(at, datetime) or (start is not None and at < start) or at > now:
            continue
        for eid, ev in (s.get("events") or {}).items():
            points.setdefault(str(eid), []).append((_days_ago(at, now), float(ev.get("score", 0.0))))
    peaks = sorted(points, key=lambda k: (-max(y for _, y in points[k]), k))[:limit]
    return [
        Series(clean(k), tuple(x for x, _ in points[k]), tuple(y for _, y in points[k]))
        for k in peaks
        if max(y for _, y in points[k]) > 0
    ]


def with_current(snapshots: Sequence[Mapping[str, Any]], a: Assessment | None) -> list[Mapping[str, Any]]:
    """History plus the assessment on screen, so a chart is never empty on the first run."""
    out = list(snapshots)
    if a is not None and (not out or out[-1].get("at") != a.now):
        out.append(snapshot_of(a))
    return out


def dependence_bars(a: Assessment) -> tuple[list[str], list[float]]:
    """Platform -> dependence as shares (0..1), largest first, for a bar chart."""
    dep = a.concentration.dependence
    names = [clean(p) for p in dep]
    return names, [dep[p] for p in dep]
