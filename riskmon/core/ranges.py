"""Threshold ranges as the Monitoring Plugins development guidelines define them: `[@]start:end`.

A range alerts when the value lies OUTSIDE it (both ends included in the range), or, with a
leading `@`, when it lies INSIDE it (both ends included):

| range    | alerts when          |
|----------|----------------------|
| `10`     | x < 0 or x > 10      |
| `10:`    | x < 10               |
| `~:10`   | x > 10               |
| `10:20`  | x < 10 or x > 20     |
| `@10:20` | 10 <= x <= 20        |

`start` may be left out when it is 0 (`10` is `0:10`, `:10` too); `~` as start is minus
infinity; an empty end is plus infinity; start must not exceed end. Numbers are plain decimals
(a sign, digits, a point, an exponent); `nan`/`inf` are refused, since `~` and an empty end say
"unbounded".

riskmon.toml's `warn`/`crit` mean "at or above" (>=); in this syntax that is `@40:`, not `40`
(which alerts ABOVE 40). Pure: no I/O.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class RangeError(ValueError):
    """Text that is not a range in the guidelines' syntax; the message says why."""


@dataclass(frozen=True)
class Range:
    start: float
    """-inf for `~`."""
    end: float
    """+inf when the end is left out (`10:`)."""
    inside: bool = False
    """`@`: alert when the value is inside [start, end], not outside."""

    def alerts(self, value: float) -> bool:
        """Whether `value` raises this range's alert. NaN never does (there is nothing to judge)."""
        if math.isnan(value):
            return False
        within = self.start <= value <= self.end
        return within if self.inside else not within

    def __str__(self) -> str:
        """The canonical text, as perfdata's warn/crit fields carry it (`@10:20`, `~:10`, `10`)."""
        at = "@" if self.inside else ""
        end = "" if math.isinf(self.end) else plain(self.end)
        if math.isinf(self.start):
            return f"{at}~:{end}"
        if self.start == 0 and end:
            return f"{at}{end}"
        return f"{at}{plain(self.start)}:{end}"

    def condition(self) -> str:
        """When it alerts, in words: "above 10", "below 0 or above 10", "from 10 to 20"."""
        lo, hi = plain(self.start), plain(self.end)
        if self.inside:
            if math.isinf(self.start) and math.isinf(self.end):
                return "always"
            if math.isinf(self.start):
                return f"at most {hi}"
            return f"at least {lo}" if math.isinf(self.end) else f"from {lo} to {hi}"
        if math.isinf(self.start) and math.isinf(self.end):
            return "never"
        if math.isinf(self.start):
            return f"above {hi}"
        return f"below {lo}" if math.isinf(self.end) else f"below {lo} or above {hi}"


def plain(value: float) -> str:
    """A finite number as a plain decimal, never an exponent (perfdata forbids them): 1e-05 -> 0.00001."""
    # Imported here: decimal costs about 3 ms of `check`'s start, and only perfdata needs it.
    from decimal import Decimal

    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(text: str, what: str, whole: str) -> float:
    where = f"{what} {text!r}" + (f" in {whole!r}" if text != whole.strip() else "")
    if not _NUMBER.match(text):
        raise RangeError(f"{where} is not a number")
    value = float(text)
    if not math.isfinite(value):  # 1e999: the syntax has `~` and an empty end for unbounded
        raise RangeError(f"{where} is too large")
    return value


def parse_range(text: str) -> Range:
    """`[@]start:end` -> Range; RangeError naming what is wrong. See the module doc."""
    whole = text
    body = text.strip()
    inside = body.startswith("@")
    if inside:
        body = body[1:]
    if not body:
        raise RangeError(f"empty range {whole!r}; e.g. 10, 10:, ~:10, 10:20 or @10:20")
    if ":" in body:
        start_text, end_text = body.split(":", 1)
        start = -math.inf if start_text == "~" else _number(start_text, "start", whole) if start_text else 0.0
        end = _number(end_text, "end", whole) if end_text else math.inf
    else:
        start, end = 0.0, _number(body, "range", whole)
    if start > end:
        raise RangeError(f"start {plain(start)} is above end {plain(end)} in {whole!r}")
    return Range(start, end, inside)


def at_least(bound: float) -> Range:
    """riskmon.toml's ">= bound" (score, shortfall thresholds) as a range: `@bound:`."""
    return Range(bound, math.inf, inside=True)


def below(bound: float) -> Range:
    """riskmon.toml's "< bound" (runway thresholds) as a range: `bound:`."""
    return Range(bound, math.inf)
