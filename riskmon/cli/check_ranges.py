"""`check -w/-c` and `--runway-*`/`--shortfall-*`: Nagios ranges applied after assessment (the
options are declared and read in riskmon.cli.range_options).

The engine decides its rules from riskmon.toml's thresholds (score "at or above", runway "below",
shortfall "at or above"). Ranges given on the command line follow the plugin guidelines instead
(riskmon.core.ranges): `-w 40` alerts ABOVE 40, where `warn = 40` alerts at 40. They are applied
here, to the finished assessment: the rule a range is about (score, or runway for the runway and
the shortfall probability) gets the level and reason the ranges give, the measures of that rule
without a range on the command line keep riskmon.toml's, and the assessment's level is the worst
rule again. The engine and riskmon.toml's meaning stay as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from riskmon.cli.range_options import OPTIONS
from riskmon.core import ranges as rg
from riskmon.core.levels import Level
from riskmon.core.overrides import Why, why
from riskmon.core.ranges import Range, Reason, at_least, below, plain
from riskmon.core.record import record, replace
from riskmon.i18n import _


@record
class Measure:
    """One number a rule judges, the options that set its ranges and riskmon.toml's defaults."""

    name: str
    """Also the perfdata label."""
    label: str
    """How reasons name it."""
    rule: str
    what: str
    """What --help says it is (an N_() id)."""
    options: tuple[tuple[str, ...], tuple[str, ...]]
    """The warning and critical options' flags; the first is named in reasons, the last gives the
    argparse destination."""
    value: Callable[[Any], float | None]
    """The number from the assessment; None when this engine does not compute it."""
    config: Callable[[Any], tuple[Range, Range] | None]
    """riskmon.toml's warning and critical thresholds as ranges; None when there are none."""
    shown: Callable[[float], str | Why]


def _runway(a: Any) -> float:
    """No runway (cash does not run down) is an infinite one: `8:` is then fine, `~:8` alerts."""
    return math.inf if a.runway_weeks is None else float(a.runway_weeks)


def _shortfall(a: Any) -> float | None:
    # The v2 engine computes it; the v1 engine has no shortfall probability.
    value = getattr(a, "cash_shortfall_probability", None)
    return None if value is None else float(value)


def _shortfall_config(t: Any) -> tuple[Range, Range] | None:
    if not hasattr(t, "shortfall_warn"):
        return None
    return at_least(t.shortfall_warn), at_least(t.shortfall_crit)


def _weeks(v: float) -> Why:
    return why(rg.NO_RUNWAY) if math.isinf(v) else why(rg.WEEKS, n=f"{v:.1f}")


MEASURES: tuple[Measure, ...] = (
    Measure(
        "score",
        "score",
        "score",
        *OPTIONS["score"],
        lambda a: float(a.score),
        lambda t: (at_least(t.warn), at_least(t.crit)),
        lambda v: f"{v:.1f}".removesuffix(".0"),
    ),
    Measure(
        "runway_weeks",
        "runway",
        "runway",
        *OPTIONS["runway_weeks"],
        _runway,
        lambda t: (below(t.runway_warn_weeks), below(t.runway_crit_weeks)),
        _weeks,
    ),
    Measure(
        "shortfall_probability",
        "shortfall probability",
        "runway",
        *OPTIONS["shortfall_probability"],
        _shortfall,
        _shortfall_config,
        lambda v: plain(round(v, 4)),
    ),
)

Asked = dict[str, tuple[Range | None, Range | None]]
"""Measure name -> the warning and critical ranges given on the command line (None: not given)."""


def perf_ranges(a: Any, asked: Asked) -> dict[str, tuple[str, str]]:
    """Perfdata label -> warn/crit fields, for the measures given on the command line: the ranges
    as asked, and riskmon.toml's for the one of the pair that was not."""
    out: dict[str, tuple[str, str]] = {}
    for m in MEASURES:
        if m.name not in asked:
            continue
        config = m.config(a.thresholds)
        w, c = _effective(asked[m.name], config)
        out[m.name] = (str(w) if w else "", str(c) if c else "")
    return out


def _effective(
    given: tuple[Range | None, Range | None], config: tuple[Range, Range] | None
) -> tuple[Range | None, Range | None]:
    cw, cc = config if config is not None else (None, None)
    return (given[0] or cw, given[1] or cc)


def apply_ranges(a: Any, asked: Asked) -> Any:
    """The assessment with the rules that command-line ranges are about decided by them (see the
    module doc). `a` unchanged when none was given. RiskmonError-free: a measure this engine
    does not compute was refused earlier (`unsupported`)."""
    if not asked:
        return a
    rules = []
    for rule in a.rules:
        measures = [m for m in MEASURES if m.rule == rule.rule]
        if not any(m.name in asked for m in measures):
            rules.append(rule)
            continue
        judged = [j for m in measures if (j := _judge(m, a, asked.get(m.name, (None, None)))) is not None]
        level = type(a.level)(max((lv for lv, _ in judged), default=Level.OK))  # the engine's Level type
        rules.append(replace(rule, level=level, reason=Reason(tuple(r for _, r in judged))))
    return replace(a, rules=tuple(rules), level=max(r.level for r in rules))


def unsupported(a: Any, asked: Asked) -> str | None:
    """Why a range cannot be applied (this engine does not compute that measure), or None."""
    for m in MEASURES:
        if m.name in asked and m.value(a) is None:
            from riskmon.present.ranges import range_words

            message = _("{options}: this riskmon's engine does not compute the {label}")
            return message.format(
                options=f"{m.options[0][0]}/{m.options[1][0]}", label=range_words(why(rg.LABELS[m.label]))
            )
    return None


def _judge(m: Measure, a: Any, given: tuple[Range | None, Range | None]) -> tuple[Level, Why] | None:
    value = m.value(a)
    if value is None:
        return None
    config = m.config(a.thresholds)
    warn, crit = _effective(given, config)
    label, shown = why(rg.LABELS[m.label]), m.shown(value)
    for level, rng, key in ((Level.CRITICAL, crit, 1), (Level.WARNING, warn, 0)):
        if rng is not None and rng.alerts(value):
            source = _source(given[key], m.options[key][0], level)
            return level, why(rg.IS_CONDITION, label=label, shown=shown, condition=rng.condition_why(), source=source)
    sources = [
        _source(g, o[0], lv) for g, o, lv in zip(given, m.options, (Level.WARNING, Level.CRITICAL), strict=True) if g
    ]
    limits = why(rg.BOTH, first=sources[0], second=sources[1]) if len(sources) == 2 else why(rg.CONFIG_LIMITS)
    limits = sources[0] if len(sources) == 1 else limits
    return Level.OK, why(rg.NO_ALERT, label=label, shown=shown, limits=limits)


def _source(given: Range | None, option: str, level: Level) -> Why:
    """Where a range came from, for the reason: `-w 40`, or riskmon.toml's threshold."""
    if given is not None:
        return why(rg.RANGE_SOURCE[level.name.lower()], option=option, range=str(given))
    return why(rg.CONFIG_SOURCE[level.name.lower()])
