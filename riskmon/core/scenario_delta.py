"""What-if, compared: the baseline and scenario assessments side by side (`compare`), as the
`Delta` the what-if command and screen show. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskmon.core.record import field, record
from riskmon.errors import Level

if TYPE_CHECKING:
    from riskmon.core.engine import Assessment


@record
class EventDelta:
    id: str
    title: str
    baseline: float | None
    """Expected loss in the baseline; None when the event does not count there (expired)."""
    scenario: float | None
    baseline_score: float | None
    scenario_score: float | None

    @property
    def change(self) -> float:
        return (self.scenario or 0.0) - (self.baseline or 0.0)


@record
class Delta:
    baseline_level: Level
    scenario_level: Level
    baseline_score: float
    scenario_score: float
    baseline_runway: float | None
    scenario_runway: float | None
    baseline_expected_loss: float
    scenario_expected_loss: float
    events: tuple[EventDelta, ...] = field(default=())
    """Every event that counts on either side, the largest change first."""
    # The forecast and the loss distribution (model 2), after `events` so that positional
    # construction by older callers keeps working.
    baseline_cash_low: float = 0.0
    scenario_cash_low: float = 0.0
    baseline_cash_low_week: int = 0
    scenario_cash_low_week: int = 0
    baseline_shortfall: float = 0.0
    """cash_shortfall_probability on each side."""
    scenario_shortfall: float = 0.0
    baseline_loss_p50: float = 0.0
    scenario_loss_p50: float = 0.0
    baseline_loss_p95: float = 0.0
    scenario_loss_p95: float = 0.0

    @property
    def level_change(self) -> int:
        """+1 per level worse (OK -> WARNING -> CRITICAL), negative when better."""
        return int(self.scenario_level) - int(self.baseline_level)

    @property
    def score(self) -> float:
        return self.scenario_score - self.baseline_score

    @property
    def runway_weeks(self) -> float | None:
        """Change in runway; None when either side does not burn cash (no runway to compare)."""
        if self.baseline_runway is None or self.scenario_runway is None:
            return None
        return self.scenario_runway - self.baseline_runway

    @property
    def expected_loss(self) -> float:
        return self.scenario_expected_loss - self.baseline_expected_loss

    @property
    def cash_low(self) -> float:
        return self.scenario_cash_low - self.baseline_cash_low

    @property
    def cash_shortfall_probability(self) -> float:
        return self.scenario_shortfall - self.baseline_shortfall

    @property
    def loss_p50(self) -> float:
        return self.scenario_loss_p50 - self.baseline_loss_p50

    @property
    def loss_p95(self) -> float:
        return self.scenario_loss_p95 - self.baseline_loss_p95

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": {
                "baseline": self.baseline_level.name,
                "scenario": self.scenario_level.name,
                "change": self.level_change,
            },
            "score": _sides(self.baseline_score, self.scenario_score),
            "runway_weeks": {
                "baseline": self.baseline_runway,
                "scenario": self.scenario_runway,
                "change": self.runway_weeks,
            },
            "expected_loss": _sides(self.baseline_expected_loss, self.scenario_expected_loss),
            "cash_low": _sides(self.baseline_cash_low, self.scenario_cash_low),
            # A week index: which week, on each side; a difference of indexes would mean nothing.
            "cash_low_week": {"baseline": self.baseline_cash_low_week, "scenario": self.scenario_cash_low_week},
            "cash_shortfall_probability": _sides(self.baseline_shortfall, self.scenario_shortfall),
            "loss_p50": _sides(self.baseline_loss_p50, self.scenario_loss_p50),
            "loss_p95": _sides(self.baseline_loss_p95, self.scenario_loss_p95),
            "events": [
                {
                    "id": e.id,
                    "title": e.title,
                    "baseline": e.baseline,
                    "scenario": e.scenario,
                    "change": e.change,
                    "baseline_score": e.baseline_score,
                    "scenario_score": e.scenario_score,
                }
                for e in self.events
            ],
        }


def _sides(baseline: float, scenario: float) -> dict[str, float]:
    return {"baseline": baseline, "scenario": scenario, "change": scenario - baseline}


def compare(baseline: Assessment, scenario: Assessment) -> Delta:
    from riskmon.textsafe import clean

    base = {e.id: e for e in baseline.events}
    scen = {e.id: e for e in scenario.events}
    order = list(base) + [i for i in scen if i not in base]
    rows = []
    for ident in order:
        b, s = base.get(ident), scen.get(ident)
        either = s or b
        title = clean(either.event.title) if either is not None else ident
        rows.append(
            EventDelta(
                ident,
                title,
                b.expected_loss if b else None,
                s.expected_loss if s else None,
                b.score if b else None,
                s.score if s else None,
            )
        )
    rows.sort(key=lambda r: (-abs(r.change), -(r.scenario or 0.0), r.id))
    return Delta(
        baseline_level=baseline.level,
        scenario_level=scenario.level,
        baseline_score=baseline.score,
        scenario_score=scenario.score,
        baseline_runway=baseline.runway_weeks,
        scenario_runway=scenario.runway_weeks,
        baseline_expected_loss=baseline.expected_loss,
        scenario_expected_loss=scenario.expected_loss,
        events=tuple(rows),
        baseline_cash_low=baseline.cash_low,
        scenario_cash_low=scenario.cash_low,
        baseline_cash_low_week=baseline.cash_low_week,
        scenario_cash_low_week=scenario.cash_low_week,
        baseline_shortfall=baseline.cash_shortfall_probability,
        scenario_shortfall=scenario.cash_shortfall_probability,
        baseline_loss_p50=baseline.loss_p50,
        scenario_loss_p50=scenario.loss_p50,
        baseline_loss_p95=baseline.loss_p95,
        scenario_loss_p95=scenario.loss_p95,
    )
