"""Machine-readable renderings of an Assessment: JSON, Nagios plugin output (Prometheus: present/prometheus.py).

These only present what `engine.assess()` computed. JSON keeps money and shares unrounded; the
Nagios and Prometheus renderings format numbers with a dot decimal and never an exponent.
Validation bounds every input so that the engine's numbers are finite; should one not be, no
rendering shows it as a number: JSON has null (strict RFC 8259, never NaN or Infinity), Nagios
`U`, Prometheus leaves the sample out (but for the documented +Inf runway of a business that
does not burn cash).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from riskmon import __version__
from riskmon.core.engine import Assessment, EventAssessment
from riskmon.core.record import asdict
from riskmon.core.results import ChannelExposure
from riskmon.errors import Level
from riskmon.present.text import DEMO_TAG, cash_low_text, chance, runway_text
from riskmon.textsafe import clean

FORMATS = ("text", "json", "nagios", "prometheus")
SCHEMA = 1
"""The version of every JSON document's shape (`"schema"`): raised when a field changes meaning or goes."""


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat()


def event_to_dict(e: EventAssessment) -> dict[str, Any]:
    ev = e.event
    return {
        "id": ev.id,
        "title": clean(ev.title),
        "kind": ev.kind,
        "status": e.status,
        "platforms": list(ev.platforms),
        "regions": list(ev.regions),
        "probability": e.probability,
        "effective": iso(e.effective),
        "ends": iso(e.ends),
        "start": iso(e.start),
        "h_days": e.h_days,
        "in_effect": e.in_effect,
        "days_until": e.days_until,
        "urgency": e.urgency,
        "score": e.score,
        "loss": e.loss,
        "expected_loss": e.expected_loss,
        "revenue_lost_monthly": e.revenue_lost_monthly,
        "shock": e.shock,
        "horizon_months": e.horizon_months,
        "profit_at_risk": e.profit_at_risk,
        "fee_cost": e.fee_cost,
        "duty_cost": e.duty_cost,
        "cash_frozen": e.cash_frozen,
        "inventory_loss": e.inventory_loss,
        "deposit_loss": e.deposit_loss,
        "channels": [
            {
                "id": h.channel_id,
                "platform": h.platform,
                "direct": h.direct,
                "links": list(h.links),
                "lost_share": h.lost_share,
                "loss": h.loss,
                "why": h.why,
            }
            for h in e.channels
        ],
        "deadlines": [{"date": iso(d), "what": clean(w)} for d, w in e.deadlines],
        "sources": [clean(s) for s in ev.sources],
        "source": ev.source,
        "timeline": [{"date": iso(t.date), "status": t.status, "probability": t.probability} for t in ev.timeline],
        "playbook": [],
    }


def assessment_to_dict(
    a: Assessment,
    *,
    feeds: Sequence[Mapping[str, Any]] = (),
    playbooks: Mapping[str, list[dict[str, Any]]] | None = None,
    standing: Sequence[Mapping[str, Any]] = (),
    changes: Sequence[Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The `check --format json` document; the shape is part of riskmon's contract."""
    t = a.thresholds
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "model_version": a.model_version,
        "version": __version__,
        "now": iso(a.now),
        "business": clean(a.profile.business.name),
        "currency": a.profile.business.currency,
        "level": a.level.name,
        "exit_code": int(a.level.exit_code),
        "score": a.score,
        "reasons": a.reasons,
        "rules": [{"rule": r.rule, "level": r.level.name, "reason": r.reason} for r in a.rules],
        "thresholds": asdict(t),
        "runway_weeks": a.runway_weeks,
        "capacity": a.capacity,
        "expected_loss": a.expected_loss,
        "loss_p50": a.loss_p50,
        "loss_p95": a.loss_p95,
        "distribution": a.distribution,
        "cash_forecast": _forecast_dict(a),
        "cash_low": a.cash_low,
        "cash_low_week": a.cash_low_week,
        "cash_shortfall_probability": a.cash_shortfall_probability,
        "concentration": _concentration_dict(a),
        "channels": [_channel_dict(c) for c in a.channels],
        "events": _event_dicts(a, playbooks),
        "standing": [dict(s) for s in standing],
        "feeds": [dict(f) for f in feeds],
    }
    if changes is not None:
        doc["changes"] = [dict(c) for c in changes]
    if extra:
        doc.update(extra)
    return doc


def _event_dicts(a: Assessment, playbooks: Mapping[str, list[dict[str, Any]]] | None) -> list[dict[str, Any]]:
    events = []
    for e in a.events:
        d = event_to_dict(e)
        if playbooks:
            d["playbook"] = playbooks.get(e.id, [])
        events.append(d)
    return events


def _forecast_dict(a: Assessment) -> dict[str, Any]:
    return {
        "week_starts": [iso(w) for w in a.forecast.week_starts],
        "baseline": list(a.forecast.baseline),
        "likely": list(a.forecast.likely),
        "stress": list(a.forecast.stress),
    }


def _concentration_dict(a: Assessment) -> dict[str, Any]:
    conc = a.concentration
    return {
        "hhi": conc.hhi,
        "top_platform": conc.top_platform,
        "top_dependence": conc.top_dependence,
        "dependence": dict(conc.dependence),
    }


def _channel_dict(c: ChannelExposure) -> dict[str, Any]:
    return {
        "id": c.channel.id,
        "platform": c.channel.platform,
        "kind": c.channel.kind,
        "order_share": c.channel.order_share,
        "revenue_monthly": c.revenue_monthly,
        "dependence": c.dependence,
        "expected_loss": c.expected_loss,
        "risk_share": c.risk_share,
    }


def to_json(doc: Mapping[str, Any], *, indent: int | None = 2) -> str:
    """Strict JSON (RFC 8259): a non-finite float, which has no JSON form, becomes null. A document
    (a mapping) says which version of its shape it is: `"schema"` first, unless it has one."""
    if isinstance(doc, Mapping) and "schema" not in doc:
        doc = {"schema": SCHEMA, **doc}
    try:
        return json.dumps(doc, indent=indent, ensure_ascii=False, default=_json_default, allow_nan=False)
    except ValueError:  # "Out of range float values are not JSON compliant": the rare path
        return json.dumps(finite_only(doc), indent=indent, ensure_ascii=False, default=_json_default, allow_nan=False)


def finite_only(value: Any) -> Any:
    """`value` with every non-finite float inside it (dicts, lists, tuples) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {k: finite_only(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_only(v) for v in value]
    return value


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Level):
        return value.name
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# ---------------------------------------------------------------------------------------------
# Numbers for plugin and exporter formats


def plain_number(x: float, digits: int = 6) -> str:
    """A number with a dot decimal and no exponent: 12.5, 0.000123, 1500000."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ---------------------------------------------------------------------------------------------
# Nagios


def _perf(
    label: str,
    value: float | None,
    uom: str = "",
    warn: str = "",
    crit: str = "",
    lo: float | None = None,
    hi: float | None = None,
) -> str:
    v = "U" if value is None or not math.isfinite(value) else plain_number(value, 4)
    parts = [warn, crit, "" if lo is None else plain_number(lo), "" if hi is None else plain_number(hi)]
    while parts and parts[-1] == "":
        parts.pop()
    tail = (";" + ";".join(parts)) if parts else ""
    return f"'{label}'={v}{uom if v != 'U' else ''}{tail}"


def nagios_summary(a: Assessment, action: str | None = None, *, demo: bool = False) -> str:
    """The plugin's text: score, runway, the top platform and the reasons; the forecast's lowest
    cash and the shortfall probability too when the cash rule raised the level."""
    conc = a.concentration
    if a.runway_weeks is None:
        cash = f"cash does not run out in {len(a.forecast.week_starts)} wk"
    else:
        cash = f"runway {runway_text(a.runway_weeks)}"
    if any(r.rule == "runway" and r.level > Level.OK for r in a.rules):
        cash += f", {cash_low_text(a)}, shortfall probability {chance(a.cash_shortfall_probability)}"
    top = f", {conc.top_platform} {conc.top_dependence:.0%} of orders" if conc.top_platform else ""
    text = f"{DEMO_TAG + ' ' if demo else ''}score {a.score:.0f}/100, {cash}{top}: {'; '.join(a.reasons)}"
    if action:
        text += f"; next: {action}"
    # '|' starts perfdata in the plugin API; it must never appear in the text part.
    return clean(text).replace("|", "/")


def nagios(
    a: Assessment,
    *,
    action: str | None = None,
    detail_lines: Iterable[str] = (),
    demo: bool = False,
    perf_ranges: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """One plugin line with perfdata. `cash_low` (the likely forecast's lowest balance, in the
    business currency, negative when cash runs out) has no thresholds: the level reads the runway
    and the shortfall probability, whose perfdata carry them. `perf_ranges`: perfdata label ->
    warn/crit fields that replace the thresholds' (check's Nagios ranges from the command line)."""
    t = a.thresholds
    score_wc = (plain_number(t.warn), plain_number(t.crit))
    runway_wc = (f"{plain_number(t.runway_warn_weeks)}:", f"{plain_number(t.runway_crit_weeks)}:")
    shortfall_wc = (plain_number(t.shortfall_warn), plain_number(t.shortfall_crit))
    given = perf_ranges or {}
    perf = " ".join(
        [
            _perf("score", a.score, "", *given.get("score", score_wc), 0, 100),
            _perf("runway_weeks", a.runway_weeks, "", *given.get("runway_weeks", runway_wc), 0),
            _perf("cash_low", a.cash_low),
            _perf(
                "shortfall_probability",
                a.cash_shortfall_probability,
                "",
                *given.get("shortfall_probability", shortfall_wc),
                0,
                1,
            ),
            _perf("expected_loss", a.expected_loss, "", "", "", 0),
            _perf("loss_p50", a.loss_p50, "", "", "", 0),
            _perf("loss_p95", a.loss_p95, "", "", "", 0),
            _perf("top_dependence", a.concentration.top_dependence, "", plain_number(t.concentration_warn), "", 0, 1),
        ]
    )
    first = f"RISKMON {a.level.name} - {nagios_summary(a, action, demo=demo)} | {perf}"
    rest = [clean(line).replace("|", "/") for line in detail_lines]
    return "\n".join([first, *rest])


def prometheus(a: Assessment, **options: Any) -> str:
    """The Prometheus exposition (riskmon.present.prometheus.prometheus; kept here for callers)."""
    from riskmon.present.prometheus import prometheus as exposition

    return exposition(a, **options)
