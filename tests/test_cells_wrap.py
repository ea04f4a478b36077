"""Wrapping by terminal cells, for Chinese: breaks between characters or at spaces, never inside an
ASCII word, never before a closing mark or after an opening one (riskmon.present.cells)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from riskmon.present.cells import break_offsets, cell_width, wrapped_lines

CLOSERS = "，。、；：！？）」』》"
OPENERS = "（「『《"
TOKENS = st.sampled_from(["中", "文", "字", "US$163,333", "Amazon", "tiktok-us", " ", "  ", *CLOSERS, *OPENERS, "\n"])
TEXTS = st.lists(TOKENS, max_size=40).map("".join)
ASCII_WORD = {chr(c) for c in range(0x21, 0x7F)}


def test_a_chinese_sentence_fills_each_line_and_keeps_its_full_stop() -> None:
    text = "至少保留 US$163,333 现金：这是你 14 天的成本，也就是 Amazon 压款期间的开销。"
    lines = wrapped_lines(text, 20)
    assert lines == ["至少保留 US$163,333", "现金：这是你 14 天的", "成本，也就是 Amazon", "压款期间的开销。"]
    assert all(cell_width(line) <= 20 for line in lines)


def test_a_closing_mark_never_starts_a_line() -> None:
    # "开销" fills the 4 cells exactly; the full stop takes "销" with it to the next line
    assert wrapped_lines("开销。", 4) == ["开", "销。"]
    assert wrapped_lines("看（见）", 6) == ["看", "（见）"]  # and an opening one goes with what it opens


@given(TEXTS, st.integers(min_value=1, max_value=30))
def test_a_break_loses_nothing_and_never_splits_a_word(text: str, width: int) -> None:
    offsets = break_offsets(text, width)
    assert offsets == sorted(set(offsets)) and all(0 < o < len(text) for o in offsets)
    assert "".join(text[a:b] for a, b in itertools.pairwise([0, *offsets, len(text)])) == text
    assert not any(text[o - 1] in ASCII_WORD and text[o] in ASCII_WORD for o in offsets)


@given(st.lists(st.sampled_from(["中", "文", "字", " ", "\n"]), max_size=60).map("".join), st.integers(2, 30))
def test_chinese_lines_fit_their_width(text: str, width: int) -> None:
    lines = wrapped_lines(text, width)
    assert all(cell_width(line) <= width for line in lines)
    assert "".join("".join(line.split()) for line in lines) == "".join(text.split())  # only spaces move
