"""Make untrusted text (feeds, configs) safe to show in a terminal.

Titles and notes come from feeds and hand-edited files. They may carry ANSI escapes, C0/C1
control characters or bidi overrides that would move the cursor, retitle the terminal or hide
text. We strip them before anything is displayed; markup escaping is the UI's job on top.
"""

from __future__ import annotations

import re
from functools import cache

_ANSI = (
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS/SOS/PM/APC
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
"""CSI / OSC / other ESC sequences, removed first so their parameters do not survive as junk."""
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
"""C0 except tab/newline, DEL, C1, and the bidi/zero-width formatting characters."""


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled on the first text that needs them (~1.5 ms a `riskmon check` rarely spends)."""
    return re.compile(_ANSI), re.compile(_CONTROL)


def clean(text: object, *, single_line: bool = True) -> str:
    """Return `text` without escape sequences or control characters.

    With `single_line`, newlines and tabs become spaces so a title can never break a table row.
    """
    s = str(text)
    # Printable text (Python's sense: no Cc/Cf control or format character, no separator but
    # the space) holds nothing the patterns remove: ESC, CSI, C0, C1 and the bidi marks are all
    # Cc or Cf. Newlines, tabs and other spaces are not printable, so they take the full path.
    if not s.isprintable():
        ansi, control = _patterns()
        s = control.sub("", ansi.sub("", s))
    if single_line:
        s = " ".join(s.split())
    return s
