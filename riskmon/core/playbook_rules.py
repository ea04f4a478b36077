"""Playbook rules as plain data: conditions are typed values, never code. Validated at the edge
(`riskmon.sources.config.schema`), matched by `riskmon.core.playbooks`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlaybookStep:
    id: str
    text: str
    due_days: int = 0
    """Days relative to the event's start (negative = before), or to now for standing rules."""
    why: str = ""


@dataclass(frozen=True, slots=True)
class PlaybookRule:
    id: str
    title: str
    steps: tuple[PlaybookStep, ...]
    why: str = ""
    # Event rules: match an assessed event.
    kinds: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    regions: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    min_probability: float | None = None
    min_score: float | None = None
    min_shock: float | None = None
    min_hit_share: float | None = None
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
        return any(
            v is not None
            for v in (
                self.top_dependence_gte,
                self.runway_weeks_lt,
                self.payout_hold_days_gte,
                self.no_own_store,
                self.link_share_gte,
                self.virtual_warehouse,
            )
        )


@dataclass(frozen=True, slots=True)
class PlaybookFile:
    replace_bundled: bool = False
    rules: tuple[PlaybookRule, ...] = ()
