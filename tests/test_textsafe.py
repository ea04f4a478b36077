"""riskmon.textsafe.clean: what feeds and configs say reaches the terminal without escape
sequences or control characters, whatever path the text takes."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from riskmon.textsafe import _ANSI, _CONTROL, clean

TRICKY = ["\x1b", "\x9b", "[", "]", "0", ";", "m", "H", "\x07", "\\", "P", "\n", "\t", " ", "\u3000", "\xa0"]
TRICKY += ["\u200b", "\u200e", "\u202e", "\u2066", "\x00", "\x7f", "\x85", "\xad", "a", "中", "é", "\U0001f600"]


def reference(text: str, single_line: bool = True) -> str:
    """The patterns applied to every text, as clean() did before its printable fast path."""
    s = re.compile(_CONTROL).sub("", re.compile(_ANSI).sub("", text))
    return " ".join(s.split()) if single_line else s


@given(st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), max_size=30).map("".join), st.booleans())
def test_clean_is_the_patterns_applied_to_every_text(text: str, single_line: bool) -> None:
    assert clean(text, single_line=single_line) == reference(text, single_line)


def test_escapes_controls_and_bidi_marks_are_removed() -> None:
    assert clean("\x1b[31mred\x1b[0m \x1b]0;owned\x07title") == "red title"
    assert clean("a\u202eb\u200bc\x00d\x9b2Je") == "abcde"
    assert clean("two\nlines\tand  spaces") == "two lines and spaces"
    assert clean("two\nlines", single_line=False) == "two\nlines"
    assert clean("平台 TikTok Shop 关闭") == "平台 TikTok Shop 关闭"
    assert clean(42) == "42"
