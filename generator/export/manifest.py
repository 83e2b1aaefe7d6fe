"""`manifest.json`, written beside every `model.onnx`: what the artifact is, where it came from, how it
was made and checked. The site build reads these (`read_manifest`) to show artifacts; the same
metadata goes into the ONNX file's `metadata_props` under `versus.*` keys (all but the file's own size
and hash, which cannot be inside the file they describe)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import DemoRuntime, Sha256

MANIFEST_NAME = "manifest.json"
MODEL_NAME = "model.onnx"
METADATA_PREFIX = "versus."


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TensorInfo(_Record):
    name: str
    shape: list[int | str | None]
    dtype: str


class SourceInfo(_Record):
    """The weights the artifact was converted from. An untrained artifact has no URL or hash: it was
    built from `architecture` with random weights (`seed`)."""

    url: str | None
    sha256: Sha256 | None
    bytes: int | None
    format: str
    license: str | None = None
    official: bool | None = None
    origin: str = Field(description="Where this build got the file: cache, mirror (with path), network, or built.")
    architecture: str | None = None
    seed: int | None = None


class ConverterInfo(_Record):
    name: str
    options: dict[str, Any]
    versions: dict[str, str] = Field(description="Library versions that made and checked the artifact.")


class FlopsInfo(_Record):
    gflops: float | None = Field(description="Billions of FLOPs (2 per multiply-add) for one image, or null.")
    tool: str | None = None
    reason: str | None = Field(None, description="Why `gflops` is null.")


class FileInfo(_Record):
    name: str
    bytes: int
    sha256: Sha256


class ToleranceInfo(_Record):
    confident: float
    min_iou: float
    score_delta: float
    unmatched_share: float
    why: str


class VerificationInfo(_Record):
    """The ONNX file run with onnxruntime against the source framework on the same images."""

    reference: str
    images: int
    image_set: str
    confident: int = Field(description="Detections at or above the confident score, both sides, all images.")
    matched: int
    unmatched: int
    unmatched_share: float
    max_score_delta: float | None
    min_iou: float | None
    raw_max_abs_diff: float | None = Field(description="Largest difference of the raw output tensors.")
    raw_check: str | None = Field(description="The bound the raw difference was held to, or why it was not.")
    tolerance: ToleranceInfo
    misses: list[str] = Field(default_factory=list, description="Confident detections without a twin (at most 20).")


class OnnxArtifact(_Record):
    """One exported artifact: `artifacts/<artifact_id>/model.onnx` and this manifest beside it."""

    manifest_version: Literal[1] = 1
    artifact_id: str = Field(description="The folder name: the variant id, or `<arch>.untrained`.")
    card_id: str
    variant_id: str
    trained: bool = Field(description="False for random weights built from an architecture: never the real model.")
    source: SourceInfo
    converter: ConverterInfo
    opset: int
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    parameters: int = Field(description="Elements of the graph's weight initializers (see `count_parameters`).")
    flops: FlopsInfo
    file: FileInfo
    class_names: dict[int, str]
    runtime: DemoRuntime = Field(description="The effective demo runtime spec: the weights entry's own, else the variant's.")
    verification: VerificationInfo
    cache_key: str


def read_manifest(path: Path) -> OnnxArtifact:
    return OnnxArtifact.model_validate_json(path.read_text(encoding="utf-8"))


def manifest_json(artifact: OnnxArtifact) -> str:
    return json.dumps(artifact.model_dump(mode="json"), indent=2) + "\n"


def metadata_props(artifact_fields: dict[str, Any]) -> dict[str, str]:
    """`versus.*` string properties for the ONNX file: scalars as text, the rest as JSON."""
    props = {}
    for key, value in artifact_fields.items():
        if key == "file":
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        props[METADATA_PREFIX + key] = text
    return props


def count_parameters(model) -> int:
    """Elements of the graph's initializers that hold weights: float and 8/32-bit integer tensors with more
    than one element. int64 tensors (shapes, axes, indices) and scalars (quantization scales and zero
    points of whole tensors) are not parameters. Quantized graphs count each weight once, as stored."""
    from onnx import TensorProto

    weight_types = {TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.DOUBLE,
                    TensorProto.INT8, TensorProto.UINT8, TensorProto.INT32}
    total = 0
    for init in model.graph.initializer:
        if init.data_type not in weight_types:
            continue
        size = 1
        for dim in init.dims:
            size *= dim
        if size > 1:
            total += size
    return total
