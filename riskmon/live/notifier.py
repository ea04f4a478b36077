"""Alert delivery and dedupe: the alert stage of each monitor cycle.

What is news: a level change, a new event that is critical on its own, a playbook step whose due
moment passes between two assessments (riskmon.live.alert_rules). What each channel has been told
lives in history (`alerts`): the level last announced there (OK when nothing was, so a first
assessment that is already CRITICAL is announced) and every alert delivered. Alerts due on a
channel are claimed in history (recorded as sent, in the transaction that reads what was sent)
before they go out, so the dashboard, a daemon and `daemon --once` from cron, started in any
order, send each piece of news once, and `renotify` holds across restarts. After a restart, new
events and overdue steps are counted from the last snapshot (`Baseline`).

The alerts due on one channel in one cycle go out as one message (a level change leads), so a
change that also brings a critical event notifies once. A failing channel is retried with
backoff (inside `dispatch`, then 30 s, 60 s, ... up to 15 min between cycles), its undelivered
alerts kept and its claims marked failed; it is logged and never stops the loop. Healthchecks
channels get a heartbeat instead: on a change of level, else at most every `HEARTBEAT_EVERY`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import reason_of
from riskmon.i18n import _, is_english
from riskmon.live.alert_channels import DeliveryResult, dispatch, heartbeat
from riskmon.live.alert_history import Baseline, next_action, overdue_steps, read_baseline
from riskmon.live.alert_rules import Alert, Told, channel_id, due_alerts, news_alerts
from riskmon.live.alertmanager import AlertmanagerPush, AmAlert, level_alert
from riskmon.live.recorder import history_store
from riskmon.live.threads import in_thread
from riskmon.live.updates import Delivery

if TYPE_CHECKING:
    from riskmon.core.settings import AlertSettings
    from riskmon.usecases.evaluate import Evaluation

# The monitor's logger: these lines have always been the monitor's, and logs are filtered by it.
log = logging.getLogger("riskmon.live.monitor")

HEARTBEAT_EVERY = 60.0
"""Seconds between healthchecks pings while the level they report stays the same."""
CHANNEL_BACKOFF = 30.0
"""Seconds a failing alert channel is left alone after its first failure; doubled per failure."""
CHANNEL_BACKOFF_MAX = 900.0


@dataclass
class ChannelState:
    """One channel, as this process sees it between cycles."""

    failures: int = 0
    retry_at: float | None = None
    """time.monotonic() before which the channel is left alone."""
    pending: list[Alert] = field(default_factory=list)
    """Alerts not delivered yet (the channel failed), tried again with the next cycle's."""
    last_beat: float | None = None
    last_beat_level: str | None = None

    def back_off(self, mono: float) -> float:
        """One more failure: leave the channel alone for longer. Returns the delay in seconds."""
        self.failures += 1
        delay = min(CHANNEL_BACKOFF_MAX, CHANNEL_BACKOFF * 2 ** (self.failures - 1))
        self.retry_at = mono + delay
        return delay


def profile_alert(
    ev: Evaluation, labels: Mapping[str, str], level: str, config_broken: bool, action: str | None
) -> AmAlert | None:
    """A profile's Alertmanager alert at `level` (not OK): what it is, why, what to do next."""
    a = ev.assessment
    profile = labels.get("profile", "")
    business = a.profile.business.name
    if level == "UNKNOWN":
        summary = f"{profile}: {business} cannot be assessed"
        reasons = [ev.feed_failure] if ev.feed_failure else []
        if config_broken:
            reasons.append("the config files on disk are invalid; riskmon runs on the last good config")
    else:
        summary = f"{profile}: {business} is {level}, score {a.score:.0f}/100"
        reasons = list(a.reasons)
    where = ev.config.path
    runbook = f"riskmon check --config {where} -v; riskmon playbook --config {where}"
    return level_alert(level, labels, summary=summary, reasons=reasons, next_action=action, runbook=runbook)


class Notifier:
    """The alert stage: news and heartbeats for each cycle's assessment, one cycle at a time in
    the order they ran, in a thread. See the module doc."""

    def __init__(
        self, db_path: Path, *, labels: Mapping[str, str] | None = None, pusher: AlertmanagerPush | None = None
    ) -> None:
        self.db_path = db_path
        self.deliveries: deque[Delivery] = deque(maxlen=200)
        """Every notification tried, newest last (`Monitor.deliveries`)."""
        self.labels = dict(labels) if labels is not None else None
        """`profile` and a fleet's labels for it (alertmanager channels); None: `profile` is the
        config's (`[export] profile`, else the config directory's name)."""
        self.extra_channels: tuple[AlertSettings, ...] = ()
        """Channels beyond the config's own `[[alerts]]` (a fleet's routes)."""
        self._own_pusher = pusher is None
        self.pusher = pusher or AlertmanagerPush()
        """What Alertmanager is told; a fleet shares one among its profiles and posts it itself."""
        self.channels: dict[str, ChannelState] = {}
        self._lock = asyncio.Lock()
        self._baseline: Baseline | None = None
        # Alert state: touched only inside the alert stage (one at a time, in a thread).
        self._started = False
        self._known_ids: set[str] = set()
        self._since: datetime | None = None
        self._told: dict[str, Told] = {}
        """Channel id -> what it has been told, as this process last read it from history."""

    async def read_baseline(self, ev: Evaluation) -> None:
        """Read where alerting starts, once: before this process's first snapshot moves it."""
        if self._baseline is None:
            self._baseline = await in_thread(read_baseline, self.db_path, ev)

    async def notify(self, ev: Evaluation, *, config_broken: bool) -> None:
        """Alerts and heartbeats for one cycle; `config_broken`: the files on disk are invalid
        (heartbeats then report UNKNOWN). Never raises."""
        async with self._lock:  # FIFO: cycles are notified in the order they ran
            try:
                await in_thread(self._notify, ev, config_broken)
            except Exception:
                log.exception("alerts failed")

    def _notify(self, ev: Evaluation, config_broken: bool) -> None:
        a = ev.assessment
        now = a.now
        if not self._started:
            self._start(ev)
        every = [*ev.config.settings.alerts, *self.extra_channels]
        channels = [(channel_id(c, i), c) for i, c in enumerate(every)]
        senders = [(cid, c) for cid, c in channels if c.type not in ("healthchecks", "alertmanager")]
        if senders:
            from riskmon.present.formats import assessment_to_dict

            doc = assessment_to_dict(a, feeds=ev.feeds)
            overdue = overdue_steps(self.db_path, ev, self._since or now, now)
            news = news_alerts(doc, now, set(self._known_ids), overdue)
            reasons = _said_reasons(ev)  # once a cycle, not once a channel
            for cid, channel in senders:
                self._deliver(ev, cid, channel, doc, news, reasons)
        self._known_ids.update(e.id for e in a.events)
        if self._since is None or now > self._since:
            self._since = now
        level = "UNKNOWN" if ev.feed_failure or config_broken else a.level.name
        for cid, channel in channels:
            if channel.type == "healthchecks":
                self._beat(cid, channel, level, now)
        self._push(ev, [c for _, c in channels if c.type == "alertmanager"], level, config_broken)

    def _push(self, ev: Evaluation, channels: list[AlertSettings], level: str, config_broken: bool) -> None:
        """Alertmanager: this profile's alert as it stands (or none), re-posted while it fires."""
        from riskmon.present.prometheus import profile_name

        labels = self.labels or {"profile": profile_name(ev.config)}
        alert = None
        if level != "OK" and channels:
            alert = profile_alert(ev, labels, level, config_broken, next_action(self.db_path, ev))
        self.pusher.set(channels, labels["profile"], alert)
        if self._own_pusher:
            self.deliveries.extend(self.pusher.flush())

    def _start(self, ev: Evaluation) -> None:
        a = ev.assessment
        base = self._baseline or Baseline(frozenset(e.id for e in a.events), a.now, {})
        self._known_ids = set(base.known_ids)
        self._since = base.since
        self._told = dict(base.told)
        self._started = True

    def _deliver(
        self,
        ev: Evaluation,
        cid: str,
        channel: AlertSettings,
        doc: dict[str, Any],
        news: list[Alert],
        said_reasons: list[str] | None,
    ) -> None:
        """Send what is due on one channel as one message. What this process knows the channel
        was told decides whether to look at all; the claim in history decides what goes out."""
        now = ev.assessment.now
        state = self.channels.setdefault(cid, ChannelState())
        candidates = [*state.pending, *news]  # level news is worked out afresh every cycle
        due = due_alerts(channel, self._told.setdefault(cid, Told()), doc, candidates, now, said_reasons)
        if due and state.retry_at is not None and time.monotonic() < state.retry_at:
            state.pending = _kept(due)
            log.debug("alert channel %s: backing off; %d alert(s) kept", cid, len(due))
            return
        ids: list[int] | None = None
        claimed = self._claim(ev, cid, channel, doc, candidates, said_reasons) if due else None
        if claimed is not None:
            fresh, ids = claimed
            for gone in {al.key for al in due} - {al.key for al in fresh}:
                log.info(
                    _("alert {key} via {channel}: already sent by another riskmon process").format(
                        key=gone, channel=cid
                    )
                )
            due = fresh
        if not due:
            state.pending = []
            return
        self._send(ev, cid, channel, due, ids)

    def _send(self, ev: Evaluation, cid: str, channel: AlertSettings, due: list[Alert], ids: list[int] | None) -> None:
        """Dispatch `due` as one message; remember what was told, or back off and keep it."""
        now, state = ev.assessment.now, self.channels[cid]
        alert = _combine(due)
        result = dispatch(alert, channel, last_sent=None, now=now)
        self.deliveries.append(Delivery(now, cid, tuple(al.key for al in due), alert.title, result))
        if result.delivered:
            state.failures, state.retry_at, state.pending = 0, None, []
            told = self._told[cid]
            for al in due:
                told.learn(al.trigger, al.key, al.level, now)
            log.info(_("alert sent via {channel}: {title}").format(channel=cid, title=alert.title))
            return
        if ids:
            self._settle(ev, ids, result)
        if not result.sent:
            state.pending = []
            log.debug("alert channel %s: skipped: %s", cid, result.skipped_reason)
            return
        delay = state.back_off(time.monotonic())
        state.pending = _kept(due)
        said = _("alert channel {channel} failed ({error}); {count} alert(s) kept, next try in {seconds} s or later")
        log.warning(said.format(channel=cid, error=result.error, count=len(due), seconds=f"{delay:.0f}"))

    def _claim(
        self,
        ev: Evaluation,
        cid: str,
        channel: AlertSettings,
        doc: dict[str, Any],
        candidates: list[Alert],
        said_reasons: list[str] | None,
    ) -> tuple[list[Alert], list[int]] | None:
        """Record in history, as sent, the alerts still due on `cid` by what history says it was
        told by any riskmon process; in one transaction, so no two processes send the same news.
        Returns them with their record ids; None when history cannot be used (then this process's
        own knowledge decides, and the send is not recorded)."""
        now = ev.assessment.now
        picked: list[Alert] = []

        def decide(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
            told = self._told[cid] = Told.from_records(records)
            picked[:] = due_alerts(channel, told, doc, candidates, now, said_reasons)
            return [
                {"at": now, "channel": cid, "trigger": al.trigger, "key": al.key, "level": al.level, "ok": True}
                for al in picked
            ]

        try:
            ids = history_store(self.db_path, ev.config).claim_alerts(cid, decide)
        except Exception as exc:
            said = _(
                "history unusable, alerts via {channel} are sent without looking at what other riskmon "
                "processes sent, and not recorded (they may be sent again): {reason}"
            )
            log.warning(said.format(channel=cid, reason=reason_of(exc)))
            return None
        return picked, ids

    def _settle(self, ev: Evaluation, ids: list[int], result: DeliveryResult) -> None:
        """Claimed alerts that were not delivered: history says so, and they are due again."""
        try:
            store = history_store(self.db_path, ev.config)
            store.settle_alerts(ids, ok=False, error=result.error or result.skipped_reason)
        except Exception as exc:
            said = _("failed alert not marked in history (no process retries it until it is): {reason}")
            log.warning(said.format(reason=reason_of(exc)))

    def _beat(self, cid: str, channel: AlertSettings, level: str, now: datetime) -> None:
        state = self.channels.setdefault(cid, ChannelState())
        mono = time.monotonic()
        if state.retry_at is not None and mono < state.retry_at:
            return
        if level == state.last_beat_level and state.last_beat is not None and mono - state.last_beat < HEARTBEAT_EVERY:
            return
        result = heartbeat(channel, level, now)
        self.deliveries.append(Delivery(now, cid, ("heartbeat",), f"heartbeat {level}", result))
        if result.ok:
            state.failures, state.retry_at = 0, None
            state.last_beat, state.last_beat_level = mono, level
        else:
            state.back_off(mono)


def _kept(alerts: list[Alert]) -> list[Alert]:
    """What a channel keeps for its next try: level news is worked out again then (the level
    may have moved on), everything else is kept."""
    return [al for al in alerts if al.trigger != "level_change"]


def _said_reasons(ev: Evaluation) -> list[str] | None:
    """The rules' reasons in the user's language for the alerts people read (None in English:
    the assessment's own reasons are the English ones)."""
    if is_english():
        return None
    from riskmon.present.text import reasons

    return reasons(ev.assessment)


def _combine(alerts: list[Alert]) -> Alert:
    """Several alerts due on one channel in one cycle, as one message led by the first."""
    if len(alerts) == 1:
        return alerts[0]
    lead, more = alerts[0], len(alerts) - 1
    said = None
    if lead.said is not None:
        texts = [al.for_people() for al in alerts]
        title = _("{title} (+{count} more)").format(title=texts[0][0], count=more)
        said = (title, "\n\n".join(message for _title, message in texts))
    return Alert(
        lead.trigger,
        lead.key,
        f"{lead.title} (+{more} more)",
        "\n\n".join(al.message for al in alerts),
        lead.level,
        lead.at,
        lead.data,
        edge=any(al.edge for al in alerts),
        said=said,
    )
