"""Pydantic's validation errors rewritten as problems in the user's terms: the file, the line, the field
as the user writes it (`channels[tiktok-us].order_share`) and a message that reads naturally.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from riskmon.core.hints import TYPE_CHECKING
from riskmon.errors import Problem
from riskmon.i18n import _
from riskmon.sources.config.checks import (
    FieldProblem,
    duplicate_id,
    ends_after_effective,
    first_repeat,
    order_share_total,
)
from riskmon.sources.config.messages import Loc, _message
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from typing import Any

    from pydantic import BaseModel

_LABEL = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}"
_BARE_KEY = r"[A-Za-z0-9_-]+"


def _problems_from(filename: str, text: str, data: Any, model: type[BaseModel], errors: list[Any]) -> list[Problem]:
    from riskmon.sources.config.positions import key_lines, line_for

    lines = key_lines(text)
    out: list[Problem] = []
    seen: set[tuple[int | None, str, str]] = set()

    def add(loc: Loc, message: str) -> None:
        problem = Problem(filename, line_for(lines, loc), field_name(loc, data), message)
        key = (problem.line, problem.field, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)

    for err in errors:
        loc: Loc = tuple(err.get("loc", ()))
        if loc[-1:] == ("[key]",):  # pydantic's marker for "the key itself, not its value"
            loc = loc[:-1]
        long_at = _long_number_at(loc, data)
        if long_at is not None:
            loc, message = long_at
        elif err.get("type") == "value_error":
            message = _value_error_text(err)
            loc = refine(loc, err)
        else:
            message = _message(model, loc, err)
        add(loc, message)
    for loc, message in _cross_checks(model.__name__, data):
        add(loc, message)
    out.sort(key=lambda p: p.line if p.line is not None else 0)
    return out


def _long_number_at(loc: Loc, data: Any) -> tuple[Loc, str] | None:
    """An integer too long to read (see docparse) at `loc`, or at the table holding `loc` (a
    marker where a table was expected reads as one with an unknown key): where, and why."""
    from riskmon.docparse import DIGITS_KEY, digits_of_marker

    for where in (loc, loc[:-1] if loc and loc[-1] == DIGITS_KEY else None):
        digits = digits_of_marker(_get(data, where)) if where is not None else None
        if digits is not None and where is not None:
            message = _("a number of {digits} digits is too long to be an amount, a share or a count")
            return where, message.format(digits=digits)
    return None


def _value_error_text(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", ""))
    return clean(msg.removeprefix("Value error, "))


def refine(loc: Loc, err: Mapping[str, Any]) -> Loc:
    """A check on a whole table is reported at the table: move it to the field the check names
    (pydantic keeps the raised exception in ctx["error"]). Other errors stay where they are."""
    error = (err.get("ctx") or {}).get("error")
    return (*loc, *error.at) if isinstance(error, FieldProblem) else loc


def _get(data: Any, loc: Loc) -> Any:
    node = data
    for comp in loc:
        if isinstance(comp, int) and isinstance(node, list) and 0 <= comp < len(node):
            node = node[comp]
        elif isinstance(comp, str) and isinstance(node, dict):
            node = node.get(comp)
        else:
            return None
    return node


def _key_of(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else None


def _repeats(items: Any, key: str) -> Iterator[tuple[int, str]]:
    """(index, value) of every item whose `key` value an earlier item already has."""
    if isinstance(items, list):
        yield from first_repeat(_key_of(item, key) for item in items)


def _cross_checks(model_name: str, data: Any) -> list[tuple[Loc, str]]:
    """Container checks on the raw data, so they are reported even when pydantic stopped at
    field errors first (it skips a model's own validators when a field fails). Messages match
    the models' own, so a check pydantic did run is not reported twice."""
    out: list[tuple[Loc, str]] = []
    if not isinstance(data, dict):
        return out

    def duplicates(list_key: str, what: str) -> None:
        for index, value in _repeats(data.get(list_key), "id"):
            out.append(((list_key, index, "id"), duplicate_id(what, value)))

    if model_name == "Profile":
        duplicates("channels", "channel")
        channels = data.get("channels")
        if isinstance(channels, list):
            shares = [c.get("order_share") for c in channels if isinstance(c, dict)]
            numbers = [float(v) for v in shares if isinstance(v, int | float) and not isinstance(v, bool)]
            if all(0 <= v <= 1 for v in numbers) and sum(numbers) > 1.0 + 1e-9:
                out.append((("channels",), order_share_total(sum(numbers))))
    elif model_name == "PlaybookFile":
        duplicates("rules", "rule")
    elif model_name == "EventCatalog":
        duplicates("events", "event")
        events = data.get("events")
        if isinstance(events, list):
            from riskmon.sources.config.schema import to_utc

            for index, event in enumerate(events):
                if not isinstance(event, dict):
                    continue
                try:
                    effective, ends = to_utc(event.get("effective")), to_utc(event.get("ends"))
                    if ends is not None and effective is not None and ends <= effective:
                        out.append((("events", index, "ends"), ends_after_effective()))
                except (ValueError, TypeError):
                    continue
    return out


def field_name(loc: Loc, data: Any) -> str:
    """('channels', 1, 'order_share') -> 'channels[tiktok-us].order_share' (the item's id or
    name when it has a unique one, else its index)."""
    out = ""
    node = data
    for comp in loc:
        if isinstance(comp, int):
            label = str(comp)
            if isinstance(node, list) and 0 <= comp < len(node):
                label = _item_label(node, comp) or label
                node = node[comp]
            else:
                node = None
            out += f"[{label}]"
        else:
            key = clean(str(comp))[:64]
            if not re.fullmatch(_BARE_KEY, key):
                key = '"' + key.replace('"', '\\"') + '"'
            out += ("." if out else "") + key
            node = node.get(comp) if isinstance(node, dict) else None
    return out


def _item_label(items: list[Any], index: int) -> str | None:
    for key in ("id", "name"):
        value = _key_of(items[index], key)
        if value and re.fullmatch(_LABEL, value) and sum(_key_of(i, key) == value for i in items) == 1:
            return value
    return None
