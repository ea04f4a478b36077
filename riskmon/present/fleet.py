"""A fleet at a glance: one row per profile, as `fleet check` prints it (text, nagios) and the
fleet dashboard shows it.

Rows are sorted by state (CRITICAL, UNKNOWN, WARNING, OK: see `SEVERITY`) and then by score,
highest first. Table cells are padded by their width on a terminal, not their length in
characters: a Chinese business name or reason takes two columns a character and still lines up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from riskmon.core.record import record
from riskmon.i18n import N_, _, english, ngettext
from riskmon.present.formats import plain_number
from riskmon.present.text import money, reasons
from riskmon.textsafe import clean

LEVEL_NAMES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
SEVERITY = {"OK": 0, "WARNING": 1, "UNKNOWN": 2, "CRITICAL": 3}
"""How bad a state is, for the fleet's worst state and the table's order: a seller at CRITICAL
outranks a profile that cannot be assessed (as Icinga ranks states), so one broken config never
hides another seller's CRITICAL behind UNKNOWN."""
EXIT_CODES = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
HEADERS = (N_("PROFILE"), N_("LEVEL"), N_("SCORE"), N_("LOWEST CASH"), N_("SHORTFALL"), N_("TOP REASON"))
"""The text table's column headers (in the active language when shown)."""
_COLOURS = {"OK": "32", "WARNING": "33", "CRITICAL": "31", "UNKNOWN": "35"}


def worst(levels: Iterable[str]) -> str:
    """The worst of some states by `SEVERITY`; OK for none."""
    return max(levels, key=SEVERITY.__getitem__, default="OK")


def summary(levels: Iterable[str]) -> dict[str, int]:
    """State -> how many profiles are in it, every state listed."""
    counts = dict.fromkeys(LEVEL_NAMES, 0)
    for level in levels:
        counts[level] += 1
    return counts


@record
class FleetRow:
    """One profile as the fleet table shows it."""

    profile: str
    level: str
    score: float | None = None
    cash_low: float | None = None
    """The lowest end-of-week cash of the likely forecast (None: the engine has no forecast)."""
    shortfall: float | None = None
    """The probability that cash runs out within the forecast (None: not computed)."""
    currency: str = "USD"
    reason: str = ""
    """The first reason for the level in the active language when the row was made (English for
    Nagios, which runs in English), or why the profile cannot be assessed."""
    warn: float | None = None
    crit: float | None = None
    """The profile's score thresholds (for perfdata)."""

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.level]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def row_of(profile: str, a: Any, level: str | None = None, reason: str | None = None) -> FleetRow:
    """An assessment's row; `level`/`reason` override its own (a failed required feed: UNKNOWN).
    The forecast's figures are read where the engine has them (the v2 model). The top reason is
    the rules' first, rebuilt in the active language (riskmon.present.text.reasons)."""
    return FleetRow(
        profile=profile,
        level=level or a.level.name,
        score=a.score,
        cash_low=_number(getattr(a, "cash_low", None)),
        shortfall=_number(getattr(a, "cash_shortfall_probability", None)),
        currency=a.profile.business.currency,
        reason=reason if reason is not None else next(iter(reasons(a)), ""),
        warn=a.thresholds.warn,
        crit=a.thresholds.crit,
    )


def waiting_row(profile: str, error: str | None = None) -> FleetRow:
    """A profile not assessed: UNKNOWN with why (its config problem), or not assessed yet."""
    return FleetRow(profile, "UNKNOWN", reason=error or _("not assessed yet"))


def sorted_rows(rows: Iterable[FleetRow]) -> list[FleetRow]:
    return sorted(rows, key=lambda r: (-SEVERITY[r.level], -(r.score or 0.0), r.profile))


def cells(row: FleetRow) -> tuple[str, ...]:
    return (
        clean(row.profile),
        row.level,
        "-" if row.score is None else f"{row.score:.0f}",
        "-" if row.cash_low is None else money(row.cash_low, row.currency),
        "-" if row.shortfall is None else f"{row.shortfall:.0%}",
        clean(row.reason) or "-",
    )


# ---------------------------------------------------------------------------------------------
# Width on a terminal


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: wide (East Asian) characters two, combining marks none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[str]], *, right: Iterable[int] = ()) -> list[str]:
    """Rows of cells as aligned lines (two spaces between columns; the last column unpadded)."""
    if not rows:
        return []
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    right_set = set(right)
    out = []
    for r in rows:
        parts = [pad(c, widths[i], right=i in right_set) for i, c in enumerate(r[:-1])]
        out.append("  ".join([*parts, r[-1]]).rstrip())
    return out


# ---------------------------------------------------------------------------------------------
# Outputs


def headline(rows: Sequence[FleetRow]) -> str:
    """'6 profiles: 1 CRITICAL, 2 OK' in the active language (the level names stay as they are)."""
    counts = summary(r.level for r in rows)
    parts = [f"{n} {name}" for name in ("CRITICAL", "UNKNOWN", "WARNING", "OK") if (n := counts[name])]
    states = _(", ").join(parts) if parts else _("none")
    return ngettext("{n} profile: {states}", "{n} profiles: {states}", len(rows)).format(n=len(rows), states=states)


def state_line(rows: Sequence[FleetRow]) -> str:
    """'RISKMON FLEET CRITICAL - 6 profiles: ...': the fleet's worst state and its headline."""
    level = worst(r.level for r in rows)
    return _("RISKMON FLEET {level} - {headline}").format(level=level, headline=headline(rows))


def text(rows: Sequence[FleetRow], *, colour: bool = False, notes: Sequence[str] = ()) -> str:
    """The state line, the table sorted by state and score, and any notes."""
    ordered = sorted_rows(rows)
    lines = table([tuple(_(h) for h in HEADERS), *(cells(r) for r in ordered)], right=(2, 3, 4))
    if colour:
        lines = [lines[0], *(_paint_level(line, r.level) for line, r in zip(lines[1:], ordered, strict=True))]
    notes_lines = (_("note: {note}").format(note=n) for n in notes)
    return "\n".join([state_line(rows), "", *lines, *notes_lines])


def _paint_level(line: str, level: str) -> str:
    return line.replace(f"  {level}  ", f"  \x1b[1;{_COLOURS[level]}m{level}\x1b[0m  ", 1)


def _perf_label(text: str) -> str:
    # Perfdata labels are quoted; a quote or '=' inside would end them.
    return clean(text).replace("'", "_").replace("=", "_")


def nagios(rows: Sequence[FleetRow]) -> str:
    """One line `RISKMON FLEET <STATE> - <counts>; <worst profiles> | <perfdata>`: a count per
    state, then each profile's score (`U` when it has none); each profile not OK on a line below.
    Always English (monitoring systems read it): `riskmon` runs the nagios format in English."""
    ordered = sorted_rows(rows)
    bad = [r for r in ordered if r.level != "OK"]
    lead = "; ".join(f"{clean(r.profile)} {r.level}" for r in bad[:3])
    more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
    with english():
        first = state_line(rows) + (f"; {lead}{more}" if lead else "")
    counts = summary(r.level for r in rows)
    perf = [f"'{name.lower()}'={counts[name]};;;0" for name in LEVEL_NAMES]
    for r in sorted(rows, key=lambda r: r.profile):
        value = "U" if r.score is None else plain_number(r.score, 4)
        ranges = ";".join("" if t is None else plain_number(t) for t in (r.warn, r.crit))
        perf.append(f"'{_perf_label(r.profile)}'={value};{ranges};0;100")
    details = [f"{clean(r.profile)}: {r.level}" + (f" - {clean(r.reason)}" if r.reason else "") for r in bad]
    # '|' starts perfdata in the plugin API: never in the text part.
    return "\n".join([f"{first.replace('|', '/')} | {' '.join(perf)}", *(d.replace("|", "/") for d in details)])
