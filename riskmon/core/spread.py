"""The spread of the loss and of the cash: P50, P95 and the probability cash runs short, over the
sets of events that may happen — enumerated exactly, from remembered tables, or by Monte Carlo
draws when too many uncertain events reach one channel or week.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskmon.core import distribution as dist
from riskmon.core.outcomes import SetEvaluator, compile_sets

if TYPE_CHECKING:
    from riskmon.core.engine import _Assessor
    from riskmon.core.forecast import CashBook

# Beyond this many uncertain events reaching one channel or week, remembered tables rarely hit
# and the Monte Carlo draws are evaluated all at once with numpy instead.
REMEMBERED_BITS_MAX = 16


def _distribution(run: _Assessor, book: CashBook, draws: int) -> dist.Distribution:
    """P50, P95 and the shortfall probability over the sets of events that may happen."""
    events = run.assessed
    fixed = [i for i, e in enumerate(events) if e.probability >= 1.0]
    uncertain = [i for i, e in enumerate(events) if 0.0 < e.probability < 1.0 and run.effects[i]]
    probabilities = [events[i].probability for i in uncertain]
    if len(uncertain) > dist.EXACT_MAX_UNCERTAIN and _widest(run, set(uncertain)) > REMEMBERED_BITS_MAX:
        from riskmon.core.sampling import sample

        losses, short = sample(run.books, book, fixed, uncertain, probabilities, draws, dist.seed_of(run.seed_text()))
        return dist.summarise(dist.equal_weights(losses, short), "monte_carlo")
    evaluate = SetEvaluator(compile_sets(run.books, book, fixed, uncertain))
    found, method = dist.outcomes(probabilities, evaluate, draws, run.seed_text())
    return dist.summarise(found, method)


def _widest(run: _Assessor, uncertain: set[int]) -> int:
    """The most uncertain events reaching one channel, or active in one week of the forecast: how
    many bits a remembered table would be indexed by (an upper bound, counted without building
    the tables)."""
    per_channel = max((sum(pr.event in uncertain for pr in book.pairs) for book in run.books), default=0)
    per_week: dict[int, set[int]] = {}
    for ch in run.cash:
        for pr in ch.pairs:
            if pr.event in uncertain:
                for k in (*pr.weeks, *pr.fee_weeks):
                    per_week.setdefault(k, set()).add(pr.event)
    return max(per_channel, max((len(v) for v in per_week.values()), default=0))
