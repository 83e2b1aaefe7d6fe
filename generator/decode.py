"""Reference decoders: a detector's raw output tensors to detections in image pixels, chosen by the
card's `decoder.kind` (never by the model's name). The export step verifies artifacts with these; the
browser demo's golden tests and the bench compare against them.

- `ultralytics`: one `[1, 4 + C, N]` tensor, centre (or corner) boxes then per-class scores, int8 outputs
  dequantized first; best class per box, score threshold, then NMS outside the graph (torchvision's
  `batched_nms` when class-aware).
- `nms-in-graph`: boxes, classes, scores (and a count) that the graph already filtered.
- `detection-rows`: one tensor of final detections, a row each (YOLO26's NMS-free head, PicoDet's NMS).
- `yolox`: YOLOX's raw grid head, decoded per stride (cell + offset, exp size), objectness x class; NMS.
- `gfl`: NanoDet's per-level scores and distance distributions (softmax expectation x stride); NMS.

The newer decoders compute in float64 (the browser demo does the same, so both sides agree bit for bit
up to `exp`); `ultralytics` keeps the float32 arithmetic of Ultralytics' own post-processing.

Needs the `export` extra (torch for NMS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .preprocess import Placement
from .schema import DemoRuntime, DetectionRows, GflHead, NmsInGraph, UltralyticsHead, YoloxHead


@dataclass(frozen=True)
class Detection:
    """One box in image pixels; `label` is an id in the runtime spec's label list."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    score: float
    label: int

    @classmethod
    def of(cls, box: Any, score: Any, label: Any) -> Detection:
        """From array elements: plain floats and an int, so detections compare and serialise alike."""
        x1, y1, x2, y2 = (float(v) for v in box)
        return cls((x1, y1, x2, y2), float(score), int(label))


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
    elif isinstance(decoder, YoloxHead):
        boxes, scores, labels = _yolox(outputs[0], decoder, threshold, input_w, input_h)
    elif isinstance(decoder, GflHead):
        boxes, scores, labels = _gfl(outputs, decoder, threshold, input_w, input_h)
    elif isinstance(decoder, DetectionRows):
        boxes, scores, labels = _rows(outputs, decoder, threshold, input_w, input_h, placement)
    else:
        boxes, scores, labels = _nms_in_graph(outputs, decoder, threshold, input_w, input_h, placement)
    boxes = placement.to_image(boxes)
    order = np.argsort(-scores, kind="stable")[: decoder.max_detections]
    return [Detection.of(boxes[i], scores[i], labels[i]) for i in order]


def _ultralytics(
    output: np.ndarray, decoder: UltralyticsHead, threshold: float, input_w: int, input_h: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = np.asarray(output)[0]  # [4 + C, N]
    if (q := decoder.output_quantization) is not None:
        rows = (rows.astype(np.float32) - np.float32(q.zero_point)) * np.float32(q.scale)
    rows = rows.astype(np.float32)
    if rows.shape[0] != 4 + decoder.classes:
        raise ValueError(f"output has {rows.shape[0]} rows, the decoder expects 4 + {decoder.classes} classes")
    class_scores = rows[4:]
    if decoder.score_activation == "sigmoid":
        class_scores = 1 / (1 + np.exp(-class_scores))
    labels = class_scores.argmax(axis=0)
    scores = class_scores[labels, np.arange(rows.shape[1])]
    keep = scores > threshold
    a, b, c, d = rows[:4, keep]
    if decoder.coordinates == "normalized":
        a, c = a * np.float32(input_w), c * np.float32(input_w)
        b, d = b * np.float32(input_h), d * np.float32(input_h)
    if decoder.box_format == "xyxy":
        boxes = np.stack([a, b, c, d], axis=1)
    else:
        boxes = np.stack([a - c / 2, b - d / 2, a + c / 2, b + d / 2], axis=1)
    return _nms(boxes, scores[keep], labels[keep], decoder)


def _nms(
    boxes: np.ndarray, scores: np.ndarray, labels: np.ndarray, decoder
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NMS outside the graph: class-aware (torchvision's `batched_nms`) or not, then the first `max_detections`."""
    import torch
    from torchvision.ops import batched_nms, nms

    t_boxes, t_scores = torch.from_numpy(np.ascontiguousarray(boxes)), torch.from_numpy(np.ascontiguousarray(scores))
    if decoder.class_aware_nms:
        kept = batched_nms(t_boxes, t_scores, torch.from_numpy(labels), decoder.iou_threshold)
    else:
        kept = nms(t_boxes, t_scores, decoder.iou_threshold)
    kept = kept.numpy()[: decoder.max_detections]
    return boxes[kept], scores[kept], labels[kept]


def _above(scores: np.ndarray, threshold: float) -> np.ndarray:
    """score > threshold, the threshold taken as float32 (as the ultralytics path and the browser demo do)."""
    return scores > np.float64(np.float32(threshold))


def grid(height: int, width: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell columns and rows of one level, row-major (the order heads flatten their maps in)."""
    rows = -(-height // stride)
    cols = -(-width // stride)
    ys, xs = np.meshgrid(np.arange(rows, dtype=np.float64), np.arange(cols, dtype=np.float64), indexing="ij")
    return xs.reshape(-1), ys.reshape(-1)


def _yolox(output: np.ndarray, decoder: YoloxHead, threshold: float, input_w: int, input_h: int):
    rows = np.asarray(output, dtype=np.float64)
    if rows.ndim != 3 or rows.shape[0] != 1 or rows.shape[2] != 5 + decoder.classes:
        raise ValueError(
            f"output {list(rows.shape)} does not fit the yolox decoder: expected [1, N, {5 + decoder.classes}]"
        )
    rows = rows[0]
    cells = [grid(input_h, input_w, s) for s in decoder.strides]
    gx = np.concatenate([x for x, _ in cells])
    gy = np.concatenate([y for _, y in cells])
    stride = np.concatenate([np.full(x.size, s, np.float64) for (x, _), s in zip(cells, decoder.strides)])
    if gx.size != rows.shape[0]:
        raise ValueError(
            f"output has {rows.shape[0]} anchors, strides {decoder.strides} on {input_w}x{input_h} give {gx.size}"
        )
    class_scores = rows[:, 5:] * rows[:, 4:5]
    labels = class_scores.argmax(axis=1)
    scores = class_scores[np.arange(rows.shape[0]), labels]
    keep = _above(scores, threshold)
    r, s = rows[keep], stride[keep]
    cx, cy = (r[:, 0] + gx[keep]) * s, (r[:, 1] + gy[keep]) * s
    w, h = np.exp(r[:, 2]) * s, np.exp(r[:, 3]) * s
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return _nms(boxes, scores[keep], labels[keep], decoder)


def _gfl(outputs: Sequence[np.ndarray], decoder: GflHead, threshold: float, input_w: int, input_h: int):
    bins = decoder.reg_max + 1
    all_boxes, all_scores, all_labels = [], [], []
    for level in decoder.levels:
        scores_map = np.asarray(outputs[level.scores], np.float64).reshape(-1, decoder.classes)
        dist = np.asarray(outputs[level.distances], np.float64).reshape(-1, 4, bins)
        gx, gy = grid(input_h, input_w, level.stride)
        if not (gx.size == scores_map.shape[0] == dist.shape[0]):
            raise ValueError(
                f"stride {level.stride}: {scores_map.shape[0]} score rows and {dist.shape[0]} distance rows, "
                f"the {input_w}x{input_h} input has {gx.size} cells"
            )
        labels = scores_map.argmax(axis=1)
        scores = scores_map[np.arange(scores_map.shape[0]), labels]
        keep = _above(scores, threshold)
        d = dist[keep]
        d = np.exp(d - d.max(axis=2, keepdims=True))
        distance = (d / d.sum(axis=2, keepdims=True)) @ np.arange(bins, dtype=np.float64) * level.stride  # [k, 4]
        cx = (gx[keep] + decoder.cell_offset) * level.stride
        cy = (gy[keep] + decoder.cell_offset) * level.stride
        boxes = np.stack([cx - distance[:, 0], cy - distance[:, 1], cx + distance[:, 2], cy + distance[:, 3]], axis=1)
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, input_w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, input_h)
        all_boxes.append(boxes)
        all_scores.append(scores[keep])
        all_labels.append(labels[keep])
    return _nms(np.concatenate(all_boxes), np.concatenate(all_scores), np.concatenate(all_labels), decoder)


def _from_image(boxes: np.ndarray, placement: Placement) -> np.ndarray:
    """Boxes in image pixels (graphs fed the image size) to input pixels, so every decoder returns those."""
    out = boxes.copy()
    out[:, [0, 2]] = out[:, [0, 2]] * placement.scale_x + placement.pad_x
    out[:, [1, 3]] = out[:, [1, 3]] * placement.scale_y + placement.pad_y
    return out


def _to_input(boxes: np.ndarray, coordinates: str, input_w: int, input_h: int, placement: Placement) -> np.ndarray:
    if coordinates == "normalized":
        return boxes * np.array([input_w, input_h, input_w, input_h])
    if coordinates == "image":
        return _from_image(boxes, placement)
    return boxes


def _rows(
    outputs: Sequence[np.ndarray],
    decoder: DetectionRows,
    threshold: float,
    input_w: int,
    input_h: int,
    placement: Placement,
):
    data = np.asarray(outputs[decoder.output], np.float64)
    data = (
        data.reshape(-1, data.shape[-1]) if data.size else np.zeros((0, max(decoder.columns.model_dump().values()) + 1))
    )
    col = decoder.columns
    scores = data[:, col.score]
    keep = _above(scores, threshold)
    boxes = _to_input(data[keep, col.box : col.box + 4], decoder.coordinates, input_w, input_h, placement)
    labels = np.rint(data[keep, col.label]).astype(np.int64) + decoder.class_offset
    return boxes, scores[keep], labels


def _nms_in_graph(
    outputs: Sequence[np.ndarray],
    decoder: NmsInGraph,
    threshold: float,
    input_w: int,
    input_h: int,
    placement: Placement,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = decoder.outputs
    if index.count is None:
        count = np.asarray(outputs[index.scores]).size
    else:
        count = round(float(np.asarray(outputs[index.count]).reshape(-1)[0]))
    boxes = np.asarray(outputs[index.boxes], dtype=np.float64).reshape(-1, 4)[:count]
    classes = np.asarray(outputs[index.classes]).reshape(-1)[:count]
    scores = np.asarray(outputs[index.scores], dtype=np.float64).reshape(-1)[:count]
    if decoder.box_format == "yxyx":
        boxes = boxes[:, [1, 0, 3, 2]]
    boxes = _to_input(boxes, decoder.coordinates, input_w, input_h, placement)
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
