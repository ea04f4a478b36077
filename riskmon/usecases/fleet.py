"""Every profile of a fleet assessed in one process, against the fleet's shared events and feeds.

`fleet check`, `fleet daemon` and the fleet dashboard go through these functions, so a profile
is assessed the same way by all of them, and the same way `check --config PROFILE_DIR` would
assess it with the fleet's shared events and feeds added to its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.core.record import field, record
from riskmon.errors import ConfigError, RiskmonError
from riskmon.paths import ConfigLocation, user_data_dir
from riskmon.present.fleet import EXIT_CODES, FleetRow, row_of
from riskmon.sources.fleet import Fleet, profile_dirs

if TYPE_CHECKING:
    from riskmon.sources.config.load import Config
    from riskmon.sources.feeds.feeds import FeedResult
    from riskmon.usecases.evaluate import Evaluation

SOURCE = "fleet"
"""`config_source` of a fleet profile's config (check's is "--config", "$RISKMON_CONFIG", ...)."""


def data_dir(fleet_dir: Path, given: str | Path | None = None) -> Path:
    """Where a fleet keeps its state (history per profile, feed caches): `--data DIR`, else
    `<user data dir>/fleet/<fleet directory's name>`."""
    if given:
        return Path(given).expanduser()
    return user_data_dir() / "fleet" / (fleet_dir.resolve().name or "fleet")


def history_path(data: Path, name: str) -> Path:
    return data / "history" / f"{name}.json"


def feed_cache(data: Path, name: str | None = None) -> Path:
    """Shared feeds' cached copies (`name` None), or one profile's own feeds'."""
    return data / "feeds" if name is None else data / "feeds" / "profiles" / name


@record
class ProfileOutcome:
    """One profile's assessment, or why there is none."""

    name: str
    path: Path
    labels: dict[str, str]
    evaluation: Evaluation | None = None
    error: RiskmonError | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    """What the shell added (check's playbooks, history changes)."""

    @property
    def level(self) -> str:
        ev = self.evaluation
        if ev is None or ev.feed_failure:
            return "UNKNOWN"
        return str(ev.assessment.level.name)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.level]

    def row(self) -> FleetRow:
        """The profile's row in the fleet table."""
        if self.evaluation is None:
            return FleetRow(self.name, "UNKNOWN", reason=self.message)
        level = self.level
        return row_of(self.name, self.evaluation.assessment, level, self.message if level == "UNKNOWN" else None)

    @property
    def message(self) -> str:
        """Why the profile is UNKNOWN ("" when it is not)."""
        if self.error is not None:
            return self.error.message
        return self.evaluation.feed_failure or "" if self.evaluation is not None else ""

    @property
    def problems(self) -> list[Any]:
        return list(self.error.problems) if isinstance(self.error, ConfigError) else []


def as_error(exc: BaseException) -> RiskmonError:
    """A profile's failure as riskmon's error (a bug's exception keeps its type in the message)."""
    return exc if isinstance(exc, RiskmonError) else RiskmonError(f"internal error: {type(exc).__name__}: {exc}")


def load_profile(fleet: Fleet, path: Path) -> Config:
    """A profile's config with the fleet's shared events; ConfigError names its files' problems."""
    from riskmon.sources.config.load import load_config

    return fleet.with_shared_events(load_config(ConfigLocation(path, SOURCE)))


def own_feeds(cfg: Config) -> list[Any]:
    """The profile's own feeds (riskmon.toml `[[feeds]]`)."""
    return list(cfg.settings.feeds)


def profile_results(
    shared: Sequence[FeedResult], own: Sequence[FeedResult], own_names: Sequence[str]
) -> list[FeedResult]:
    """The feed results a profile is assessed with: the shared feeds, except those its own feed of
    the same name replaces, then its own."""
    mine = set(own_names)
    return [*(r for r in shared if r.status.name not in mine), *own]


def poll(
    feeds: Sequence[Any],
    now: datetime,
    *,
    base_dir: Path,
    cache_dir: Path,
    offline: bool,
    budget: float | None,
    replay: bool,
) -> list[FeedResult]:
    """Every feed of one group polled once (a replay at the wall clock, leaving caches alone)."""
    if not feeds:
        return []
    from riskmon.sources.feeds.feeds import poll_all

    at = datetime.now(UTC) if replay else now
    return poll_all(
        list(feeds), at, cache_dir=cache_dir, base_dir=base_dir, offline=offline, budget=budget, replay=replay
    )


def evaluate_fleet(
    fleet: Fleet,
    now: datetime,
    *,
    data: Path,
    offline: bool = False,
    budget: float | None = None,
    replay: bool = False,
) -> list[ProfileOutcome]:
    """Every profile assessed as of `now`, in name order; the shared feeds are polled once. A
    profile that cannot be assessed is an outcome with its error, never an exception."""
    from riskmon.usecases.evaluate import evaluate_results

    shared = poll(
        fleet.feeds, now, base_dir=fleet.path, cache_dir=feed_cache(data), offline=offline, budget=budget, replay=replay
    )
    out = []
    for name, path in profile_dirs(fleet.path).items():
        labels = fleet.profile_labels(name)
        try:
            cfg = load_profile(fleet, path)
            mine = own_feeds(cfg)
            own = poll(
                mine,
                now,
                base_dir=path,
                cache_dir=feed_cache(data, name),
                offline=offline,
                budget=budget,
                replay=replay,
            )
            ev = evaluate_results(cfg, profile_results(shared, own, [f.name for f in mine]), now)
        except Exception as exc:  # one profile's trouble never hides the others
            out.append(ProfileOutcome(name, path, labels, error=as_error(exc)))
            continue
        out.append(ProfileOutcome(name, path, labels, evaluation=ev))
    return out
