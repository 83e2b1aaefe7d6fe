"""Reference decoders: a detector's raw output tensors to detections in image pixels, chosen by the
card's `decoder.kind` (never by the model's name). The export step verifies artifacts with these; the
browser demo's golden tests and the bench compare against them.

- `ultralytics`: one `[1, 4 + C, N]` tensor, centre boxes then per-class scores; best class per box,
  score threshold, then NMS outside the graph (torchvision's `batched_nms` when class-aware).
- `nms-in-graph`: boxes, classes, scores and a count that the graph already filtered.

Needs the `export` extra (torch for NMS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .preprocess import Placement
from .schema import DemoRuntime, NmsInGraph, UltralyticsHead


@dataclass(frozen=True)
class Detection:
    """One box in image pixels; `label` is an id in the runtime spec's label list."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    score: float
    label: int


def decode(
    outputs: Sequence[np.ndarray],
    runtime: DemoRuntime,
    placement: Placement,
    score_threshold: float | None = None,
) -> list[Detection]:
    """Detections, best first. `score_threshold` overrides the spec's (verification looks lower)."""
    decoder = runtime.decoder
    threshold = decoder.score_threshold if score_threshold is None else score_threshold
    input_h, input_w = runtime.input.size
    if isinstance(decoder, UltralyticsHead):
        boxes, scores, labels = _ultralytics(outputs[0], decoder, threshold, input_w, input_h)
    else:
        boxes, scores, labels = _nms_in_graph(outputs, decoder, threshold, input_w, input_h)
    boxes = placement.to_image(boxes)
    order = np.argsort(-scores, kind="stable")[: decoder.max_detections]
    return [Detection(tuple(float(v) for v in boxes[i]), float(scores[i]), int(labels[i])) for i in order]


def _ultralytics(
    output: np.ndarray, decoder: UltralyticsHead, threshold: float, input_w: int, input_h: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import torch
    from torchvision.ops import batched_nms, nms

    rows = np.asarray(output, dtype=np.float32)[0]  # [4 + C, N]
    if rows.shape[0] != 4 + decoder.classes:
        raise ValueError(f"output has {rows.shape[0]} rows, the decoder expects 4 + {decoder.classes} classes")
    class_scores = rows[4:]
    if decoder.score_activation == "sigmoid":
        class_scores = 1 / (1 + np.exp(-class_scores))
    labels = class_scores.argmax(axis=0)
    scores = class_scores[labels, np.arange(rows.shape[1])]
    keep = scores > threshold
    cx, cy, w, h = rows[:4, keep]
    if decoder.coordinates == "normalized":
        cx, w = cx * input_w, w * input_w
        cy, h = cy * input_h, h * input_h
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    scores, labels = scores[keep], labels[keep]
    t_boxes, t_scores = torch.from_numpy(boxes), torch.from_numpy(scores)
    if decoder.class_aware_nms:
        kept = batched_nms(t_boxes, t_scores, torch.from_numpy(labels), decoder.iou_threshold)
    else:
        kept = nms(t_boxes, t_scores, decoder.iou_threshold)
    kept = kept.numpy()[: decoder.max_detections]
    return boxes[kept], scores[kept], labels[kept]


def _nms_in_graph(
    outputs: Sequence[np.ndarray], decoder: NmsInGraph, threshold: float, input_w: int, input_h: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = decoder.outputs
    count = int(round(float(np.asarray(outputs[index.count]).reshape(-1)[0])))
    boxes = np.asarray(outputs[index.boxes], dtype=np.float64).reshape(-1, 4)[:count]
    classes = np.asarray(outputs[index.classes]).reshape(-1)[:count]
    scores = np.asarray(outputs[index.scores], dtype=np.float64).reshape(-1)[:count]
    if decoder.box_format == "yxyx":
        boxes = boxes[:, [1, 0, 3, 2]]
    if decoder.coordinates == "normalized":
        boxes = boxes * np.array([input_w, input_h, input_w, input_h])
    labels = np.rint(classes).astype(np.int64) + decoder.class_offset
    keep = scores >= threshold
    return boxes[keep], scores[keep], labels[keep]


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union of two xyxy boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0
