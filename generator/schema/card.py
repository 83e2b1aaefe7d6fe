"""The model card: its sourced facts, its variants with their metrics and weights, and the featured pairs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .base import (
    LICENSE_REF,
    NOT_STATED,
    SLUG_PATTERN,
    Cited,
    DatasetId,
    EngineId,
    HardwareId,
    LicenseId,
    MetricId,
    PastDate,
    Sha256,
    ShortText,
    Slug,
    Source,
    Strict,
    TaskId,
    Text,
    VariantId,
    _context,
    _wrap_single,
    rule_error,
    suggest,
)
from .runtime import DemoRuntime, Int8Graph

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
    dataset: DatasetId | None = Field(
        None,
        description="The data set and split the figure was scored on (`coco-val2017`, `coco-test-dev2017`, …): "
        "figures on different ids are never lined up.",
    )
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
    engine: EngineId | None = Field(
        None,
        description="Inference engine (ONNX Runtime, TensorRT, …) from the registry; its version goes in `part` or `note`.",
    )
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
                raise rule_error(
                    "a latency figure has no evaluation protocol", "move `protocol` to the accuracy figure it describes"
                )
        elif self.dataset is None:
            raise rule_error(
                f"{spec.name} without a dataset",
                "add `dataset:` (data set and split) from catalog/registry/datasets.yaml",
            )
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
            raise rule_error(
                f"custom licence {self.license} has no `license_url`", "link the licence text the publisher gives"
            )
        if self.license == NOT_STATED and not self.note:
            raise rule_error(
                "weights licence `not-stated` without a note",
                "say in `note:` where you looked for a licence and found none",
            )
        return self


class UpstreamLicense(Cited):
    """A licence a variant inherits from something it is built on (a backbone, a teacher, a dataset)."""

    id: LicenseId
    url: HttpUrl | None = Field(None, description="The licence text; required for a `LicenseRef-…` id.")
    component: ShortText = Field(
        description="What the licence covers.", examples=["DINOv3 ViT-S/16 backbone (distilled)"]
    )

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
    int8_graph: Int8Graph | None = Field(
        None,
        description="Ask `versus export` for a smaller int8 graph of this variant's artifact, published when it "
        "keeps accuracy (see Int8Graph).",
    )
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
        examples=[
            [
                {
                    "id": "LicenseRef-DINOv3",
                    "url": "https://github.com/facebookresearch/dinov3/blob/main/LICENSE.md",
                    "component": "DINOv3 ViT-S/16 backbone",
                    "source": "readme",
                }
            ]
        ],
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
