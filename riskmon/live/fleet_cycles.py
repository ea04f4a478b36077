"""A fleet profile's reassessment cycle: requests coalesced per profile and worked one profile at a
time; each cycle assesses, records history, exports samples and notifies, as the daemon does.
"""

from __future__ import annotations

from typing import Any

from riskmon.live.alertmanager import level_alert
from riskmon.live.exporters import textfile_path
from riskmon.live.fleet_members import Member, _evaluate, _log_change, _results, log
from riskmon.live.fleet_state import FleetState
from riskmon.live.threads import in_thread
from riskmon.live.updates import MonitorUpdate
from riskmon.present.fleet import summary
from riskmon.present.prometheus import profile_samples, render, unknown_samples
from riskmon.usecases.fleet import profile_results


class FleetCycles(FleetState):
    """The reassessment queue and a profile's cycle (see riskmon.live.fleet)."""

    def _want_all(self, reason: str) -> None:
        for name in sorted(self.members):
            self._want(name, reason)

    def _want(self, name: str, reason: str) -> None:
        """Reassess profile `name` soon; requests made before it starts are one reassessment."""
        if self._stopped:
            return
        self._dirty.setdefault(name, []).append(reason)
        if self._worker is None or self._worker.done():
            self._worker = self._spawn(self._work())

    async def _work(self) -> None:
        while self._dirty and not self._stopped:
            name = next(iter(self._dirty))
            reasons = self._dirty.pop(name)
            m = self.members.get(name)
            if m is not None:
                try:
                    await self._cycle(m, ", ".join(dict.fromkeys(reasons)))
                except Exception:
                    log.exception("profile %s: reassess failed", name)
            if not self._dirty:
                await self._after_pass()

    async def _cycle(self, m: Member, reason: str) -> None:
        fleet, cfg = self.fleet, m.config
        if cfg is None or fleet is None:
            await self._cycle_unknown(m)
            return
        own = [f.name for f in cfg.settings.feeds]
        results = profile_results(_results(self.shared), _results(m.polls), own)
        ev = await in_thread(_evaluate, fleet.with_shared_events(cfg), results, self.now_fn())
        if self.members.get(m.name) is not m:
            return  # removed on disk meanwhile
        new, changed, titles = m.changes.step(ev)
        prev, m.evaluation = m.evaluation, ev
        _log_change(m.name, prev, ev, new, changed)
        outputs = self.shared.primed and m.polls.primed and not self.replay
        entries: list[dict[str, Any]] = []
        if outputs:
            await m.notifier.read_baseline(ev)
            entries = await m.recorder.record(ev, bool(new or changed))
        config_ok = m.watcher.error is None
        samples = profile_samples(ev.assessment, m.labels, feeds=ev.feeds, config_ok=config_ok)
        self._set_samples(m.name, samples)
        own_textfile = textfile_path(cfg)
        if outputs and own_textfile is not None:  # as its own daemon would write it
            await self.exporter.write(own_textfile, render([samples]))
        m.update = MonitorUpdate(
            at=ev.assessment.now,
            reason=reason,
            evaluation=ev,
            new_events=new,
            changed_events=dict(changed),
            titles=dict(titles),
            log_entries=tuple(entries),
            config_error=m.watcher.error,
            problems=m.watcher.problems,
            feeds=tuple(ev.feeds),
            next_polls=self.next_polls(m.name),
            history_error=m.recorder.error,
            export_error=self.exporter.error,
            primed=self.shared.primed and m.polls.primed,
        )
        self._emit(m.name, m.update)
        channels = [*cfg.settings.alerts, *m.notifier.extra_channels]
        if outputs and (channels or m.notified):
            m.notified = True
            await m.notifier.notify(ev, config_broken=not config_ok)

    async def _cycle_unknown(self, m: Member) -> None:
        """A profile without a valid config: UNKNOWN in its row, its samples and, through the
        fleet's routes, Alertmanager."""
        self._set_samples(m.name, unknown_samples(m.labels, config_ok=m.error is None))
        self._emit(m.name, None)
        if self.replay or self.fleet is None:
            return
        problems = m.watcher.problems or ((m.error.message,) if m.error else ())
        alert = level_alert(
            "UNKNOWN",
            m.labels,
            summary=f"{m.name}: cannot be assessed",
            reasons=problems[:5],
            next_action=f"fix the config: riskmon config validate --config {m.path}",
            runbook=f"riskmon config validate --config {m.path}",
        )
        self.pusher.set(self.fleet.alerts_for(m.name), m.name, alert)

    async def _after_pass(self) -> None:
        """After the waiting profiles were reassessed: the textfile, Alertmanager, the counts."""
        self.passes += 1
        if self.passes == 1:
            counts = summary(r.level for r in self.rows())
            log.info(
                "fleet %s: %d profile(s): %s",
                self.path,
                len(self.members),
                ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "none",
            )
        fleet = self.fleet
        if fleet is not None and fleet.textfile is not None and not self.replay:
            text = await in_thread(self.metrics_text)
            await self.exporter.write(fleet.textfile, text)
        if not self.replay:
            await in_thread(self.pusher.flush)
        self._emit(None)
