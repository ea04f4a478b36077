"""The weekly report as Markdown: to read and forward. Untrusted text is made inert (`md`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.playbooks import Item, Plan, Suggestion, display, exposed
from riskmon.i18n import _, data, day, ngettext
from riskmon.present.cash import cash_moves, notes_by_week, week_rows
from riskmon.present.report_week import RECENT, WEEK, this_week
from riskmon.present.text import cash_phrase, chance, demo_note, loss_spread, money, move_word, reasons, when
from riskmon.present.words import (
    channel_kind_word,
    fact,
    kind_word,
    status_word,
    step_text,
    suggestion_title,
    suggestion_why,
)
from riskmon.textsafe import clean

EVENT_LIMIT = 25
"""Events the Markdown report lists (with their checklists); CSV and JSON list them all."""

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def md(text: object) -> str:
    """Untrusted text as inert Markdown: one line, no control characters, no markup, no links."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None) -> list[str]:
    sep = ["---:" if i in (right or ()) else "---" for i in range(len(headers))]
    return ["| " + " | ".join(r) + " |" for r in [list(headers), sep, *rows]]


def _md_step(i: Item, *, with_key: bool) -> str:
    s = i.step
    box = "[x]" if s.done else "[ ]"
    if s.done:
        done = _("done {date}").format(date=day(s.done_at)) if s.done_at else _("done")
        state = _("{done}, was due {date}").format(done=done, date=day(s.due))
        text = f"~~{md(step_text(s))}~~"
    else:
        if s.overdue:
            state = "**" + _("overdue since {date}").format(date=day(s.due)) + "**"
        else:
            state = _("by {date}").format(date=f"**{day(s.due)}**")
        text = md(step_text(s))
    where = f"`{i.suggestion.label}` · " if with_key else ""
    return f"- {box} {state}: {text} ({where}`{s.id}`)"


def _event_title(e: EventAssessment) -> str:
    return f"{md(data(e.event.title))} (`{e.id}`)"


def markdown(a: Assessment, p: Plan, *, limit: int = EVENT_LIMIT, demo: bool = False) -> str:
    reaching = [e for e in a.events if exposed(e)]
    shown = reaching[:limit]
    out = _md_summary(a, demo=demo)
    out += _md_this_week(a, p)
    out += ["", "## " + _("Cash, next {n} weeks").format(n=len(a.forecast.week_starts)), ""]
    out += _md_forecast(a)
    out += _md_exposure(a)
    out += _md_events(a, reaching, shown, limit)
    out += _md_checklist(p, shown)
    return "\n".join(out).rstrip() + "\n"


def _md_summary(a: Assessment, *, demo: bool) -> list[str]:
    biz = a.profile.business
    conc = a.concentration
    top = ""
    if conc.top_platform:
        top = _(", {platform} carries {share} of orders").format(
            platform=md(display(conc.top_platform)), share=f"{conc.top_dependence:.0%}"
        )
    summary = _(
        "**{level}**: score {score}/100, {cash} if likely events happen, shortfall probability {chance}, {loss}{top}."
    ).format(
        level=a.level.name,
        score=f"{a.score:.0f}",
        cash=md(cash_phrase(a)),
        chance=md(chance(a.cash_shortfall_probability)),
        loss=md(loss_spread(a)),
        top=top,
    )
    return [
        "# " + _("Risk review: {business}").format(business=md(biz.name)),
        "",
        *(["> " + _("**Demo:** {note}.").format(note=demo_note()), ""] if demo else []),
        _("As of {when} UTC. Next review: {date}.").format(when=f"{a.now:%Y-%m-%d %H:%M}", date=day(a.now + WEEK)),
        "",
        "## " + _("Summary"),
        "",
        summary,
        "",
        *(f"- {md(r)}" for r in reasons(a)),
    ]


def _md_this_week(a: Assessment, p: Plan) -> list[str]:
    out = ["", "## " + _("This week"), ""]
    week, older = this_week(p)
    if week:
        out.append(
            _("Open steps due by {date}, or overdue since {since}:").format(
                date=day(a.now + WEEK), since=day(a.now - RECENT)
            )
        )
        out.append("")
        out.extend(_md_step(i, with_key=True) for i in week)
    else:
        out.append(_("Nothing due by {date}.").format(date=day(a.now + WEEK)))
    if older:
        still = ngettext(
            "{n} older step is still open: see the checklist below.",
            "{n} older steps are still open: see the checklist below.",
            older,
        )
        out += ["", still.format(n=older)]
    return out


def _md_exposure(a: Assessment) -> list[str]:
    conc = a.concentration
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    out = ["", "## " + _("Exposure"), ""]
    if a.channels:
        rows = [
            [
                f"`{c.channel.id}`",
                md(display(c.channel.platform)),
                channel_kind_word(c.channel.kind),
                f"{c.channel.order_share:.0%}",
                m(c.revenue_monthly),
                _("own") if c.dependence is None else f"{c.dependence:.0%}",
                m(c.expected_loss),
                f"{c.risk_share:.0%}",
            ]
            for c in a.channels
        ]
        out += _md_table(
            [
                _("Channel"),
                _("Platform"),
                _("Kind"),
                _("Orders"),
                _("Revenue / month"),
                _("Platform dependence"),
                _("Expected loss"),
                _("Share of risk"),
            ],
            rows,
            right={3, 4, 5, 6, 7},
        )
    else:
        out.append(_("No channels configured."))
    if conc.dependence:
        out += ["", _("Orders that depend on each third-party platform (its own channels plus traffic links):"), ""]
        out += _md_table(
            [_("Platform"), _("Dependence")],
            [[md(display(pl)), f"{share:.0%}"] for pl, share in conc.dependence.items()],
            right={1},
        )
        out += ["", _("Concentration (HHI of order shares): {hhi}.").format(hhi=f"{conc.hhi:.2f}")]
    return out


def _md_events(
    a: Assessment, reaching: Sequence[EventAssessment], shown: Sequence[EventAssessment], limit: int
) -> list[str]:
    out = ["", "## " + _("Events, ranked by score"), ""]
    if shown:
        out += _md_event_table(a, shown)
        out += [
            "",
            _(
                "Lost: money gone for good if the event happens (contribution not earned over its damage window, "
                "extra fees and duties, stranded stock, deposits); expected loss weighs it by the probability. "
                "Late: payouts frozen and held longer, cash that comes back later and is never part of a loss."
            ),
        ]
        out += _md_late(a, shown)
        if len(reaching) > limit:
            more = _("{n} more events with lower scores are in the CSV and JSON reports.")
            out += ["", more.format(n=len(reaching) - limit)]
    else:
        out.append(_("No event that counts now reaches your channels."))
    others = [e.id for e in a.events if not exposed(e)]
    if others:
        listed = _(", ").join(f"`{x}`" for x in others[:limit])
        more = _(" and {n} more").format(n=len(others) - limit) if len(others) > limit else ""
        out += [
            "",
            _("Not reaching your channels ({n}): {listed}{more}.").format(n=len(others), listed=listed, more=more),
        ]
    return out


def _md_event_table(a: Assessment, shown: Sequence[EventAssessment]) -> list[str]:
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    rows = [
        [
            str(n),
            _event_title(e),
            kind_word(e.event.kind),
            status_word(e.status),
            f"{day(e.effective)} ({when(e.days_until)})",
            f"{e.probability:.0%}",
            f"{e.score:.0f}",
            m(e.loss),
            m(e.expected_loss),
            m(e.cash_frozen),
            f"{e.shock:.0%}",
        ]
        for n, e in enumerate(shown, 1)
    ]
    return _md_table(
        [
            "#",
            _("Event"),
            _("Kind"),
            _("Status"),
            _("Effective"),
            "P",
            _("Score"),
            _("Lost if it happens"),
            _("Expected loss"),
            _("Late if it happens"),
            _("Orders lost"),
        ],
        rows,
        right={0, 5, 6, 7, 8, 9, 10},
    )


def _md_checklist(p: Plan, shown: Sequence[EventAssessment]) -> list[str]:
    out = ["", "## " + _("Checklist"), ""]
    any_steps = False
    for n, e in enumerate(shown, 1):
        suggestions = p.for_event(e.id)
        if not suggestions:
            continue
        any_steps = True
        heading = _("{title}: effective {date}, score {score}").format(
            title=_event_title(e), date=day(e.effective), score=f"{e.score:.0f}"
        )
        out += [f"### {n}. {heading}", ""]
        for s in suggestions:
            out += _md_suggestion(s)
    if p.standing:
        any_steps = True
        out += ["### " + _("Your business as it stands"), ""]
        for s in p.standing:
            out += _md_suggestion(s)
    if any_steps:
        out.append(_("Mark a step done with {command}.").format(command="`riskmon playbook done EVENT STEP`"))
    else:
        out.append(_("No playbook rule matches your events or your business."))
    return out


def _md_forecast(a: Assessment) -> list[str]:
    """The weekly cash table: three scenarios, and what moves each week besides trading."""
    m = lambda x: money(x, a.profile.business.currency)  # noqa: E731
    out = [
        _(
            "Balance at the end of each week. Baseline: no event happens; likely: every event with p ≥ 50% "
            "happens; stress: every event with p > 0 happens. If likely events happen: {cash}; "
            "the chance cash goes below zero in some week is {chance}."
        ).format(cash=md(cash_phrase(a)), chance=md(chance(a.cash_shortfall_probability))),
        "",
    ]
    notes = notes_by_week(a)
    rows = [
        [
            str(w.week),
            day(w.starts),
            m(w.baseline),
            m(w.likely),
            m(w.stress),
            m(w.commitments) if w.commitments else "",
            _signed(w.one_offs_likely, m),
            _signed(w.one_offs_stress, m),
            md("; ".join(notes[w.week])),
        ]
        for w in week_rows(a)
    ]
    out += _md_table(
        [
            _("Week"),
            _("Starts"),
            _("Baseline"),
            _("Likely"),
            _("Stress"),
            _("Commitments"),
            _("Late, likely"),
            _("Late, stress"),
            _("Note"),
        ],
        rows,
        right={0, 2, 3, 4, 5, 6, 7},
    )
    out += [
        "",
        _(
            "Commitments: payments already promised, paid in every scenario. Late: payouts frozen or held "
            "longer leave (−) and come back (+); that money is late, not lost."
        ),
    ]
    return out


def _signed(x: float, m: Callable[[float], str]) -> str:
    if abs(x) < 0.5:
        return ""
    return ("+" if x > 0 else "") + m(x)


def _md_late(a: Assessment, shown: Sequence[EventAssessment]) -> list[str]:
    """When each event's late money leaves and comes back, one line per move."""
    cur = a.profile.business.currency
    lines = []
    for e in shown:
        for move in cash_moves(e):
            if move.leaves is None:
                timing = _("already in effect (part of your pending payouts)")
            else:
                back = (
                    _("comes back {date}").format(date=day(move.back))
                    if move.back
                    else _("comes back when the event ends (no end date)")
                )
                timing = _("leaves {date}, {back}").format(date=day(move.leaves), back=back)
            line = _("{amount} {what}, late: {timing}.").format(
                amount=money(move.amount, cur), what=move_word(move.what), timing=timing
            )
            lines.append(f"- `{e.id}`: {line}")
    return ["", _("Late money, if each event happens:"), "", *lines] if lines else []


def _md_suggestion(s: Suggestion) -> list[str]:
    why = suggestion_why(s)
    lines = [f"**{md(suggestion_title(s))}**" + (f": {md(why)}" if why else "")]
    if s.standing:
        facts = _("; ").join(fact(b) for b in s.because)
        lines[0] += f" ({md(facts)})"
    lines.append("")
    lines.extend(_md_step(Item(s, step, s.weight), with_key=s.standing) for step in s.steps)
    lines.append("")
    return lines
