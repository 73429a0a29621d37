"""Inverse CDFs: a duration in days, or an outcome, from a uniform number ``u`` in [0, 1).

The scenario's distributions (``distributions.py``) and shares (``base.Shares``) are validated data;
each hands out one of these to draw from (``sampler``, ``chooser``), the same arithmetic for one
draw whoever makes it. They are plain classes that the engine's compiled code calls directly, a draw
at a time, many thousands of times a replication.
"""

from __future__ import annotations

import bisect
import math
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


class Sampler:
    """Days from a uniform number, by a distribution's inverse CDF. (Each pickles as its class and arguments:
    a scenario that has drawn carries its samplers, and compiled classes do not pickle by themselves.)"""

    def days_at(self, u: float) -> float:
        raise NotImplementedError


class FixedDays(Sampler):
    def __init__(self, days: float) -> None:
        self.days = days

    def __reduce__(self) -> tuple[type, tuple[float]]:
        return FixedDays, (self.days,)

    def days_at(self, u: float) -> float:
        return self.days


class ExponentialDays(Sampler):
    def __init__(self, mean_days: float) -> None:
        self.mean_days = mean_days

    def __reduce__(self) -> tuple[type, tuple[float]]:
        return ExponentialDays, (self.mean_days,)

    def days_at(self, u: float) -> float:
        return -self.mean_days * math.log1p(-u)


class LogNormalDays(Sampler):
    def __init__(self, mu: float, sigma: float) -> None:
        self.mu = mu
        self.sigma = sigma

    def __reduce__(self) -> tuple[type, tuple[float, float]]:
        return LogNormalDays, (self.mu, self.sigma)

    def days_at(self, u: float) -> float:
        return math.exp(self.mu + self.sigma * _STANDARD_NORMAL.inv_cdf(min(max(u, 1e-12), 1 - 1e-12)))


class UniformDays(Sampler):
    def __init__(self, low_days: float, high_days: float) -> None:
        self.low_days = low_days
        self.high_days = high_days

    def __reduce__(self) -> tuple[type, tuple[float, float]]:
        return UniformDays, (self.low_days, self.high_days)

    def days_at(self, u: float) -> float:
        return self.low_days + u * (self.high_days - self.low_days)


class QuantileDays(Sampler):
    """Linear between points (cumulative probability, days), as ``numpy.interp`` does."""

    def __init__(self, probs: list[float], days: list[float]) -> None:
        self.probs = probs
        self.days = days

    def __reduce__(self) -> tuple[type, tuple[list[float], list[float]]]:
        return QuantileDays, (self.probs, self.days)

    def days_at(self, u: float) -> float:
        probs, days = self.probs, self.days
        j = bisect.bisect_right(probs, u) - 1
        if j < 0:
            return days[0]
        if j >= len(probs) - 1:
            return days[-1]
        if u == probs[j]:
            return days[j]
        return (days[j + 1] - days[j]) / (probs[j + 1] - probs[j]) * (u - probs[j]) + days[j]


class Chooser:
    """The outcome a uniform number picks: the first whose running total of shares exceeds it, else ``last``
    (the last outcome with a share). Pickles as its class and arguments, as samplers do."""

    def __init__(self, totals: list[float], outcomes: list[str], last: str) -> None:
        self.totals = totals
        self.outcomes = outcomes
        self.last = last

    def __reduce__(self) -> tuple[type, tuple[list[float], list[str], str]]:
        return Chooser, (self.totals, self.outcomes, self.last)

    def choose(self, u: float) -> str:
        for total, outcome in zip(self.totals, self.outcomes):
            if u < total:
                return outcome
        return self.last


class Steps:
    """A step function: ``values[i]`` from ``starts[i]`` on (``starts`` rising from 0), as by years of service.
    Pickles as its class and arguments, as samplers do."""

    def __init__(self, starts: list[float], values: list[float]) -> None:
        self.starts = starts
        self.values = values

    def __reduce__(self) -> tuple[type, tuple[list[float], list[float]]]:
        return Steps, (self.starts, self.values)

    def at(self, x: float) -> float:
        return self.values[max(bisect.bisect_right(self.starts, x) - 1, 0)]
