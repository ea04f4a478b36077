"""The what-if screen's form: its state, the overrides it means, the scenario computed (in a
worker) a moment after each change, and the form following the app's refreshes. WhatIfScreen
(whatif.py) builds on it with the layout, its CSS and bindings, and saved scenarios."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, DataTable, Input, Label, Select, Static, Switch
from textual.worker import get_current_worker

from riskmon.core.scenario import Override, ScenarioError
from riskmon.errors import reason_of
from riskmon.i18n import _
from riskmon.present.text import reasons
from riskmon.textsafe import clean
from riskmon.tui.screens.whatif_fields import (
    STRESS_OFF,
    STRESS_ON,
    delta_row,
    field_text,
    note_lines,
    parse_field,
    summary_rows,
)
from riskmon.tui.screens.whatif_widgets import ChannelRow, Computed, EventRow, OverrideInput, StatusSelect, set_text
from riskmon.tui.widgets.table import ListTable
from riskmon.usecases.whatif import Outcome

if TYPE_CHECKING:
    from riskmon.core.model import Channel, Event
    from riskmon.usecases.evaluate import Evaluation

RECOMPUTE_DELAY = 0.25
"""Seconds after the last change before the scenario is assessed again."""


class WhatIfForm(Screen[None]):
    """The form and its scenario; the screen's layout and files are WhatIfScreen's."""

    def __init__(self, evaluation: Evaluation) -> None:
        super().__init__(id="what-if")
        self.evaluation = evaluation
        self.outcome: Outcome | None = None
        """The last scenario computed from valid values (what the tables show)."""
        self.error: str | None = None
        """Why the values on screen give no scenario now (None: `outcome` is current)."""
        self.extras: tuple[Override, ...] = ()
        """Overrides of a loaded scenario that the form has no field for."""
        self.description = ""
        self.pending = True
        """A recompute is scheduled or running."""
        self._generation = 0
        self._timer: Timer | None = None
        self._writing = 0
        """Scenario saves and config applies on their way to disk: their answer (written, or why
        not) comes to this screen, so it stays open until they are done."""
        self._index()

    def _index(self) -> None:
        ev = self.evaluation
        self.events_by_id = {e.id: e for e in ev.events}
        self.channels_by_id = {c.id: c for c in ev.config.profile.channels}

    def _ordered_events(self) -> list[Event]:
        """The events that count, highest score first, then the rest (expired ones)."""
        counted = [e.id for e in self.evaluation.assessment.events]
        rest = [e.id for e in self.evaluation.events if e.id not in set(counted)]
        return [self.events_by_id[i] for i in [*counted, *rest] if i in self.events_by_id]

    @property
    def location(self) -> Any:
        return self.evaluation.config.location

    def _head(self) -> None:
        a = self.evaluation.assessment
        loc = self.evaluation.config.location
        text = _(
            "What-if for {name}, as of {now} UTC. "
            "Baseline: the config in {path}. Nothing is written unless you save (ctrl+s) or apply (ctrl+g)."
        ).format(name=clean(a.profile.business.name), now=f"{a.now:%Y-%m-%d %H:%M}", path=clean(loc.path))
        self.query_one("#wi-head", Static).update(Content(text))

    # -- reading the form ---------------------------------------------------------------------

    def input_for(self, target: str) -> OverrideInput | StatusSelect | None:
        """The widget that edits `ID.FIELD` (tests and scenario loading use it)."""
        for w in self.query(OverrideInput):
            if w.target == target:
                return w
        for s in self.query(StatusSelect):
            if s.target == target:
                return s
        return None

    @property
    def stress(self) -> bool:
        return self.query_one("#wi-stress", Switch).value

    def form_overrides(self) -> tuple[tuple[Override, ...], list[str]]:
        """The overrides the form means (a loaded scenario's extras first), and the values that
        are not values (each 'ID.FIELD: why')."""
        from riskmon.core.scenario import merge_overrides

        found: list[Override] = []
        errors: list[str] = []
        for row in self.query(EventRow):
            base = self.events_by_id.get(row.event.id)
            select = row.query_one(StatusSelect)
            if isinstance(select.value, str) and (base is None or select.value != base.status):
                found.append(Override("event", row.event.id, "status", select.value))
            for box in row.query(OverrideInput):
                self._read(box, base, found, errors)
        for crow in self.query(ChannelRow):
            cbase = self.channels_by_id.get(crow.channel.id)
            for box in crow.query(OverrideInput):
                self._read(box, cbase, found, errors)
        return merge_overrides(self.extras, found), errors

    @staticmethod
    def _read(box: OverrideInput, base: Any, found: list[Override], errors: list[str]) -> None:
        try:
            o = parse_field(box.target_kind, box.ident, box.field, box.value, base)
        except ScenarioError as exc:
            errors.append(exc.message)
            return
        if o is not None:
            found.append(o)

    # -- recomputing --------------------------------------------------------------------------

    @on(Switch.Changed, "#wi-stress")
    def _stress_label(self, event: Switch.Changed) -> None:
        self.query_one("#wi-stress-label", Label).update(Content(_(STRESS_ON if event.value else STRESS_OFF)))

    @on(Input.Changed, "OverrideInput")
    @on(Select.Changed, "StatusSelect")
    @on(Switch.Changed, "#wi-stress")
    def _form_changed(self) -> None:
        self.schedule()

    def schedule(self) -> None:
        self.pending = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(RECOMPUTE_DELAY, self.recompute_now)

    def recompute_now(self) -> None:
        self._timer = None
        self._generation += 1
        overrides, errors = self.form_overrides()
        if errors:
            self.pending = False
            self._show_error(_("Fix the values marked red: {errors}").format(errors="; ".join(errors)))
            return
        self.pending = True
        self._compute(self._generation, self.evaluation, overrides, self.stress)

    @work(thread=True, exclusive=True, group="whatif", exit_on_error=False)
    def _compute(self, generation: int, evaluation: Evaluation, overrides: tuple[Override, ...], stress: bool) -> None:
        try:
            from riskmon.usecases import whatif

            outcome = whatif.run(evaluation, overrides, stress)
        except Exception as exc:
            self.post_message(Computed(generation, None, reason_of(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(Computed(generation, outcome))

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        if message.generation != self._generation:
            return
        self.pending = self._timer is not None
        if message.outcome is None:
            self._show_error(message.error or _("no scenario"))
            return
        self.error = None
        self.outcome = message.outcome
        self._show(message.outcome)

    def _show_error(self, text: str) -> None:
        self.error = text
        note = self.query_one("#wi-note", Static)
        last = _(" (the tables show the last valid scenario)") if self.outcome is not None else ""
        note.update(Content(clean(text) + last))
        note.add_class("-bad")

    def _show(self, o: Outcome) -> None:
        summary = self.query_one("#wi-summary", DataTable)
        summary.clear()
        for key, b, s, c in summary_rows(o):
            summary.add_row(Text(_(key)), b, s, c, key=key)
        cur = o.baseline.profile.business.currency
        self.query_one("#wi-events", ListTable).show([delta_row(e, cur) for e in o.delta.events])
        lines = note_lines(o, self.evaluation.events)
        lines.append(_("scenario: {reasons}").format(reasons="; ".join(clean(r) for r in reasons(o.scenario))))
        note = self.query_one("#wi-note", Static)
        note.update(Content("\n".join(clean(line) for line in lines)))
        note.remove_class("-bad")

    # -- following the app's refreshes --------------------------------------------------------

    def _follow_app(self) -> None:
        loaded = getattr(self.app, "loaded", None)
        if loaded is not None and loaded.evaluation is not self.evaluation:
            self.rebase(loaded.evaluation)

    def rebase(self, evaluation: Evaluation) -> None:
        """A new baseline (a refresh, a save): values left as they were follow the config; values
        you changed stay."""
        old_events, old_channels = self.events_by_id, self.channels_by_id
        self.evaluation = evaluation
        self._index()
        self._head()
        # The rows stay in their order while the same events and channels are there (a score
        # that moves must not reorder the form under the cursor).
        same = {e.id for e in evaluation.events} == {r.event.id for r in self.query(EventRow)} and [
            c.id for c in evaluation.config.profile.channels
        ] == [r.channel.id for r in self.query(ChannelRow)]
        if not same:
            self.call_later(self._rebuild, self._touched(old_events, old_channels))
            return
        with self.prevent(Input.Changed, Select.Changed):
            for row in self.query(EventRow):
                old, new = old_events.get(row.event.id), self.events_by_id[row.event.id]
                row.event = new
                select = row.query_one(StatusSelect)
                if old is not None and select.value == old.status:
                    select.value = new.status
                for box in row.query(OverrideInput):
                    if old is not None and box.value == field_text(old, box.field):
                        set_text(box, field_text(new, box.field))
            for crow in self.query(ChannelRow):
                cold, cnew = old_channels.get(crow.channel.id), self.channels_by_id[crow.channel.id]
                crow.channel = cnew
                for box in crow.query(OverrideInput):
                    if cold is not None and box.value == field_text(cold, box.field):
                        set_text(box, field_text(cnew, box.field))
        self.schedule()

    def _touched(self, old_events: Mapping[str, Event], old_channels: Mapping[str, Channel]) -> dict[str, str]:
        out: dict[str, str] = {}
        for row in self.query(EventRow):
            old = old_events.get(row.event.id)
            select = row.query_one(StatusSelect)
            if old is not None and isinstance(select.value, str) and select.value != old.status:
                out[select.target] = select.value
            for box in row.query(OverrideInput):
                if old is None or box.value != field_text(old, box.field):
                    out[box.target] = box.value
        for crow in self.query(ChannelRow):
            cold = old_channels.get(crow.channel.id)
            for box in crow.query(OverrideInput):
                if cold is None or box.value != field_text(cold, box.field):
                    out[box.target] = box.value
        return out

    async def _rebuild(self, touched: dict[str, str]) -> None:
        events_box = self.query_one("#wi-events-form", Vertical)
        channels_box = self.query_one("#wi-channels-form", Vertical)
        await events_box.remove_children()
        await channels_box.remove_children()
        await events_box.mount_all([EventRow(i, e) for i, e in enumerate(self._ordered_events())])
        await channels_box.mount_all([ChannelRow(i, c) for i, c in enumerate(self.evaluation.config.profile.channels)])
        self.set_values(touched)
        self.schedule()

    def set_values(self, values: Mapping[str, str]) -> list[str]:
        """Put `ID.FIELD` -> text into the form; returns the targets it has no field for."""
        missing = []
        for target, text in values.items():
            w = self.input_for(target)
            if w is None:
                missing.append(target)
            elif isinstance(w, OverrideInput):
                set_text(w, text)
            else:
                w.value = text
        return missing

    # -- actions ------------------------------------------------------------------------------

    def action_toggle_stress(self) -> None:
        switch = self.query_one("#wi-stress", Switch)
        switch.value = not switch.value

    def action_reset(self) -> None:
        """Every value back to the config's; stress off; a loaded scenario's extras dropped."""
        self.extras = ()
        self.description = ""
        self._extras_note()
        for row in self.query(EventRow):
            base = self.events_by_id.get(row.event.id)
            if base is None:
                continue
            row.query_one(StatusSelect).value = base.status
            for box in row.query(OverrideInput):
                set_text(box, field_text(base, box.field))
        for crow in self.query(ChannelRow):
            cbase = self.channels_by_id.get(crow.channel.id)
            if cbase is None:
                continue
            for box in crow.query(OverrideInput):
                set_text(box, field_text(cbase, box.field))
        self.query_one("#wi-stress", Switch).value = False
        self.schedule()

    @on(Button.Pressed, "#wi-reset")
    def _reset_pressed(self) -> None:
        self.action_reset()

    def _extras_note(self) -> None:
        box = self.query_one("#wi-extra", Static)
        if self.extras:
            box.update(
                Content(
                    _("Also from the scenario: {overrides}").format(
                        overrides=", ".join(clean(str(o)) for o in self.extras)
                    )
                )
            )
        box.set_class(bool(self.extras), "-shown")
