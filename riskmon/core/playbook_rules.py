"""Playbook rules as plain data: conditions are typed values, never code. Validated at the edge
(`riskmon.sources.config.schema`), matched by `riskmon.core.playbooks`."""

from __future__ import annotations

from riskmon.core.record import record

DEFAULT_MIN_PROBABILITY = 0.1
"""An event rule without `min_probability` matches only events at least this likely: a resolved
or cancelled event (p = 0), or a remote one, gets no playbook. An event's own deadlines too."""


STANDING_CONDITIONS = (
    "top_dependence_gte",
    "runway_weeks_lt",
    "payout_hold_days_gte",
    "no_own_store",
    "link_share_gte",
    "virtual_warehouse",
)
"""The conditions that make a rule standing (about the business, not an event)."""


def has_standing_condition(rule: object) -> bool:
    """True when `rule` (a core rule or its config model) sets any standing condition."""
    return any(getattr(rule, name) is not None for name in STANDING_CONDITIONS)


@record(slots=True)
class Requires:
    """Facts of the business a rule or a step needs; every fact given must hold.

    `own_store` and `platforms` are about the business as a whole. The channel facts are about the
    channels an event reaches: `channel_kinds`, `warehouse` and `supply_route` about those it hits
    directly (only there does it strand stock or raise duty), `regions` about every channel it
    reaches (directly or through traffic links), narrowed to the event's regions. For a standing
    rule, or an event that reaches none of your channels, every channel counts."""

    own_store: bool | None = None
    """true: you have an own-store channel; false: you have none."""
    platforms: tuple[str, ...] | None = None
    """You sell on one of these platforms."""
    channel_kinds: tuple[str, ...] | None = None
    warehouse: tuple[str, ...] | None = None
    supply_route: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    """A channel sells in one of these regions (a channel selling everywhere counts only where the
    event is limited to the region)."""

    @property
    def is_empty(self) -> bool:
        return self == _NO_REQUIREMENTS


_NO_REQUIREMENTS = Requires()


@record(slots=True)
class PlaybookStep:
    """One thing to do, due some days from the event's start (or from now)."""

    id: str
    text: str
    due_days: int = 0
    """Days relative to the event's start (negative = before), or to now for standing rules."""
    why: str = ""
    requires: Requires | None = None
    """Shown only where these facts hold. Steps of one rule sharing an id are variants: the first
    whose facts hold is shown."""


@record(slots=True)
class PlaybookRule:
    """A playbook: when it applies (an event, or the business as it stands) and its steps."""

    id: str
    title: str
    steps: tuple[PlaybookStep, ...]
    why: str = ""
    requires: Requires | None = None
    # Event rules: match an assessed event.
    kinds: tuple[str, ...] | None = None
    events: tuple[str, ...] | None = None
    """Event ids; one ending in "*" matches every id that starts with the rest."""
    not_events: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    min_probability: float | None = None
    """None: DEFAULT_MIN_PROBABILITY."""
    min_score: float | None = None
    min_shock: float | None = None
    min_hit_share: float | None = None
    min_duty_delta: float | None = None
    starts_within_days: int | None = None
    """The occurrence assessed starts at most this many days from now (or has started)."""
    exposed_only: bool = True
    # Standing rules: match the business as it stands, not an event.
    top_dependence_gte: float | None = None
    runway_weeks_lt: float | None = None
    payout_hold_days_gte: float | None = None
    no_own_store: bool | None = None
    link_share_gte: float | None = None
    virtual_warehouse: bool | None = None

    @property
    def standing(self) -> bool:
        return has_standing_condition(self)

    @property
    def least_probability(self) -> float:
        """The probability an event needs for this rule: its own minimum, else the default."""
        return DEFAULT_MIN_PROBABILITY if self.min_probability is None else self.min_probability


@record(slots=True)
class PlaybookFile:
    """playbooks.toml: the user's rules, and whether they replace the bundled ones."""

    replace_bundled: bool = False
    rules: tuple[PlaybookRule, ...] = ()
