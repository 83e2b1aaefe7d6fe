"""Pure comparison of two detectors' outputs on the same images: which confident detections have a
twin on the other side. No I/O; `verify` runs the models and feeds this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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
        if overlap >= tolerance.min_iou and abs(other.score - det.score) <= tolerance.score_delta:
            if best is None or abs(other.score - det.score) < abs(best.score - det.score):
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
