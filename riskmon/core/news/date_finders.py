"""The date patterns of English and Chinese news text (`Jan 19`, `19 January 2025`, `2025/1/19`,
`1月19日`, `月底`, `next month`...) and the finders that turn each match into a raw date.
"""

from __future__ import annotations

import re

from riskmon.core.news.date_hits import _Raw

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
