"""Accuracy on the labelled sample set: COCO mAP50-95 and mAP50 computed by pycocotools' COCOeval.

The set is `../shared/images/coco-sample`: 100 COCO train2017 images with YOLO-format labels
(`class cx cy w h`, normalised, classes in the order of `coco-sample.yaml`). These are training images of
the models measured, so the figure is only comparable between models on this same set; it is recorded
under the dataset id `coco-train2017-sample100`, never as a val2017 figure.

Detections are matched to ground truth by class *name*, so a model with another label list (the SSD's
90 ids with gaps) is scored on the same 80 categories as the rest.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import yaml

from ..measurement import IMAGE_SET, Accuracy

# As Ultralytics' own `val`: keep low-confidence boxes (they raise recall at the tail of the PR curve).
SCORE_THRESHOLD = 0.001
MAX_DETECTIONS = 100  # COCOeval's maxDets for the headline figure


@dataclass(frozen=True)
class LabelledImage:
    path: Path
    boxes: np.ndarray  # [N, 4] normalised cx, cy, w, h
    classes: np.ndarray  # [N] indices into the set's names


@dataclass(frozen=True)
class LabelledSet:
    names: tuple[str, ...]
    images: tuple[LabelledImage, ...]


class SampleSetError(Exception):
    pass


def read_sample_set(root: Path) -> LabelledSet:
    """The image set with its labels; an image without a label file has no objects (as in YOLO datasets)."""
    config_path = root / "coco-sample.yaml"
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        names = config["names"]
        names = tuple(names[i] for i in range(len(names))) if isinstance(names, dict) else tuple(names)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SampleSetError(f"{config_path}: cannot read the class names ({exc})") from exc
    images = []
    for path in sorted((root / "images").glob("*.jpg")):
        label = root / "labels" / f"{path.stem}.txt"
        rows = np.loadtxt(label, ndmin=2) if label.is_file() and label.stat().st_size else np.zeros((0, 5))
        if rows.shape[1] != 5:
            raise SampleSetError(f"{label}: expected `class cx cy w h` on every line")
        bad = (rows[:, 0] < 0) | (rows[:, 0] >= len(names))
        if bad.any():
            raise SampleSetError(f"{label}: class {int(rows[bad][0, 0])} is not in {config_path.name}")
        images.append(LabelledImage(path, rows[:, 1:5], rows[:, 0].astype(int)))
    if not images:
        raise SampleSetError(f"{root / 'images'}: no .jpg images")
    return LabelledSet(names, tuple(images))


def ground_truth(sample: LabelledSet, sizes: Sequence[tuple[int, int]]) -> dict:
    """The labels as a COCO annotation dict (boxes in pixels, `[x, y, w, h]`); `sizes` are (height, width)."""
    images, annotations = [], []
    for image_id, (item, (height, width)) in enumerate(zip(sample.images, sizes, strict=True), start=1):
        images.append({"id": image_id, "file_name": item.path.name, "height": height, "width": width})
        for (cx, cy, w, h), cls in zip(item.boxes, item.classes, strict=True):
            bw, bh = w * width, h * height
            annotations.append({
                "id": len(annotations) + 1, "image_id": image_id, "category_id": int(cls) + 1,
                "bbox": [cx * width - bw / 2, cy * height - bh / 2, bw, bh], "area": bw * bh, "iscrowd": 0,
            })
    categories = [{"id": i + 1, "name": name} for i, name in enumerate(sample.names)]
    return {"images": images, "annotations": annotations, "categories": categories}


def detection_rows(image_id: int, detections: Sequence, label_names: Sequence[str | None], set_names: Sequence[str]) -> Iterator[dict]:
    """A model's detections as COCO result rows; classes the sample set does not have are dropped."""
    category = {name: i + 1 for i, name in enumerate(set_names)}
    for d in detections:
        name = label_names[d.label] if 0 <= d.label < len(label_names) else None
        if name not in category:
            continue
        x1, y1, x2, y2 = d.box
        yield {"image_id": image_id, "category_id": category[name], "bbox": [x1, y1, x2 - x1, y2 - y1], "score": d.score}


def coco_map(truth: dict, results: list[dict]) -> tuple[float, float]:
    """(mAP50-95, mAP50) by COCOeval; zero when the model found nothing at all."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    if not results:
        return 0.0, 0.0
    with contextlib.redirect_stdout(io.StringIO()):  # COCOeval prints its progress and table
        gt = COCO()
        gt.dataset = truth
        gt.createIndex()
        dt = gt.loadRes(results)
        evaluator = COCOeval(gt, dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return max(float(evaluator.stats[0]), 0.0), max(float(evaluator.stats[1]), 0.0)


def measure_accuracy(model: Path, runtime, label_names: Sequence[str | None], sample: LabelledSet,
                     progress: Callable[[int, int], None] | None = None) -> Accuracy:
    """Runs the artifact on every image with the reference pre-processing and decoding."""
    import onnxruntime as ort

    from ..decode import decode
    from ..preprocess import image_input, load_image, prepare

    ort.set_default_logger_severity(3)  # converted graphs warn about deprecated attributes; not the reader's concern
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    input_name = image_input(runtime.input, [i.name for i in session.get_inputs()])
    sizes, results = [], []
    for image_id, item in enumerate(sample.images, start=1):
        image = load_image(item.path)
        sizes.append(image.shape[:2])
        prepared = prepare(image, runtime.input)
        outputs = session.run(None, prepared.feeds(input_name))
        detections = decode(outputs, runtime, prepared.placement, score_threshold=SCORE_THRESHOLD)
        results.extend(detection_rows(image_id, detections[:MAX_DETECTIONS], label_names, sample.names))
        if progress:
            progress(image_id, len(sample.images))
    map50_95, map50 = coco_map(ground_truth(sample, sizes), results)
    return Accuracy(dataset=IMAGE_SET, images=len(sample.images), map50_95=map50_95, map50=map50,
                    tool=f"pycocotools {metadata.version('pycocotools')}", score_threshold=SCORE_THRESHOLD,
                    max_detections=MAX_DETECTIONS)
