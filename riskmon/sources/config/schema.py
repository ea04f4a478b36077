"""Validated domain types: the seller's business, its channels, policy events and settings.

These are the shapes of the config files (see README, "Config reference"). Every model forbids
unknown keys so that a typo is an error with a "did you mean", not a silently ignored setting.
Times are always timezone-aware UTC inside riskmon: a TOML date means 00:00 UTC that day and a
datetime without an offset is read as UTC.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from riskmon.core import model as core
from riskmon.core import playbook_rules as core_rules
from riskmon.core import settings as core_settings
from riskmon.core.dates import DATE_MAX as DATE_MAX
from riskmon.core.dates import DATE_MIN as DATE_MIN
from riskmon.core.dates import in_date_range as in_date_range
from riskmon.core.dates import to_utc as to_utc
from riskmon.core.model import DEFAULT_PROBABILITY as DEFAULT_PROBABILITY
from riskmon.core.model import STATUS_RANK as STATUS_RANK
from riskmon.core.record import fields, is_record
from riskmon.core.settings import parse_duration as parse_duration
from riskmon.sources.config.schema_events import (
    Deadline as Deadline,
)
from riskmon.sources.config.schema_events import (
    Event as Event,
)
from riskmon.sources.config.schema_events import (
    EventCatalog as EventCatalog,
)
from riskmon.sources.config.schema_events import (
    Impact as Impact,
)
from riskmon.sources.config.schema_events import (
    TimelineEntry as TimelineEntry,
)
from riskmon.sources.config.schema_events import (
    _check_rrule as _check_rrule,
)
from riskmon.sources.config.schema_exposure import (
    Business as Business,
)
from riskmon.sources.config.schema_exposure import (
    Channel as Channel,
)
from riskmon.sources.config.schema_exposure import (
    Commitment as Commitment,
)
from riskmon.sources.config.schema_exposure import (
    Profile as Profile,
)
from riskmon.sources.config.schema_exposure import (
    TrafficLink as TrafficLink,
)
from riskmon.sources.config.schema_playbooks import (
    _PLACEHOLDER as _PLACEHOLDER,
)
from riskmon.sources.config.schema_playbooks import (
    PLACEHOLDERS as PLACEHOLDERS,
)
from riskmon.sources.config.schema_playbooks import (
    EventPatterns as EventPatterns,
)
from riskmon.sources.config.schema_playbooks import (
    PlaybookFile as PlaybookFile,
)
from riskmon.sources.config.schema_playbooks import (
    PlaybookRule as PlaybookRule,
)
from riskmon.sources.config.schema_playbooks import (
    PlaybookStep as PlaybookStep,
)
from riskmon.sources.config.schema_playbooks import (
    PlaybookText as PlaybookText,
)
from riskmon.sources.config.schema_playbooks import (
    Requires as Requires,
)
from riskmon.sources.config.schema_playbooks import (
    _check_event_patterns as _check_event_patterns,
)
from riskmon.sources.config.schema_playbooks import (
    _check_placeholders as _check_placeholders,
)
from riskmon.sources.config.schema_playbooks import (
    _check_variants as _check_variants,
)
from riskmon.sources.config.schema_settings import (
    ALERT_TRIGGERS as ALERT_TRIGGERS,
)
from riskmon.sources.config.schema_settings import (
    DEFAULT_FAIL_ON as DEFAULT_FAIL_ON,
)
from riskmon.sources.config.schema_settings import (
    MAX_DURATION_DAYS as MAX_DURATION_DAYS,
)
from riskmon.sources.config.schema_settings import (
    AlertSettings as AlertSettings,
)
from riskmon.sources.config.schema_settings import (
    AlertTrigger as AlertTrigger,
)
from riskmon.sources.config.schema_settings import (
    CheckState as CheckState,
)
from riskmon.sources.config.schema_settings import (
    Duration as Duration,
)
from riskmon.sources.config.schema_settings import (
    ExportSettings as ExportSettings,
)
from riskmon.sources.config.schema_settings import (
    FeedSettings as FeedSettings,
)
from riskmon.sources.config.schema_settings import (
    HistorySettings as HistorySettings,
)
from riskmon.sources.config.schema_settings import (
    ModelSettings as ModelSettings,
)
from riskmon.sources.config.schema_settings import (
    Settings as Settings,
)
from riskmon.sources.config.schema_settings import (
    Thresholds as Thresholds,
)
from riskmon.sources.config.schema_settings import (
    UiSettings as UiSettings,
)
from riskmon.sources.config.schema_settings import (
    _duration_in_range as _duration_in_range,
)
from riskmon.sources.config.schema_types import (
    _ID as _ID,
)
from riskmon.sources.config.schema_types import (
    _INVISIBLE as _INVISIBLE,
)
from riskmon.sources.config.schema_types import (
    _REGION as _REGION,
)
from riskmon.sources.config.schema_types import (
    CHANNEL_KINDS as CHANNEL_KINDS,
)
from riskmon.sources.config.schema_types import (
    EVENT_KINDS as EVENT_KINDS,
)
from riskmon.sources.config.schema_types import (
    MAX_DAYS as MAX_DAYS,
)
from riskmon.sources.config.schema_types import (
    MAX_MONEY as MAX_MONEY,
)
from riskmon.sources.config.schema_types import (
    MAX_WEEKS as MAX_WEEKS,
)
from riskmon.sources.config.schema_types import (
    STATUSES as STATUSES,
)
from riskmon.sources.config.schema_types import (
    ChannelKind as ChannelKind,
)
from riskmon.sources.config.schema_types import (
    Days as Days,
)
from riskmon.sources.config.schema_types import (
    EventKind as EventKind,
)
from riskmon.sources.config.schema_types import (
    Id as Id,
)
from riskmon.sources.config.schema_types import (
    Money as Money,
)
from riskmon.sources.config.schema_types import (
    Name as Name,
)
from riskmon.sources.config.schema_types import (
    Platform as Platform,
)
from riskmon.sources.config.schema_types import (
    Platforms as Platforms,
)
from riskmon.sources.config.schema_types import (
    Regions as Regions,
)
from riskmon.sources.config.schema_types import (
    Share as Share,
)
from riskmon.sources.config.schema_types import (
    Status as Status,
)
from riskmon.sources.config.schema_types import (
    Strict as Strict,
)
from riskmon.sources.config.schema_types import (
    SupplyRoute as SupplyRoute,
)
from riskmon.sources.config.schema_types import (
    UtcDateTime as UtcDateTime,
)
from riskmon.sources.config.schema_types import (
    Warehouse as Warehouse,
)
from riskmon.sources.config.schema_types import (
    Weeks as Weeks,
)
from riskmon.sources.config.schema_types import (
    _check_id as _check_id,
)
from riskmon.sources.config.schema_types import (
    _check_regions as _check_regions,
)
from riskmon.sources.config.schema_types import (
    _check_visible as _check_visible,
)
from riskmon.sources.config.schema_types import (
    _invisible_in as _invisible_in,
)
from riskmon.sources.config.schema_types import (
    _lower as _lower,
)
from riskmon.sources.config.schema_types import (
    _lower_list as _lower_list,
)
from riskmon.sources.config.schema_types import (
    _upper_list as _upper_list,
)

# ---------------------------------------------------------------------------------------------
# To the core's plain records


_CORE_TYPES: dict[str, type] = {
    "Commitment": core.Commitment,
    "Business": core.Business,
    "TrafficLink": core.TrafficLink,
    "Channel": core.Channel,
    "Profile": core.Profile,
    "Impact": core.Impact,
    "Deadline": core.Deadline,
    "TimelineEntry": core.TimelineEntry,
    "Event": core.Event,
    "Thresholds": core_settings.Thresholds,
    "ModelSettings": core_settings.ModelSettings,
    "HistorySettings": core_settings.HistorySettings,
    "FeedSettings": core_settings.FeedSettings,
    "AlertSettings": core_settings.AlertSettings,
    "ExportSettings": core_settings.ExportSettings,
    "UiSettings": core_settings.UiSettings,
    "Settings": core_settings.Settings,
    "Requires": core_rules.Requires,
    "PlaybookStep": core_rules.PlaybookStep,
    "PlaybookRule": core_rules.PlaybookRule,
    "PlaybookFile": core_rules.PlaybookFile,
}


def to_core(value: Any) -> Any:
    """A validated model as the core's frozen record of the same name (lists become tuples),
    so nothing past the edge depends on pydantic."""
    if isinstance(value, BaseModel):
        target = _CORE_TYPES[type(value).__name__]
        names = [f.name for f in fields(target)]
        return target(**{name: to_core(getattr(value, name)) for name in names})
    if isinstance(value, list):
        return tuple(to_core(v) for v in value)
    if isinstance(value, dict):
        return {k: to_core(v) for k, v in value.items()}
    return value


def revalidate(obj: Any) -> Any:
    """A core object checked again against every rule of the config files (after a what-if
    changed it): back to its model, validated, and to the core again. ValueError says why not,
    as `field: message`."""

    from pydantic import ValidationError

    model = globals()[type(obj).__name__]
    try:
        return to_core(model.model_validate(_plain(obj)))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        text = _bound_text(err) or str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ValueError(f"{where}: {text}" if where else text) from None


def _plain(value: Any) -> Any:
    """A core record as the data its model reads (tuples as lists)."""
    if is_record(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _bound_text(err: Any) -> str:
    from riskmon.i18n import _

    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    bound = {k: f"{v:g}" if isinstance(v, float) else str(v) for k, v in ctx.items()}
    sentence, key = {
        "greater_than_equal": (_("must be {n} or more"), "ge"),
        "less_than_equal": (_("must be {n} or less"), "le"),
        "greater_than": (_("must be more than {n}"), "gt"),
        "less_than": (_("must be less than {n}"), "lt"),
    }.get(kind, ("", ""))
    return sentence.format(n=bound.get(key)) if sentence else ""
