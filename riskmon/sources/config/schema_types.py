"""What every config model shares: the strict base model, the field types and the checks behind
them. The models are imported from riskmon.sources.config.schema."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from riskmon.core import model as core
from riskmon.core.dates import MAX_YEAR, MIN_YEAR, in_date_range, parse_iso, to_utc
from riskmon.i18n import _

ChannelKind = Literal["marketplace", "social_shop", "own_store", "other"]
EventKind = Literal[
    "ban",
    "shop_closure",
    "link_cutoff",
    "account_suspension",
    "fee_change",
    "payout_hold",
    "service_shutdown",
    "season",
    "duty_change",
]
Status = Literal["rumored", "announced", "confirmed", "in_effect", "paused", "resolved", "cancelled"]

EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
CHANNEL_KINDS: tuple[str, ...] = ChannelKind.__args__  # type: ignore[attr-defined]
assert (EVENT_KINDS, STATUSES, CHANNEL_KINDS) == (core.EVENT_KINDS, core.STATUSES, core.CHANNEL_KINDS)

Warehouse = Literal["own", "platform", "third_party", "virtual", "none"]
SupplyRoute = Literal["parcel", "bulk", "local"]


def _to_utc(value: Any) -> Any:
    """core.dates.to_utc, its reasons in the user's language (the core never translates)."""
    try:
        return to_utc(value)
    except ValueError:
        parsed = parse_iso(value) if isinstance(value, str) else value
        if parsed is None:
            hint = _("use 2025-01-19 or 2025-01-19T17:00:00+07:00")
            message = _("not a date or date-time: {value} ({hint})").format(value=repr(value), hint=hint)
            raise ValueError(message) from None
        raise ValueError(_outside_dates(parsed.isoformat())) from None


def _in_date_range(value: datetime) -> datetime:
    try:
        return in_date_range(value)
    except ValueError:
        raise ValueError(_outside_dates(value.date().isoformat())) from None


def _outside_dates(day: str) -> str:
    sentence = _("{date} is outside the supported dates (years {low} to {high})")
    return sentence.format(date=day, low=MIN_YEAR, high=MAX_YEAR)


UtcDateTime = Annotated[datetime, BeforeValidator(_to_utc), AfterValidator(_in_date_range)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]
MAX_MONEY = 1e15
"""The largest amount riskmon accepts (a quadrillion in any currency): every sum and product the
engine forms from amounts this size stays a finite float, so no output shows inf or NaN."""
Money = Annotated[float, Field(ge=0.0, le=MAX_MONEY)]
MAX_DAYS = 36500.0
"""Day counts (payout holds, history retention) up to a hundred years."""
Days = Annotated[float, Field(ge=0.0, le=MAX_DAYS)]
MAX_WEEKS = 5200.0
"""Runway thresholds in weeks, up to a hundred years."""
Weeks = Annotated[float, Field(ge=0.0, le=MAX_WEEKS)]

_REGION = re.compile(r"^(\*|[A-Z]{2})$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def _check_regions(regions: list[str]) -> list[str]:
    bad = [r for r in regions if not _REGION.match(r)]
    if bad:
        codes = ", ".join(map(repr, bad))
        raise ValueError(_('{codes}: use ISO 3166-1 alpha-2 codes like "US", or "*"').format(codes=codes))
    return regions


def _check_id(value: str) -> str:
    if not _ID.match(value):
        _check_visible(value)
        raise ValueError(_("{value}: ids use letters, digits and - _ . : (no spaces)").format(value=repr(value)))
    return value


# Characters that show as nothing or that reorder the text around them: a platform name holding
# one (pasted from a web page) would look like "tiktok" and never match it, or display spoofed.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def _invisible_in(value: str) -> str | None:
    import unicodedata

    for ch in value:
        if ch in _INVISIBLE or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp"):
            name = unicodedata.name(ch, "") or _("a control character")
            return f"U+{ord(ch):04X} {name}"
    return None


def _check_visible(value: str) -> str:
    """Identifier-like text (platforms, features, names) must not hide characters."""
    found = _invisible_in(value)
    if found:
        message = _("contains an invisible or text-direction character ({found}); type it again without it")
        raise ValueError(message.format(found=found))
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _upper_list(value: Any) -> Any:
    if isinstance(value, list):
        return [v.strip().upper() if isinstance(v, str) else v for v in value]
    return value


def _lower_list(value: Any) -> Any:
    if isinstance(value, list):
        return [v.strip().lower() if isinstance(v, str) else v for v in value]
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Platform = Annotated[str, BeforeValidator(_lower), Field(min_length=1), AfterValidator(_check_visible)]
Name = Annotated[str, AfterValidator(_check_visible)]
"""A short identifier-like text (a feature, a currency, an alert's name): any visible characters."""
Regions = Annotated[list[str], BeforeValidator(_upper_list), AfterValidator(_check_regions)]
Platforms = Annotated[list[Platform], BeforeValidator(_lower_list)]


class Strict(BaseModel):
    # defer_build: a model is built the first time it validates, so nested models never build a
    # validator of their own; that is most of the cold start of `riskmon check`.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False, defer_build=True
    )
