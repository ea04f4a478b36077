"""How the loss and the cash are spread over which events happen: P50, P95, shortfall.

Events are independent; each happens with its probability p. The *uncertain* ones (0 < p < 1,
with some effect) make the outcomes; the rest are fixed (p = 1: always happen; p = 0 or no
effect: never matter). With at most 10 uncertain events every set is enumerated with its exact
probability; beyond that `draws` sets are drawn with a seed derived from the inputs, so the same
inputs give the same figures.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from riskmon.core.record import record

EXACT_MAX_UNCERTAIN = 10
TOLERANCE = 1e-9


@record(slots=True)
class Outcome:
    probability: float
    loss: float
    short: bool
    """Cash falls below zero in some week of the forecast."""


@record(slots=True)
class Distribution:
    loss_p50: float
    loss_p95: float
    shortfall_probability: float
    method: str
    """"exact" or "monte_carlo"."""


def outcomes(
    uncertain: Sequence[float],
    evaluate: Callable[[int], tuple[float, bool]],
    draws: int,
    seed_text: str,
) -> tuple[list[Outcome], str]:
    """Every set of uncertain events with its probability (exact), or `draws` random sets of
    equal weight (Monte Carlo). A set is a mask: bit k set when uncertain event k (probability
    uncertain[k]) happens; `evaluate(mask)` gives its loss and whether cash runs short."""
    if len(uncertain) <= EXACT_MAX_UNCERTAIN:
        return enumerate_sets(uncertain, evaluate), "exact"
    return _sample(uncertain, evaluate, draws, seed_text), "monte_carlo"


def enumerate_sets(uncertain: Sequence[float], evaluate: Callable[[int], tuple[float, bool]]) -> list[Outcome]:
    probability = [1.0] * (1 << len(uncertain))
    for m in range(len(probability)):
        for k, p in enumerate(uncertain):
            probability[m] *= p if m >> k & 1 else 1.0 - p
    found = []
    for m, weight in enumerate(probability):
        loss, short = evaluate(m)
        found.append(Outcome(weight, loss, short))
    return found


def _sample(
    uncertain: Sequence[float], evaluate: Callable[[int], tuple[float, bool]], draws: int, seed_text: str
) -> list[Outcome]:
    import random  # only beyond the exact limit: a check on a small profile never needs it (~2 ms)

    rng = random.Random(seed_of(seed_text))
    weight = 1.0 / draws
    found = []
    for _ in range(draws):
        mask = 0
        for k, p in enumerate(uncertain):
            if rng.random() < p:
                mask |= 1 << k
        loss, short = evaluate(mask)
        found.append(Outcome(weight, loss, short))
    return found


def equal_weights(losses: Sequence[float], short: Sequence[bool]) -> list[Outcome]:
    """Monte Carlo draws as outcomes of weight 1/draws each."""
    weight = 1.0 / len(losses)
    return [Outcome(weight, loss, bool(s)) for loss, s in zip(losses, short, strict=True)]


def seed_of(text: str) -> int:
    """A seed from the inputs' text: the same inputs give the same draws in every process."""
    # Imported here: hashlib loads OpenSSL (about 4 ms of `check`'s start), and only a profile
    # large enough for the Monte Carlo needs a seed.
    import hashlib

    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def quantile(found: Sequence[Outcome], q: float) -> float:
    """The smallest loss x with P(L <= x) >= q (probabilities compared with a tolerance)."""
    cumulative = 0.0
    ordered = sorted(found, key=lambda o: o.loss)
    for o in ordered:
        cumulative += o.probability
        if cumulative >= q - TOLERANCE:
            return o.loss
    return ordered[-1].loss if ordered else 0.0


def summarise(found: Sequence[Outcome], method: str) -> Distribution:
    short = math.fsum(o.probability for o in found if o.short)
    return Distribution(quantile(found, 0.5), quantile(found, 0.95), min(1.0, short), method)
