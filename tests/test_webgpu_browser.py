"""WebGPU only after it gives wasm's boxes on one image (wasm_demo/src/parity.js), in Chromium's software WebGPU
(SwiftShader, forced: the demo ignores software adapters by default; slow, so one small model): wasm runs the first
image and its boxes are shown, the WebGPU session runs the same input, gives the same boxes and runs the next image;
the panel says so. The worker loads the WebGPU build's gzipped wasm, never the CPU build's."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest

from generator.artifacts import load_artifacts
from generator.bench.browser import CHROMIUM_FLAGS, stage_page
from generator.demo import SCRIPTS
from generator.loader import load_catalog

from .browser import chromium_path, serve
from .catalogs import CATALOG, export_artifacts

pytestmark = pytest.mark.needs_shared("weights_mirror")  # see conftest.py
MODEL = "nanodet-m.coco"  # 320×320 and convolutions only: SwiftShader runs it in seconds, not minutes
WEBGPU_FLAGS = [f for f in CHROMIUM_FLAGS if f != "--disable-gpu"] + ["--enable-unsafe-webgpu"]
RESULT = "() => document.querySelector('.vs-panel[data-result]') !== null"


def _result(page) -> dict:
    return json.loads(page.locator(".vs-panel").first.get_attribute("data-result"))


def _same_box(a: dict, b: dict) -> bool:
    """Same class, corners within 2 px, scores within 0.05: stricter than parity.js's IoU 0.9 on these boxes."""
    near = all(abs(x - y) <= 2 for x, y in zip(a["box"], b["box"], strict=True))
    return a["className"] == b["className"] and near and abs(a["score"] - b["score"]) <= 0.05


def test_webgpu_takes_over_only_after_giving_wasms_boxes(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    artifacts = export_artifacts(tmp_path / "artifacts", MODEL)
    listed = [a for found in load_artifacts(artifacts).values() for a in found if a.artifact_id == MODEL]
    folder = tmp_path / "page"
    folder.mkdir()
    stage_page(folder, artifacts, listed, load_catalog(CATALOG))
    query = {"manifest": "demo/manifest.json", "ort": f"{SCRIPTS}/ort/", "models": MODEL, "panels": "1"}
    with serve(folder) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=WEBGPU_FLAGS, headless=True)
        try:
            page = browser.new_page()
            wasm: list[str] = []
            page.on(
                "request",
                lambda r: wasm.append(r.url.removeprefix(url)) if r.url.endswith((".wasm", ".wasm.gz")) else None,
            )
            page.goto(f"{url}/demo.html?{urlencode({**query, 'webgpu': 'force', 'threads': '1'})}")
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            first = _result(page)
            assert first["backend"] == "wasm", "wasm shows the first image; WebGPU is on probation"
            note = page.locator(".vs-panel .vs-note").first
            page.wait_for_function(
                "() => /running on (WebGPU|wasm)$/.test(document.querySelector('.vs-panel .vs-note').textContent)",
                timeout=300_000,
                polling=100,
            )
            assert note.inner_text().endswith(
                f"WebGPU gave the wasm result on the first image ({len(first['detections'])} of "
                f"{len(first['detections'])} boxes matched); running on WebGPU"
            ), note.inner_text()
            assert first["detections"], "the check needs boxes on the first sample"
            assert wasm == [f"/{SCRIPTS}/ort/ort-wasm-simd-threaded.asyncify.wasm.gz"], wasm

            # the same image again, now on WebGPU: the same boxes as wasm gave
            page.evaluate("() => { document.querySelector('.vs-panel').removeAttribute('data-result'); }")
            page.locator("select[aria-label='Sample image']").select_option(index=1)
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            second = _result(page)
            assert second["backend"] == "webgpu" and second["source"] == first["source"]
            threshold = first["settings"]["scoreThreshold"]
            for ours, theirs in ((first, second), (second, first)):
                for a in ours["detections"]:
                    if a["score"] < threshold + 0.05:
                        continue  # parity.js forgives a box this close to the threshold on one side only
                    assert any(_same_box(a, b) for b in theirs["detections"]), (a, theirs["detections"])

            # the default ('auto') refuses a software adapter: wasm, and the CPU build's binary, once
            wasm.clear()
            page.goto(f"{url}/demo.html?{urlencode({**query, 'threads': '1'})}")
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            assert _result(page)["backend"] == "wasm"
            assert wasm == [f"/{SCRIPTS}/ort/ort-wasm-simd-threaded.wasm.gz"], wasm
        finally:
            browser.close()
