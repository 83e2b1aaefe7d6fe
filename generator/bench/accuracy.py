"""The bench's accuracy step: the artifact's own ONNX file run on a labelled set with the reference pre-processing
and decoding, scored by `generator/coco_eval.py`, recorded with the protocol that decides the figure.

Two sets (`SETS`), each a registry dataset id:
- `val2017` (`coco-val2017-person800`, the default): the 800 COCO val2017 images listed in
  `catalog/datasets/coco-val2017-person800.csv`, each checked by sha256, from a folder in the
  `../shared/images/coco-val2017` layout (see `generator/commands/bench.py` for where it is looked for);
- `sample100` (`coco-train2017-sample100`): 100 COCO train2017 images (`../shared/images/coco-sample`), for quick
  tests and smoke runs only: most of these models were trained on them, so no page shows it beside a claim.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import coco_eval, labelled_set
from ..decode import Detection
from ..labelled_set import LabelledSet
from ..measurement import (
    IMAGE_SET,
    QUICK_SET,
    Accuracy,
    AccuracyProtocol,
    BootstrapInterval,
    ClassAccuracy,
    NmsProtocol,
)

SCORE_THRESHOLD = coco_eval.SCORE_THRESHOLD
MAX_DETECTIONS = coco_eval.MAX_DETECTIONS
LISTS_DIR = "datasets"  # catalog/datasets/<dataset id>.csv: the images that make a defined set

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class AccuracySet:
    """A labelled set the bench measures on, and what a reader must know about its labels."""

    key: str  # the name on the command line
    dataset: str  # registry dataset id, recorded with every figure
    label_list: str  # registry label list of the label files' class indices
    listed: bool  # True: catalog/datasets/<dataset>.csv lists the images; a folder must hold them all, unchanged
    label_source: str
    crowd: str


SIZE_BUCKETS = (
    "box area of the labels (small < 32², medium 32²-96², large > 96² px): the labels have no "
    "segmentation masks, whose area the official COCO evaluation uses, so some objects fall in a larger bucket"
)
SETS = {
    "val2017": AccuracySet(
        "val2017",
        IMAGE_SET,
        "coco-80",
        True,
        label_source="COCO's official instances_val2017.json boxes as YOLO labels (Ultralytics' coco2017labels conversion)",
        crowd="crowd regions (iscrowd=1) are not in the labels: a detection on a crowd counts as a false positive, where "
        "the official annotations would ignore it",
    ),
    "sample100": AccuracySet(
        "sample100",
        QUICK_SET,
        "coco-80",
        False,
        label_source="Ultralytics' coco128 labels of COCO train2017 images (training images of most models here)",
        crowd="crowd regions are not in the labels: a detection on a crowd counts as a false positive",
    ),
}
DEFAULT_SET = "val2017"


@dataclass(frozen=True)
class BenchSet:
    """A loaded accuracy set: its images and labels, what it is, and digests that say exactly which."""

    spec: AccuracySet
    labelled: LabelledSet
    images_sha256: str
    labels_sha256: str


def load_set(spec: AccuracySet, root: Path, names: Sequence[str], catalog_dir: Path) -> BenchSet:
    """The set from `root`; for a listed set, exactly its listed images, checked. Raises LabelledSetError."""
    labelled = labelled_set.read_labelled_set(root, names)
    if spec.listed:
        labelled = labelled_set.select_listed(
            labelled, labelled_set.read_image_list(catalog_dir / LISTS_DIR / f"{spec.dataset}.csv")
        )
    return BenchSet(spec, labelled, *labelled_set.set_digests(labelled))


def read_sample_set(root: Path) -> BenchSet:
    """The train2017 sample (quick checks), class names from its own yaml."""
    labelled = labelled_set.read_labelled_set(root)
    return BenchSet(SETS["sample100"], labelled, *labelled_set.set_digests(labelled))


def weights_precision(model: Path) -> str:
    """The artifact's weight precision, read from its graph: the element type holding most weight values
    (as `count_parameters` counts them), `quantized` where the graph dequantizes them."""
    import onnx
    from onnx import TensorProto

    graph = onnx.load(str(model), load_external_data=False).graph
    names = {
        TensorProto.FLOAT: "fp32",
        TensorProto.FLOAT16: "fp16",
        TensorProto.BFLOAT16: "bf16",
        TensorProto.DOUBLE: "fp64",
        TensorProto.INT8: "int8",
        TensorProto.UINT8: "uint8",
    }
    totals: dict[str, int] = {}
    for init in graph.initializer:
        size = 1
        for dim in init.dims:
            size *= dim
        if init.data_type in names and size > 1:
            totals[names[init.data_type]] = totals.get(names[init.data_type], 0) + size
    if not totals:
        return "not-stated"
    kind = max(totals, key=totals.__getitem__)
    quantized = kind in ("int8", "uint8") and any(
        n.op_type in ("DequantizeLinear", "QLinearConv", "ConvInteger") for n in graph.node
    )
    return f"{kind} (quantized weights)" if quantized else kind


def artifact_precision(model: Path, source_quantization: str | None, source_format: str) -> str:
    """What the artifact computes with: the graph's weight precision, and what the manifest's converter says about
    the source (`quantization`: `weights` for 8-bit weights dequantized on conversion, which keep their quantized
    values in a float graph; `activations` for a graph quantized throughout)."""
    graph = weights_precision(model)
    if source_quantization == "weights":
        return f"{graph} holding the {source_format} source's quantized weights (dequantized on conversion)"
    if source_quantization == "activations":
        return f"{graph}, activations quantized too (QDQ graph of the {source_format} source)"
    return graph


def protocol(bench_set: BenchSet, runtime, precision: str) -> AccuracyProtocol:
    """The settings that decide the figure besides the model, read from the runtime spec the run used."""
    spec, decoder, model_input = bench_set.spec, runtime.decoder, runtime.input
    where = decoder.nms
    return AccuracyProtocol(
        label_source=spec.label_source,
        crowd=spec.crowd,
        size_buckets=SIZE_BUCKETS,
        images_sha256=bench_set.images_sha256,
        labels_sha256=bench_set.labels_sha256,
        input_size=tuple(model_input.size),
        resize=f"letterbox ({model_input.align})" if model_input.resize == "letterbox" else model_input.resize,
        precision=precision,
        nms=NmsProtocol(
            where=where,
            class_aware=getattr(decoder, "class_aware_nms", None) if where == "outside" else None,
            iou_threshold=getattr(decoder, "iou_threshold", None) if where == "outside" else None,
            max_kept=decoder.max_detections,
        ),
    )


def detect(
    model: Path, runtime, label_names: Sequence[str | None], labelled: LabelledSet, progress: Progress | None = None
) -> list[dict]:
    """COCO result rows of the artifact on every image; each image's decoded size must be the one the set records."""
    results: list[dict] = []
    for image_id, detections in enumerate(detections_by_image(model, runtime, labelled, progress), start=1):
        results.extend(coco_eval.detection_rows(image_id, detections, label_names, labelled.names))  # type: ignore[arg-type]
    return results


def detections_by_image(
    model: Path, runtime, labelled: LabelledSet, progress: Progress | None = None
) -> Iterator[list[Detection]]:
    """The artifact's detections on each image in turn, best first, at the evaluation's threshold and cap (the
    browser accuracy step compares them image by image with the browser's)."""
    import onnxruntime as ort

    from ..decode import decode
    from ..preprocess import image_input, load_image, prepare

    ort.set_default_logger_severity(3)  # converted graphs warn about deprecated attributes; not the reader's concern
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    input_name = image_input(runtime.input, [i.name for i in session.get_inputs()])
    for image_id, item in enumerate(labelled.images, start=1):
        image = load_image(item.path)
        if item.size is not None and image.shape[:2] != item.size:
            raise labelled_set.LabelledSetError(
                f"{item.path}: decodes to {image.shape[1]}x{image.shape[0]}, the set says {item.size[1]}x{item.size[0]}"
            )
        prepared = prepare(image, runtime.input)
        outputs = session.run(None, prepared.feeds(input_name))
        yield decode(outputs, runtime, prepared.placement, score_threshold=SCORE_THRESHOLD)[:MAX_DETECTIONS]
        if progress:
            progress(image_id, len(labelled.images))


def image_sizes(labelled: LabelledSet) -> list[tuple[int, int]]:
    """Each image's (height, width): recorded by the set, else read from the file."""
    from ..preprocess import load_image

    return [item.size or load_image(item.path).shape[:2] for item in labelled.images]


def measure_accuracy(
    model: Path,
    runtime,
    label_names: Sequence[str | None],
    bench_set: BenchSet,
    progress: Progress | None = None,
    resamples: int = coco_eval.BOOTSTRAP_RESAMPLES,
    log: Callable[[str], None] | None = None,
    source_quantization: str | None = None,
    source_format: str = "onnx",
) -> Accuracy:
    """Every figure of the artifact on the set, with the protocol. `source_quantization` and `source_format` are
    what the artifact's manifest says of its source (see `artifact_precision`)."""
    labelled = bench_set.labelled
    started = time.perf_counter()
    results = detect(model, runtime, label_names, labelled, progress)
    detected = time.perf_counter()
    truth = coco_eval.ground_truth(labelled, image_sizes(labelled))
    figures = coco_eval.evaluate(truth, results, resamples=resamples)
    if log:
        log(
            f"{model.parent.name}: accuracy on {len(labelled.images)} images in {time.perf_counter() - started:.0f} s "
            f"(inference and decoding {detected - started:.0f} s, COCOeval and {resamples} bootstrap resamples "
            f"{time.perf_counter() - detected:.0f} s)"
        )
    interval = figures.interval
    return Accuracy(
        dataset=bench_set.spec.dataset,
        images=figures.images,
        instances=figures.instances,
        map50_95=figures.map50_95,
        map50=figures.map50,
        map75=figures.map75,
        ap_small=figures.ap_small,
        ap_medium=figures.ap_medium,
        ap_large=figures.ap_large,
        per_class=[
            ClassAccuracy(name=c.name, ap50_95=c.ap50_95, ap50=c.ap50, instances=c.instances) for c in figures.per_class
        ],
        interval=None
        if interval is None
        else BootstrapInterval(
            low=interval.low,
            high=interval.high,
            confidence=interval.confidence,
            resamples=interval.resamples,
            seed=interval.seed,
            share_below=interval.share_below,
        ),
        protocol=protocol(bench_set, runtime, artifact_precision(model, source_quantization, source_format)),
        tool=coco_eval.evaluator_version(),
        score_threshold=SCORE_THRESHOLD,
        max_detections=MAX_DETECTIONS,
    )
