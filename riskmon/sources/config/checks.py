"""The config files' own checks say which field they are about, so the problem locator places a
problem by that field, never by the sentence's wording (which is translated).

A check on a whole table (crit against warn, shares adding up, repeated ids) is reported by pydantic
at the table; raising `FieldProblem` names the field inside it. Pydantic keeps the raised exception
in the error's `ctx["error"]` (`ValidationError.errors()`), where `problems._refine` reads it.
The sentences that the models and the locator's own checks on the raw data (`problems._cross_checks`)
both say live here, so the two always say them alike and one problem is never reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from riskmon.core.hints import TYPE_CHECKING
from riskmon.i18n import N_, _

if TYPE_CHECKING:
    from typing import Any

Loc = tuple[str | int, ...]

_DUPLICATES: dict[str, tuple[str, str]] = {
    "channel": ("channels", N_("channel id {id} is used twice; ids must be unique")),
    "event": ("events", N_("event id {id} is used twice; ids must be unique")),
    "rule": ("rules", N_("rule id {id} is used twice; ids must be unique")),
}
"""What -> (the list holding the items, the sentence naming a repeated id)."""


class FieldProblem(ValueError):
    """A check's sentence (already in the user's language) and `at`, the field it is about,
    relative to the table whose validator raised it: ("crit",) or ("channels", 1, "id")."""

    def __init__(self, message: str, at: Loc = ()) -> None:
        super().__init__(message)
        self.at = at


def first_repeat(keys: Iterable[str | None]) -> Iterator[tuple[int, str]]:
    """(index, key) of every item whose key an earlier item already has (None: no key)."""
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in seen:
            yield index, key
        seen.add(key)


def duplicate_id(what: str, value: str) -> str:
    return _(_DUPLICATES[what][1]).format(id=repr(value))


def check_unique_ids(items: Iterable[Any], what: str) -> None:
    """FieldProblem on the second use of the first `what` id (event, rule, channel) used twice."""
    list_key = _DUPLICATES[what][0]
    for index, value in first_repeat(item.id for item in items):
        raise FieldProblem(duplicate_id(what, value), (list_key, index, "id"))


def check_unique_names(feeds: Iterable[Any]) -> None:
    """FieldProblem on the second use of the first feed name used twice (riskmon.toml, fleet.toml)."""
    for index, name in first_repeat(feed.name for feed in feeds):
        raise FieldProblem(_("feed name {name} is used twice").format(name=repr(name)), ("feeds", index, "name"))


def order_share_total(total: float) -> str:
    return _("order_share over all channels adds up to {total}; it must be at most 1").format(total=f"{total:.3f}")


def ends_after_effective() -> str:
    return _("ends must be after effective")
