"""Prometheus text exposition of assessments: one profile (`check --format prometheus`, the
daemon's textfile) or a whole fleet (`fleet check`, `/metrics`), by one renderer.

Naming follows the Prometheus conventions (https://prometheus.io/docs/practices/naming/): base
units in the name (`_seconds`, `_timestamp_seconds`), `_ratio` for values from 0 to 1, `_info`
for a series whose labels are the data. Money has no base unit: amounts are in the business's
currency, named by the `currency` label of `riskmon_info`. Every series carries `profile` (and a
fleet's labels for it), so several sellers' series never collide in one Prometheus. A label
that changes over time (an event's status, its title) lives only on `riskmon_event_info`, so the
event's numeric series stay one series each for their whole life. The metric names renamed
before 1.0 are listed in CHANGELOG.md.

Rendering is split for large fleets: `profile_samples` turns one assessment into its sample lines
(once per reassessment), `render` merges any number of them under one HELP/TYPE per family.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from riskmon import __version__
from riskmon.core.record import record
from riskmon.present.formats import plain_number
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.sources.config.load import Config

UNKNOWN_LEVEL = 3
"""`riskmon_level` of a profile that could not be assessed (as `check`'s exit code)."""


@record
class Family:
    name: str
    help: str


_MONEY = " In the business currency (the currency label of riskmon_info)."

FAMILIES: tuple[Family, ...] = (
    Family("info", 'riskmon version and the business assessed; demo="true" for the bundled demo config.'),
    Family("level", "Risk level: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the profile could not be assessed)."),
    Family("config_ok", "1 when the profile's config files are valid; 0 when not (a daemon runs on the last good)."),
    Family("score", "Overall risk score from 0 to 100."),
    Family("rule_level", "Level raised by each rule: 0 OK, 1 WARNING, 2 CRITICAL."),
    Family("runway_seconds", "Time until cash runs out if likely events happen (+Inf when it does not)."),
    Family("expected_loss", "Probability-weighted loss over all events." + _MONEY),
    Family("loss_p50", "Median loss over the events' joint outcomes." + _MONEY),
    Family("loss_p95", "95th percentile of the loss over the events' joint outcomes." + _MONEY),
    Family("capacity", "Cash on hand plus one month of gross profit." + _MONEY),
    Family("cash_low", "Lowest end-of-week cash balance of the likely forecast." + _MONEY),
    Family("cash_shortfall_probability_ratio", "Probability (0 to 1) that cash runs out within the forecast."),
    Family("hhi_ratio", "Herfindahl-Hirschman index of order shares per third-party platform (0 to 1)."),
    Family("top_dependence_ratio", "Share of orders (0 to 1) depending on the most important third-party platform."),
    Family("platform_dependence_ratio", "Share of orders (0 to 1) depending on a third-party platform."),
    Family("event_info", "One event's changing facts as labels: kind, status, title."),
    Family("event_score", "Risk score of one event from 0 to 100."),
    Family("event_expected_loss", "Probability-weighted loss of one event." + _MONEY),
    Family("event_probability_ratio", "Probability (0 to 1) that the event happens."),
    Family("event_effective_timestamp_seconds", "Unix time the event takes (or took) effect."),
    Family("feed_up", "1 when the last poll of a feed succeeded."),
    Family("feed_stale", "1 when a feed's last good copy is older than its max_age."),
    Family("assessment_timestamp_seconds", "Unix time the assessment is as of."),
)
ORDER = {f.name: i for i, f in enumerate(FAMILIES)}

Samples = dict[str, list[str]]
"""Family name -> sample lines (`riskmon_score{profile="a"} 42`), one profile's or several's."""


def profile_name(cfg: Config) -> str:
    """A single config directory's `profile` label: `[export] profile` in riskmon.toml, else
    "demo" for the bundled demo config, else the config directory's name (as in a fleet)."""
    chosen = getattr(cfg.settings.export, "profile", None)
    if chosen:
        return str(chosen)
    if cfg.location.is_demo:
        return "demo"
    return cfg.path.name or cfg.path.resolve().name


def _escape(value: str) -> str:
    return clean(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def label_text(labels: Mapping[str, str]) -> str:
    """`a="x",b="y"`: label pairs, values cleaned of control characters and escaped."""
    return ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())


class _Builder:
    """One profile's samples; every sample carries the profile's labels first."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.base = label_text(labels)
        self.samples: Samples = {}

    def add(
        self, family: str, value: float | None, extra: Mapping[str, str] | None = None, *, inf: bool = False
    ) -> None:
        """A sample; None or a non-finite value is left out (Prometheus's "no value"), unless
        `inf` says +Inf/-Inf mean something for this family."""
        if value is None or math.isnan(value) or (math.isinf(value) and not inf):
            return
        labels = self.base
        if extra:
            more = label_text(extra)
            labels = f"{labels},{more}" if labels else more
        where = f"{{{labels}}}" if labels else ""
        self.samples.setdefault(family, []).append(f"riskmon_{family}{where} {plain_number(value)}")


def _number(a: Any, name: str) -> float | None:
    """A top-level number of the assessment that only some engines have (v2's forecast)."""
    value = getattr(a, name, None)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def profile_samples(
    a: Any,
    labels: Mapping[str, str],
    *,
    feeds: Sequence[Mapping[str, Any]] = (),
    demo: bool = False,
    config_ok: bool | None = None,
) -> Samples:
    """One assessment's samples, every one labelled with `labels` (`profile` first)."""
    b = _Builder(labels)
    business = a.profile.business
    info = {"version": __version__, "business": business.name, "currency": business.currency}
    b.add("info", 1, {**info, "demo": "true" if demo else "false"})
    b.add("level", int(a.level))
    if config_ok is not None:
        b.add("config_ok", 1 if config_ok else 0)
    b.add("score", a.score)
    for r in a.rules:
        b.add("rule_level", int(r.level), {"rule": r.rule})
    # Base units: runway in seconds, +Inf when cash does not run down.
    b.add("runway_seconds", math.inf if a.runway_weeks is None else a.runway_weeks * 7 * 86400, inf=True)
    b.add("expected_loss", a.expected_loss)
    for name in ("loss_p50", "loss_p95", "capacity", "cash_low"):
        b.add(name, _number(a, name))
    b.add("cash_shortfall_probability_ratio", _number(a, "cash_shortfall_probability"))
    conc = a.concentration
    b.add("hhi_ratio", conc.hhi)
    b.add("top_dependence_ratio", conc.top_dependence)
    for platform, share in conc.dependence.items():
        b.add("platform_dependence_ratio", share, {"platform": platform})
    _event_samples(b, a.events)
    for f in feeds:
        feed = {"feed": str(f["name"])}
        b.add("feed_up", 1 if f.get("ok") else 0, feed)
        b.add("feed_stale", 1 if f.get("stale") else 0, feed)
    b.add("assessment_timestamp_seconds", a.now.timestamp())
    return b.samples


def _event_samples(b: _Builder, events: Iterable[Any]) -> None:
    for e in events:
        key = {"event": e.id}
        # The status as of the assessment (v2 replays a timeline), else the event's own.
        status = getattr(e, "status", None) or e.event.status
        b.add("event_info", 1, {**key, "kind": e.event.kind, "status": str(status), "title": e.event.title})
        b.add("event_score", e.score, key)
        b.add("event_expected_loss", e.expected_loss, key)
        b.add("event_probability_ratio", e.probability, key)
        b.add("event_effective_timestamp_seconds", e.effective.timestamp(), key)


def unknown_samples(labels: Mapping[str, str], *, config_ok: bool) -> Samples:
    """A profile that could not be assessed: level 3 (UNKNOWN), and whether its config is the cause."""
    b = _Builder(labels)
    b.add("level", UNKNOWN_LEVEL)
    b.add("config_ok", 1 if config_ok else 0)
    return b.samples


def render(profiles: Iterable[Samples]) -> str:
    """The exposition of every profile's samples: families in a fixed order, each with its HELP
    and TYPE once, then every profile's samples of it in the order given."""
    merged: dict[str, list[str]] = {}
    for samples in profiles:
        for name, lines in samples.items():
            merged.setdefault(name, []).extend(lines)
    out: list[str] = []
    for family in FAMILIES:
        found = merged.get(family.name)
        if not found:
            continue
        out.append(f"# HELP riskmon_{family.name} {family.help}")
        out.append(f"# TYPE riskmon_{family.name} gauge")
        out.extend(found)
    return "\n".join(out) + "\n" if out else ""


def prometheus(
    a: Any,
    *,
    feeds: Sequence[Mapping[str, Any]] = (),
    demo: bool = False,
    labels: Mapping[str, str] | None = None,
    config_ok: bool | None = None,
) -> str:
    """One profile's exposition (`check --format prometheus`, the daemon's textfile)."""
    return render([profile_samples(a, labels or {}, feeds=feeds, demo=demo, config_ok=config_ok)])
