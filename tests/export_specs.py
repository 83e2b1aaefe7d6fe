"""Runtime specs and raw heads the export unit tests build on."""

from __future__ import annotations

import numpy as np

from generator.preprocess import Placement
from generator.schema import DemoRuntime


def runtime(**decoder) -> DemoRuntime:
    spec = {
        "task": "object-detection",
        "source": "s",
        "labels": "coco-80",
        "input": {"size": [640, 640], "layout": "NCHW", "dtype": "float32", "resize": "letterbox", "scale": 1 / 255},
        "decoder": {"kind": "ultralytics", "coordinates": "pixels", "classes": 80, **decoder},
    }
    return DemoRuntime.model_validate(spec)


SSD_RUNTIME = DemoRuntime.model_validate(
    {
        "task": "object-detection",
        "source": "s",
        "labels": "coco-90",
        "input": {"size": [300, 300], "layout": "NHWC", "dtype": "uint8", "resize": "stretch"},
        "decoder": {
            "kind": "nms-in-graph",
            "box_format": "yxyx",
            "coordinates": "normalized",
            "classes": 90,
            "class_offset": 1,
            "outputs": {"boxes": 0, "classes": 1, "scores": 2, "count": 3},
            "max_detections": 20,
        },
    }
)

IDENTITY = Placement(1.0, 1.0, 0.0, 0.0, 640, 640)


def head(
    boxes_cxcywh: list[tuple[float, float, float, float]], scores: list[dict[int, float]], classes: int = 80
) -> np.ndarray:
    out = np.zeros((1, 4 + classes, len(boxes_cxcywh)), np.float32)
    for i, (box, per_class) in enumerate(zip(boxes_cxcywh, scores)):
        out[0, :4, i] = box
        for label, score in per_class.items():
            out[0, 4 + label, i] = score
    return out
