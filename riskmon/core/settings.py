"""The settings of riskmon.toml as plain data: thresholds, model constants, history retention,
feeds, alerts and exports. Validated at the edge (`riskmon.sources.config.schema`)."""

from __future__ import annotations

from riskmon.core.record import field, record

ALERT_TRIGGERS = ("level_change", "critical_event", "overdue_step")
DEFAULT_FAIL_ON = ("CRITICAL", "UNKNOWN")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'15m' -> 900.0 seconds (the text was validated: a number and one of s m h d w)."""
    text = text.strip()
    return float(text[:-1]) * _SECONDS[text[-1]]


@record(slots=True)
class Thresholds:
    """When the level rises: score, runway, shock, concentration and shortfall limits."""

    warn: float = 40.0
    crit: float = 70.0
    runway_warn_weeks: float = 12.0
    runway_crit_weeks: float = 4.0
    shock_warn: float = 0.2
    shock_crit: float = 0.5
    concentration_warn: float = 0.6
    shortfall_warn: float = 0.2
    shortfall_crit: float = 0.5


@record(slots=True)
class ModelSettings:
    """The model's constants: recovery horizon, stock recovery, draws, forecast weeks."""

    horizon_months: float = 3.0
    """Months it takes to rebuild a lost channel."""
    recovery_rate: float = 0.6
    """Share of stranded stock's value got back by selling it elsewhere."""
    off_platform_stranded: float = 0.25
    """Share of the stranding that stock in a warehouse the seller controls still suffers."""
    draws: int = 2000
    """Monte Carlo draws when there are too many uncertain events to enumerate."""
    forecast_weeks: int = 13


@record(slots=True)
class HistorySettings:
    """How long history keeps every check, then hourly, then nothing."""

    full_days: float = 2.0
    hourly_days: float = 60.0
    max_days: float = 1095.0


@record(slots=True)
class FeedSettings:
    """One event feed: where it is read from, how often, and how far it is trusted."""

    name: str
    type: str
    """file | http | rss"""
    url: str | None = None
    path: str | None = None
    every: str = "15m"
    timeout: float = 10.0
    max_bytes: int = 2_000_000
    required: bool = False
    max_age: str = "1d"
    trust: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    """Header name -> name of the environment variable holding its value."""
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """rss only: platform -> words that tag a headline with that platform."""


@record(slots=True)
class AlertSettings:
    """One alert channel: where a level change is sent, and on which changes."""

    type: str
    """webhook | command | desktop | healthchecks | alertmanager | apprise"""
    name: str = ""
    url: str | None = None
    payload: str = "json"
    argv: tuple[str, ...] = ()
    on: tuple[str, ...] = ALERT_TRIGGERS
    renotify: str | None = None
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    headers: dict[str, str] = field(default_factory=dict)
    urls_env: tuple[str, ...] = ()
    """apprise: the environment variables holding the service URLs."""


@record(slots=True)
class ExportSettings:
    prometheus_textfile: str | None = None
    """A .prom file for node_exporter's textfile collector, rewritten after each assessment."""
    profile: str | None = None
    """The `profile` label of this config's series and alerts; None: the config directory's name."""


@record(slots=True)
class UiSettings:
    language: str | None = None
    """The language riskmon speaks ("en", "zh-CN"); None: --lang or the locale variables decide
    (riskmon.i18n). Only a tag here: the core itself never translates."""


@record(slots=True)
class Settings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    model: ModelSettings = field(default_factory=ModelSettings)
    history: HistorySettings = field(default_factory=HistorySettings)
    feeds: tuple[FeedSettings, ...] = ()
    alerts: tuple[AlertSettings, ...] = ()
    export: ExportSettings = field(default_factory=ExportSettings)
    ui: UiSettings = field(default_factory=UiSettings)


EngineSettings = Settings
"""What `assess()` reads: the thresholds and the model constants of the settings."""
