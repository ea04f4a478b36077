"""History records: the readable dicts of the HistoryStore API and their compact stored form.

The whole history file is parsed and rewritten on every append, so a snapshot is stored as its
time plus one packed string (JSON reads and writes one string far faster than the numbers and keys
inside it):

    {"t": "2026-11-21T09:30:00+00:00",
     "v": "WARNING|45.12|tiktok|10.5|0.45|0.31|52345.67||||0:1234:4567890 1:310:12000"}

`v` is `level|score|top_platform|runway_weeks|top_dependence|hhi|expected_loss|n|hi|lo|events`,
an empty field meaning none. `n`, `hi`, `lo` are set on records merged by the retention policy:
how many snapshots it stands for and their highest and lowest score. Events are
`i:score:expected_loss` with `i` an index into the event ids kept once in the meta table, the score
in hundredths of a point and the loss in cents (integers: JSON parses them twice as fast as
decimals). Scores and money are kept to 0.01, shares to 0.0001. `|` and `%` in the platform name
are %-escaped. Times are ISO-8601 UTC strings in one canonical form (riskmon.store.retention.iso).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from riskmon.store.retention import LEVEL_RANK, Summary, iso

EVENT_FIELDS = ("status", "probability", "effective", "ends")


def to_utc(value: Any, what: str = "time") -> datetime:
    """An aware datetime, a date (00:00 UTC) or an ISO string -> aware UTC datetime. A datetime
    or string without an offset is read as UTC (as in the config files)."""
    if isinstance(value, str):
        text = value.strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            value = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{what}: not an ISO date or date-time: {value!r}") from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    raise ValueError(f"{what}: expected a datetime, got {type(value).__name__}")


def stamp(value: Any, what: str = "at") -> str:
    """The stored form of an API time. A naive datetime is a bug in the caller: refuse it."""
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError(f"{what}: naive datetime {value.isoformat()}; pass an aware UTC datetime")
    return iso(to_utc(value, what))


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _text(value: Any, digits: int) -> str:
    x = _finite(value)
    if x is None:
        return ""
    r = round(x, digits)
    return str(int(r)) if r.is_integer() and abs(r) < 1e15 else repr(r)


def _hundredths(value: Any) -> int:
    x = _finite(value)
    return 0 if x is None else round(x * 100)


def _number(text: str) -> float | None:
    return float(text) if text else None


def level_name(value: Any) -> str:
    name = getattr(value, "name", value)  # accepts riskmon.errors.Level too
    if name not in LEVEL_RANK:
        raise ValueError(f"level: expected OK, WARNING or CRITICAL, got {value!r}")
    return str(name)


# ---------------------------------------------------------------------------------------------
# Snapshots


def _events(events: Mapping[str, Mapping[str, Any]], ids: list[str]) -> tuple[str, float]:
    index = {eid: i for i, eid in enumerate(ids)}
    parts = []
    total = 0.0
    for eid, ev in events.items():
        i = index.get(str(eid))
        if i is None:
            i = index[str(eid)] = len(ids)
            ids.append(str(eid))
        total += _finite(ev.get("expected_loss")) or 0.0
        parts.append(f"{i}:{_hundredths(ev.get('score'))}:{_hundredths(ev.get('expected_loss'))}")
    return " ".join(parts), total


def encode_snapshot(snap: Mapping[str, Any], ids: list[str]) -> dict[str, Any]:
    """Stored form of an API snapshot; event ids not yet in `ids` are appended to it."""
    score = _finite(snap.get("score"))
    if score is None:
        raise ValueError(f"score: expected a finite number, got {snap.get('score')!r}")
    events, total = _events(snap.get("events") or {}, ids)
    loss = snap.get("expected_loss")
    platform = snap.get("top_platform")
    fields = [
        level_name(snap.get("level")),
        _text(score, 2),
        "" if not platform else str(platform).replace("%", "%25").replace("|", "%7C"),
        _text(snap.get("runway_weeks"), 2),
        _text(snap.get("top_dependence"), 4),
        _text(snap.get("hhi"), 4),
        _text(total if loss is None else loss, 2),
        "",
        "",
        "",
        events,
    ]
    return {"t": stamp(snap.get("at")), "v": "|".join(fields)}


def _fields(rec: Mapping[str, Any]) -> list[str]:
    fields = str(rec.get("v", "")).split("|", 10)
    if len(fields) != 11:
        raise ValueError("malformed snapshot record")
    return fields


def summary(rec: Mapping[str, Any]) -> Summary:
    """Level, score and merge counts of a stored snapshot (for riskmon.store.retention)."""
    level, score_text, _, _, _, _, _, n, hi, lo, _ = _fields(rec)
    score = float(score_text)
    return (LEVEL_RANK[level], score, int(n) if n else 1, float(hi) if hi else score, float(lo) if lo else score)


def with_counts(rec: Mapping[str, Any], n: int, hi: float, lo: float) -> dict[str, Any]:
    """The fields to update on a record that now stands for `n` snapshots."""
    fields = _fields(rec)
    fields[7:10] = [str(n), _text(hi, 2), _text(lo, 2)]
    return {"v": "|".join(fields)}


def _unpack(packed: str) -> list[Any]:
    return json.loads("[" + packed.replace(":", ",").replace(" ", ",") + "]") if packed else []


def decode_snapshot(rec: Mapping[str, Any], ids: Sequence[str], nums: list[Any] | None = None) -> dict[str, Any]:
    level, score_text, platform, runway, dep, hhi, loss, n, hi, lo, packed = _fields(rec)
    if nums is None:
        nums = _unpack(packed)
    if len(nums) % 3:
        raise ValueError("malformed event numbers")
    known = len(ids)
    names = [ids[i] if 0 <= i < known else f"#{i}" for i in nums[0::3]]
    events = {
        name: {"score": s / 100, "expected_loss": x / 100}
        for name, s, x in zip(names, nums[1::3], nums[2::3], strict=True)
    }
    score = float(score_text)
    return {
        "at": datetime.fromisoformat(rec["t"]).astimezone(UTC),
        "level": level_name(level),
        "score": score,
        "runway_weeks": _number(runway),
        "top_platform": platform.replace("%7C", "|").replace("%25", "%") if platform else None,
        "top_dependence": _number(dep) or 0.0,
        "hhi": _number(hhi) or 0.0,
        "expected_loss": _number(loss) or 0.0,
        "events": events,
        "samples": int(n) if n else 1,
        "score_max": float(hi) if hi else score,
        "score_min": float(lo) if lo else score,
    }


def _decode_all(recs: Sequence[Mapping[str, Any]], ids: Sequence[str], with_events: bool) -> list[dict[str, Any]]:
    """The fast path: every record well formed. One JSON parse for all event numbers and no
    per-record function calls; any oddity raises and the caller goes record by record."""
    fields = [r["v"].split("|", 10) for r in recs]
    numbers: list[Any] = []
    if with_events:
        joined = "],[".join(f[-1] for f in fields).replace(":", ",").replace(" ", ",")
        if "-" in joined:  # a negative index would silently name the wrong event
            raise ValueError("negative event numbers")
        numbers = json.loads("[[" + joined + "]]")
        if len(numbers) != len(recs):
            raise ValueError("malformed event numbers")
    out = []
    for k, (rec, f) in enumerate(zip(recs, fields, strict=True)):
        level, score_text, platform, runway, dep, hhi, loss, n, hi, lo, _ = f
        if level not in LEVEL_RANK:
            raise ValueError("malformed snapshot record")
        if "%" in platform:
            platform = platform.replace("%7C", "|").replace("%25", "%")
        score = float(score_text)
        snap = {
            "at": datetime.fromisoformat(rec["t"]),
            "level": level,
            "score": score,
            "runway_weeks": float(runway) if runway else None,
            "top_platform": platform or None,
            "top_dependence": float(dep) if dep else 0.0,
            "hhi": float(hhi) if hhi else 0.0,
            "expected_loss": float(loss) if loss else 0.0,
            "samples": int(n) if n else 1,
            "score_max": float(hi) if hi else score,
            "score_min": float(lo) if lo else score,
        }
        if with_events:
            nums = numbers[k]
            if len(nums) % 3:
                raise ValueError("malformed event numbers")
            names = [ids[i] for i in nums[0::3]]
            snap["events"] = {
                name: {"score": s / 100, "expected_loss": x / 100}
                for name, s, x in zip(names, nums[1::3], nums[2::3], strict=False)  # same length
            }
        out.append(snap)
    return out


def decode_snapshots(
    recs: Sequence[Mapping[str, Any]], ids: Sequence[str], with_events: bool = True
) -> tuple[list[dict[str, Any]], int]:
    """Decode records with canonical times (see riskmon.store.retention.is_canonical), with or
    without their per-event numbers. Returns (snapshots, number of records skipped as
    unreadable)."""
    # The collector is left alone: library code does not switch it off for the whole process (a
    # caller that owns the heap may gc.freeze() what it keeps; benchmarks/history_growth.py).
    try:
        return _decode_all(recs, ids, with_events), 0
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        pass
    out = []
    bad = 0
    for rec in recs:
        try:
            snap = decode_snapshot(rec, ids)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            bad += 1
            continue
        if not with_events:
            del snap["events"]
        out.append(snap)
    return out, bad


# ---------------------------------------------------------------------------------------------
# Event states, log entries


def event_state(ev: Mapping[str, Any]) -> dict[str, Any]:
    """What the event log tracks of an event (times as stored strings)."""

    def when(value: Any) -> str | None:
        if value is None or value == "":
            return None
        try:
            return iso(to_utc(value))
        except ValueError:
            return str(value)

    p = _finite(ev.get("probability"))
    return {
        "title": str(ev.get("title") or ev["id"]),
        "status": None if ev.get("status") is None else str(ev.get("status")),
        "probability": None if p is None else round(p, 6),
        "effective": when(ev.get("effective")),
        "ends": when(ev.get("ends")),
    }


def decode_entry(rec: Mapping[str, Any]) -> dict[str, Any]:
    """An event-log or alert record with `at` as an aware datetime."""
    out = dict(rec)
    out["at"] = datetime.fromisoformat(rec["at"]).astimezone(UTC)
    return out
