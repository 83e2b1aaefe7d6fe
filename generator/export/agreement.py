"""Pure comparison of two detectors' outputs on the same images: which confident detections have a
twin on the other side, and how far the raw output tensors are apart (`RawBound`, `RawTally`, and the two
raw checks, `EveryValue` and `DetectionHead`). No I/O; `verify` runs the models and feeds this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..decode import Detection, iou


@dataclass(frozen=True)
class Tolerance:
    """When two detections are the same one. `unmatched_share` is the share of confident detections
    (both sides, all images) allowed to lack a twin; `why` says where a looser tolerance comes from."""

    confident: float = 0.5
    min_iou: float = 0.85
    score_delta: float = 0.05
    unmatched_share: float = 0.0
    why: str = "float graphs: the same arithmetic up to rounding"

    @property
    def pool_threshold(self) -> float:
        """The lowest score a twin of a confident detection can have."""
        return max(0.0, self.confident - self.score_delta - 0.01)


@dataclass(frozen=True)
class Miss:
    image: str
    side: str  # which side the detection without a twin is on
    detection: Detection
    closest: str  # what the best candidate on the other side was, if any


@dataclass
class Comparison:
    images: int = 0
    confident: int = 0  # confident detections, both sides
    matched: int = 0
    misses: list[Miss] = field(default_factory=list)
    max_score_delta: float = 0.0
    min_iou: float = 1.0

    @property
    def unmatched_share(self) -> float:
        return len(self.misses) / self.confident if self.confident else 0.0

    def passes(self, tolerance: Tolerance) -> bool:
        return self.unmatched_share <= tolerance.unmatched_share + 1e-12


def compare_image(
    name: str,
    ours: Sequence[Detection],
    theirs: Sequence[Detection],
    tolerance: Tolerance,
    into: Comparison,
    sides: tuple[str, str] = ("onnx", "reference"),
) -> None:
    """Add one image's result: each confident detection on either side looks for a twin on the other."""
    into.images += 1
    for side, mine, other in ((sides[0], ours, theirs), (sides[1], theirs, ours)):
        for det in mine:
            if det.score < tolerance.confident:
                continue
            into.confident += 1
            twin, closest = _twin(det, other, tolerance)
            if twin is None:
                into.misses.append(Miss(name, side, det, closest))
                continue
            into.matched += 1
            into.max_score_delta = max(into.max_score_delta, abs(twin.score - det.score))
            into.min_iou = min(into.min_iou, iou(det.box, twin.box))


def _twin(det: Detection, others: Sequence[Detection], tolerance: Tolerance) -> tuple[Detection | None, str]:
    best: Detection | None = None
    closest, closest_iou = "nothing of the same class", -1.0
    for other in others:
        if other.label != det.label:
            continue
        overlap = iou(det.box, other.box)
        if overlap > closest_iou:
            closest_iou = overlap
            closest = f"same class at IoU {overlap:.2f}, score {other.score:.3f}"
        close = overlap >= tolerance.min_iou and abs(other.score - det.score) <= tolerance.score_delta
        if close and (best is None or abs(other.score - det.score) < abs(best.score - det.score)):
            best = other
    return best, closest


def raw_difference(ours: Sequence[np.ndarray], theirs: Sequence[np.ndarray]) -> float:
    """Largest absolute difference between two lists of output tensors of the same shapes."""
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        if a.shape != b.shape:
            raise ValueError(f"output shapes differ: {list(a.shape)} and {list(b.shape)}")
        worst = max(worst, float(np.abs(a - b).max()) if a.size else 0.0)
    return worst


# --- raw output tensors ------------------------------------------------------------------------


@dataclass(frozen=True)
class RawBound:
    """How close one group of raw output values must be: |onnx - reference| <= atol + rtol * |reference|
    for every value (`allowed_share` 0), or for all but that share of the group's values over all images."""

    group: str  # what the values are, in words
    unit: str  # the unit `atol` is in: "" for the tensors' own, "px" for input pixels
    atol: float
    rtol: float = 0.0
    allowed_share: float = 0.0

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        limit = f"{self.atol:g}{unit}" + (f" + {self.rtol:g} * |reference|" if self.rtol else "")
        which = "on every value" if not self.allowed_share else f"on all but {self.allowed_share * 100:g}% of values"
        return f"|onnx - reference| <= {limit} {which}"


@dataclass
class RawTally:
    """One bound's values, summed over the images."""

    bound: RawBound
    values: int = 0
    beyond: int = 0
    worst: float | None = None

    def add(self, ours: np.ndarray, theirs: np.ndarray) -> None:
        a, b = np.asarray(ours, np.float64).ravel(), np.asarray(theirs, np.float64).ravel()
        if a.shape != b.shape:
            raise ValueError(f"{self.bound.group}: {a.size} values against {b.size}")
        if not a.size:
            return
        diff = np.abs(a - b)
        self.values += int(a.size)
        self.beyond += int((diff > self.bound.atol + self.bound.rtol * np.abs(b)).sum())
        self.worst = max(self.worst or 0.0, float(diff.max()))

    @property
    def held(self) -> bool:
        return self.beyond <= self.bound.allowed_share * self.values


class RawCheck(Protocol):
    """Which raw values are held to which bound."""

    @property
    def bounds(self) -> tuple[RawBound, ...]: ...

    def groups(self, ours: Sequence[np.ndarray], theirs: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(our values, reference values) for each of `bounds`, in the bound's unit."""


@dataclass(frozen=True)
class EveryValue:
    """Every value of every output tensor within atol + rtol * |reference|: for graphs that compute what
    their source computes, up to float rounding."""

    atol: float
    rtol: float

    @property
    def bounds(self) -> tuple[RawBound, ...]:
        return (RawBound("every value of every output tensor", "", self.atol, self.rtol),)

    def groups(self, ours, theirs):
        for a, b in zip(ours, theirs, strict=True):
            if np.shape(a) != np.shape(b):
                raise ValueError(f"output shapes differ: {list(np.shape(a))} and {list(np.shape(b))}")
        flat = lambda ts: np.concatenate([np.asarray(t, np.float64).ravel() for t in ts]) if ts else np.zeros(0)
        return [(flat(ours), flat(theirs))]

    def __str__(self) -> str:
        return str(self.bounds[0])


@dataclass(frozen=True)
class DetectionHead:
    """The raw `[1, 4 + C, N]` tensor of an `ultralytics` head, compared by what its rows mean.

    - Class scores (rows 4 and on, as scores in 0-1: through a sigmoid when the spec says the graph leaves
      logits): every anchor and class.
    - Box rows (centre and size), in input pixels (normalized rows times the input size): only on anchors
      whose best class score reaches `draw_threshold` on either side, the boxes a page can draw. The boxes of
      the other anchors are never used, and an int8-quantized source moves them by whole strides.
    Each group may have a share of values beyond its bound: see the converter's tolerance for why.
    """

    input_size: tuple[int, int]  # height, width
    normalized: bool
    sigmoid: bool
    draw_threshold: float
    box_px: float
    box_share: float
    score: float
    score_share: float

    @property
    def bounds(self) -> tuple[RawBound, ...]:
        return (
            RawBound(
                f"box coordinates (cx, cy, w, h) in input pixels, anchors scoring >= {self.draw_threshold:g} on either side",
                "px",
                self.box_px,
                0.0,
                self.box_share,
            ),
            RawBound("class scores (0-1), every anchor and class", "", self.score, 0.0, self.score_share),
        )

    def _split(self, output: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(output, np.float64)
        if rows.ndim != 3 or rows.shape[0] != 1 or rows.shape[1] < 5:
            raise ValueError(f"a [1, 4 + C, N] head was expected, got {list(rows.shape)}")
        rows = rows[0]
        boxes, scores = rows[:4], rows[4:]
        if self.normalized:
            height, width = self.input_size
            boxes = boxes * np.array([width, height, width, height], np.float64)[:, None]
        if self.sigmoid:
            scores = 1 / (1 + np.exp(-scores))
        return boxes, scores

    def groups(self, ours, theirs):
        our_boxes, our_scores = self._split(ours[0])
        their_boxes, their_scores = self._split(theirs[0])
        if our_scores.shape != their_scores.shape:
            raise ValueError(f"output shapes differ: {list(np.shape(ours[0]))} and {list(np.shape(theirs[0]))}")
        drawn = np.maximum(our_scores.max(axis=0), their_scores.max(axis=0)) >= self.draw_threshold
        return [(our_boxes[:, drawn], their_boxes[:, drawn]), (our_scores, their_scores)]

    def __str__(self) -> str:
        return "; ".join(f"{b.group}: {b}" for b in self.bounds)
