"""Error types and the exit codes every command shares.

Exit codes follow the Nagios plugin API so that `riskmon check` can be used as a plugin as is:
anything that goes wrong inside riskmon itself is UNKNOWN (3), never a traceback.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from riskmon.core.levels import Level as _Level
from riskmon.core.record import field, record


class ExitCode(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


Level = _Level
"""The risk level lives in the core (`riskmon.core.levels`); named here too for the shells."""


class RiskmonError(Exception):
    """A failure riskmon can explain in one line; shells turn it into UNKNOWN (3)."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.details = details


def reason_of(exc: BaseException) -> str:
    """One line for a failure: riskmon's own message, else the exception's type and text."""
    return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"


def did_you_mean(word: str, options: Iterable[str], sep: str = "; ", cutoff: float = 0.6) -> str:
    """`<sep>did you mean 'x'?` for the option closest to a mistyped `word`, or "" when none is
    close: every "unknown name" message in riskmon suggests the same way."""
    from difflib import get_close_matches

    from riskmon.i18n import _

    close = get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return sep + _("did you mean {option}?").format(option=repr(close[0])) if close else ""


@record
class Problem:
    """One problem found in a config file, located as precisely as we can."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@record(frozen=False)
class ConfigError(RiskmonError):
    """Every problem found in a config directory, all at once."""

    problems: list[Problem] = field(default_factory=list)

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid configuration"
        more = len(self.problems) - 1
        from riskmon.i18n import ngettext

        extra = ngettext(" (and {n} more problem)", " (and {n} more problems)", more).format(n=more)
        summary = first + extra if more else first
        super().__init__(summary, "\n".join(str(p) for p in self.problems))
