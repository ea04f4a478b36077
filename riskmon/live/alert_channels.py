"""Alert channels: delivering an alert (webhook, apprise, command, desktop), a heartbeat
(healthchecks) or the alerts firing (alertmanager).

`dispatch` sends one alert to one `[[alerts]]` channel, honouring the channel's `on` and
`renotify`, retrying with backoff; `heartbeat` pings a healthchecks channel on every reassess;
`post_alertmanager` posts alerts to Alertmanager's v2 API (what to post: riskmon.live.alertmanager).
Delivery problems come back as `DeliveryResult(ok=False, error=...)` and are logged; they never
raise, so the monitoring loop never dies of a broken channel. What to send is decided by
riskmon.live.alert_rules.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from riskmon.core.settings import AlertSettings, parse_duration
from riskmon.i18n import _
from riskmon.live.alert_rules import Alert
from riskmon.textsafe import clean

log = logging.getLogger("riskmon.live.alerts")

Sleep = Callable[[float], None]

ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the 2nd attempt; doubled before each further one
DISCORD_MAX = 2000
_RETRY_STATUS = {408, 425, 429}


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


# ---------------------------------------------------------------------------------------------
# Payloads (pure)


def _slack_escape(text: str) -> str:
    # Slack's only required escapes; they also defuse <!channel> pings from feed text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload_for(alert: Alert, kind: str) -> dict[str, Any]:
    """The JSON body of a webhook: "json" (everything), "slack" or "discord" (text)."""
    said_title, said_message = alert.for_people()  # Slack and Discord are read by people
    title, message = clean(said_title), clean(said_message, single_line=False)
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
            said = _("alert channel {channel} failed after {attempts} attempt(s): {error}")
            log.warning(said.format(channel=what, attempts=attempt, error=error))
            return DeliveryResult(True, None, False, error, attempt)
        delay = BACKOFF * 2 ** (attempt - 1)
        said = _("alert channel {channel} failed (attempt {attempt}), retrying in {seconds}s: {error}")
        log.info(said.format(channel=what, attempt=attempt, seconds=f"{delay:g}", error=error))
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
        raise _Failure(_("timed out after {seconds}s").format(seconds=f"{timeout:g}")) from None
    except httpx.HTTPError as exc:
        raise _Failure(_short(f"{type(exc).__name__}: {exc}")) from None
    if 200 <= resp.status_code < 300:
        return
    if resp.has_redirect_location:  # never followed: the channel's headers would go along
        where = _short(resp.headers["location"], 120)
        message = _("HTTP {status}: redirect to {where} not followed; configure the final URL").format(
            status=resp.status_code, where=where
        )
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
        raise _Failure(_("command not found: {command}").format(command=_short(argv[0], 120)), retry=False) from None
    except PermissionError:
        raise _Failure(
            _("command not executable: {command}").format(command=_short(argv[0], 120)), retry=False
        ) from None
    except subprocess.TimeoutExpired:
        raise _Failure(_("timed out after {seconds}s").format(seconds=f"{timeout:g}")) from None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
        tail = f": {_short(lines[-1], 200)}" if lines else ""
        raise _Failure(_("exit status {code}").format(code=proc.returncode) + tail)


# apprise's message types, by level: services that colour or badge messages use them.
_APPRISE_TYPES = {"OK": "success", "WARNING": "warning", "CRITICAL": "failure", "UNKNOWN": "failure"}


def _apprise_urls(channel: AlertSettings) -> list[tuple[str, str]]:
    """(variable, its value) for each of `urls_env`; a variable that is unset or empty fails the
    channel, naming the variable and never its value (a URL carries the service's token)."""
    found = []
    for name in channel.urls_env:
        value = os.environ.get(name, "").strip()
        if not value:
            raise _Failure(
                _("environment variable {name} is not set (it should hold the apprise URL)").format(name=name),
                retry=False,
            )
        found.append((name, value))
    return found


def _apprise(alert: Alert, channel: AlertSettings) -> None:
    """Deliver through apprise (the optional `riskmon[notify]`): DingTalk, WeCom, Feishu/Lark,
    Telegram, email, ntfy and the rest of its services, each given by a URL in an environment
    variable (one variable may hold several URLs, separated by spaces or commas). apprise is
    imported here only, when a message goes out: `check` and the dashboard never load it. Its own
    timeouts bound each service (a few seconds); riskmon's dedupe, renotify and retries apply."""
    urls = _apprise_urls(channel)
    try:
        import apprise
    except ImportError:
        raise _Failure("apprise is not installed: pip install 'riskmon[notify]'", retry=False) from None
    from riskmon import __version__

    asset = apprise.AppriseAsset(app_id="riskmon", app_desc=f"riskmon {__version__}")
    sender = apprise.Apprise(asset=asset)
    for name, value in urls:
        if not sender.add(value):
            raise _Failure(
                _("${name} holds no URL apprise knows (see apprise's list of services)").format(name=name), retry=False
            )
    title, message = alert.for_people()  # DingTalk, WeCom, Feishu, e-mail...: read by people
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        delivered = sender.notify(
            title=clean(title),
            body=clean(message, single_line=False),
            body_format=apprise.NotifyFormat.TEXT,
            notify_type=_APPRISE_TYPES.get(alert.level, "info"),
        )
    if not delivered:
        said = [line for line in captured.getvalue().splitlines() if line.strip()]
        raise _Failure(_short(f"apprise: {said[-1]}" if said else _("apprise could not deliver")))


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
        title, message = alert.for_people()
        body = html.escape(clean(message, single_line=False), quote=False)  # bodies may be markup
        _run(
            [exe, "--app-name=riskmon", f"--urgency={urgency}", "--", clean(title), body],
            b"",
            dict(os.environ),
            timeout,
        )
    elif channel.type == "apprise":
        _apprise(alert, channel)
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
        if channel.type == "alertmanager":
            return DeliveryResult(False, "alertmanager channels get the level as it stands, not news", True, None, 0)
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


def alertmanager_url(channel: AlertSettings) -> str:
    """Where Alertmanager's v2 API takes alerts: the channel's `url` (Alertmanager's own address,
    e.g. http://127.0.0.1:9093, or a route prefix behind a proxy) + /api/v2/alerts."""
    url = str(channel.url).rstrip("/")
    return url if url.endswith("/api/v2/alerts") else url + "/api/v2/alerts"


def post_alertmanager(
    channel: AlertSettings,
    alerts: list[dict[str, Any]],
    *,
    timeout: float = 10,
    sleep: Sleep = time.sleep,
    attempts: int = ATTEMPTS,
) -> DeliveryResult:
    """POST `alerts` (PostableAlert objects: labels, annotations, startsAt, endsAt) as one JSON
    array to Alertmanager's v2 API. Never raises."""
    url = alertmanager_url(channel)

    def send() -> None:
        _post(url, json_body=alerts, headers=_headers(channel.headers), timeout=timeout)

    return _with_retries(channel.name or channel.type, send, max(1, attempts), sleep)
