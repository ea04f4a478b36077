"""The dashboard's panes that come after its first frame, mounted in the slots that kept their
place (riskmon.tui.screens.dashboard): nothing on screen moves when they arrive."""

from __future__ import annotations

from collections.abc import Sequence

from textual.dom import DOMNode
from textual.widget import MountError, Widget


async def fill_slots(node: DOMNode, panes: Sequence[tuple[str, Widget]]) -> bool:
    """Each (slot id, widget): the widget where the slot was, the slot removed, in one screen
    update. False when the app is closing (`q` during the first frame): nothing to mount into."""
    try:
        with node.app.batch_update():
            for slot_id, widget in panes:
                slot = node.query_one(slot_id)
                parent = slot.parent
                if not isinstance(parent, Widget):  # taken out of the screen already
                    return False
                await parent.mount(widget, after=slot)
                await slot.remove()
    except MountError:
        return False
    return True
