"""The message for one pydantic error: what was wrong with the value, in words (ranges, allowed values,
unknown keys with a did-you-mean), reading the bounds from the model's field annotations.
"""

from __future__ import annotations

import re

from riskmon.core.hints import TYPE_CHECKING
from riskmon.errors import did_you_mean
from riskmon.i18n import N_, _, ngettext
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from typing import Any

    from pydantic import BaseModel


# ---------------------------------------------------------------------------------------------
# Pydantic errors -> problems in the user's terms

Loc = tuple[str | int, ...]

_DATE_HELP = N_("not a date or date-time (use 2025-01-19 or 2025-01-19T17:00:00+07:00)")
"""English; shown through _()."""


def _got(value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(clean(value)[:60])
    elif isinstance(value, int | float):
        text = repr(value) if len(repr(value)) <= 30 else _("a number that large")
    elif isinstance(value, dict):
        return _(" (got a table)")
    elif isinstance(value, list):
        return _(" (got a list)")
    else:
        text = clean(str(value))[:60]
    return _(" (got {value})").format(value=text)


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}" if abs(value) >= 1e6 else str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(model: type[BaseModel], loc: Loc, err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    ctx: dict[str, Any] = err.get("ctx") or {}
    value = err.get("input")
    if kind == "missing":
        return _("missing: required field")
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _range(model, loc, ctx, kind) + _got(value)
    if kind == "finite_number":
        return _("must be a finite number, not inf or nan")
    if kind in ("float_type", "float_parsing", "int_parsing_size"):
        return _("not a number") + _got(value)
    if kind in ("int_type", "int_parsing"):
        return _("not a whole number") + _got(value)
    if kind == "int_from_float":
        return _("must be a whole number") + _got(value)
    if kind in ("bool_type", "bool_parsing"):
        return _("must be true or false") + _got(value)
    if kind == "string_type":
        return _('must be text in double quotes, e.g. "..."') + _got(value)
    if kind == "string_too_short" or (kind == "too_short" and isinstance(value, str)):
        return _("must not be empty")
    if kind == "string_too_long":
        return _("must be at most {n} characters").format(n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        if "(s|m|h|d|w)" in str(ctx.get("pattern", "")):
            return _("not a duration: a number and a unit s, m, h, d or w, e.g. 30s, 15m, 2h, 1d") + _got(value)
        return _("does not have the expected form {pattern}").format(pattern=ctx.get("pattern")) + _got(value)
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return ngettext("must have at least {n} item", "must have at least {n} items", n).format(n=n)
    if kind == "too_long":
        return _("must have at most {n} items").format(n=ctx.get("max_length"))
    if kind in ("list_type", "tuple_type", "set_type"):
        return _('must be a list in brackets, e.g. ["US"]') + _got(value)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be a table: a [section] or {{ key = value, ... }}").format() + _got(value)
    if kind == "literal_error":
        return _literal(ctx, value)
    if kind.startswith(("datetime_", "date_", "time_")):
        return _(_DATE_HELP) + _got(value)
    return clean(str(err.get("msg", _("invalid value"))))


def _literal(ctx: dict[str, Any], value: Any) -> str:
    options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    message = _("must be one of: {options}").format(options=", ".join(options)) + _got(value)
    if isinstance(value, str):
        message += did_you_mean(value.strip().lower(), options, " — ")
    return message


def _unknown_key(model: type[BaseModel], loc: Loc) -> str:
    key = clean(str(loc[-1]))[:64] if loc else "?"
    known = _field_names(model, loc[:-1])
    close = did_you_mean(key, known, " — ") or did_you_mean(key.lower(), known, " — ")
    if close:
        return _("unknown key {key}").format(key=repr(key)) + close
    if known:
        return _("unknown key {key}; known keys here: {known}").format(key=repr(key), known=", ".join(known))
    return _("unknown key {key}").format(key=repr(key))


def unwrap_annotation(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...] from a type."""
    import types
    from typing import Annotated, Union, get_args, get_origin

    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _type_at(model: type[BaseModel], loc: Loc) -> Any:
    """The declared type at a location inside `model`, or None when unknown."""
    from typing import get_args, get_origin

    from pydantic import BaseModel

    current: Any = model
    for comp in loc:
        current = unwrap_annotation(current)
        origin = get_origin(current)
        if isinstance(comp, int) and origin in (list, tuple):
            current = get_args(current)[0]
        elif isinstance(comp, str) and origin is dict:
            current = get_args(current)[1]
        elif isinstance(comp, str) and isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(comp)
            if info is None:
                return None
            current = info.annotation
        else:
            return None
    return current


def _field_names(model: type[BaseModel], loc: Loc) -> list[str]:
    from pydantic import BaseModel

    target = unwrap_annotation(_type_at(model, loc))
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _bounds(model: type[BaseModel], loc: Loc) -> dict[str, Any]:
    """ge/gt/le/lt declared on the field at `loc` (or on its type)."""
    from typing import Annotated, get_args, get_origin

    from pydantic import BaseModel

    found: dict[str, Any] = {}

    def collect(meta: Any) -> None:
        for name in ("ge", "gt", "le", "lt"):
            value = getattr(meta, name, None)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault(name, value)
        for inner in getattr(meta, "metadata", None) or ():
            collect(inner)

    def walk(tp: Any) -> None:
        if get_origin(tp) is Annotated:
            args = get_args(tp)
            for meta in args[1:]:
                collect(meta)
            walk(args[0])
        else:
            for arg in get_args(tp):
                if get_origin(arg) is Annotated:
                    walk(arg)

    if loc and isinstance(loc[-1], str):
        parent = unwrap_annotation(_type_at(model, loc[:-1]))
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            info = parent.model_fields.get(loc[-1])
            if info is not None:
                for meta in info.metadata:
                    collect(meta)
                walk(info.annotation)
    else:
        walk(_type_at(model, loc))
    return found


_CAP = 10_000
"""An upper bound from this up is a sanity cap (money, days), not a scale like a share's 0-1."""


def _range(model: type[BaseModel], loc: Loc, ctx: dict[str, Any], kind: str) -> str:
    b = _bounds(model, loc) or dict(ctx)
    lo, lo_strict = (b["gt"], True) if "gt" in b else (b.get("ge"), False)
    hi, hi_strict = (b["lt"], True) if "lt" in b else (b.get("le"), False)
    if lo is not None and hi is not None and hi >= _CAP:
        # Name only the bound broken: "must be 0 or more", not "between 0 and a quadrillion".
        lo, hi = (lo, None) if kind.startswith("greater") else (None, hi)
    if lo is not None and hi is not None:
        if not lo_strict and not hi_strict:
            return _("must be between {lo} and {hi}").format(lo=_num(lo), hi=_num(hi))
        low = (_("more than {n}") if lo_strict else _("at least {n}")).format(n=_num(lo))
        high = (_("less than {n}") if hi_strict else _("at most {n}")).format(n=_num(hi))
        return _("must be {low} and {high}").format(low=low, high=high)
    if lo is not None:
        return (_("must be more than {n}") if lo_strict else _("must be {n} or more")).format(n=_num(lo))
    if hi is not None:
        return (_("must be less than {n}") if hi_strict else _("must be {n} or less")).format(n=_num(hi))
    return _("out of range")
