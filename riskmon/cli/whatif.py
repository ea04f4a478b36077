"""`riskmon what-if`: the assessment with some numbers changed, next to the real one.

    riskmon what-if --set us-tiktok-ban-2025.status=confirmed \\
                    --set tiktok-us.order_share=0.175 --set amazon-us.order_share=0.475
    riskmon what-if --stress                       # every event happens now, for certain
    riskmon what-if --set ... --save ban-move-half # keep it as scenarios/ban-move-half.toml
    riskmon what-if --scenario ban-move-half       # run it again (more --set on top)
    riskmon what-if --apply ban-move-half [--yes]  # write it into exposure.toml / events.toml

Both sides come from `riskmon.usecases.whatif.run` (the dashboard's what-if screen calls it too):
the same events (catalog plus feeds) and settings, the scenario side on validated copies changed
by the overrides. Nothing is written unless --save or
--apply --yes asks for it. Exit 0; --apply without --yes shows the changes and exits 1; riskmon's
own failures (unknown ids, invalid values, bad config) exit 3 with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmon.cli.args import bad_arguments, offline
from riskmon.cli.whatif_text import MAX_EVENT_ROWS as MAX_EVENT_ROWS
from riskmon.cli.whatif_text import forecast_side_by_side as forecast_side_by_side
from riskmon.cli.whatif_text import render_text as render_text
from riskmon.errors import RiskmonError
from riskmon.i18n import _
from riskmon.present.whatif import change_value as _value
from riskmon.present.whatif import said

SAVE_ONE = "riskmon what-if --set ... --save NAME"

if TYPE_CHECKING:
    from riskmon.core.scenario import Change, Override, Scenario
    from riskmon.sources.config.edit_types import FieldEdit
    from riskmon.sources.config.load import Config
    from riskmon.usecases.evaluate import Evaluation
    from riskmon.usecases.whatif import Outcome


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        "-s",
        action="append",
        default=[],
        metavar=_("ID.FIELD=VALUE"),
        help=_(
            "e.g. us-ban.probability=0.9, us-ban.status=confirmed, tiktok-us.order_share=0.2, "
            "business.cash_on_hand=80000 (repeatable)"
        ),
    )
    p.add_argument("--stress", action="store_true", help=_("every event happens now with probability 1"))
    p.add_argument("--scenario", metavar=_("NAME"), help=_("start from the saved scenario scenarios/NAME.toml"))
    p.add_argument("--save", metavar=_("NAME"), help=_("save the scenario as scenarios/NAME.toml in the config dir"))
    p.add_argument("--apply", metavar=_("NAME"), help=_("write a saved scenario into the config files (with --yes)"))
    p.add_argument("--yes", "-y", action="store_true", help=_("with --apply: really write the files"))
    p.add_argument("--list", action="store_true", help=_("list the saved scenarios"))
    p.add_argument("--format", "-f", choices=("text", "json"), default="text")
    p.add_argument("-v", "--verbose", action="count", default=0, help=_("also the weekly cash forecast"))
    offline(p)


def run(args: argparse.Namespace) -> int:
    from riskmon.core.scenario import ScenarioError

    now = getattr(args, "now", None) or datetime.now(UTC)
    try:
        if getattr(args, "list", False):
            return _list(args)
        if getattr(args, "apply", None):
            return _apply(args)
        return _what_if(args, now)
    except ScenarioError as exc:
        if exc.why is None:
            raise
        raise ScenarioError(said(exc), exc.details) from None  # the core's English, in the reader's language


# ---------------------------------------------------------------------------------------------
# what-if


def _what_if(args: argparse.Namespace, now: datetime) -> int:
    from riskmon.core import scenario as sc
    from riskmon.sources.scenarios import check_name, list_scenarios, load_scenario
    from riskmon.usecases import whatif
    from riskmon.usecases.evaluate import evaluate

    sets = [sc.parse_set(text) for text in args.set]
    if args.save:
        check_name(args.save)
    ev = evaluate(args.config, now, offline=args.offline, budget=20.0, replay=bool(getattr(args, "now", None)))
    cfg = ev.config
    if ev.feed_failure:
        print("riskmon: " + _("warning: {problem}").format(problem=ev.feed_failure), file=sys.stderr, flush=True)
    loaded = load_scenario(cfg.path, args.scenario) if args.scenario else None
    overrides = sc.merge_overrides(loaded.overrides if loaded else (), sets)
    stress = bool(args.stress or (loaded and loaded.stress))
    if not overrides and not stress:
        saved = list_scenarios(cfg.path)
        hint = _(" (saved: {names})").format(names=", ".join(saved)) if saved else ""
        nothing = _("nothing to change: give {set}, {stress} or {scenario}").format(
            set="--set ID.FIELD=VALUE", stress="--stress", scenario="--scenario NAME"
        )
        raise RiskmonError(bad_arguments(nothing + hint))
    outcome = whatif.run(ev, overrides, stress)
    name = args.save or (loaded.name if loaded else None)
    saved_path = _save(args, ev, overrides, stress, now, loaded) if args.save else None
    if args.format == "json":
        _print_json(ev, outcome, overrides, now, name=name, stress=stress, saved=saved_path)
    else:
        lines = render_text(
            ev.assessment,
            outcome.scenario,
            outcome.delta,
            list(outcome.changes),
            ev.events,
            stress=stress,
            name=name,
            verbose=getattr(args, "verbose", 0) > 0,
        )
        if saved_path:
            lines += ["", _("saved scenario {name}: {path}").format(name=name, path=saved_path)]
        print("\n".join(lines))
    return 0


def _save(
    args: argparse.Namespace,
    ev: Evaluation,
    overrides: tuple[Override, ...],
    stress: bool,
    now: datetime,
    loaded: Scenario | None,
) -> Path:
    """--save NAME: the overrides (and --stress) as scenarios/NAME.toml; never into the demo."""
    from riskmon.core import scenario as sc
    from riskmon.sources.scenarios import check_name, save_scenario

    cfg = ev.config
    if cfg.location.is_demo:
        message = _(
            "--save: the bundled demo config is read-only; write your own with {command}, then save scenarios there"
        )
        raise RiskmonError(message.format(command="`riskmon config init`"))
    s = sc.Scenario(
        name=check_name(args.save),
        overrides=overrides,
        stress=stress,
        created=now,
        description=loaded.description if loaded else "",
    )
    return save_scenario(cfg.path, s)


def _print_json(
    ev: Evaluation,
    outcome: Outcome,
    overrides: tuple[Override, ...],
    now: datetime,
    *,
    name: str | None,
    stress: bool,
    saved: Path | None,
) -> None:
    from riskmon.present import formats

    doc = {
        "now": formats.iso(now),
        "config_dir": str(ev.config.path),
        "what_if": {
            "name": name,
            "stress": stress,
            "overrides": [_override_json(o) for o in overrides],
            "changes": [_change_json(c) for c in outcome.changes],
            "saved": str(saved) if saved else None,
        },
        "baseline": formats.assessment_to_dict(ev.assessment, feeds=ev.feeds),
        "scenario": formats.assessment_to_dict(outcome.scenario, feeds=ev.feeds),
        "delta": outcome.delta.to_dict(),
    }
    print(formats.to_json(doc))


def _override_json(o: Override) -> dict[str, Any]:
    return {"target": o.target, "kind": o.target_kind, "id": o.id, "field": o.field, "value": o.value}


def _change_json(c: Change) -> dict[str, Any]:
    return {
        "target": c.target,
        "kind": c.target_kind,
        "id": c.id,
        "field": c.field,
        "from": c.old,
        "to": c.new,
        "implied": c.implied,
    }


# ---------------------------------------------------------------------------------------------
# --list and --apply


def _list(args: argparse.Namespace) -> int:
    from riskmon.core.scenario import ScenarioError
    from riskmon.paths import resolve_config_dir
    from riskmon.present import formats
    from riskmon.sources.scenarios import list_scenarios, load_scenario, scenario_dir

    base = resolve_config_dir(args.config).path
    entries: list[dict[str, Any]] = []
    unreadable: dict[str, str] = {}  # name -> why, in the reader's language (the JSON's `error` as it was)
    for n in list_scenarios(base):
        try:
            s = load_scenario(base, n)
        except ScenarioError as exc:
            entries.append({"name": n, "error": exc.message})
            unreadable[n] = said(exc)
            continue
        entries.append(
            {
                "name": n,
                "stress": s.stress,
                "description": s.description,
                "created": formats.iso(s.created),
                "set": [str(o) for o in s.overrides],
            }
        )
    if args.format == "json":
        print(formats.to_json({"dir": str(scenario_dir(base)), "scenarios": entries}))
        return 0
    if not entries:
        none = _("no saved scenarios in {dir} (save one with: {command})")
        print(none.format(dir=scenario_dir(base), command=SAVE_ONE))
        return 0
    from riskmon.textsafe import clean

    for e in entries:
        if "error" in e:
            print(_("{name}: unreadable: {problem}").format(name=e["name"], problem=clean(unreadable[e["name"]])))
            continue
        parts = ([_("stress")] if e["stress"] else []) + e["set"]
        desc = f" — {clean(e['description'])}" if e["description"] else ""
        changes = ", ".join(parts) or _("no changes")
        print(f"{e['name']}: {changes}{desc}")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from riskmon.core import scenario as sc
    from riskmon.sources.config import edit as configedit
    from riskmon.sources.config.load import load_config
    from riskmon.sources.scenarios import load_scenario
    from riskmon.usecases.whatif import config_changes

    if args.set or args.stress or args.scenario or args.save:
        message = _(
            "{apply} writes a saved scenario as it is; it takes no {set}, {stress}, {scenario} or {save} "
            "(save the scenario first, then apply it)"
        )
        options = {"set": "--set", "stress": "--stress", "scenario": "--scenario", "save": "--save"}
        raise RiskmonError(bad_arguments(message.format(apply="--apply NAME", **options)))
    cfg = load_config(args.config)
    base = configedit.config_dir_of(cfg.location)
    s: Scenario = load_scenario(base, args.apply)
    if s.stress:
        message = _(
            "scenario {name} is a stress test (stress = true): that is not a change to your config "
            "and cannot be applied; save a scenario without --stress to apply it"
        )
        raise RiskmonError(message.format(name=repr(s.name)))
    try:
        changes = config_changes(cfg, s.overrides)  # the rules, before any file is touched
    except sc.ScenarioError as exc:
        message = _(
            "scenario {name}: {problem} (--apply writes exposure.toml and events.toml; "
            "events that only come from feeds cannot be changed there)"
        )
        raise sc.ScenarioError(message.format(name=repr(s.name), problem=said(exc))) from None
    edits = configedit.edits_from_changes(changes)
    rows = _apply_rows(base, cfg, changes, edits)
    written: list[str] = []
    if changes and args.yes:
        written = [str(p) for p in configedit.apply_edits(cfg.location, edits)]
    _print_apply(args, s.name, base, changes, rows, written)
    return 1 if changes and not args.yes else 0


def _apply_rows(base: Path, cfg: Config, changes: Sequence[Change], edits: Sequence[FieldEdit]) -> list[dict[str, Any]]:
    """Each change as the file and field it writes, from and to."""
    by_id = {e.id: e for e in cfg.events}
    return [
        {
            "file": str(base / edit.file),
            "field": edit.where,
            "from": _value(c, c.old, by_id),
            "to": _value(c, c.new, by_id),
            "implied": c.implied,
        }
        for c, edit in zip(changes, edits, strict=True)
    ]


def _print_apply(
    args: argparse.Namespace,
    name: str,
    base: Path,
    changes: Sequence[Change],
    rows: list[dict[str, Any]],
    written: list[str],
) -> None:
    if args.format == "json":
        from riskmon.present import formats

        doc = {"scenario": name, "changes": rows, "applied": bool(written), "written": written}
        print(formats.to_json({**doc, "dry_run": not args.yes}))
    else:
        if not changes:
            print(_("scenario {name}: the config already has these values; nothing to write").format(name=name))
        for r in rows:
            note = _(" (moved with effective)") if r["implied"] else ""
            print(f"{r['file']}: {r['field']}: {r['from']} -> {r['to']}{note}")
        if changes and not args.yes:
            dry = _("dry run: nothing written; run again with {yes} to write these changes into {dir}")
            print(dry.format(yes="--yes", dir=base))
        for path in written:
            print(_("wrote {path}").format(path=path))
