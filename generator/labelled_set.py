"""Labelled image sets for COCO evaluation (`generator/coco_eval.py`): reading a set's images, labels and sizes,
and the listed subsets (`catalog/datasets/<dataset id>.csv`) checked image by image.

A labelled set is a folder with `images/*.jpg` and `labels/<stem>.txt` (one `class cx cy w h` line per
object, normalised, classes as indices into the set's class names, crowd regions absent), plus either
- `images.csv` (the `../shared/images/coco-val2017` layout): one row per image with `file`, `id` (the COCO
  image id), `width` and `height` (other columns, such as the licence, are not read); the class names come from the caller
  (the registry's `coco-80` list); or
- `coco-sample.yaml` (the train2017 sample layout): the class names; image sizes come from decoding.

Detections are matched to ground truth by class *name*, so a model with another label list (the SSD's 90
ids with gaps) is scored on the same categories as the rest.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_CONFIG = "coco-sample.yaml"
IMAGES_CSV = "images.csv"


class LabelledSetError(Exception):
    """The labelled set cannot be read; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class LabelledImage:
    path: Path
    boxes: np.ndarray  # [N, 4] normalised cx, cy, w, h
    classes: np.ndarray  # [N] indices into the set's names
    size: tuple[int, int] | None = None  # (height, width) where the set records it (images.csv)
    coco_id: int | None = None


@dataclass(frozen=True)
class LabelledSet:
    root: Path
    names: tuple[str, ...]
    images: tuple[LabelledImage, ...]

    @property
    def instances(self) -> int:
        return sum(len(i.classes) for i in self.images)


def read_labels(label: Path, classes: int) -> np.ndarray:
    """`class cx cy w h` rows of one label file ([0, 5] when it is missing or empty: an image without objects)."""
    try:
        rows = np.loadtxt(label, ndmin=2) if label.is_file() and label.stat().st_size else np.zeros((0, 5))
    except ValueError as exc:
        raise LabelledSetError(f"{label}: not numbers in `class cx cy w h` lines ({exc})") from exc
    if rows.shape[1] != 5:
        raise LabelledSetError(f"{label}: expected `class cx cy w h` on every line")
    bad = (rows[:, 0] < 0) | (rows[:, 0] >= classes) | (rows[:, 0] != np.round(rows[:, 0]))
    if bad.any():
        raise LabelledSetError(f"{label}: class {rows[bad][0, 0]:g} is not one of the set's {classes} class indices")
    return rows


def _sample_names(config_path: Path) -> tuple[str, ...]:
    import yaml

    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        names = config["names"]
        return tuple(names[i] for i in range(len(names))) if isinstance(names, dict) else tuple(names)
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise LabelledSetError(f"{config_path}: cannot read the class names ({exc})") from exc


def _csv_sizes(csv_path: Path) -> dict[str, tuple[int, int, int]]:
    """file name -> (height, width, COCO id) from images.csv."""
    try:
        with csv_path.open(newline="", encoding="utf-8") as f:
            return {row["file"]: (int(row["height"]), int(row["width"]), int(row["id"])) for row in csv.DictReader(f)}
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise LabelledSetError(
            f"{csv_path}: needs `file`, `id`, `width` and `height` columns with whole numbers ({exc})"
        ) from exc


def read_labelled_set(root: Path, names: Sequence[str] | None = None, count: int | None = None) -> LabelledSet:
    """The labelled set under `root` (see the module docstring), the first `count` images by file name when
    given. `names` are the class names of the label files' indices; a folder with `coco-sample.yaml` names
    them itself (and must agree with `names` when both are given)."""
    config_path = root / SAMPLE_CONFIG
    if config_path.is_file():
        own = _sample_names(config_path)
        if names is not None and tuple(names) != own:
            raise LabelledSetError(f"{config_path}: its class names differ from the ones the caller expects")
        names = own
    if names is None:
        raise LabelledSetError(f"{root}: no {SAMPLE_CONFIG} names the classes, and none were given")
    csv_path = root / IMAGES_CSV
    sizes = _csv_sizes(csv_path) if csv_path.is_file() else {}
    paths = sorted((root / "images").glob("*.jpg"))
    if sizes:
        listed = {p.name for p in paths}
        missing = sorted(set(sizes) - listed)
        if missing:
            raise LabelledSetError(
                f"{root / 'images'}: {len(missing)} image(s) listed in {csv_path.name} are missing, "
                f"e.g. {missing[0]}; copy the whole set again"
            )
        paths = [p for p in paths if p.name in sizes]
    if count is not None:
        paths = paths[:count]
    if not paths:
        raise LabelledSetError(f"{root / 'images'}: no .jpg images")
    images = []
    for path in paths:
        rows = read_labels(root / "labels" / f"{path.stem}.txt", len(names))
        height, width, coco_id = sizes.get(path.name, (None, None, None))
        images.append(
            LabelledImage(
                path,
                rows[:, 1:5],
                rows[:, 0].astype(int),
                None if height is None or width is None else (height, width),
                coco_id,
            )
        )
    return LabelledSet(root, tuple(names), tuple(images))


@dataclass(frozen=True)
class ListedImage:
    """One image of a defined set (`catalog/datasets/<dataset id>.csv`): what the file must be."""

    file: str
    coco_id: int
    width: int
    height: int
    boxes: int  # label lines
    sha256: str


def read_image_list(path: Path) -> tuple[ListedImage, ...]:
    """A set's image list: `file,id,width,height,boxes,sha256` per image."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return tuple(
                ListedImage(r["file"], int(r["id"]), int(r["width"]), int(r["height"]), int(r["boxes"]), r["sha256"])
                for r in csv.DictReader(f)
            )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise LabelledSetError(
            f"{path}: not an image list with columns file,id,width,height,boxes,sha256 ({exc})"
        ) from exc


def select_listed(labelled: LabelledSet, listed: Sequence[ListedImage], check_hashes: bool = True) -> LabelledSet:
    """The listed images of `labelled` (a folder may hold more, e.g. all of val2017), in the list's order, each
    checked against the list: present, same size, same number of labels and (`check_hashes`) same bytes."""
    by_name = {i.path.name: i for i in labelled.images}
    missing = [e.file for e in listed if e.file not in by_name]
    if missing:
        raise LabelledSetError(
            f"{labelled.root / 'images'}: {len(missing)} of the {len(listed)} listed images are missing, "
            f"e.g. {missing[0]}; name a folder that holds the whole set"
        )
    out = []
    for entry in listed:
        item = by_name[entry.file]
        if item.size is not None and item.size != (entry.height, entry.width):
            raise LabelledSetError(
                f"{item.path}: {item.size[1]}x{item.size[0]} in the folder's images.csv, "
                f"{entry.width}x{entry.height} in the set's list"
            )
        if len(item.classes) != entry.boxes:
            raise LabelledSetError(
                f"{labelled.root / 'labels' / (item.path.stem + '.txt')}: {len(item.classes)} boxes, "
                f"the set's list says {entry.boxes}; these are other labels than the set's"
            )
        if check_hashes and hashlib.sha256(item.path.read_bytes()).hexdigest() != entry.sha256:
            raise LabelledSetError(f"{item.path}: not the set's image (sha256 differs from the list's)")
        out.append(LabelledImage(item.path, item.boxes, item.classes, (entry.height, entry.width), entry.coco_id))
    return LabelledSet(labelled.root, labelled.names, tuple(out))


def set_digests(labelled: LabelledSet) -> tuple[str, str]:
    """(sha256 of the image file names one a line, sha256 of the label files' bytes in that order): which
    images and which labels a figure was measured on, comparable across machines and folders."""
    names = hashlib.sha256("".join(f"{i.path.name}\n" for i in labelled.images).encode())
    labels = hashlib.sha256()
    for item in labelled.images:
        label = labelled.root / "labels" / f"{item.path.stem}.txt"
        labels.update(label.read_bytes() if label.is_file() else b"")
    return names.hexdigest(), labels.hexdigest()
