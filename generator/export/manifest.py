"""`manifest.json`, written beside every `model.onnx`: what the artifact is, where it came from, how it
was made and checked. The site build reads these (`read_manifest`) to show artifacts; the same
metadata goes into the ONNX file's `metadata_props` under `versus.*` keys (all but the file's own size
and hash, which cannot be inside the file they describe)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from ..schema import DemoRuntime, Sha256, Strict

MANIFEST_NAME = "manifest.json"
MODEL_NAME = "model.onnx"
METADATA_PREFIX = "versus."


class TensorInfo(Strict):
    name: str
    shape: list[int | str | None]
    dtype: str


class SourceInfo(Strict):
    """The weights the artifact was converted from. An untrained artifact has no URL or hash: it was
    built from `architecture` with random weights (`seed`)."""

    url: str | None
    sha256: Sha256 | None
    bytes: int | None
    format: str
    license: str | None = None
    official: bool | None = None
    origin: str = Field(
        description="Where this build got the file: cache, mirror (with the file's path inside the "
        "mirror, never a path of the machine), network, or built."
    )
    architecture: str | None = None
    seed: int | None = None


class ConverterInfo(Strict):
    name: str
    options: dict[str, Any]
    versions: dict[str, str] = Field(description="Library versions that made and checked the artifact.")


class FlopsInfo(Strict):
    gflops: float | None = Field(description="Billions of FLOPs (2 per multiply-add) for one image, or null.")
    tool: str | None = None
    reason: str | None = Field(None, description="Why `gflops` is null.")


class FileInfo(Strict):
    name: str
    bytes: int
    sha256: Sha256


class ToleranceInfo(Strict):
    confident: float
    min_iou: float
    score_delta: float
    unmatched_share: float
    why: str


VerificationStatus = Literal["matched", "raw-only", "not-compared", "quantized"]


class DetectionsInfo(Strict):
    """Confident detections of the ONNX file (onnxruntime, then `generator/decode.py` with the runtime spec)
    and of the reference, each looking for a twin on the other side."""

    decoded_by: str = Field(description="What made the reference's detections from the source's own output.")
    confident: int = Field(description="Detections at or above the confident score, both sides, all images.")
    matched: int
    unmatched: int
    unmatched_share: float
    max_score_delta: float | None
    min_iou: float | None
    misses: list[str] = Field(default_factory=list, description="Confident detections without a twin (at most 20).")


class RawGroupInfo(Strict):
    """One group of raw output values held to one bound, over all images."""

    group: str = Field(description="Which values, in words (for example the box rows in input pixels).")
    unit: str = Field(
        description="The unit of `atol` and `max_abs_diff`: empty for the tensors' own, `px` for input pixels."
    )
    bound: str = Field(description="The bound in words.")
    atol: float
    rtol: float
    allowed_share: float = Field(description="Share of the values allowed beyond atol + rtol * |reference|.")
    values: int = Field(description="Values compared (0 when no image had any in this group).")
    beyond: int = Field(description="Values beyond atol + rtol * |reference|.")
    max_abs_diff: float | None = Field(description="The largest difference in the group, in `unit`.")
    held: bool


class RawInfo(Strict):
    """The raw output tensors of the ONNX file against the reference's, on the same input tensors."""

    reference: str = Field(description="What made the reference tensors.")
    outputs: list[str] = Field(description="The ONNX outputs compared.")
    max_abs_diff: float = Field(description="The largest difference of any value, in the tensors' own units.")
    bound: str | None = Field(
        description="The bound the values were held to, in words; null: reported only (see `note`)."
    )
    note: str | None = Field(None, description="Why there is no bound.")
    held: bool | None = Field(description="Whether every group held its bound; null when there is no bound.")
    groups: list[RawGroupInfo] = Field(default_factory=list)


class AccuracyInfo(Strict):
    """COCO mAP of the ONNX file on labelled images (`generator/export/accuracy.py`): the check of exports that
    have no source framework to compare with. A figure below `min_map50_95` fails the export, so a manifest
    never holds one."""

    image_set: str = Field(description="Which labelled images, in words (set, how many, where).")
    images: int
    map50_95: float = Field(ge=0, le=1, description="COCO mAP@[.50:.95], 0-1.")
    map50: float = Field(ge=0, le=1)
    min_map50_95: float = Field(
        description="The floor below which the export fails (a mis-decoded model scores about 0)."
    )
    score_threshold: float
    max_detections: int
    tool: str

    @model_validator(mode="after")
    def _above_floor(self) -> AccuracyInfo:
        if self.images < 1:
            raise ValueError("an accuracy check on 0 images is not a check")
        if self.map50_95 < self.min_map50_95:
            raise ValueError("an mAP below the floor fails the export; it is never written")
        return self


class VerificationInfo(Strict):
    """What `versus export` checked before writing the artifact, as one `status`:

    - `matched`: the ONNX file and the source in its own framework were run on the sample images, at least one
      confident detection was found, and every confident detection on either side had a twin within the
      tolerance (up to the tolerance's unmatched share). Where the converter states a raw-output bound, it held.
    - `raw-only`: no confident detection on the samples on either side (an untrained graph with random
      weights), so detections were not compared; the raw output tensors were, and held the converter's bound.
      Allowed only with a bound: 0 of 0 matched detections is never a pass.
    - `not-compared`: the source is already ONNX, so there was no source framework to compare with; the file
      was checked against its runtime spec, run in onnxruntime, and (`accuracy`) scored on labelled COCO
      val2017 images, where a figure near zero (a mis-decoded model) fails the export.

    - `quantized`: an int8 graph this build made from its own verified float artifact (`quantization` says how);
      there is no other framework to compare with, so its check is `accuracy` beside the float graph's on the same
      labelled images, and it is published only when it loses at most the stated bound.

    A raw-output bound that does not hold fails the export, and nothing is written (`held` is never false in
    a manifest). A marked artifact was considered and refused: the bound is set from what the outputs mean
    and from measurement, so breaking it says the conversion computes something else (a shifted grid, a wrong
    scale, a swapped channel) even where the detections on the few sample images still look alike; such a file
    must not reach the demo, where a page shows its boxes beside other models'. The model page says the
    bound, and that an export beyond it is not published.
    """

    status: VerificationStatus
    summary: str = Field(description="The status in plain words.")
    compared: list[str] = Field(description="What was compared or checked, one sentence each.")
    not_compared: list[str] = Field(description="What was not compared, and why, one sentence each.")
    reference: str | None = Field(
        description="The source framework the file was compared with; null for `not-compared`."
    )
    images: int
    image_set: str
    detections: DetectionsInfo | None = Field(description="Null for `not-compared`.")
    raw: RawInfo | None = Field(description="Null for `not-compared`.")
    tolerance: ToleranceInfo
    accuracy: AccuracyInfo | None = Field(
        None,
        description="COCO mAP on labelled images: the check of exports nothing independent decoded (`not-compared`, "
        "or a reference decoded by generator/decode.py); null: not measured.",
    )

    @model_validator(mode="after")
    def _status_fits(self) -> VerificationInfo:
        d, raw = self.detections, self.raw
        if self.status == "quantized" and self.accuracy is None:
            raise ValueError("`quantized` is checked by its accuracy: it needs `accuracy`")
        if self.status in ("not-compared", "quantized"):
            if self.reference is not None or d is not None or raw is not None:
                raise ValueError(f"`{self.status}` has no reference, detections or raw comparison")
            return self
        if self.reference is None or d is None or raw is None:
            raise ValueError(f"`{self.status}` needs the reference, its detections and the raw comparison")
        if raw.held is False:
            raise ValueError("a raw-output bound that did not hold fails the export; it is never written")
        if self.status == "matched" and d.matched < 1:
            raise ValueError("`matched` needs at least one matched confident detection: 0 of 0 is not a pass")
        if self.status == "raw-only" and (d.confident != 0 or raw.held is not True):
            raise ValueError("`raw-only` is for no confident detections at all, with a raw-output bound that held")
        return self


class CalibrationInfo(Strict):
    """The images the quantizer's ranges came from: never the accuracy images."""

    image_set: str = Field(description="Which set the images come from, in words (`images` says how many).")
    images: int = Field(gt=0)
    digest: Sha256 = Field(description="sha256 over each image's file name and sha256, in order.")
    names: list[str] = Field(description="The images' file names, in the order they were fed.")


class QuantizationInfo(Strict):
    """How an int8 artifact was made from this build's float artifact of the same variant, and what it cost."""

    of_artifact: str = Field(description="The float artifact it was quantized from.")
    of_sha256: Sha256 = Field(description="That float model.onnx's sha256.")
    of_bytes: int
    quantizer: str = Field(description="The quantizer and its version.")
    settings: dict[str, Any] = Field(description="Every setting given to the quantizer, and the nodes kept float.")
    calibration: CalibrationInfo
    image_set: str = Field(description="The labelled images both graphs were scored on.")
    images: int
    float_map50_95: float = Field(ge=0, le=1)
    float_map50: float = Field(ge=0, le=1)
    map50_95: float = Field(ge=0, le=1, description="The int8 graph's, on the same images.")
    map50: float = Field(ge=0, le=1)
    max_loss: float = Field(description="The bound: mAP50-95 the int8 graph may lose and still be published.")
    tool: str

    @property
    def loss(self) -> float:
        """mAP50-95 lost against the float graph (negative: gained)."""
        return round(self.float_map50_95 - self.map50_95, 4)


class OnnxArtifact(Strict):
    """One exported artifact: `artifacts/<artifact_id>/model.onnx` and this manifest beside it."""

    manifest_version: Literal[2] = Field(2, description="2: verification has a `status` (1 had none).")
    artifact_id: str = Field(
        description="The folder name: the variant id, `<variant id>.int8` for its quantized graph, or `<arch>.untrained`."
    )
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
    runtime: DemoRuntime = Field(
        description="The effective demo runtime spec: the weights entry's own, else the variant's."
    )
    verification: VerificationInfo
    quantization: QuantizationInfo | None = Field(
        None, description="Set on an int8 graph this build quantized from its own float artifact of the variant."
    )
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

    weight_types = {
        TensorProto.FLOAT,
        TensorProto.FLOAT16,
        TensorProto.BFLOAT16,
        TensorProto.DOUBLE,
        TensorProto.INT8,
        TensorProto.UINT8,
        TensorProto.INT32,
    }
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


# --- A variant's graphs ------------------------------------------------------------------------------
# A variant can have several trained graphs: the float export and the int8 graph `versus export` made from it,
# published only when it kept accuracy (generator/export/int8.py). The demo offers the choice, smallest first.


def by_size(found: Sequence[OnnxArtifact]) -> list[OnnxArtifact]:
    """A variant's artifacts, trained first, each group smallest first: the first is the demo's default graph."""
    return sorted(found, key=lambda a: (not a.trained, a.file.bytes))


def graph_label(artifact: OnnxArtifact) -> str:
    """Which graph, in a few words."""
    return "int8 graph" if artifact.quantization is not None else "float graph"


def graph_cost(artifact: OnnxArtifact) -> str | None:
    """An int8 graph's measured accuracy cost against the float graph, in words; None for other graphs."""
    q = artifact.quantization
    if q is None:
        return None
    return f"mAP50-95 {-q.loss * 100:+.1f} points vs float ({q.images} val2017 images)"
