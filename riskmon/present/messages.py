"""A core message carried as data (`riskmon.core.overrides.Why`: an English template and its
values) shown in the active language. The core fills its templates in English only; a presenter
marks the same templates for translation (riskmon.present.whatif, riskmon.present.ranges) and
renders them here."""

from __future__ import annotations

from collections.abc import Mapping

from riskmon.core.overrides import Why
from riskmon.i18n import _


def rendered(why: Why, marked: Mapping[str, str]) -> str:
    """`why` in the active language: its template as `marked` marks it, translated, and filled in
    with its values (a value that is itself a message rendered the same way)."""
    values = {k: rendered(v, marked) if isinstance(v, Why) else v for k, v in why.values}
    return _(marked.get(why.template, why.template)).format(**values)
