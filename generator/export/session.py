"""What one export run is made of, for `versus export` and `versus bench` alike: the verification images,
the labelled images of the accuracy check, the exporter built from the settings, and the line that reports
each outcome."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import settings

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def sample_images(folder: Path | None = None, count: int = 0):
    """The verification images: `folder`, else the sample set's images (generator/settings.py)."""
    from .pipeline import SampleImages

    folder = folder or settings.current().sample_images
    paths = (
        sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if folder and folder.is_dir() else []
    )
    if count > 0:
        paths = paths[:count]
    if not paths:
        raise SystemExit(
            f"versus export: no sample images in {folder or '(no sample set)'}; pass --images DIR or set "
            f"{settings.SAMPLE_SET_ENV} to the folder holding images/ (README: Settings)"
        )
    return SampleImages(tuple(paths), f"{folder.parent.name}/{folder.name} ({len(paths)} images)")


def labelled_images(labels):
    """The accuracy check's images (exports with no source framework to compare with), from the settings;
    their class indices are the `coco-80` label list. None when there are none (such exports are then skipped)."""
    from .accuracy import find_labelled

    coco80 = labels.get("coco-80")
    if coco80 is None:
        return None
    names = [coco80.labels[i] for i in sorted(coco80.labels)]
    return find_labelled(settings.current().accuracy_images, names)


def make_exporter(catalog_dir: Path, out: Path, images, labels, frozen: bool = False):
    """The exporter `versus export` uses; `versus bench` uses it too, to export what it is asked to measure."""
    from ..weights import LOCK_NAME, LockFile, Resolver
    from .pipeline import Exporter

    lock = LockFile.load(catalog_dir / LOCK_NAME)
    log = lambda m: print(m, file=sys.stderr)
    resolver = Resolver.from_environment(lock, frozen=frozen, log=log)
    return Exporter(resolver, out, settings.current().cache, images, labels, log=log, labelled=labelled_images(labels))


def outcome_line(outcome) -> str:
    head = f"{outcome.status.upper():8} {outcome.artifact_id}"
    manifest = outcome.manifest
    if manifest is None:
        return f"{head}: {outcome.message}"
    v = manifest.verification
    trained = "" if manifest.trained else " [UNTRAINED: random weights, not the model]"
    if v.status == "matched":
        d = v.detections
        checked = (
            f"verified: {d.matched}/{d.confident} confident detections matched on {v.images} images "
            f"(max score delta {d.max_score_delta}, min IoU {d.min_iou}, raw max diff {v.raw.max_abs_diff:g})"
        )
    elif v.status == "raw-only":
        checked = f"{v.summary} on {v.images} images (raw max diff {v.raw.max_abs_diff:g}, bound held: {v.raw.bound})"
    else:
        checked = v.summary
    if v.accuracy is not None:
        checked += (
            f"; accuracy checked: mAP50-95 {v.accuracy.map50_95:.3f} on {v.accuracy.images} labelled "
            f"COCO val2017 images (floor {v.accuracy.min_map50_95:g})"
        )
    return f"{head}{trained}: {manifest.file.bytes / 1e6:.1f} MB, {manifest.parameters:,} parameters, {checked}; {outcome.message}"
