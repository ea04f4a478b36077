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

REMEMBERED_BITS_MAX = 16
"""Beyond this many uncertain events reaching one channel or week, remembered tables rarely hit
and the Monte Carlo draws are evaluated all at once with numpy instead."""
REMEMBERED_WORK_MAX = 50_000
"""Nor when the draws would need more than this many channel terms worked out (one channel's loss
for one distinct set of the bits that reach it, or one channel's flow in one week for the bits
active then): ~2 us each in Python, so ~0.1 s at most. A week that 14 uncertain events reach,
through 90 channels, has ~1,900 distinct sets of bits in 2,000 draws: 2.7 s by tables for a
200-channel, 100-event profile, against ~0.1 s by numpy."""


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
    if len(uncertain) > dist.EXACT_MAX_UNCERTAIN and not _remembered_pays(books, book, set(uncertain), draws):
        losses, short = sampler(book, fixed, uncertain, probabilities, dist.seed_of(seed_text()))
        return dist.summarise(dist.equal_weights(losses, short), "monte_carlo")
    evaluate = SetEvaluator(compile_sets(books, book, fixed, uncertain))
    found, method = dist.outcomes(probabilities, evaluate, draws, seed_text())
    return dist.summarise(found, method)


def _remembered_pays(books: Sequence[ChannelBook], book: CashBook, uncertain: set[int], draws: int) -> bool:
    """Whether remembered tables can evaluate `draws` sets quickly: no channel or week is reached
    by more than REMEMBERED_BITS_MAX uncertain events, and the distinct sets of bits the draws can
    meet need at most REMEMBERED_WORK_MAX channel terms (an upper bound, counted without building
    the tables). A channel's loss is worked out for each distinct set of its own bits; a week's
    flow for each distinct set of the week's bits (its channels' and its one-off moves'), summing
    every channel an uncertain event reaches (SetEvaluator._flow) and the week's one-offs."""
    widest, work = 0, 0
    for b in books:
        bits = len({pr.event for pr in b.pairs if pr.event in uncertain})
        widest = max(widest, bits)
        work += min(draws, 1 << bits) * len(b.pairs) if bits else 0
    per_week: dict[int, set[int]] = {}
    reached = 0
    for ch in book.channels:
        hit = [pr for pr in ch.pairs if pr.event in uncertain]
        reached += bool(hit)
        for pr in hit:
            for k in (*pr.weeks, *pr.fee_weeks):
                per_week.setdefault(k, set()).add(pr.event)
    moves: dict[int, int] = {}
    for one in book.one_offs:
        if one.event in uncertain:
            per_week.setdefault(one.week, set()).add(one.event)
            moves[one.week] = moves.get(one.week, 0) + 1
    for k, events in per_week.items():
        widest = max(widest, len(events))
        work += min(draws, 1 << len(events)) * (reached + moves.get(k, 0))
    return widest <= REMEMBERED_BITS_MAX and work <= REMEMBERED_WORK_MAX
