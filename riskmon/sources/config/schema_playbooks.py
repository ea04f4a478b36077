"""playbooks.toml's models: rules, their `requires`, steps and variants.
Imported from riskmon.sources.config.schema."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import (
    AfterValidator,
    Field,
    model_validator,
)

from riskmon.core.playbook_rules import has_standing_condition
from riskmon.i18n import _
from riskmon.sources.config.checks import FieldProblem, check_unique_ids
from riskmon.sources.config.schema_types import (
    _ID,
    ChannelKind,
    Days,
    EventKind,
    Id,
    Platforms,
    Regions,
    Share,
    Status,
    Strict,
    SupplyRoute,
    Warehouse,
    Weeks,
)

# ---------------------------------------------------------------------------------------------
# playbooks.toml


PLACEHOLDERS: tuple[str, ...] = (
    # about the event (for a standing rule: the platform and channels its condition is about)
    "event",
    "platform",
    "platforms",
    "region",
    "effective",
    "channels",
    "other_channels",
    "stock",
    "payouts",
    "cash_frozen",
    "loss",
    "expected_loss",
    "shock",
    "hit_share",
    # about the business
    "business",
    "own_store",
    "top_platform",
    "top_dependence",
    "runway_weeks",
    "hold_days",
    "hold_platform",
    "buffer",
    "link_share",
    "link_platform",
    "virtual_channels",
)
"""Names a playbook text may use as {name}; riskmon fills them in for this seller."""

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _check_placeholders(text: str) -> str:
    import difflib

    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            close = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            if close:
                hint = _("did you mean {placeholder}?").format(placeholder="{" + close[0] + "}")
            else:
                hint = _("known: {names}").format(names=", ".join(PLACEHOLDERS))
            message = _("unknown placeholder {placeholder}; {hint}")
            raise ValueError(message.format(placeholder="{" + name + "}", hint=hint))
    return text


PlaybookText = Annotated[str, AfterValidator(_check_placeholders)]


def _check_event_patterns(patterns: list[str]) -> list[str]:
    """Event ids, or an id prefix followed by "*" (no other wildcards: a pattern, not an expression)."""
    for pattern in patterns:
        stem = pattern.removesuffix("*")
        if not stem:
            raise ValueError(_('"*" alone matches every event: leave the condition out instead'))
        if "*" in stem or not _ID.match(stem):
            message = _('{pattern}: give an event id, or the start of one followed by * ("chinese-new-year-*")')
            raise ValueError(message.format(pattern=repr(pattern)))
    return patterns


EventPatterns = Annotated[list[str], AfterValidator(_check_event_patterns)]


class Requires(Strict):
    """Facts of the business a rule or step needs (README, "Playbooks": which channels count)."""

    own_store: bool | None = None
    """true: you have an own-store channel; false: you have none."""
    platforms: Platforms | None = None
    """You sell on one of these platforms."""
    channel_kinds: list[ChannelKind] | None = None
    """A channel the event hits is of one of these kinds."""
    warehouse: list[Warehouse] | None = None
    """A channel the event hits ships from one of these warehouses."""
    supply_route: list[SupplyRoute] | None = None
    """A channel the event hits gets its goods by one of these routes."""
    regions: Regions | None = None
    """The event reaches one of your channels in one of these regions."""


class PlaybookStep(Strict):
    id: Id
    text: Annotated[PlaybookText, Field(min_length=1)]
    due_days: Annotated[int, Field(ge=-3650, le=3650)] = 0
    """Days relative to the event's effective date (negative = before), or to now for standing rules."""
    why: PlaybookText = ""
    requires: Requires | None = None
    """The step shows only where these facts hold; steps sharing an id are variants, first fit wins."""


class PlaybookRule(Strict):
    """One rule: conditions are typed fields (no expressions), all given ones must hold."""

    id: Id
    title: Annotated[PlaybookText, Field(min_length=1)]
    why: PlaybookText = ""
    requires: Requires | None = None
    """Facts of the business the rule needs, for event and standing rules alike."""
    # Event rules: match an assessed event.
    kinds: list[EventKind] | None = None
    events: EventPatterns | None = None
    """Event ids the rule is for; "chinese-new-year-*" matches every id starting so."""
    not_events: EventPatterns | None = None
    """Event ids the rule is not for (the same patterns)."""
    platforms: Platforms | None = None
    regions: Regions | None = None
    statuses: list[Status] | None = None
    min_probability: Share | None = None
    """Unset: 0.1, so a resolved, cancelled or remote event gets no playbook."""
    min_score: Annotated[float, Field(ge=0, le=100)] | None = None
    min_shock: Share | None = None
    min_hit_share: Share | None = None
    """Share of all orders on the channels the event hits."""
    min_duty_delta: Annotated[float, Field(ge=-1.0, le=100.0)] | None = None
    """The event's duty_delta is at least this (0.01: duties rise)."""
    starts_within_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    """The event (its next occurrence) starts within this many days, or has started."""
    exposed_only: bool = True
    """Match only events that reach one of your channels (directly or through a traffic link);
    false also matches events on platforms you do not sell on (a tool you use shutting down)."""
    # Standing rules: match the business as it stands, not an event.
    top_dependence_gte: Share | None = None
    runway_weeks_lt: Weeks | None = None
    payout_hold_days_gte: Days | None = None
    no_own_store: bool | None = None
    link_share_gte: Share | None = None
    """Share of all orders that arrive through traffic links."""
    virtual_warehouse: bool | None = None
    steps: list[PlaybookStep] = Field(min_length=1)

    @property
    def standing(self) -> bool:
        return has_standing_condition(self)

    @model_validator(mode="after")
    def _one_sort(self) -> PlaybookRule:
        event_conds = (
            self.kinds,
            self.events,
            self.not_events,
            self.platforms,
            self.regions,
            self.statuses,
            self.min_probability,
            self.min_score,
            self.min_shock,
            self.min_hit_share,
            self.min_duty_delta,
            self.starts_within_days,
        )
        if self.standing and any(v is not None for v in event_conds):
            raise ValueError(
                _(
                    "a rule matches either events (kinds, platforms, ...) or the business as it stands "
                    "(top_dependence_gte, runway_weeks_lt, ...), not both"
                )
            )
        _check_variants(self.steps)
        return self


def _check_variants(steps: list[PlaybookStep]) -> None:
    """Steps sharing an id are variants of one step: each but the last needs `requires`, or the
    ones after it could never show."""
    open_ended: set[str] = set()
    for index, s in enumerate(steps):
        if s.id in open_ended:
            message = _(
                "step id {id} is used twice in this rule, and the earlier one has no `requires`: "
                "give the earlier variant a `requires`, or another id"
            )
            raise FieldProblem(message.format(id=repr(s.id)), ("steps", index, "id"))
        if s.requires is None or not s.requires.model_fields_set:
            open_ended.add(s.id)


class PlaybookFile(Strict):
    replace_bundled: bool = False
    """true drops the bundled rules; otherwise your rules add to them and override them by id."""
    rules: list[PlaybookRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> PlaybookFile:
        check_unique_ids(self.rules, "rule")
        return self
