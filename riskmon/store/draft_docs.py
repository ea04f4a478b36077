"""A news draft as a plain JSON document and back, as the news queue stores it: times as ISO
strings, and a stored document read defensively (a field of the wrong type is a corrupt file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from riskmon.core.model import EVENT_KINDS, STATUSES, Deadline, Impact, TimelineEntry
from riskmon.core.news import Draft, Evidence
from riskmon.core.record import fields
from riskmon.store.lockedjson import CorruptFile

# ---------------------------------------------------------------------------------------------
# The stored form


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat() if when is not None else None


def _offset(delta: timedelta | None) -> int | None:
    return int(delta.total_seconds()) if delta is not None else None


def draft_to_doc(d: Draft) -> dict[str, Any]:
    """Every field of a Draft as JSON values (the id is the entry's)."""
    impact = {f.name: getattr(d.impact, f.name) for f in fields(Impact)}
    return {
        "kind": d.kind,
        "platforms": list(d.platforms),
        "regions": list(d.regions),
        "effective": _iso(d.effective),
        "ends": _iso(d.ends),
        "status": d.status,
        "probability": d.probability,
        "confidence": d.confidence,
        "evidence": {k: [v.text, v.start, v.end] for k, v in d.evidence.items()},
        "title": d.title,
        "summary": d.summary,
        "deadlines": [[_iso(x.date), x.what] for x in d.deadlines],
        "impact": {k: list(v) if isinstance(v, tuple) else v for k, v in impact.items() if v is not None},
        "routes": list(d.routes) if d.routes is not None else None,
        "published": _iso(d.published),
        "sources": list(d.sources),
        "timeline": [[_iso(t.date), t.status, t.probability] for t in d.timeline],
        "precision": d.precision,
        "effective_offset": _offset(d.effective_offset),
        "ends_offset": _offset(d.ends_offset),
    }


class _Reader:
    """Typed reads of one stored document; a wrong value is a CorruptFile naming the key."""

    def __init__(self, doc: Any, where: str) -> None:
        if not isinstance(doc, Mapping):
            raise CorruptFile(f"{where}: not an object")
        self.doc = doc
        self.where = where

    def get(self, key: str, check: Callable[[Any], bool], what: str, default: Any = ...) -> Any:
        if key not in self.doc and default is not ...:
            return default
        value = self.doc.get(key)
        if not check(value):
            raise CorruptFile(f"{self.where}: {key}: expected {what}")
        return value

    def text(self, key: str, default: Any = ...) -> str:
        return self.get(key, lambda v: isinstance(v, str), "text", default)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.get(key, lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of text")
        return tuple(value)

    def number(self, key: str) -> float:
        value = self.get(key, _is_number, "a number")
        return float(value)

    def time(self, key: str, default: Any = ...) -> datetime | None:
        value = self.get(key, lambda v: v is None or isinstance(v, str), "an ISO date-time or null", default)
        return _time(value, f"{self.where}: {key}") if isinstance(value, str) else None

    def choice(self, key: str, options: Sequence[str]) -> str:
        return self.get(key, lambda v: v in options, f"one of {', '.join(options)}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _time(text: str, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CorruptFile(f"{where}: not an ISO date-time: {text[:40]!r}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _delta(value: Any, where: str) -> timedelta | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 86400:
        raise CorruptFile(f"{where}: expected an offset in seconds")
    return timedelta(seconds=value)


def draft_from_doc(doc: Any, entry_id: str, where: str) -> Draft:
    r = _Reader(doc, where)
    evidence = {}
    for k, v in r.get("evidence", lambda v: isinstance(v, Mapping), "an object").items():
        if not (
            isinstance(v, list) and len(v) == 3 and isinstance(v[0], str) and all(isinstance(x, int) for x in v[1:])
        ):
            raise CorruptFile(f"{where}: evidence.{k}: expected [text, start, end]")
        evidence[str(k)] = Evidence(v[0], v[1], v[2])
    return Draft(
        id=entry_id,
        kind=r.choice("kind", EVENT_KINDS),
        platforms=r.texts("platforms"),
        regions=r.texts("regions"),
        effective=r.time("effective"),
        status=r.choice("status", STATUSES),
        probability=r.number("probability"),
        confidence=r.number("confidence"),
        evidence=evidence,
        title=r.text("title", ""),
        summary=r.text("summary", ""),
        ends=r.time("ends", None),
        deadlines=tuple(_deadline(x, f"{where}: deadlines") for x in r.get("deadlines", _is_list, "a list", [])),
        impact=_impact(r.get("impact", lambda v: isinstance(v, Mapping), "an object", {}), where),
        routes=tuple(r.texts("routes")) if r.doc.get("routes") is not None else None,
        published=r.time("published", None),
        sources=r.texts("sources") if "sources" in r.doc else (),
        timeline=tuple(_entry(x, f"{where}: timeline") for x in r.get("timeline", _is_list, "a list", [])),
        precision=r.text("precision", "day"),
        effective_offset=_delta(r.doc.get("effective_offset"), f"{where}: effective_offset"),
        ends_offset=_delta(r.doc.get("ends_offset"), f"{where}: ends_offset"),
    )


def _is_list(v: Any) -> bool:
    return isinstance(v, list)


def _deadline(x: Any, where: str) -> Deadline:
    if not (isinstance(x, list) and len(x) == 2 and isinstance(x[0], str) and isinstance(x[1], str)):
        raise CorruptFile(f"{where}: expected [date, what]")
    return Deadline(_time(x[0], where), x[1])


def _entry(x: Any, where: str) -> TimelineEntry:
    if not (isinstance(x, list) and len(x) == 3 and isinstance(x[0], str) and x[1] in STATUSES):
        raise CorruptFile(f"{where}: expected [date, status, probability]")
    if x[2] is not None and not _is_number(x[2]):
        raise CorruptFile(f"{where}: probability: expected a number or null")
    return TimelineEntry(_time(x[0], where), x[1], None if x[2] is None else float(x[2]))


def _impact(doc: Mapping[str, Any], where: str) -> Impact:
    known = {f.name for f in fields(Impact)}
    values: dict[str, Any] = {}
    for k, v in doc.items():
        if k not in known:
            raise CorruptFile(f"{where}: impact.{k}: unknown")
        if k == "traffic_features":
            if not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
                raise CorruptFile(f"{where}: impact.{k}: expected a list of text")
            values[k] = tuple(v)
        elif not _is_number(v):
            raise CorruptFile(f"{where}: impact.{k}: expected a number")
        else:
            values[k] = float(v)
    return Impact(**values)
