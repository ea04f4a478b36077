"""The spread of the loss and of the cash: P50, P95 and the probability cash runs short, over the
sets of events that may happen — enumerated exactly, from remembered tables, or by Monte Carlo
draws when too many uncertain events reach one channel or week.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from riskmon.core import distribution as dist
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.outcomes import SetEvaluator, compile_sets

if TYPE_CHECKING:
    from riskmon.core.forecast import CashBook
    from riskmon.core.results import EventAssessment
    from riskmon.core.union import ChannelBook

    Sampler = Callable[[CashBook, list[int], list[int], list[float], int], tuple[list[float], list[bool]]]

# Beyond this many uncertain events reaching one channel or week, remembered tables rarely hit
# and the Monte Carlo draws are evaluated all at once with numpy instead.
REMEMBERED_BITS_MAX = 16


def plain_distribution(
    books: Sequence[ChannelBook],
    book: CashBook,
    events: Sequence[EventAssessment],
    fixed: list[int],
    uncertain: list[int],
    draws: int,
    seed_text: Callable[[], str],
    sampler: Sampler,
) -> dist.Distribution:
    """P50, P95 and the shortfall probability over the sets of events that may happen."""
    probabilities = [events[i].probability for i in uncertain]
    if len(uncertain) > dist.EXACT_MAX_UNCERTAIN and _widest(books, book, set(uncertain)) > REMEMBERED_BITS_MAX:
        losses, short = sampler(book, fixed, uncertain, probabilities, dist.seed_of(seed_text()))
        return dist.summarise(dist.equal_weights(losses, short), "monte_carlo")
    evaluate = SetEvaluator(compile_sets(books, book, fixed, uncertain))
    found, method = dist.outcomes(probabilities, evaluate, draws, seed_text())
    return dist.summarise(found, method)


def _widest(books: Sequence[ChannelBook], book: CashBook, uncertain: set[int]) -> int:
    """The most uncertain events reaching one channel, or active in one week of the forecast: how
    many bits a remembered table would be indexed by (an upper bound, counted without building
    the tables)."""
    per_channel = max((sum(pr.event in uncertain for pr in b.pairs) for b in books), default=0)
    per_week: dict[int, set[int]] = {}
    for ch in book.channels:
        for pr in ch.pairs:
            if pr.event in uncertain:
                for k in (*pr.weeks, *pr.fee_weeks):
                    per_week.setdefault(k, set()).add(pr.event)
    return max(per_channel, max((len(v) for v in per_week.values()), default=0))
