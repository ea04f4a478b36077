"""The dashboard forms' fields: what a field is, the check of its text (the same reading as
`configedit.form_value`), and the texts and comparisons the forms (and the what-if screen) share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from textual.validation import ValidationResult, Validator

from riskmon.errors import Problem
from riskmon.i18n import N_, _

DEMO_HINT = N_(
    "the bundled demo config is read-only: run `riskmon config init DIR`, then `riskmon --config DIR` "
    "(or export RISKMON_CONFIG=DIR) and edit that"
)
"""DEMO_HINT and NO_DATA are English ids: translate them where shown."""

NO_DATA = N_("No assessment yet: still loading, or the config is invalid (e opens the config editor).")

Kind = Literal["share", "money", "days", "date", "text", "id", "list", "regions", "choice"]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_REGION = re.compile(r"^(\*|[A-Za-z]{2})$")


# ---------------------------------------------------------------------------------------------
# Fields and their checks


@dataclass(frozen=True)
class FormField:
    name: str
    """The config field (`order_share`, `effective`, ...): also the Input's id."""
    label: str
    kind: Kind
    value: str = ""
    placeholder: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    taken: frozenset[str] = field(default_factory=frozenset)
    """For an id: the ids already in use."""


def check_value(table: str, f: FormField, text: str) -> str | None:
    """Why `text` is not a good value for the field (None: it is). Reads the text the way the
    save will (`configedit.form_value`); the save validates everything again."""
    from riskmon.sources.config.edit import form_value
    from riskmon.sources.config.schema import to_utc

    raw = text.strip()
    if not raw:
        return _("required") if f.required else None
    value = form_value(table, f.name, raw)
    if f.kind in ("share", "money", "days"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _("not a number (a share: 0.35)") if f.kind == "share" else _("not a number")
        if value != value or value in (float("inf"), float("-inf")):
            return _("must be a finite number")
        if value < 0:
            return _("must be 0 or more")
        if f.kind == "share" and value > 1:
            return _("a share: at most 1 (0.35 = 35%)")
        return None
    if f.kind == "date":
        try:
            out = to_utc(value)
        except ValueError:
            out = None
        return None if isinstance(out, datetime) else _("a date like 2025-03-01 or 2025-03-01T17:00:00+07:00")
    if f.kind == "id":
        if not _ID.match(raw):
            return _("letters, digits and - _ . : (no spaces)")
        return _("{id} is already used").format(id=repr(raw)) if raw in f.taken else None
    if f.kind in ("list", "regions"):
        items = value if isinstance(value, list) else []
        if not items:
            return _("at least one, separated by commas")
        if f.kind == "regions":
            bad = [str(r) for r in items if not _REGION.match(str(r).strip())]
            if bad:
                return _("{bad}: two-letter codes like US, or *").format(bad=", ".join(bad))
        return None
    return None


class FieldCheck(Validator):
    def __init__(self, table: str, f: FormField) -> None:
        super().__init__()
        self.table = table
        self.form_field = f

    def validate(self, value: str) -> ValidationResult:
        why = check_value(self.table, self.form_field, value)
        return self.success() if why is None else self.failure(why)


def number_text(x: float | None) -> str:
    """0.35 -> '0.35', 120000.0 -> '120000', None -> ''."""
    if x is None:
        return ""
    from riskmon.core.scenario import format_value

    return format_value(float(x))


def date_text(d: datetime | None) -> str:
    if d is None:
        return ""
    from riskmon.core.scenario import format_value

    return format_value(d)


def differs(current: Any, new: Any, default: Any = None) -> bool:
    """Would writing `new` (None: remove the key) change the value the model reads?"""
    from riskmon.sources.config.schema import to_utc

    if new is None:
        new = default
    if isinstance(current, datetime) or isinstance(new, datetime):
        try:
            return bool(to_utc(new) != to_utc(current)) if new is not None and current is not None else new != current
        except ValueError:
            return True
    if isinstance(current, int | float) and isinstance(new, int | float) and not isinstance(new, bool):
        return float(current) != float(new)
    return bool(current != new)


def where_problem(p: Problem, names: Iterable[str]) -> str | None:
    """Which form field a problem belongs to (None: the form as a whole)."""
    names = list(names)
    key = p.field.rsplit(".", 1)[-1].split("[", 1)[0] if p.field else ""
    if key in names:
        return key
    for name in names:  # "channels: order_share over all channels adds up to 1.2"
        if name in p.message:
            return name
    return None
