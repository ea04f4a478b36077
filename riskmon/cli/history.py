"""`riskmon history [--since 7d|ISO] [-f table|json|plot]` and `riskmon history changes`.

Reads the history file that `check`, the daemon and the dashboard write (for the config in use:
the bundled demo's is its own); each row says which business it is. The plot is drawn with
plotext into the terminal (imported only here, never on `check`'s path).
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import datetime
from typing import Any

from riskmon.errors import RiskmonError
from riskmon.i18n import _, data, is_english


def configure(p: argparse.ArgumentParser) -> None:
    from riskmon.cli.args import actions, nested
    from riskmon.i18n import _

    changes = nested(
        actions(p, "history_command"), "changes", _("every change of an event's status, probability or dates")
    )
    for hp in (p, changes):
        hp.add_argument(
            "--since", metavar=_("7d|ISO"), default=argparse.SUPPRESS, help=_("from (30m, 12h, 7d, 2w, a date)")
        )
    p.add_argument("--format", "-f", choices=("table", "json", "plot"), default="table")
    changes.add_argument("--format", "-f", choices=("table", "json"), default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC

    from riskmon.paths import resolve_config_dir, resolve_db_path
    from riskmon.store.history import HistoryStore, parse_since

    now = args.now or datetime.now(UTC)
    try:
        text = getattr(args, "since", None)
        since = parse_since(text, now) if text else None
    except ValueError as exc:
        from riskmon.cli.args import bad_arguments

        raise RiskmonError(bad_arguments(f"--since: {exc}")) from None
    path = resolve_db_path(args.db, resolve_config_dir(args.config))
    if not path.exists():
        raise RiskmonError(
            _("no history yet at {path}: {check} or {daemon} records it").format(
                path=path, check="`riskmon check`", daemon="`riskmon daemon`"
            )
        )
    store = HistoryStore(path)
    if getattr(args, "history_command", None) == "changes":
        return _changes(store.event_log(since), args.format)
    rows = [s for s in store.snapshots(since, events=args.format == "json") if s["at"] <= now]
    for moved in store.recovered:
        print("riskmon: " + _("the history file was unreadable and was moved aside to {path}").format(path=moved))
    if args.format == "json":
        doc = {"schema": 1, "db": str(path), "since": _iso(since), "snapshots": [_row(s) for s in rows]}
        print(json.dumps(doc, indent=2))
    elif args.format == "plot":
        import sys

        from riskmon.present.text import use_colour

        warn, crit = _score_thresholds(args.config)
        width = shutil.get_terminal_size((100, 30)).columns
        print(plot(rows, warn=warn, crit=crit, width=width, colour=use_colour(sys.stdout)))
    else:
        print(_table(rows))
    return 0


def _score_thresholds(config_dir: str | None) -> tuple[float, float]:
    """The bands to draw: from the config when it loads, else the defaults (history outlives configs)."""
    from riskmon.core.settings import Thresholds

    try:
        from riskmon.sources.config.load import load_config

        t = load_config(config_dir).settings.thresholds
    except RiskmonError:
        t = Thresholds()
    return t.warn, t.crit


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


def _row(s: dict[str, Any]) -> dict[str, Any]:
    out = dict(s)
    out["at"] = _iso(s["at"])
    return out


def _table(rows: list[dict[str, Any]]) -> str:
    from riskmon.present.text import runway_text, table

    if not rows:
        return _("no snapshots in that range")
    from riskmon.textsafe import clean

    body = [
        [
            f"{s['at']:%Y-%m-%d %H:%M}",
            clean(s.get("business") or "-"),
            str(s["level"]),
            f"{s['score']:.1f}",
            runway_text(s.get("runway_weeks")),
            f"{s.get('top_platform') or '-'} {s.get('top_dependence', 0):.0%}",
            f"{s.get('samples', 1)}",
        ]
        for s in rows
    ]
    head = [_("AT (UTC)"), _("BUSINESS"), _("LEVEL"), _("SCORE"), _("RUNWAY"), _("TOP PLATFORM"), _("SAMPLES")]
    return "\n".join(table(head, body, right={3, 6}))


def _changes(entries: list[dict[str, Any]], fmt: str) -> int:
    from riskmon.textsafe import clean

    if fmt == "json":
        doc = {"schema": 1, "changes": [{**e, "at": _iso(e["at"])} for e in entries]}
        print(json.dumps(doc, indent=2, default=str))
        return 0
    if not entries:
        print(_("no event changes in that range"))
        return 0
    for e in entries:
        whose = f"{clean(e['business'])}  " if e.get("business") else ""
        title = clean(data(e.get("title") or ""))
        print(f"{e['at']:%Y-%m-%d %H:%M}  {whose}{clean(e['event_id'])}  {_change_text(e)}  ({title})")
    return 0


def _change_text(e: dict[str, Any]) -> str:
    """'first seen', or 'status: announced -> confirmed' (field and values in the active language)."""
    from riskmon.present.changes import field_word, value_word

    change = str(e["change"])
    if change == "first_seen":
        return _("first seen")

    def value(v: object) -> str:
        return _("none") if v is None and not is_english() else value_word(change, str(v))

    return f"{field_word(change)}: {value(e.get('old'))} -> {value(e.get('new'))}"


def plot(
    rows: list[dict[str, Any]],
    *,
    warn: float = 40.0,
    crit: float = 70.0,
    width: int = 100,
    height: int = 22,
    colour: bool = False,
) -> str:
    """Score over time with the warning/critical bands, as terminal text."""
    import plotext as plt

    if not rows:
        return _("no snapshots in that range")
    plt.clear_figure()  # plotext keeps one global figure: start clean every time
    start = rows[0]["at"]
    xs = [(s["at"] - start).total_seconds() / 86400 for s in rows]
    # plotext lays out its title, legend and labels by characters: in Chinese (two cells each)
    # they would push the frame out of line, so they are written around the plot instead.
    inside = is_english()
    plt.plot(xs, [s["score"] for s in rows], label="score" if inside else None, marker="braille")
    plt.plot(xs, [warn] * len(xs), label=f"warning {warn:g}" if inside else None, color="orange", marker="dot")
    plt.plot(xs, [crit] * len(xs), label=f"critical {crit:g}" if inside else None, color="red", marker="dot")
    plt.ylim(0, 100)
    since = _("days since {start} UTC").format(start=f"{start:%Y-%m-%d %H:%M}")
    if inside:
        plt.xlabel(since)
        plt.title("riskmon score")
    plt.plotsize(max(40, min(width, 160)), height if inside else max(8, height - 3))
    plt.theme("clear")
    text = str(plt.build())
    if not colour:
        text = plt.uncolorize(text)
    plt.clear_figure()
    if inside:
        return text
    bands = _("warning {warn} / critical {crit}").format(warn=f"{warn:g}", crit=f"{crit:g}")
    score = _("score")
    return "\n".join([_("riskmon score"), text, f"⢕ {score}  • {bands}", since])
