"""The what-if screen's files: saved scenarios (list, save, load: scenarios/NAME.toml, the CLI's
`--scenario NAME`) and applying the form to the config after a confirmation. Workers do the file
I/O; their answers come back as messages."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.content import Content
from textual.widgets import Button, Input, OptionList, Switch
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from riskmon.core.scenario import Override, Scenario, ScenarioError
from riskmon.errors import reason_of
from riskmon.i18n import _, ngettext
from riskmon.present.whatif import change_value, said
from riskmon.textsafe import clean
from riskmon.tui.messages import ConfigSaved
from riskmon.tui.screens.forms import DEMO_HINT
from riskmon.tui.screens.whatif_fields import FORM_FIELDS, value_text
from riskmon.tui.screens.whatif_form import WhatIfForm
from riskmon.tui.screens.whatif_widgets import Applied, ScenarioList, ScenarioLoaded, ScenarioSaved
from riskmon.tui.widgets.choice import Choice, ChoiceScreen

if TYPE_CHECKING:
    from riskmon.core.scenario import Change


class WhatIfFiles(WhatIfForm):
    """Saved scenarios and applying to the config, on top of the form."""

    # -- saved scenarios ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="list", exit_on_error=False)
    def _list_scenarios(self) -> None:
        from riskmon.sources.scenarios import list_scenarios

        names = list_scenarios(self.evaluation.config.path)
        if not get_current_worker().is_cancelled:  # a newer listing was asked for: it answers
            self.post_message(ScenarioList(names))

    @on(ScenarioList)
    def _listed(self, message: ScenarioList) -> None:
        box = self.query_one("#wi-saved", OptionList)
        box.clear_options()
        if not message.names:
            box.add_option(Option(Content(_("no saved scenarios yet: name one above and press ctrl+s")), disabled=True))
        box.add_options([Option(Content(n), id=n) for n in message.names])

    def action_open(self) -> None:
        self.query_one("#wi-saved", OptionList).focus()

    def action_save(self) -> None:
        scenario = self._scenario_to_save()
        if scenario is None:
            return
        name = scenario.name
        saved = [o.id for o in self.query_one("#wi-saved", OptionList).options if o.id]
        if name in saved:

            def chosen(choice: str | None) -> None:
                if choice == "replace":
                    self._writing += 1
                    self._save_scenario(self.evaluation.config.path, scenario)

            self.app.push_screen(
                ChoiceScreen(
                    _("Replace the saved scenario {name}?").format(name=name),
                    [_("scenarios/{name}.toml already exists.").format(name=name)],
                    [Choice("replace", _("Replace"), "warning"), Choice("cancel", _("Cancel"), "primary")],
                    focus="cancel",
                ),
                chosen,
            )
            return
        self._writing += 1
        self._save_scenario(self.evaluation.config.path, scenario)

    def _scenario_to_save(self) -> Scenario | None:
        """The form as a named scenario; None (having said why) when it cannot be saved."""
        from riskmon.sources.scenarios import check_name

        name_box = self.query_one("#wi-name", Input)
        name = name_box.value.strip()
        if not name:
            self.notify(_("Name the scenario first (letters, digits, - _ .), then ctrl+s."), markup=False, timeout=4)
            name_box.focus()
            return None
        try:
            name = check_name(name)
        except ScenarioError as exc:
            self.notify(clean(said(exc)), severity="error", markup=False)
            name_box.focus()
            return None
        if self.location.is_demo:
            self.notify(_(DEMO_HINT), title=_("Not saved"), severity="warning", markup=False, timeout=10)
            return None
        overrides, errors = self.form_overrides()
        if errors or (self.error and not self.pending):
            self.notify(
                _("Fix the scenario first: {why}").format(why=clean(self.error or "; ".join(errors))),
                severity="error",
                markup=False,
            )
            return None
        return Scenario(
            name=name,
            overrides=overrides,
            stress=self.stress,
            created=self.evaluation.assessment.now,
            description=self.description,
        )

    @on(Button.Pressed, "#wi-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Input.Submitted, "#wi-name")
    def _name_submitted(self) -> None:
        self.action_save()

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save_scenario(self, config_dir: Path, scenario: Scenario) -> None:
        from riskmon.sources.scenarios import save_scenario

        try:
            path = save_scenario(config_dir, scenario)
        except Exception as exc:
            self.post_message(ScenarioSaved(scenario.name, None, reason_of(exc)))
            return
        self.post_message(ScenarioSaved(scenario.name, path))

    @on(ScenarioSaved)
    def _saved(self, message: ScenarioSaved) -> None:
        self._writing -= 1
        if message.path is None:
            self.notify(_("Scenario not saved: {why}").format(why=clean(message.error)), severity="error", markup=False)
            return
        self.notify(
            _("Saved {path}; `riskmon what-if --scenario {name}` runs it too.").format(
                path=message.path, name=message.name
            ),
            markup=False,
            timeout=6,
        )
        self._list_scenarios()

    @on(OptionList.OptionSelected, "#wi-saved")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id:
            self.load(event.option_id)

    def load(self, name: str) -> None:
        """Read scenarios/NAME.toml (in a worker) and put it into the form."""
        self._load_scenario(self.evaluation.config.path, name)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_scenario(self, config_dir: Path, name: str) -> None:
        from riskmon.sources.scenarios import load_scenario

        try:
            loaded = ScenarioLoaded(load_scenario(config_dir, name))
        except ScenarioError as exc:  # a scenario file's problem, in the reader's language
            loaded = ScenarioLoaded(None, said(exc))
        except Exception as exc:
            loaded = ScenarioLoaded(None, reason_of(exc))
        # A cancelled thread still runs to the end: a slow load of A finishing after B was chosen
        # must not put A into the form.
        if not get_current_worker().is_cancelled:
            self.post_message(loaded)

    @on(ScenarioLoaded)
    def _loaded(self, message: ScenarioLoaded) -> None:
        s = message.scenario
        if s is None:
            self.notify(_("Cannot load: {why}").format(why=clean(message.error)), severity="error", markup=False)
            return
        self.action_reset()
        values: dict[str, str] = {}
        extras: list[Override] = []
        for o in s.overrides:
            if o.field in FORM_FIELDS.get(o.target_kind, ()) and self.input_for(o.target) is not None:
                values[o.target] = "" if o.value is None else value_text(o.value)
            else:
                extras.append(o)
        self.set_values(values)
        self.extras = tuple(extras)
        self.description = s.description
        self._extras_note()
        self.query_one("#wi-stress", Switch).value = s.stress
        self.query_one("#wi-name", Input).value = s.name
        self.schedule()
        self.notify(_("Loaded scenario {name}.").format(name=clean(s.name)), markup=False, timeout=3)

    # -- applying to the config ---------------------------------------------------------------

    @on(Button.Pressed, "#wi-apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        """Write the scenario's changes into exposure.toml / events.toml, after a confirmation."""
        from riskmon.sources.config import edit as configedit

        changes = self._changes_to_apply()
        if not changes:
            return
        cfg = self.evaluation.config
        edits = configedit.edits_from_changes(changes)
        base = cfg.location.path
        by_id = {e.id: e for e in cfg.events}
        lines = [
            f"{edit.file}: {edit.where}: {change_value(c, c.old, by_id)} -> {change_value(c, c.new, by_id)}"
            + (_(" (moved with effective)") if c.implied else "")
            for c, edit in zip(changes, edits, strict=True)
        ]

        def chosen(choice: str | None) -> None:
            if choice == "apply":
                self._writing += 1
                self._apply(cfg.location, edits)

        self.app.push_screen(
            ChoiceScreen(
                ngettext(
                    "Write {n} change into your config in {base}?",
                    "Write {n} changes into your config in {base}?",
                    len(changes),
                ).format(n=len(changes), base=base),
                [
                    *lines,
                    "",
                    _("Comments and formatting are kept; the files are validated before anything is written."),
                ],
                [Choice("apply", _("Apply to config"), "warning"), Choice("cancel", _("Cancel"), "primary")],
                focus="cancel",
            ),
            chosen,
        )

    def _changes_to_apply(self) -> list[Change] | None:
        """What applying the form would change in the config; None (having said why) when
        nothing can be applied."""
        from riskmon.usecases.whatif import config_changes

        if self.location.is_demo:
            self.notify(_(DEMO_HINT), title=_("Read-only"), severity="warning", markup=False, timeout=10)
            return None
        if self.stress:
            self.notify(
                _("Stress is a test, not a change to your config: switch it off (ctrl+t) to apply the other values."),
                severity="warning",
                markup=False,
                timeout=8,
            )
            return None
        overrides, errors = self.form_overrides()
        if errors:
            self.notify(_("Fix the values marked red first."), severity="error", markup=False)
            return None
        try:
            changes = config_changes(self.evaluation.config, overrides)  # the rules, before any file is touched
        except ScenarioError as exc:
            self.notify(
                _("{why} (only events in events.toml can be written; events from feeds cannot)").format(
                    why=clean(said(exc))
                ),
                severity="error",
                markup=False,
                timeout=10,
            )
            return None
        if not changes:
            self.notify(_("Nothing to apply: the values equal your config's."), markup=False, timeout=4)
            return None
        return changes

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def _apply(self, location: Any, edits: list[Any]) -> None:
        from riskmon.sources.config import edit as configedit

        try:
            paths = configedit.apply_edits(location, edits)
        except Exception as exc:
            self.post_message(Applied(None, reason_of(exc)))
            return
        self.post_message(Applied(paths))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self._writing -= 1
        if message.paths is None:
            self.notify(
                _("Not applied: {why}").format(why=clean(message.error)), severity="error", markup=False, timeout=10
            )
            return
        self.notify(
            _("Wrote {paths}").format(paths=", ".join(str(p) for p in message.paths)),
            title=_("Config"),
            markup=False,
            timeout=6,
        )
        self.app.post_message(ConfigSaved(list(message.paths)))
