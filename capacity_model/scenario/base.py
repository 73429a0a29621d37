"""Building blocks of scenario data: immutable models that refuse unknown fields, shares, units."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Pounds = Annotated[float, Field(ge=0.0)]
SUM_TOLERANCE = 1e-6


class Frozen(BaseModel):
    """Base for validated, immutable scenario data that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Shares(Frozen):
    """Probabilities of mutually exclusive outcomes: each in [0, 1], summing to 1."""

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(getattr(self, name) for name in type(self).model_fields)
        if not math.isclose(total, 1.0, abs_tol=SUM_TOLERANCE):
            raise ValueError(f"probabilities must sum to 1 (these sum to {total:.6g})")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def choose(self, u: float) -> str:
        """The outcome a uniform number ``u`` in [0, 1) picks (inverse CDF over the fields' order)."""
        total = 0.0
        for outcome, share in self.as_dict().items():
            total += share
            if u < total:
                return outcome
        return next(outcome for outcome, share in reversed(self.as_dict().items()) if share > 0)
