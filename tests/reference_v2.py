"""riskmon's risk model, version 2, written a second time to be read: the test oracle.

Written from /work/shared/DESIGN.md ("Events", the kinds table, "The risk model, version 2" and
"Kept from v1") and from nothing else: it imports nothing from `riskmon` and was written without
reading riskmon's engine. Every function implements one line of the contract; its docstring quotes
the line. Speed does not matter here: integrals over time sweep the exact breakpoints of
piecewise-constant functions, the expected loss of the union is computed both in closed form and by
brute-force enumeration of every set of events, and the exact distribution enumerates all 2^n sets.

Entry point: `reference_assess(exposure, events, settings, now)`, where `exposure`, `events` (the
list under `[[events]]`) and `settings` are plain dicts exactly as `tomllib` parses the config files
(defaults are applied here), and `now` is an aware datetime. It returns the design's JSON fields,
unrounded. `loss_outcomes()` exposes the distribution itself (each set S with its weight, L(S) and
whether the cash forecast goes below zero), for comparisons that need more than the quantiles.
Being literal, it is slow on large profiles: about 0.1 s for 4 channels × 12 events, 10 s for
20 channels × 50 events with 10 uncertain ones (the 1024-set enumeration), 25 s with Monte Carlo.

Units: money is in the profile's currency; times are aware UTC datetimes and every duration that
enters a formula is measured in days (`timedelta / DAY`), so "÷ 30" turns days into months.

Comparing a Monte Carlo result
------------------------------
Beyond 10 uncertain events the distribution is sampled (`monte_carlo_outcomes`), with a seed
derived from the inputs: the engine's seed and sampler are its own, so its `loss_p50`, `loss_p95`
and `cash_shortfall_probability` agree with these only statistically. With N_e draws in the engine
and N_r here (`draws` of `[model]` for both by default; a test may give the reference more), each
estimate of a probability P has a standard error sqrt(P (1 - P) / N), so compare
  |P_engine - P_reference| <= 4 * sqrt(P (1 - P) * (1/N_e + 1/N_r)) + 1e-9
(`monte_carlo_tolerance`); at N = 2000 each and P = 0.5 that is 0.063. A quantile is compared
through the distribution, not by its value (a jump in the CDF can move it far): the engine's x for
level q passes when the reference CDF satisfies P(L < x) <= q + tol and P(L <= x) >= q - tol with
tol = monte_carlo_tolerance(q, N_e, N_r) (`quantile_agrees`). Everything else (expected_loss,
score, cash_forecast, runway, levels from rules 1, 3, 4) is exact in both and compares to about
1e-9 relative; rule 2 may differ when the shortfall probability sits within the tolerance of a
threshold.

Ambiguities (the contract read literally; each choice below is what this module does)
-------------------------------------------------------------------------------------
 1. Naive datetimes (TOML local date-times) are read as UTC, like dates ("a date without a time is
    00:00 UTC"). `now` too.
 2. Timeline: "the last one with date <= now" is inclusive: an entry dated exactly `now` is in
    force. An entry's `probability` wins; else the event's `probability` only when the entry in
    force is the last entry (even if the event's `probability` is given and an earlier entry is in
    force, that earlier entry gets its status default).
 3. "Left out" (timeline not public yet; `ends` <= now; an exhausted recurring rule) means left out
    of everything, including the per-event list. Events with p = 0 (resolved, cancelled) are not
    left out: they are listed with expected_loss 0 and score 0, and they take part in the union with
    p = 0 (changing nothing).
 4. Recurring events: an occurrence's window is half-open, [occurrence, occurrence + length). The
    latest occurrence <= now (inclusive) is used when its window holds now; else the first
    occurrence strictly after now. With equal lengths the latest occurrence <= now is the latest one
    whose window holds now, if any does. For a recurring event without `ends` the occurrence lasts
    h_days = 30 x horizon_months and its end "plays the role of `ends`" everywhere: it bounds the
    window, ends a fee/duty change in the forecast, and returns extra-held payouts in the forecast.
    The occurrence's start plays the role of `effective` everywhere (days_until, start, one-offs).
 5. h_days = min(30 x horizon_months, days from start to ends) is clamped at 0 when `ends` precedes
    `effective` (invalid input the validator should reject; the window is then empty).
 6. Kinds: `duty_delta` defaults to 0 for every kind, `duty_change` included ("every default 0 but
    duty_delta", and duty_delta's own default is 0). `fee_delta` and `extra_hold_days` default to
    0. `freeze_days` defaults to 90 for ban, account_suspension and shop_closure, else 0, whatever
    `payouts_frozen` is overridden to (so an overridden freeze on another kind is frozen and returned
    in the same week: it moves no forecast week unless `freeze_days` is given too).
 7. Link cuts: `ban` cuts every feature and `link_cutoff` only `external_link`, whatever
    `traffic_features` says (that key is read only for kinds that cut no link). On any other kind,
    the presence of a `traffic_lost` key in `[events.impact]` (even 0) makes the kind cut the
    features in `traffic_features` (default every feature). A link that is cut counts in the event's
    `channels` even when traffic_lost is 0 (it is "cut"; f_c gets 0 from it).
 8. `warehouses` given as an empty list is "set": the event then hits no channel (links are still
    cut). `routes` is read only for `duty_change`. Platform, region, warehouse, route and feature
    names match exactly (case-sensitive); "*" is special only in event `platforms` and in regions.
 9. f_c is capped at 1 per event, before events are combined.
10. The implicit channel's share is max(0, 1 - sum of s_c) (a sum a hair above 1, within the 1e-9
    tolerance, gives no negative channel). It only enters the cash forecast (it is never hit and
    has no links, so it adds nothing to any loss).
11. Fees and duties: the loss uses the horizon window [start, start + h) and clamps each rate at 0;
    the cash forecast uses the signed rate fee_delta + duty_delta x (1 - g) (a saving raises cash)
    over [start, ends) or for ever, where start = max(now, effective), as in the loss.
12. Forecast one-offs exist only for events with effective >= now (effective = the occurrence's
    start). The freeze returns at effective + freeze_days (not bounded by `ends` or the horizon);
    extra-held payouts return at `ends` (for a recurring event, the occurrence's end, see 4). A
    week "holds" a date when week start <= date < week end; dates before now or at/after
    now + 7W days move nothing. A commitment dated exactly `now` falls in week 0.
13. runway_weeks: "the mean flow of the last 4 weeks" is the mean of the last min(4, W) flows;
    the cap at 104 applies to that extrapolated branch only (the interpolated branch is < W).
    `cash_k < 0` is strict with no tolerance; so is the shortfall test `min cash_k < 0`.
14. Uncertain events: 0 < p < 1 and (loss != 0, or fee_cost != 0, or duty_cost != 0, or
    cash_frozen != 0, or some channel has s_c x f_c x (1 - r_c) > 0). Tests are exact (!= 0).
    Fixed events: p = 1 always in S; p = 0, or 0 < p < 1 with no effect, never in S. With 0
    uncertain events the distribution is "exact", a point mass at L(fixed events).
15. Quantile: the smallest L(S) value x with P(L <= x) + 1e-9 >= q, over the outcome values;
    outcomes are grouped only when their L values are exactly equal as floats.
16. Monte Carlo: each draw includes each uncertain event independently with its p; each draw
    weighs 1/draws. The seed is this module's own (sha256 of the canonical JSON of the inputs).
17. Concentration: the third-party platforms are those of channels and of link `via`s, in order of
    first appearance (channels in file order, each channel's platform before its links' vias),
    minus the platforms of own_store channels. A platform seen only as a link via thus has a
    dependence (from links) and adds 0 to hhi. "Other channels" for the link part are those not on
    the platform. Ties for top_platform go to the first in that order; with no third-party platform
    top_platform is None and top_dependence 0.
18. Level rule 3 uses the event's probability as of now, its days_until (any negative value counts
    as "in effect") and its gross `shock`. Rule 2 skips the runway test when runway_weeks is None.
    The overall level is the worst of the four rules (OK < WARNING < CRITICAL).
19. Scores: "100 when capacity = 0 and expected_loss > 0" tests expected_loss itself (not
    expected_loss x urgency); the overall score likewise tests U > 0.
20. `days_until` is measured to `effective` (or the occurrence's start), not to the window start,
    so it is negative for an event in effect; urgency is then 1.
21. Per-event `channels` lists channel ids in exposure order; the implicit channel never appears.
22. A recurring rule whose UNTIL has no zone (e.g. UNTIL=20251231) is read as UTC: dateutil refuses
    to mix a floating UNTIL with an aware DTSTART, so such a rule runs on naive UTC times.
23. A recurring event is left out by "ends <= now" only through its occurrence's end (the original
    `ends` is long past for every occurrence but the first).
24. The forecast's lost orders use the loss window [start, start + h): orders come back after
    h_days even for an event without `ends` (h_days is "how long it takes to rebuild a lost
    channel"), while a fee or duty change lasts until `ends` (see 11).
25. Frozen and held payouts (`cash_frozen`, one-offs) come only from hit channels; a channel whose
    link alone is cut freezes nothing.
26. Inputs the design gives no default for: a channel's `inventory_value`, `pending_payouts`,
    `deposit` and `order_share` default to 0, `kind` to "other"; the business's
    `monthly_fixed_costs` and `cash_on_hand` to 0; a link's `feature` is required. A timeline
    entry's `probability` of None counts as absent. Nothing is validated here (share sums, ranges,
    unknown keys): the oracle assumes valid input.
27. W = 0 gives empty forecasts, runway None, cash_low = C at week 0 and no shortfall.
28. Output naming where the design names no key: the per-rule levels are `rules` = {score, cash,
    shock, concentration}; extra fields `capacity` (top level) and `kind`, `effective`, `ends`,
    `start`, `h_days` (per event, ISO strings for dates) are there for debugging comparisons.
29. Rule thresholds compare as written: runway `<`, shortfall/score/shock/dependence `>=`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise, product
from typing import Any, Literal

from dateutil.rrule import rrulestr

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
DAYS_PER_MONTH = 30.0
MONTH_TO_WEEK = 12 / 52  # "weekly revenue of c: R_c = M × s_c × 12 ÷ 52"
EXACT_LIMIT = 10  # "exact when there are at most 10 uncertain events"
QUANTILE_TOLERANCE = 1e-9
RUNWAY_CAP = 104.0

STATUS_PROBABILITY = {
    "rumored": 0.25,
    "announced": 0.6,
    "confirmed": 0.9,
    "in_effect": 1.0,
    "paused": 0.5,
    "resolved": 0.0,
    "cancelled": 0.0,
}

DEFAULT_THRESHOLDS = {
    "warn": 40.0,
    "crit": 70.0,
    "runway_warn_weeks": 12.0,
    "runway_crit_weeks": 4.0,
    "shock_warn": 0.2,
    "shock_crit": 0.5,
    "concentration_warn": 0.6,
    "shortfall_warn": 0.2,
    "shortfall_crit": 0.5,
}

DEFAULT_MODEL = {
    "horizon_months": 3.0,
    "recovery_rate": 0.6,
    "off_platform_stranded": 0.25,
    "draws": 2000,
    "forecast_weeks": 13,
}

NUMERIC_IMPACT_KEYS = (
    "orders_lost",
    "traffic_lost",
    "payouts_frozen",
    "inventory_stranded",
    "deposit_lost",
    "fee_delta",
    "extra_hold_days",
    "duty_delta",
    "freeze_days",
)

# The kinds table; a key not listed for a kind is 0.
KIND_DEFAULTS: dict[str, dict[str, float]] = {
    "ban": {"orders_lost": 1.0, "traffic_lost": 1.0, "payouts_frozen": 0.5, "inventory_stranded": 1.0,
            "deposit_lost": 1.0},
    "shop_closure": {"orders_lost": 1.0, "payouts_frozen": 0.5, "inventory_stranded": 1.0},
    "link_cutoff": {"traffic_lost": 1.0},
    "account_suspension": {"orders_lost": 1.0, "payouts_frozen": 1.0, "inventory_stranded": 1.0,
                           "deposit_lost": 1.0},
    "fee_change": {},
    "payout_hold": {},
    "service_shutdown": {},
    "season": {},
    "duty_change": {},
}  # fmt: skip

# "freeze_days ... default 90 for ban, account_suspension, shop_closure, else 0"
FREEZE_DAYS_DEFAULT = {"ban": 90.0, "account_suspension": 90.0, "shop_closure": 90.0}

EVERY_FEATURE: Literal["*"] = "*"
# "1.0, any feature" (ban), "1.0, feature external_link only" (link_cutoff); other kinds cut no link.
KIND_CUT_FEATURES: dict[str, frozenset[str] | Literal["*"]] = {
    "ban": EVERY_FEATURE,
    "link_cutoff": frozenset({"external_link"}),
}

DEFAULT_ROUTES = ("parcel", "bulk")  # "routes ... default ["parcel", "bulk"]"
CONTROLLED_WAREHOUSES = ("own", "third_party")  # stock the seller can sell elsewhere, at a markdown

LEVELS = ("OK", "WARNING", "CRITICAL")


# --------------------------------------------------------------------------------------------
# Inputs, with the design's defaults
# --------------------------------------------------------------------------------------------


def to_utc(value: date | datetime) -> datetime:
    """ "a date without a time is 00:00 UTC"; Time is always timezone-aware UTC inside."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def days(span: timedelta) -> float:
    """A duration in (fractional) days."""
    return span / DAY


@dataclass(frozen=True)
class Link:
    """One entry of a channel's `traffic`: `share` of the channel's orders arrive `via` a platform."""

    via: str
    feature: str
    share: float


@dataclass(frozen=True)
class Channel:
    """One `[[channels]]` entry, defaults applied."""

    id: str
    platform: str
    kind: str
    regions: tuple[str, ...]
    share: float  # s_c
    inventory: float  # I_c
    payouts: float  # P_c
    deposit: float  # D_c
    warehouse: str
    margin: float  # cm_c
    recapture: float  # r_c
    route: str
    links: tuple[Link, ...]


@dataclass(frozen=True)
class Business:
    """`[business]`: M, g, F, C and the commitments."""

    revenue: float  # M
    gross_margin: float  # g
    fixed_costs: float  # F
    cash: float  # C
    commitments: tuple[tuple[datetime, float], ...]


@dataclass(frozen=True)
class Settings:
    """`[thresholds]` and `[model]` of riskmon.toml, defaults applied."""

    thresholds: Mapping[str, float]
    horizon_months: float
    recovery_rate: float
    off_platform_stranded: float
    draws: int
    forecast_weeks: int


@dataclass(frozen=True)
class Profile:
    """Everything but the events: the business, its channels, the settings."""

    business: Business
    channels: tuple[Channel, ...]
    settings: Settings


def read_channel(raw: Mapping[str, Any], gross_margin: float) -> Channel:
    """Channel defaults: `regions` ["*"], `warehouse` none, cm_c = g, r_c = 0, `supply_route` local;
    money not given is 0 (a channel without stock, payouts or deposit)."""
    return Channel(
        id=raw["id"],
        platform=raw["platform"],
        kind=raw.get("kind", "other"),
        regions=tuple(raw.get("regions", ["*"])),
        share=float(raw.get("order_share", 0.0)),
        inventory=float(raw.get("inventory_value", 0.0)),
        payouts=float(raw.get("pending_payouts", 0.0)),
        deposit=float(raw.get("deposit", 0.0)),
        warehouse=raw.get("warehouse", "none"),
        margin=float(raw.get("contribution_margin", gross_margin)),
        recapture=float(raw.get("recapture", 0.0)),
        route=raw.get("supply_route", "local"),
        links=tuple(Link(t["via"], t["feature"], float(t["share"])) for t in raw.get("traffic", [])),
    )


def read_business(raw: Mapping[str, Any]) -> Business:
    """M, g, F, C and `commitments = [{ date, amount, what }]`."""
    return Business(
        revenue=float(raw["monthly_revenue"]),
        gross_margin=float(raw["gross_margin"]),
        fixed_costs=float(raw.get("monthly_fixed_costs", 0.0)),
        cash=float(raw.get("cash_on_hand", 0.0)),
        commitments=tuple((to_utc(c["date"]), float(c["amount"])) for c in raw.get("commitments", [])),
    )


def read_settings(raw: Mapping[str, Any]) -> Settings:
    """`[thresholds]` and `[model]`, each key defaulting as the design lists."""
    thresholds = {**DEFAULT_THRESHOLDS, **raw.get("thresholds", {})}
    model = {**DEFAULT_MODEL, **raw.get("model", {})}
    return Settings(
        thresholds={k: float(v) for k, v in thresholds.items()},
        horizon_months=float(model["horizon_months"]),
        recovery_rate=float(model["recovery_rate"]),
        off_platform_stranded=float(model["off_platform_stranded"]),
        draws=int(model["draws"]),
        forecast_weeks=int(model["forecast_weeks"]),
    )


def read_profile(exposure: Mapping[str, Any], settings: Mapping[str, Any]) -> Profile:
    """exposure.toml and riskmon.toml as parsed dicts."""
    business = read_business(exposure["business"])
    channels = tuple(read_channel(c, business.gross_margin) for c in exposure.get("channels", []))
    return Profile(business, channels, read_settings(settings))


def horizon(profile: Profile) -> timedelta:
    """30 × horizon_months days."""
    return DAY * (DAYS_PER_MONTH * profile.settings.horizon_months)


def capacity(profile: Profile) -> float:
    """`capacity` = C + M × g."""
    b = profile.business
    return b.cash + b.revenue * b.gross_margin


def uncovered_share(profile: Profile) -> float:
    """ "orders not covered by any channel (Σ s_c < 1) form an implicit channel with cm = g, r = 0,
    no stock, never hit"."""
    return max(0.0, 1.0 - sum(c.share for c in profile.channels))


# --------------------------------------------------------------------------------------------
# One event as of `now`: status, occurrence, window, impact, hits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Impact:
    """The kind's defaults with `[events.impact]` overrides; `cut_features` is what links it cuts."""

    orders_lost: float
    traffic_lost: float
    payouts_frozen: float
    inventory_stranded: float
    deposit_lost: float
    fee_delta: float
    extra_hold_days: float
    duty_delta: float
    freeze_days: float
    cut_features: frozenset[str] | Literal["*"]


def impact_of(kind: str, overrides: Mapping[str, Any]) -> Impact:
    """ "[events.impact]: optional overrides of the kind's defaults (same keys as the table)";
    "a traffic_lost override on a kind that cuts no link cuts the features in [events.impact]
    traffic_features, default every feature"."""
    values = {key: 0.0 for key in NUMERIC_IMPACT_KEYS}
    values["freeze_days"] = FREEZE_DAYS_DEFAULT.get(kind, 0.0)
    values.update(KIND_DEFAULTS[kind])
    values.update({key: float(overrides[key]) for key in NUMERIC_IMPACT_KEYS if key in overrides})
    cut: frozenset[str] | Literal["*"] = KIND_CUT_FEATURES.get(kind, frozenset())
    if kind not in KIND_CUT_FEATURES and "traffic_lost" in overrides:
        listed = overrides.get("traffic_features")
        cut = EVERY_FEATURE if listed is None else frozenset(listed)
    return Impact(cut_features=cut, **values)


def status_as_of(raw: Mapping[str, Any], now: datetime) -> tuple[str, float] | None:
    """ "The entry in force at now is the last one with date <= now. Its probability is the entry's
    probability, else the event's probability when that entry is the last one, else the default of
    its status ... When the timeline is not empty and no entry is in force, the event was not public
    yet: it is left out entirely. Without a timeline, status and probability hold at every now"."""
    timeline = raw.get("timeline") or []
    if not timeline:
        status = raw["status"]
        given = raw.get("probability")
        return status, float(STATUS_PROBABILITY[status] if given is None else given)
    in_force = [i for i, entry in enumerate(timeline) if to_utc(entry["date"]) <= now]
    if not in_force:
        return None
    last = in_force[-1]
    entry = timeline[last]
    if entry.get("probability") is not None:
        return entry["status"], float(entry["probability"])
    if last == len(timeline) - 1 and raw.get("probability") is not None:
        return entry["status"], float(raw["probability"])
    return entry["status"], STATUS_PROBABILITY[entry["status"]]


def occurrence(raw: Mapping[str, Any], profile: Profile, now: datetime) -> tuple[datetime, datetime | None] | None:
    """The (effective, ends) that count at `now`. For a recurring event: "the occurrence in force or
    the next one; with ends, each occurrence lasts (ends − effective) and that occurrence's end plays
    the role of ends ...; without ends, each occurrence lasts h_days and that end plays the role of
    ends. The occurrence used is the latest one whose window holds now, else the next one; an
    exhausted rule (COUNT, UNTIL) with no window holding now leaves the event out." None = left out."""
    effective = to_utc(raw["effective"])
    ends = to_utc(raw["ends"]) if raw.get("ends") is not None else None
    recurs = (raw.get("recurs") or "").strip()
    if not recurs:
        return effective, ends
    length = ends - effective if ends is not None else horizon(profile)
    rule, zoned = recurrence_rule(recurs, effective)
    probe = now if zoned else now.replace(tzinfo=None)

    def in_utc(t: datetime | None) -> datetime | None:
        return None if t is None else t.replace(tzinfo=UTC)  # the rule runs on UTC times, aware or not

    latest = in_utc(rule.before(probe, inc=True))
    if latest is not None and now < latest + length:
        return latest, latest + length
    upcoming = in_utc(rule.after(probe, inc=False))
    if upcoming is None:
        return None
    return upcoming, upcoming + length


def recurrence_rule(recurs: str, effective: datetime) -> tuple[Any, bool]:
    """ "RFC 5545 RRULE with effective as DTSTART", with python-dateutil's semantics. dateutil insists
    that UNTIL and DTSTART agree on having a zone; a floating UNTIL (no Z) is read as UTC by running
    the rule on naive UTC times (the flag says which: True = aware)."""
    try:
        return rrulestr(recurs, dtstart=effective), True
    except ValueError:
        return rrulestr(recurs, dtstart=effective.replace(tzinfo=None)), False


def window(profile: Profile, effective: datetime, ends: datetime | None, now: datetime) -> tuple[datetime, timedelta]:
    """ "start = max(now, effective) ...; h_days = 30 × horizon_months, or with ends:
    min(30 × horizon_months, days from start to ends)"."""
    start = max(now, effective)
    if ends is None:
        return start, horizon(profile)
    return start, max(timedelta(0), min(horizon(profile), ends - start))


def urgency(days_until: float) -> float:
    """ "urgency = 1 if days_until <= 14, else 0.5 ^ ((days_until − 14) ÷ 60)"."""
    return 1.0 if days_until <= 14 else 0.5 ** ((days_until - 14) / 60)


def platform_listed(platform: str, platforms: Sequence[str]) -> bool:
    """ "its platform is listed (or *)"; "platforms = ["*"] matches every platform, own stores and
    link vias included"."""
    return "*" in platforms or platform in platforms


def regions_overlap(a: Sequence[str], b: Sequence[str]) -> bool:
    """ "its regions overlap the event's (* overlaps everything)"."""
    return "*" in a or "*" in b or bool(set(a) & set(b))


def is_hit(channel: Channel, raw: Mapping[str, Any]) -> bool:
    """ "a channel is hit when its platform is listed (or *), its regions overlap the event's, its
    warehouse is in warehouses (when set) and, for duty_change, its supply_route is in routes"."""
    if not platform_listed(channel.platform, raw.get("platforms", [])):
        return False
    if not regions_overlap(channel.regions, raw.get("regions", ["*"])):
        return False
    warehouses = raw.get("warehouses")
    if warehouses is not None and channel.warehouse not in warehouses:
        return False
    return not (raw["kind"] == "duty_change" and channel.route not in raw.get("routes", DEFAULT_ROUTES))


def cuts_feature(impact: Impact, feature: str) -> bool:
    """ "the kind cuts its feature"."""
    return impact.cut_features == EVERY_FEATURE or feature in impact.cut_features


def cut_links(channel: Channel, raw: Mapping[str, Any], impact: Impact) -> list[Link]:
    """ "A link of any channel is cut when its via is listed (or *), the regions overlap and the kind
    cuts its feature"; "warehouses and routes restrict hits, not links"."""
    if not regions_overlap(channel.regions, raw.get("regions", ["*"])):
        return []
    platforms = raw.get("platforms", [])
    return [
        link for link in channel.links if platform_listed(link.via, platforms) and cuts_feature(impact, link.feature)
    ]


def fraction_removed(hit: bool, links: Sequence[Link], impact: Impact) -> float:
    """ "f_c = min(1, orders_lost·[c hit] + Σ cut links of c: share × traffic_lost)"."""
    return min(1.0, impact.orders_lost * hit + sum(link.share * impact.traffic_lost for link in links))


@dataclass(frozen=True, eq=False)
class Event:
    """One event as of `now`, resolved: status, the occurrence that counts, its window, what it hits."""

    index: int  # position in events.toml: "ties in event order"
    id: str
    kind: str
    status: str
    p: float
    effective: datetime  # `effective`, or the occurrence's start
    ends: datetime | None  # `ends`, or the occurrence's end
    start: datetime  # max(now, effective)
    h: timedelta  # h_days as a duration
    window_end: datetime  # start + h
    days_until: float
    urgency: float
    impact: Impact
    hit: frozenset[str]  # ids of the channels hit
    f: Mapping[str, float]  # f_c for every channel id
    channels: tuple[str, ...]  # "the ids of the channels hit or with a link cut"

    @property
    def h_days(self) -> float:
        return days(self.h)

    def active_at(self, t: datetime) -> bool:
        """t in [start_e, start_e + h_e)."""
        return self.start <= t < self.window_end


def resolve_event(index: int, raw: Mapping[str, Any], profile: Profile, now: datetime) -> Event | None:
    """One events.toml entry as of now, or None when it is left out (not public yet, `ends` <= now,
    an exhausted recurring rule)."""
    status = status_as_of(raw, now)
    if status is None:
        return None
    when = occurrence(raw, profile, now)
    if when is None:
        return None
    effective, ends = when
    if ends is not None and ends <= now:  # "An event whose ends <= now is left out."
        return None
    start, h = window(profile, effective, ends, now)
    impact = impact_of(raw["kind"], raw.get("impact", {}))
    hit = {c.id: is_hit(c, raw) for c in profile.channels}
    cut = {c.id: cut_links(c, raw, impact) for c in profile.channels}
    days_until = days(effective - now)
    return Event(
        index=index,
        id=raw["id"],
        kind=raw["kind"],
        status=status[0],
        p=status[1],
        effective=effective,
        ends=ends,
        start=start,
        h=h,
        window_end=start + h,
        days_until=days_until,
        urgency=urgency(days_until),
        impact=impact,
        hit=frozenset(cid for cid, is_in in hit.items() if is_in),
        f={c.id: fraction_removed(hit[c.id], cut[c.id], impact) for c in profile.channels},
        channels=tuple(c.id for c in profile.channels if hit[c.id] or cut[c.id]),
    )


def resolve_events(raws: Sequence[Mapping[str, Any]], profile: Profile, now: datetime) -> list[Event]:
    """Every event that is not left out, in file order."""
    resolved = (resolve_event(i, raw, profile, now) for i, raw in enumerate(raws))
    return [e for e in resolved if e is not None]


# --------------------------------------------------------------------------------------------
# One event's terms
# --------------------------------------------------------------------------------------------


def revenue_lost_monthly(profile: Profile, e: Event) -> float:
    """ "revenue_lost_monthly = M × Σ_c s_c f_c"."""
    return profile.business.revenue * sum(c.share * e.f[c.id] for c in profile.channels)


def shock(profile: Profile, e: Event) -> float:
    """ "shock = that ÷ M (gross, before recapture)"."""
    return revenue_lost_monthly(profile, e) / profile.business.revenue


def profit_at_risk(profile: Profile, e: Event) -> float:
    """ "profit_at_risk = Σ_c M s_c f_c (1 − r_c) cm_c × h_days ÷ 30"."""
    m = profile.business.revenue
    per_month = sum(m * c.share * e.f[c.id] * (1 - c.recapture) * c.margin for c in profile.channels)
    return per_month * e.h_days / DAYS_PER_MONTH


def still_selling(channel: Channel, f: float) -> float:
    """ "σ_c = 1 − (1 − r_c) f_c: fees are due only on the orders that still happen"."""
    return 1 - (1 - channel.recapture) * f


def hit_sales_over_window(profile: Profile, e: Event) -> float:
    """M × Σ_hit s_c σ_c × h_days ÷ 30: the sales a fee or duty change of e is levied on."""
    m = profile.business.revenue
    monthly = sum(m * c.share * still_selling(c, e.f[c.id]) for c in profile.channels if c.id in e.hit)
    return monthly * e.h_days / DAYS_PER_MONTH


def fee_cost(profile: Profile, e: Event) -> float:
    """ "fee_cost = fee_delta × M × Σ_hit s_c σ_c × h_days ÷ 30 (negative = a saving, reported)"."""
    return e.impact.fee_delta * hit_sales_over_window(profile, e)


def duty_cost(profile: Profile, e: Event) -> float:
    """ "duty_cost = duty_delta × (1 − g) × M × Σ_hit s_c σ_c × h_days ÷ 30"."""
    return e.impact.duty_delta * (1 - profile.business.gross_margin) * hit_sales_over_window(profile, e)


def stranded(profile: Profile, channel: Channel, e: Event) -> float:
    """ "stranded_c = inventory_stranded, times off_platform_stranded when the channel's warehouse is
    own or third_party ...; platform, virtual and none keep it whole"."""
    factor = profile.settings.off_platform_stranded if channel.warehouse in CONTROLLED_WAREHOUSES else 1.0
    return e.impact.inventory_stranded * factor


def inventory_term(profile: Profile, channel: Channel, e: Event) -> float:
    """One channel's part of "inventory_loss = Σ_hit I_c × stranded_c × (1 − recovery_rate)"."""
    if channel.id not in e.hit:
        return 0.0
    return channel.inventory * stranded(profile, channel, e) * (1 - profile.settings.recovery_rate)


def deposit_term(channel: Channel, e: Event) -> float:
    """One channel's part of "deposit_loss = Σ_hit D_c × deposit_lost"."""
    return channel.deposit * e.impact.deposit_lost if channel.id in e.hit else 0.0


def inventory_loss(profile: Profile, e: Event) -> float:
    """ "inventory_loss = Σ_hit I_c × stranded_c × (1 − recovery_rate)"."""
    return sum(inventory_term(profile, c, e) for c in profile.channels)


def deposit_loss(profile: Profile, e: Event) -> float:
    """ "deposit_loss = Σ_hit D_c × deposit_lost"."""
    return sum(deposit_term(c, e) for c in profile.channels)


def event_loss(profile: Profile, e: Event) -> float:
    """ "loss = profit_at_risk + max(0, fee_cost) + max(0, duty_cost) + inventory_loss + deposit_loss"."""
    return (
        profit_at_risk(profile, e)
        + max(0.0, fee_cost(profile, e))
        + max(0.0, duty_cost(profile, e))
        + inventory_loss(profile, e)
        + deposit_loss(profile, e)
    )


def daily_revenue(profile: Profile, share: float) -> float:
    """ "daily revenue d_c = R_c ÷ 7"."""
    return weekly_revenue(profile, share) / 7


def cash_frozen_in(profile: Profile, channel: Channel, e: Event) -> float:
    """One channel's part of "cash_frozen = Σ_hit (P_c × payouts_frozen + d_c × extra_hold_days)"."""
    if channel.id not in e.hit:
        return 0.0
    return channel.payouts * e.impact.payouts_frozen + daily_revenue(profile, channel.share) * e.impact.extra_hold_days


def cash_frozen(profile: Profile, e: Event) -> float:
    """ "cash_frozen = Σ_hit (P_c × payouts_frozen + d_c × extra_hold_days): reported, not a loss"."""
    return sum(cash_frozen_in(profile, c, e) for c in profile.channels)


def smooth_score(amount: float, weight: float, capacity_: float) -> float:
    """ "score = 100 × (1 − exp(−expected_loss × urgency ÷ capacity)) (100 when capacity = 0 and
    expected_loss > 0; 0 when expected_loss = 0)". `amount` is the expected loss (or U), `weight`
    the urgency (1 for U, which has urgency inside)."""
    if amount == 0:
        return 0.0
    if capacity_ == 0:
        return 100.0
    return 100 * (1 - math.exp(-amount * weight / capacity_))


def event_report(profile: Profile, e: Event) -> dict[str, Any]:
    """The per-event JSON fields."""
    loss = event_loss(profile, e)
    expected = e.p * loss  # "expected_loss = p × loss"
    return {
        "id": e.id,
        "kind": e.kind,
        "status": e.status,
        "probability": e.p,
        "effective": e.effective.isoformat(),
        "ends": e.ends.isoformat() if e.ends is not None else None,
        "start": e.start.isoformat(),
        "h_days": e.h_days,
        "days_until": e.days_until,
        "urgency": e.urgency,
        "score": smooth_score(expected, e.urgency, capacity(profile)),
        "loss": loss,
        "expected_loss": expected,
        "revenue_lost_monthly": revenue_lost_monthly(profile, e),
        "shock": shock(profile, e),
        "profit_at_risk": profit_at_risk(profile, e),
        "fee_cost": fee_cost(profile, e),
        "duty_cost": duty_cost(profile, e),
        "inventory_loss": inventory_loss(profile, e),
        "deposit_loss": deposit_loss(profile, e),
        "cash_frozen": cash_frozen(profile, e),
        "channels": list(e.channels),
    }


# --------------------------------------------------------------------------------------------
# The union L(S), and its expectation two ways
# --------------------------------------------------------------------------------------------


def integrate_days(
    events: Sequence[Event],
    integrand: Callable[[list[Event]], float],
    within: tuple[datetime, datetime] | None = None,
) -> float:
    """∫ integrand(events active at t) dt, in days, exactly. The integrand depends on t only through
    the set of active windows [start_e, start_e + h_e), so it is constant between consecutive window
    boundaries: sum value × length over the sorted boundaries. Without `within`, the integral runs
    over the boundaries' span (the integrand must then be 0 where no window is active)."""
    points = {p for e in events for p in (e.start, e.window_end)}
    if within is not None:
        lo, hi = within
        points = {p for p in points if lo < p < hi} | {lo, hi}
    ordered = sorted(points)
    total = 0.0
    for a, b in pairwise(ordered):
        total += integrand([e for e in events if e.active_at(a)]) * days(b - a)
    return total


def survival(channel: Channel, active: Iterable[Event], weight: Callable[[Event], float]) -> float:
    """Π over active e of (1 − w_e f_c(e)): the share of c's orders that survive (w = 1 for an event
    that happens; w = p_e for the closed-form expectation)."""
    return math.prod(1 - weight(e) * e.f[channel.id] for e in active)


def always(_: Event) -> float:
    return 1.0


def contribution_rate(profile: Profile, channel: Channel) -> float:
    """M s_c (1 − r_c) cm_c: contribution per month of c's orders that are lost and not won back."""
    return profile.business.revenue * channel.share * (1 - channel.recapture) * channel.margin


def fee_and_duty_rate(profile: Profile, e: Event) -> float:
    """ "rate_e = max(0, fee_delta_e) + max(0, duty_delta_e) × (1 − g) (a saving never offsets a loss)"."""
    g = profile.business.gross_margin
    return max(0.0, e.impact.fee_delta) + max(0.0, e.impact.duty_delta) * (1 - g)


def touching(channel: Channel, events: Sequence[Event]) -> list[Event]:
    """The events that hit the channel or remove some of its orders. The others leave every term of
    the channel as it is (a factor 1 − 0 in each product, no stock, deposit, fee or payout term), so
    leaving them out changes no number; it only keeps the sweeps short on large profiles."""
    return [e for e in events if channel.id in e.hit or e.f[channel.id] > 0]


def union_contribution_lost(profile: Profile, channel: Channel, happened: Sequence[Event]) -> float:
    """ "contribution lost: ∫ over time of 1 − Π_{e in S, t in [start_e, start_e + h_e)} (1 − f_c(e)),
    in days ÷ 30, × M s_c (1 − r_c) cm_c"."""
    lost_days = integrate_days(happened, lambda active: 1 - survival(channel, active, always))
    return lost_days / DAYS_PER_MONTH * contribution_rate(profile, channel)


def union_fee_and_duty(profile: Profile, channel: Channel, happened: Sequence[Event]) -> float:
    """ "fees and duties: for each e in S hitting c, rate_e × M s_c × ∫ over [start_e, start_e + h_e)
    of σ_c(t) dt ÷ 30, with σ_c(t) = 1 − (1 − r_c)(1 − Π_{e' in S active at t} (1 − f_c(e')))"."""

    def sigma(active: list[Event]) -> float:
        return 1 - (1 - channel.recapture) * (1 - survival(channel, active, always))

    total = 0.0
    for e in happened:
        rate = fee_and_duty_rate(profile, e)
        if channel.id in e.hit and rate != 0:  # a zero rate makes a zero term: skip its integral
            selling_days = integrate_days(happened, sigma, within=(e.start, e.window_end))
            total += rate * profile.business.revenue * channel.share * selling_days
    return total / DAYS_PER_MONTH


def union_loss(profile: Profile, happened: Sequence[Event]) -> float:
    """L(S), computed literally for the set S of events that happen: per channel, contribution lost
    over the union of windows; "stock: the largest inventory_loss term any event in S causes the
    channel; deposit: likewise"; fees and duties."""
    total = 0.0
    for c in profile.channels:
        near = touching(c, happened)
        total += union_contribution_lost(profile, c, near)
        total += max((inventory_term(profile, c, e) for e in near), default=0.0)
        total += max((deposit_term(c, e) for e in near), default=0.0)
        total += union_fee_and_duty(profile, c, near)
    return total


def expected_largest(values: Sequence[tuple[float, float]]) -> float:
    """ "a "largest of" term with values a_1 >= a_2 >= … (ties in event order) has
    E = Σ_i a_i p_i Π_{j<i} (1 − p_j)". `values` are (a_i, p_i) in event order; sorted() is stable,
    so ties keep event order."""
    ordered = sorted(values, key=lambda ap: -ap[0])
    total = 0.0
    none_larger = 1.0  # Π_{j<i} (1 − p_j)
    for a, p in ordered:
        total += a * p * none_larger
        none_larger *= 1 - p
    return total


def expected_contribution_lost(
    profile: Profile, channel: Channel, events: Sequence[Event], prob: Callable[[Event], float]
) -> float:
    """Closed form: "replace each product Π (1 − f) by Π (1 − p f)"."""
    lost_days = integrate_days(events, lambda active: 1 - survival(channel, active, prob))
    return lost_days / DAYS_PER_MONTH * contribution_rate(profile, channel)


def expected_fee_and_duty(
    profile: Profile, channel: Channel, events: Sequence[Event], prob: Callable[[Event], float]
) -> float:
    """ "a fee/duty term of e becomes p_e × rate_e × M s_c × ∫ (1 − (1 − r_c)(1 − (1 − f_c(e))
    Π_{e' ≠ e active} (1 − p_e' f_c(e')))) dt ÷ 30 (e is in S when its term counts)"."""
    total = 0.0
    for e in events:
        rate = fee_and_duty_rate(profile, e)
        if channel.id not in e.hit or rate == 0:  # a zero rate makes a zero term: skip its integral
            continue

        def sigma(active: list[Event], e: Event = e) -> float:
            others = survival(channel, (o for o in active if o is not e), prob)
            return 1 - (1 - channel.recapture) * (1 - (1 - e.f[channel.id]) * others)

        selling_days = integrate_days(events, sigma, within=(e.start, e.window_end))
        total += prob(e) * rate * profile.business.revenue * channel.share * selling_days
    return total / DAYS_PER_MONTH


def expected_union_loss(profile: Profile, events: Sequence[Event], prob: Callable[[Event], float]) -> float:
    """ "Top-level expected_loss = E[L(S)] in closed form" (with prob = p_e), or U (with
    prob = q_e = p_e × urgency_e)."""
    total = 0.0
    for c in profile.channels:
        near = touching(c, events)
        total += expected_contribution_lost(profile, c, near, prob)
        total += expected_largest([(inventory_term(profile, c, e), prob(e)) for e in near])
        total += expected_largest([(deposit_term(c, e), prob(e)) for e in near])
        total += expected_fee_and_duty(profile, c, near, prob)
    return total


def probability(e: Event) -> float:
    """p_e."""
    return e.p


def urgency_weighted(e: Event) -> float:
    """ "q_e = p_e × urgency_e"."""
    return e.p * e.urgency


def subsets_with_probability(events: Sequence[Event]) -> Iterable[tuple[list[Event], float]]:
    """Every set S of the events (2^n of them) with P(S) = Π_{e in S} p_e Π_{e not in S} (1 − p_e)."""
    for included in product((False, True), repeat=len(events)):
        weight = math.prod(e.p if inside else 1 - e.p for e, inside in zip(events, included, strict=True))
        yield [e for e, inside in zip(events, included, strict=True) if inside], weight


def enumerated_expected_loss(profile: Profile, events: Sequence[Event]) -> float:
    """E[L(S)] by brute force: Σ over all 2^n sets S of P(S) × L(S). Must equal the closed form."""
    return sum(weight * union_loss(profile, s) for s, weight in subsets_with_probability(events))


def overall_score(profile: Profile, events: Sequence[Event]) -> float:
    """ "score = 100 × (1 − exp(−U ÷ capacity)), U = the same closed form with q_e = p_e × urgency_e
    in place of p_e (same capacity rules as the event score)"."""
    return smooth_score(expected_union_loss(profile, events, urgency_weighted), 1.0, capacity(profile))


# --------------------------------------------------------------------------------------------
# The cash forecast
# --------------------------------------------------------------------------------------------


def weekly_revenue(profile: Profile, share: float) -> float:
    """ "weekly revenue of c: R_c = M × s_c × 12 ÷ 52"."""
    return profile.business.revenue * share * MONTH_TO_WEEK


def weekly_fixed_costs(profile: Profile) -> float:
    """ "weekly fixed costs F × 12 ÷ 52"."""
    return profile.business.fixed_costs * MONTH_TO_WEEK


def mid_point(now: datetime, k: int) -> datetime:
    """ "t_k = now + 7k + 3.5 days"."""
    return now + WEEK * k + DAY * 3.5


def week_holding(when: datetime, now: datetime, weeks: int) -> int | None:
    """ "Week k (0 … W−1) is [now + 7k days, now + 7k + 7 days)"; "A date outside the W weeks moves
    nothing" (None)."""
    if when < now:
        return None
    k = (when - now) // WEEK
    return k if k < weeks else None


def lost_fraction(channel: Channel, scenario: Sequence[Event], t: datetime) -> float:
    """ "lost_c(t) = (1 − r_c)(1 − Π_{e in S, start_e <= t < start_e + h_e} (1 − f_c(e)))"."""
    active = [e for e in scenario if e.active_at(t)]
    return (1 - channel.recapture) * (1 - survival(channel, active, always))


def fee_change_at(profile: Profile, channel: Channel, scenario: Sequence[Event], t: datetime) -> float:
    """ "fee_c(t) = Σ_{e in S hitting c, start_e <= t < ends_e (or for ever)} (fee_delta_e +
    duty_delta_e × (1 − g)) — a fee or duty change lasts until its ends, not just the horizon"."""
    g = profile.business.gross_margin
    return sum(
        e.impact.fee_delta + e.impact.duty_delta * (1 - g)
        for e in scenario
        if channel.id in e.hit and e.start <= t and (e.ends is None or t < e.ends)
    )


def one_offs(profile: Profile, e: Event, now: datetime) -> list[tuple[datetime, float]]:
    """ "one-offs, only for events with effective >= now ...: −Σ_hit (P_c × payouts_frozen + d_c ×
    extra_hold_days) in the week holding effective; + Σ_hit P_c × payouts_frozen in the week holding
    effective + freeze_days; + Σ_hit d_c × extra_hold_days in the week holding ends (never without
    ends)"."""
    if e.effective < now:
        return []
    hit = [c for c in profile.channels if c.id in e.hit]
    frozen = sum(c.payouts * e.impact.payouts_frozen for c in hit)
    held = sum(daily_revenue(profile, c.share) * e.impact.extra_hold_days for c in hit)
    moves = [(e.effective, -(frozen + held)), (e.effective + DAY * e.impact.freeze_days, frozen)]
    if e.ends is not None:
        moves.append((e.ends, held))
    return moves


def weekly_flows(profile: Profile, scenario: Sequence[Event], now: datetime) -> list[float]:
    """ "flow_k = Σ_c R_c (1 − lost_c(t_k)) (cm_c − fee_c(t_k)) − F × 12 ÷ 52 − commitments dated in
    week k + one-offs in week k (the implicit channel counts with cm = g)"."""
    weeks = profile.settings.forecast_weeks
    near = {c.id: touching(c, scenario) for c in profile.channels}
    flows = []
    for k in range(weeks):
        t = mid_point(now, k)
        sales = sum(
            weekly_revenue(profile, c.share)
            * (1 - lost_fraction(c, near[c.id], t))
            * (c.margin - fee_change_at(profile, c, near[c.id], t))
            for c in profile.channels
        )
        sales += weekly_revenue(profile, uncovered_share(profile)) * profile.business.gross_margin
        flows.append(sales - weekly_fixed_costs(profile))
    for when, amount in profile.business.commitments:  # "One dated before now is assumed paid."
        week = week_holding(when, now, weeks)
        if week is not None:
            flows[week] -= amount
    for e in scenario:
        for when, amount in one_offs(profile, e, now):
            week = week_holding(when, now, weeks)
            if week is not None:
                flows[week] += amount
    return flows


def balances(cash: float, flows: Sequence[float]) -> list[float]:
    """ "cash_k = C + Σ_{j <= k} flow_j, the balance at the end of week k"."""
    out = []
    running = cash
    for flow in flows:
        running += flow
        out.append(running)
    return out


def forecast(profile: Profile, scenario: Sequence[Event], now: datetime) -> list[float]:
    """The W end-of-week balances for the set of events assumed to happen."""
    return balances(profile.business.cash, weekly_flows(profile, scenario, now))


def likely(events: Sequence[Event]) -> list[Event]:
    """ "likely (every event with p >= 0.5)"."""
    return [e for e in events if e.p >= 0.5]


def stress(events: Sequence[Event]) -> list[Event]:
    """ "stress (every event with p > 0)"."""
    return [e for e in events if e.p > 0]


def runway_weeks(cash: float, cash_k: Sequence[float]) -> float | None:
    """ "the first k with cash_k < 0 gives k + cash_{k−1} ÷ (cash_{k−1} − cash_k), cash_{−1} = C; if
    none, and the mean flow of the last 4 weeks is < 0, W + cash_{W−1} ÷ (−mean), capped at 104; else
    none (cash does not run down)"."""
    before = [cash, *cash_k]  # before[k] = cash_{k−1}
    for k, now_k in enumerate(cash_k):
        if now_k < 0:
            return k + before[k] / (before[k] - now_k)
    last = [b - a for a, b in pairwise(before)][-4:]  # flow_k = cash_k − cash_{k−1}
    mean = sum(last) / len(last) if last else 0.0
    if mean < 0:
        return min(RUNWAY_CAP, len(cash_k) + cash_k[-1] / -mean)
    return None


def cash_low(cash_k: Sequence[float]) -> tuple[float, int]:
    """ "cash_low, cash_low_week: the lowest cash_k in likely and its first k"."""
    lowest = min(cash_k)
    return lowest, cash_k.index(lowest)


# --------------------------------------------------------------------------------------------
# The distribution of L(S) and of a cash shortfall
# --------------------------------------------------------------------------------------------


def has_effect(profile: Profile, e: Event) -> bool:
    """ "a non-zero loss, fee_cost or duty_cost (a saving too), cash_frozen, or orders lost and not
    fully recaptured"."""
    return (
        event_loss(profile, e) != 0
        or fee_cost(profile, e) != 0
        or duty_cost(profile, e) != 0
        or cash_frozen(profile, e) != 0
        or any(c.share * e.f[c.id] * (1 - c.recapture) > 0 for c in profile.channels)
    )


def is_uncertain(profile: Profile, e: Event) -> bool:
    """ "Uncertain events are those with 0 < p < 1 and, namely, [an effect]"."""
    return 0 < e.p < 1 and has_effect(profile, e)


def always_in(profile: Profile, events: Sequence[Event]) -> list[Event]:
    """ "the others are fixed (p = 1 always in S, p = 0 or no effect never)"."""
    return [e for e in events if not is_uncertain(profile, e) and e.p >= 1]


@dataclass(frozen=True)
class Outcome:
    """One set S (or one draw): its weight, L(S), and whether some cash_k < 0 when S happens."""

    weight: float
    loss: float
    shortfall: bool


def outcome_of(profile: Profile, happened: Sequence[Event], weight: float, now: datetime) -> Outcome:
    """L(S) and the shortfall test for one set S."""
    short = min(forecast(profile, happened, now), default=0.0) < 0
    return Outcome(weight, union_loss(profile, happened), short)


def exact_outcomes(profile: Profile, events: Sequence[Event], now: datetime) -> list[Outcome]:
    """ "exact when there are at most 10 uncertain events (enumerate the 2^n sets)"."""
    fixed = always_in(profile, events)
    uncertain = [e for e in events if is_uncertain(profile, e)]
    return [
        outcome_of(profile, sorted([*fixed, *chosen], key=lambda e: e.index), weight, now)
        for chosen, weight in subsets_with_probability(uncertain)
    ]


def seed_of(*inputs: Any) -> int:
    """ "a seed derived from the inputs, so the same inputs give the same figures" (this module's own
    derivation: the engine's will differ, see the module docstring)."""
    canonical = json.dumps(inputs, sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(canonical.encode()).digest()[:8], "big")


def monte_carlo_outcomes(profile: Profile, events: Sequence[Event], now: datetime, seed: int) -> list[Outcome]:
    """ "beyond that a Monte Carlo estimate with draws draws": each draw includes each uncertain event
    independently with probability p; each draw weighs 1/draws."""
    fixed = always_in(profile, events)
    uncertain = [e for e in events if is_uncertain(profile, e)]
    rng = random.Random(seed)
    draws = profile.settings.draws
    outcomes = []
    for _ in range(draws):
        chosen = [e for e in uncertain if rng.random() < e.p]
        outcomes.append(outcome_of(profile, sorted([*fixed, *chosen], key=lambda e: e.index), 1 / draws, now))
    return outcomes


def loss_outcomes(
    profile: Profile, events: Sequence[Event], now: datetime, seed: int, exact_limit: int = EXACT_LIMIT
) -> tuple[str, list[Outcome]]:
    """The distribution: ("exact", all 2^n sets) with at most `exact_limit` uncertain events, else
    ("monte_carlo", the draws)."""
    uncertain = sum(is_uncertain(profile, e) for e in events)
    if uncertain <= exact_limit:
        return "exact", exact_outcomes(profile, events, now)
    return "monte_carlo", monte_carlo_outcomes(profile, events, now, seed)


def quantile(outcomes: Sequence[Outcome], q: float) -> float:
    """ "the smallest x with P(L <= x) >= q (probabilities compared with a tolerance of 1e-9)"."""
    cumulative = 0.0
    ordered = sorted(outcomes, key=lambda o: o.loss)
    for i, o in enumerate(ordered):
        cumulative += o.weight
        last_of_value = i + 1 == len(ordered) or ordered[i + 1].loss != o.loss
        if last_of_value and cumulative + QUANTILE_TOLERANCE >= q:
            return o.loss
    return ordered[-1].loss


def shortfall_probability(outcomes: Sequence[Outcome]) -> float:
    """ "cash_shortfall_probability: P(some cash_k < 0) over random S"."""
    return sum(o.weight for o in outcomes if o.shortfall)


def cdf(outcomes: Sequence[Outcome], x: float, strict: bool = False) -> float:
    """P(L <= x), or P(L < x) with strict: for comparing quantiles through the distribution."""
    return sum(o.weight for o in outcomes if (o.loss < x if strict else o.loss <= x))


def monte_carlo_tolerance(p: float, draws_engine: int, draws_reference: int) -> float:
    """Four standard errors of the difference of two independent estimates of a probability p."""
    return 4 * math.sqrt(p * (1 - p) * (1 / draws_engine + 1 / draws_reference)) + 1e-9


def quantile_agrees(outcomes: Sequence[Outcome], x: float, q: float, tolerance: float) -> bool:
    """x is a q-quantile of the outcomes' distribution, up to `tolerance` in probability."""
    return cdf(outcomes, x, strict=True) <= q + tolerance and cdf(outcomes, x) >= q - tolerance


# --------------------------------------------------------------------------------------------
# Concentration and levels
# --------------------------------------------------------------------------------------------


def third_party_platforms(profile: Profile) -> list[str]:
    """ "each third-party platform (any platform but those of own_store channels)": the platforms of
    channels and of link vias, in order of first appearance."""
    own = {c.platform for c in profile.channels if c.kind == "own_store"}
    seen: list[str] = []
    for c in profile.channels:
        for platform in (c.platform, *(link.via for link in c.links)):
            if platform not in own and platform not in seen:
                seen.append(platform)
    return seen


def dependence(profile: Profile, platform: str) -> float:
    """ "dependence = Σ s_c of its channels + Σ over other channels of s_c × their link shares via it"."""
    direct = sum(c.share for c in profile.channels if c.platform == platform)
    via = sum(
        c.share * sum(link.share for link in c.links if link.via == platform)
        for c in profile.channels
        if c.platform != platform
    )
    return direct + via


def concentration(profile: Profile) -> dict[str, Any]:
    """dependence per third-party platform, "top_platform/top_dependence = the largest", and "hhi =
    Σ over third-party platforms of (Σ s_c on it)²"."""
    platforms = third_party_platforms(profile)
    per_platform = {p: dependence(profile, p) for p in platforms}
    top = max(platforms, key=lambda p: per_platform[p], default=None)  # max keeps the first of ties
    hhi = sum(sum(c.share for c in profile.channels if c.platform == p) ** 2 for p in platforms)
    return {
        "hhi": hhi,
        "top_platform": top,
        "top_dependence": per_platform[top] if top is not None else 0.0,
        "dependence": per_platform,
    }


def score_level(score: float, t: Mapping[str, float]) -> str:
    """Rule 1: "score >= crit (70) → CRITICAL, >= warn (40) → WARNING"."""
    return "CRITICAL" if score >= t["crit"] else "WARNING" if score >= t["warn"] else "OK"


def cash_level(runway: float | None, shortfall: float, t: Mapping[str, float]) -> str:
    """Rule 2: "runway_weeks < runway_crit_weeks (4) or cash_shortfall_probability >= shortfall_crit
    → CRITICAL; runway_weeks < runway_warn_weeks (12) or cash_shortfall_probability >= shortfall_warn
    → WARNING"."""
    if (runway is not None and runway < t["runway_crit_weeks"]) or shortfall >= t["shortfall_crit"]:
        return "CRITICAL"
    if (runway is not None and runway < t["runway_warn_weeks"]) or shortfall >= t["shortfall_warn"]:
        return "WARNING"
    return "OK"


def shock_level(reports: Sequence[Mapping[str, Any]], t: Mapping[str, float]) -> str:
    """Rule 3: "an event with p >= 0.5 and days_until <= 30 (in effect included) with shock >=
    shock_crit (0.5) → CRITICAL, >= shock_warn (0.2) → WARNING"."""
    shocks = [r["shock"] for r in reports if r["probability"] >= 0.5 and r["days_until"] <= 30]
    worst = max(shocks, default=0.0)
    return "CRITICAL" if worst >= t["shock_crit"] else "WARNING" if worst >= t["shock_warn"] else "OK"


def concentration_level(top_dependence: float, t: Mapping[str, float]) -> str:
    """Rule 4: "top_dependence >= concentration_warn (0.6) → WARNING"."""
    return "WARNING" if top_dependence >= t["concentration_warn"] else "OK"


def worst(levels: Iterable[str]) -> str:
    """The overall level: the worst rule."""
    return max(levels, key=LEVELS.index)


# --------------------------------------------------------------------------------------------
# The assessment
# --------------------------------------------------------------------------------------------


def reference_assess(
    exposure: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """The v2 numbers `check --format json` reports, for the given config dicts as of `now`."""
    now = to_utc(now)
    profile = read_profile(exposure, settings)
    resolved = resolve_events(events, profile, now)
    reports = [event_report(profile, e) for e in resolved]
    score = overall_score(profile, resolved)
    likely_cash = forecast(profile, likely(resolved), now)
    runway = runway_weeks(profile.business.cash, likely_cash)
    low, low_week = cash_low(likely_cash) if likely_cash else (profile.business.cash, 0)
    kind, outcomes = loss_outcomes(profile, resolved, now, seed_of(exposure, events, settings, now.isoformat()))
    shortfall = shortfall_probability(outcomes)
    conc = concentration(profile)
    t = profile.settings.thresholds
    rules = {
        "score": score_level(score, t),
        "cash": cash_level(runway, shortfall, t),
        "shock": shock_level(reports, t),
        "concentration": concentration_level(conc["top_dependence"], t),
    }
    return {
        "model_version": 2,
        "level": worst(rules.values()),
        "rules": rules,
        "score": score,
        "expected_loss": expected_union_loss(profile, resolved, probability),
        "loss_p50": quantile(outcomes, 0.5),
        "loss_p95": quantile(outcomes, 0.95),
        "distribution": kind,
        "cash_forecast": {
            "baseline": forecast(profile, [], now),
            "likely": likely_cash,
            "stress": forecast(profile, stress(resolved), now),
        },
        "cash_low": low,
        "cash_low_week": low_week,
        "cash_shortfall_probability": shortfall,
        "runway_weeks": runway,
        "capacity": capacity(profile),
        "concentration": conc,
        "events": reports,
    }
