"""The registry (`catalog/registry/`): the ids cards may refer to, with what each one means."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    HttpUrl,
)

from .base import ShortText, Strict, Text

# --- The registry: ids cards may refer to ------------------------------------

RegistryKey = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]


class TaskInfo(Strict):
    name: ShortText
    description: Text


class MetricInfo(Strict):
    name: ShortText
    description: Text
    unit: ShortText
    kind: Literal["accuracy", "latency"]
    better: Literal["higher", "lower"]
    min: float | None = None
    max: float | None = None


class DatasetInfo(Strict):
    name: ShortText
    url: HttpUrl
    description: Text
    images: int | None = Field(
        None, ge=1, description="Images in the set, where the set is fixed: pages say how large a subset is."
    )


class HardwareInfo(Strict):
    name: ShortText
    kind: Literal["gpu", "cpu", "phone", "npu", "browser"]


class EngineInfo(Strict):
    name: ShortText


class EvaluatorInfo(Strict):
    name: ShortText
    url: HttpUrl
    description: Text


Obligation = Literal[
    "attribution",
    "source-disclosure",
    "network-use",
    "share-alike",
    "non-commercial",
    "paid-plan",
    "no-derivatives",
    "patent-grant",
    "custom-terms",
]
OBLIGATIONS_BLOCKING_FREE_COMMERCIAL_USE = frozenset({"non-commercial", "paid-plan"})


class LicenseEntry(Strict):
    """What a licence asks of a user, in plain words, so pages never leave a reader with a bare id."""

    name: ShortText
    url: HttpUrl
    summary: Text = Field(description="One or two sentences: what a user must do.")
    obligations: list[Obligation] = Field(
        description="`non-commercial` and `paid-plan` mean the licence alone does not allow free commercial use."
    )


class LabelSet(Strict):
    name: ShortText
    labels: dict[Annotated[int, Field(ge=0)], ShortText] = Field(min_length=1)


class Registry(Strict):
    """The contents of `catalog/registry/`, one file per field."""

    tasks: dict[RegistryKey, TaskInfo]
    metrics: dict[RegistryKey, MetricInfo]
    datasets: dict[RegistryKey, DatasetInfo]
    hardware: dict[RegistryKey, HardwareInfo]
    engines: dict[RegistryKey, EngineInfo]
    labels: dict[RegistryKey, LabelSet]
    evaluators: dict[RegistryKey, EvaluatorInfo]
    licenses: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")], LicenseEntry]
