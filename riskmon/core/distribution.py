"""How the loss and the cash are spread over which events happen: P50, P95, shortfall.

Events are independent; each happens with its probability p. The *uncertain* ones (0 < p < 1,
with some effect) make the outcomes; the rest are fixed (p = 1: always happen; p = 0 or no
effect: never matter). With at most 10 uncertain events every set is enumerated with its exact
probability; beyond that `draws` sets are drawn with a seed derived from the inputs, so the same
inputs give the same figures.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import product

EXACT_MAX_UNCERTAIN = 10
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Outcome:
    probability: float
    loss: float
    short: bool
    """Cash falls below zero in some week of the forecast."""


@dataclass(frozen=True, slots=True)
class Distribution:
    loss_p50: float
    loss_p95: float
    shortfall_probability: float
    method: str
    """"exact" or "monte_carlo"."""


def outcomes(
    n_events: int,
    fixed: Sequence[int],
    uncertain: Sequence[tuple[int, float]],
    evaluate: Callable[[list[bool]], tuple[float, bool]],
    draws: int,
    seed_text: str,
) -> tuple[list[Outcome], str]:
    """Every set of uncertain events with its probability (exact), or `draws` random sets of
    equal weight (Monte Carlo). `evaluate(happens)` gives a set's loss and whether cash runs
    short; `fixed` events always happen."""
    base = [False] * n_events
    for i in fixed:
        base[i] = True
    if len(uncertain) <= EXACT_MAX_UNCERTAIN:
        return _enumerate(base, uncertain, evaluate), "exact"
    return _sample(base, uncertain, evaluate, draws, seed_text), "monte_carlo"


def _enumerate(
    base: list[bool], uncertain: Sequence[tuple[int, float]], evaluate: Callable[[list[bool]], tuple[float, bool]]
) -> list[Outcome]:
    found = []
    for picks in product((False, True), repeat=len(uncertain)):
        happens = list(base)
        probability = 1.0
        for (i, p), pick in zip(uncertain, picks, strict=True):
            happens[i] = pick
            probability *= p if pick else 1.0 - p
        loss, short = evaluate(happens)
        found.append(Outcome(probability, loss, short))
    return found


def _sample(
    base: list[bool],
    uncertain: Sequence[tuple[int, float]],
    evaluate: Callable[[list[bool]], tuple[float, bool]],
    draws: int,
    seed_text: str,
) -> list[Outcome]:
    rng = random.Random(seed_of(seed_text))
    weight = 1.0 / draws
    found = []
    for _ in range(draws):
        happens = list(base)
        for i, p in uncertain:
            happens[i] = rng.random() < p
        loss, short = evaluate(happens)
        found.append(Outcome(weight, loss, short))
    return found


def seed_of(text: str) -> int:
    """A seed from the inputs' text: the same inputs give the same draws in every process."""
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
    short = sum(o.probability for o in found if o.short)
    return Distribution(quantile(found, 0.5), quantile(found, 0.95), min(1.0, short), method)
