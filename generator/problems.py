"""A problem in a catalog file, with its line and a hint that says how to fix it; pydantic's validation errors
turned into such problems (the card's and the record's schema decide the hints)."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .measurement import Measurement
from .schema import ModelCard
from .yamlfile import LineMap, Loc


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    field: str
    message: str
    hint: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:"
        field = f" {self.field}:" if self.field else ""
        return f"{where}{field} {self.message} (hint: {self.hint})"


def dotted(loc: Iterable[Any]) -> str:
    return ".".join(str(step) for step in loc)


# --- Pydantic errors into problems with hints ------------------------------------

_PATTERN_HINTS = {
    "slug": "lower-case letters and digits joined by '-', e.g. `mobilenet-ssd-v2`",
    "variant": "`arch.tag`: lower-case architecture, a dot, then which weights, e.g. `yolov12n.turbo`",
    "sha": "64 lower-case hex digits of the file's SHA-256, or null when not yet verified (never typed from memory)",
    "arxiv": "the arXiv id like 2502.12524, without `arXiv:` or a version",
    "run": "`<UTC start>-<machine name>`, e.g. `20260301T101500Z-ci-runner`; the run's folder has the same name",
}
# Where each kind of file is described, for hints that send the reader to its schema or guide.
_SCHEMA_FILES: dict[type[BaseModel], str] = {
    ModelCard: "catalog/schema/model-card.schema.json",
    Measurement: "catalog/schema/measurement.schema.json",
}
_GUIDES: dict[type[BaseModel], str] = {
    ModelCard: "see the contributor guide (Adding a model)",
    Measurement: "see the Methodology page (Records)",
}


def hint_for(error: ErrorDetails, model: type[BaseModel] = ModelCard) -> str:
    kind = error["type"]
    if kind == "catalog_rule":
        return error["ctx"]["hint"]
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), sorted(_field_names(model)), n=1, cutoff=0.6)
        return f"did you mean {close[0]!r}?" if close else f"remove it; allowed keys are in {_SCHEMA_FILES[model]}"
    if kind == "missing":
        return f"add `{error['loc'][-1]}:`" if model is ModelCard else f'add "{error["loc"][-1]}"'
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        key = (
            "variant"
            if r"\." in pattern
            else "run"
            if "T[0-9]{6}Z" in pattern
            else "sha"
            if "0-9a-f" in pattern
            else "arxiv"
            if r"\d{4}" in pattern
            else "slug"
        )
        return _PATTERN_HINTS[key]
    if kind == "literal_error":
        return f"allowed: {error.get('ctx', {}).get('expected', 'see the schema')}"
    if kind.startswith("url"):
        return "write a full http:// or https:// address"
    if kind.startswith("datetime"):
        return "write an ISO 8601 time in UTC, e.g. 2026-03-01T10:15:00Z"
    if kind.startswith("date"):
        return "write the date as YYYY-MM-DD"
    if kind in ("greater_than", "greater_than_equal"):
        return "sizes, counts and times are positive numbers"
    if kind.endswith(("_type", "_parsing")):
        return (
            "check the value's type against the contributor guide"
            if model is ModelCard
            else f"check the value's type against {_SCHEMA_FILES[model]}"
        )
    if kind in ("too_short",):
        return "this list needs at least one entry"
    return _GUIDES[model]


def from_pydantic(
    path: Path, lines: LineMap, loc: Loc, error: ErrorDetails, model: type[BaseModel] = ModelCard
) -> Problem:
    loc = tuple(step for step in loc if not (isinstance(step, str) and step.startswith(("function-", "union["))))
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = f"unknown key {loc[-1]!r}"
    elif error["type"] == "missing":
        message = "required field missing"
    elif error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    return Problem(path, lines.line_of(loc), dotted(loc), message, hint_for(error, model))


@cache
def _field_names(root: type[BaseModel] = ModelCard) -> frozenset[str]:
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = [root]
    while pending:
        model = pending.pop()
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(name)
            pending.extend(t for t in _model_types(info.annotation) if t not in seen)
    return frozenset(names)


def _model_types(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _model_types(arg)
