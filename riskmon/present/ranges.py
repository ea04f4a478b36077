"""The words of Nagios ranges (riskmon.core.ranges) in the active language: why a range's text is
not a range, and the reason of a rule judged by command-line ranges (`check -w/-c`). The core
writes them in English for the machine formats; these are the same templates, marked for
translation and filled in with the same values (riskmon.present.messages.rendered)."""

from __future__ import annotations

from riskmon.core import ranges as rg
from riskmon.core.overrides import Why
from riskmon.i18n import N_
from riskmon.present.messages import rendered

RANGE_MESSAGES = {
    rg.EMPTY: N_("empty range {text}; e.g. 10, 10:, ~:10, 10:20 or @10:20"),
    rg.START_ABOVE_END: N_("start {start} is above end {end} in {text}"),
    rg.NOT_A_NUMBER: N_("{part} is not a number"),
    rg.TOO_LARGE: N_("{part} is too large"),
    rg.PARTS["start"]: N_("start {text}"),
    rg.PARTS["end"]: N_("end {text}"),
    rg.PARTS["range"]: N_("range {text}"),
    rg.PART_IN: N_("{part} in {whole}"),
    rg.ALWAYS: N_("always"),
    rg.NEVER: N_("never"),
    rg.AT_MOST: N_("at most {hi}"),
    rg.AT_LEAST: N_("at least {lo}"),
    rg.FROM_TO: N_("from {lo} to {hi}"),
    rg.ABOVE: N_("above {hi}"),
    rg.BELOW: N_("below {lo}"),
    rg.OUTSIDE: N_("below {lo} or above {hi}"),
    rg.IS_CONDITION: N_("{label} {shown} is {condition} ({source})"),
    rg.NO_ALERT: N_("{label} {shown}: no alert ({limits})"),
    rg.RANGE_SOURCE["warning"]: N_("warning range {option} {range}"),
    rg.RANGE_SOURCE["critical"]: N_("critical range {option} {range}"),
    rg.CONFIG_SOURCE["warning"]: N_("warning threshold of riskmon.toml"),
    rg.CONFIG_SOURCE["critical"]: N_("critical threshold of riskmon.toml"),
    rg.CONFIG_LIMITS: N_("thresholds of riskmon.toml"),
    rg.BOTH: N_("{first}, {second}"),
    rg.LABELS["score"]: N_("score"),
    rg.LABELS["runway"]: N_("runway"),
    rg.LABELS["shortfall probability"]: N_("shortfall probability"),
    rg.NO_RUNWAY: N_("none (cash does not run down)"),
    rg.WEEKS: N_("{n} weeks"),
}
"""The core's templates, word for word (a test holds the two together)."""


def range_words(why: Why) -> str:
    """One of riskmon.core.ranges' messages in the active language."""
    return rendered(why, RANGE_MESSAGES)


def range_said(exc: rg.RangeError) -> str:
    """Why a range's text is not a range, in the active language."""
    return range_words(exc.why)


def range_reason(reason: rg.Reason) -> str:
    """A rule's reason decided by command-line ranges, in the active language."""
    from riskmon.i18n import _

    return _("; ").join(range_words(part) for part in reason.parts)
