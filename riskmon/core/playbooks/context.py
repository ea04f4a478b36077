"""Placeholders: what a playbook text's `{name}`s are filled in with, for this seller.

Each name is worked out the first time a text asks for it, so matching thousands of events costs
no text work for the texts nobody reads, and comparing two steps' words (`plan` merges a step
that two events share) costs only the names those words use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Protocol

from riskmon.core.model import ANY, Channel
from riskmon.core.money import money
from riskmon.core.playbooks.facts import Business, display, primary_platform, reach_regions, region_text
from riskmon.core.results import Assessment, EventAssessment
from riskmon.textsafe import clean

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


class Names(Protocol):
    def get(self, name: str, default: str) -> str: ...


@lru_cache(maxsize=4096)
def template(text: str) -> str:
    return clean(text)


def fill(text: str, names: Names) -> str:
    """Replace {name} with its value (values are safe to show); anything else in braces stays
    as written."""
    return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), template(text))


def pct(x: float) -> str:
    return f"{x:.0%}"


def channel_names(channels: Sequence[Channel], empty: str, limit: int = 3, total: int | None = None) -> str:
    """'TikTok (tiktok-us), Amazon (amazon-us) and your Shopify store (shop)'; a list of more
    than `limit` (or `total`, when `channels` holds only the first few) ends in 'and 12 more'."""
    total = len(channels) if total is None else total
    names = []
    for c in channels[:limit]:
        name = display(c.platform)
        name = f"your {name} store" if c.kind == "own_store" else name
        names.append(name if c.id == c.platform else f"{name} ({c.id})")
    if total > limit:
        names.append(f"{total - limit} more")
    if not names:
        return empty
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class Context:
    """What one suggestion's texts are filled in from: an event (or the platform a standing
    condition is about) and the business."""

    __slots__ = ("_hit", "_platform", "_values", "a", "biz", "event")

    def __init__(
        self, a: Assessment, biz: Business, event: EventAssessment | None = None, platform: str | None = None
    ) -> None:
        self.a, self.biz, self.event = a, biz, event
        self._platform = platform
        self._values: dict[str, str] = {}
        self._hit: list[Channel] | None = None

    def fill(self, text: str) -> str:
        return fill(text, self) if "{" in text else template(text)

    def get(self, name: str, default: str) -> str:
        """The value of {name}; `default` for a name riskmon does not know."""
        value = self._values.get(name)
        if value is None:
            make = _NAMES.get(name)
            if make is None:
                return default
            value = self._values[name] = make(self)
        return value

    @property
    def names(self) -> dict[str, str]:
        """Every placeholder's value (model.PLACEHOLDERS)."""
        return {name: self.get(name, "") for name in _NAMES}

    # -- what several names share -----------------------------------------------------------

    def platform(self) -> str | None:
        return primary_platform(self.event) if self.event is not None else self._platform

    def hit(self) -> list[Channel]:
        """The channels the event hits (directly if any), or those on the standing platform."""
        if self._hit is None:
            chans, e = self.biz.channels, self.event
            if e is not None:
                hit = [chans[h.channel_id] for h in e.channels if h.direct and h.channel_id in chans]
                self._hit = hit or [chans[h.channel_id] for h in e.channels if h.channel_id in chans]
            else:
                self._hit = [c for c in self.a.profile.channels if c.platform == self._platform]
        return self._hit

    def region(self) -> str:
        return region_text(self.regions())

    def regions(self) -> list[str]:
        """{region}'s codes (ANY: every region), for a presenter that names them in its own
        language."""
        if self.event is not None:
            return list(reach_regions(self.event, self.biz.channels))
        hit = self.hit()
        return sorted({r for c in hit for r in c.regions}) if hit else [ANY]

    def others(self) -> str:
        hit_ids = {c.id for c in self.hit()}
        chans = self.a.profile.channels
        others = list(islice((c for c in chans if c.id not in hit_ids and c.order_share > 0), 3))
        n_others = self.biz.with_orders - sum(1 for c in self.hit() if c.order_share > 0)
        return channel_names(others, "another channel", total=n_others)

    @property
    def currency(self) -> str:
        return self.a.profile.business.currency

    def amount(self, name: str) -> float | None:
        """The number behind a money {name} (None for any other name), for a presenter that
        writes money in its own language."""
        make = _AMOUNTS.get(name)
        return make(self) if make is not None else None

    def event_amount(self, field: str) -> float:
        return float(getattr(self.event, field)) if self.event is not None else 0.0

    def effective(self) -> date:
        """{effective}'s date: the event's effective date, else today."""
        return self.event.effective if self.event is not None else self.a.now


class Verbatim(Context):
    """For texts that are data, not templates (an event's deadlines): cleaned, never filled."""

    def __init__(self) -> None:
        pass

    def fill(self, text: str) -> str:
        return clean(text)


VERBATIM = Verbatim()


def _platform_name(c: Context) -> str:
    p = c.platform()
    return display(p) if p else "the platform"


def _platforms(c: Context) -> str:
    if c.event is None:
        return _platform_name(c)
    return ", ".join(display(p) for p in c.event.event.platforms)


def _effective(c: Context) -> str:
    return f"{c.effective():%Y-%m-%d}"


def _top_platform(c: Context) -> str:
    top = c.a.concentration.top_platform
    return display(top) if top else "your top platform"


def _runway(c: Context) -> str:
    weeks = c.a.runway_weeks
    return "unlimited" if weeks is None else f"{weeks:.1f}"


def _hold_platform(c: Context) -> str:
    hold = c.biz.hold_channel
    return display(hold.platform) if hold else "the platform"


def _link_platform(c: Context) -> str:
    via = c.biz.link_platform
    return display(via) if via else "another platform"


_AMOUNTS: dict[str, Callable[[Context], float]] = {
    "stock": lambda c: sum(x.inventory_value for x in c.hit()),
    "payouts": lambda c: sum(x.pending_payouts for x in c.hit()),
    "cash_frozen": lambda c: c.event_amount("cash_frozen"),
    "loss": lambda c: c.event_amount("loss"),
    "expected_loss": lambda c: c.event_amount("expected_loss"),
    "buffer": lambda c: c.biz.buffer,
}
"""The money names, as numbers (their text is the number in the business's currency)."""


def _money(name: str) -> Callable[[Context], str]:
    return lambda c: money(_AMOUNTS[name](c), c.currency)


_NAMES: dict[str, Callable[[Context], str]] = {
    "business": lambda c: clean(c.a.profile.business.name),
    "platform": _platform_name,
    "platforms": _platforms,
    "region": Context.region,
    "event": lambda c: clean(c.event.event.title) if c.event is not None else "this",
    "effective": _effective,
    "channels": lambda c: channel_names(c.hit(), "these channels"),
    "other_channels": Context.others,
    "stock": _money("stock"),
    "payouts": _money("payouts"),
    "cash_frozen": _money("cash_frozen"),
    "loss": _money("loss"),
    "expected_loss": _money("expected_loss"),
    "shock": lambda c: pct(c.event.shock if c.event is not None else 0.0),
    "hit_share": lambda c: pct(sum(x.order_share for x in c.hit())),
    "own_store": lambda c: c.biz.own_store,
    "top_platform": _top_platform,
    "top_dependence": lambda c: pct(c.a.concentration.top_dependence),
    "runway_weeks": _runway,
    "hold_days": lambda c: f"{c.biz.hold_days:g}",
    "hold_platform": _hold_platform,
    "buffer": _money("buffer"),
    "link_share": lambda c: pct(c.biz.link_share),
    "link_platform": _link_platform,
    "virtual_channels": lambda c: channel_names(c.biz.virtual, "no channel"),
}
