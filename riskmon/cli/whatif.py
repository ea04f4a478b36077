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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from riskmon.cli.args import offline
from riskmon.errors import RiskmonError
from riskmon.present.whatif import change_value as _value
from riskmon.present.whatif import signed as _signed
from riskmon.present.whatif import signed_money as _signed_money

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment
    from riskmon.core.model import Event
    from riskmon.core.scenario import Change, Delta, Override, Scenario

MAX_EVENT_ROWS = 12


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--set",
        "-s",
        action="append",
        default=[],
        metavar="ID.FIELD=VALUE",
        help="e.g. us-ban.probability=0.9, us-ban.status=confirmed, tiktok-us.order_share=0.2, "
        "business.cash_on_hand=80000 (repeatable)",
    )
    p.add_argument("--stress", action="store_true", help="every event happens now with probability 1")
    p.add_argument("--scenario", metavar="NAME", help="start from the saved scenario scenarios/NAME.toml")
    p.add_argument("--save", metavar="NAME", help="save the scenario as scenarios/NAME.toml in the config dir")
    p.add_argument("--apply", metavar="NAME", help="write a saved scenario into the config files (with --yes)")
    p.add_argument("--yes", "-y", action="store_true", help="with --apply: really write the files")
    p.add_argument("--list", action="store_true", help="list the saved scenarios")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text")
    offline(p)


def run(args: argparse.Namespace) -> int:
    now = getattr(args, "now", None) or datetime.now(UTC)
    if getattr(args, "list", False):
        return _list(args)
    if getattr(args, "apply", None):
        return _apply(args)
    return _what_if(args, now)


# ---------------------------------------------------------------------------------------------
# what-if


def _what_if(args: argparse.Namespace, now: datetime) -> int:
    from riskmon.core import scenario as sc
    from riskmon.sources.scenarios import check_name, list_scenarios, load_scenario, save_scenario
    from riskmon.usecases import whatif
    from riskmon.usecases.evaluate import evaluate

    sets = [sc.parse_set(text) for text in args.set]
    if args.save:
        check_name(args.save)
    ev = evaluate(args.config, now, offline=args.offline, budget=20.0, replay=bool(getattr(args, "now", None)))
    cfg = ev.config
    if ev.feed_failure:
        print(f"riskmon: warning: {ev.feed_failure}", file=sys.stderr, flush=True)
    loaded = load_scenario(cfg.path, args.scenario) if args.scenario else None
    overrides = sc.merge_overrides(loaded.overrides if loaded else (), sets)
    stress = bool(args.stress or (loaded and loaded.stress))
    if not overrides and not stress:
        saved = list_scenarios(cfg.path)
        hint = f" (saved: {', '.join(saved)})" if saved else ""
        raise RiskmonError(
            "bad arguments: nothing to change: give --set ID.FIELD=VALUE, --stress or --scenario NAME" + hint
        )
    outcome = whatif.run(ev, overrides, stress)
    scenario_a, changes, delta = outcome.scenario, list(outcome.changes), outcome.delta
    name = args.save or (loaded.name if loaded else None)
    saved_path = None
    if args.save:
        if cfg.location.is_demo:
            raise RiskmonError(
                "--save: the bundled demo config is read-only; write your own with `riskmon config init`, "
                "then save scenarios there"
            )
        s = sc.Scenario(
            name=check_name(args.save),
            overrides=overrides,
            stress=stress,
            created=now,
            description=loaded.description if loaded else "",
        )
        saved_path = save_scenario(cfg.path, s)

    if args.format == "json":
        from riskmon.present import formats

        doc = {
            "now": formats.iso(now),
            "config_dir": str(cfg.path),
            "what_if": {
                "name": name,
                "stress": stress,
                "overrides": [_override_json(o) for o in overrides],
                "changes": [_change_json(c) for c in changes],
                "saved": str(saved_path) if saved_path else None,
            },
            "baseline": formats.assessment_to_dict(ev.assessment, feeds=ev.feeds),
            "scenario": formats.assessment_to_dict(scenario_a, feeds=ev.feeds),
            "delta": delta.to_dict(),
        }
        print(formats.to_json(doc))
    else:
        lines = render_text(ev.assessment, scenario_a, delta, changes, ev.events, stress=stress, name=name)
        if saved_path:
            lines += ["", f"saved scenario {name}: {saved_path}"]
        print("\n".join(lines))
    return 0


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
# Text


def render_text(
    baseline: Assessment,
    scenario: Assessment,
    delta: Delta,
    changes: list[Change],
    events: tuple[Event, ...] | list[Event],
    *,
    stress: bool,
    name: str | None,
) -> list[str]:
    from riskmon.present.text import money, runway_text, table
    from riskmon.textsafe import clean

    cur = baseline.profile.business.currency
    by_id = {e.id: e for e in events}
    title = f"what-if{f' {name}' if name else ''} for {clean(baseline.profile.business.name)}"
    lines = [f"{title} as of {baseline.now:%Y-%m-%d %H:%M} UTC"]
    if stress:
        lines.append("  stress: every event happens now with probability 1 (its window keeps its length)")
    for c in changes:
        note = " (moved with effective)" if c.implied else ""
        lines.append(f"  {c.target}: {_value(c, c.old, by_id)} -> {_value(c, c.new, by_id)}{note}")
    if not changes and not stress:
        lines.append("  (the overrides equal the config's values: nothing changes)")
    lines.append("")
    change_word = {0: "same"}.get(
        delta.level_change, f"{delta.level_change:+d} (" + ("worse" if delta.level_change > 0 else "better") + ")"
    )
    rows = [
        ["level", baseline.level.name, scenario.level.name, change_word],
        ["score", f"{baseline.score:.1f}", f"{scenario.score:.1f}", _signed(delta.score, ".1f")],
        [
            "runway",
            runway_text(baseline.runway_weeks),
            runway_text(scenario.runway_weeks),
            _signed(delta.runway_weeks, ".1f", " wk")
            if delta.runway_weeks is not None
            else ("same" if baseline.runway_weeks == scenario.runway_weeks else "—"),
        ],
        [
            "expected loss",
            money(baseline.expected_loss, cur),
            money(scenario.expected_loss, cur),
            _signed_money(delta.expected_loss, cur),
        ],
    ]
    lines.extend(table(["", "BASELINE", "SCENARIO", "CHANGE"], rows, right={1, 2, 3}))
    lines.append("")
    lines.append(f"scenario: {'; '.join(scenario.reasons)}")
    shown = [e for e in delta.events if abs(e.change) >= 0.5 or (e.scenario or 0) >= 0.5 or (e.baseline or 0) >= 0.5]
    if shown:
        lines.append("")
        ev_rows = [
            [
                clean(e.id),
                "—" if e.baseline is None else money(e.baseline, cur),
                "—" if e.scenario is None else money(e.scenario, cur),
                _signed_money(e.change, cur),
            ]
            for e in shown[:MAX_EVENT_ROWS]
        ]
        lines.extend(table(["EVENT", "BASELINE EXP. LOSS", "SCENARIO EXP. LOSS", "CHANGE"], ev_rows, right={1, 2, 3}))
        if len(shown) > MAX_EVENT_ROWS:
            lines.append(f"... and {len(shown) - MAX_EVENT_ROWS} more events (--format json lists them all)")
    return lines


# ---------------------------------------------------------------------------------------------
# --list and --apply


def _list(args: argparse.Namespace) -> int:
    from riskmon.core.scenario import ScenarioError
    from riskmon.paths import resolve_config_dir
    from riskmon.present import formats
    from riskmon.sources.scenarios import list_scenarios, load_scenario, scenario_dir

    base = resolve_config_dir(args.config).path
    entries: list[dict[str, Any]] = []
    for n in list_scenarios(base):
        try:
            s = load_scenario(base, n)
        except ScenarioError as exc:
            entries.append({"name": n, "error": exc.message})
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
        print(f"no saved scenarios in {scenario_dir(base)} (save one with: riskmon what-if --set ... --save NAME)")
        return 0
    from riskmon.textsafe import clean

    for e in entries:
        if "error" in e:
            print(f"{e['name']}: unreadable: {clean(e['error'])}")
            continue
        parts = (["stress"] if e["stress"] else []) + e["set"]
        desc = f" — {clean(e['description'])}" if e["description"] else ""
        print(f"{e['name']}: {', '.join(parts) or 'no changes'}{desc}")
    return 0


def _apply(args: argparse.Namespace) -> int:
    from riskmon.core import scenario as sc
    from riskmon.sources.config import edit as configedit
    from riskmon.sources.config.load import load_config
    from riskmon.sources.scenarios import load_scenario
    from riskmon.usecases.whatif import config_changes

    if args.set or args.stress or args.scenario or args.save:
        raise RiskmonError(
            "bad arguments: --apply NAME writes a saved scenario as it is; it takes no --set, --stress, "
            "--scenario or --save (save the scenario first, then apply it)"
        )
    cfg = load_config(args.config)
    base = configedit.config_dir_of(cfg.location)
    s: Scenario = load_scenario(base, args.apply)
    if s.stress:
        raise RiskmonError(
            f"scenario {s.name!r} is a stress test (stress = true): that is not a change to your config "
            "and cannot be applied; save a scenario without --stress to apply it"
        )
    try:
        changes = config_changes(cfg, s.overrides)  # the rules, before any file is touched
    except sc.ScenarioError as exc:
        raise sc.ScenarioError(
            f"scenario {s.name!r}: {exc.message} (--apply writes exposure.toml and events.toml; "
            "events that only come from feeds cannot be changed there)"
        ) from None
    edits = configedit.edits_from_changes(changes)
    by_id = {e.id: e for e in cfg.events}
    rows = [
        {
            "file": str(base / edit.file),
            "field": edit.where,
            "from": _value(c, c.old, by_id),
            "to": _value(c, c.new, by_id),
            "implied": c.implied,
        }
        for c, edit in zip(changes, edits, strict=True)
    ]
    written: list[str] = []
    if changes and args.yes:
        written = [str(p) for p in configedit.apply_edits(cfg.location, edits)]
    if args.format == "json":
        from riskmon.present import formats

        doc = {"scenario": s.name, "changes": rows, "applied": bool(written), "written": written}
        print(formats.to_json({**doc, "dry_run": not args.yes}))
    else:
        if not changes:
            print(f"scenario {s.name}: the config already has these values; nothing to write")
        for r in rows:
            note = " (moved with effective)" if r["implied"] else ""
            print(f"{r['file']}: {r['field']}: {r['from']} -> {r['to']}{note}")
        if changes and not args.yes:
            print(f"dry run: nothing written; run again with --yes to write these changes into {base}")
        for path in written:
            print(f"wrote {path}")
    return 1 if changes and not args.yes else 0
