"""Dates and times in Chinese and English trade-press text, resolved against the publication date.

Understood: `2024年11月28日`, `11月28日`, `28日`, `8月底`/`8月末`, `8月初`, `8月上旬`/`中旬`/`下旬`,
`8月中`, `8月份`, `今年8月底`, `明年1月`, `月底`/`本月底`/`下月底`, `下个月`, `年底`/`年末`/`年内`/`年初`,
`今天`/`明天`/`昨天`/`即日`, `2025-01-19`, `2025/1/19`, `1/19/2025`; "Jan. 19", "January 19",
"November 28, 2024", "19 January 2025", "28th of November", "end of August", "early/mid/late
August", "August 2025", "in August", "end of the month", "next month", "year-end", "end of 2025",
"today", "tomorrow", "yesterday"; a year alone (`2026年`, "in 2026": 1 January; "mid-2026" 1 July,
"late 2026" 1 October). A weekday alone ("on Friday") is not a date.

Times after a date: `下午4点` (16:00), `晚上11点59分` (23:59), `下午4点半`, `17:00`, `17时`, "4 p.m.",
"11:59 pm", "noon", "midnight", and in English also before it ("at 5 p.m. ET on Oct. 4"). A time
takes the time zone named next to it (`北京时间`, WIB, ET with US daylight saving, "UTC+8", "local
time" in the article's one region); with none, Chinese text means Beijing time and English text
UTC. A date without a time is 00:00 UTC, as in events.toml.

Years. A date without a year takes the year of another date in the same sentence that has one
(the nearest), else the year that puts it between 4 months before and 8 months after the
publication date (news is mostly about what is coming, sometimes about what just happened), else
the year most dates in the article give. A day alone (`19日`) takes the month of a date before it
in the sentence, else the month that puts it between 15 days before and 45 days after
publication. `今天`, `即日`, "today" (and tomorrow, yesterday) count from a date given before
them in the sentence, else from the publication date. `月底` is the last day of the month,
`上旬` the 1st, `中旬` the 11th, `月中` the 15th,
`下旬` the 21st, `年底`/`年内` 31 December; a month alone is its 1st. Without a publication date,
relative dates (`月底`, "today") are not resolved.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from riskmon.core.news.date_finders import _I, _raw_dates
from riskmon.core.news.date_hits import DateHit as DateHit
from riskmon.core.news.date_hits import _Raw
from riskmon.core.news.date_times import _with_time
from riskmon.core.news.lexicon import Phrase, TimeZoneEntry
from riskmon.core.record import replace

PAST_WINDOW = timedelta(days=120)
FUTURE_WINDOW = timedelta(days=245)
DAY_PAST_WINDOW = timedelta(days=15)
_PART_DAY = {"start": 1, "early": 1, "上旬": 1, "初": 1, "中旬": 11, "mid": 15, "中": 15, "late": 21, "下旬": 21}


def find_dates(
    text: str,
    *,
    published: datetime | None,
    chinese: bool,
    year_hint: int | None = None,
    zones: Sequence[Phrase] = (),
    local: TimeZoneEntry | None = None,
) -> list[DateHit]:
    """Every date in one sentence, in order. `zones` are the sentence's time-zone phrases."""
    raws = _raw_dates(text)
    if not raws:
        return []
    resolved = _resolve(raws, published, year_hint)
    hits = [_with_time(text, raw, day, chinese, zones, local) for raw, day in resolved]
    return _fix_ranges(text, hits)


# ---------------------------------------------------------------------------------------------
# Resolving years, months and days


def _resolve(raws: list[_Raw], published: datetime | None, year_hint: int | None) -> list[tuple[_Raw, date]]:
    pub = published.date() if published is not None else None
    out: list[tuple[_Raw, date]] = []
    for i, raw in enumerate(raws):
        day = _resolve_one(raw, raws, i, pub, year_hint, out)
        if day is not None:
            out.append((raw, day))
    return out


def _resolve_one(
    raw: _Raw, raws: list[_Raw], i: int, pub: date | None, hint: int | None, done: list[tuple[_Raw, date]]
) -> date | None:
    if raw.day_rel is not None:  # "today" after a date means that date's day (`6月29日宣布…即日起生效`)
        base = done[-1][1] if done else pub
        return base + timedelta(days=raw.day_rel) if base else None
    if raw.month_rel is not None:
        if pub is None:
            return None
        y, m = divmod(pub.year * 12 + pub.month - 1 + raw.month_rel, 12)
        return _day_in(y, m + 1, raw)
    if raw.month is None:  # a day alone
        return _day_alone(raw, done, pub)
    if raw.year is not None:
        return _day_in(raw.year, raw.month, raw)
    if raw.year_rel is not None:
        this_year = pub.year if pub else hint
        return _day_in(this_year + raw.year_rel, raw.month, raw) if this_year else None
    context = _nearest_year(raws, i)
    if context is not None:
        return _day_in(context, raw.month, raw)
    if pub is not None:
        return _around(pub, raw)
    return _day_in(hint, raw.month, raw) if hint else None


def _day_in(year: int, month: int, raw: _Raw) -> date | None:
    if not (1 <= month <= 12 and 1900 <= year <= 2200):
        return None
    last = calendar.monthrange(year, month)[1]
    if raw.day is not None:
        return date(year, month, raw.day) if 1 <= raw.day <= last else None
    if raw.part == "end":
        return date(year, month, last)
    return date(year, month, _PART_DAY.get(raw.part or "", 1))


def _nearest_year(raws: list[_Raw], i: int) -> int | None:
    best: tuple[int, int] | None = None
    for j, other in enumerate(raws):
        if other.year is not None and j != i:
            gap = abs(j - i)
            if best is None or gap < best[0]:
                best = (gap, other.year)
    return best[1] if best else None


def _around(pub: date, raw: _Raw) -> date | None:
    """The year that puts a month and day between PAST_WINDOW before and FUTURE_WINDOW after
    publication."""
    assert raw.month is not None
    for year in (pub.year - 1, pub.year, pub.year + 1):
        day = _day_in(year, raw.month, raw)
        if day is not None and pub - PAST_WINDOW <= day < pub + FUTURE_WINDOW:
            return day
    return None


def _day_alone(raw: _Raw, done: list[tuple[_Raw, date]], pub: date | None) -> date | None:
    if done:
        prev = done[-1][1]
        return _day_in(prev.year, prev.month, raw)
    if pub is None:
        return None
    for back in (0, 1, -1):
        y, m = divmod(pub.year * 12 + pub.month - 1 + back, 12)
        day = _day_in(y, m + 1, raw)
        if day is not None and pub - DAY_PAST_WINDOW <= day < pub + timedelta(days=45):
            return day
    return None


# Between the two ends of a period: a range word, maybe after a zone ("4 p.m. PT to Dec. 2").
_RANGE = re.compile(
    r"\s*(?:[(（][^)）]{0,10}[)）]|[A-Za-z]{2,5}\b)?\s*(?:至|到|~|-|–|—|to|through|thru|until|till|and)\s*$", _I
)


def _fix_ranges(text: str, hits: list[DateHit]) -> list[DateHit]:
    """In "A to B" the end B is marked `until`; an A whose year was guessed and that falls after
    B moves a year back (Dec 20 to Jan 5, 2025)."""
    out = list(hits)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not _RANGE.match(text[a.end : b.start]):
            continue
        b = replace(b, until=True)
        if a.when >= b.when and not a.explicit_year:
            a = replace(a, when=_year_back(a.when))
        out[i], out[i + 1] = a, b
    return out


def _year_back(when: datetime) -> datetime:
    try:
        return when.replace(year=when.year - 1)
    except ValueError:  # 29 February
        return when.replace(year=when.year - 1, day=28)


def range_between(text: str, a: DateHit, b: DateHit) -> bool:
    """Whether two dates of a sentence are the two ends of one period."""
    return a.end <= b.start and bool(_RANGE.match(text[a.end : b.start])) and b.when > a.when
