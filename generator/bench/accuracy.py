"""Accuracy on the labelled sample set: COCO mAP50-95 and mAP50, evaluated by `generator/coco_eval.py`.

The set is `../shared/images/coco-sample`: 100 COCO train2017 images with YOLO-format labels
(`class cx cy w h`, normalised, classes in the order of `coco-sample.yaml`). These are training images of
the models measured, so the figure is only comparable between models on this same set; it is recorded
under the dataset id `coco-train2017-sample100`, never as a val2017 figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .. import coco_eval
from ..coco_eval import LabelledSet
from ..measurement import IMAGE_SET, Accuracy

SCORE_THRESHOLD = coco_eval.SCORE_THRESHOLD
MAX_DETECTIONS = coco_eval.MAX_DETECTIONS


def read_sample_set(root: Path) -> LabelledSet:
    return coco_eval.read_labelled_set(root)


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
        results.extend(coco_eval.detection_rows(image_id, detections[:MAX_DETECTIONS], label_names, sample.names))
        if progress:
            progress(image_id, len(sample.images))
    map50_95, map50 = coco_eval.coco_map(coco_eval.ground_truth(sample, sizes), results)
    return Accuracy(dataset=IMAGE_SET, images=len(sample.images), map50_95=map50_95, map50=map50,
                    tool=coco_eval.evaluator_version(), score_threshold=SCORE_THRESHOLD, max_detections=MAX_DETECTIONS)
