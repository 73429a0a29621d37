"""Reading scenario files (YAML) into validated ``Scenario`` objects.

A file may start from another with ``extends: other.yaml`` (a path relative to the
file, or the name of a built-in scenario), or from several with a list (the first
read in full, each later one adding only what its own file sets), and override only
what it names: mappings merge key by key; numbers, lists,
distributions and sibling group tables are replaced whole; interventions add up.

Every problem becomes a ``ScenarioError`` naming the file, the dotted field path and
what is allowed, so a planner can fix a file without reading Python.
"""

from __future__ import annotations

import difflib
import types
import typing
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import UserError
from .base import TEXT_FOR_NUMBER, field_path
from .schema import Scenario

BUILTIN_PACKAGE = "capacity_model.scenario.builtin"


class ScenarioError(UserError, ValueError):
    """A scenario file that cannot be used, with a message fit for the person who wrote it."""


def builtin_scenarios() -> list[str]:
    """Names of the scenarios that ship inside the package."""
    folder = resources.files(BUILTIN_PACKAGE)
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def _builtin_path(name: str) -> Path | None:
    candidate = resources.files(BUILTIN_PACKAGE) / f"{name.removesuffix('.yaml')}.yaml"
    return Path(str(candidate)) if candidate.is_file() else None


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A path to an existing file, or to the built-in scenario of that name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    builtin = _builtin_path(str(name_or_path)) if path.parent == Path(".") else None
    if builtin is not None:
        return builtin
    raise ScenarioError(
        f"{name_or_path}: no such scenario file, and not a built-in scenario "
        f"(built-in scenarios are: {', '.join(builtin_scenarios())})"
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read, merge (``extends``) and validate one scenario file or built-in name."""
    path = resolve_scenario_path(name_or_path)
    data = _read_merged(path, chain=())
    data.setdefault("name", path.stem)
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(describe_validation_error(path, error)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path}: not UTF-8 text (byte 0x{error.object[error.start]:02x} at position "
                            f"{error.start}); save the file as UTF-8") from None
    except OSError as error:
        raise ScenarioError(f"{path}: cannot read the file ({error.strerror or error})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error)
        context, opened = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and opened:
            problem += f" ({context} that starts at line {opened.line + 1}, column {opened.column + 1})"
        raise ScenarioError(f"{path}: not valid YAML{at}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario file must be a mapping of fields (key: value), not {type(data).__name__}")
    return data


def _read_merged(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ScenarioError(f"{path}: extends: scenarios extend each other in a loop ({cycle})")
    data = _read_yaml(path)
    parents = data.pop("extends", None)
    if parents is None:
        return data
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not parents or not all(isinstance(p, str) for p in parents):
        raise ScenarioError(
            f"{path}: extends: must be a file name, a built-in scenario name or a list of them, got {parents!r}"
        )
    # The first parent is read in full; each later one adds only what its own file sets,
    # so that files extending the same base (the plan's actions) combine their changes.
    base = _read_merged(_parent_path(path, parents[0]), (*chain, resolved))
    for parent in parents[1:]:
        own = _read_yaml(_parent_path(path, parent))
        own.pop("extends", None)
        base = merge_scenario_data(base, own)
    base.pop("name", None)  # a scenario's name is its own, never inherited
    base.pop("description", None)
    return merge_scenario_data(base, data)


def _parent_path(path: Path, parent: str) -> Path:
    parent_path = path.parent / parent
    if parent_path.is_file():
        return parent_path
    builtin = _builtin_path(parent) if "/" not in parent else None
    if builtin is None:
        raise ScenarioError(
            f"{path}: extends: '{parent}' is neither a file next to this one nor a built-in scenario "
            f"(built-in scenarios are: {', '.join(builtin_scenarios())})"
        )
    return builtin


def merge_scenario_data(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, as ``extends`` does.

    Mappings merge key by key, except those that only make sense whole: a
    distribution (it has a ``kind``) and a table keyed by numbers (sibling group
    sizes), which the override replaces entirely. Interventions add up: the
    override's are appended to the base's (each once), so a file extending several
    action files carries all their interventions.
    """
    merged = dict(base)
    for key, value in override.items():
        if key == "interventions" and isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *(item for item in value if item not in merged[key])]
        elif isinstance(value, dict) and isinstance(merged.get(key), dict) and not _whole(value):
            merged[key] = merge_scenario_data(merged[key], value)
        else:
            merged[key] = value
    return merged


def _whole(mapping: dict[Any, Any]) -> bool:
    return "kind" in mapping or any(not isinstance(key, str) for key in mapping)


# --- turning pydantic's errors into sentences --------------------------------------


def describe_validation_error(where: Path | str, error: ValidationError) -> str:
    """One line per problem, each naming the file (or ``where`` else the scenario came from) and the field."""
    return "\n".join(f"{where}: {_describe_one(item)}" for item in error.errors(include_url=False))


def _describe_one(item: dict[str, Any]) -> str:
    loc = item["loc"]
    shown, model = _walk(Scenario, loc)
    kind = item["type"]
    if kind == TEXT_FOR_NUMBER:
        return (f"{field_path([*shown, item['ctx']['field']])}: needs a number, not the text "
                f"{item['ctx']['text']}; {number_hint(item['ctx']['text'])}.")
    if not shown:  # a check across fields: its message starts with the field it concerns
        return item["msg"].removeprefix("Value error, ") + "."
    dotted = field_path(shown)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = sorted(model.model_fields) if model is not None else []
        guess = difflib.get_close_matches(name, allowed, n=1)
        hint = f" Did you mean '{guess[0]}'?" if guess else ""
        return f"{dotted}: unknown field.{hint} Allowed here: {', '.join(allowed)}."
    if kind == "missing":
        return f"{dotted}: required field is missing."
    message = item["msg"].removeprefix("Value error, ")
    if kind.startswith(("greater", "less", "int_", "float_", "literal", "bool", "date", "string", "enum")):
        return f"{dotted}: {message} (got {item.get('input')!r})."
    return f"{dotted}: {message}."


def number_hint(text: str) -> str:
    """How to write the number a piece of text seems to mean (YAML reads 1.0e9, with no sign, as text)."""
    try:
        number = float(text.strip("'\""))
    except ValueError:
        return "write a number without quotes"
    return f"write it as a plain number without quotes, such as {number:.15g}"


def _walk(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[list[Any], type[BaseModel] | None]:
    """Follow a pydantic error location through the schema.

    Returns the location as a user writes it (without the tags pydantic adds for a
    distribution's ``kind``) and the model that holds the last part, so an unknown
    field can be listed against the fields that are allowed there.
    """
    shown: list[Any] = []
    annotation: Any = model
    holder: type[BaseModel] | None = None
    for part in loc:
        annotation = _strip_optional(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            holder = annotation
            field = annotation.model_fields.get(str(part))
            shown.append(part)
            annotation = field.annotation if field is not None else None
            continue
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is dict:
            shown.append(part)
            annotation = args[1]
        elif origin in (list, tuple):
            shown.append(part)
            annotation = args[0] if args else None
        elif origin is typing.Union or origin is types.UnionType:
            tagged = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)
                      and typing.get_args(a.model_fields.get("kind").annotation if "kind" in a.model_fields else None) == (part,)]
            if tagged:  # pydantic's tag for the chosen distribution: not part of the user's path
                annotation = tagged[0]
            else:
                shown.append(part)
                annotation = None
        else:
            shown.append(part)
            annotation = None
    final = _strip_optional(annotation)
    if isinstance(final, type) and issubclass(final, BaseModel):
        holder = final
    return shown, holder


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    return annotation
