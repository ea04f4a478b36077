"""The words the core leaves in English, in the active language: status, kind and rule names, the
rules' reasons, how an event reaches a channel, and the playbooks' filled-in texts.

The core stays pure: it writes its reasons in English for the machine formats and the logs. The
presenters show `rule_reason()` instead, rebuilt here from the same numbers (tests/test_i18n.py
holds the English rebuild to the core's own text), and translate a playbook text's template by its
English wording before filling it in, so a user's own step shows as written.
"""

from __future__ import annotations

import re
import sys
from functools import cache

from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.levels import Level
from riskmon.core.results import Assessment, ChannelHit, RuleResult
from riskmon.core.rules import SHOCK_WINDOW_DAYS
from riskmon.core.said import Said
from riskmon.i18n import CATALOG_CODES, N_, _, data, day, is_english, language, money

if TYPE_CHECKING:
    from typing import Any

STATUSES = {
    "rumored": N_("rumored"),
    "announced": N_("announced"),
    "confirmed": N_("confirmed"),
    "in_effect": N_("in_effect"),
    "paused": N_("paused"),
    "resolved": N_("resolved"),
    "cancelled": N_("cancelled"),
}
KINDS = {
    "ban": N_("ban"),
    "shop_closure": N_("shop_closure"),
    "link_cutoff": N_("link_cutoff"),
    "account_suspension": N_("account_suspension"),
    "fee_change": N_("fee_change"),
    "payout_hold": N_("payout_hold"),
    "duty_change": N_("duty_change"),
    "service_shutdown": N_("service_shutdown"),
    "season": N_("season"),
}
RULES = {"score": N_("score"), "runway": N_("runway"), "shock": N_("shock"), "concentration": N_("concentration")}
CHANNEL_KINDS = {
    "marketplace": N_("marketplace"),
    "social_shop": N_("social_shop"),
    "own_store": N_("own_store"),
    "other": N_("other"),
}


def _word(table: dict[str, str], value: str) -> str:
    return _(table[value]) if value in table else value


def status_word(status: str) -> str:
    return _word(STATUSES, status)


def kind_word(kind: str) -> str:
    return _word(KINDS, kind)


def rule_word(rule: str) -> str:
    return _word(RULES, rule)


def channel_kind_word(kind: str) -> str:
    return _word(CHANNEL_KINDS, kind)


# ---------------------------------------------------------------------------------------------
# The rules' reasons (riskmon.core.rules), rebuilt in the active language


def rule_reason(a: Assessment, r: RuleResult) -> str:
    """`r.reason` in the active language (in English the core's own text, word for word: a test
    holds the two together)."""
    ranges = sys.modules.get("riskmon.core.ranges")  # a Reason exists only once ranges were parsed:
    # importing the module for this test would cost every check without -w/-c ~3 ms
    if ranges is not None and isinstance(r.reason, ranges.Reason):  # decided by `check -w/-c` and the like
        from riskmon.present.ranges import range_reason

        return range_reason(r.reason)
    make = {"score": _score, "runway": _cash, "shock": _shock, "concentration": _concentration}.get(r.rule)
    return make(a, r) if make else r.reason


def _score(a: Assessment, r: RuleResult) -> str:
    t = a.thresholds
    bound = {
        Level.CRITICAL: _(">= critical {n}").format(n=f"{t.crit:g}"),
        Level.WARNING: _(">= warning {n}").format(n=f"{t.warn:g}"),
    }.get(r.level, _("below warning {n}").format(n=f"{t.warn:g}"))
    return _("score {score} {bound}").format(score=f"{a.score:.0f}", bound=bound)


def _cash(a: Assessment, r: RuleResult) -> str:
    t, runway, shortfall = a.thresholds, a.runway_weeks, a.cash_shortfall_probability
    if runway is None:
        when = _("cash does not run out if likely events happen")
    else:
        limit = t.runway_crit_weeks if runway < t.runway_crit_weeks else t.runway_warn_weeks
        below = f" (< {limit:g})" if runway < t.runway_warn_weeks else ""
        when = _("cash runs out in {n} weeks if likely events happen{below}").format(n=f"{runway:.1f}", below=below)
    bound = t.shortfall_crit if shortfall >= t.shortfall_crit else t.shortfall_warn
    chance = _("{p} chance cash runs short").format(p=f"{shortfall:.0%}")
    if shortfall >= t.shortfall_warn:
        chance += f" (>= {bound:.0%})"
    return _("; ").join((when, chance))


def _shock(a: Assessment, r: RuleResult) -> str:
    near = [e for e in a.events if e.probability >= 0.5 and e.days_until <= SHOCK_WINDOW_DAYS]
    worst = max(near, key=lambda e: (e.shock, e.probability), default=None)
    if worst is None or worst.shock < a.thresholds.shock_warn:
        return _("no likely event within 30 days removes a large share of orders")
    when = _("start date passed") if worst.date_passed else _("in {n} d").format(n=f"{worst.days_until:.0f}")
    return _("{event} ({when}) would remove {share} of orders").format(
        event=worst.id, when=when, share=f"{worst.shock:.0%}"
    )


def _concentration(a: Assessment, r: RuleResult) -> str:
    conc, t = a.concentration, a.thresholds
    if conc.top_platform is None:
        return _("no third-party platform")
    reason = _("{platform} carries {share} of orders").format(
        platform=conc.top_platform, share=f"{conc.top_dependence:.0%}"
    )
    return reason + (f" (>= {t.concentration_warn:.0%})" if r.level else "")


def channel_why(h: ChannelHit) -> str:
    """`ChannelHit.why` in the active language."""
    parts = [_("sells on {platform}").format(platform=h.platform)] if h.direct else []
    parts += [
        _("{share} of its orders come via {via} {feature}").format(
            share=f"{link.share:.0%}", via=link.via, feature=link.feature
        )
        for link in h.cut
    ]
    return _("; ").join(parts)


# ---------------------------------------------------------------------------------------------
# Playbook texts: the template translated by its English wording, then filled in

_VALUE_WORDS: tuple[tuple[str, str], ...] = (
    (r"^your own store$", N_("your own store")),
    (r"\byour (.+?) store\b", N_("your {name} store")),
    (r"^every region$", N_("every region")),
    (r"^the platform$", N_("the platform")),
    (r"^another channel$", N_("another channel")),
    (r"^another platform$", N_("another platform")),
    (r"^these channels$", N_("these channels")),
    (r"^no channel$", N_("no channel")),
    (r"^your top platform$", N_("your top platform")),
    (r"^unlimited$", N_("unlimited")),
    (r"^this$", N_("this")),
    (r"\b(\d+) more\b", N_("{name} more")),
    (r" and ", N_(" and ")),
)
"""The English words the core's placeholder values are made of (riskmon.core.playbooks.context)."""


@cache
def _compiled(table: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """A table's patterns compiled on first use: only a language other than English reads them,
    and compiling them all at import cost `check` ~5 ms on every start."""
    return tuple((re.compile(pattern), words) for pattern, words in table)


def _value(value: str) -> str:
    """A placeholder's value with the core's English words in the active language (names stay)."""
    for pattern, words in _compiled(_VALUE_WORDS):
        value = pattern.sub(_say(words), value)
    return value


def _say(words: str) -> Any:
    """A re.sub replacement: `words` in the active language, {name} the match's first group."""

    def replace(m: re.Match[str]) -> str:
        return _(words).format(name=m.group(1) if m.groups() else "")

    return replace


class _Values:
    """The names of a Context, their values in the active language: money, dates and regions
    written from the Context's numbers and codes, the rest from its English words."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def get(self, name: str, default: str) -> str:
        ctx = self.ctx
        amount = ctx.amount(name)
        if amount is not None:
            return money(amount, ctx.currency)
        if name == "effective":
            return day(ctx.effective())
        if name == "region":
            return region_names(ctx.regions())
        value = ctx.get(name, default)
        return data(value) if name == "event" else _value(value)  # {event} is the event's title


def region_names(codes: list[str]) -> str:
    """Region codes ('US', 'GB') by their names in the active language, Babel's territory names
    (a code Babel does not know stays as written); '*' is every region."""
    from babel import Locale

    from riskmon.core.model import ANY

    if ANY in codes:
        return _("every region")
    names = Locale.parse(CATALOG_CODES.get(language(), "en_US")).territories
    return _(", ").join(str(names.get(code.upper(), code)) for code in codes)


CORE_TEXTS = (N_("Deadlines set for this event"), N_("Dates announced with the event."))
"""The title and why of the suggestion riskmon.core.playbooks.steps makes of an event's own
deadlines: translated, like the data files' texts, by their English wording."""


def filled(template: str, ctx: Any) -> str:
    """A playbook text (title, why, step) in the active language: its template translated, then
    filled in from `ctx` (riskmon.core.playbooks.steps keeps both)."""
    from riskmon.core.playbooks.context import Verbatim
    from riskmon.core.playbooks.context import template as cleaned

    if is_english() or not template:
        return ctx.fill(template)
    translated = data(template)
    if isinstance(ctx, Verbatim) or "{" not in translated:
        return ctx.fill(translated)
    return _fill_spaced(cleaned(translated), _Values(ctx))


_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
"""Chinese characters and punctuation (fullwidth forms included)."""
_SPACED_PLACEHOLDER = rf"(?P<lead>(?<=[{_CJK}]) )?\{{(?P<name>[A-Za-z_]+)\}}(?P<trail> (?=[{_CJK}]))?"


def _fill_spaced(text: str, values: _Values) -> str:
    """Fill {name}s; a translation spaces a placeholder from the Chinese around it, as for a Latin
    name ('在 {platform} 店铺'), so the space goes where the value itself starts or ends in
    Chinese ('美国', '你的 Shopify 独立站')."""

    def put(m: re.Match[str]) -> str:
        placeholder = m.group(0).strip(" ")
        value = values.get(m.group("name"), placeholder)
        lead = "" if _is_cjk(value[:1]) else m.group("lead") or ""
        trail = "" if _is_cjk(value[-1:]) else m.group("trail") or ""
        return lead + value + trail

    return re.sub(_SPACED_PLACEHOLDER, put, text)


def _is_cjk(char: str) -> bool:
    return bool(re.match(f"[{_CJK}]", char))


def step_text(step: Any) -> str:
    return filled(step.template, step.ctx)


def step_why(step: Any) -> str:
    return filled(step.why_template, step.ctx)


def suggestion_title(s: Any) -> str:
    return filled(s.title_template, s.ctx)


def suggestion_why(s: Any) -> str:
    return filled(s.why_template, s.ctx)


# ---------------------------------------------------------------------------------------------
# The checklist's lines (riskmon.core.playbooks.actions) and a suggestion's matched facts


def keys_text(keys: tuple[str, ...] | list[str], limit: int = 3) -> str:
    """'us-ban, link-cutoff', 'a, b, c and 4 more' (ids stay as they are)."""
    shown = [k.removeprefix("standing:") for k in keys[:limit]]
    more = _(" and {n} more").format(n=len(keys) - limit) if len(keys) > limit else ""
    return _(", ").join(shown) + more


def action_line(x: Any) -> str:
    """A next action (a step, or one event's folded backlog) in the active language (in English
    the core's `line()`)."""
    from riskmon.core.playbooks.actions import FOLD_DAYS, Item
    from riskmon.i18n import day, ngettext

    if not isinstance(x, Item):
        n = len(x.items)
        steps = keys_text([i.step.id for i in x.items])
        text = ngettext(
            "{n} step overdue by more than {days} days for {label}: {steps}",
            "{n} steps overdue by more than {days} days for {label}: {steps}",
            n,
        )
        return text.format(n=n, days=FOLD_DAYS, label=x.label, steps=steps)
    s = x.step
    if s.done:
        head = _("done {date}").format(date=day(s.done_at)) if s.done_at else _("done")
    elif s.overdue:
        head = _("overdue since {date}").format(date=day(s.due))
    else:
        head = _("by {date}").format(date=day(s.due))
    return _("{head}: {text} ({label})").format(head=head, text=step_text(s), label=keys_text(list(x.keys)))


FACTS = (
    N_("kind {a}"),
    N_("event {a}"),
    N_("on {a}"),
    N_("in {a}"),
    N_("status {a}"),
    N_("probability {a} >= {b}"),
    N_("score {a} >= {b}"),
    N_("removes {a} of orders (>= {b})"),
    N_("{a} of orders on the channels it hits (>= {b})"),
    N_("duty {a} (>= {b})"),
    N_("starts in {a} days (<= {b})"),
    N_("{a} carries {b} of orders (>= {c})"),
    N_("runway {a} weeks if likely events happen (< {b})"),
    N_("{a} holds payouts {b} days (>= {c})"),
    N_("no own store"),
    N_("has an own store"),
    N_("{a} of orders arrive through links (>= {b})"),
    N_("no virtual warehouse"),
    N_("{a} ship from a virtual warehouse"),
    N_("you have an own store"),
    N_("you have no own store"),
    N_("you sell on {a}"),
    N_("channel kind {a}"),
    N_("warehouse {a}"),
    N_("supply route {a}"),
    N_("any event that reaches you"),
    N_("any event"),
    N_("the event lists deadlines"),
)
"""The templates of the facts a playbook rule matched on (riskmon.core.playbooks.match and .facts
make them as riskmon.core.said.Said), marked for the catalog."""


def fact(text: str) -> str:
    """One matched fact of a suggestion ("because") in the active language: its template translated
    and filled with its values (an English word among them, "every region", translated too)."""
    if is_english() or not isinstance(text, Said):
        return text
    return _(text.template).format(**{name: _value(value) for name, value in text.values.items()})


def action_lines(plan: Any) -> list[str]:
    """`plan.action_lines()` in the active language."""
    from riskmon.core.playbooks.plan import ACTIONS

    return [action_line(x) for x in plan.next_actions(ACTIONS)]
