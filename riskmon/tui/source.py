"""Where the dashboard's data comes from: config, evaluate(), history. Blocking; no Textual.

The app calls these methods from thread workers only, one refresh at a time, and shows what they
return. `RefreshSource` is the single seam between the screen and the rest of riskmon: today it
reloads config and runs `pipeline.evaluate()` itself on a timer the app sets; when the Monitor
(the shared scheduler) lands, a source that reads the Monitor's latest result replaces it and
nothing on screen changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.paths import ConfigLocation, resolve_config_dir, resolve_db_path
from riskmon.tui import viewdata

if TYPE_CHECKING:
    from riskmon.config import Config
    from riskmon.pipeline import Evaluation
    from riskmon.store import HistoryStore

log = logging.getLogger("riskmon.tui")

HISTORY_WINDOW = timedelta(days=366)
"""How much history the dashboard reads (the history screen's longest range)."""


@dataclass(frozen=True)
class StepView:
    """One playbook step as the checklist shows it."""

    rule_id: str
    rule_title: str
    step_id: str
    text: str
    due: datetime | None
    done: bool
    why: str = ""


@dataclass(frozen=True)
class Loaded:
    """Everything one refresh produced, handed to the UI thread as a whole."""

    evaluation: Evaluation
    changes: viewdata.Changes
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    event_log: list[dict[str, Any]] = field(default_factory=list)
    steps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    playbooks: dict[str, list[StepView]] = field(default_factory=dict)
    """Event id -> its playbook steps (done flags from history)."""
    history_error: str | None = None
    reloaded: bool = False
    """The config was (re)read from disk for this refresh."""
    online: bool = True
    """Feeds were polled (False: served from their cached copies, for a fast first paint)."""
    with_history: bool = True
    """History was read (False: the fast first paint, before history)."""

    @property
    def assessment(self) -> Any:
        return self.evaluation.assessment


def playbooks_for(
    evaluation: Evaluation, steps: Mapping[tuple[str, str], Mapping[str, Any]]
) -> dict[str, list[StepView]]:
    """Event id -> its playbook steps (matched by riskmon.playbooks, ticked from history)."""
    try:
        import importlib

        pb = importlib.import_module("riskmon.playbooks")
    except ImportError:  # playbooks not installed: the panel says so
        return {}
    a = evaluation.assessment
    try:
        plan = pb.plan(a, pb.effective_rules(evaluation.config.playbooks), progress=steps, now=a.now)
        suggestions = plan.events
    except Exception as exc:  # a playbook problem must not take the dashboard down
        log.warning("playbooks: %s", exc)
        return {}
    out: dict[str, list[StepView]] = {}
    for event_id, found in suggestions.items():
        views = [
            StepView(s.rule_id, s.title, step.id, step.text, step.due, step.done, step.why)
            for s in found
            for step in s.steps
        ]
        if views:
            out[event_id] = views
    return out


class RefreshSource:
    """Loads config, evaluates, reads and writes history. Thread-safe; one refresh at a time."""

    poll_every: float = 60.0
    """Seconds between refreshes (feeds are polled on each)."""
    config_check_every: float = 2.0
    """Seconds between looks at the config files' modification times."""
    feed_budget: float = 20.0
    """A refresh gives hanging feeds at most this long; their cached copies are used after."""

    def __init__(
        self,
        config_dir: str | Path | None = None,
        db_path: str | Path | None = None,
        now: datetime | None = None,
        *,
        evaluate: Callable[..., Evaluation] | None = None,
        record_history: bool | None = None,
    ) -> None:
        self.location: ConfigLocation = resolve_config_dir(config_dir)
        self.db_path: Path = resolve_db_path(db_path)
        self.fixed_now = now
        self._evaluate = evaluate
        # A replay (--now) reads history but does not write snapshots into it.
        self.record_history = (now is None) if record_history is None else record_history
        self._config: Config | None = None
        self._bad_mtimes: dict[str, float] | None = None
        self._states: dict[str, viewdata.EventState] | None = None
        self._store: HistoryStore | None = None
        self._store_error: str | None = None
        self._lock = threading.Lock()
        self._first = True
        """No history read yet: the next history step reports what changed since the last run."""

    # -- time and config -------------------------------------------------------------------

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    @property
    def config(self) -> Config | None:
        return self._config

    def config_changed(self) -> bool:
        """A config file was edited, added or removed since the last load (cheap: stat).

        After a failed load, only a further edit counts: the same broken files are not re-read.
        """
        from riskmon.config import current_mtimes

        try:
            now = current_mtimes(self.location.path)
        except OSError:
            return False
        if self._bad_mtimes is not None:
            return now != self._bad_mtimes
        return self._config is not None and now != self._config.mtimes

    def _load_config(self, reload: bool) -> tuple[Config, bool]:
        from riskmon.config import current_mtimes, load_config

        if self._config is not None and not reload and not self.config_changed():
            return self._config, False
        try:
            cfg = load_config(self.location)
        except Exception:
            # The last good config stays; remember what failed so that it is not retried until edited.
            try:
                self._bad_mtimes = current_mtimes(self.location.path)
            except OSError:
                self._bad_mtimes = {}
            raise
        self._config = cfg
        self._bad_mtimes = None
        return cfg, True

    # -- history -----------------------------------------------------------------------------

    def store(self) -> HistoryStore | None:
        if self._store is None and self._store_error is None:
            try:
                from riskmon.store import HistoryStore

                settings = self._config.settings.history if self._config is not None else None
                self._store = HistoryStore(self.db_path, settings)
            except Exception as exc:
                self._store_error = f"history unavailable: {exc}"
        return self._store

    def set_step(self, event_id: str, step_id: str, done: bool) -> None:
        store = self.store()
        if store is None:
            raise RuntimeError(self._store_error or "history unavailable")
        store.set_step(event_id, step_id, done, self.now())

    # -- a refresh ---------------------------------------------------------------------------

    def load(self, *, offline: bool = False, reload: bool = False, history: bool = True) -> Loaded:
        """One refresh: (re)load config if it changed, evaluate, record and read history.

        `history=False` skips the history file (locks, fsyncs) for the fastest first paint; the
        app follows it at once with a full refresh.
        """
        with self._lock:
            cfg, reloaded = self._load_config(reload)
            now = self.now()
            if self._evaluate is not None:
                ev = self._evaluate(cfg, now, offline=offline, budget=self.feed_budget)
            else:
                from riskmon.pipeline import evaluate

                ev = evaluate(cfg, now, offline=offline, budget=self.feed_budget)
            a = ev.assessment
            changes = viewdata.diff(self._states, a)
            self._states = viewdata.states(a)
            snapshots: list[dict[str, Any]] = []
            event_log: list[dict[str, Any]] = []
            steps: dict[tuple[str, str], dict[str, Any]] = {}
            error = None
            store = self.store() if history else None
            if not history:
                pass
            elif store is None:
                error = self._store_error
            else:
                try:
                    first_run = self._first and store.last_snapshot() is None
                    if self.record_history:
                        entries = store.record_check(viewdata.snapshot_of(a), viewdata.event_records(a))
                        if self._first:
                            changes = changes.merged(viewdata.changes_from_log(entries, first_run=first_run))
                    snapshots = store.snapshots(since=now - HISTORY_WINDOW)
                    event_log = store.event_log(since=now - HISTORY_WINDOW)
                    steps = store.steps()
                except Exception as exc:  # history trouble must not hide the assessment
                    error = f"history: {getattr(exc, 'message', None) or exc}"
                    log.warning("%s", error)
            if history:
                self._first = False
            return Loaded(
                evaluation=ev,
                changes=changes,
                snapshots=snapshots,
                event_log=event_log,
                steps=steps,
                playbooks=playbooks_for(ev, steps),
                history_error=error,
                reloaded=reloaded,
                online=not offline,
                with_history=history,
            )
