"""From a config directory to what every shell shows: the assessment, the playbook plan and the
explanations. Load, poll feeds, merge, assess.

`check`, `events`, `playbook`, `report`, `what-if`, the daemon and the TUI all go through
`evaluate()` so they cannot disagree about which events count, which steps to take or why an
event costs what it costs. Only the shells pass `now` in; they present, none computes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property

from riskmon.core.engine import Assessment, assess
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.model import Event
from riskmon.core.record import field, record, replace
from riskmon.core.settings import Settings
from riskmon.sources.config.load import Config, load_config

if TYPE_CHECKING:
    from typing import Any

    from riskmon.core.playbooks import Plan, Progress
    from riskmon.present.explain import Explanation
    from riskmon.sources.feeds.feeds import FeedResult


@record
class Evaluation:
    config: Config
    assessment: Assessment
    events: tuple[Event, ...]
    """The catalog merged with every feed's events: what was assessed."""
    feeds: list[dict[str, Any]] = field(default_factory=list)
    """Each feed's status as in `check --format json` `feeds[]`."""
    conflicts: list[str] = field(default_factory=list)
    headlines: list[dict[str, Any]] = field(default_factory=list)
    feed_failure: str | None = None
    """Set when a required feed is stale or never fetched: `check` reports UNKNOWN."""
    progress: Progress = field(default_factory=dict)
    """The playbook steps history says are done (`with_progress`); none by default."""

    @cached_property
    def plan(self) -> Plan:
        """The playbook for this assessment, steps ticked as `progress` says (worked out on first
        use: `check` at the lowest verbosity never needs it)."""
        from riskmon.usecases.plan import build_plan

        return build_plan(self.config, self.assessment, self.progress)

    @cached_property
    def explanations(self) -> Mapping[str, Explanation]:
        """Every counted event's explanation, by id (riskmon.present.explain), on first use."""
        from riskmon.present.explain import explain_all

        return explain_all(self.assessment)

    def explain(self, event_id: str) -> Explanation | None:
        """One event's explanation, without explaining the others."""
        from riskmon.present.explain import explain

        e = self.assessment.event(event_id)
        return None if e is None else explain(e, self.assessment)

    def with_progress(self, progress: Progress) -> Evaluation:
        """The same evaluation with history's done steps: its `plan` ticks them."""
        return replace(self, progress=progress)


def with_score_thresholds(settings: Settings, warn: float | None, crit: float | None) -> Settings:
    """`check -w/-c`: override the score thresholds, validated like the config file's."""
    if warn is None and crit is None:
        return settings
    from riskmon.core.record import replace
    from riskmon.errors import RiskmonError
    from riskmon.sources.config.schema import revalidate

    t = settings.thresholds
    wanted = replace(t, warn=t.warn if warn is None else warn, crit=t.crit if crit is None else crit)
    try:
        thresholds = revalidate(wanted)
    except ValueError as exc:
        from riskmon.i18n import _

        detail = _("-w/-c: {problem} (warning {warn}, critical {crit})").format(
            problem=exc, warn=f"{wanted.warn:g}", crit=f"{wanted.crit:g}"
        )
        raise RiskmonError(_("bad arguments: {detail}").format(detail=detail)) from None  # riskmon.cli.args' frame
    return replace(settings, thresholds=thresholds)


def poll_feeds(
    config: Config, now: datetime, *, offline: bool, budget: float | None, replay: bool = False
) -> tuple[list[Event], list[dict[str, Any]], list[str], list[dict[str, Any]], str | None]:
    """Merge the catalog with every feed (their last good copies when a poll fails).

    A replay polls at the wall-clock time, not at `now`, and leaves the feed cache as it was."""
    catalog = list(config.events)
    if not config.settings.feeds:
        return catalog, [], [], [], None
    from riskmon.sources.feeds.feeds import poll_all

    at = datetime.now(UTC) if replay else now
    feeds = list(config.settings.feeds)
    results = poll_all(feeds, at, base_dir=config.location.path, offline=offline, budget=budget, replay=replay)
    return merge_results(config, results)


def merge_results(
    config: Config, results: list[FeedResult]
) -> tuple[list[Event], list[dict[str, Any]], list[str], list[dict[str, Any]], str | None]:
    """`poll_feeds` for results polled elsewhere (the Monitor polls each feed on its own schedule)."""
    from riskmon.sources.feeds.feeds import merge_events, required_failure

    catalog = list(config.events)
    events, conflicts = merge_events(catalog, results)
    statuses = [r.status for r in results]
    headlines = [h.to_json() for r in results for h in r.headlines]
    return (
        events,
        [s.to_json() for s in statuses],
        [f"{c.event_id}: {c.winner} wins over {c.loser} ({c.reason})" for c in conflicts],
        headlines,
        required_failure(statuses),
    )


def evaluate(
    config: Config | str | None,
    now: datetime,
    *,
    offline: bool = False,
    budget: float | None = None,
    warn: float | None = None,
    crit: float | None = None,
    replay: bool = False,
) -> Evaluation:
    """`replay`: `now` came from --now, an instant to look at rather than the present (see
    `poll_feeds`)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    settings = with_score_thresholds(cfg.settings, warn, crit)
    events, feeds, conflicts, headlines, failure = poll_feeds(cfg, now, offline=offline, budget=budget, replay=replay)
    assessment = assess(cfg.profile, events, now, settings)
    return Evaluation(cfg, assessment, tuple(events), feeds, conflicts, headlines, failure)


def evaluate_results(config: Config, results: list[FeedResult], now: datetime) -> Evaluation:
    """`evaluate` for feed results the caller polled itself (the Monitor). Pure: no I/O."""
    events, feeds, conflicts, headlines, failure = merge_results(config, results)
    assessment = assess(config.profile, events, now, config.settings)
    return Evaluation(config, assessment, tuple(events), feeds, conflicts, headlines, failure)
