"""The COCO evaluator (`generator/coco_eval.py`) against independent oracles: AP computed by hand on a tiny
case, pycocotools run directly on JSON files written here (its documented file-based use, per class by
restricting `catIds`), and the bootstrap against full COCOeval runs on explicitly resampled image sets."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from generator import coco_eval, labelled_set
from generator.decode import Detection

from .conftest import shared_folder

pytestmark = pytest.mark.needs_shared("sample_set", "accuracy_images")  # skipped, named, where missing (conftest.py)
SAMPLES = shared_folder("sample_set")
VAL2017 = shared_folder("accuracy_images")


def _pycocotools_on_files(tmp_path: Path, truth: dict, results: list[dict], cat_ids: list[int] | None = None):
    """pycocotools as its README uses it: annotations and results from JSON files."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    gt_file, dt_file = tmp_path / "gt.json", tmp_path / "dt.json"
    gt_file.write_text(json.dumps({**truth, "info": {}, "licenses": []}))
    dt_file.write_text(json.dumps(results))
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(str(gt_file))
        ev = COCOeval(gt, gt.loadRes(str(dt_file)), "bbox")
        if cat_ids is not None:
            ev.params.catIds = cat_ids
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats


def _write_set(root: Path, images: dict[str, tuple[int, int, list[str]]]) -> Path:
    """A labelled set in the val2017 layout: file -> (width, height, label lines). The image files are never
    decoded by the evaluator, so they are empty."""
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    rows = ["file,id,width,height"]
    for n, (name, (width, height, lines)) in enumerate(sorted(images.items()), start=1):
        (root / "images" / name).write_bytes(b"")
        (root / "labels" / f"{Path(name).stem}.txt").write_text("".join(f"{line}\n" for line in lines))
        rows.append(f"{name},{n},{width},{height}")
    (root / "images.csv").write_text("\n".join(rows) + "\n")
    return root


# --- a case small enough to compute by hand -----------------------------------------------------------------


def test_tiny_case_matches_ap_computed_by_hand(tmp_path: Path) -> None:
    """Image 100x100, class 0: boxes A (10,10)-(30,30) and B (50,50)-(90,90); class 1: box C (0,0)-(100,100).
    Detections of class 0: A exactly (0.9), a miss far away (0.8), B shifted right by 7.5 px (0.7, IoU with B
    = 32.5*40 / (47.5*40) = 0.684); of class 1: C exactly (0.6).

    Class 0 at IoU 0.50-0.65 (4 thresholds): TP, FP, TP -> recall .5 .5 1, precision 1 .5 .667; interpolated
    precision is 1 at the 51 recall points 0.00-0.50 and 2/3 at the 50 points above, AP = (51 + 50*2/3)/101.
    At 0.70-0.95 (6 thresholds) the shifted box misses: TP, FP, FP, AP = 51/101. Class 1: AP 1 everywhere.
    Sizes: A is 400 px² (small), B 1600 (medium), C 10000 (large); the far-away miss (20x20) is small."""
    labelled = _write_set(
        tmp_path / "set", {"000000000001.jpg": (100, 100, ["0 0.2 0.2 0.2 0.2", "0 0.7 0.7 0.4 0.4", "1 0.5 0.5 1 1"])}
    )
    s = labelled_set.read_labelled_set(labelled, ["thing", "other"])
    dets = [
        Detection((10, 10, 30, 30), 0.9, 0),
        Detection((70, 0, 90, 20), 0.8, 0),
        Detection((57.5, 50, 97.5, 90), 0.7, 0),
        Detection((0, 0, 100, 100), 0.6, 1),
    ]
    ours = coco_eval.evaluate(
        coco_eval.ground_truth(s), list(coco_eval.detection_rows(1, dets, ["thing", "other"], s.names)), resamples=0
    )
    hi, lo = (51 + 50 * 2 / 3) / 101, 51 / 101
    thing = (4 * hi + 6 * lo) / 10
    assert [(c.name, c.instances) for c in ours.per_class] == [("thing", 2), ("other", 1)]
    assert ours.per_class[0].ap50_95 == pytest.approx(thing) and ours.per_class[0].ap50 == pytest.approx(hi)
    assert ours.per_class[1].ap50_95 == pytest.approx(1.0) and ours.per_class[1].ap50 == pytest.approx(1.0)
    assert ours.map50_95 == pytest.approx((thing + 1) / 2)
    assert ours.map50 == pytest.approx((hi + 1) / 2)
    assert ours.map75 == pytest.approx((lo + 1) / 2)
    # small: A found first, then the small miss: precision 1 up to recall 1 at every IoU threshold.
    # medium: only B, found at 0.50-0.65 alone (its detection is medium-sized too): AP 1 there, 0 above.
    assert ours.ap_small == pytest.approx(1.0)
    assert ours.ap_medium == pytest.approx(0.4)
    assert ours.ap_large == pytest.approx(1.0)
    assert ours.images == 1 and ours.instances == 3 and ours.interval is None


def test_no_detections_score_zero_not_absent(tmp_path: Path) -> None:
    labelled = _write_set(tmp_path / "set", {"a.jpg": (100, 100, ["0 0.5 0.5 0.2 0.2"]), "b.jpg": (50, 50, [])})
    truth = coco_eval.ground_truth(labelled_set.read_labelled_set(labelled, ["thing"]))
    ours = coco_eval.evaluate(truth, [], resamples=10)
    assert (ours.map50_95, ours.map50, ours.ap_small, ours.ap_medium, ours.ap_large) == (0.0, 0.0, 0.0, None, None)
    assert ours.per_class == (coco_eval.ClassAP("thing", 0.0, 0.0, 1),)
    assert (ours.interval.low, ours.interval.high) == (0.0, 0.0)
    assert coco_eval.coco_map(truth, []) == (0.0, 0.0)


# --- real labels, against pycocotools on files ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_set() -> labelled_set.LabelledSet:
    return labelled_set.read_labelled_set(SAMPLES)


def _sizes(sample: labelled_set.LabelledSet) -> list[tuple[int, int]]:
    import cv2

    return [cv2.imread(str(i.path)).shape[:2] for i in sample.images]


@pytest.fixture(scope="module")
def sample_truth(sample_set) -> dict:
    return coco_eval.ground_truth(sample_set, _sizes(sample_set))


def synthetic_results(truth: dict, seed: int = 1, clutter: int = 15) -> list[dict]:
    """A plausible detector: most labels found with jittered boxes and a wrong class now and then, scores
    rounded to 0.01 (so ties occur, and their order matters), plus low-scoring clutter on every image."""
    rng = np.random.default_rng(seed)
    classes = len(truth["categories"])
    out = []
    for a in truth["annotations"]:
        if rng.random() < 0.2:
            continue
        x, y, w, h = a["bbox"]
        j = rng.normal(0, 0.1, 4)
        category = a["category_id"] if rng.random() > 0.1 else int(rng.integers(1, classes + 1))
        out.append(
            {
                "image_id": a["image_id"],
                "category_id": category,
                "score": round(float(rng.random()), 2),
                "bbox": [x + j[0] * w, y + j[1] * h, w * (1 + j[2]), h * (1 + j[3])],
            }
        )
    for image in truth["images"]:
        for _ in range(clutter):
            w, h = float(rng.uniform(4, image["width"] / 2)), float(rng.uniform(4, image["height"] / 2))
            out.append(
                {
                    "image_id": image["id"],
                    "category_id": int(rng.integers(1, classes + 1)),
                    "score": round(float(rng.random()) * 0.5, 2),
                    "bbox": [
                        float(rng.uniform(0, image["width"] - w)),
                        float(rng.uniform(0, image["height"] - h)),
                        w,
                        h,
                    ],
                }
            )
    return out


def test_figures_match_pycocotools_on_files(sample_truth, tmp_path: Path) -> None:
    results = synthetic_results(sample_truth)
    ours = coco_eval.evaluate(sample_truth, results, resamples=0)
    stats = _pycocotools_on_files(tmp_path, sample_truth, results)
    assert 0.1 < ours.map50_95 < ours.map50 < 0.9, "the synthetic detector is neither useless nor perfect"
    assert (ours.map50_95, ours.map50, ours.map75, ours.ap_small, ours.ap_medium, ours.ap_large) == pytest.approx(
        tuple(stats[:6]), abs=1e-12
    )
    counted = {}
    for a in sample_truth["annotations"]:
        counted[a["category_id"]] = counted.get(a["category_id"], 0) + 1
    names = {c["id"]: c["name"] for c in sample_truth["categories"]}
    assert [(c.name, c.instances) for c in ours.per_class] == [(names[k], n) for k, n in sorted(counted.items())]
    by_name = {c.name: c for c in ours.per_class}
    for category_id in sorted(counted, key=lambda k: -counted[k])[:6]:  # one COCOeval per class, on that class alone
        alone = _pycocotools_on_files(tmp_path, sample_truth, results, cat_ids=[category_id])
        assert (by_name[names[category_id]].ap50_95, by_name[names[category_id]].ap50) == pytest.approx(
            tuple(alone[:2]), abs=1e-12
        )


def test_ground_truth_scored_as_detections_is_perfect_and_wrong_classes_score_nothing(sample_set, sample_truth) -> None:
    """Pins the label conversion (YOLO cx,cy,w,h -> COCO x,y,w,h in pixels) and the class-name matching."""
    assert len(sample_truth["images"]) == 100 and len(sample_truth["annotations"]) == 741
    names = list(sample_set.names)
    perfect, shifted = [], []
    for a in sample_truth["annotations"]:
        x, y, w, h = a["bbox"]
        det = Detection((x, y, x + w, y + h), 0.9, a["category_id"] - 1)
        perfect += coco_eval.detection_rows(a["image_id"], [det], names, names)
        shifted += coco_eval.detection_rows(
            a["image_id"], [Detection(det.box, 0.9, (det.label + 1) % 80)], names, names
        )
    assert coco_eval.coco_map(sample_truth, perfect) == pytest.approx((1.0, 1.0))
    assert coco_eval.coco_map(sample_truth, shifted)[1] < 0.05


def test_detections_are_matched_by_class_name_across_label_lists(sample_set) -> None:
    """The SSD's 90-id list (with gaps) lands on the same categories as an 80-class model's."""
    ssd_names = [None] * 91
    ssd_names[1], ssd_names[3], ssd_names[12] = "person", "car", None
    rows = list(
        coco_eval.detection_rows(
            7,
            [Detection((0, 0, 2, 4), 0.5, 1), Detection((0, 0, 1, 1), 0.4, 3), Detection((0, 0, 1, 1), 0.3, 12)],
            ssd_names,
            sample_set.names,
        )
    )
    assert [(r["category_id"], r["bbox"]) for r in rows] == [(1, [0, 0, 2, 4]), (3, [0, 0, 1, 1])]


# --- the bootstrap ----------------------------------------------------------------------------------------------


def _resampled(truth: dict, results: list[dict], draw: np.ndarray) -> tuple[dict, list[dict]]:
    """The set holding image i as often as `draw` names it: each copy a new image with its own labels and
    detections, ids in the order of the sorted draw."""
    labels, found = {}, {}
    for a in truth["annotations"]:
        labels.setdefault(a["image_id"], []).append(a)
    for r in results:
        found.setdefault(r["image_id"], []).append(r)
    images, annotations, rows = [], [], []
    for new_id, index in enumerate(np.sort(draw), start=1):
        image = truth["images"][index]
        images.append({**image, "id": new_id})
        annotations += [
            {**a, "id": len(annotations) + n + 1, "image_id": new_id} for n, a in enumerate(labels.get(image["id"], []))
        ]
        rows += [{**r, "image_id": new_id} for r in found.get(image["id"], [])]
    return {**truth, "images": images, "annotations": annotations}, rows


def test_bootstrap_resamples_equal_full_cocoeval_on_the_resampled_sets(sample_truth, tmp_path: Path) -> None:
    results = synthetic_results(sample_truth, seed=2)
    full = coco_eval._cocoeval(sample_truth, results)
    boot = coco_eval._Bootstrap(full)
    assert boot.map(np.arange(len(sample_truth["images"]))) == full.stats[0], "the set itself is one resample"
    for seed in (0, 7):
        draws = coco_eval.resample_draws(len(sample_truth["images"]), 2, seed)
        for draw in draws:
            truth, rows = _resampled(sample_truth, results, draw)
            direct = _pycocotools_on_files(tmp_path, truth, rows)[0]
            assert len(set(draw.tolist())) < len(draw), "a resample repeats images"
            assert boot.map(draw) == pytest.approx(direct, abs=1e-12)


def test_bias_corrected_interval_is_the_percentile_interval_without_bias_and_shifts_with_it() -> None:
    values = np.arange(1001) / 1000  # symmetric around 0.5: half below (an estimate of 0.25 has 25% below, z0 = -0.674)
    low, high, share = coco_eval.bc_interval(values, 0.5)
    assert share == 0.5 and (low, high) == pytest.approx(tuple(np.percentile(values, [2.5, 97.5])))
    low, high, share = coco_eval.bc_interval(values, 0.25)  # resamples run high: the interval moves down
    assert (
        share == pytest.approx(0.25, abs=0.001)
        and low < np.percentile(values, 2.5)
        and high < np.percentile(values, 97.5)
    )
    assert low < 0.25 < high and (low, high) == pytest.approx((0.0005, 0.7299), abs=0.0005)  # Φ(2·(-0.674) ∓ 1.96)
    assert coco_eval.bc_interval(np.zeros(10), 0.0) == (0.0, 0.0, 0.5)


def test_interval_is_a_seeded_bias_corrected_bootstrap(sample_truth) -> None:
    results = synthetic_results(sample_truth, seed=3)
    ours = coco_eval.evaluate(sample_truth, results, resamples=100, seed=5)
    again = coco_eval.evaluate(sample_truth, results, resamples=100, seed=5)
    assert ours.interval == again.interval and ours.interval.resamples == 100 and ours.interval.seed == 5
    values = coco_eval._Bootstrap(coco_eval._cocoeval(sample_truth, results)).maps(
        coco_eval.resample_draws(100, 100, 5)
    )
    from statistics import NormalDist

    share = (np.sum(values < ours.map50_95) + np.sum(values == ours.map50_95) / 2) / len(values)
    assert ours.interval.share_below == share
    z0 = NormalDist().inv_cdf(share)
    bounds = [100 * NormalDist().cdf(2 * z0 + z) for z in (-1.959963984540054, 1.959963984540054)]
    assert (ours.interval.low, ours.interval.high) == pytest.approx(tuple(np.percentile(values, bounds)), abs=1e-12)
    assert ours.interval.low < ours.map50_95 < ours.interval.high
    assert 0.01 < ours.interval.high - ours.interval.low < 0.2, "100 images: a few points of mAP either way"


# --- reading sets -----------------------------------------------------------------------------------------------


def test_the_val2017_set_reads_with_its_recorded_sizes() -> None:
    import cv2

    from generator.loader import load_catalog

    from .catalogs import CATALOG

    coco80 = load_catalog(CATALOG).registry.labels["coco-80"].labels
    s = labelled_set.read_labelled_set(VAL2017, [coco80[i] for i in sorted(coco80)])
    assert len(s.images) == 800 and s.instances > 5000
    for item in s.images[::200]:
        assert cv2.imread(str(item.path)).shape[:2] == item.size
        assert item.coco_id == int(item.path.stem)
    assert len(labelled_set.read_labelled_set(VAL2017, s.names, count=30).images) == 30
    with pytest.raises(labelled_set.LabelledSetError, match="none were given"):
        labelled_set.read_labelled_set(VAL2017)


def test_bad_sets_are_reported_with_the_file_at_fault(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "set")
    (tmp_path / "set" / "labels" / "000000000009.txt").write_text("95 0.5 0.5 0.1 0.1\n")
    with pytest.raises(labelled_set.LabelledSetError, match=r"000000000009.txt: class 95"):
        labelled_set.read_labelled_set(tmp_path / "set")
    labelled = _write_set(tmp_path / "v", {"a.jpg": (10, 10, []), "b.jpg": (10, 10, [])})
    (labelled / "images" / "b.jpg").unlink()
    with pytest.raises(
        labelled_set.LabelledSetError, match=r"1 image\(s\) listed in images.csv are missing, e.g. b.jpg"
    ):
        labelled_set.read_labelled_set(labelled, ["thing"])
    with pytest.raises(labelled_set.LabelledSetError, match="class names differ"):
        labelled_set.read_labelled_set(tmp_path / "set", ["person"])


def test_the_evaluator_imports_no_model_runtime_or_image_library() -> None:
    import subprocess
    import sys

    from .catalogs import ROOT

    code = (
        "import sys, generator.coco_eval\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('onnxruntime', 'cv2', 'torch') or "
        "m.startswith(('generator.bench', 'generator.export', 'generator.commands'))]\nprint(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
