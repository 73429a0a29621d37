"""Building blocks of scenario data: immutable models that refuse unknown fields, shares, units."""

from __future__ import annotations

import math
from functools import cached_property
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .sampling import Chooser

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Pounds = Annotated[float, Field(ge=0.0)]
SUM_TOLERANCE = 1e-6
TEXT_FOR_NUMBER = "text_for_number"
"""The error raised where a scenario gives text for a number."""


def plain_name(text: str) -> bool:
    """Whether a name is plain text on one line: not empty, no line break or other control character, and no
    spaces at either end."""
    return bool(text) and text.isprintable() and text.strip() == text


def field_path(parts: typing.Iterable[Any]) -> str:
    """A field's place as a user writes it, its parts joined by dots; a name that is not plain (``plain_name``)
    is shown in quotes as Python writes it, so that a message stays on one line and shows what the file holds."""
    return ".".join(repr(part) if isinstance(part, str) and not plain_name(part) else str(part) for part in parts)


class Frozen(BaseModel):
    """Base for validated, immutable scenario data that refuses unknown fields, and text where a
    number belongs (pydantic would read ``"+20"`` as 20 without a word)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _numbers_are_not_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name) if isinstance(name, str) else None
                if field is not None and (text := text_for_number(field.annotation, value)) is not None:
                    raise PydanticCustomError(TEXT_FOR_NUMBER, "{field} needs a number, not the text {text}",
                                              {"field": name, "text": repr(text)})
        return data


def text_for_number(annotation: Any, value: Any) -> str | None:
    """The first piece of text in ``value`` where ``annotation`` expects a number, if any."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (int, float, bool):
        return value if isinstance(value, str) else None
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            if arg is not type(None) and (found := text_for_number(arg, value)) is not None:
                return found
        return None
    if origin in (list, tuple) and isinstance(value, (list, tuple)) and args:
        items = args if origin is tuple and len(args) == len(value) else [args[0]] * len(value)
        return next((found for arg, item in zip(items, value) if (found := text_for_number(arg, item))), None)
    if origin is dict and isinstance(value, dict):
        return next((found for item in value.values() if (found := text_for_number(args[1], item))), None)
    return None


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

    @cached_property
    def chooser(self) -> Chooser:
        """The inverse CDF over the fields' order: running totals of the shares, and the last outcome with a share."""
        totals, total = [], 0.0
        for share in self.as_dict().values():
            total += share
            totals.append(total)
        last = next(outcome for outcome, share in reversed(self.as_dict().items()) if share > 0)
        return Chooser(totals, list(self.as_dict()), last)

    def choose(self, u: float) -> str:
        """The outcome a uniform number ``u`` in [0, 1) picks (inverse CDF over the fields' order)."""
        return self.chooser.choose(u)
