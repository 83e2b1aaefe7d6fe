"""A variant with two graphs in Chromium (YOLO11n: the float export and the int8 graph `versus export` made from
it): on the featured pair page and on the all-models page the choice shows each graph's download size, and the int8
graph's measured accuracy cost, before the graph is loaded; the smaller graph runs by default, the panel says which
ran, and switching runs the other, each matching the Python reference of that very file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.decode import Detection
from generator.export.agreement import Comparison, compare_image
from generator.export.manifest import read_manifest

from .browser import browser_page, serve
from .demo_site import COMPARE_PAGE, demo_site, reference  # noqa: F401 (demo_site is a fixture)

pytestmark = pytest.mark.needs_shared("weights_mirror", "accuracy_images")  # see conftest.py
FLOAT, INT8 = "yolo11n.coco", "yolo11n.coco.int8"


def _matches_reference(site: Path, artifacts: Path, result: dict) -> None:
    manifest = json.loads((site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    shown = {s["name"]: (site / "demo" / s["url"]).resolve() for s in manifest["samples"]}
    image = shown[result["source"].removeprefix("sample:")]
    expected, tolerance, names = reference(artifacts, result, image)
    ours = [Detection(tuple(d["box"]), d["score"], names.index(d["className"])) for d in result["detections"]]
    comparison = Comparison()
    compare_image(image.name, ours, expected, tolerance, comparison, sides=("browser", "python"))
    assert comparison.confident > 0 and comparison.passes(tolerance), (result["artifact"], comparison.misses)


def _sizes(artifacts: Path) -> dict[str, int]:
    return {a: read_manifest(artifacts / a / "manifest.json").file.bytes for a in (FLOAT, INT8)}


def test_the_pair_page_offers_both_graphs_before_loading_and_runs_the_one_chosen(demo_site) -> None:
    site, artifacts = demo_site
    sizes = _sizes(artifacts)
    assert sizes[INT8] < 0.4 * sizes[FLOAT]
    with serve(site) as url, browser_page() as page:
        models: list[str] = []
        page.on("request", lambda r: models.append(r.url.removeprefix(url)) if r.url.endswith("/model.onnx") else None)
        page.goto(f"{url}{COMPARE_PAGE}")
        panel = page.locator(".vs-panel", has=page.locator(".vs-graph-row:not([hidden])"))
        panel.wait_for(timeout=90_000)
        options = panel.locator("select.vs-graph option").all_inner_texts()
        assert f"/onnx/{FLOAT}/model.onnx" not in models, "the float graph is offered, not downloaded"
        assert len(options) == 2 and options[0].startswith("int8 graph") and options[1].startswith("float graph")
        for text, size in zip(options, (sizes[INT8], sizes[FLOAT]), strict=True):
            assert f"{size / 1e6:.1f} MB" in text, (text, size)  # the demo's formatBytes: decimal, as the pages
        assert "mAP50-95" in options[0] and "points vs float" in options[0] and "mAP" not in options[1]
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.vs-panel[data-result]')].some(p => JSON.parse(p.dataset.result).artifact === '{INT8}')",
            timeout=300_000,
        )
        result = json.loads(panel.get_attribute("data-result"))
        assert result["artifact"] == INT8 and result["graph"].startswith("int8 graph")
        assert panel.locator(".vs-ran").inner_text().startswith("ran the int8 graph")
        assert f"/onnx/{FLOAT}/model.onnx" not in models, "the smallest graph that kept accuracy runs by default"
        _matches_reference(site, artifacts, result)

        panel.locator("select.vs-graph").select_option(index=1)
        page.wait_for_function(
            f"() => [...document.querySelectorAll('.vs-panel[data-result]')].some(p => JSON.parse(p.dataset.result).artifact === '{FLOAT}')",
            timeout=300_000,
        )
        result = json.loads(panel.get_attribute("data-result"))
        assert result["graph"].startswith("float graph") and f"/onnx/{FLOAT}/model.onnx" in models
        assert panel.locator(".vs-ran").inner_text().startswith("ran the float graph")
        _matches_reference(site, artifacts, result)


def test_the_all_models_page_offers_both_graphs_and_switching_runs_the_other(demo_site) -> None:
    site, artifacts = demo_site
    sizes = _sizes(artifacts)
    with serve(site) as url, browser_page() as page:
        page.goto(f"{url}/demo/object-detection/")
        tile = page.locator(".vs-all-model", has=page.locator("select[data-graph]"))
        assert tile.count() == 1 and tile.get_attribute("data-artifact") == INT8
        options = tile.locator("select[data-graph] option").all_inner_texts()
        assert f"{sizes[INT8] / 1e6:.1f} MB" in options[0] and "mAP50-95" in options[0]  # the build's fmt_bytes
        assert f"{sizes[FLOAT] / 1e6:.1f} MB" in options[1] and "mAP" not in options[1]
        page.wait_for_function(
            "() => document.querySelector('.vs-all')?.dataset.runState === 'done'", timeout=600_000, polling=200
        )
        assert json.loads(tile.get_attribute("data-result"))["artifact"] == INT8
        tile.locator("select[data-graph]").select_option(FLOAT)
        page.wait_for_function(
            f"() => JSON.parse(document.querySelector('.vs-all-model[data-artifact=\"{FLOAT}\"]')?.dataset.result ?? 'null')?.artifact === '{FLOAT}'",
            timeout=300_000,
        )
        result = json.loads(page.locator(f'.vs-all-model[data-artifact="{FLOAT}"]').get_attribute("data-result"))
        assert result["graph"].startswith("float graph")
        _matches_reference(site, artifacts, result)
