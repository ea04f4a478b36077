"""The language riskmon speaks, and the words in it: gettext catalogs built with Babel.

One language is active per process. It is chosen, first match wins, from `--lang`, then
`[ui] language` in riskmon.toml, then the POSIX locale variables (`LC_ALL`, then `LC_MESSAGES`,
then `LANG`: the first one set decides, as in C's setlocale). Anything not translated stays
English, and so does a language riskmon does not know.

English costs nothing: `_()` hands its text back and neither gettext nor Babel is imported until
another language is activated, so `riskmon check`'s cold start is the same as without this module.

The core never calls this module (it stays pure): the presenters and the shells translate. Text
that comes from data (the bundled catalog's titles, the bundled playbooks' steps) is translated by
`data()` with the English text as the message id; text a user wrote has no translation and shows
as written. Machine formats (Nagios, Prometheus, JSON keys) are rendered inside `english()`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from riskmon.core.hints import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

ENGLISH = "en"
LANGUAGES: dict[str, str] = {"en": "English", "zh-CN": "简体中文"}
"""The languages riskmon speaks (a tag -> its own name). Add one: README, "Language"."""
CATALOG_CODES = {"zh-CN": "zh_CN"}
"""Tag -> the directory name of its catalog under riskmon/locale (and Babel's locale id)."""
DOMAIN = "riskmon"
LOCALE_DIR = Path(__file__).with_name("locale")
ENV_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Read in this order, as POSIX does: the first that is set and not empty decides."""

_ALIASES = {
    "c": ENGLISH,
    "posix": ENGLISH,
    "en": ENGLISH,
    "zh": "zh-CN",
    "zh-cn": "zh-CN",
    "zh-sg": "zh-CN",
    "zh-hans": "zh-CN",
    "zh-hans-cn": "zh-CN",
}


class _State:
    """The active language and its catalog (None: English, nothing to look up)."""

    language: str = ENGLISH
    catalog: Any = None
    flag: str | None = None
    environ_choice: str = ENGLISH


def normalize(tag: str) -> str | None:
    """A language tag or locale name as riskmon's tag: 'zh_CN.UTF-8', 'zh_CN', 'zh-CN', 'zh_Hans',
    'zh' -> 'zh-CN'; 'C', 'POSIX', 'en_US.UTF-8' -> 'en'; a language riskmon lacks -> None."""
    base = tag.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if base in _ALIASES:
        return _ALIASES[base]
    if base.startswith("en-"):
        return ENGLISH
    return next((t for t in LANGUAGES if t.lower() == base), None)


def from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the POSIX locale variables ask for; English when they ask for one riskmon
    lacks, or for none."""
    env = os.environ if environ is None else environ
    value = next((env[name] for name in ENV_VARS if env.get(name)), "")
    return normalize(value) or ENGLISH


def choose(flag: str | None, configured: str | None, environ: Mapping[str, str] | None = None) -> str:
    """--lang, else `[ui] language`, else the environment."""
    for asked in (flag, configured):
        if asked:
            return normalize(asked) or ENGLISH
    return from_environment(environ)


def setup(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """At start-up, before any config is read: --lang, else the environment. Returns the
    language activated."""
    _State.flag = flag
    _State.environ_choice = from_environment(environ)
    activate(choose(flag, None, environ))
    return _State.language


def follow_config(configured: str | None) -> str:
    """Once riskmon.toml is read: its `[ui] language` wins over the environment, never over
    --lang. Returns the language activated."""
    if _State.flag is None:
        activate(configured or _State.environ_choice)
    return _State.language


def activate(language: str) -> None:
    """Speak `language` from now on (a tag of LANGUAGES; anything else is English)."""
    code = CATALOG_CODES.get(language)
    if code is None:
        _State.language, _State.catalog = ENGLISH, None
        return
    import gettext

    _State.language = language
    _State.catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def language() -> str:
    return _State.language


def is_english() -> bool:
    return _State.catalog is None


@contextmanager
def english() -> Iterator[None]:
    """English inside the block, whatever is active: for output machines read (Nagios,
    Prometheus), which must not change with the reader's language."""
    saved = (_State.language, _State.catalog)
    _State.language, _State.catalog = ENGLISH, None
    try:
        yield
    finally:
        _State.language, _State.catalog = saved


def _(message: str) -> str:
    """`message` in the active language (itself when untranslated)."""
    catalog = _State.catalog
    return message if catalog is None else str(catalog.gettext(message))


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for `n` things (Chinese has one form; English two)."""
    catalog = _State.catalog
    if catalog is None:
        return singular if n == 1 else plural
    return str(catalog.ngettext(singular, plural, n))


def data(text: str) -> str:
    """Text from the bundled data files (an event's title, a playbook step), translated by its
    English wording; anything else (what a user wrote) is returned as written."""
    catalog = _State.catalog
    if catalog is None or not text:
        return text
    return str(catalog.gettext(text))


# ---------------------------------------------------------------------------------------------
# Numbers, money and dates in the active language (Babel, imported only when not English)


def _babel_locale() -> str:
    return CATALOG_CODES.get(_State.language, "en_US")


def money(amount: float, currency: str) -> str:
    """Whole units, as every output shows money: '$12,345' / 'EUR 12,345' in English (the core's
    spelling), 'US$12,345' / '€12,345' / '¥12,345' in Chinese."""
    from riskmon.core.money import money as english_money

    if _State.catalog is None or not math.isfinite(amount):
        return english_money(amount, currency)
    from babel.numbers import format_currency

    text = format_currency(amount, currency, format="¤#,##0;-¤#,##0", locale=_babel_locale(), currency_digits=False)
    return str(text)


def number(value: float, digits: int = 0) -> str:
    """A number with the locale's grouping and `digits` decimals."""
    if _State.catalog is None or not math.isfinite(value):
        return f"{value:,.{digits}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=_babel_locale()))


def day(when: date | datetime) -> str:
    """A date in the locale's short form: '2025-05-26' in English (ISO, sorts and greps),
    '2025年5月26日' in Chinese."""
    if _State.catalog is None:
        return f"{when:%Y-%m-%d}"
    from babel.dates import format_date

    return str(format_date(when, format="medium", locale=_babel_locale()))


def N_(message: str) -> str:
    """Marks `message` for the catalog where it is defined; `_()` translates it where it is shown."""
    return message
