"""`riskmon playbook [EVENT]`: the checklist of what to do, by when; `done`/`undo` tick it off.

    riskmon playbook                   every open and done step, ordered by due date
    riskmon playbook us-tiktok-ban     one event's checklist, with why each rule applies
    riskmon playbook done EVENT STEP   record a step as done in history (--db)
    riskmon playbook undo EVENT STEP   and take it back

Standing suggestions (concentration, runway, ...) are named `standing:<rule id>`, or just by
the rule id when no event has that id.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from riskmon.core.playbooks.actions import FOLD_DAYS
from riskmon.errors import RiskmonError, did_you_mean
from riskmon.i18n import _, day, follow_config, ngettext
from riskmon.present.words import fact, keys_text, step_text, suggestion_title, suggestion_why

if TYPE_CHECKING:
    from riskmon.core.playbooks import Action, Item, Plan
    from riskmon.usecases.evaluate import Evaluation

MARKS = ("done", "undo")


def resolve_key(p: Plan, ev: Evaluation, name: str) -> str:
    """The checklist key for what the user typed: an event id, `standing:<rule>` or a bare
    standing rule id. Unknown: a RiskmonError with a "did you mean"."""
    from riskmon.core.playbooks import STANDING

    a = ev.assessment
    if a.event(name) is not None:
        return name
    standing = {s.key: s for s in p.standing}
    for key in (name, STANDING + name):
        if key in standing:
            return key
    if any(e.id == name for e in a.expired):
        raise RiskmonError(
            _("event {id} has expired (its window has passed); it has no checklist any more").format(id=repr(name))
        )
    known = [e.id for e in a.events] + [k.removeprefix(STANDING) for k in standing]
    hint = (
        did_you_mean(name, known)
        or did_you_mean(name, standing)
        or "; " + _("{command} lists what has a checklist").format(command="`riskmon playbook`")
    )
    raise RiskmonError(_("no event or standing suggestion {id}{hint}").format(id=repr(name), hint=hint))


# ---------------------------------------------------------------------------------------------
# The command


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import offline

    p.add_argument(
        "target",
        nargs="*",
        metavar=_("EVENT_ID"),
        help=_("an event id or standing rule (default: all); or: done EVENT STEP | undo EVENT STEP"),
    )
    p.add_argument("--format", "-f", choices=("text", "json"), default="text")
    p.add_argument("--open", action="store_true", help=_("hide steps already done"))
    offline(p)


def run(args: argparse.Namespace) -> int:
    from riskmon.cli.args import UsageError, bad_arguments
    from riskmon.usecases.plan import load_progress

    words: list[str] = list(getattr(args, "target", None) or [])
    mark = words[0] if words and words[0] in MARKS else None
    if mark and len(words) != 3:
        raise UsageError(bad_arguments(_("usage: {command}").format(command=f"riskmon playbook {mark} EVENT STEP")))
    if not mark and len(words) > 1:
        raise UsageError(
            bad_arguments(
                _("give one {what}, or: {command}").format(
                    what="EVENT_ID", command="riskmon playbook done|undo EVENT STEP"
                )
            )
        )
    now = args.now or datetime.now(UTC)
    from riskmon.usecases.evaluate import evaluate

    ev = evaluate(args.config, now, offline=getattr(args, "offline", False), budget=20.0, replay=bool(args.now))
    follow_config(ev.config.settings.ui.language)
    db = getattr(args, "db", None)
    ev = ev.with_progress(load_progress(db, ev.config.location))
    p = ev.plan
    if mark:
        return _mark(p, ev, db, words[1], words[2], done=mark == "done")
    key = resolve_key(p, ev, words[0]) if words else None
    fmt = getattr(args, "format", "text")
    hide_done = getattr(args, "open", False)
    if fmt == "json":
        from riskmon.present import formats

        print(formats.to_json({**_json(p, key, hide_done), "demo": ev.config.location.is_demo}))
        return 0
    from riskmon.present.text import demo_note, demo_tag, use_colour

    demo = [f"{demo_tag()} {demo_note()}"] if ev.config.location.is_demo else []
    print("\n".join([*demo, *render_text(p, ev, key, hide_done=hide_done, colour=use_colour(sys.stdout))]))
    return 0


def _mark(p: Plan, ev: Evaluation, db: str | None, name: str, step_id: str, *, done: bool) -> int:
    from riskmon.paths import resolve_db_path
    from riskmon.store.history import HistoryStore

    key = resolve_key(p, ev, name)
    items = p.items(key)
    if not items:
        raise RiskmonError(_("no playbook rule matches {id}, so it has no steps to mark").format(id=repr(name)))
    item = next((i for i in items if i.step.id == step_id), None)
    if item is None:
        ids = [i.step.id for i in items]
        hint = did_you_mean(step_id, ids) or "; " + _("its steps are: {ids}").format(ids=", ".join(ids))
        raise RiskmonError(
            _("no step {step} in the checklist of {id}{hint}").format(step=repr(step_id), id=repr(name), hint=hint)
        )
    # Marked when you mark it, also in a replay: --now picks the checklist to look at; the mark is
    # an act of yours, not something the replay found.
    HistoryStore(resolve_db_path(db, ev.config.location)).set_step(key, step_id, done, datetime.now(UTC))
    label = key.removeprefix("standing:")
    if done:
        print(_("done: {text} ({label} {step})").format(text=step_text(item.step), label=label, step=step_id))
    else:
        print(
            _("not done any more: {text} ({label} {step}, due {date})").format(
                text=step_text(item.step), label=label, step=step_id, date=day(item.step.due)
            )
        )
    return 0


# ---------------------------------------------------------------------------------------------
# Rendering


def _state(i: Item, now: datetime) -> str:
    s = i.step
    if s.done:
        return _("done {date}").format(date=day(s.done_at)) if s.done_at else _("done")
    if s.overdue:
        late = (now - s.due) // timedelta(days=1)
        return _("overdue {n} d").format(n=late) if late >= 1 else _("overdue")
    days = (s.due - now).total_seconds() / 86400
    return _("today") if days < 1 else _("in {n} d").format(n=f"{days:.0f}")


def _row(x: Action, now: datetime, with_key: bool) -> list[str]:
    """A table row: a step, or (whole checklist) the backlog of one event folded into one."""
    from riskmon.core.playbooks import Item

    where = [x.label] if with_key else []
    if not isinstance(x, Item):
        late = (now - x.since) // timedelta(days=1)
        n = len(x.items)
        summary = _("overdue by more than {days} days: {steps}").format(
            days=FOLD_DAYS, steps=keys_text([i.step.id for i in x.items])
        )
        steps = ngettext("{n} step", "{n} steps", n).format(n=n)
        return ["[ ]", day(x.since), _("overdue {n} d").format(n=late), *where, steps, summary]
    mark = "[x]" if x.step.done else "[ ]"
    return [mark, day(x.step.due), _state(x, now), *where, x.step.id, step_text(x.step)]


def render_text(
    p: Plan, ev: Evaluation, key: str | None, *, hide_done: bool = False, colour: bool = False
) -> list[str]:
    """The checklist as aligned text: every key's steps as next actions (what is due now and soon
    first, a long-overdue backlog folded per event), or one key's by due date with why."""
    items = [i for i in p.items(key) if not (hide_done and i.step.done)]
    lines = _heading(p, ev, key, items)
    if not items:
        lines.append("")
        if hide_done:
            lines.append(_("nothing open"))
        elif key:
            lines.append(_("nothing to do: no playbook rule matches {key}").format(key=key))
        else:
            lines.append(_("nothing to do: no playbook rule matches your events or your business"))
        return lines
    entries: list[Action] = list(items) if key is not None else p.checklist(hide_done=hide_done)
    lines += ["", *_table(entries, p.now, key is None, colour)]
    if key is not None:
        lines += ["", *_why(p, key)]
    label = "EVENT" if key is None else key.removeprefix("standing:")
    step = items[0].step.id if key is not None else "STEP"
    lines += ["", _("mark a step done: {command}").format(command=f"riskmon playbook done {label} {step}")]
    return lines


def _heading(p: Plan, ev: Evaluation, key: str | None, items: list[Item]) -> list[str]:
    """The whole checklist's counts, or one event's breakdown (or standing rule's title)."""
    from riskmon.textsafe import clean

    a = ev.assessment
    if key is None:
        open_ = [i for i in items if not i.step.done]
        overdue = sum(1 for i in open_ if i.step.overdue)
        n = len(open_)
        counts = ngettext(
            "{n} open step, {overdue} overdue, {done} done", "{n} open steps, {overdue} overdue, {done} done", n
        ).format(n=n, overdue=overdue, done=sum(1 for i in items if i.step.done))
        return [
            _("Playbook for {business} as of {when} UTC: {counts}").format(
                business=clean(a.profile.business.name), when=f"{p.now:%Y-%m-%d %H:%M}", counts=counts
            )
        ]
    explained = ev.explain(key)
    lines = explained.lines()[:2] if explained is not None else []
    return lines + [f"{s.label}: {suggestion_title(s)}" for s in p.suggestions(key) if s.standing]


def _table(entries: list[Action], now: datetime, with_key: bool, colour: bool) -> list[str]:
    from riskmon.core.playbooks import Item
    from riskmon.errors import Level
    from riskmon.present.text import paint, table

    rows = [_row(x, now, with_key) for x in entries]
    headers = ["", _("DUE"), _("STATE"), *([_("EVENT")] if with_key else []), _("STEP"), _("WHAT TO DO")]
    header, *body = table(headers, rows)
    # Colour whole rows, after aligning: escape codes inside a cell would throw the columns off.
    return [header] + [
        paint(line, Level.CRITICAL, colour) if not isinstance(x, Item) or x.step.overdue else line
        for line, x in zip(body, entries, strict=True)
    ]


def _why(p: Plan, key: str) -> list[str]:
    lines = [_("why:")]
    for s in p.suggestions(key):
        lines.append(f"  {suggestion_title(s)} [{s.rule_id}]")
        if s.why:
            lines.append(f"    {suggestion_why(s)}")
        lines.append("    " + _("matched: {facts}").format(facts=_("; ").join(fact(b) for b in s.because)))
    return lines


def _json(p: Plan, key: str | None, hide_done: bool) -> dict[str, Any]:
    items = [i for i in p.items(key) if not (hide_done and i.step.done)]
    return {
        "now": p.now.isoformat(),
        "key": key,
        "items": [i.to_dict() for i in items],
        # The whole checklist's open steps as the text lists them: due now and soon first, a
        # long-overdue backlog folded per event ({"folded": true, "steps": [...]}), then later.
        "next_actions": [x.to_dict() for x in p.next_actions(None)] if key is None else None,
        "suggestions": [{"key": s.key, **s.to_dict()} for s in p.suggestions(key)],
    }
