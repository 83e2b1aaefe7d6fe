"""A listed accuracy set (`catalog/datasets/<dataset id>.csv`) built from COCO's official downloads, for machines
without `../shared/images/coco-val2017`: the val2017 images zip and the 2017 annotations zip, fetched with the
weights resolver (`generator/weights.py`: cache, resumable download), then the listed images extracted and each
checked against its listed sha256, and the official `instances_val2017.json` converted to the evaluator's layout
(`images/`, `labels/<stem>.txt` with `class cx cy w h`, `images.csv`; see `generator/coco_eval.py`).

The conversion follows Ultralytics' (which made the labels of the shared folder): crowd annotations (`iscrowd`)
left out, boxes with no width or height left out, a box repeated exactly within an image kept once, classes by
category *name* in the label list's order. Every listed image must then have the listed size and number of
boxes, so a conversion that differed would stop here rather than give other labels under the same dataset id.

COCO serves these files over plain HTTP and publishes no checksums, so they are fetched unpinned over HTTP; the
images are trusted only after their sha256 matches the list, the annotations only where they agree with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from .labelled_set import IMAGES_CSV, LabelledSetError, ListedImage

COCO_HOST = "http://images.cocodataset.org"  # the prefix tests replace with a server on 127.0.0.1
IMAGES_ZIP = "/zips/val2017.zip"
ANNOTATIONS_ZIP = "/annotations/annotations_trainval2017.zip"
IMAGES_MEMBER = "val2017/{file}"
INSTANCES_MEMBER = "annotations/instances_val2017.json"
DONE = ".complete"


def yolo_labels(instances: dict, listed: Sequence[ListedImage], names: Sequence[str]) -> dict[str, list[str]]:
    """Label lines per listed file from an official instances json, checked against the list."""
    category = {c["id"]: c["name"] for c in instances["categories"]}
    index = {name: i for i, name in enumerate(names)}
    unknown = sorted(set(category.values()) - set(index))
    if unknown:
        raise LabelledSetError(f"{INSTANCES_MEMBER}: categories {', '.join(unknown)} are not in the label list")
    images = {image["id"]: image for image in instances["images"]}
    by_image: dict[int, list[dict]] = {}
    for annotation in instances["annotations"]:
        by_image.setdefault(annotation["image_id"], []).append(annotation)
    out = {}
    for entry in listed:
        image = images.get(entry.coco_id)
        if image is None:
            raise LabelledSetError(
                f"{INSTANCES_MEMBER}: no image {entry.coco_id} ({entry.file}); not the val2017 annotations"
            )
        width, height = image["width"], image["height"]
        if (width, height) != (entry.width, entry.height):
            raise LabelledSetError(
                f"{INSTANCES_MEMBER}: image {entry.file} is {width}x{height}, the list says {entry.width}x{entry.height}"
            )
        rows: list[tuple[int, float, float, float, float]] = []
        for annotation in by_image.get(entry.coco_id, []):
            if annotation.get("iscrowd", 0):
                continue
            x, y, w, h = (float(v) for v in annotation["bbox"])
            if w <= 0 or h <= 0:
                continue
            row = (
                index[category[annotation["category_id"]]],
                (x + w / 2) / width,
                (y + h / 2) / height,
                w / width,
                h / height,
            )
            if row not in rows:
                rows.append(row)
        if len(rows) != entry.boxes:
            raise LabelledSetError(
                f"{INSTANCES_MEMBER}: {len(rows)} boxes for {entry.file} after conversion, the list says "
                f"{entry.boxes}; these annotations or this conversion differ from the set's"
            )
        out[entry.file] = [f"{c} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}" for c, cx, cy, w, h in rows]
    return out


def prepare_listed_set(
    dest: Path,
    listed: Sequence[ListedImage],
    names: Sequence[str],
    resolver,
    prefix: str = COCO_HOST,
    log: Callable[[str], None] = print,
) -> Path:
    """`dest` holding the listed set, built from the official zips unless an earlier call finished it.
    `resolver` is a `weights.Resolver`; raises its errors (file unavailable) or LabelledSetError."""
    if (dest / DONE).is_file():
        return dest
    log(f"fetching COCO val2017 images and annotations from {prefix} (about 1 GB, kept in the cache) to build {dest}")
    images_zip = resolver.resolve(prefix + IMAGES_ZIP, None, https_only=False).path
    annotations_zip = resolver.resolve(prefix + ANNOTATIONS_ZIP, None, https_only=False).path
    with zipfile.ZipFile(annotations_zip) as archive:
        try:
            instances = json.loads(archive.read(INSTANCES_MEMBER))
        except KeyError:
            raise LabelledSetError(f"{prefix + ANNOTATIONS_ZIP}: no {INSTANCES_MEMBER} inside") from None
    labels = yolo_labels(instances, listed, names)
    work = dest.with_name(f".{dest.name}.partial")
    if work.exists():  # left by an interrupted or refused build
        shutil.rmtree(work)
    try:
        (work / "images").mkdir(parents=True)
        (work / "labels").mkdir()
        with zipfile.ZipFile(images_zip) as archive:
            for entry in listed:
                member = IMAGES_MEMBER.format(file=entry.file)
                try:
                    data = archive.read(member)
                except KeyError:
                    raise LabelledSetError(
                        f"{prefix + IMAGES_ZIP}: no {member} inside; not the val2017 images"
                    ) from None
                if hashlib.sha256(data).hexdigest() != entry.sha256:
                    raise LabelledSetError(f"{prefix + IMAGES_ZIP}: {member} is not the listed image (sha256 differs)")
                (work / "images" / entry.file).write_bytes(data)
                (work / "labels" / f"{Path(entry.file).stem}.txt").write_text(
                    "".join(f"{line}\n" for line in labels[entry.file])
                )
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(["file", "id", "width", "height", "boxes"])
        writer.writerows([e.file, e.coco_id, e.width, e.height, e.boxes] for e in listed)
        (work / IMAGES_CSV).write_text(table.getvalue())
        (work / "README.md").write_text(
            f"# {len(listed)} COCO val2017 images, built by `versus bench`\n\nImages from {prefix + IMAGES_ZIP}, each checked "
            f"against its listed sha256; labels converted from {INSTANCES_MEMBER} in {prefix + ANNOTATIONS_ZIP} (crowd "
            "annotations and empty boxes left out, classes by name; see generator/datasets.py).\n"
        )
        (work / DONE).write_text("")
        if dest.exists():  # an earlier copy without its completion mark
            shutil.rmtree(dest)
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    log(f"built {dest}: {len(listed)} images, each checked")
    return dest
