"""The sample images the project ships (`wasm_demo/samples/`, listed with their credits in `samples.yaml`): the
demo's pictures, export verification's default images and the bench's latency image, so a fresh clone needs no
shared folder for any of them. Read here, once; tests/test_samples.py checks the list against COCO's records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .settings import ROOT

FOLDER = ROOT / "wasm_demo" / "samples"
LISTING = "samples.yaml"
FIELDS = ("file", "coco_id", "title", "license", "license_url", "flickr_url", "coco_url", "sha256")


class SamplesError(Exception):
    """samples.yaml is missing, malformed or names a file that is not there; the message says which."""


@dataclass(frozen=True)
class Sample:
    path: Path
    coco_id: int
    title: str
    license: str
    license_url: str
    flickr_url: str
    coco_url: str
    sha256: str

    @property
    def credit(self) -> str:
        """One line naming the photo's source and licence (the demo shows it as links)."""
        return f"Photo from Flickr ({self.flickr_url}), licence {self.license}; COCO val2017 image {self.coco_id}"


def load(folder: Path = FOLDER) -> tuple[Sample, ...]:
    """The shipped samples, in the listing's order (the first is the demo's first and the bench's latency image)."""
    listing = folder / LISTING
    try:
        entries = yaml.safe_load(listing.read_text(encoding="utf-8"))["samples"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SamplesError(f"{listing}: cannot read the sample list ({exc})") from exc
    found = []
    for i, entry in enumerate(entries):
        missing = [f for f in FIELDS if not isinstance(entry, dict) or entry.get(f) in (None, "")]
        if missing:
            raise SamplesError(f"{listing}: samples[{i}] lacks {', '.join(missing)}")
        path = folder / entry["file"]
        if not path.is_file():
            raise SamplesError(f"{listing}: samples[{i}] names {entry['file']}, which is not in {folder}")
        found.append(Sample(path, int(entry["coco_id"]), *(str(entry[f]) for f in FIELDS[2:])))
    if not found:
        raise SamplesError(f"{listing}: lists no samples")
    return tuple(found)
