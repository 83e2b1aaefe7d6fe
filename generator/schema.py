"""The model card schema: pydantic models only, no I/O.

Field names are part of the published interface (cards, the JSON Schema in
`catalog/schema/`, and `catalog.json` on the site), so they are kept exactly as
the catalog issue names them.

Checks that need more than the value itself (ids that must exist in the
registry or among the card's sources, ranges per metric, dates against today)
run as validators reading a `CheckContext` passed as pydantic's validation
context, so that one validation pass reports every problem at once. Without a
context (e.g. reading a published `catalog.json`) only the shape is checked.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import spdx

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
    "tasks": "task", "metrics": "metric", "datasets": "dataset", "hardware": "hardware", "engines": "inference engine",
    "labels": "label list", "evaluators": "evaluator", "licenses": "licence",
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


NOT_STATED = spdx.NOT_STATED  # one spelling for every field a source may leave unstated
LICENSE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.-]+$")


def _license_id(value: str, info: ValidationInfo) -> str:
    """An SPDX id, a `LicenseRef-…` for a custom licence, or `not-stated`; known to the licence registry."""
    if value != NOT_STATED and not LICENSE_REF.match(value) and spdx.lookup(value) is None:
        raise rule_error(f"{value!r} is not a current SPDX licence id", spdx.suggest(value) + ", `LicenseRef-<Name>` for a custom licence, or `not-stated`")
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
    part: ShortText | None = Field(
        None, description="Where in the source: a table, section, page or file."
    )
    note: Text | None = None


# --- Sources ---------------------------------------------------------------


class Source(Strict):
    """A document that facts cite: a paper, a repository file, an official docs page."""

    title: ShortText
    url: HttpUrl
    accessed: PastDate = Field(description="The date this source was read.")
    kind: Literal["paper", "repository", "docs", "release-notes", "model-zoo", "blog", "leaderboard", "other"] = "other"


# --- Card-level facts ------------------------------------------------------


class Organization(Cited):
    name: ShortText
    url: HttpUrl | None = None


class Authors(Cited):
    names: list[ShortText] = Field(min_length=1)


class ReleaseDate(Cited):
    """A date and what it dates: papers, code and weights are released on different days."""

    date: PastDate
    event: Literal["paper", "code", "weights", "docs"]


class License(Cited):
    """The licence of the code: the repository's LICENSE file. Weights and upstream parts carry their own."""

    id: LicenseId
    url: HttpUrl | None = Field(None, description="The licence text; required unless `id` is `not-stated`.")
    note: Text | None = Field(None, description="Anything the registry's summary of this licence does not say.")

    @model_validator(mode="after")
    def _url_unless_unstated(self) -> License:
        if self.url is None and self.id != NOT_STATED:
            raise rule_error(f"licence {self.id} has no url", "link the licence text the source points to")
        return self


class Paper(Cited):
    title: ShortText
    arxiv: Annotated[str, Field(pattern=r"^\d{4}\.\d{4,5}$")] | None = None
    url: HttpUrl
    venue: ShortText | None = None


class Code(Cited):
    url: HttpUrl


TaskState = Literal["pretrained", "architecture-only", "none"]


class Task(Cited):
    """A capability and how far it goes: trained weights published, only the architecture, or none."""

    task: TaskId
    state: TaskState


# --- Variants --------------------------------------------------------------


class Count(Cited):
    """A size in millions (parameters) or billions (FLOPs); never negative."""

    value: float = Field(gt=0)


class Flops(Cited):
    value: float = Field(gt=0, description="In billions (G).")
    counts: Literal["flops", "multiply-adds"] = Field(
        "flops", description="Multiply-adds (MAdds/MACs) are about half of FLOPs: say which the source counts."
    )


class InputSize(Cited):
    value: Annotated[list[Annotated[int, Field(gt=0, le=8192)]], Field(min_length=2, max_length=2)] = Field(
        description="`[height, width]` in pixels."
    )

    @model_validator(mode="before")
    @classmethod
    def _square(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("value"), int):
            return {**data, "value": [data["value"], data["value"]]}
        return data


Side = Annotated[int, Field(gt=0, le=8192)]
SourceKind = Literal["claimed", "vendor-measured", "independent", "versus"]
SOURCE_KINDS: dict[str, str] = {
    "claimed": "the authors' own figure (their paper, repository or docs)",
    "vendor-measured": "another organization's re-run or re-listing (e.g. Ultralytics' tables of third-party models, an inference vendor's benchmark)",
    "independent": "a third party's re-measurement with a published method (e.g. Roboflow's leaderboard, pycocotools on val2017)",
    "versus": "measured by Versus's own bench (records in catalog/measurements/)",
}


def _evaluator(value: str, info: ValidationInfo) -> str:
    ctx = _context(info)
    if value != NOT_STATED and ctx is not None and ctx.registry is not None and value not in ctx.registry.evaluators:
        raise rule_error(
            f"unknown evaluator id {value!r}",
            f"{suggest(value, ctx.registry.evaluators)}, or `not-stated`; new ids go in catalog/registry/evaluators.yaml",
        )
    return value


class Protocol(Strict):
    """How an accuracy figure was evaluated. A key the source does not state is left out (`not-stated`); the
    comparison rules in `generator/compare.py` (`UNSTATED_RULES`) say when two unstated values still match."""

    evaluator: Annotated[str, AfterValidator(_evaluator)] = Field(
        NOT_STATED, description="An id in catalog/registry/evaluators.yaml, or `not-stated`.", examples=["pycocotools"]
    )
    max_detections: Annotated[int, Field(gt=0)] | Literal["not-stated"] = Field(
        NOT_STATED, description="Detections kept per image for scoring (COCO's default is 100).", examples=[100]
    )
    score_threshold: Annotated[float, Field(ge=0, le=1)] | Literal["not-stated"] = Field(
        NOT_STATED, description="Confidence below which detections were dropped before scoring.", examples=[0.001]
    )
    nms: Literal["included", "none", "not-stated"] = Field(
        NOT_STATED,
        description="`included`: the scored output went through NMS; `none`: an NMS-free model scored without NMS.",
        examples=["included"],
    )


class Metric(Cited):
    """One figure and everything it depends on, so that figures measured differently are never lined up.
    Latency figures carry their full context; accuracy figures their evaluation protocol."""

    metric: MetricId
    value: float
    source_kind: Literal["claimed", "vendor-measured", "independent"] = Field(
        description="Whose figure: `claimed` (the authors), `vendor-measured` (another organization's re-run or "
        "re-listing), `independent` (a third party with a published method). Versus's own figures are "
        "measurement records (kind `versus`), never card metrics.",
        examples=["claimed"],
    )
    dataset: DatasetId | None = Field(None, description="The data set and split the figure was scored on (`coco-val2017`, `coco-test-dev2017`, …): "
        "figures on different ids are never lined up.")
    protocol: Protocol | None = Field(
        None,
        description="Accuracy figures: how they were evaluated. Left out means every key is `not-stated`.",
        examples=[{"evaluator": "pycocotools", "max_detections": 100, "score_threshold": 0.001, "nms": "included"}],
    )
    input_size: Side | Annotated[list[Side], Field(min_length=2, max_length=2)] | None = Field(
        None,
        description="`side` or `[height, width]` when the source measured at another size than the variant's "
        "`input_size`; left out, the variant's size applies.",
        examples=[600, [384, 640]],
    )
    checkpoint: ShortText | None = Field(
        None,
        description="When the figure is for another checkpoint or head of this variant than its own `checkpoint` "
        "(e.g. a one-to-many head beside an end-to-end one). Figures of different checkpoints are never lined up "
        "as one fact.",
        examples=["one-to-many head"],
    )
    hardware: HardwareId | None = None
    engine: EngineId | None = Field(None, description="Inference engine (ONNX Runtime, TensorRT, …) from the registry; its version goes in `part` or `note`.")
    precision: Literal["fp32", "fp16", "bf16", "int8", "uint8", "mixed", "not-stated"] | None = Field(
        None, description="`not-stated` when the source does not say: never guess."
    )
    batch: Annotated[int, Field(ge=1)] | Literal["not-stated"] | None = None
    includes_pre_post: bool | Literal["not-stated"] | None = Field(
        None,
        description="Whether pre- and post-processing (resize, decoding, NMS) are in the time; "
        "`not-stated` when the source does not say.",
    )

    @field_validator("source_kind", mode="before")
    @classmethod
    def _not_ours(cls, value: Any) -> Any:
        if value == "versus":
            raise rule_error(
                "a card cannot hold a figure of kind `versus`",
                "Versus's own figures are written by `versus bench` into catalog/measurements/",
            )
        return value

    @field_validator("value")
    @classmethod
    def _in_range(cls, value: float, info: ValidationInfo) -> float:
        ctx = _context(info)
        metric = info.data.get("metric")
        spec = ctx.registry.metrics.get(metric) if ctx and ctx.registry and metric else None
        if spec is None:
            return value
        if spec.min is not None and value < spec.min:
            raise rule_error(f"{spec.name} {value:g} is below {spec.min:g}", f"{spec.name} is in {spec.unit}")
        if spec.max is not None and value > spec.max:
            raise rule_error(
                f"{spec.name} {value:g} is over {spec.max:g}",
                f"{spec.name} is in {spec.unit}; a fraction like 0.406 is written 40.6",
            )
        return value

    @model_validator(mode="after")
    def _context_complete(self, info: ValidationInfo) -> Metric:
        ctx = _context(info)
        spec = ctx.registry.metrics.get(self.metric) if ctx and ctx.registry else None
        if spec is None:
            return self
        if spec.kind == "latency":
            missing = [f for f in LATENCY_CONTEXT if getattr(self, f) is None]
            if missing:
                raise rule_error(
                    f"a {spec.name.lower()} figure needs its context; missing: {', '.join(missing)}",
                    "say what hardware, inference engine, precision and batch the source measured, and whether pre/post-processing is included",
                )
            if self.protocol is not None:
                raise rule_error("a latency figure has no evaluation protocol", "move `protocol` to the accuracy figure it describes")
        elif self.dataset is None:
            raise rule_error(f"{spec.name} without a dataset", "add `dataset:` (data set and split) from catalog/registry/datasets.yaml")
        return self

    @property
    def side(self) -> tuple[int, int] | None:
        """The input size the source states for this figure, if it differs from the variant's."""
        if self.input_size is None:
            return None
        if isinstance(self.input_size, int):
            return (self.input_size, self.input_size)
        return (self.input_size[0], self.input_size[1])


LATENCY_CONTEXT = ("hardware", "engine", "precision", "batch", "includes_pre_post")


class Weights(Cited):
    """A weights file. `sha256: null` means not yet verified: hashes are never typed from memory."""

    url: HttpUrl
    sha256: Sha256 | None = None
    bytes: Annotated[int, Field(gt=0)] | None = None
    format: Literal[
        "ultralytics",
        "tflite",
        "onnx",
        "tf-saved-model",
        "tf-checkpoint",
        "pytorch",
        "safetensors",
    ]
    license: LicenseId
    license_url: HttpUrl | None = Field(
        None,
        description="The licence text, required for a `LicenseRef-…` id (a custom licence has no SPDX page).",
        examples=["https://github.com/roboflow/rf-detr/blob/main/rfdetr/platform/LICENSE.platform"],
    )
    official: bool = Field(True, description="Published by the model's authors; alternatives come after.")
    trained: bool = Field(True, description="False for files built from an architecture with random weights.")
    runtime: DemoRuntime | None = Field(
        None,
        description="This file's own I/O contract when it differs from the variant's (e.g. a TFLite export "
        "takes NHWC input where the official checkpoint exports to NCHW).",
    )

    @model_validator(mode="after")
    def _custom_licence_has_url(self) -> Weights:
        if LICENSE_REF.match(self.license) and self.license_url is None:
            raise rule_error(f"custom licence {self.license} has no `license_url`", "link the licence text the publisher gives")
        if self.license == NOT_STATED and not self.note:
            raise rule_error("weights licence `not-stated` without a note", "say in `note:` where you looked for a licence and found none")
        return self


# --- Demo runtime spec ------------------------------------------------------


class Quantization(Strict):
    """An int8 tensor's affine quantization: real value = (q - zero_point) * scale."""

    scale: float = Field(gt=0)
    zero_point: Annotated[int, Field(ge=-128, le=255)]


class ExtraInput(Strict):
    """A graph input besides the image, computed from where the image sits in the model input (`[1, 2]`)."""

    name: ShortText
    value: Literal["image-size-wh", "image-size-hw", "scale-factor-hw"] = Field(
        description="`image-size-wh`: the original image's width and height (graphs that return boxes in image "
        "pixels); `image-size-hw` the same as height, width; `scale-factor-hw`: model input size over image size, "
        "height then width."
    )
    dtype: Literal["float32", "int64"]


class DemoInput(Strict):
    """How to turn an image into the model's input tensor."""

    name: ShortText | None = None
    size: Annotated[list[Annotated[int, Field(gt=0, le=4096)]], Field(min_length=2, max_length=2)] = Field(
        description="`[height, width]`."
    )
    layout: Literal["NCHW", "NHWC"]
    dtype: Literal["float32", "uint8", "int8"] = Field(
        description="`uint8`: raw 0-255 pixels; `int8`: the float value quantized with `quantization`."
    )
    quantization: Quantization | None = Field(None, description="Required for `int8`: q = round(value / scale) + zero_point.")
    color: Literal["RGB", "BGR"] = "RGB"
    resize: Literal["letterbox", "stretch"]
    align: Literal["centre", "top-left"] = Field(
        "centre", description="Where a letterboxed image sits: centred (Ultralytics) or at the top-left corner (YOLOX)."
    )
    pad_value: Annotated[int, Field(ge=0, le=255)] = 114
    scale: float = Field(1.0, gt=0, description="Multiply 0-255 pixel values by this first.")
    mean: Annotated[list[float], Field(min_length=3, max_length=3)] = [0.0, 0.0, 0.0]
    std: Annotated[list[float], Field(min_length=3, max_length=3)] = [1.0, 1.0, 1.0]
    extra_inputs: list[ExtraInput] = Field(
        default_factory=list, description="Further graph inputs (e.g. the original image size), fed `[1, 2]`."
    )

    @model_validator(mode="after")
    def _quantized_int8(self) -> DemoInput:
        if (self.dtype == "int8") != (self.quantization is not None):
            raise rule_error("`quantization` goes with dtype int8, and only with it", "copy scale and zero point from the graph's input")
        if self.resize == "stretch" and self.align != "centre":
            raise rule_error("`align` is for letterboxed inputs", "leave `align` out with `resize: stretch`")
        return self


class NmsOutside(Strict):
    """The settings of the NMS the decoder runs after a raw head (the graph has none inside)."""

    nms: Literal["outside"] = "outside"
    class_aware_nms: bool = True
    score_threshold: float = Field(0.25, ge=0, le=1)
    iou_threshold: float = Field(0.45, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)] = 300


class UltralyticsHead(NmsOutside):
    """`[1, 4 + classes, N]`: boxes then per-class scores; NMS runs outside the graph."""

    kind: Literal["ultralytics"]
    box_format: Literal["cxcywh", "xyxy"] = Field("cxcywh", description="`xyxy`: YOLOv10's one-to-many head.")
    coordinates: Literal["pixels", "normalized"]
    classes: Annotated[int, Field(gt=0)]
    score_activation: Literal["none", "sigmoid"] = "none"
    output_quantization: Quantization | None = Field(
        None, description="An int8 output: values are (q - zero_point) * scale before decoding."
    )


class RowColumns(Strict):
    """Where each field sits in a detection row: `box` is the first of four box columns."""

    box: Annotated[int, Field(ge=0)]
    score: Annotated[int, Field(ge=0)]
    label: Annotated[int, Field(ge=0)]


class DetectionRows(Strict):
    """One output of final detections, one row each (`[1, N, K]` or `[N, K]`): NMS-free heads (YOLO26's
    end-to-end head) or graphs that ran NMS. No NMS here: rows above the threshold, best first."""

    kind: Literal["detection-rows"]
    output: Annotated[int, Field(ge=0)] = 0
    columns: RowColumns
    box_format: Literal["xyxy"] = "xyxy"
    coordinates: Literal["pixels", "normalized", "image"] = Field(
        description="`image`: pixels of the original image (graphs fed the image size as an extra input)."
    )
    classes: Annotated[int, Field(gt=0)]
    class_offset: int = 0
    nms: Literal["none", "inside"] = "none"
    score_threshold: float = Field(0.25, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)] = 300


class YoloxHead(NmsOutside):
    """YOLOX's raw head `[1, N, 5 + classes]`, anchors level by level (strides), row-major cells: box offsets
    from the cell (x, y) and log sizes (w, h) in stride units, objectness, class scores (both after sigmoid).
    Score = objectness x class score; NMS runs outside the graph."""

    kind: Literal["yolox"]
    strides: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1)]
    classes: Annotated[int, Field(gt=0)]


class GflLevel(Strict):
    """One pyramid level of a GFL head: output indices of its scores `[1, N, classes]` and distance
    distributions `[1, N, 4 * (reg_max + 1)]`."""

    stride: Annotated[int, Field(gt=0)]
    scores: Annotated[int, Field(ge=0)]
    distances: Annotated[int, Field(ge=0)]


class GflHead(NmsOutside):
    """Generalized Focal Loss head (NanoDet): per level, class scores (after sigmoid) and for each side
    (left, top, right, bottom) a distribution over 0..reg_max; distance = softmax expectation x stride from
    the cell's centre ((x + cell_offset) x stride). NMS runs outside the graph."""

    kind: Literal["gfl"]
    levels: Annotated[list[GflLevel], Field(min_length=1)]
    reg_max: Annotated[int, Field(gt=0)]
    cell_offset: float = Field(0.0, ge=0, le=1, description="Where the centre sits in its cell, in cells.")
    classes: Annotated[int, Field(gt=0)]


class DetectionOutputs(Strict):
    """Output indices of a graph that already ran NMS (e.g. TFLite_Detection_PostProcess)."""

    boxes: Annotated[int, Field(ge=0)]
    classes: Annotated[int, Field(ge=0)]
    scores: Annotated[int, Field(ge=0)]
    count: Annotated[int, Field(ge=0)] | None = Field(None, description="Null: every row is a detection.")


class NmsInGraph(Strict):
    """Boxes, classes, scores (and a count), already filtered by NMS or top-k inside the graph."""

    kind: Literal["nms-in-graph"]
    box_format: Literal["yxyx", "xyxy"]
    coordinates: Literal["pixels", "normalized", "image"]
    classes: Annotated[int, Field(gt=0)]
    class_offset: int = Field(0, description="Added to the graph's class output to index the label list.")
    score_activation: Literal["none"] = "none"
    nms: Literal["inside"] = "inside"
    outputs: DetectionOutputs
    score_threshold: float = Field(0.25, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)]


Decoder = Annotated[
    UltralyticsHead | NmsInGraph | DetectionRows | YoloxHead | GflHead, Field(discriminator="kind")
]


class DemoRuntime(Cited):
    """Everything the export step and the browser demo need to feed and decode the model.
    The decoder is chosen from `decoder.kind`, never from the model's name."""

    task: TaskId
    input: DemoInput
    decoder: Decoder
    labels: LabelSetId = Field(description="A label list in `catalog/registry/labels.yaml`.")

    @model_validator(mode="after")
    def _labels_fit_decoder(self, info: ValidationInfo) -> DemoRuntime:
        ctx = _context(info)
        labels = ctx.registry.labels.get(self.labels) if ctx and ctx.registry else None
        if labels is None:
            return self
        decoder = self.decoder
        if isinstance(decoder, (UltralyticsHead, YoloxHead, GflHead)) and decoder.classes != len(labels.labels):
            raise rule_error(
                f"decoder has {decoder.classes} classes but label list {self.labels!r} has {len(labels.labels)}",
                "use the label list the model was trained with",
            )
        if isinstance(decoder, (NmsInGraph, DetectionRows)) and decoder.classes - 1 + decoder.class_offset > max(labels.labels):
            raise rule_error(
                f"class index {decoder.classes - 1} + offset {decoder.class_offset} is past label id {max(labels.labels)}",
                "check `classes` and `class_offset` against the label list",
            )
        return self


class UpstreamLicense(Cited):
    """A licence a variant inherits from something it is built on (a backbone, a teacher, a dataset)."""

    id: LicenseId
    url: HttpUrl | None = Field(None, description="The licence text; required for a `LicenseRef-…` id.")
    component: ShortText = Field(description="What the licence covers.", examples=["DINOv3 ViT-S/16 backbone (distilled)"])

    @model_validator(mode="after")
    def _custom_licence_has_url(self) -> UpstreamLicense:
        if LICENSE_REF.match(self.id) and self.url is None:
            raise rule_error(f"custom licence {self.id} has no `url`", "link the licence text")
        return self


class Variant(Strict):
    """One architecture with one set of weights (`arch.tag`)."""

    id: VariantId
    name: ShortText
    task: TaskId
    input_size: list[InputSize] = Field(min_length=1)
    params: list[Count] = Field(default_factory=list, description="Millions of parameters, per source.")
    flops: list[Flops] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)
    weights: list[Weights] = Field(default_factory=list, description="Official first, alternatives after.")
    runtime: DemoRuntime | None = Field(None, description="Present when the variant can run in the browser demo.")
    checkpoint: ShortText | None = Field(
        None,
        description="Which release of the weights this variant is, where a family publishes several under one name.",
        examples=["turbo", "v1.0", "2026 (704 px)"],
    )
    pretraining: list[DatasetId] | Literal["not-stated"] = Field(
        NOT_STATED,
        description="Detection data the checkpoint was trained on before the benchmark's training set "
        "(`[objects365]`); `[]` for none (an ImageNet-initialised backbone does not count); `not-stated` when "
        "the source does not say.",
        examples=[["objects365"], []],
    )
    upstream_licenses: list[UpstreamLicense] = Field(
        default_factory=list,
        description="Licences inherited from parts the variant is built on.",
        examples=[[{"id": "LicenseRef-DINOv3", "url": "https://github.com/facebookresearch/dinov3/blob/main/LICENSE.md",
                    "component": "DINOv3 ViT-S/16 backbone", "source": "readme"}]],
    )
    note: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _single_values(cls, data: Any) -> Any:
        return _wrap_single(data, ("input_size", "params", "flops"))

    @property
    def side(self) -> tuple[int, int]:
        """The input size the variant's first source states."""
        h, w = self.input_size[0].value
        return (h, w)

    @field_validator("task")
    @classmethod
    def _task_on_card(cls, task: str, info: ValidationInfo) -> str:
        ctx = _context(info)
        if ctx is not None and ctx.task_ids and task not in ctx.task_ids:
            raise rule_error(
                f"variant task {task!r} is not among the card's tasks",
                "add it under `tasks:` with its state, or fix the variant's task",
            )
        return task

    @model_validator(mode="after")
    def _runtime_matches_task(self) -> Variant:
        if self.runtime is not None and self.runtime.task != self.task:
            raise rule_error(
                f"runtime task {self.runtime.task!r} differs from the variant's task {self.task!r}",
                "a runtime spec decodes its own variant's task",
            )
        return self


# --- The card ---------------------------------------------------------------


class ModelCard(Strict):
    """One model family, as its authors released it, with every fact sourced."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        json_schema_extra={"title": "Versus model card", "$id": "https://versus.example/schema/model-card.json"},
    )

    id: Slug = Field(description="Slug; must equal the file name without `.yaml`.")
    name: ShortText
    aliases: list[ShortText] = Field(default_factory=list)
    summary: Text
    category: ShortText = Field(description="e.g. `one-stage detector`, `transformer detector`, `classifier`.")
    modality: Literal["image", "video", "text", "audio", "multimodal"]
    organizations: list[Organization] = Field(min_length=1)
    authors: list[Authors] = Field(min_length=1)
    release_date: list[ReleaseDate] = Field(min_length=1)
    license: License
    paper: Paper | None = None
    code: Code | None = None
    tasks: list[Task] = Field(min_length=1)
    variants: list[Variant] = Field(min_length=1)
    sources: dict[Annotated[str, Field(pattern=SLUG_PATTERN)], Source] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _single_values(cls, data: Any) -> Any:
        return _wrap_single(data, ("authors", "release_date"))

    @model_validator(mode="after")
    def _unique_ids(self) -> ModelCard:
        seen: set[str] = set()
        for variant in self.variants:
            if variant.id in seen:
                raise ValueError(f"variant id {variant.id!r} appears twice; each variant needs its own id")
            seen.add(variant.id)
        tasks = [t.task for t in self.tasks]
        if len(tasks) != len(set(tasks)):
            raise ValueError("a task is listed twice; list each task once with its state")
        return self

    def task_state(self, task: str) -> TaskState:
        for t in self.tasks:
            if t.task == task:
                return t.state
        return "none"


class FeaturedPair(Strict):
    """A comparison the home page leads with (`catalog/featured.yaml`), and the question it answers."""

    a: Slug
    b: Slug
    why: ShortText = Field(description="The question a visitor brings to this pair, in a sentence.")


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use to validate and complete cards as they are typed."""
    return ModelCard.model_json_schema(mode="validation")



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
    "attribution", "source-disclosure", "network-use", "share-alike", "non-commercial", "paid-plan",
    "no-derivatives", "patent-grant", "custom-terms",
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
