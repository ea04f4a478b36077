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

from riskmon.core.overrides import Why, why
from riskmon.core.record import record

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


# The words of this module as templates (`Why`, as riskmon.core.overrides carries its messages):
# riskmon.present.ranges marks them for translation; the core fills them in English.
EMPTY = "empty range {text}; e.g. 10, 10:, ~:10, 10:20 or @10:20"
START_ABOVE_END = "start {start} is above end {end} in {text}"
NOT_A_NUMBER = "{part} is not a number"
TOO_LARGE = "{part} is too large"
PARTS = {"start": "start {text}", "end": "end {text}", "range": "range {text}"}
PART_IN = "{part} in {whole}"
ALWAYS, NEVER = "always", "never"
AT_MOST, AT_LEAST, FROM_TO = "at most {hi}", "at least {lo}", "from {lo} to {hi}"
ABOVE, BELOW, OUTSIDE = "above {hi}", "below {lo}", "below {lo} or above {hi}"
TEMPLATES = (
    EMPTY, START_ABOVE_END, NOT_A_NUMBER, TOO_LARGE, *PARTS.values(), PART_IN,
    ALWAYS, NEVER, AT_MOST, AT_LEAST, FROM_TO, ABOVE, BELOW, OUTSIDE,
)  # fmt: skip


# The reason of a rule judged by command-line ranges (riskmon.cli.check_ranges), as templates.
IS_CONDITION = "{label} {shown} is {condition} ({source})"
NO_ALERT = "{label} {shown}: no alert ({limits})"
RANGE_SOURCE = {"warning": "warning range {option} {range}", "critical": "critical range {option} {range}"}
CONFIG_SOURCE = {"warning": "warning threshold of riskmon.toml", "critical": "critical threshold of riskmon.toml"}
CONFIG_LIMITS = "thresholds of riskmon.toml"
BOTH = "{first}, {second}"
LABELS = {"score": "score", "runway": "runway", "shortfall probability": "shortfall probability"}
NO_RUNWAY = "none (cash does not run down)"
WEEKS = "{n} weeks"
REASON_TEMPLATES = (
    IS_CONDITION, NO_ALERT, *RANGE_SOURCE.values(), *CONFIG_SOURCE.values(), CONFIG_LIMITS, BOTH,
    *LABELS.values(), NO_RUNWAY, WEEKS,
)  # fmt: skip


class Reason(str):
    """A rule's reason decided by command-line ranges: the English text (what the machine formats
    and the logs show), with `parts` (one message per measure) for a presenter to show it in the
    reader's language."""

    parts: tuple[Why, ...]

    def __new__(cls, parts: tuple[Why, ...]) -> Reason:
        reason = super().__new__(cls, "; ".join(p.text() for p in parts))
        reason.parts = parts
        return reason


class RangeError(ValueError):
    """Text that is not a range in the guidelines' syntax; the message says why (in English;
    `why` holds it as a template and values)."""

    def __init__(self, message: Why) -> None:
        self.why = message
        super().__init__(message.text())


@record
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
        return self.condition_why().text()

    def condition_why(self) -> Why:
        """`condition()` as a template and values."""
        lo, hi = plain(self.start), plain(self.end)
        if self.inside:
            if math.isinf(self.start) and math.isinf(self.end):
                return why(ALWAYS)
            if math.isinf(self.start):
                return why(AT_MOST, hi=hi)
            return why(AT_LEAST, lo=lo) if math.isinf(self.end) else why(FROM_TO, lo=lo, hi=hi)
        if math.isinf(self.start) and math.isinf(self.end):
            return why(NEVER)
        if math.isinf(self.start):
            return why(ABOVE, hi=hi)
        return why(BELOW, lo=lo) if math.isinf(self.end) else why(OUTSIDE, lo=lo, hi=hi)


def plain(value: float) -> str:
    """A finite number as a plain decimal, never an exponent (perfdata forbids them): 1e-05 -> 0.00001."""
    # Imported here: decimal costs about 3 ms of `check`'s start, and only perfdata needs it.
    from decimal import Decimal

    text = format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(text: str, what: str, whole: str) -> float:
    part = why(PARTS[what], text=repr(text))
    where = why(PART_IN, part=part, whole=repr(whole)) if text != whole.strip() else part
    if not _NUMBER.match(text):
        raise RangeError(why(NOT_A_NUMBER, part=where))
    value = float(text)
    if not math.isfinite(value):  # 1e999: the syntax has `~` and an empty end for unbounded
        raise RangeError(why(TOO_LARGE, part=where))
    return value


def parse_range(text: str) -> Range:
    """`[@]start:end` -> Range; RangeError naming what is wrong. See the module doc."""
    whole = text
    body = text.strip()
    inside = body.startswith("@")
    if inside:
        body = body[1:]
    if not body:
        raise RangeError(why(EMPTY, text=repr(whole)))
    if ":" in body:
        start_text, end_text = body.split(":", 1)
        start = -math.inf if start_text == "~" else _number(start_text, "start", whole) if start_text else 0.0
        end = _number(end_text, "end", whole) if end_text else math.inf
    else:
        start, end = 0.0, _number(body, "range", whole)
    if start > end:
        raise RangeError(why(START_ABOVE_END, start=plain(start), end=plain(end), text=repr(whole)))
    return Range(start, end, inside)


def at_least(bound: float) -> Range:
    """riskmon.toml's ">= bound" (score, shortfall thresholds) as a range: `@bound:`."""
    return Range(bound, math.inf, inside=True)


def below(bound: float) -> Range:
    """riskmon.toml's "< bound" (runway thresholds) as a range: `bound:`."""
    return Range(bound, math.inf)
