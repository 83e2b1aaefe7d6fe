"""Measurement records: what one run measured for one artifact on one machine.

`versus bench` writes them, a visitor's browser can produce one ("measure on this device" in the demo), and
the site reads them from `catalog/measurements/<run>/<artifact id>.json`. A record names everything a
reader needs to judge a figure: the artifact's hash, the machine, threads, library and browser versions, the
date and the project commit. Records of different runs or machines are shown apart, never averaged.

A record is written while its run goes on (see `generator/bench/`), so it may be `complete: false`; a
complete record has every section either measured or skipped with a reason. Pure pydantic: the site reads
records without the export extra.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import Field, model_validator

from .schema import Strict

RECORD_VERSION: Final = 1
MEASUREMENTS_DIR = "measurements"
# Registry dataset ids of the accuracy sets. The bench measures on the first; the train2017 sample is for quick
# checks only (its images trained most of these models), and no page shows it beside a claim.
IMAGE_SET = "coco-val2017-person800"
QUICK_SET = "coco-train2017-sample100"
AccuracySetId = Literal["coco-val2017-person800", "coco-train2017-sample100"]
Section = Literal["native", "browser", "accuracy", "browser-accuracy"]
SECTIONS: tuple[Section, ...] = ("native", "browser", "accuracy")  # a complete record measures or skips each
# Sections added after records were first written: a complete record may lack them (a run made before they existed);
# `versus bench --resume RUN` adds them.
OPTIONAL_SECTIONS: tuple[Section, ...] = ("browser-accuracy",)
BENCH_SECTIONS: tuple[Section, ...] = SECTIONS + OPTIONAL_SECTIONS
RUN_PATTERN = r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9]+(?:-[a-z0-9]+)*$"

Ms = Annotated[float, Field(ge=0, allow_inf_nan=False)]
AGREEMENT = 0.10  # two runs on an idle machine agree this closely on every median; rounds of one run, too


class Figure(Strict):
    """A distribution of timings in milliseconds: the median and its spread, never a lone mean."""

    median: Ms
    q1: Ms = Field(description="25th percentile.")
    q3: Ms = Field(description="75th percentile.")
    min: Ms
    max: Ms
    runs: int = Field(ge=1, description="Timed runs behind the figures (warm-up runs not counted).")

    @model_validator(mode="after")
    def _ordered(self) -> Figure:
        if not self.min <= self.q1 <= self.median <= self.q3 <= self.max:
            raise ValueError("figures must satisfy min <= q1 <= median <= q3 <= max")
        return self

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median: how far one run strays from another."""
        return (self.q3 - self.q1) / self.median if self.median else 0.0


class NativeRound(Strict):
    """One fresh measuring process of a pooled native figure; rounds far apart show how the machine drifted."""

    started: dt.datetime
    inference_median: Ms
    end_to_end_median: Ms
    runs: int = Field(ge=1, description="Timed inference runs in this round.")


class NativeLatency(Strict):
    """onnxruntime's CPU execution provider in fresh processes, one thread setting. The figures pool the timings
    of every round: rounds spread over the run so that a minute of a busy host does not decide the median."""

    threads: int = Field(ge=1, le=256, description="intra_op_num_threads (inter-op 1, sequential execution).")
    warmup: int = Field(ge=0, description="Runs discarded before timing.")
    session_ms: Ms = Field(description="Session creation from the file on disk.")
    inference: Figure = Field(description="session.run alone, on a prepared tensor.")
    end_to_end: Figure = Field(
        description="Decoded image in, detections out: pre-processing, inference, decoding and NMS."
    )
    peak_rss_bytes: int = Field(
        ge=0,
        description="Peak resident memory of the measuring process after session creation and the inference runs: Python, numpy, onnxruntime and the model, before any pre- or post-processing library is imported.",
    )
    rss_before_session_bytes: int | None = Field(
        None,
        ge=0,
        description="The same process just before the session was created: subtract it for the model's own share.",
    )
    rounds: list[NativeRound] = Field(
        default_factory=list,
        description="The measuring processes pooled into the figures, in the order they ran (session_ms is their median; the memory figures come from the round with the highest peak).",
    )

    @property
    def drift(self) -> float:
        """How far the rounds' inference medians stray from each other, relative to the pooled median."""
        medians = [r.inference_median for r in self.rounds]
        return (
            (max(medians) - min(medians)) / self.inference.median if len(medians) > 1 and self.inference.median else 0.0
        )

    @property
    def settled(self) -> bool:
        """False when the rounds disagree by more than runs should: the machine was busy, judge by the spread."""
        return self.drift <= AGREEMENT


# Where the demo ran a model: wasm, or an accelerator it switched to after a one-image check
# (wasm_demo/src/accelerators.js).
Backend = Literal["wasm", "webgpu", "webnn"]


class BrowserLatency(Strict):
    """The demo's own worker code in a browser: the figures a visitor would see."""

    backend: Backend
    requested_threads: int = Field(
        ge=1, le=256, description="The thread setting asked for; without cross-origin isolation the browser runs one."
    )
    threads: int | None = Field(
        ge=1, le=256, description="wasm threads actually used; null for an accelerator (WebGPU, WebNN)."
    )
    cross_origin_isolated: bool
    warmup: int = Field(ge=0)
    cold: Figure | None = Field(
        description="Session creation plus first inference, one per fresh page; null if not measured."
    )
    inference: Figure = Field(description="Warm session.run.")
    preprocess: Figure
    postprocess: Figure
    end_to_end: Figure = Field(description="Warm pre-processing + inference + decoding and NMS.")
    memory_bytes: int | None = Field(
        None,
        ge=0,
        description="Page and this model's worker after the warm runs (measureUserAgentSpecificMemory), when the browser reports it: with one wasm thread only, as Chromium waits a minute for an idle wasm thread pool.",
    )


Ratio = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class ClassAccuracy(Strict):
    """COCO AP of one category (pycocotools' precision array for that category, all sizes, 100 detections)."""

    name: str = Field(description="The category's name (detections are matched to labels by name).")
    ap50_95: Ratio
    ap50: Ratio
    instances: int = Field(ge=1, description="Labelled boxes of this category in the set: few boxes, a noisy AP.")


class BootstrapInterval(Strict):
    """How far mAP50-95 moves when the images are drawn again: a bootstrap over images (see generator/coco_eval.py)."""

    low: Ratio
    high: Ratio
    confidence: float = Field(gt=0, lt=1, description="0.95: a 95% interval.")
    resamples: int = Field(ge=1, description="Resampled image sets, each as large as the set, drawn with replacement.")
    seed: int = Field(description="numpy's default_rng seed for the draws.")
    method: Literal["bias-corrected percentile"] = Field(
        "bias-corrected percentile",
        description="Efron's BC interval: the percentiles of the resampled figures, shifted "
        "by how many of them fall below the set's own figure (plain percentiles when half do).",
    )
    share_below: Ratio = Field(
        description="Share of the resampled figures below the set's own (ties count half): "
        "0.5 for a bootstrap without bias; resampled mAP tends to run high."
    )

    @model_validator(mode="after")
    def _ordered(self) -> BootstrapInterval:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class NmsProtocol(Strict):
    """The decoder's NMS as the accuracy run used it (its own settings; only the score threshold is lowered)."""

    where: Literal["outside", "inside", "none"] = Field(
        description="`outside`: run by the decoder after the graph; "
        "`inside`: in the graph (its own settings apply); `none`: an NMS-free head."
    )
    class_aware: bool | None = Field(
        description="Boxes of different classes never suppress each other; null unless `outside`."
    )
    iou_threshold: Ratio | None = Field(description="Null unless `outside`.")
    max_kept: int = Field(
        ge=1, description="The decoder's cap on detections per image before the evaluation's own cap."
    )


class AccuracyProtocol(Strict):
    """Everything that decides the accuracy figure besides the model itself."""

    label_source: str = Field(description="Where the labels come from.")
    crowd: str = Field(description="How crowd regions are treated.")
    size_buckets: str = Field(description="What area the small/medium/large buckets use.")
    images_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="sha256 of the image file names, sorted, one a line: which images."
    )
    labels_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="sha256 of the label files' bytes in that order: which labels."
    )
    input_size: tuple[int, int] = Field(description="The model input, [height, width].")
    resize: str = Field(description="How an image becomes the input, e.g. `letterbox (centre)`.")
    precision: str = Field(description="The artifact's weights, e.g. `fp32`, `int8 (QDQ)`: what was measured.")
    nms: NmsProtocol


class Accuracy(Strict):
    """COCO box AP of the artifact on a labelled set (`generator/coco_eval.py`)."""

    dataset: AccuracySetId = Field(
        description="A registry dataset id: `coco-val2017-person800` (the bench's set) or "
        "`coco-train2017-sample100` (quick checks; training images of most models)."
    )
    images: int = Field(ge=1)
    instances: int | None = Field(None, ge=0, description="Labelled boxes in the set.")
    map50_95: Ratio = Field(description="COCO mAP averaged over IoU 0.50:0.95.")
    map50: Ratio = Field(description="COCO mAP at IoU 0.50.")
    map75: Ratio | None = Field(None, description="COCO mAP at IoU 0.75.")
    ap_small: Ratio | None = Field(
        None, description="mAP50-95 on boxes under 32² px (see protocol.size_buckets); null: none in the set."
    )
    ap_medium: Ratio | None = Field(None, description="32² to 96² px.")
    ap_large: Ratio | None = Field(None, description="Over 96² px.")
    per_class: list[ClassAccuracy] = Field(
        default_factory=list, description="Every category with labelled boxes in the set."
    )
    interval: BootstrapInterval | None = Field(None, description="Of map50_95.")
    protocol: AccuracyProtocol | None = None
    tool: str = Field(description="The evaluator and its version, e.g. `pycocotools 2.0.10`.")
    score_threshold: float = Field(ge=0, le=1, description="Lowest score kept before evaluation.")
    max_detections: int = Field(
        ge=1, description="Detections per image kept for evaluation, best first (COCO's maxDets)."
    )

    @model_validator(mode="after")
    def _val2017_is_complete(self) -> Accuracy:
        """Records on the bench's set carry every figure and the protocol (records on the quick set may be bare)."""
        if self.dataset == IMAGE_SET:
            missing = [f for f in ("instances", "map75", "interval", "protocol") if getattr(self, f) is None]
            if missing or not self.per_class:
                raise ValueError(
                    f"accuracy on {IMAGE_SET}: {', '.join(missing + ([] if self.per_class else ['per_class']))} missing"
                )
        return self


class DetectionAgreement(Strict):
    """Image by image, the browser's confident detections against native onnxruntime's: each needs a twin of the
    same class on the other side (the export parity tolerance of the artifact, `generator/export/agreement.py`)."""

    confident: Ratio = Field(description="Detections scoring at least this must have a twin.")
    min_iou: Ratio = Field(description="A twin overlaps at least this much ...")
    score_delta: float = Field(ge=0, le=1, description="... and scores within this of the detection.")
    images: int = Field(ge=1)
    images_agreeing: int = Field(ge=0, description="Images where every confident detection, both sides, has a twin.")
    detections: int = Field(ge=0, description="Confident detections, both sides, all images.")
    matched: int = Field(ge=0, description="Of those, how many have a twin.")

    @property
    def share(self) -> float:
        """Share of the confident detections that have a twin (1.0 when there are none)."""
        return self.matched / self.detections if self.detections else 1.0


class BrowserAccuracy(Strict):
    """COCO box mAP of the artifact through the demo's own code (onnxruntime-web, the demo worker's pre-processing,
    decoding and NMS) in headless Chromium, beside native onnxruntime with the Python reference on the very same
    images, scored by the same evaluator (`generator/bench/browser_accuracy.py`)."""

    dataset: AccuracySetId = Field(description="The registry dataset the images are taken from.")
    images: int = Field(ge=1, description="The first this many images of the set, in its order.")
    images_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$", description="sha256 of those image file names, one a line: which images."
    )
    backend: Backend
    threads: int = Field(ge=1, le=256, description="wasm threads in the browser (they do not change the detections).")
    map50_95: Ratio = Field(description="Browser: COCO mAP averaged over IoU 0.50:0.95.")
    map50: Ratio = Field(description="Browser: COCO mAP at IoU 0.50.")
    native_map50_95: Ratio = Field(description="Native onnxruntime on the same images.")
    native_map50: Ratio
    difference: float = Field(ge=-1, le=1, description="Browser minus native mAP50-95.")
    difference_interval: tuple[float, float] | None = Field(
        None,
        description="95% interval of that difference: the same bootstrap draws of the images for both sides (paired), "
        "plain percentiles; null when not computed.",
    )
    agreement: DetectionAgreement
    tool: str = Field(description="The evaluator and its version, e.g. `pycocotools 2.0.10`.")
    score_threshold: float = Field(ge=0, le=1, description="Lowest score kept before evaluation, both sides.")
    max_detections: int = Field(ge=1, description="Detections per image kept for evaluation, both sides.")

    @model_validator(mode="after")
    def _difference_adds_up(self) -> BrowserAccuracy:
        if abs(self.map50_95 - self.native_map50_95 - self.difference) > 1e-9:
            raise ValueError("difference must be map50_95 - native_map50_95")
        return self


class Machine(Strict):
    name: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", description="A short id for the machine, used in run ids.")
    cpu: str | None = Field(description="CPU model; null where it cannot be read (a browser does not say).")
    cores: int = Field(ge=1, description="Logical cores the operating system reports.")
    memory_bytes: int | None = Field(ge=0, description="Physical memory; a browser reports a rounded figure at best.")
    os: str | None
    gpu: str | None = None


class ArtifactRef(Strict):
    artifact_id: str
    card_id: str
    variant_id: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0, description="Download size of model.onnx.")
    trained: bool = Field(description="False: random weights, latency only.")


class Measurement(Strict):
    """One artifact in one run on one machine. Committed as `catalog/measurements/<run>/<artifact id>.json`; the
    site publishes every record, as committed, in `measurements.json` (`records`) beside this schema."""

    record_version: Literal[1] = RECORD_VERSION
    run: str = Field(pattern=RUN_PATTERN, description="`<UTC start>-<machine name>`; the records of one run share it.")
    recorded_by: Literal["versus bench", "versus demo"]
    started: dt.datetime = Field(description="When the run started (UTC).")
    updated: dt.datetime = Field(description="When this record was last written (UTC).")
    commit: str | None = Field(description="The project's git commit, `+dirty` when files differed from it.")
    machine: Machine
    software: dict[str, str] = Field(
        description="Versions: onnxruntime, onnxruntime-web, browser, python, pycocotools …"
    )
    artifact: ArtifactRef
    complete: bool = Field(description="False while the run is still filling this record in.")
    native: list[NativeLatency] = Field(default_factory=list)
    browser: list[BrowserLatency] = Field(default_factory=list)
    accuracy: Accuracy | None = None
    browser_accuracy: BrowserAccuracy | None = Field(
        default=None,
        description="Accuracy through the browser path on a subset; absent in records made before it existed.",
    )
    skipped: dict[Section, str] = Field(default_factory=dict, description="Sections not measured, and why.")

    @model_validator(mode="after")
    def _consistent(self) -> Measurement:
        for section in BENCH_SECTIONS:
            measured = bool(getattr(self, section_field(section)))
            if measured and section in self.skipped:
                raise ValueError(f"{section}: both measured and skipped ({self.skipped[section]!r})")
            if self.complete and not measured and section not in self.skipped and section in SECTIONS:
                raise ValueError(f"{section}: a complete record measures it or says in `skipped` why not")
        if not self.artifact.trained and (self.accuracy is not None or self.browser_accuracy is not None):
            raise ValueError("accuracy: an untrained artifact has random weights; its accuracy means nothing")
        threads = [n.threads for n in self.native]
        if len(threads) != len(set(threads)):
            raise ValueError("native: one entry per thread setting")
        if self.updated < self.started:
            raise ValueError("updated: earlier than started")
        return self

    def pending(self) -> list[Section]:
        return [s for s in SECTIONS if not getattr(self, s) and s not in self.skipped]


def section_field(section: Section) -> str:
    """The record field holding a section's figures: `browser-accuracy` -> `browser_accuracy`."""
    return section.replace("-", "_")


def run_id(started: dt.datetime, machine_name: str) -> str:
    return f"{started.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{machine_name}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "machine"


def record_path(root: Path, record: Measurement) -> Path:
    return root / record.run / f"{record.artifact.artifact_id}.json"


def record_json(record: Measurement) -> str:
    return json.dumps(record.model_dump(mode="json"), indent=2) + "\n"


def write_record(root: Path, record: Measurement) -> Path:
    """Atomically: a reader (or an interrupted run) sees the old record or the new one, never half of one."""
    path = record_path(root, record)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(record_json(record), encoding="utf-8")
    tmp.replace(path)
    return path


def read_record(path: Path) -> Measurement:
    return Measurement.model_validate_json(path.read_text(encoding="utf-8"))


def json_schema() -> dict:
    return Measurement.model_json_schema()
