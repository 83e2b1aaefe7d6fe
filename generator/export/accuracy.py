"""The accuracy check of exports that nothing independent decoded (ONNX sources, with no framework to compare
with; TFLite files without post-processing or metadata of their own, whose reference detections come from
generator/decode.py too): COCO mAP on a few labelled COCO val2017 images, so that a mis-decoded model (boxes in
the wrong units, a wrong input scale, a wrong decoder kind) cannot reach the demo. The figure and the image
count go into the manifest (`AccuracyInfo`).

The labelled set is `../shared/images/coco-val2017` (or `$VERSUS_ACCURACY_IMAGES`): `images/*.jpg` and
`labels/<stem>.txt` with `class cx cy w h` per object (class 0-79 in the 80-class COCO order, normalized).
Scoring is `generator/coco_eval.py`'s COCOeval wrapper, as the bench's: detections are matched to the
labels by class name, so models with the 90-id label list are scored on the same 80 categories. These images
all contain people (see that folder's README), so figures are comparable with each other, not with papers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import coco_eval, labelled_set
from .manifest import AccuracyInfo

DEFAULT_COUNT = 100  # the first N images by file name: enough for a stable figure, about 10 s for a small model
# Below this mAP50-95 the export fails. Measured on the first 30 of these images: YOLOX-Nano 0.319 as specified,
# 0.0 with 0-1 input instead of 0-255 (and in tests/test_export_pipeline.py, SSD boxes read as pixels where they
# are 0-1 score 0.0); but the subtle
# faults keep most of the figure (YOLOX-Nano with RGB 0.288, centred 0.309; NanoDet-m with cell corners instead
# of centres 0.145 against 0.298), so the floor catches a wrong decoder, not every wrong setting: the figure in
# the manifest is there to be read against the others.
MIN_MAP50_95 = 0.05
SCORE_THRESHOLD = coco_eval.SCORE_THRESHOLD
MAX_DETECTIONS = coco_eval.MAX_DETECTIONS


@dataclass(frozen=True)
class LabelledImages:
    root: Path
    names: tuple[str, ...]  # the label file's class indices, as names
    paths: tuple[Path, ...]

    @property
    def name(self) -> str:
        return f"{self.root.name} (first {len(self.paths)} labelled images by file name)"

    def digest(self) -> list[tuple[str, str]]:
        out = []
        for path in self.paths:
            label = self.root / "labels" / f"{path.stem}.txt"
            h = hashlib.sha256(path.read_bytes())
            if label.is_file():
                h.update(label.read_bytes())
            out.append((path.name, h.hexdigest()))
        return out


def find_labelled(root: Path | None, names: Sequence[str], count: int = DEFAULT_COUNT) -> LabelledImages | None:
    """The first `count` labelled images under `root`, or None when there are none."""
    if root is None or not (root / "images").is_dir() or not (root / "labels").is_dir():
        return None
    paths = sorted((root / "images").glob("*.jpg"))[:count]
    return LabelledImages(root, tuple(names), tuple(paths)) if paths else None


def measure(session, runtime, labels: Mapping[int, str], images: LabelledImages) -> dict:
    """COCO mAP of an onnxruntime session with the reference pre-processing and decoding."""
    from ..decode import decode
    from ..preprocess import image_input, load_image, prepare

    items: list[labelled_set.LabelledImage] = []
    sizes: list[tuple[int, int]] = []
    results: list[dict] = []
    input_name = image_input(runtime.input, [i.name for i in session.get_inputs()])
    label_names = [labels.get(i) for i in range(max(labels, default=-1) + 1)]
    for image_id, path in enumerate(images.paths, start=1):
        rows = labelled_set.read_labels(images.root / "labels" / f"{path.stem}.txt", len(images.names))
        items.append(labelled_set.LabelledImage(path, rows[:, 1:5], rows[:, 0].astype(int)))
        image = load_image(path)
        sizes.append(image.shape[:2])
        prepared = prepare(image, runtime.input)
        outputs = session.run(None, prepared.feeds(input_name))
        detections = decode(outputs, runtime, prepared.placement, score_threshold=SCORE_THRESHOLD)
        results.extend(coco_eval.detection_rows(image_id, detections[:MAX_DETECTIONS], label_names, images.names))
    truth = coco_eval.ground_truth(labelled_set.LabelledSet(images.root, images.names, tuple(items)), sizes)
    map50_95, map50 = coco_eval.coco_map(truth, results)
    return {
        "map50_95": round(map50_95, 4),
        "map50": round(map50, 4),
        "tool": f"{coco_eval.evaluator_version()} COCOeval (bbox)",
    }


def info(image_set: str, images: int, figures: Mapping[str, object]) -> AccuracyInfo:
    """A manifest's accuracy record: `measure`'s figures with the settings that produced them and the floor."""
    return AccuracyInfo.model_validate(
        {
            "image_set": image_set,
            "images": images,
            "min_map50_95": MIN_MAP50_95,
            "score_threshold": SCORE_THRESHOLD,
            "max_detections": MAX_DETECTIONS,
            **figures,
        }
    )
