"""Alerts: what deserves a notification (pure) and delivering it (I/O that never raises).

`alerts_for` derives alerts from a `check --format json`-shaped assessment: a level change, a new
event that is CRITICAL on its own, and playbook steps that fell overdue. `dispatch` sends one alert
to one `[[alerts]]` channel (webhook, command, desktop), honouring the channel's `on` and
`renotify`, retrying with backoff; `heartbeat` pings a healthchecks channel on every reassess.
Delivery problems come back as `DeliveryResult(ok=False, error=...)` and are logged; they never
raise, so the monitoring loop never dies of a broken channel.

What a channel has been told (`Told`) is kept in history: the level last announced there and
when each alert key was last delivered. A channel that was never told anything starts from OK, as
Nagios and Alertmanager do, so a first assessment that is already WARNING or CRITICAL is announced
("OK -> CRITICAL"). `due_alerts` applies the rules: a level *change* from what the channel was told
is always due (it is news); a level that persists is re-sent as a reminder only every `renotify`
(never, when unset); any other alert once per key, again every `renotify` while it is kept.

httpx is imported lazily: `check` imports this module's callers without needing it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from riskmon.core.settings import AlertSettings, parse_duration
from riskmon.textsafe import clean

log = logging.getLogger("riskmon.live.alerts")

Trigger = Literal["level_change", "critical_event", "overdue_step"]
Sleep = Callable[[float], None]

ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the 2nd attempt; doubled before each further one
DISCORD_MAX = 2000
_RETRY_STATUS = {408, 425, 429}


@dataclass(frozen=True)
class Alert:
    trigger: Trigger
    key: str
    """Dedupe key: "level:CRITICAL", "event:<id>", "step:<event>:<step>"."""
    title: str
    message: str
    level: str
    at: datetime
    data: dict[str, Any] = field(default_factory=dict)
    """The assessment (`check --format json` dict), sent to commands and json webhooks."""
    edge: bool = False
    """A change (level transition): delivered whatever `last_sent` and `renotify` say."""

    def to_json(self) -> dict[str, Any]:
        return {
            "trigger": self.trigger,
            "key": self.key,
            "title": self.title,
            "message": self.message,
            "level": self.level,
            "at": self.at.isoformat(),
            "assessment": self.data,
        }


@dataclass(frozen=True)
class DeliveryResult:
    sent: bool
    """A delivery was attempted (False: skipped, see skipped_reason)."""
    skipped_reason: str | None
    ok: bool
    """The delivery succeeded (True for a skip: nothing failed)."""
    error: str | None
    attempts: int

    @property
    def delivered(self) -> bool:
        """Record `last_sent` for (channel, key) when this is true."""
        return self.sent and self.ok

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "skipped_reason": self.skipped_reason,
            "ok": self.ok,
            "error": self.error,
            "attempts": self.attempts,
        }


def channel_id(channel: AlertSettings, index: int) -> str:
    """A stable name for a channel (for `last_sent` bookkeeping and logs)."""
    return channel.name or f"{channel.type}#{index}"


# ---------------------------------------------------------------------------------------------
# What deserves an alert (pure)


def _num(value: object, default: float = 0.0) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return clean(value) if value is not None else "?"


START_LEVEL = "OK"
"""What a channel that was never told anything is taken to know."""


def alerts_for(
    prev_level: str | None,
    assessment_json: dict[str, Any],
    now: datetime,
    known_event_ids: set[str],
    overdue_steps: list[dict[str, Any]],
) -> list[Alert]:
    """Alerts for this assessment, in order: level (`level_alert`), then `news_alerts`.

    `prev_level` is the level last announced; None (nothing announced yet) counts as OK.
    """
    level = level_alert(prev_level or START_LEVEL, assessment_json, now)
    news = news_alerts(assessment_json, now, known_event_ids, overdue_steps)
    return [level, *news] if level is not None else news


def level_alert(announced: str, assessment_json: dict[str, Any], now: datetime) -> Alert | None:
    """The level news for a channel last told `announced`: a change (edge: always delivered), or
    while a non-OK level persists a reminder under the same key (subject to `renotify`)."""
    a = assessment_json
    level = str(a.get("level", "UNKNOWN"))
    if announced == level == START_LEVEL:
        return None
    reasons = [clean(r) for r in a.get("reasons") or [] if r]
    message = "\n".join([f"Risk level {level}, score {_num(a.get('score')):.0f}/100.", *reasons])
    if announced != level:
        title = f"riskmon: {clean(announced)} -> {level}"
        return Alert("level_change", f"level:{level}", title, message, level, now, a, edge=True)
    return Alert("level_change", f"level:{level}", f"riskmon: still {level}", message, level, now, a)


def news_alerts(
    assessment_json: dict[str, Any],
    now: datetime,
    known_event_ids: set[str],
    overdue_steps: list[dict[str, Any]],
) -> list[Alert]:
    """What is news whatever a channel was told, in order: new critical events, overdue steps.

    - critical_event: an event not in `known_event_ids` whose own score reaches thresholds.crit,
      or whose shock reaches thresholds.shock_crit with probability >= 0.5;
    - overdue_step: one per `{event_id, step_id, text, due}` the caller found overdue.
    """
    a = assessment_json
    level = str(a.get("level", "UNKNOWN"))
    thresholds = a.get("thresholds") or {}
    crit = _num(thresholds.get("crit"), 70.0)
    shock_crit = _num(thresholds.get("shock_crit"), 0.5)
    out: list[Alert] = []
    for e in a.get("events") or []:
        if not isinstance(e, dict) or e.get("id") in known_event_ids:
            continue
        e_score, shock, p = _num(e.get("score")), _num(e.get("shock")), _num(e.get("probability"))
        if not (e_score >= crit or (shock >= shock_crit and p >= 0.5)):
            continue
        name = clean(e.get("title") or e.get("id"))
        why = f"score {e_score:.0f} >= {crit:g}" if e_score >= crit else f"removes {shock:.0%} of orders"
        msg = (
            f"New event {clean(e.get('id'))}: {name} ({why}; probability {p:.0%}, "
            f"expected loss {_num(e.get('expected_loss')):,.0f})."
        )
        out.append(
            Alert("critical_event", f"event:{e.get('id')}", f"riskmon: new critical event: {name}", msg, level, now, a)
        )

    for step in overdue_steps:
        ev_id, step_id = step.get("event_id"), step.get("step_id")
        text = clean(step.get("text") or step_id)
        msg = f"Playbook step overdue since {_when(step.get('due'))} for {clean(ev_id)}: {text}"
        out.append(Alert("overdue_step", f"step:{ev_id}:{step_id}", f"riskmon: overdue: {text}", msg, level, now, a))
    return out


# ---------------------------------------------------------------------------------------------
# What a channel was told, and what is due on it (pure)


@dataclass
class Told:
    """What one channel has been told: the level last announced there (OK when nothing was) and
    when each alert key was last delivered. Built from history, so every riskmon process agrees."""

    level: str = START_LEVEL
    sent: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Told:
        """From one channel's delivered alerts (history's `alerts` with `ok`), oldest first."""
        told = cls()
        for r in records:
            told.learn(str(r.get("trigger")), str(r.get("key")), r.get("level"), r["at"])
        return told

    def learn(self, trigger: str, key: str, level: object, at: datetime) -> None:
        """One more delivery (an alert's trigger, key and level; when it was sent)."""
        if key not in self.sent or at >= self.sent[key]:
            self.sent[key] = at
        if trigger == "level_change" and level:
            self.level = str(level)


def due_alerts(
    channel: AlertSettings,
    told: Told,
    assessment_json: dict[str, Any],
    news: Sequence[Alert],
    now: datetime,
) -> list[Alert]:
    """What to send on `channel` now, level news first: a level other than the one the channel
    was told (always), a reminder while a non-OK level persists (every `renotify`), and the latest
    alert of each key in `news` not delivered yet (again every `renotify`). Only triggers in `on`."""
    level = level_alert(told.level, assessment_json, now)
    latest = {al.key: al for al in news if al.trigger != "level_change"}
    candidates = ([level] if level is not None else []) + list(latest.values())
    return [al for al in candidates if al.trigger in channel.on and _due(al, told, channel.renotify, now)]


def _due(alert: Alert, told: Told, renotify: str | None, now: datetime) -> bool:
    if alert.edge:
        return True
    last = told.sent.get(alert.key)
    if last is None:
        # News to this channel; a reminder without a delivery to follow up is not due.
        return alert.trigger != "level_change"
    if renotify is None:
        return False
    return now - last >= timedelta(seconds=parse_duration(renotify))


# ---------------------------------------------------------------------------------------------
# Payloads (pure)


def _slack_escape(text: str) -> str:
    # Slack's only required escapes; they also defuse <!channel> pings from feed text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload_for(alert: Alert, kind: str) -> dict[str, Any]:
    """The JSON body of a webhook: "json" (everything), "slack" or "discord" (text)."""
    title, message = clean(alert.title), clean(alert.message, single_line=False)
    if kind == "slack":
        return {"text": f"*{_slack_escape(title)}*\n{_slack_escape(message)}"}
    if kind == "discord":
        content = f"**{title}**\n{message}"
        if len(content) > DISCORD_MAX:
            content = content[: DISCORD_MAX - 1] + "…"
        return {"content": content, "allowed_mentions": {"parse": []}}
    return alert.to_json()


# ---------------------------------------------------------------------------------------------
# Delivery (I/O; never raises)


class _Failure(Exception):
    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def _short(text: object, limit: int = 300) -> str:
    s = clean(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _headers(names: dict[str, str]) -> dict[str, str]:
    from riskmon.sources.feeds.fetch import FetchError, env_headers

    try:
        return env_headers(names)
    except FetchError as exc:
        raise _Failure(str(exc), retry=False) from None


def _with_retries(what: str, send: Callable[[], None], attempts: int, sleep: Sleep) -> DeliveryResult:
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            send()
            return DeliveryResult(True, None, True, None, attempt)
        except _Failure as exc:
            error, retry = str(exc), exc.retry
        except Exception as exc:  # never let a channel take the loop down
            error, retry = _short(f"{type(exc).__name__}: {exc}"), True
        if not retry or attempt == attempts:
            log.warning("alert channel %s failed after %d attempt(s): %s", what, attempt, error)
            return DeliveryResult(True, None, False, error, attempt)
        delay = BACKOFF * 2 ** (attempt - 1)
        log.info("alert channel %s failed (attempt %d), retrying in %gs: %s", what, attempt, delay, error)
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _post(
    url: str, *, json_body: Any = None, content: bytes | None = None, headers: dict[str, str], timeout: float
) -> None:
    if not url.lower().startswith(("http://", "https://")):
        raise _Failure("unsupported URL scheme (use http:// or https://)", retry=False)
    import httpx

    try:
        with httpx.Client(verify=True, follow_redirects=False, timeout=httpx.Timeout(timeout)) as client:
            resp = client.post(url, json=json_body, content=content, headers={"User-Agent": _user_agent(), **headers})
    except httpx.TimeoutException:
        raise _Failure(f"timed out after {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise _Failure(_short(f"{type(exc).__name__}: {exc}")) from None
    if 200 <= resp.status_code < 300:
        return
    if resp.has_redirect_location:  # never followed: the channel's headers would go along
        where = _short(resp.headers["location"], 120)
        message = f"HTTP {resp.status_code}: redirect to {where} not followed; configure the final URL"
        raise _Failure(message, retry=False)
    detail = _short(resp.text, 120) if resp.text else resp.reason_phrase
    retry = resp.status_code >= 500 or resp.status_code in _RETRY_STATUS
    raise _Failure(_short(f"HTTP {resp.status_code}: {detail}"), retry=retry)


def _user_agent() -> str:
    from riskmon import __version__

    return f"riskmon/{__version__}"


def _run(argv: list[str], stdin: bytes, env: dict[str, str], timeout: float) -> None:
    try:
        proc = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=timeout, env=env, shell=False, check=False
        )
    except FileNotFoundError:
        raise _Failure(f"command not found: {_short(argv[0], 120)}", retry=False) from None
    except PermissionError:
        raise _Failure(f"command not executable: {_short(argv[0], 120)}", retry=False) from None
    except subprocess.TimeoutExpired:
        raise _Failure(f"timed out after {timeout:g}s") from None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        tail = f": {_short(lines[-1], 200)}" if lines else ""
        raise _Failure(f"exit status {proc.returncode}{tail}")


def _send(alert: Alert, channel: AlertSettings, timeout: float) -> None:
    if channel.type == "webhook":
        _post(
            str(channel.url),
            json_body=payload_for(alert, channel.payload),
            headers=_headers(channel.headers),
            timeout=timeout,
        )
    elif channel.type == "command":
        env = os.environ | {
            "RISKMON_TRIGGER": alert.trigger,
            "RISKMON_KEY": clean(alert.key),
            "RISKMON_LEVEL": alert.level,
            "RISKMON_TITLE": clean(alert.title),
            "RISKMON_MESSAGE": clean(alert.message),
        }
        _run(list(channel.argv), json.dumps(alert.data, default=str).encode("utf-8"), env, timeout)
    elif channel.type == "desktop":
        exe = shutil.which("notify-send")
        if exe is None:
            raise _Failure("notify-send not found", retry=False)
        urgency = "critical" if alert.level in ("CRITICAL", "UNKNOWN") else "normal"
        body = html.escape(clean(alert.message, single_line=False), quote=False)  # bodies may be markup
        _run(
            [exe, "--app-name=riskmon", f"--urgency={urgency}", "--", clean(alert.title), body],
            b"",
            dict(os.environ),
            timeout,
        )
    else:
        raise _Failure(f"unsupported alert type {channel.type!r}", retry=False)


def dispatch(
    alert: Alert,
    channel: AlertSettings,
    *,
    last_sent: datetime | None,
    now: datetime,
    timeout: float = 10,
    sleep: Sleep = time.sleep,
    attempts: int = ATTEMPTS,
) -> DeliveryResult:
    """Deliver `alert` on `channel` unless `on`/dedupe/renotify say to skip it. Never raises."""
    name = channel.name or channel.type
    try:
        if alert.trigger not in channel.on:
            return DeliveryResult(False, f"{alert.trigger} is not in this channel's `on`", True, None, 0)
        if channel.type == "healthchecks":
            return DeliveryResult(False, "healthchecks channels get heartbeats, not alerts", True, None, 0)
        if not alert.edge and last_sent is not None:
            if channel.renotify is None:
                return DeliveryResult(False, f"already sent at {last_sent.isoformat()}", True, None, 0)
            interval = timedelta(seconds=parse_duration(channel.renotify))
            if now - last_sent < interval:
                due = (last_sent + interval).isoformat()
                return DeliveryResult(False, f"sent at {last_sent.isoformat()}; renotify at {due}", True, None, 0)
        return _with_retries(name, lambda: _send(alert, channel, timeout), max(1, attempts), sleep)
    except Exception as exc:  # pragma: no cover - defensive: the loop must survive anything
        log.exception("alert channel %s: unexpected error", name)
        return DeliveryResult(True, None, False, _short(f"internal error: {exc!r}"), 0)


def _fail_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/fail"))


def heartbeat(
    channel: AlertSettings,
    level: str,
    now: datetime,
    *,
    timeout: float = 10,
    sleep: Sleep = time.sleep,
    attempts: int = ATTEMPTS,
) -> DeliveryResult:
    """Ping a healthchecks channel: `url` on success, `url/fail` when `level` is in `fail_on`.

    Sent on every reassess (it is a heartbeat: no dedupe). Never raises.
    """
    name = channel.name or channel.type
    try:
        if channel.type != "healthchecks":
            return DeliveryResult(False, "not a healthchecks channel", True, None, 0)
        url = str(channel.url)
        target = _fail_url(url) if level in channel.fail_on else url
        body = f"riskmon {level} at {now.isoformat()}".encode()

        def send() -> None:
            _post(target, content=body, headers=_headers(channel.headers), timeout=timeout)

        return _with_retries(name, send, max(1, attempts), sleep)
    except Exception as exc:  # pragma: no cover - defensive
        log.exception("healthchecks channel %s: unexpected error", name)
        return DeliveryResult(True, None, False, _short(f"internal error: {exc!r}"), 0)
