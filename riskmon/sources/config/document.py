"""Changing a tomlkit document in place, keeping the user's comments, order and layout: set a field,
append to a list, add a timeline entry, append an event, and TOML values written as the user would.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import ConfigError, Problem, did_you_mean
from riskmon.i18n import _
from riskmon.sources.config.edit_types import (
    _TABLES,
    TIMELINE_START,
    AppendEdit,
    Edit,
    FieldEdit,
    TimelineEdit,
)

if TYPE_CHECKING:
    from pydantic import BaseModel


def toml_value(value: Any) -> Any:
    """A Python value as the TOML item the edits write: a 00:00 UTC time as a date, other times
    in UTC, mappings as inline tables."""
    return _item(value)


def _parse(path: Path, text: str) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        from riskmon.sources.config.load import find_problems_in_text

        problems = find_problems_in_text(str(path), text) or [
            Problem(str(path), getattr(exc, "line", None), "", _("invalid TOML: {reason}").format(reason=exc))
        ]
        raise ConfigError(problems) from None


# ---------------------------------------------------------------------------------------------
# Changing a tomlkit document


def _model_for(table: str) -> type[BaseModel] | None:
    import riskmon.sources.config.schema as model_module

    spec = _TABLES.get(table)
    return getattr(model_module, spec[1]) if spec else None


def _find(items: Any, item_id: str, path: Path, table: str) -> Any:
    entries = list(items) if isinstance(items, list) else []
    ids = [str(t.get("id", "")).strip() for t in entries if isinstance(t, dict)]
    for t in entries:
        if isinstance(t, dict) and str(t.get("id", "")).strip() == item_id:
            return t
    listed = _("; channels in the file: {ids}") if table == "channels" else _("; events in the file: {ids}")
    hint = did_you_mean(item_id, ids, " — ") or (listed.format(ids=", ".join(ids)) if ids else "")
    missing = _("no channel with id {id}{hint}") if table == "channels" else _("no event with id {id}{hint}")
    raise ConfigError([Problem(str(path), None, f"{table}[{item_id}]", missing.format(id=repr(item_id), hint=hint))])


def _table(doc: Any, e: FieldEdit, path: Path) -> Any:
    import tomlkit

    if e.item_id is not None:
        return _find(doc.get(e.table), e.item_id, path, e.table)
    table = doc.get(e.table)
    if table is None:
        if e.value is None:
            return {}
        table = tomlkit.table()
        doc.append(e.table, table)
        return doc[e.table]
    if not isinstance(table, dict):
        raise ConfigError([Problem(str(path), None, e.table, _("is not a table"))])
    return table


def _apply_edit(text: str, e: Edit, path: Path) -> str:
    """`text` with one edit made: through tomlkit where it can keep the layout, as a new line
    below the right key where tomlkit would put it below the next table's comment."""
    if isinstance(e, AppendEdit):
        return _apply_append(text, e, path)
    if isinstance(e, TimelineEdit):
        return _apply_timeline(text, e, path)
    doc = _parse(path, text)
    table = _table(doc, e, path)
    if e.value is None:
        if e.field in table:
            del table[e.field]
        return str(doc.as_string())
    old = table.get(e.field) if hasattr(table, "get") else None
    item = _item(e.value, old)
    if e.field in table:
        table[e.field] = item  # tomlkit keeps the line's comment
        return str(doc.as_string())
    from tomlkit.items import Table

    if isinstance(table, Table):  # a `[header]` table; an inline one takes the key in its braces
        inserted = _insert_line(text, _table_path(doc, e, table), e.field, item, _model_for(e.table))
        if inserted is not None:
            return inserted
    table[e.field] = item
    return str(doc.as_string())


def _plain(value: Any) -> Any:
    """A value as TOML reads it back, for comparing: a date-time in UTC, a date as such."""
    import tomllib

    import tomlkit

    return tomllib.loads(tomlkit.dumps({"v": _item(value)}))["v"]


def _list_field(table: Any, e: AppendEdit | TimelineEdit, path: Path) -> Any:
    """The list at `e.field` of `table` (None when the table has none)."""
    found = table.get(e.field)
    if found is not None and not isinstance(found, list):
        raise ConfigError([Problem(str(path), None, e.where, _("is not a list"))])
    return found


def _apply_append(text: str, e: AppendEdit, path: Path) -> str:
    doc = _parse(path, text)
    table = _find(doc.get(e.table), e.item_id or "", path, e.table)
    found = _list_field(table, e, path)
    if found is None:
        return _apply_edit(text, FieldEdit(e.table, e.item_id, e.field, [e.value]), path)
    value = _plain(e.value)
    if any(_plain(x) == value for x in found.unwrap()):
        return text
    found.append(_item(e.value))
    return str(doc.as_string())


def _apply_timeline(text: str, e: TimelineEdit, path: Path) -> str:
    doc = _parse(path, text)
    table = _find(doc.get("events"), e.item_id, path, "events")
    found = _list_field(table, e, path)
    new = {"date": e.date, "status": e.status} | ({"probability": e.probability} if e.probability is not None else {})
    if not found:
        current = table.get("status")
        if not isinstance(current, str):
            raise ConfigError(
                [
                    Problem(
                        str(path), None, f"events[{e.item_id}].status", _("missing: nothing to start a timeline from")
                    )
                ]
            )
        first: dict[str, Any] = {"date": TIMELINE_START, "status": current}
        if "probability" in table:
            first["probability"] = table["probability"].unwrap()
            del table["probability"]
        table["status"] = e.status
        text = str(doc.as_string())
        return _apply_edit(text, FieldEdit("events", e.item_id, "timeline", [first, new]), path)
    dates = [_plain(x.get("date")) if isinstance(x, dict) else None for x in found]
    if not all(isinstance(d, datetime | date) for d in dates):
        raise ConfigError([Problem(str(path), None, e.where, _("an entry without a date: fix the timeline first"))])
    at = _utc_key(_plain(e.date))
    keys = [_utc_key(d) for d in dates]  # type: ignore[arg-type]
    if at in keys:  # that day's entry says something else now
        entry = found[keys.index(at)]
        entry["status"] = e.status
        if "probability" in entry and e.probability is None:
            del entry["probability"]
    elif all(k < at for k in keys):
        if "probability" in table:  # it belonged to the entry that was last
            if "probability" not in found[-1]:
                found[-1]["probability"] = table["probability"].unwrap()
            del table["probability"]
        found.append(_item(new))
    else:
        found.insert(next(i for i, k in enumerate(keys) if k > at), _item(new))
    if "status" in table:  # a plain str: assigning the entry's item would carry its trivia along
        table["status"] = str(found[-1]["status"])
    return str(doc.as_string())


def _utc_key(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _table_path(doc: Any, e: FieldEdit, table: Any) -> tuple[str | int, ...]:
    """Where `table` sits in the document's data: ("business",) or ("channels", 2)."""
    if e.item_id is None:
        return (e.table,)
    return (e.table, next(i for i, t in enumerate(doc[e.table]) if t is table))


def _insert_line(
    text: str, where: tuple[str | int, ...], key: str, item: Any, model: type[BaseModel] | None
) -> str | None:
    """`text` with `key = item` on a new line where a person would put it: below the field that
    comes before it in the model, else below the table's last value, so it never lands below a
    comment that belongs to the next table. None when the table is not in this text yet (the
    edit just created it): tomlkit's own placement is right there.

    tomlkit has no public "insert after"; editing the text at a line the scanner located keeps
    every other byte of the file as it was."""
    import tomlkit

    from riskmon.sources.config.positions import key_lines, value_end_lines

    starts = key_lines(text)
    if where not in starts:
        return None
    ends = value_end_lines(text)
    present = [path[-1] for path in ends if len(path) == len(where) + 1 and path[:-1] == where]
    after: str | int | None = None
    if model is not None and key in model.model_fields:
        order = list(model.model_fields)
        earlier = [k for k in present if k in order and order.index(str(k)) < order.index(key)]
        if earlier:
            after = max(earlier, key=lambda k: order.index(str(k)))
    if after is None and present:
        after = present[-1]
    lines = text.splitlines(keepends=True)
    if after is None:
        at, indent = starts[where], ""  # an empty table: right below its header
    else:
        at = ends[(*where, after)]
        first = lines[starts[(*where, after)] - 1]
        indent = first[: len(first) - len(first.lstrip(" \t"))]
    rendered = tomlkit.dumps({key: item}).strip()
    newline = "\r\n" if lines[at - 1].endswith("\r\n") else "\n"
    if not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += newline
    lines.insert(at, f"{indent}{rendered}{newline}")
    return "".join(lines)


def _item(value: Any, old: Any = None) -> Any:
    """A Python value as a tomlkit item, written the way the file already writes it."""
    import tomlkit
    from tomlkit.items import Date, Float

    if isinstance(value, bool):
        return tomlkit.item(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 and not isinstance(old, Float):
        return tomlkit.item(int(value))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        old_tz = old.tzinfo if isinstance(old, datetime) and old.tzinfo is not None else None
        if old_tz is not None:
            return tomlkit.item(value.astimezone(old_tz))
        utc = value.astimezone(UTC)
        if utc.time() == time(0, 0) and (old is None or isinstance(old, Date)):
            return tomlkit.item(utc.date())
        return tomlkit.item(utc)
    if isinstance(value, date):
        return tomlkit.item(value)
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for k, v in value.items():
            if v is not None:
                table.append(k, _item(v))
        return table
    if isinstance(value, list | tuple):
        array = tomlkit.array()
        for v in value:
            array.append(_item(v))
        return array
    return tomlkit.item(value)


def _append_event(doc: Any, text: str, event: Mapping[str, Any]) -> None:
    import tomlkit
    from tomlkit.items import AoT

    from riskmon.sources.config.schema import Event

    if not isinstance(event, Mapping):
        raise ConfigError([Problem("events.toml", None, "events", _("a new event must be a table of fields"))])
    order = list(Event.model_fields)
    keys = sorted(event, key=lambda k: (order.index(k) if k in order else len(order), str(k)))
    table = tomlkit.table()
    subtables = []
    for key in keys:
        value = event[key]
        if value is None:
            continue
        if key == "impact" and isinstance(value, Mapping):
            sub = tomlkit.table()
            for k, v in value.items():
                if v is not None:
                    sub.append(k, _item(v))
            subtables.append((key, sub))
            continue
        # A time the caller gave in a local offset (an article's "17:00 WIB") stays in it.
        table.append(key, _item(value, value if isinstance(value, datetime) and value.utcoffset() else None))
    for key, sub in subtables:
        table.append(key, sub)

    existing = doc.get("events")
    if existing is None:
        table.trivia.indent = "" if not text.strip() else ("\n" if text.endswith("\n") else "\n\n")
        aot = tomlkit.aot()
        aot.append(table)
        doc.append("events", aot)
    elif isinstance(existing, AoT):
        table.trivia.indent = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        existing.append(table)
    elif isinstance(existing, list):  # events = [{...}, ...] written inline
        existing.append(_item({k: event[k] for k in keys}))
    else:
        raise ConfigError([Problem("events.toml", None, "events", _("is not a list of [[events]] tables"))])
