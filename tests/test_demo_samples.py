"""The demo's sample images are the ones the project ships (wasm_demo/samples/samples.yaml, read here on its own
as the oracle): the built manifest lists each with its title, licence and links, the site publishes the files
unchanged, and the page shows the chosen sample's credit as links to the Flickr photo and its licence."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from generator import samples as shipped

from .browser import browser_page, serve
from .catalogs import ROOT

LISTING = ROOT / "wasm_demo" / "samples" / "samples.yaml"


def _listed() -> list[dict]:
    return yaml.safe_load(LISTING.read_text(encoding="utf-8"))["samples"]


def test_the_loader_reads_every_listed_sample_in_order() -> None:
    got = shipped.load()
    assert [(s.path.name, s.coco_id, s.title, s.license, s.license_url, s.flickr_url, s.coco_url) for s in got] == [
        (e["file"], e["coco_id"], e["title"], e["license"], e["license_url"], e["flickr_url"], e["coco_url"])
        for e in _listed()
    ]


def test_a_listing_that_names_a_missing_file_is_refused_with_the_file(tmp_path: Path) -> None:
    entry = dict(_listed()[0], file="gone.jpg")
    (tmp_path / "samples.yaml").write_text(yaml.safe_dump({"samples": [entry]}), encoding="utf-8")
    try:
        shipped.load(tmp_path)
    except shipped.SamplesError as exc:
        assert "gone.jpg" in str(exc) and str(tmp_path) in str(exc)
    else:
        raise AssertionError("a missing sample file was accepted")


def test_the_built_demo_lists_the_shipped_samples_with_their_credits(built_site: Path) -> None:
    manifest = json.loads((built_site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    listed = _listed()
    assert [
        (s["url"], s["name"], s["license"], s["license_url"], s["flickr_url"], s["coco_url"])
        for s in manifest["samples"]
    ] == [
        (f"../samples/{e['file']}", e["title"], e["license"], e["license_url"], e["flickr_url"], e["coco_url"])
        for e in listed
    ]
    for e in listed:
        published = built_site / "samples" / e["file"]
        assert hashlib.sha256(published.read_bytes()).hexdigest() == e["sha256"], published
    assert sorted(p.name for p in (built_site / "samples").iterdir()) == sorted(e["file"] for e in listed)


def test_the_page_credits_the_chosen_sample_with_links(built_site: Path) -> None:
    first = _listed()[0]
    with serve(built_site) as url, browser_page() as page:
        page.goto(f"{url}/models/yolo11/")
        credit = page.locator(".vs-credit")
        credit.get_by_role("link", name="Flickr").wait_for(timeout=60_000)
        links = {a.inner_text(): a.get_attribute("href") for a in credit.locator("a").all()}
        text = credit.inner_text()
    assert links["Flickr"] == first["flickr_url"] and links[first["license"]] == first["license_url"]
    assert first["title"] in text and "own licence" not in text


def test_a_card_the_export_could_not_give_says_why_in_its_panel(catalog) -> None:
    from generator.artifacts import load_artifacts
    from generator.demo import demo_files

    from .catalogs import ARTIFACTS

    why = "weights not available: https://example.org/yolov12n.pt: HTTP 404 Not Found"
    demo = demo_files(catalog, load_artifacts(ARTIFACTS), ARTIFACTS, shipped.load(), {"yolov12n.turbo": why})
    assert demo is not None
    message = demo.manifest["cards"]["yolov12"]["message"]
    assert message.startswith(f"`versus export` could not export yolov12n.turbo: {why}. "), message
    assert "could not export" not in demo.manifest["cards"].get("yolov10", {}).get("message", "")
