"""The history file's shape: its tables and schema, the check that it is ours, and the
documents as stored (alerts) or given back (event-log entries); `parse_since` for `--since`.
Used by riskmon.store.history."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from riskmon.errors import RiskmonError
from riskmon.store.business import name_of
from riskmon.store.lockedjson import CorruptFile, Tables
from riskmon.store.records import decode_entry, stamp, to_utc

SCHEMA = 1
FULL, DOWN = "snapshots", "downsampled"  # full-resolution snapshots; merged / older ones

TABLES = (FULL, DOWN, "event_log", "steps", "alerts", "meta")
# How every history riskmon writes begins (whitespace aside): a table of ours, then its documents
# object opening on a document id or closing empty. Plain TinyDB writes the same shape.
_OURS = re.compile(rb'\{"(?:' + b"|".join(t.encode() for t in TABLES) + rb')":\{(?:"\d|\}|$)')
_HEADS = tuple(b'{"' + t.encode() + b'":{' for t in TABLES)


def looks_like_history(raw: bytes) -> bool:
    """Whether an unparsable file is recognisably a riskmon history, so that recovery may move it
    aside: it starts like one (see _OURS), or it is cut short before getting that far (`{`,
    `{"snaps`). A TOML config, another program's JSON or random bytes are not."""
    head = re.sub(rb"\s+", b"", raw[:256])
    return bool(_OURS.match(head)) or (head != b"" and any(h.startswith(head) for h in _HEADS))


def check_meta(data: Tables) -> None:
    meta = data.get("meta", {}).get("1")
    if meta is None:
        return
    schema = meta.get("schema", SCHEMA)
    if (
        not isinstance(schema, int)
        or not isinstance(meta.get("ids", []), list)
        or not isinstance(meta.get("states", {}), dict)
        or not isinstance(meta.get("businesses", []), list)
    ):
        raise CorruptFile("its meta table is malformed")
    if schema > SCHEMA:
        raise RiskmonError(
            f"history file was written by a newer riskmon (schema {schema}; this one reads "
            f"{SCHEMA}): upgrade riskmon, or use --db to keep a separate history"
        )


_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def alert_doc(alert: Mapping[str, Any]) -> dict[str, Any]:
    """An alert as stored: only the known keys, in canonical form."""
    error = alert.get("error")
    level = alert.get("level")
    return {
        "at": stamp(alert.get("at")),
        "channel": str(alert.get("channel") or ""),
        "trigger": str(alert.get("trigger") or ""),
        "key": str(alert.get("key") or ""),
        "level": None if level is None else str(getattr(level, "name", level)),
        "ok": bool(alert.get("ok", True)),
        "error": None if error is None else str(error),
    }


def log_entry(rec: Mapping[str, Any], businesses: Sequence[str]) -> dict[str, Any]:
    """An event-log record as the API gives it: its `business` by name, not by index (no
    `business` when none was recorded)."""
    out = decode_entry(rec)
    out.pop("b", None)
    name = name_of(rec, businesses)
    if name is not None:
        out["business"] = name
    return out


def parse_since(text: str, now: datetime) -> datetime:
    """'30m', '12h', '7d', '2w' before `now`, or an ISO date (00:00 UTC) or date-time."""
    m = _SINCE.match(text or "")
    if m:
        return to_utc(now) - timedelta(seconds=float(m.group(1)) * _UNIT[m.group(2).lower()])
    try:
        return to_utc(text)
    except (ValueError, IndexError):
        from riskmon.i18n import _

        raise ValueError(
            _(
                "{text} is neither a duration (like 30m, 12h, 7d, 2w) nor an ISO date or date-time "
                "(like 2026-11-01 or 2026-11-01T09:30:00+00:00)"
            ).format(text=repr(text))
        ) from None
