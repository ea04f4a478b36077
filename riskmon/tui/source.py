"""What the dashboard shows for one Monitor update: the evaluation, history read back for the
charts and the change log, and the playbook checklists. Blocking; no Textual.

The Monitor (riskmon.live.monitor) polls feeds, reloads config, assesses and records history on its
own schedule; its `on_update` hands the app a `MonitorUpdate`. `ViewSource.load()` turns one into
a `Loaded` in a thread worker: it reads the history file (snapshots, event log, which steps are
done) and matches the playbooks. It writes only the checkboxes (`set_step`).

`ViewSource.first()` is the fast first paint, before the Monitor (and APScheduler) are even
imported: the config and the feeds' cached copies, assessed, without history. `HeadStart` runs it
in a thread started with the process, before Textual is imported.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.paths import resolve_config_dir
from riskmon.store.snapshots import business_of
from riskmon.textsafe import clean
from riskmon.tui import viewdata

if TYPE_CHECKING:
    from riskmon.core.playbooks import Action, Item, Plan
    from riskmon.live.monitor import MonitorUpdate
    from riskmon.paths import ConfigLocation
    from riskmon.sources.config.load import Config
    from riskmon.store.history import HistoryStore
    from riskmon.usecases.evaluate import Evaluation

log = logging.getLogger("riskmon.tui")

HISTORY_WINDOW = timedelta(days=366)
"""How much history the dashboard reads (the history screen's longest range)."""


@dataclass(frozen=True)
class StepView:
    """One playbook step as the checklist shows it."""

    key: str
    """The checklist key: the event id, or "standing:<rule id>" (as `riskmon playbook done` takes)."""
    rule_id: str
    rule_title: str
    step_id: str
    text: str
    due: datetime | None
    done: bool
    why: str = ""


@dataclass(frozen=True)
class ActionView:
    """One next action as the dashboard lists it: an open (or done) step ranked across every
    event by the core (`Plan.checklist`), or the folded backlog of one event's long-overdue steps."""

    key: str
    """The checklist key to tick it under: the event id, or "standing:<rule id>"."""
    step_id: str
    """"" for a folded backlog."""
    text: str
    due: datetime
    done: bool
    why: str
    """The step's own why, else its rule's."""
    label: str
    """Where it comes from, short: the event ids (or standing rule id) the core names it by."""
    whose: str
    """What it is for, in words: the event's title, or the standing suggestion's title."""
    rule_title: str = ""
    folded: tuple[ActionView, ...] = ()
    """A folded backlog's steps, oldest first."""

    @property
    def step(self) -> tuple[str, str]:
        return (self.key, self.step_id)


@dataclass(frozen=True)
class Loaded:
    """Everything one update produced, handed to the UI thread as a whole."""

    update: MonitorUpdate | None
    """The Monitor's update shown (None: the first paint, before the Monitor started)."""
    evaluation: Evaluation
    changes: viewdata.Changes = field(default_factory=viewdata.Changes)
    """Events to highlight (the app sets it: new or changed in the last few minutes)."""
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    event_log: list[dict[str, Any]] = field(default_factory=list)
    steps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    playbooks: dict[str, list[StepView]] = field(default_factory=dict)
    """Checklist key -> its steps (done flags from history): every event's, and every standing
    suggestion's under "standing:<rule id>"."""
    standing: tuple[str, ...] = ()
    """The keys of the standing suggestions (concentration, runway, ...), most important first."""
    actions: list[ActionView] = field(default_factory=list)
    """The next actions across every event, as the core ranks them (`Plan.checklist`): open
    steps first (long-overdue ones folded per event), then the done ones."""
    history_error: str | None = None
    with_history: bool = True
    """History was read (False: the fast first paint, before history)."""

    @property
    def assessment(self) -> Any:
        return self.evaluation.assessment


def _item_view(item: Item) -> ActionView:
    from riskmon.i18n import data
    from riskmon.present.words import step_text, step_why, suggestion_title, suggestion_why

    s, step = item.suggestion, item.step
    title = suggestion_title(s)
    whose = clean(data(s.event.event.title)) if s.event is not None else title
    why = step_why(step) or suggestion_why(s)
    return ActionView(s.key, step.id, step_text(step), step.due, step.done, why, item.label, whose, title)


def action_view(action: Action) -> ActionView:
    """A ranked action as the list shows it; a folded backlog carries its steps."""
    from riskmon.core.playbooks import Item

    if isinstance(action, Item):
        return _item_view(action)
    first = _item_view(action.items[0])
    return replace(
        first,
        step_id="",
        text=viewdata.folded_summary(action),
        done=False,
        label=action.label,
        folded=tuple(_item_view(i) for i in action.items),
    )


def ticked(step: tuple[str, str], done: bool, actions: Sequence[ActionView]) -> list[ActionView]:
    """`actions` with `step` ticked (or not), also inside a folded backlog; in place, as a load
    that began before the tick was saved must not move it."""
    out = []
    for x in actions:
        if x.folded:
            x = replace(x, folded=tuple(ticked(step, done, x.folded)))
        out.append(replace(x, done=done) if x.step_id and x.step == step else x)
    return out


@dataclass(frozen=True)
class Playbooks:
    """What the dashboard shows of one plan."""

    steps: dict[str, list[StepView]] = field(default_factory=dict)
    """Checklist key -> its steps."""
    standing: tuple[str, ...] = ()
    actions: list[ActionView] = field(default_factory=list)


def _checklists(p: Plan) -> Playbooks:
    from riskmon.present.words import step_text, step_why, suggestion_title

    out: dict[str, list[StepView]] = {}
    for suggestions in [*p.events.values(), p.standing]:
        for s in suggestions:
            title = suggestion_title(s)
            out.setdefault(s.key, []).extend(
                StepView(s.key, s.rule_id, title, step.id, step_text(step), step.due, step.done, step_why(step))
                for step in s.steps
            )
    standing = tuple(dict.fromkeys(s.key for s in p.standing))
    return Playbooks(out, standing, [action_view(a) for a in p.checklist()])


def playbooks_for(evaluation: Evaluation, steps: Mapping[tuple[str, str], Mapping[str, Any]]) -> Playbooks:
    """Every checklist, the standing keys in order and the ranked next actions, matched by
    riskmon.core.playbooks and ticked from history."""
    from riskmon.i18n import follow_config

    follow_config(evaluation.config.settings.ui.language)  # `[ui] language`, before any text is made
    try:
        return _checklists(evaluation.with_progress(steps).plan)
    except Exception as exc:  # a playbook problem must not take the dashboard down
        log.warning("playbooks: %s", exc)
        return Playbooks()


class ViewSource:
    """Reads history for the screen and writes checkboxes. Thread-safe; one load at a time."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._store: HistoryStore | None = None
        self._store_error: str | None = None
        self._lock = threading.Lock()

    def store(self, cfg: Config | None = None) -> HistoryStore | None:
        if self._store is None and self._store_error is None:
            try:
                from riskmon.store.history import HistoryStore

                self._store = HistoryStore(self.db_path, cfg.settings.history if cfg is not None else None)
            except Exception as exc:
                self._store_error = f"history unavailable: {exc}"
        return self._store

    def set_step(self, key: str, step_id: str, done: bool, now: datetime) -> None:
        store = self.store()
        if store is None:
            raise RuntimeError(self._store_error or "history unavailable")
        store.set_step(key, step_id, done, now)

    @staticmethod
    def first(location: ConfigLocation, now: datetime) -> Loaded:
        """The fast first paint: the config and the feeds' cached copies, assessed; no history."""
        from riskmon.sources.config.load import load_config
        from riskmon.usecases.evaluate import evaluate

        # Read-only, as a replay is: the Monitor that starts next polls the feeds and caches them.
        ev = evaluate(load_config(location), now, offline=True, replay=True)
        pb = playbooks_for(ev, {})
        return Loaded(None, ev, playbooks=pb.steps, standing=pb.standing, actions=pb.actions, with_history=False)

    def load(self, update: MonitorUpdate) -> Loaded:
        """The screen's data for one of the Monitor's updates, with history."""
        ev = update.evaluation
        if ev is None:
            raise ValueError("an update without an evaluation has nothing to show")
        with self._lock:
            now = ev.assessment.now
            snapshots: list[dict[str, Any]] = []
            event_log: list[dict[str, Any]] = []
            steps: dict[tuple[str, str], dict[str, Any]] = {}
            store = self.store(ev.config)
            error = self._store_error if store is None else None
            if store is not None and self.db_path.exists():
                try:
                    whose = business_of(ev.assessment)  # another business's series is not this one's
                    snapshots = store.snapshots(since=now - HISTORY_WINDOW, business=whose)
                    event_log = store.event_log(since=now - HISTORY_WINDOW, business=whose)
                    steps = store.steps()
                except Exception as exc:  # history trouble must not hide the assessment
                    error = f"history: {getattr(exc, 'message', None) or exc}"
                    log.warning("%s", error)
            pb = playbooks_for(ev, steps)
            return Loaded(
                update=update,
                evaluation=ev,
                snapshots=snapshots,
                event_log=event_log,
                steps=steps,
                playbooks=pb.steps,
                standing=pb.standing,
                actions=pb.actions,
                history_error=error or update.history_error,
            )


class HeadStart:
    """`ViewSource.first()` for a config dir and `--now`, in a thread started before Textual is
    imported (`riskmon` / `riskmon tui`). Python runs one thread at a time, so this only changes
    the order: pydantic, the engine, the config readers and the first assessment overlap
    Textual's import instead of its first render, and the first frame usually has the level and
    score already (one full render instead of an empty one and then a full one). The app takes
    the result (or the error) when it mounts, as it would have computed it itself."""

    def __init__(self, config_dir: str | Path | None, now: datetime | None) -> None:
        self.location = resolve_config_dir(config_dir)
        self.fixed_now = now
        self._done = threading.Event()
        self._loaded: Loaded | None = None
        self._error: Exception | None = None
        threading.Thread(target=self._run, name="riskmon-first", daemon=True).start()

    def _run(self) -> None:
        try:
            self._loaded = ViewSource.first(self.location, self.fixed_now or datetime.now(UTC))
        except Exception as exc:  # raised again, where the app would have met it
            self._error = exc
        finally:
            self._done.set()

    def wait(self, seconds: float) -> bool:
        """Computed (or failed) within `seconds` (blocking; 0: now): True when `result()` returns at once."""
        return self._done.wait(seconds)

    def result(self) -> Loaded:
        """Blocks until the thread is done; raises what `ViewSource.first()` raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._loaded is not None
        return self._loaded
