"""Chinese text that wraps between characters, not only at spaces.

Textual wraps text at spaces (and folds a word only when it is wider than the whole line). Chinese
has no spaces between words, so a step like "在 2026年2月24日包裹关税变化之前，重新核算…" became
"在" alone on one line and the rest on the next, half-empty lines all down the next actions and the
playbook. `breakable()` returns the text as a Visual that, at whatever width the widget draws it,
first breaks it where Chinese may break (riskmon.present.cells.break_offsets: between characters,
at spaces, never inside a word or before a closing mark) and then lets Textual draw it as usual.
Text with no wide character is returned as it was: Textual already wraps it well.

A Static showing one is a `BreakingStatic`: a mouse selection is read from the text as drawn (its
lines are the broken ones), not from the text as given, whose lines are fewer.
"""

from __future__ import annotations

from textual.content import Content, Span
from textual.css.styles import RenderStyles
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, RulesMap
from textual.widgets import Static

from riskmon.present.cells import break_offsets


def breakable(content: Content | str) -> Content:
    """`content` wrapped the Chinese way when it holds wide characters, else unchanged."""
    if isinstance(content, str):
        content = Content(content)
    if content.plain.isascii():
        return content
    return Breakable(content.plain, spans=list(content.spans))


def broken(content: Content, width: int) -> Content:
    """`content` with a line break wherever Chinese text wrapped to `width` cells breaks; the
    spaces a break leaves at a line's end are dropped, the styles kept."""
    offsets = break_offsets(content.plain, width) if width > 0 else []
    if not offsets:
        return Content(content.plain, spans=list(content.spans))
    return Content("\n").join(line.rstrip() for line in content.divide(offsets))


class Breakable(Content):
    """Content whose two Visual methods (its height at a width, and its strips) work on the text
    broken for that width. Anything derived from it (`+`, `rstrip`...) is plain Content again."""

    def __init__(
        self,
        text: str = "",
        spans: list[Span] | None = None,
        cell_length: int | None = None,
        strip_control_codes: bool = True,
    ) -> None:
        super().__init__(text, spans, cell_length, strip_control_codes)
        self._drawn: tuple[tuple[int, bool], Content] | None = None
        """The text broken for the last (width, no-wrap) asked: a list asks every option's height
        on each layout, and breaking anew each time cost 300 Chinese steps ~100 ms a layout."""

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.at(rules, width).get_height(rules, width)

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.at(options.rules, width).render_strips(width, height, style, options)

    def at(self, rules: RulesMap | RenderStyles, width: int) -> Content:
        """The text as drawn `width` cells wide under `rules` (text-wrap, line-pad)."""
        nowrap = rules.get("text_wrap", "wrap") == "nowrap"
        pad = rules.get("line_pad", 0)
        key = (width - 2 * (pad if isinstance(pad, int) else 0), nowrap)
        if self._drawn is None or self._drawn[0] != key:
            text = Content(self.plain, spans=list(self.spans)) if nowrap else broken(self, key[0])
            self._drawn = (key, text)
        return self._drawn[1]


class BreakingStatic(Static):
    """A Static for `breakable()` text: what a mouse selection copies is the text under it as drawn."""

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self.visual
        if isinstance(visual, Breakable):
            return selection.extract(visual.at(self.styles, self.content_size.width).plain), "\n"
        return super().get_selection(selection)
