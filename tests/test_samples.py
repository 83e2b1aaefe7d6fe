"""The sample images shipped in wasm_demo/samples/: the files are the ones listed, each licence allows showing
the photo on a public site, and each credit agrees with the COCO val2017 licence table beside the labelled val2017 images (the
independent record, from COCO's own captions_val2017.json)."""

from __future__ import annotations

import csv
import hashlib

import yaml

from .catalogs import ROOT, SETTINGS

SAMPLES = ROOT / "wasm_demo" / "samples"
SHOWABLE = {
    "CC BY 2.0": "http://creativecommons.org/licenses/by/2.0/",
    "CC BY-SA 2.0": "http://creativecommons.org/licenses/by-sa/2.0/",
    "No known copyright restrictions": "http://flickr.com/commons/usage/",
}


def _samples() -> list[dict]:
    return yaml.safe_load((SAMPLES / "samples.yaml").read_text(encoding="utf-8"))["samples"]


def test_every_listed_file_is_shipped_unchanged_and_nothing_else() -> None:
    listed = _samples()
    assert len(listed) >= 4
    for s in listed:
        assert hashlib.sha256((SAMPLES / s["file"]).read_bytes()).hexdigest() == s["sha256"], s["file"]
    assert {p.name for p in SAMPLES.glob("*.jpg")} == {s["file"] for s in listed}


def test_every_licence_allows_showing_the_photo() -> None:
    for s in _samples():
        assert SHOWABLE.get(s["license"]) == s["license_url"], (
            f"{s['file']}: {s['license']} is not a licence we may show"
        )


def test_credits_agree_with_cocos_licence_table() -> None:
    table = {r["file"]: r for r in csv.DictReader((SETTINGS.require("accuracy_images") / "images.csv").open())}
    for s in _samples():
        row = table[s["file"]]
        assert (int(row["id"]), row["license_url"], row["flickr_url"], row["coco_url"], row["sha256"]) == (
            s["coco_id"],
            s["license_url"],
            s["flickr_url"],
            s["coco_url"],
            s["sha256"],
        )
