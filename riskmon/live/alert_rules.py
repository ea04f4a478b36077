"""Alert rules: what deserves a notification, and what is due on each channel (pure).

`alerts_for` derives alerts from a `check --format json`-shaped assessment: a level change, a new
event that is CRITICAL on its own, and playbook steps that fell overdue.

What a channel has been told (`Told`) is kept in history: the level last announced there and
when each alert key was last delivered. A channel that was never told anything starts from OK, as
Nagios and Alertmanager do, so a first assessment that is already WARNING or CRITICAL is announced
("OK -> CRITICAL"). `due_alerts` applies the rules: a level *change* from what the channel was told
is always due (it is news); a level that persists is re-sent as a reminder only every `renotify`
(never, when unset); any other alert once per key, again every `renotify` while it is kept.
Delivering them is riskmon.live.alert_channels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from riskmon.core.settings import AlertSettings, parse_duration
from riskmon.i18n import N_, _, data, is_english
from riskmon.textsafe import clean

Trigger = Literal["level_change", "critical_event", "overdue_step"]


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
    said: tuple[str, str] | None = None
    """The title and message in the user's language (None in English), for the channels people
    read: chat (apprise, Slack, Discord) and the desktop. `title` and `message` stay English, as
    JSON webhooks, commands and receivers' rules read them."""

    def for_people(self) -> tuple[str, str]:
        """(title, message) as a person reads them."""
        return self.said or (self.title, self.message)

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

LEVEL_MESSAGE = N_("Risk level {level}, score {score}/100.")
LEVEL_CHANGED = N_("riskmon: {was} -> {level}")
LEVEL_STILL = N_("riskmon: still {level}")
EVENT_TITLE = N_("riskmon: new critical event: {name}")
EVENT_BY_SCORE = N_("score {score} >= {crit}")
EVENT_BY_SHOCK = N_("removes {share} of orders")
EVENT_MESSAGE = N_("New event {id}: {name} ({why}; probability {p}, expected loss {loss}).")
STEP_TITLE = N_("riskmon: overdue: {text}")
STEP_MESSAGE = N_("Playbook step overdue since {due} for {event}: {text}")
"""The alerts' sentences: English as written for the machine fields, translated for people."""


def _said(template: str, **values: object) -> tuple[str, str]:
    """One sentence in English and in the active language (values as given to both)."""
    english = template.format(**values)
    return english, english if is_english() else _(template).format(**values)


def _alert(trigger: Trigger, key: str, title: tuple[str, str], message: tuple[str, str], **rest: Any) -> Alert:
    said = None if is_english() else (title[1], message[1])
    return Alert(trigger, key, title[0], message[0], said=said, **rest)


def alerts_for(
    prev_level: str | None,
    assessment_json: dict[str, Any],
    now: datetime,
    known_event_ids: set[str],
    overdue_steps: list[dict[str, Any]],
    said_reasons: Sequence[str] | None = None,
) -> list[Alert]:
    """Alerts for this assessment, in order: level (`level_alert`), then `news_alerts`.

    `prev_level` is the level last announced; None (nothing announced yet) counts as OK.
    """
    level = level_alert(prev_level or START_LEVEL, assessment_json, now, said_reasons)
    news = news_alerts(assessment_json, now, known_event_ids, overdue_steps)
    return [level, *news] if level is not None else news


def level_alert(
    announced: str, assessment_json: dict[str, Any], now: datetime, said_reasons: Sequence[str] | None = None
) -> Alert | None:
    """The level news for a channel last told `announced`: a change (edge: always delivered), or
    while a non-OK level persists a reminder under the same key (subject to `renotify`).
    `said_reasons`: the rules' reasons in the user's language (the JSON's are English)."""
    a = assessment_json
    level = str(a.get("level", "UNKNOWN"))
    if announced == level == START_LEVEL:
        return None
    reasons = [clean(r) for r in a.get("reasons") or [] if r]
    said = [clean(r) for r in said_reasons if r] if said_reasons is not None else reasons
    head = _said(LEVEL_MESSAGE, level=level, score=f"{_num(a.get('score')):.0f}")
    message = ("\n".join([head[0], *reasons]), "\n".join([head[1], *said]))
    key = f"level:{level}"
    if announced != level:
        title = _said(LEVEL_CHANGED, was=clean(announced), level=level)
        return _alert("level_change", key, title, message, level=level, at=now, data=a, edge=True)
    return _alert("level_change", key, _said(LEVEL_STILL, level=level), message, level=level, at=now, data=a)


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
        out.append(_event_alert(e, e_score >= crit, crit, level, now, a))

    for step in overdue_steps:
        ev_id, step_id = step.get("event_id"), step.get("step_id")
        text = clean(step.get("text") or step_id)
        said = clean(data(str(step.get("text") or step_id)))
        title = (STEP_TITLE.format(text=text), _(STEP_TITLE).format(text=said))
        when, event = _when(step.get("due")), clean(ev_id)
        message = (
            STEP_MESSAGE.format(due=when, event=event, text=text),
            _(STEP_MESSAGE).format(due=when, event=event, text=said),
        )
        out.append(_alert("overdue_step", f"step:{ev_id}:{step_id}", title, message, level=level, at=now, data=a))
    return out


def _event_alert(e: dict[str, Any], by_score: bool, crit: float, level: str, now: datetime, a: dict[str, Any]) -> Alert:
    """A new event that is CRITICAL on its own: by its score, or by the orders it removes."""
    e_score, shock, p = _num(e.get("score")), _num(e.get("shock")), _num(e.get("probability"))
    name = clean(e.get("title") or e.get("id"))
    said_name = clean(data(str(e.get("title") or e.get("id"))))
    why = (
        _said(EVENT_BY_SCORE, score=f"{e_score:.0f}", crit=f"{crit:g}")
        if by_score
        else _said(EVENT_BY_SHOCK, share=f"{shock:.0%}")
    )
    values = {"id": clean(e.get("id")), "p": f"{p:.0%}", "loss": f"{_num(e.get('expected_loss')):,.0f}"}
    message = (
        EVENT_MESSAGE.format(name=name, why=why[0], **values),
        _(EVENT_MESSAGE).format(name=said_name, why=why[1], **values),
    )
    title = (EVENT_TITLE.format(name=name), _(EVENT_TITLE).format(name=said_name))
    return _alert("critical_event", f"event:{e.get('id')}", title, message, level=level, at=now, data=a)


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
    said_reasons: Sequence[str] | None = None,
) -> list[Alert]:
    """What to send on `channel` now, level news first: a level other than the one the channel
    was told (always), a reminder while a non-OK level persists (every `renotify`), and the latest
    alert of each key in `news` not delivered yet (again every `renotify`). Only triggers in `on`."""
    level = level_alert(told.level, assessment_json, now, said_reasons)
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
