"""The modal question every "unsaved changes?" and "write this?" goes through."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Button

from riskmon.tui.widgets.choice import Choice, ChoiceScreen

CHOICES = [Choice("draft", "Keep as draft"), Choice("discard", "Discard", "warning"), Choice("edit", "Keep editing")]


class Asking(App[None]):
    def __init__(self, body: list[str]) -> None:
        super().__init__()
        self.body = body
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(ChoiceScreen("Leave?", self.body, CHOICES, focus="edit"), self.answers.append)


async def test_keys_move_between_buttons_only_when_the_text_fits() -> None:
    app = Asking(["one short line"])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        seen = []
        for key in ["tab", "tab", "tab", "tab", "right", "right", "left", "shift+tab"]:
            await pilot.press(key)
            assert isinstance(app.focused, Button), (key, app.focused)
            seen.append(app.focused.id)
        assert set(seen) == {"choice-draft", "choice-discard", "choice-edit"}
        # Wherever the keys left the focus, enter answers with that button.
        expected = app.focused.id.removeprefix("choice-")
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [expected]


async def test_a_long_text_can_be_reached_and_scrolled_from_the_keyboard() -> None:
    app = Asking([f"line {i}" for i in range(40)])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#choice-body")
        for _ in range(4):
            await pilot.press("tab")
            if app.focused is body:
                break
        assert app.focused is body
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y > 0
