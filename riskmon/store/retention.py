"""Round-robin retention for history snapshots: pure functions, no I/O, no clock.

Tiers, by age = `now` − snapshot time, where `now` is the newest snapshot in the store (never the
wall clock, so replays and tests are deterministic):

- age <= full_days (default 2): every snapshot is kept;
- full_days < age <= hourly_days (default 60): one snapshot per UTC clock hour;
- hourly_days < age <= max_days (default 1095, three years): one snapshot per UTC day;
- age > max_days: dropped.

A snapshot exactly on a boundary belongs to the finer tier ("full resolution for 2 days" includes
a snapshot exactly 2 days old; "nothing older than 3 years" keeps one exactly 1095 days old).

Which snapshot represents a bucket: the *worst* one — highest level, then highest score, then the
latest — kept whole (its own time, level, score, runway and per-event numbers), plus how many
snapshots it stands for (`n`) and the highest and lowest score among them (`hi`, `lo`). Why:
averaging, or keeping the last snapshot of the hour, would let a twenty-minute CRITICAL disappear
from an hourly or daily chart, and a seller must still see that it happened; keeping a real
snapshot rather than a synthesized one keeps its numbers consistent with each other (the per-event
scores are those of the moment the score was reached). The choice is associative, so a bucket that
straddles a tier boundary can be merged now and merged again as its newer members age into it.

Records are the stored form, read through a `summary` function (level, score, n, hi, lo), so that
this module does not depend on how they are packed. Their `t` is an ISO-8601 UTC string in one
canonical format (`2026-11-21T09:30:00+00:00`, with `.ffffff` only when there are microseconds),
which sorts as text in time order and whose first 13 / 10 characters name its hour / day. A record
whose `t` is not canonical (edited by hand) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeGuard, TypeVar

LEVEL_RANK: dict[str, int] = {"OK": 0, "WARNING": 1, "CRITICAL": 2}


def iso(dt: datetime) -> str:
    """Canonical stored form of an instant: ISO-8601 in UTC with a +00:00 offset."""
    if dt.tzinfo is None:
        raise ValueError(f"naive datetime {dt.isoformat()}: riskmon times must be timezone-aware (UTC)")
    return dt.astimezone(UTC).isoformat()


def is_canonical(t: object) -> TypeGuard[str]:
    return isinstance(t, str) and len(t) in (25, 32) and t.endswith("+00:00") and t[10] == "T" and t[4] == "-"


class Policy:
    """Retention tiers in days. (Plain classes here, not dataclasses: this module is on the cold
    start path of `riskmon check`.)"""

    __slots__ = ("full_days", "hourly_days", "max_days")

    def __init__(self, full_days: float = 2.0, hourly_days: float = 60.0, max_days: float = 1095.0) -> None:
        self.full_days = full_days
        self.hourly_days = hourly_days
        self.max_days = max_days

    def _key(self) -> tuple[float, float, float]:
        return (self.full_days, self.hourly_days, self.max_days)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Policy(full_days={self.full_days}, hourly_days={self.hourly_days}, max_days={self.max_days})"

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        """Any object with full_days / hourly_days / max_days (e.g. model.HistorySettings).

        The tiers are nested: hourly_days is at least full_days and max_days at least hourly_days.
        """
        if settings is None:
            return cls()
        full = max(0.0, float(settings.full_days))
        hourly = max(full, float(settings.hourly_days))
        most = max(hourly, float(settings.max_days))
        return cls(full, hourly, most)

    def cuts(self, now: datetime) -> tuple[str, str, str]:
        """(full, hourly, oldest): records at or after `full` are kept in full, at or after
        `hourly` hourly, at or after `oldest` daily; anything before `oldest` is dropped."""
        return (
            iso(now - timedelta(days=self.full_days)),
            iso(now - timedelta(days=self.hourly_days)),
            iso(now - timedelta(days=self.max_days)),
        )


Summary = tuple[int, float, int, float, float]
"""What retention needs to know of a record besides its time: (rank of its level, score,
snapshots it stands for, highest and lowest score among them)."""


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def dict_summary(rec: Mapping[str, Any]) -> Summary:
    """Summary of a record with plain fields l, s and optional n, hi, lo."""
    score = _num(rec.get("s"))
    n = rec.get("n")
    return (
        LEVEL_RANK.get(str(rec.get("l")), 0),
        score,
        n if isinstance(n, int) and n > 0 else 1,
        _num(rec.get("hi", score)),
        _num(rec.get("lo", score)),
    )


Counts = tuple[int, float, float]  # n, hi, lo of a merged record
K = TypeVar("K", bound=Hashable)  # how the caller names its records


class Plan(Generic[K]):
    """What compaction does: remove records, and set new counts on the records kept."""

    def __init__(self) -> None:
        self.remove: list[K] = []
        self.update: dict[K, Counts] = {}  # kept record -> its new n, hi, lo
        self.dropped = 0  # older than max_days
        self.merged = 0  # folded into a bucket's representative

    def __bool__(self) -> bool:
        return bool(self.remove or self.update)


def merge(members: list[tuple[K, str, Summary]]) -> tuple[K, Counts, list[K]]:
    """One bucket of (id, time, summary): (id of the record kept, its counts, ids to remove).
    The kept record is the worst: highest level, then highest score, then the latest."""
    keep_id = max(members, key=lambda m: (m[2][0], m[2][1], m[1]))[0]
    counts = (
        sum(m[2][2] for m in members),
        max(m[2][3] for m in members),
        min(m[2][4] for m in members),
    )
    return keep_id, counts, [m[0] for m in members if m[0] != keep_id]


def plan(
    records: Mapping[K, Mapping[str, Any]],
    now: datetime,
    policy: Policy,
    summary: Callable[[Mapping[str, Any]], Summary] = dict_summary,
) -> Plan[K]:
    """What to remove and update so that `records` (id -> record with a time `t`) follow
    `policy` as of `now`. Records whose time is not canonical, or whose summary cannot be read,
    are left alone."""
    cut_full, cut_hourly, cut_oldest = policy.cuts(now)
    result: Plan[K] = Plan()
    buckets: dict[tuple[object, str], list[tuple[K, str, Mapping[str, Any]]]] = {}
    for doc_id, rec in records.items():
        t = rec.get("t")
        if not is_canonical(t) or t >= cut_full:
            continue
        if t < cut_oldest:
            result.remove.append(doc_id)
            result.dropped += 1
            continue
        # One bucket per business (`b`) and hour or day: businesses never merge into each other.
        key = (rec.get("b"), t[:13] if t >= cut_hourly else t[:10])
        buckets.setdefault(key, []).append((doc_id, t, rec))
    for members in buckets.values():
        if len(members) < 2:
            continue
        readable = []
        for doc_id, t, rec in members:
            try:
                readable.append((doc_id, t, summary(rec)))
            except (ValueError, TypeError, KeyError, AttributeError, IndexError):
                continue
        if len(readable) < 2:
            continue
        keep_id, counts, gone = merge(readable)
        result.update[keep_id] = counts
        result.remove.extend(gone)
        result.merged += len(gone)
    return result


def prune_log(records: Mapping[int, Mapping[str, Any]], oldest: str, keep: int, key: str = "at") -> list[int]:
    """Ids of log records (event log, alerts) to drop: older than `oldest`, or beyond the newest
    `keep` records. Records without a canonical time are left alone."""
    timed = [(str(r.get(key)), doc_id) for doc_id, r in records.items() if is_canonical(r.get(key))]
    drop = {doc_id for t, doc_id in timed if t < oldest}
    alive = sorted((item for item in timed if item[1] not in drop), reverse=True)
    drop.update(doc_id for _, doc_id in alive[keep:])
    return sorted(drop)
