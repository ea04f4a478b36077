"""Concentration and the four level rules, each with a one-line reason."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from riskmon.core.levels import Level
from riskmon.core.model import Profile
from riskmon.core.results import Concentration, EventAssessment, RuleResult
from riskmon.core.settings import Thresholds

SHOCK_WINDOW_DAYS = 30.0


def own_platforms(profile: Profile) -> set[str]:
    return {c.platform for c in profile.channels if c.kind == "own_store"}


def concentration(profile: Profile) -> Concentration:
    """Dependence on each third-party platform (any platform but the seller's own stores'): the
    order share of its channels plus, for every other channel, its order share x the share of
    its orders that come through that platform's links. hhi: sum of squared order shares over
    the third-party platforms."""
    own = own_platforms(profile)
    on: dict[str, float] = defaultdict(float)
    for c in profile.channels:
        if c.platform not in own:
            on[c.platform] += c.order_share
    hhi = sum(s * s for s in on.values())
    dependence = dict(on)
    for c in profile.channels:
        for link in c.traffic:
            if link.via in own or link.via == c.platform:
                continue
            dependence[link.via] = dependence.get(link.via, 0.0) + c.order_share * link.share
    if not dependence:
        return Concentration(hhi, None, 0.0, {})
    top = min(dependence, key=lambda p: (-dependence[p], p))
    ranked = dict(sorted(dependence.items(), key=lambda kv: (-kv[1], kv[0])))
    return Concentration(hhi, top, dependence[top], ranked)


def _level_of(value: float, warn: float, crit: float) -> Level:
    return Level.CRITICAL if value >= crit else Level.WARNING if value >= warn else Level.OK


def score_rule(score: float, t: Thresholds) -> RuleResult:
    level = _level_of(score, t.warn, t.crit)
    bound = {Level.CRITICAL: f">= critical {t.crit:g}", Level.WARNING: f">= warning {t.warn:g}"}
    return RuleResult("score", level, f"score {score:.0f} {bound.get(level, f'below warning {t.warn:g}')}")


def cash_rule(runway: float | None, shortfall: float, t: Thresholds) -> RuleResult:
    """Rule 2 reads the forecast: the likely runway and the probability cash runs short."""
    by_runway = Level.OK
    if runway is not None and runway < t.runway_crit_weeks:
        by_runway = Level.CRITICAL
    elif runway is not None and runway < t.runway_warn_weeks:
        by_runway = Level.WARNING
    by_shortfall = _level_of(shortfall, t.shortfall_warn, t.shortfall_crit)
    if runway is None:
        when = "cash does not run out if likely events happen"
    else:
        limit = {Level.CRITICAL: t.runway_crit_weeks, Level.WARNING: t.runway_warn_weeks}.get(by_runway)
        below = f" (< {limit:g})" if limit is not None else ""
        when = f"cash runs out in {runway:.1f} weeks if likely events happen{below}"
    bound = {Level.CRITICAL: t.shortfall_crit, Level.WARNING: t.shortfall_warn}.get(by_shortfall)
    chance = f"{shortfall:.0%} chance cash runs short" + (f" (>= {bound:.0%})" if bound is not None else "")
    return RuleResult("runway", max(by_runway, by_shortfall), f"{when}; {chance}")


def shock_rule(events: Sequence[EventAssessment], t: Thresholds) -> RuleResult:
    near = [e for e in events if e.probability >= 0.5 and e.days_until <= SHOCK_WINDOW_DAYS]
    worst = max(near, key=lambda e: (e.shock, e.probability), default=None)
    if worst is None or worst.shock < t.shock_warn:
        return RuleResult("shock", Level.OK, "no likely event within 30 days removes a large share of orders")
    level = _level_of(worst.shock, t.shock_warn, t.shock_crit)
    when = "start date passed" if worst.date_passed else f"in {worst.days_until:.0f} d"
    return RuleResult("shock", level, f"{worst.id} ({when}) would remove {worst.shock:.0%} of orders")


def concentration_rule(conc: Concentration, t: Thresholds) -> RuleResult:
    level = Level.WARNING if conc.top_dependence >= t.concentration_warn else Level.OK
    if conc.top_platform is None:
        return RuleResult("concentration", level, "no third-party platform")
    reason = f"{conc.top_platform} carries {conc.top_dependence:.0%} of orders" + (
        f" (>= {t.concentration_warn:.0%})" if level else ""
    )
    return RuleResult("concentration", level, reason)
