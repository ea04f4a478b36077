"""`w`: what-if. Change events and channels on the left, see baseline and scenario side by side.

The numbers are `riskmon what-if`'s, from the same use case, `riskmon.usecases.whatif.run`: the
overrides applied to validated copies of the profile and events (the same rules as the config),
both sides assessed with the same events (catalog plus feeds), settings and `now`, and the delta.
Nothing is written unless asked: `ctrl+s` saves the scenario as `scenarios/NAME.toml` in the config
directory (the CLI's `--scenario NAME` reads it), and "Apply to config" writes the changes into
exposure.toml / events.toml through `configedit` after a confirmation.

The screen is built in layers: pure numbers and rows (whatif_fields.py), the form's widgets and
the workers' messages (whatif_widgets.py), the form and its recomputing (whatif_form.py), saved
scenarios and applying (whatif_files.py); this module has the layout, its CSS and bindings, and
re-exports the names others import from here.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Button, DataTable, Footer, Input, Label, OptionList, Static, Switch

from riskmon.i18n import N_, _
from riskmon.tui.lang import Translated
from riskmon.tui.screens.whatif_fields import CHANNEL_INPUTS as CHANNEL_INPUTS
from riskmon.tui.screens.whatif_fields import DELTA_COLUMNS as DELTA_COLUMNS
from riskmon.tui.screens.whatif_fields import EVENT_INPUTS as EVENT_INPUTS
from riskmon.tui.screens.whatif_fields import FORM_FIELDS as FORM_FIELDS
from riskmon.tui.screens.whatif_fields import LEVEL_STYLE as LEVEL_STYLE
from riskmon.tui.screens.whatif_fields import STRESS_OFF as STRESS_OFF
from riskmon.tui.screens.whatif_fields import STRESS_ON as STRESS_ON
from riskmon.tui.screens.whatif_fields import change_rows as change_rows
from riskmon.tui.screens.whatif_fields import delta_row as delta_row
from riskmon.tui.screens.whatif_fields import field_text as field_text
from riskmon.tui.screens.whatif_fields import level_change as level_change
from riskmon.tui.screens.whatif_fields import parse_field as parse_field
from riskmon.tui.screens.whatif_fields import short_date as short_date
from riskmon.tui.screens.whatif_files import WhatIfFiles
from riskmon.tui.screens.whatif_form import RECOMPUTE_DELAY as RECOMPUTE_DELAY
from riskmon.tui.screens.whatif_widgets import Applied as Applied
from riskmon.tui.screens.whatif_widgets import ChannelRow, EventRow, head_row
from riskmon.tui.screens.whatif_widgets import Computed as Computed
from riskmon.tui.screens.whatif_widgets import OverrideInput as OverrideInput
from riskmon.tui.screens.whatif_widgets import ScenarioList as ScenarioList
from riskmon.tui.screens.whatif_widgets import ScenarioLoaded as ScenarioLoaded
from riskmon.tui.screens.whatif_widgets import ScenarioSaved as ScenarioSaved
from riskmon.tui.screens.whatif_widgets import StatusSelect as StatusSelect
from riskmon.tui.screens.whatif_widgets import ValueCheck as ValueCheck
from riskmon.tui.widgets.table import ListTable

NARROW = 110


class WhatIfScreen(Translated, WhatIfFiles):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Back")),
        Binding("q", "close", N_("Back"), show=False),
        Binding("ctrl+t", "toggle_stress", N_("Stress")),
        Binding("ctrl+s", "save", N_("Save scenario"), priority=True),
        Binding("ctrl+o", "open", N_("Open scenario")),
        Binding("ctrl+g", "apply", N_("Apply to config")),
        Binding("ctrl+r", "reset", N_("Reset")),
    ]

    DEFAULT_CSS = """
    WhatIfScreen { layout: vertical; }
    WhatIfScreen #wi-head { height: auto; max-height: 2; background: $boost; padding: 0 1; }
    WhatIfScreen #wi-events-form, WhatIfScreen #wi-channels-form { height: auto; }
    WhatIfScreen #wi-body { height: 1fr; }
    WhatIfScreen .pane { border: round $primary 50%; border-title-color: $text; }
    WhatIfScreen .pane:focus-within { border: round $primary; }
    WhatIfScreen #wi-form { width: 70; padding: 0 1; }
    WhatIfScreen #wi-side { width: 1fr; }
    WhatIfScreen #wi-results { height: 1fr; padding: 0 1; }
    WhatIfScreen #wi-scenarios { height: auto; padding: 0 1; }
    WhatIfScreen .wi-row { height: 1; }
    WhatIfScreen .wi-colhead { color: $text-muted; }
    WhatIfScreen .wi-section { text-style: bold; color: $primary; margin: 1 0 0 0; }
    WhatIfScreen .wi-id { width: 23; margin: 0 1 0 0; text-wrap: nowrap; text-overflow: ellipsis; }
    WhatIfScreen .wi-col { width: 14; }
    WhatIfScreen .wi-status { width: 13; margin: 0 1 0 0; }
    WhatIfScreen OverrideInput { width: 13; margin: 0 1 0 0; }
    WhatIfScreen OverrideInput.wi-probability { width: 9; }
    WhatIfScreen OverrideInput.wi-effective { width: 17; }
    WhatIfScreen .wi-colhead .wi-col { width: 14; }
    WhatIfScreen .wi-colhead.-events .wi-col.-c2 { width: 10; }
    WhatIfScreen #wi-stress-row { height: 1; }
    WhatIfScreen #wi-stress-row Label { width: 1fr; margin: 0 0 0 1; }
    WhatIfScreen #wi-stress { width: auto; height: 1; border: none; padding: 0; }
    WhatIfScreen #wi-loss-title { color: $text-muted; }
    WhatIfScreen #wi-extra { height: auto; color: $text-muted; margin: 1 0 0 0; display: none; }
    WhatIfScreen #wi-extra.-shown { display: block; }
    WhatIfScreen #wi-note { height: auto; margin: 1 0; }
    WhatIfScreen #wi-note.-bad { color: $text-error; }
    WhatIfScreen DataTable { height: auto; }
    WhatIfScreen #wi-controls { height: 1; }
    WhatIfScreen #wi-name { width: 1fr; margin: 0 1 0 0; }
    WhatIfScreen #wi-controls Button { margin: 0 1 0 0; }
    WhatIfScreen #wi-saved { height: auto; max-height: 6; margin: 1 0 0 0; border: none; padding: 0; }
    WhatIfScreen.-narrow #wi-body { layout: vertical; }
    WhatIfScreen.-narrow #wi-form { width: 1fr; height: 1fr; }
    WhatIfScreen.-narrow #wi-side { height: 1fr; }
    WhatIfScreen.-narrow .wi-id { width: 23; }
    WhatIfScreen.-short #wi-head { max-height: 1; }
    WhatIfScreen.-short #wi-saved { max-height: 2; margin: 0; }
    WhatIfScreen.-short .wi-section { margin: 0; }
    """

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="wi-head")
        with Horizontal(id="wi-body"):
            with VerticalScroll(id="wi-form", classes="pane"):
                with Horizontal(id="wi-stress-row"):
                    yield Switch(False, id="wi-stress")
                    yield Label(Content(_(STRESS_OFF)), id="wi-stress-label")
                yield Static(Content(_("Events")), classes="wi-section")
                yield head_row(_("event"), _("status"), _("prob."), _("effective"), events=True)
                with Vertical(id="wi-events-form"):
                    for i, e in enumerate(self._ordered_events()):
                        yield EventRow(i, e)
                yield Static(Content(_("Channels")), classes="wi-section")
                yield head_row(_("channel"), _("order share"), _("inventory"), _("payouts held"))
                with Vertical(id="wi-channels-form"):
                    for i, c in enumerate(self.evaluation.config.profile.channels):
                        yield ChannelRow(i, c)
                yield Static(id="wi-extra")
            with Vertical(id="wi-side"):
                with VerticalScroll(id="wi-results", classes="pane"):
                    yield DataTable(id="wi-summary", cursor_type="none", zebra_stripes=True)
                    yield Static(id="wi-note")
                    yield Static(Content(_("Expected loss per event")), id="wi-loss-title")
                    yield ListTable(DELTA_COLUMNS, id="wi-events")
                with Vertical(id="wi-scenarios", classes="pane"):
                    with Horizontal(id="wi-controls"):
                        yield Input(placeholder=_("scenario name"), id="wi-name", compact=True)
                        yield Button(_("Save"), id="wi-save", compact=True)
                        yield Button(_("Apply to config…"), id="wi-apply", compact=True, variant="warning")
                        yield Button(_("Reset"), id="wi-reset", compact=True)
                    yield OptionList(id="wi-saved")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#wi-form").border_title = _("Change (empty probability: the status default)")
        self.query_one("#wi-results").border_title = _("Baseline vs scenario")
        self.query_one("#wi-scenarios").border_title = _("Scenarios (scenarios/NAME.toml; enter loads)")
        summary = self.query_one("#wi-summary", DataTable)
        summary.add_column("", key="what")
        for key, label in (("baseline", N_("Baseline")), ("scenario", N_("Scenario")), ("change", N_("Change"))):
            summary.add_column(Text(_(label), justify="right"), key=key)
        self._layout(self.app.size.width, self.app.size.height)
        self._head()
        self._list_scenarios()
        self.set_interval(0.5, self._follow_app)
        self.recompute_now()

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width, event.size.height)

    def _layout(self, width: int, height: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < 30, "-short")

    # -- actions ------------------------------------------------------------------------------

    def action_close(self) -> None:
        if self._writing:
            self.notify(_("Still writing: leave once it is done."), title=_("What-if"), markup=False, timeout=3)
            return
        self.app.pop_screen()
