"""TOML and JSON parsing where an over-long integer is one invalid value, not a crash.

Python refuses to convert a decimal string of more than `sys.get_int_max_str_digits()` digits
(4300 by default) to an int, and tomllib and json let that ValueError out of `loads`: a config
file or a feed holding `probability = 1000…0` (5,001 digits) would take the whole document, or the
whole check, down. Here such an integer becomes a marker table `{integer_digits = N}`, which no
field of riskmon's models accepts: validation then names it like any other wrong value
(`file:line: field: ...` for a config file, a skipped event with its reason for a feed).
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

DIGITS_KEY = "integer_digits"
"""The key of the marker table that stands for an integer too long to convert."""

# Strings and comments are matched first and kept as they are, so digits inside them are never
# touched; then a TOML decimal integer of more digits than Python converts, not part of a float
# (no '.', exponent or further digits around it) nor of a bare key or a date.
_KEEP = r'"""(?:[^\\]|\\[\s\S])*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*'
_LONG_INT = r"(?<![\w.+-])[+-]?\d(?:_?\d){%d,}(?![\w.])"


def marker(digits: int) -> dict[str, int]:
    return {DIGITS_KEY: digits}


def digits_of_marker(value: object) -> int | None:
    """N when `value` is the marker of an N-digit integer, else None."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(DIGITS_KEY), int):
        return int(value[DIGITS_KEY])
    return None


def _limit() -> int:
    import sys

    return sys.get_int_max_str_digits() or 0


def _parse_int(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return marker(len(text.lstrip("+-")))


def json_loads(text: str) -> Any:
    """`json.loads`, with over-long integers as markers. Raises json.JSONDecodeError and
    RecursionError like json.loads."""
    return json.loads(text, parse_int=_parse_int)


def toml_loads(text: str) -> dict[str, Any]:
    """`tomllib.loads`, with over-long integers as markers (the text keeps its lines, so the
    positions riskmon finds in it stay right). Raises tomllib.TOMLDecodeError like tomllib."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError:
        limit = _limit()
        if not limit:
            raise
    return tomllib.loads(replace_long_ints(text, limit))


def replace_long_ints(text: str, limit: int) -> str:
    """`text` with every TOML integer of more than `limit` digits replaced by its marker table."""
    pattern = re.compile(f"({_KEEP})|({_LONG_INT % limit})")

    def sub(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(1)
        digits = sum(c.isdigit() for c in m.group(2))
        return f"{{ {DIGITS_KEY} = {digits} }}"

    return pattern.sub(sub, text)
