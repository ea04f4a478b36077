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
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone

from riskmon.core.news.lexicon import Phrase, TimeZoneEntry

PAST_WINDOW = timedelta(days=120)
FUTURE_WINDOW = timedelta(days=245)
DAY_PAST_WINDOW = timedelta(days=15)
BEIJING = timedelta(hours=8)

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_M = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_Y = r"(?P<y>(?:19|20)\d\d)"
_I = re.IGNORECASE
_EN_MD = re.compile(rf"\b{_M}\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+{_Y}\b)?", _I)
_EN_DM = re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M}\b\.?(?:,?\s+{_Y}\b)?", _I)
_EN_M = re.compile(
    rf"\b(?:(?P<part>(?:the\s+)?(?:end|beginning|start|middle)\s+of|early|mid|late)[\s-]+)?{_M}\b\.?(?:,?\s+{_Y}\b)?",
    _I,
)
_EN_REL_DAY = re.compile(r"\b(?P<w>today|tonight|tomorrow|yesterday)\b", _I)
_EN_MONTH_END = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?P<which>the|this|next)\s+month|month[-\s]end|end[-\s]of[-\s]month)\b", _I
)
_EN_NEXT_MONTH = re.compile(r"\bnext\s+month\b", _I)
_EN_YEAR_END = re.compile(
    rf"\b(?:(?:the\s+)?end\s+of\s+(?:(?P<which>the|this|next)\s+year|{_Y})|year[-\s]end|end[-\s]of[-\s]year)\b", _I
)
_NUM_YMD = re.compile(rf"(?<![\d.]){_Y}[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?!\d)")
_NUM_MDY = re.compile(rf"(?<![\d/])(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/{_Y}(?!\d)")
_ZH_FULL = re.compile(
    rf"(?:{_Y}\s*年\s*|(?P<yw>今|明|去|后)年\s*)?(?<![\d.])(?P<m>\d{{1,2}})\s*月\s*"
    r"(?:(?P<d>\d{1,2})\s*[日号](?![仓店楼线位])|(?P<part>底|末|初|中旬|上旬|下旬|中(?![国文方美欧东部心小央级介华])|份))?"
)
_ZH_DAY = re.compile(r"(?<![\d月年./-])(?P<d>\d{1,2})\s*[日号](?![仓店楼线位内])(?!以内|之内)")
_ZH_MONTH_PART = re.compile(r"(?:(?P<mr>本|这个|当|下个?|次|上个?)|(?<![\d个]))月(?P<part>底|末|初|中旬|上旬|下旬)")
_ZH_NEXT_MONTH = re.compile(r"(?P<mr>下个?月|次月)(?!底|末|初|中|上旬|下旬)")
_ZH_YEAR_PART = re.compile(rf"(?:{_Y}\s*|(?P<yw>今|明|去))年年?(?P<yp>底|末|初|内)")
_ZH_BARE_YEAR_PART = re.compile(r"(?<![一二两三四五六七八九十\d多几近每个半今明去年])年(?P<yp>底|末|初|内)")
_ZH_YEAR = re.compile(rf"(?<![\d.]){_Y}\s*年(?!\s*\d|底|末|初|内|中|度|前)")
_EN_YEAR = re.compile(rf"\b(?P<w>in|by|from|until|since|before|after|early|mid|late)[\s-]+{_Y}\b(?![-/.]\d)", _I)
_YEAR_PART_MONTH = {"mid": 7, "late": 10}
_ZH_REL_DAY = re.compile(r"(?P<w>今天|今日(?!头条)|即日|明天|明日(?!方舟)|后天|昨天|昨日)")

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
_PREPOSITION = re.compile(r"\b(?:in|by|from|until|since|before|after|through|during|of|starting|beginning)\s+$", _I)

# The part of a month an English phrase names ("end of", "mid-", "late"...), first match wins.
_EN_PARTS = (
    ("end", "end"),
    ("beginning", "start"),
    ("start", "start"),
    ("mid", "mid"),
    ("early", "early"),
    ("late", "late"),
)
_PART_DAY = {"start": 1, "early": 1, "上旬": 1, "初": 1, "中旬": 11, "mid": 15, "中": 15, "late": 21, "下旬": 21}


@dataclass(frozen=True, slots=True)
class DateHit:
    start: int
    end: int
    """[start, end) in the sentence, the time of day included."""
    when: datetime
    """Aware, UTC."""
    precision: str
    """"time", "day", or "approx" (a part of a month, a month, the end of a year)."""
    explicit_year: bool
    before: bool = False
    """Marked as a limit: `前`, "by", "before", `须在`: an export-by deadline when an action is near."""
    since: bool = False
    """Marked as a start: `起`, "from", "effective"."""
    until: bool = False
    """Marked as an end: "until", `至`, `为止`."""
    offset: timedelta | None = None
    """The UTC offset the article gave (or implied) for the time; None for a date alone."""
    zoned: bool = False
    """The article named the time zone (else the offset is the language's default)."""

    @property
    def exactness(self) -> int:
        """How exact: 3 a time in a named zone, 2 a time, 1 a day, 0 a part of a month or year."""
        if self.precision == "time":
            return 3 if self.zoned else 2
        return 1 if self.precision == "day" else 0


@dataclass(slots=True)
class _Raw:
    start: int
    end: int
    year: int | None = None
    year_rel: int | None = None
    month: int | None = None
    month_rel: int | None = None
    day: int | None = None
    day_rel: int | None = None
    part: str | None = None
    approx: bool = False


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


def _raw_dates(text: str) -> list[_Raw]:
    found: list[_Raw] = []
    for worth, finder in _FINDERS:
        if worth.search(text):
            found.extend(r for r in finder(text) if r is not None)
    found.sort(key=lambda r: (r.start, r.start - r.end))
    out: list[_Raw] = []
    last = -1
    for r in found:
        if r.start >= last:
            out.append(r)
            last = r.end
    return out


def _month(name: str) -> int | None:
    if not name[0].isupper():  # "may" the verb, "march" the noun: a month is capitalised
        return None
    return _MONTHS.get(name[:3].lower())


def _year(m: re.Match[str]) -> int | None:
    y = m.group("y")
    return int(y) if y else None


def _en_md(text: str) -> list[_Raw | None]:
    out: list[_Raw | None] = []
    for rx in (_EN_MD, _EN_DM):
        for m in rx.finditer(text):
            month = _month(m.group("mon"))
            if month is not None:
                out.append(_Raw(m.start(), m.end(), year=_year(m), month=month, day=int(m.group("d"))))
    return out


def _en_month(text: str) -> list[_Raw | None]:
    out: list[_Raw | None] = []
    for m in _EN_M.finditer(text):
        month = _month(m.group("mon"))
        if month is None:
            continue
        part = (m.group("part") or "").lower()
        if not part and not m.group("y") and not _PREPOSITION.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        key = next((key for word, key in _EN_PARTS if word in part), None)
        out.append(_Raw(m.start(), m.end(), year=_year(m), month=month, part=key, approx=True))
    return out


def _en_relative(text: str) -> list[_Raw | None]:
    out: list[_Raw | None] = []
    for m in _EN_REL_DAY.finditer(text):
        w = m.group("w").lower()
        rel = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}[w]
        out.append(_Raw(m.start(), m.end(), day_rel=rel))
    for m in _EN_MONTH_END.finditer(text):
        rel = 1 if (m.group("which") or "").lower() == "next" else 0
        out.append(_Raw(m.start(), m.end(), month_rel=rel, part="end", approx=True))
    for m in _EN_NEXT_MONTH.finditer(text):
        out.append(_Raw(m.start(), m.end(), month_rel=1, approx=True))
    for m in _EN_YEAR.finditer(text):
        month = _YEAR_PART_MONTH.get(m.group("w").lower(), 1)
        out.append(
            _Raw(
                m.start("y") if month == 1 else m.start(),
                m.end(),
                year=int(m.group("y")),
                month=month,
                day=1,
                approx=True,
            )
        )
    for m in _EN_YEAR_END.finditer(text):
        rel = 1 if (m.group("which") or "").lower() == "next" else 0
        year_rel = None if m.group("y") else rel
        out.append(_Raw(m.start(), m.end(), year=_year(m), year_rel=year_rel, month=12, day=31, approx=True))
    return out


def _numeric(text: str) -> list[_Raw | None]:
    out: list[_Raw | None] = []
    for m in _NUM_YMD.finditer(text):
        out.append(_Raw(m.start(), m.end(), year=int(m.group("y")), month=int(m.group("m")), day=int(m.group("d"))))
    for m in _NUM_MDY.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        month, day = (b, a) if a > 12 else (a, b)  # US order unless the first cannot be a month
        out.append(_Raw(m.start(), m.end(), year=int(m.group("y")), month=month, day=day))
    return out


_YEAR_WORD = {"今": 0, "明": 1, "去": -1, "后": 2}


def _zh(text: str) -> list[_Raw | None]:
    out: list[_Raw | None] = []
    for m in _ZH_FULL.finditer(text):
        yw = m.group("yw")
        part = m.group("part")
        raw = _Raw(m.start(), m.end(), year=_year(m), year_rel=_YEAR_WORD[yw] if yw else None, month=int(m.group("m")))
        if m.group("d"):
            raw.day = int(m.group("d"))
        else:
            raw.part = {"底": "end", "末": "end", "份": None}.get(part, part) if part else None
            raw.approx = True
        out.append(raw)
    for m in _ZH_DAY.finditer(text):
        out.append(_Raw(m.start(), m.end(), day=int(m.group("d"))))
    for m in _ZH_MONTH_PART.finditer(text):
        mr = m.group("mr") or "本"
        rel = 1 if mr[0] in "下次" else -1 if mr[0] == "上" else 0
        part = {"底": "end", "末": "end"}.get(m.group("part"), m.group("part"))
        out.append(_Raw(m.start(), m.end(), month_rel=rel, part=part, approx=True))
    for m in _ZH_NEXT_MONTH.finditer(text):
        out.append(_Raw(m.start(), m.end(), month_rel=1, approx=True))
    for rx in (_ZH_YEAR_PART, _ZH_BARE_YEAR_PART):
        for m in rx.finditer(text):
            yw = m.groupdict().get("yw")
            year = _year(m) if "y" in rx.groupindex else None
            year_rel = _YEAR_WORD[yw] if yw else (None if year else 0)
            month, day = (1, 1) if m.group("yp") == "初" else (12, 31)
            out.append(_Raw(m.start(), m.end(), year=year, year_rel=year_rel, month=month, day=day, approx=True))
    for m in _ZH_YEAR.finditer(text):
        out.append(_Raw(m.start(), m.end(), year=int(m.group("y")), month=1, day=1, approx=True))
    for m in _ZH_REL_DAY.finditer(text):
        w = m.group("w")
        rel = 1 if w[0] == "明" else 2 if w[0] == "后" else -1 if w[0] == "昨" else 0
        out.append(_Raw(m.start(), m.end(), day_rel=rel))
    return out


# Each finder with a cheap test of whether it can find anything: most sentences hold no date.
_FINDERS = (
    (re.compile(r"\d[-/.]\d"), _numeric),
    (re.compile(r"[月年日号天]"), _zh),
    (re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _I), _en_md),
    (re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", _I), _en_month),
    (re.compile(r"today|tonight|tomorrow|yesterday|month|year|(?:19|20)\d\d", _I), _en_relative),
)


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
