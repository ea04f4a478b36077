"""The business: every event together — the union in closed form, the three forecast scenarios
and the spread of the loss and the cash — by the readable per-channel path, or by numpy arrays
for a large profile.

A profile is *large* when it has more than `EXACT_MAX_UNCERTAIN` uncertain events and at least
`ARRAYS_MIN_PAIRS` (event, channel) pairs; only then is numpy imported, so `check` on a seller's
profile never loads it. Both paths give the same figures (tests/test_engine_arrays.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from riskmon.core import distribution as dist
from riskmon.core.forecast import CashBook, ChannelCash, balances
from riskmon.core.hints import TYPE_CHECKING
from riskmon.core.pairs import PairTable
from riskmon.core.record import record
from riskmon.core.results import EventAssessment
from riskmon.core.spread import plain_distribution
from riskmon.core.terms import Facts
from riskmon.core.union import ChannelBook, channel_losses, total_loss

if TYPE_CHECKING:
    from typing import Protocol

    from riskmon.core.arrays import PairArrays

ARRAYS_MIN_PAIRS = 2000
"""Below this many pairs the per-channel path takes a few milliseconds: numpy's import would cost
more than it saves."""

EVENTS_ARRAYS_MIN_CELLS = 20_000
"""From this many (event, channel) combinations on (and more than `EXACT_MAX_UNCERTAIN` events),
reach and each event's terms are worked out for all events at once (core/events_arrays.py)."""


if TYPE_CHECKING:  # annotations only (riskmon.core.hints)

    class Run(Protocol):
        """What the engine's assessor hands over once every event is assessed."""

        assessed: list[EventAssessment]
        effects: list[bool]
        table: PairTable
        facts: list[Facts]

        def books(self) -> tuple[list[ChannelBook], list[ChannelCash]]: ...

        def channel_cash(self) -> list[ChannelCash]: ...

        def cash_book(self, cash: Sequence[ChannelCash]) -> CashBook: ...

        def seed_text(self) -> str: ...

        def draws(self) -> int: ...


@record(slots=True)
class Together:
    expected_by_channel: list[float]
    """E[L_c(S)] per channel: the closed form with the probabilities."""
    weighted: float
    """U: the same closed form with probability x urgency (the score's money)."""
    book: CashBook
    baseline: list[float]
    likely: list[float]
    stress: list[float]
    spread: dist.Distribution


def together(run: Run) -> Together:
    events = run.assessed
    p = [e.probability for e in events]
    q = [e.probability * e.urgency for e in events]
    scenarios = [[False] * len(events), [x >= 0.5 for x in p], [x > 0.0 for x in p]]
    fixed = [i for i, x in enumerate(p) if x >= 1.0]
    uncertain = [i for i, x in enumerate(p) if 0.0 < x < 1.0 and run.effects[i]]
    if len(uncertain) > dist.EXACT_MAX_UNCERTAIN and len(run.table) >= ARRAYS_MIN_PAIRS:
        return _by_arrays(run, p, q, scenarios, fixed, uncertain)
    books, cash = run.books()
    book = run.cash_book(cash)
    by_channel = [loss.total for loss in channel_losses(books, p)]
    forecast = [balances(book, happens) for happens in scenarios]
    spread = plain_distribution(books, book, events, fixed, uncertain, run.draws(), run.seed_text, _sampler(run))
    baseline, likely, stress = forecast
    return Together(by_channel, total_loss(books, q), book, baseline, likely, stress, spread)


def _by_arrays(
    run: Run, p: list[float], q: list[float], scenarios: list[list[bool]], fixed: list[int], uncertain: list[int]
) -> Together:
    from riskmon.core.arrays import scenario_balances
    from riskmon.core.sampling import sample

    arrays = _arrays(run)
    book = run.cash_book(run.channel_cash())
    forecast = scenario_balances(book, run.table, scenarios)
    by_channel = [float(x) for x in arrays.channel_losses(p)]
    probabilities = [p[i] for i in uncertain]
    losses, short = sample(
        arrays, run.table, book, fixed, uncertain, probabilities, run.draws(), dist.seed_of(run.seed_text())
    )
    spread = dist.summarise(dist.equal_weights(losses.tolist(), short.tolist()), "monte_carlo")
    baseline, likely, stress = forecast
    weighted = float(arrays.channel_losses(q).sum())
    return Together(by_channel, weighted, book, baseline, likely, stress, spread)


def _arrays(run: Run) -> PairArrays:
    from riskmon.core.arrays import PairArrays

    x = run.facts
    contribution = [f.revenue * (1.0 - f.recapture) * f.margin / 30.0 for f in x]
    return PairArrays(run.table, contribution, [f.revenue / 30.0 for f in x], [f.recapture for f in x])


def _sampler(run: Run) -> Callable[..., tuple[list[float], list[bool]]]:
    """The numpy Monte Carlo for a profile with few pairs but too many uncertain events reaching
    one channel or week for remembered tables (spread.py decides)."""

    def sampled(
        book: CashBook, fixed: list[int], uncertain: list[int], probabilities: list[float], seed: int
    ) -> tuple[list[float], list[bool]]:
        from riskmon.core.sampling import sample

        losses, short = sample(_arrays(run), run.table, book, fixed, uncertain, probabilities, run.draws(), seed)
        return losses.tolist(), short.tolist()

    return sampled
