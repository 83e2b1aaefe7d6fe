"""COCO box evaluation of a detector's output on a labelled image set: pycocotools' COCOeval, per class and
per size, with a bootstrap confidence interval over images. Logic only: no model runtime, no image decoding
(the bench and the export check run the model and hand the detections here).

The labelled sets it reads are described in `generator/labelled_set.py`.

The evaluation protocol, as recorded with every figure:
- boxes are kept down to `SCORE_THRESHOLD` and at most `MAX_DETECTIONS` per image (COCO's maxDets);
- the size buckets (small < 32², medium < 96², large) use the *box* area of the labels: they have no
  segmentation masks, whose area the official evaluation uses, so some objects fall in a larger bucket;
- crowd regions are not in these labels: a detection on a crowd is a false positive here, where the official
  annotations would ignore it, so figures sit slightly below what those give.

The confidence interval is a bootstrap over images: `BOOTSTRAP_RESAMPLES` resamples of the image set with
replacement (numpy's PCG64 seeded with `BOOTSTRAP_SEED`), mAP50-95 of each, and the bias-corrected percentile
interval (Efron's BC: the 2.5th and 97.5th percentiles shifted by z0 = Φ⁻¹(share of resampled figures below the
set's own), numpy's default linear interpolation between resamples). Plain percentiles sit off centre here:
resampled mAP runs high, partly because a class whose few boxes all lie in images a resample leaves out drops
out of the mean (on val2017-person800 broccoli has one box, which yolo11n misses: AP 0). `share_below` is kept
with the interval, so the shift can be judged. COCOeval's per-image matching does not depend on which other
images are in the set, so it runs once; each resample only re-accumulates the per-image results (`_Bootstrap`),
exactly as `COCOeval.accumulate` would on the resampled set (tests/test_coco_eval.py checks it against full
COCOeval runs on explicitly resampled sets).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Protocol

import numpy as np

from .labelled_set import LabelledSet, LabelledSetError

SCORE_THRESHOLD = (
    0.001  # as Ultralytics' and YOLOX's own COCO evaluation: low-confidence boxes raise recall at the tail
)
MAX_DETECTIONS = 100  # COCOeval's maxDets for the headline figure
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95


def ground_truth(labelled: LabelledSet, sizes: Sequence[tuple[int, int]] | None = None) -> dict:
    """The labels as a COCO annotation dict: image ids 1..N in the set's order, categories 1..C in its name
    order, boxes in pixels `[x, y, w, h]` with their box area. `sizes` are (height, width) per image, by
    default the ones the set records."""
    if sizes is None:
        missing = [i.path for i in labelled.images if i.size is None]
        if missing:
            raise LabelledSetError(f"{missing[0]}: the set does not record this image's size; pass the decoded sizes")
        sizes = [i.size for i in labelled.images]  # type: ignore[misc]
    images: list[dict] = []
    annotations: list[dict] = []
    for image_id, (item, (height, width)) in enumerate(zip(labelled.images, sizes, strict=True), start=1):
        images.append({"id": image_id, "file_name": item.path.name, "height": height, "width": width})
        for (cx, cy, w, h), cls in zip(item.boxes, item.classes, strict=True):
            bw, bh = w * width, h * height
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(cls) + 1,
                    "bbox": [cx * width - bw / 2, cy * height - bh / 2, bw, bh],
                    "area": bw * bh,
                    "iscrowd": 0,
                }
            )
    categories = [{"id": i + 1, "name": name} for i, name in enumerate(labelled.names)]
    return {"images": images, "annotations": annotations, "categories": categories}


class _Detection(Protocol):
    @property
    def box(self) -> tuple[float, float, float, float]: ...  # x1, y1, x2, y2 in image pixels
    @property
    def score(self) -> float: ...
    @property
    def label(self) -> int: ...


def detection_rows(
    image_id: int, detections: Sequence[_Detection], label_names: Sequence[str | None], set_names: Sequence[str]
) -> Iterator[dict]:
    """A model's detections as COCO result rows, its label ids mapped to the set's categories by name;
    classes the set does not have are dropped."""
    category = {name: i + 1 for i, name in enumerate(set_names)}
    for d in detections:
        name = label_names[d.label] if 0 <= d.label < len(label_names) else None
        if name not in category:
            continue
        x1, y1, x2, y2 = d.box
        yield {
            "image_id": image_id,
            "category_id": category[name],
            "bbox": [x1, y1, x2 - x1, y2 - y1],
            "score": d.score,
        }


# --- Evaluation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassAP:
    name: str
    ap50_95: float
    ap50: float
    instances: int  # ground-truth boxes of this class in the set


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    resamples: int
    seed: int
    confidence: float
    share_below: float  # of the resampled figures under the set's own (ties count half); 0.5 when unbiased


def bc_interval(values: np.ndarray, estimate: float, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(low, high, share below) of the bias-corrected percentile interval (Efron 1981) of bootstrap `values`
    around `estimate`. With half the values below the estimate it is the plain percentile interval."""
    from statistics import NormalDist

    values = np.asarray(values, dtype=float)
    share = (np.count_nonzero(values < estimate) + 0.5 * np.count_nonzero(values == estimate)) / len(values)
    clipped = min(max(share, 0.5 / len(values)), 1 - 0.5 / len(values))
    normal = NormalDist()
    z0, z = normal.inv_cdf(clipped), normal.inv_cdf((1 + confidence) / 2)
    low, high = np.percentile(values, [100 * normal.cdf(2 * z0 - z), 100 * normal.cdf(2 * z0 + z)])
    return float(low), float(high), float(share)


@dataclass(frozen=True)
class Evaluation:
    images: int
    instances: int
    map50_95: float
    map50: float
    map75: float
    ap_small: float | None  # None: no ground-truth box of that size in the set
    ap_medium: float | None
    ap_large: float | None
    per_class: tuple[ClassAP, ...]  # classes with at least one ground-truth box, in the set's order
    interval: Interval | None  # of map50_95; None when not asked for


def evaluator_version() -> str:
    return f"pycocotools {metadata.version('pycocotools')}"


def _cocoeval(truth: dict, results: list[dict]):
    """COCOeval after evaluate and accumulate (and summarize: `stats`), quietly."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):  # COCOeval prints its progress and table
        gt = COCO()
        gt.dataset = truth
        gt.createIndex()
        if results:
            dt = gt.loadRes(results)
        else:  # loadRes cannot take an empty list; no detections is a real outcome: every AP is 0
            dt = COCO()
            dt.dataset = {"images": truth["images"], "categories": truth["categories"], "annotations": []}
            dt.createIndex()
        evaluator = COCOeval(gt, dt, iouType="bbox")
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return evaluator


def _mean_valid(values: np.ndarray) -> float:
    """COCOeval.summarize's mean: over entries that are not -1 (absent), -1 when there are none."""
    valid = values[values > -1]
    return float(np.mean(valid)) if valid.size else -1.0


def _or_none(value: float) -> float | None:
    return None if value < 0 else float(value)


def coco_map(truth: dict, results: list[dict]) -> tuple[float, float]:
    """(mAP50-95, mAP50) by COCOeval; zero when the model found nothing at all."""
    if not results:
        return 0.0, 0.0
    stats = _cocoeval(truth, results).stats
    return max(float(stats[0]), 0.0), max(float(stats[1]), 0.0)


def evaluate(
    truth: dict, results: list[dict], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Evaluation:
    """Every figure of one model on one set; `resamples=0` leaves the interval out."""
    evaluator = _cocoeval(truth, results)
    stats = evaluator.stats
    precision = evaluator.eval["precision"]  # [IoU T, recall R, category K, area A, maxDets M]
    counts = np.bincount([a["category_id"] for a in truth["annotations"]], minlength=len(truth["categories"]) + 1)
    per_class = []
    for k, category_id in enumerate(evaluator.params.catIds):
        if counts[category_id] == 0:
            continue
        name = next(c["name"] for c in truth["categories"] if c["id"] == category_id)
        per_class.append(
            ClassAP(
                name,
                max(_mean_valid(precision[:, :, k, 0, -1]), 0.0),
                max(_mean_valid(precision[0, :, k, 0, -1]), 0.0),
                int(counts[category_id]),
            )
        )
    interval = None
    if resamples:
        values = _Bootstrap(evaluator).maps(resample_draws(len(truth["images"]), resamples, seed))
        low, high, share = bc_interval(values, max(float(stats[0]), 0.0))
        interval = Interval(low, high, resamples, seed, CONFIDENCE, share)
    return Evaluation(
        images=len(truth["images"]),
        instances=len(truth["annotations"]),
        map50_95=max(float(stats[0]), 0.0),
        map50=max(float(stats[1]), 0.0),
        map75=max(float(stats[2]), 0.0),
        ap_small=_or_none(stats[3]),
        ap_medium=_or_none(stats[4]),
        ap_large=_or_none(stats[5]),
        per_class=tuple(per_class),
        interval=interval,
    )


# --- Bootstrap over images ---------------------------------------------------------------------------------


def resample_draws(images: int, resamples: int, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """[resamples, images] image indices drawn with replacement, one row per resample."""
    return np.random.default_rng(seed).integers(0, images, size=(resamples, images))


def bootstrap_maps(truth: dict, results: list[dict], draws: np.ndarray) -> np.ndarray:
    """mAP50-95 of `results` on each resampled image set of `draws`: two result sets scored on the same draws
    give a paired interval of their difference."""
    return _Bootstrap(_cocoeval(truth, results)).maps(draws)


class _Bootstrap:
    """mAP50-95 (area `all`, 100 detections) of resampled image sets from one COCOeval's per-image results.

    A resample is a multiset of images. `COCOeval.accumulate` on a set that holds image i c_i times (as
    renamed copies, in image order) concatenates each copy's per-image arrays in that order, sorts the
    detections by score (a stable mergesort, so ties keep that order) and averages interpolated precision
    over IoU thresholds, recall points and categories. This does the same with arrays gathered once per
    category, vectorised where accumulate loops in Python."""

    def __init__(self, evaluator) -> None:
        params = evaluator._paramsEval
        images, areas = len(params.imgIds), len(params.areaRng)
        self.iou_thresholds = len(params.iouThrs)
        self.recall_points = np.asarray(params.recThrs)
        max_det = params.maxDets[-1]
        self.images = images
        self.categories: list[
            tuple | None
        ] = []  # per category: (images with results, their lengths, starts, npig, scores, matched, ignored)
        for k in range(len(params.catIds)):
            base = k * areas * images  # area index 0 is `all`
            present, lengths, npig, scores, matched, ignored = [], [], [], [], [], []
            for i in range(images):
                e = evaluator.evalImgs[base + i]
                if e is None:
                    continue
                present.append(i)
                s = np.asarray(e["dtScores"][:max_det], dtype=float)
                lengths.append(len(s))
                npig.append(int(np.count_nonzero(np.asarray(e["gtIgnore"]) == 0)))
                scores.append(s)
                matched.append(np.asarray(e["dtMatches"])[:, :max_det].reshape(self.iou_thresholds, -1))
                ignored.append(np.asarray(e["dtIgnore"])[:, :max_det].reshape(self.iou_thresholds, -1))
            if not present:
                self.categories.append(None)
                continue
            lengths_a = np.asarray(lengths, dtype=int)
            starts = np.concatenate([[0], np.cumsum(lengths_a)[:-1]])
            self.categories.append(
                (
                    np.asarray(present, dtype=int),
                    lengths_a,
                    starts,
                    np.asarray(npig, dtype=int),
                    np.concatenate(scores),
                    np.concatenate(matched, axis=1),
                    np.concatenate(ignored, axis=1).astype(bool),
                )
            )

    def precision(self, counts: np.ndarray) -> np.ndarray:
        """[T, R, K] interpolated precision of the set holding image i `counts[i]` times; -1 for categories
        accumulate skips (no results, or no ground truth, in the resample)."""
        T, R = self.iou_thresholds, len(self.recall_points)
        out = -np.ones((T, R, len(self.categories)))
        for k, category in enumerate(self.categories):
            if category is None:
                continue
            present, lengths, starts, npig_each, scores, matched, ignored = category
            copies = counts[present]
            if not copies.any():
                continue
            npig = int(np.dot(npig_each, copies))
            if npig == 0:
                continue
            rep_lengths = np.repeat(lengths, copies)
            total = int(rep_lengths.sum())
            offsets = np.repeat(np.cumsum(rep_lengths) - rep_lengths, rep_lengths)
            gather = np.arange(total) - offsets + np.repeat(np.repeat(starts, copies), rep_lengths)
            order = np.argsort(-scores[gather], kind="mergesort")
            gather = gather[order]
            dtm, dtig = matched[:, gather], ignored[:, gather]
            tp_sum = np.cumsum(np.logical_and(dtm, ~dtig), axis=1).astype(float)
            fp_sum = np.cumsum(np.logical_and(np.logical_not(dtm), ~dtig), axis=1).astype(float)
            rc = tp_sum / npig
            pr = tp_sum / (fp_sum + tp_sum + np.spacing(1))
            pr = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]  # accumulate's right-to-left envelope
            for t in range(T):
                at = np.searchsorted(rc[t], self.recall_points, side="left")
                inside = at < total  # accumulate leaves recall points past the last detection at 0
                q = np.zeros(R)
                q[inside] = pr[t, at[inside]]
                out[t, :, k] = q
        return out

    def map(self, draw: np.ndarray) -> float:
        return _mean_valid(self.precision(np.bincount(draw, minlength=self.images)))

    def maps(self, draws: np.ndarray) -> np.ndarray:
        return np.array([max(self.map(d), 0.0) for d in draws])
