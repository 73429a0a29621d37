"""Duration distributions a scenario can name, each sampled by its inverse CDF.

Every distribution is drawn from a uniform number ``u`` in [0, 1) through
``days(u)``. Sampling by inverse CDF lets a case carry its own pre-drawn uniform
numbers, so a case's fate does not depend on the order in which events happen to
draw random numbers (common random numbers across scenarios).

The unit of the days (calendar or working) is named by the scenario field that
holds the distribution, for example ``assessment_working_days`` or ``cp_plan_days``.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Annotated, Literal, Union

import numpy as np
from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from .base import Frozen
from .sampling import ExponentialDays, FixedDays, LogNormalDays, QuantileDays, Sampler, UniformDays


def _each(function, values: np.ndarray) -> np.ndarray:
    """``function`` from ``math`` (the C library's, as for one number) of each of ``values``.

    numpy's own ``exp`` and ``log`` for arrays have code of their own for AVX-512 processors, whose last
    digit differs now and then from the C library's, so a run would not give the same results on every
    machine (nor on every worker of a Dask cluster); these do.
    """
    return np.fromiter(map(function, values.tolist()), dtype=np.float64, count=len(values))


class _Distribution(Frozen):
    @cached_property
    def sampler(self) -> Sampler:
        """The inverse CDF, to draw from (``sampling.py``)."""
        raise NotImplementedError

    def days_at(self, u: float) -> float:
        return self.sampler.days_at(u)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        """``days_at`` for an array of uniform numbers."""
        return np.array([self.days_at(float(x)) for x in u])


class Fixed(_Distribution):
    """Always the same duration (for deterministic checks)."""

    kind: Literal["fixed"]
    days: NonNegativeFloat

    @cached_property
    def sampler(self) -> Sampler:
        return FixedDays(self.days)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        return np.full(len(u), float(self.days))

    @property
    def mean_days(self) -> float:
        return self.days


class Exponential(_Distribution):
    """Memoryless duration with the given mean (for queueing-theory checks)."""

    kind: Literal["exponential"]
    mean_days: PositiveFloat

    @cached_property
    def sampler(self) -> Sampler:
        return ExponentialDays(self.mean_days)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        return -self.mean_days * _each(math.log1p, -np.asarray(u, dtype=float))


class LogNormal(_Distribution):
    """Right-skewed duration given by its mean and coefficient of variation."""

    kind: Literal["lognormal"]
    mean_days: PositiveFloat
    cv: PositiveFloat = Field(description="standard deviation / mean")

    @cached_property
    def _mu_sigma(self) -> tuple[float, float]:
        sigma = math.sqrt(math.log1p(self.cv**2))
        return math.log(self.mean_days) - sigma**2 / 2, sigma

    @cached_property
    def sampler(self) -> Sampler:
        return LogNormalDays(*self._mu_sigma)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        from scipy.special import ndtri  # the inverse normal CDF for many numbers at once

        mu, sigma = self._mu_sigma
        return _each(math.exp, mu + sigma * ndtri(np.clip(np.asarray(u, dtype=float), 1e-12, 1 - 1e-12)))


class Uniform(_Distribution):
    """Any duration between two bounds equally likely."""

    kind: Literal["uniform"]
    low_days: NonNegativeFloat
    high_days: NonNegativeFloat

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.high_days < self.low_days:
            raise ValueError("high_days must be at least low_days")
        return self

    @cached_property
    def sampler(self) -> Sampler:
        return UniformDays(self.low_days, self.high_days)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        return self.low_days + np.asarray(u) * (self.high_days - self.low_days)

    @property
    def mean_days(self) -> float:
        return (self.low_days + self.high_days) / 2


class Quantiles(_Distribution):
    """An empirical distribution: points (cumulative probability, days), linear between.

    The first point's probability must be 0 and the last 1, so published quartiles
    or banded shares (for example CP plan lengths) can be entered directly.
    """

    kind: Literal["quantiles"]
    points: list[tuple[float, NonNegativeFloat]] = Field(min_length=2)

    @model_validator(mode="after")
    def _valid_points(self) -> "Quantiles":
        probs = [p for p, _ in self.points]
        days = [d for _, d in self.points]
        if probs[0] != 0 or probs[-1] != 1:
            raise ValueError("the first point's probability must be 0 and the last 1")
        if any(b <= a for a, b in zip(probs, probs[1:])):
            raise ValueError("cumulative probabilities must increase strictly")
        if any(b < a for a, b in zip(days, days[1:])):
            raise ValueError("days must not decrease as probability increases")
        return self

    @cached_property
    def _axes(self) -> tuple[list[float], list[float]]:
        return [p for p, _ in self.points], [d for _, d in self.points]

    @cached_property
    def sampler(self) -> Sampler:
        """Linear between the points, as ``numpy.interp`` does (without its cost for one number)."""
        return QuantileDays(*self._axes)

    def days_at_many(self, u: np.ndarray) -> np.ndarray:
        probs, days = self._axes
        return np.interp(u, probs, days)

    @property
    def mean_days(self) -> float:
        """Exact mean of the piecewise-linear quantile function."""
        return sum((p1 - p0) * (d0 + d1) / 2 for (p0, d0), (p1, d1) in zip(self.points, self.points[1:]))


Duration = Annotated[Union[Fixed, Exponential, LogNormal, Uniform, Quantiles], Field(discriminator="kind")]
"""Any of the duration distributions, chosen in a scenario file by ``kind``."""
