"""`riskmon news [list] | add FILE|-|URL | accept ID [--edit] | reject ID`: draft events from
trade-press articles, and their review queue.

- `add` reads an article (a file, `-` for stdin, an http(s) URL: an HTML page is reduced to its
  text), extracts drafts, matches them against the config's events and queues them; it prints the
  drafts (`--format json`: a list of objects with exactly `id`, `kind`, `platforms`, `regions`,
  `effective`, `ends`, `deadlines`, `status`, `probability`, `confidence`, `evidence` and
  `matches`). Without `--published`, the page's own date, else now, dates the article.
- `list` (the default) shows the pending drafts with their confidence, evidence and the event each
  would update (`--all`: accepted and rejected ones too).
- `accept ID` writes the draft into events.toml through the validated, comment-keeping edit path
  (a new event, or for a draft that matches one, its timeline entry, dates and deadlines);
  `--edit` opens $VISUAL/$EDITOR on the proposal first. An invalid result is never written.
- `reject ID` marks the draft rejected: the same news does not bring it back.

Exit: 0 done, 1 nothing (no drafts in the article, no such draft, already decided), refused (the
bundled demo config is read-only) or invalid (the accepted draft would not validate: the problems
are listed), 3 riskmon could not do it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.errors import ConfigError, ExitCode
from riskmon.i18n import N_, _, ngettext
from riskmon.paths import ConfigLocation, resolve_config_dir
from riskmon.textsafe import clean

if TYPE_CHECKING:
    from riskmon.core.news import Draft, Match
    from riskmon.store.news_queue import Entry
    from riskmon.usecases.news import Made, Proposal

OUTCOMES = {
    "new": N_("queued as {id}"),
    "merged": N_("merged into the queued draft {id}"),
    "seen": N_("this article was added before: already in the queue as {id}"),
    "rejected": N_("not queued: you rejected {id}, and this reports nothing newer"),
    "known": N_("not queued: events.toml already says this (event {event})"),
}


def _out(text: str = "") -> None:
    print(clean(text, single_line=False), flush=True)


def _err(text: str) -> None:
    print(clean(text, single_line=False), file=sys.stderr, flush=True)


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import actions, instant, nested
    from riskmon.i18n import _

    sub = actions(p, "news_command")
    add = nested(sub, "add", _("read an article (FILE, - for stdin, or a URL) and queue its drafts"), lang=False)
    add.add_argument("source", metavar=_("FILE|-|URL"))
    add.add_argument(
        "--published", metavar=_("DATE"), type=instant, help=_("the article's date (default: the page's, else now)")
    )
    add.add_argument("--lang", choices=("zh", "en"), help=_("the article's language (default: detected)"))
    listing = nested(sub, "list", _("the drafts waiting for review (the default)"))
    accept = nested(sub, "accept", _("write a draft into events.toml (validated first)"))
    accept.add_argument("draft_id", metavar=_("ID"))
    accept.add_argument("--edit", action="store_true", help=_("edit the draft in $VISUAL/$EDITOR first"))
    nested(sub, "reject", _("reject a draft (remembered)")).add_argument("draft_id", metavar=_("ID"))
    for with_format in (p, add, listing):
        with_format.add_argument("--format", "-f", choices=("text", "json"), default=argparse.SUPPRESS)
    for shows_all in (p, listing):
        shows_all.add_argument(
            "--all", action="store_true", default=argparse.SUPPRESS, help=_("also accepted and rejected")
        )


def run(args: argparse.Namespace) -> int:
    from riskmon.store.news_queue import QueueError

    location = resolve_config_dir(getattr(args, "config", None))
    now = getattr(args, "now", None) or datetime.now(UTC)
    command = getattr(args, "news_command", None) or "list"
    try:
        if command == "add":
            return _add(args, location, now)
        if command == "accept":
            return _accept(args, location, now)
        if command == "reject":
            return _reject(args, location, now)
        return _list(args, location)
    except QueueError as exc:
        _err(f"riskmon news {command}: {exc.message}")
        return int(ExitCode.WARNING)


# ---------------------------------------------------------------------------------------------
# add


def _add(args: argparse.Namespace, location: ConfigLocation, now: datetime) -> int:
    from riskmon.sources.news import read_article
    from riskmon.usecases import news

    published: datetime | None = args.published
    article = read_article(args.source)
    events = news.catalog(location)
    when = published or article.published or now
    made = news.take_in(
        location, [news.ArticleIn(article.text, when, article.url)], events=events, now=now, lang=args.lang
    )
    if getattr(args, "format", "text") == "json":
        print(json.dumps([m.draft.to_json(m.match) for m in made], ensure_ascii=False, indent=2))
    elif not made:
        _out(
            _("no draft events in {name}: no sentence names a change (kind), a platform and a date or status").format(
                name=article.name
            )
        )
    else:
        for m in made:
            _show_made(m)
    return 0 if made else int(ExitCode.WARNING)


def _show_made(m: Made) -> None:
    event = m.match.event_id if m.match is not None else ""
    _out(f"{_summary(m.draft)}")
    _out("  " + _(OUTCOMES[m.outcome]).format(id=m.draft.id, event=event))
    if m.match is not None and m.outcome != "known":
        _out("  " + _("updates event {id}").format(id=m.match.event_id))
    _evidence(m.draft)


def _summary(d: Draft) -> str:
    from riskmon.present.words import kind_word, status_word

    day = d.effective.astimezone(UTC).date().isoformat() if d.effective else _("no date")
    return _("{id}: {kind}, {platforms} in {regions}, {day}, {status} (p {p}), confidence {confidence}").format(
        id=d.id,
        kind=kind_word(d.kind),
        platforms=", ".join(d.platforms),
        regions=", ".join(d.regions),
        day=day,
        status=status_word(d.status),
        p=f"{d.probability:g}",
        confidence=f"{d.confidence:.2f}",
    )


def _evidence(d: Draft, indent: str = "  ") -> None:
    if d.title:
        _out(indent + _("title: {title}").format(title=d.title))
    for x in d.deadlines:
        _out(indent + _("deadline {date}: {what}").format(date=x.date.astimezone(UTC).date().isoformat(), what=x.what))
    fields_of: dict[str, list[str]] = {}  # one sentence often gives several fields
    for name, ev in d.evidence.items():
        fields_of.setdefault(ev.text, []).append(name)
    for text, names in fields_of.items():
        _out(f"{indent}{', '.join(names)}: “{text}”")


# ---------------------------------------------------------------------------------------------
# list


def _list(args: argparse.Namespace, location: ConfigLocation) -> int:
    from riskmon.usecases import news

    r = news.review(location)
    every = getattr(args, "all", False)
    entries = [e for e in r.entries if every or e.state == "pending"]
    if getattr(args, "format", "text") == "json":
        print(json.dumps([_entry_json(e, r.matches.get(e.id)) for e in entries], ensure_ascii=False, indent=2))
        return 0
    if r.error:
        _err(_("note: matches against events.toml are unknown: {why}").format(why=r.error))
    if not entries:
        _out(
            _("the news review queue is empty ({command} adds an article)").format(
                command="riskmon news add FILE|-|URL"
            )
        )
        return 0
    pending = sum(e.state == "pending" for e in entries)
    command = "riskmon news accept ID [--edit] | reject ID"
    _out(
        ngettext("{n} draft to review: {command}", "{n} drafts to review: {command}", pending).format(
            n=pending, command=command
        )
    )
    for e in entries:
        _out()
        _out(_summary(e.draft) + ("" if e.state == "pending" else f" [{_state(e.state)}]"))
        found = r.matches.get(e.id)
        if e.state == "accepted" and e.event_id:
            _out("  " + _("accepted into event {id}").format(id=e.event_id))
        elif found is not None:
            _out("  " + _("updates event {id}").format(id=found.event_id))
        _evidence(e.draft)
        for s in e.draft.sources:
            _out("  " + _("source: {url}").format(url=s))
    return 0


def _entry_json(e: Entry, found: Match | None) -> dict[str, Any]:
    return e.draft.to_json(found) | {
        "review": e.state,
        "title": e.draft.title,
        "sources": list(e.draft.sources),
        "added": e.added.isoformat(),
        "updated": e.updated.isoformat(),
        "event": e.event_id,
    }


# ---------------------------------------------------------------------------------------------
# accept / reject


def _reject(args: argparse.Namespace, location: ConfigLocation, now: datetime) -> int:
    from riskmon.usecases import news

    entry = news.reject(location, args.draft_id, now)
    _out(_("rejected {id}: the same news will not bring it back").format(id=entry.id))
    return 0


def _accept(args: argparse.Namespace, location: ConfigLocation, now: datetime) -> int:
    from riskmon.sources.config.edit import config_dir_of
    from riskmon.usecases import news

    try:
        config_dir_of(location)  # the bundled demo is read-only: refused, as `config edit` does
    except ConfigError as exc:
        _err(f"riskmon news accept: {exc.message}")
        return int(ExitCode.WARNING)
    entry, proposal = news.proposal_for(location, args.draft_id)
    if getattr(args, "edit", False):
        return _accept_edited(location, entry, proposal, now)
    return _write(location, entry.id, proposal, now)


def _write(location: ConfigLocation, entry_id: str, proposal: Proposal | None, now: datetime) -> int:
    try:
        return _write_or_raise(location, entry_id, proposal, now)
    except ConfigError as exc:
        _problems(entry_id, exc)
        return int(ExitCode.WARNING)


def _write_or_raise(location: ConfigLocation, entry_id: str, proposal: Proposal | None, now: datetime) -> int:
    """Accept and say what was written; a ConfigError (nothing written) is the caller's."""
    from riskmon.usecases import news

    done = news.accept(location, entry_id, now, proposal=proposal)
    if done.path is None:
        _out(
            _("accepted {id}: event {event} already says this; nothing written").format(
                id=entry_id, event=done.proposal.event_id
            )
        )
        return 0
    _out(_("accepted {id}: wrote {path}").format(id=entry_id, path=done.path))
    for line in done.proposal.lines():
        _out(f"  {line}")
    return 0


def _problems(entry_id: str, exc: ConfigError) -> None:
    count = len(exc.problems) or 1
    problems = ngettext("{count} problem:", "{count} problems:", count).format(count=count)
    _err(
        "riskmon news accept: "
        + _("{id} was not accepted and events.toml was not changed; {problems}").format(id=entry_id, problems=problems)
    )
    for p in [str(p) for p in exc.problems] or [exc.message]:
        _err(f"  {p}")


def _accept_edited(
    location: ConfigLocation,
    entry: Entry,
    proposal: Proposal,
    now: datetime,
    ask: Callable[[str], str] = input,
) -> int:
    """The proposal in the editor (riskmon.cli.config_edit's machinery); checked when it closes,
    written when valid. On a terminal an invalid edit can be edited again."""
    from riskmon.cli.config_edit import (
        edit_again,
        editor_command,
        editor_failed,
        in_work_copy,
        open_editor,
        stopped_text,
    )
    from riskmon.sources.config.edit import read_text
    from riskmon.usecases import news

    interactive = sys.stdin.isatty()
    argv = editor_command(tty=interactive)

    def session(work: Path) -> int:
        while True:
            status = open_editor(argv, work)
            if status != 0:
                _err("riskmon news accept: " + editor_failed(status, _("{id} was not accepted").format(id=entry.id)))
                return int(ExitCode.WARNING)
            try:
                edited = news.proposal_from_text(read_text(work) or "", str(work))
                return _write_or_raise(location, entry.id, edited, now)
            except news.Cancelled as exc:
                _err(f"riskmon news accept: {exc.message}")
                return int(ExitCode.WARNING)
            except ConfigError as exc:
                _problems(entry.id, exc)
            if not interactive or not edit_again(ask):
                return int(ExitCode.WARNING)

    return in_work_copy(
        f"{entry.id}.toml",
        news.proposal_text(entry, proposal),
        session,
        "riskmon news accept: " + stopped_text(_("the editor was closed and {id} was not accepted"), id=entry.id),
    )


def _state(state: str) -> str:
    """A decided draft's state in words (the queue file keeps the English ids)."""
    words = {"accepted": N_("accepted"), "rejected": N_("rejected"), "pending": N_("pending")}
    return _(words[state]) if state in words else state
