"""What every card model is built from: the validation context and its rule errors, the named constrained
types, the strict base models and sources."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from .. import spdx

if TYPE_CHECKING:
    from .registry import Registry


# --- Context-dependent checks ------------------------------------------------


@dataclass(frozen=True)
class CheckContext:
    """What validators compare a card against. Pass as `context={"versus": ...}`."""

    registry: Registry | None
    source_ids: frozenset[str]
    today: dt.date
    task_ids: frozenset[str] = frozenset()  # the card's tasks with a state other than `none`


def _context(info: ValidationInfo) -> CheckContext | None:
    return (info.context or {}).get("versus")


def rule_error(message: str, hint: str) -> PydanticCustomError:
    """A validation error whose hint the loader shows beside the message."""
    return PydanticCustomError("catalog_rule", "{message}", {"message": message, "hint": hint})


def suggest(value: str, choices: Iterable[str]) -> str:
    ordered = sorted(choices)
    close = difflib.get_close_matches(value, ordered, n=3, cutoff=0.5)
    if close:
        return "did you mean " + ", ".join(repr(c) for c in close)
    more = ", …" if len(ordered) > 12 else ""
    return "one of " + ", ".join(repr(c) for c in ordered[:12]) + more


_KIND_NAMES = {
    "tasks": "task",
    "metrics": "metric",
    "datasets": "dataset",
    "hardware": "hardware",
    "engines": "inference engine",
    "labels": "label list",
    "evaluators": "evaluator",
    "licenses": "licence",
}


def _in_registry(kind: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        ctx = _context(info)
        if ctx is not None and ctx.registry is not None:
            known = getattr(ctx.registry, kind)
            if value not in known:
                raise rule_error(
                    f"unknown {_KIND_NAMES[kind]} id {value!r}",
                    f"{suggest(value, known)}; new ids go in catalog/registry/{kind}.yaml",
                )
        return value

    return AfterValidator(check)


def _declared_source(value: str, info: ValidationInfo) -> str:
    ctx = _context(info)
    if ctx is not None and value not in ctx.source_ids:
        raise rule_error(
            f"cites source {value!r}, which the card does not declare",
            f"declare it under `sources:` (title, url, accessed), or {suggest(value, ctx.source_ids)}",
        )
    return value


NOT_STATED: Final = spdx.NOT_STATED  # one spelling for every field a source may leave unstated
LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")


def _license_id(value: str, info: ValidationInfo) -> str:
    """An SPDX id, a `LicenseRef-…` for a custom licence, or `not-stated`; known to the licence registry."""
    if value != NOT_STATED and not LICENSE_REF.match(value) and spdx.lookup(value) is None:
        raise rule_error(
            f"{value!r} is not a current SPDX licence id",
            spdx.suggest(value) + ", `LicenseRef-<Name>` for a custom licence, or `not-stated`",
        )
    ctx = _context(info)
    if ctx is not None and ctx.registry is not None and value != NOT_STATED and value not in ctx.registry.licenses:
        raise rule_error(
            f"licence {value!r} has no entry in catalog/registry/licenses.yaml",
            "add it there with a plain-language summary and its obligations, so pages can say what it asks of users",
        )
    return value


def _not_future(value: dt.date, info: ValidationInfo) -> dt.date:
    ctx = _context(info)
    if ctx is not None and value > ctx.today:
        raise rule_error(f"{value} is in the future (today is {ctx.today})", "write the date the event happened")
    return value


# --- Named constrained types ---------------------------------------------

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
VARIANT_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=64)]
VariantId = Annotated[
    str,
    Field(
        pattern=VARIANT_PATTERN,
        max_length=96,
        description="`arch.tag`: the architecture, then which weights (e.g. `yolov12n.turbo`).",
    ),
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
SourceId = Annotated[str, Field(pattern=SLUG_PATTERN), AfterValidator(_declared_source)]
TaskId = Annotated[str, _in_registry("tasks")]
MetricId = Annotated[str, _in_registry("metrics")]
DatasetId = Annotated[str, _in_registry("datasets")]
HardwareId = Annotated[str, _in_registry("hardware")]
EngineId = Annotated[str, _in_registry("engines")]
LabelSetId = Annotated[str, _in_registry("labels")]
EvaluatorId = Annotated[str, _in_registry("evaluators")]
LicenseId = Annotated[
    str,
    AfterValidator(_license_id),
    Field(
        description="SPDX licence id (e.g. `Apache-2.0`), `LicenseRef-<Name>` for a custom licence (give its URL), "
        "or `not-stated` when the publisher states none. Every id needs an entry in catalog/registry/licenses.yaml.",
        examples=["AGPL-3.0-only", "LicenseRef-DINOv3", "not-stated"],
    ),
]
PastDate = Annotated[dt.date, AfterValidator(_not_future)]


def _wrap_single(data: Any, keys: tuple[str, ...]) -> Any:
    """Let a card write a single sourced value without wrapping it in a list."""
    if not isinstance(data, dict):
        return data
    return {k: [v] if k in keys and isinstance(v, dict) else v for k, v in data.items()}


class Strict(BaseModel):
    """Base for every card model: unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Cited(Strict):
    """A fact and where it comes from. Several cited values for one fact are shown side by side."""

    source: SourceId = Field(description="Key of an entry in the card's `sources`.")
    part: ShortText | None = Field(None, description="Where in the source: a table, section, page or file.")
    note: Text | None = None


# --- Sources ---------------------------------------------------------------


class Source(Strict):
    """A document that facts cite: a paper, a repository file, an official docs page."""

    title: ShortText
    url: HttpUrl
    accessed: PastDate = Field(description="The date this source was read.")
    kind: Literal["paper", "repository", "docs", "release-notes", "model-zoo", "blog", "leaderboard", "other"] = "other"
