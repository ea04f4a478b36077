"""A date's time of day, time zone and marker: the clock time written next to it (`17:00`, `下午5点`),
the zone it is in (a UTC offset, a named zone from the lexicon, Beijing by default) and whether it
is a deadline, a start or an end (`by`, `之前`, `from`, `起`, `until`, `为止`).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone

from riskmon.core.news.date_finders import _I
from riskmon.core.news.date_hits import DateHit, _Raw
from riskmon.core.news.lexicon import Phrase, TimeZoneEntry

BEIJING = timedelta(hours=8)

_ZH_TIME = re.compile(
    r"\s*(?:[(（]?(?:周|星期|礼拜)[一二三四五六日天][)）]?)?\s*"
    r"(?P<per>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|夜间|夜里|晚)?\s*(?P<h>\d{1,2})\s*"
    r"(?:[点时](?:\s*(?P<mi>\d{1,2})\s*分?|(?P<half>半)|整)?|:\s*(?P<mi2>\d{2}))"
)
_EN_CLOCK = (
    r"(?:(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2}))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?P<h24>\d{1,2}):(?P<mi24>\d{2})(?!\d)|(?P<word>noon|midnight))"
)
_EN_TIME_AFTER = re.compile(rf"\s*,?\s*(?:at\s+|from\s+|by\s+|until\s+)?{_EN_CLOCK}", _I)
_EN_TIME_BEFORE = re.compile(
    rf"(?:at\s+)?{_EN_CLOCK}(?P<tail>(?:(?!\b(?:to|until|through|and)\b)[^\d]){{0,30}}?)\s*(?:on\s+)?$", _I
)
_UTC_OFFSET = re.compile(r"(?:UTC|GMT)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?")
_LOCAL_TIME = re.compile(r"local\s+time|当地时间", _I)

_BEFORE_AFTER = re.compile(r"\s*(?:之前|以前|前)")
_UNTIL_AFTER = re.compile(r"\s*(?:为止|止)")
_SINCE_AFTER = re.compile(r"\s*(?:起|开始)")
_BEFORE_BEFORE = re.compile(
    r"(?:\bby|\bbefore|no later than|deadline(?:\s+is|\s+of)?"
    r"|截止(?:日期)?(?:为|是)?|最迟|最晚|须在|需在|必须在|务必在|请在|应在|要在)\s*(?:the\s+)?$",
    _I,
)
_SINCE_BEFORE = re.compile(r"(?:\bfrom|\bstarting|\bbeginning|\beffective|\bas of|自|从)\s*(?:the\s+)?$", _I)
_UNTIL_BEFORE = re.compile(r"(?:\buntil|\btill|\bthrough|至|到|直到|持续到|延长至|延至)\s*(?:the\s+)?$", _I)


# ---------------------------------------------------------------------------------------------
# Times, zones and markers


def _with_time(
    text: str, raw: _Raw, day: date, chinese: bool, zones: Sequence[Phrase], local: TimeZoneEntry | None
) -> DateHit:
    precision = "approx" if raw.approx else "day"
    explicit = raw.year is not None
    clock, span = _time_after(text, raw.end)
    end = raw.end
    if clock is not None:
        end = span[1]
    else:
        clock, span = _time_before(text, raw.start)
    marks = _marks(text, raw.start, end)
    if clock is None:
        return DateHit(raw.start, end, datetime(day.year, day.month, day.day, tzinfo=UTC), precision, explicit, *marks)
    hour, minute = clock
    local_dt = datetime.combine(day, time()) + timedelta(hours=hour, minutes=minute)
    offset = _zone(text, span, (raw.start, end), zones, local, local_dt)
    zoned = offset is not None
    if offset is None:
        offset = BEIJING if chinese else timedelta(0)
    when = local_dt.replace(tzinfo=timezone(offset)).astimezone(UTC)
    return DateHit(raw.start, end, when, "time", explicit, *marks, offset=offset, zoned=zoned)


def _time_after(text: str, pos: int) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    m = _ZH_TIME.match(text, pos)
    if m is not None:
        clock = _zh_clock(m)
        if clock is not None:
            return clock, (m.start("h"), m.end())
    m = _EN_TIME_AFTER.match(text, pos)
    if m is not None:
        clock = _en_clock(m)
        if clock is not None:
            return clock, (pos, m.end())
    return None, (pos, pos)


def _time_before(text: str, pos: int) -> tuple[tuple[int, int] | None, tuple[int, int]]:
    window_start = max(0, pos - 45)
    m = _EN_TIME_BEFORE.search(text[window_start:pos])
    if m is None:
        return None, (pos, pos)
    clock = _en_clock(m)
    return clock, (window_start + m.start(), window_start + m.end())


def _zh_clock(m: re.Match[str]) -> tuple[int, int] | None:
    hour = int(m.group("h"))
    minute = 30 if m.group("half") else int(m.group("mi") or m.group("mi2") or 0)
    per = m.group("per") or ""
    if (per in ("下午", "傍晚", "晚上", "晚间", "夜间", "夜里", "晚") and hour < 12) or (per == "中午" and hour < 6):
        hour += 12
    elif per == "凌晨" and hour == 12:
        hour = 0
    return (hour, minute) if hour <= 24 and minute <= 59 and (hour < 24 or minute == 0) else None


def _en_clock(m: re.Match[str]) -> tuple[int, int] | None:
    word = (m.group("word") or "").lower()
    if word:
        return (12, 0) if word == "noon" else (0, 0)
    if m.group("h24") is not None:
        hour, minute = int(m.group("h24")), int(m.group("mi24"))
    else:
        hour, minute = int(m.group("h")), int(m.group("mi") or 0)
        if not 1 <= hour <= 12:
            return None
        pm = m.group("ap").lower() == "p"
        hour = (hour % 12) + (12 if pm else 0)
    return (hour, minute) if hour <= 24 and minute <= 59 and (hour < 24 or minute == 0) else None


def _zone(
    text: str,
    clock: tuple[int, int],
    dated: tuple[int, int],
    zones: Sequence[Phrase],
    local: TimeZoneEntry | None,
    local_dt: datetime,
) -> timedelta | None:
    """The offset named next to a time: a zone word just after the time or just before the date
    (or the time, when it comes first), a UTC±N, or "local time"."""
    after = max(clock[1], dated[1])
    before = min(clock[0], dated[0])
    best: tuple[int, timedelta] | None = None
    for z in zones:
        gap = z.start - after if z.start >= after else before - z.end if z.end <= before else -1
        if 0 <= gap <= 20 and (best is None or gap < best[0]):
            best = (gap, zone_offset(z.value, local_dt))
    for m in _UTC_OFFSET.finditer(text, max(0, before - 20), min(len(text), after + 25)):
        gap = m.start() - after if m.start() >= after else before - m.end()
        if gap >= -1 and (best is None or gap <= best[0]):
            sign = -1 if m.group("sign") in "-−" else 1
            hours, minutes = int(m.group("h")), int(m.group("m") or 0)
            if hours <= 14 and minutes < 60:
                best = (gap, sign * timedelta(hours=hours, minutes=minutes))
    if best is not None:
        return best[1]
    near = text[max(0, before - 20) : after + 25]
    if local is not None and _LOCAL_TIME.search(near):
        return zone_offset(local, local_dt)
    return None


def zone_offset(tz: TimeZoneEntry, local_dt: datetime) -> timedelta:
    """A zone's UTC offset at a local wall-clock time, with US or EU daylight saving."""
    base = timedelta(minutes=tz.offset_minutes)
    if tz.dst == "us":
        start = datetime.combine(_nth_sunday(local_dt.year, 3, 2), time(2))
        end = datetime.combine(_nth_sunday(local_dt.year, 11, 1), time(1))  # 2:00 daylight = 1:00 standard
        return base + timedelta(hours=1) if start <= local_dt < end else base
    if tz.dst == "eu":
        utc = local_dt - base
        start = datetime.combine(_last_sunday(utc.year, 3), time(1))
        end = datetime.combine(_last_sunday(utc.year, 10), time(1)) - timedelta(hours=1)
        return base + timedelta(hours=1) if start <= utc < end else base
    return base


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _marks(text: str, start: int, end: int) -> tuple[bool, bool, bool]:
    """(before, since, until): the words just around a date that make it a limit, a start or an end."""
    ahead = text[end : end + 6]
    behind = text[max(0, start - 16) : start]
    return (
        bool(_BEFORE_AFTER.match(ahead) or _BEFORE_BEFORE.search(behind)),
        bool(_SINCE_AFTER.match(ahead) or _SINCE_BEFORE.search(behind)),
        bool(_UNTIL_AFTER.match(ahead) or _UNTIL_BEFORE.search(behind)),
    )
