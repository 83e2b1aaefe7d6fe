"""What one export run is made of, for `versus export` and `versus bench` alike: the verification images,
the labelled images of the accuracy check, the exporter built from the settings, and the line that reports
each outcome."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import settings

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def sample_images(folder: Path | None = None, count: int = 0):
    """The verification images: `folder` (--images); else the sample set's images when ${settings.SAMPLE_SET_ENV}
    is set; else the project's shipped samples (generator/samples.py), so a fresh clone needs no shared folder."""
    from ..samples import SamplesError
    from ..samples import load as shipped_samples
    from .pipeline import SampleImages

    found = settings.current()
    if folder is None and "sample_set" in found.explicit:
        folder = found.sample_images
    if folder is None:
        try:
            shipped = tuple(s.path for s in shipped_samples())
        except SamplesError as exc:
            raise SystemExit(f"versus export: {exc}; pass --images DIR") from exc
        shipped = shipped[:count] if count > 0 else shipped
        return SampleImages(shipped, f"shipped samples ({len(shipped)} images)")
    paths = sorted(p for p in folder.glob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []
    if count > 0:
        paths = paths[:count]
    if not paths:
        raise SystemExit(
            f"versus export: no sample images in {folder}; pass --images DIR, or set "
            f"{settings.SAMPLE_SET_ENV} to the folder holding images/, or unset it for the shipped samples "
            "(README: Settings)"
        )
    return SampleImages(tuple(paths), f"{folder.parent.name}/{folder.name} ({len(paths)} images)")


def labelled_images(labels, catalog_dir: Path, log=print, fetch=None):
    """The accuracy check's images (exports nothing independent decoded), their class indices the `coco-80` label
    list: ${settings.ACCURACY_ENV} (default: the shared folder's), else the listed COCO val2017 set built once from
    COCO's downloads into the cache (generator/datasets.py). Returns (images, None), or (None, why) when neither
    can be had, so the export can say why the check did not run. `fetch` replaces the download (tests)."""
    from ..labelled_set import LabelledSetError
    from ..weights import WeightsError
    from .accuracy import find_labelled

    coco80 = labels.get("coco-80")
    if coco80 is None:
        return None, "the registry has no coco-80 label list"
    names = [coco80.labels[i] for i in sorted(coco80.labels)]
    folder = settings.current().accuracy_images
    found = find_labelled(folder, names)
    if found is not None:
        return found, None
    where = f"{folder} has no images/ and labels/" if folder is not None else "no accuracy images folder"
    try:
        built = (fetch or _fetch_val2017)(catalog_dir, labels, log)
    except (WeightsError, LabelledSetError, OSError, ValueError) as exc:
        return None, (
            f"no labelled COCO val2017 images: {where}, and building them from COCO's downloads failed ({exc}); "
            f"set {settings.ACCURACY_ENV} (README: Settings)"
        )
    return find_labelled(built, names), None


def _fetch_val2017(catalog_dir: Path, labels, log) -> Path:
    """The bench's listed COCO val2017 set, built in the cache from COCO's official downloads (or found there)."""
    from .. import datasets, labelled_set
    from ..bench.accuracy import LISTS_DIR, SETS
    from ..demo import class_names
    from ..weights import LockFile, Resolver

    spec = SETS["val2017"]
    root = settings.current().cache
    listed = labelled_set.read_image_list(catalog_dir / LISTS_DIR / f"{spec.dataset}.csv")
    resolver = Resolver.from_environment(LockFile(root / "datasets" / "downloads.lock.json"), log=log)
    return datasets.prepare_listed_set(
        root / "datasets" / spec.dataset, listed, class_names(labels[spec.label_list].labels), resolver, log=log
    )


def make_exporter(catalog_dir: Path, out: Path, images, labels, frozen: bool = False):
    """The exporter `versus export` uses; `versus bench` uses it too, to export what it is asked to measure."""
    from ..weights import LOCK_NAME, LockFile, Resolver
    from .pipeline import Exporter

    lock = LockFile.load(catalog_dir / LOCK_NAME)
    log = lambda m: print(m, file=sys.stderr)
    resolver = Resolver.from_environment(lock, frozen=frozen, log=log)
    labelled, why = labelled_images(labels, catalog_dir, log)
    if why:
        log(f"versus export: the accuracy check will not run: {why}")
    return Exporter(
        resolver, out, settings.current().cache, images, labels, log=log, labelled=labelled, no_labelled_reason=why
    )


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
    q = manifest.quantization
    if q is not None:
        checked += (
            f"; mAP50-95 {q.map50_95:.4f} against the float graph's {q.float_map50_95:.4f} on {q.images} labelled "
            f"COCO val2017 images (loss {q.loss:.4f}, bound {q.max_loss:g}); {q.of_bytes / 1e6:.1f} MB float"
        )
    elif v.accuracy is not None:
        checked += (
            f"; accuracy checked: mAP50-95 {v.accuracy.map50_95:.3f} on {v.accuracy.images} labelled "
            f"COCO val2017 images (floor {v.accuracy.min_map50_95:g})"
        )
    return f"{head}{trained}: {manifest.file.bytes / 1e6:.1f} MB, {manifest.parameters:,} parameters, {checked}; {outcome.message}"
