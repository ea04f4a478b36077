"""The level of each profile as alerts in Prometheus Alertmanager (`type = "alertmanager"`).

Alertmanager is state-based: a client keeps posting the alerts that are firing (every 30 s to 3
min, its docs say) and posts an alert with an `endsAt` in the past to resolve it. Alertmanager
then deduplicates, groups, routes, silences and notifies: riskmon rebuilds none of that.

- A profile that is WARNING or CRITICAL fires `RiskmonRisk` with labels `alertname`, `profile`,
  `severity` (warning | critical) and the fleet's labels for it; one that cannot be assessed
  (invalid config, a required feed too old) fires `RiskmonUnknown` (severity warning).
- Annotations: `summary`, `description` and `reasons` (the reasons, one per line), `next_action`
  (the most urgent open playbook step) and `runbook` (the commands that show the detail).
- Firing alerts are re-posted every `renotify` of the channel (default `REPOST_EVERY`), each with
  `endsAt` `LIFETIME` re-posts ahead, so an alert whose riskmon stopped resolves by itself.
- A level change that changes the labels (WARNING -> CRITICAL) resolves the old alert and fires the
  new one in the same post; a return to OK resolves it.

`AlertmanagerPush` keeps what each Alertmanager was told and posts one array per Alertmanager
(a whole fleet's alerts in one request). Timestamps are the wall clock: they tell Alertmanager
when alerts were sent, whatever instant the assessment is as of.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from riskmon.core.settings import AlertSettings, parse_duration
from riskmon.live.alert_channels import DeliveryResult, alertmanager_url, post_alertmanager
from riskmon.live.updates import Delivery
from riskmon.textsafe import clean

log = logging.getLogger("riskmon.live.alerts")

REPOST_EVERY = 60.0
"""Seconds between re-posts of a firing alert when the channel has no `renotify` (Alertmanager's
docs: every 30 s to 3 min; below its default resolve_timeout of 5 min)."""
LIFETIME = 4
"""A firing alert's `endsAt` is this many re-posts ahead (Prometheus uses 4 x its resend delay)."""
BACKOFF = 30.0
BACKOFF_MAX = 300.0

ALERTNAMES = {"WARNING": "RiskmonRisk", "CRITICAL": "RiskmonRisk", "UNKNOWN": "RiskmonUnknown"}
SEVERITIES = {"WARNING": "warning", "CRITICAL": "critical", "UNKNOWN": "warning"}


@dataclass(frozen=True)
class AmAlert:
    """One alert as Alertmanager identifies it (its labels) and shows it (its annotations)."""

    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    """Set when resolved: the moment it ended."""

    def postable(self, ends_at: datetime) -> dict[str, Any]:
        """The PostableAlert of Alertmanager's v2 API (RFC 3339 times)."""
        doc: dict[str, Any] = {"labels": self.labels, "annotations": self.annotations}
        if self.starts_at is not None:
            doc["startsAt"] = _rfc3339(self.starts_at)
        doc["endsAt"] = _rfc3339(self.ends_at or ends_at)
        return doc


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def level_alert(
    level: str,
    labels: Mapping[str, str],
    *,
    summary: str,
    reasons: Iterable[str],
    next_action: str | None,
    runbook: str,
) -> AmAlert | None:
    """The alert for a profile at `level` (None when OK: nothing fires). `labels`: `profile` and
    the fleet's labels for it."""
    if level not in ALERTNAMES:
        return None
    reasons_text = "\n".join(clean(r) for r in reasons if r) or "no reason given"
    annotations = {
        "summary": clean(summary),
        "description": reasons_text,
        "reasons": reasons_text,
        "runbook": clean(runbook),
    }
    if next_action:
        annotations["next_action"] = clean(next_action)
    return AmAlert({"alertname": ALERTNAMES[level], **labels, "severity": SEVERITIES[level]}, annotations)


def repost_every(channel: AlertSettings) -> float:
    return parse_duration(channel.renotify) if channel.renotify else REPOST_EVERY


def target_key(channel: AlertSettings) -> str:
    """Channels posting to the same Alertmanager with the same headers share one target."""
    headers = ",".join(f"{k}={v}" for k, v in sorted(channel.headers.items()))
    return f"{alertmanager_url(channel)}|{headers}"


@dataclass
class _Target:
    """One Alertmanager: what fires there, what is to be resolved, when it was last posted to."""

    channel: AlertSettings
    every: float
    firing: dict[str, AmAlert] = field(default_factory=dict)
    """Key (the profile) -> its alert."""
    resolved: list[AmAlert] = field(default_factory=list)
    dirty: bool = False
    last_post: float | None = None
    failures: int = 0
    retry_at: float | None = None


Post = Callable[[AlertSettings, list[dict[str, Any]]], DeliveryResult]


class AlertmanagerPush:
    """What each Alertmanager is told, for any number of profiles. Thread-safe: profiles `set`
    their alert from their notifier threads; `flush` posts (blocking: call it in a thread)."""

    def __init__(self, post: Post | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self._post: Post = post or (lambda channel, alerts: post_alertmanager(channel, alerts))
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._targets: dict[str, _Target] = {}
        self.deliveries: deque[Delivery] = deque(maxlen=200)

    def set(self, channels: Iterable[AlertSettings], key: str, alert: AmAlert | None) -> None:
        """`key`'s alert on each of `channels` from now on (None: resolved); every other
        Alertmanager this key fired on resolves it (the channel was removed from its config)."""
        now = self._clock()
        wanted = {target_key(c): c for c in channels if c.type == "alertmanager"}
        with self._lock:
            for tkey, channel in wanted.items():
                target = self._targets.get(tkey)
                if target is None:
                    target = self._targets[tkey] = _Target(channel, repost_every(channel))
                target.every = min(target.every, repost_every(channel))
                _update(target, key, alert, now)
            for tkey, target in self._targets.items():
                if tkey not in wanted and key in target.firing:
                    _update(target, key, None, now)

    def firing(self) -> dict[str, list[dict[str, str]]]:
        """Alertmanager URL -> the labels of every alert firing there (for logs and tests)."""
        with self._lock:
            return {alertmanager_url(t.channel): [a.labels for a in t.firing.values()] for t in self._targets.values()}

    def flush(self, *, force: bool = False) -> list[Delivery]:
        """Post to each Alertmanager whose alerts changed, or whose firing alerts are due a
        re-post (`force`: every one with something to say). Returns the deliveries tried."""
        with self._flush_lock:  # one flush at a time: posts never overtake each other
            return [self._send(post) for post in self._due(force)]

    def _due(self, force: bool) -> list[_Post]:
        mono, now = time.monotonic(), self._clock()
        out = []
        with self._lock:
            for target in self._targets.values():
                if not (target.firing or target.resolved):
                    continue
                if target.retry_at is not None and mono < target.retry_at:
                    continue
                # A little early rather than late: a cycle that comes every `every` s must re-post.
                stale = target.last_post is None or mono - target.last_post >= 0.9 * target.every
                if not (force or target.dirty or stale):
                    continue
                ends = now + timedelta(seconds=LIFETIME * target.every)
                firing, resolved = list(target.firing.values()), list(target.resolved)
                body = [a.postable(ends) for a in (*firing, *resolved)]
                out.append(_Post(target, body, len(firing), resolved))
                target.dirty = False
                target.last_post = mono
        return out

    def _send(self, post: _Post) -> Delivery:
        target = post.target
        channel = target.channel
        result = self._post(channel, post.body)
        with self._lock:
            if result.ok:
                target.failures, target.retry_at = 0, None
                done = {id(a) for a in post.resolved}  # resolved and told: nothing more to say
                target.resolved = [a for a in target.resolved if id(a) not in done]
            else:
                target.failures += 1
                target.retry_at = time.monotonic() + min(BACKOFF_MAX, BACKOFF * 2 ** (target.failures - 1))
                target.dirty = True  # tried again once the back-off is over
        title = f"{post.firing} firing, {len(post.resolved)} resolved"
        name = channel.name or alertmanager_url(channel)
        if result.ok:
            log.debug("alertmanager %s: posted %s", name, title)
        else:
            log.warning("alertmanager %s: post failed (%s); retrying later", name, result.error)
        keys = tuple(sorted(_label_key(a["labels"]) for a in post.body))
        delivery = Delivery(self._clock(), name, keys, title, result)
        self.deliveries.append(delivery)
        return delivery


@dataclass(frozen=True)
class _Post:
    target: _Target
    body: list[dict[str, Any]]
    firing: int
    resolved: list[AmAlert]


def _update(target: _Target, key: str, alert: AmAlert | None, now: datetime) -> None:
    old = target.firing.get(key)
    if alert is None:
        if old is not None:
            del target.firing[key]
            target.resolved.append(replace(old, ends_at=now))
            target.dirty = True
        return
    if old is not None and old.labels == alert.labels:
        target.firing[key] = replace(alert, starts_at=old.starts_at)
        target.dirty = target.dirty or old.annotations != alert.annotations
        return
    if old is not None:
        target.resolved.append(replace(old, ends_at=now))
    # Firing again before its resolution was told: the resolution is moot.
    target.resolved = [a for a in target.resolved if a.labels != alert.labels]
    target.firing[key] = replace(alert, starts_at=now)
    target.dirty = True


def _label_key(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
