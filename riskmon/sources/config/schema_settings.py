"""riskmon.toml's models: thresholds, the model, history, feeds, alerts and exports.
Imported from riskmon.sources.config.schema."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    model_validator,
)

from riskmon.core.settings import parse_duration
from riskmon.i18n import N_, _
from riskmon.sources.config.checks import FieldProblem, check_unique_names
from riskmon.sources.config.schema_types import MAX_DAYS, Days, Id, Name, Platform, Share, Strict, Weeks

# ---------------------------------------------------------------------------------------------
# riskmon.toml


class Thresholds(Strict):
    warn: Annotated[float, Field(ge=0, le=100)] = 40.0
    crit: Annotated[float, Field(ge=0, le=100)] = 70.0
    runway_warn_weeks: Weeks = 12.0
    runway_crit_weeks: Weeks = 4.0
    shock_warn: Share = 0.2
    shock_crit: Share = 0.5
    concentration_warn: Share = 0.6
    shortfall_warn: Share = 0.2
    """Probability that cash runs short within the forecast that makes it WARNING."""
    shortfall_crit: Share = 0.5

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        # The keys stay as written in the sentence; the problem is reported on the crit side's field.
        at_least, at_most = N_("{crit} must be at least {warn}"), N_("{crit} must be at most {warn}")
        runway_wrong = self.runway_crit_weeks > self.runway_warn_weeks
        for crit, warn, wrong, sentence in (
            ("crit", "warn", self.crit < self.warn, at_least),
            ("runway_crit_weeks", "runway_warn_weeks", runway_wrong, at_most),
            ("shock_crit", "shock_warn", self.shock_crit < self.shock_warn, at_least),
            ("shortfall_crit", "shortfall_warn", self.shortfall_crit < self.shortfall_warn, at_least),
        ):
            if wrong:
                raise FieldProblem(_(sentence).format(crit=crit, warn=warn), (crit,))
        return self


class ModelSettings(Strict):
    horizon_months: Annotated[float, Field(gt=0, le=60)] = 3.0
    """Months it takes to rebuild a lost channel."""
    recovery_rate: Share = 0.6
    """Share of stranded stock's value you get back by selling it elsewhere."""
    off_platform_stranded: Share = 0.25
    """Share of the stranding that stock in your own or a third-party warehouse still suffers."""
    draws: Annotated[int, Field(ge=100, le=1_000_000)] = 2000
    """Monte Carlo draws when more than 10 uncertain events must be combined."""
    forecast_weeks: Annotated[int, Field(ge=4, le=104)] = 13
    """Weeks of the cash forecast."""


class HistorySettings(Strict):
    full_days: Days = 2.0
    hourly_days: Days = 60.0
    max_days: Annotated[float, Field(gt=0, le=MAX_DAYS)] = 1095.0


MAX_DURATION_DAYS = 3650


def _duration_in_range(text: str) -> str:
    if parse_duration(text) > MAX_DURATION_DAYS * 86400:
        message = _("{value} is too long: durations go up to {days}d (ten years)")
        raise ValueError(message.format(value=repr(text.strip()), days=MAX_DURATION_DAYS))
    return text


Duration = Annotated[str, Field(pattern=r"^\s*\d+(\.\d+)?\s*(s|m|h|d|w)\s*$"), AfterValidator(_duration_in_range)]


class FeedSettings(Strict):
    name: Id
    type: Literal["file", "http", "rss"]
    url: str | None = None
    path: str | None = None
    every: Duration = "15m"
    timeout: Annotated[float, Field(gt=0, le=300)] = 10.0
    max_bytes: Annotated[int, Field(gt=0)] = 2_000_000
    required: bool = False
    max_age: Duration = "1d"
    trust: bool = True
    headers: dict[Name, Name] = Field(default_factory=dict)
    """Header name -> name of the environment variable holding its value."""
    keywords: dict[Platform, list[str]] = Field(default_factory=dict)
    """rss only: platform -> words that tag a headline with that platform."""

    @model_validator(mode="after")
    def _where(self) -> FeedSettings:
        if self.type == "file" and not (self.path or self.url):
            raise FieldProblem(_("a file feed needs path"), ("path",))
        if self.type in ("http", "rss") and not self.url:
            raise FieldProblem(_("an {type} feed needs url").format(type=self.type), ("url",))
        return self


AlertTrigger = Literal["level_change", "critical_event", "overdue_step"]
CheckState = Literal["OK", "WARNING", "CRITICAL", "UNKNOWN"]
ALERT_TRIGGERS: tuple[AlertTrigger, ...] = ("level_change", "critical_event", "overdue_step")
DEFAULT_FAIL_ON: tuple[CheckState, ...] = ("CRITICAL", "UNKNOWN")


class AlertSettings(Strict):
    name: Name = ""
    type: Literal["webhook", "command", "desktop", "healthchecks", "alertmanager", "apprise"]
    url: str | None = None
    payload: Literal["json", "slack", "discord"] = "json"
    argv: list[str] = Field(default_factory=list)
    on: list[AlertTrigger] = Field(default_factory=lambda: list(ALERT_TRIGGERS))
    renotify: Duration | None = None
    fail_on: list[CheckState] = Field(default_factory=lambda: list(DEFAULT_FAIL_ON))
    headers: dict[Name, Name] = Field(default_factory=dict)
    urls_env: list[Name] = Field(default_factory=list)
    """apprise: environment variables holding the service URLs (secrets stay out of this file)."""

    @model_validator(mode="after")
    def _needs(self) -> AlertSettings:
        if self.type in ("webhook", "healthchecks", "alertmanager") and not self.url:
            sentence = _("an {type} alert needs url") if self.type[0] == "a" else _("a {type} alert needs url")
            raise FieldProblem(sentence.format(type=self.type), ("url",))
        if self.type == "apprise" and not self.urls_env:
            example = 'urls_env = ["RISKMON_DINGTALK_URL"]'
            message = _("an apprise alert needs urls_env, e.g. {example}").format(example=example)
            raise FieldProblem(message, ("urls_env",))
        if self.type == "command" and not self.argv:
            example = 'argv = ["/usr/local/bin/notify", "--json"]'
            raise FieldProblem(_("a command alert needs argv, e.g. {example}").format(example=example), ("argv",))
        return self


class ExportSettings(Strict):
    prometheus_textfile: str | None = None
    """Path of a .prom file for node_exporter's textfile collector, rewritten after each reassess."""
    profile: Name | None = None
    """The `profile` label of this config's Prometheus series and Alertmanager alerts; default: the
    config directory's name."""


def _language_tag(value: object) -> object:
    """'zh_CN.UTF-8', 'zh', 'zh-hans' -> 'zh-CN': any spelling riskmon.i18n understands; anything
    else is left for the Literal to reject with the list of languages and a did-you-mean."""
    from riskmon.i18n import normalize

    return (normalize(value) or value) if isinstance(value, str) else value


class UiSettings(Strict):
    language: Annotated[Literal["en", "zh-CN"], BeforeValidator(_language_tag)] | None = None
    """The language of riskmon's text; default: --lang, else LC_ALL / LC_MESSAGES / LANG."""


class Settings(Strict):
    thresholds: Thresholds = Field(default_factory=Thresholds)
    model: ModelSettings = Field(default_factory=ModelSettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    feeds: list[FeedSettings] = Field(default_factory=list)
    alerts: list[AlertSettings] = Field(default_factory=list)
    export: ExportSettings = Field(default_factory=ExportSettings)
    ui: UiSettings = Field(default_factory=UiSettings)

    @model_validator(mode="after")
    def _unique_feeds(self) -> Settings:
        check_unique_names(self.feeds)
        return self
