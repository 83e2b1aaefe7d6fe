"""An accelerator (wasm_demo/src/accelerators.js) runs only after it gives wasm's boxes on one image
(wasm_demo/src/parity.js), and the panel says which backend runs and why.

WebGPU: Chromium's software WebGPU (SwiftShader, forced: the demo refuses software adapters by default; slow, so one
small model): wasm runs the first image and its boxes are shown, the WebGPU session runs the same input, gives the
same boxes and runs the next image. The worker loads the WebGPU build's gzipped wasm, never the CPU build's.

WebNN: Chromium with its WebNN flag. Where it creates a context, WebNN must pass the same check; where it refuses
(Chromium 156 on Linux here: "not supported on this platform"), the panel quotes the refusal and wasm runs."""

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
WEBNN_FLAGS = [*CHROMIUM_FLAGS, "--enable-features=WebMachineLearningNeuralNetwork"]
RESULT = "() => document.querySelector('.vs-panel[data-result]') !== null"
SETTLED = "() => /running on [A-Za-z]+\\.$/.test(document.querySelector('.vs-panel .vs-note')?.textContent ?? '')"


def _result(page) -> dict:
    return json.loads(page.locator(".vs-panel").first.get_attribute("data-result"))


def _same_box(a: dict, b: dict) -> bool:
    """Same class, corners within 2 px, scores within 0.05: stricter than parity.js's IoU 0.9 on these boxes."""
    near = all(abs(x - y) <= 2 for x, y in zip(a["box"], b["box"], strict=True))
    return a["className"] == b["className"] and near and abs(a["score"] - b["score"]) <= 0.05


def _same_boxes(first: dict, second: dict) -> None:
    threshold = first["settings"]["scoreThreshold"]
    for ours, theirs in ((first, second), (second, first)):
        for a in ours["detections"]:
            if a["score"] < threshold + 0.05:
                continue  # parity.js forgives a box this close to the threshold on one side only
            assert any(_same_box(a, b) for b in theirs["detections"]), (a, theirs["detections"])


def _runs_again_with_the_same_boxes(page, first: dict, backend: str) -> None:
    """The same image again, now on `backend`: the boxes wasm gave on it."""
    page.evaluate("() => { document.querySelector('.vs-panel').removeAttribute('data-result'); }")
    page.locator("select[aria-label='Sample image']").select_option(index=1)
    page.wait_for_function(RESULT, timeout=300_000, polling=100)
    second = _result(page)
    assert second["backend"] == backend and second["source"] == first["source"]
    _same_boxes(first, second)


def _stage(tmp_path: Path) -> Path:
    artifacts = export_artifacts(tmp_path / "artifacts", MODEL)
    listed = [a for found in load_artifacts(artifacts).values() for a in found if a.artifact_id == MODEL]
    folder = tmp_path / "page"
    folder.mkdir()
    stage_page(folder, artifacts, listed, load_catalog(CATALOG))
    return folder


QUERY = {"manifest": "demo/manifest.json", "ort": f"{SCRIPTS}/ort/", "models": MODEL, "panels": "1", "threads": "1"}


def test_webgpu_takes_over_only_after_giving_wasms_boxes(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder = _stage(tmp_path)
    with serve(folder) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=WEBGPU_FLAGS, headless=True)
        try:
            page = browser.new_page()
            wasm: list[str] = []
            page.on(
                "request",
                lambda r: wasm.append(r.url.removeprefix(url)) if r.url.endswith((".wasm", ".wasm.gz")) else None,
            )
            page.goto(f"{url}/demo.html?{urlencode({**QUERY, 'accelerator': 'force'})}")
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            first = _result(page)
            assert first["backend"] == "wasm", "wasm shows the first image; WebGPU is on probation"
            note = page.locator(".vs-panel .vs-note").first
            page.wait_for_function(SETTLED, timeout=300_000, polling=100)
            assert note.inner_text().endswith(
                f"WebGPU gave the wasm result on the first image ({len(first['detections'])} of "
                f"{len(first['detections'])} boxes matched); running on WebGPU."
            ), note.inner_text()
            assert first["detections"], "the check needs boxes on the first sample"
            assert wasm == [f"/{SCRIPTS}/ort/ort-wasm-simd-threaded.asyncify.wasm.gz"], wasm

            _runs_again_with_the_same_boxes(page, first, "webgpu")

            # the default ('auto') refuses a software adapter, and says so: wasm, and the CPU build's binary, once
            wasm.clear()
            page.goto(f"{url}/demo.html?{urlencode(QUERY)}")
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            assert _result(page)["backend"] == "wasm"
            assert wasm == [f"/{SCRIPTS}/ort/ort-wasm-simd-threaded.wasm.gz"], wasm
            said = page.locator(".vs-panel .vs-note").first.inner_text()
            assert "WebGPU: only a software adapter (" in said and said.endswith("running on wasm."), said
        finally:
            browser.close()


# What Chromium answers for each device type the demo asks WebNN for (accelerators.js WEBNN_DEVICES.auto).
ASK_WEBNN = """async () => {
  const answers = [];
  for (const deviceType of ['gpu', 'npu']) {
    try { await navigator.ml.createContext({deviceType, powerPreference: 'default'}); return {context: deviceType}; }
    catch (err) { answers.push(err.message.replace(/^Failed to execute '[^']*' on '[^']*': /, '').replace(/\\.$/, '')); }
  }
  return {refusals: [...new Set(answers)]};
}"""


def test_webnn_runs_only_after_giving_wasms_boxes_and_a_refusal_is_quoted(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder = _stage(tmp_path)
    with serve(folder) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=WEBNN_FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(f"{url}/demo.html?{urlencode(QUERY)}")
            assert page.evaluate("() => typeof navigator.ml?.createContext") == "function", "the flag exposes WebNN"
            answer = page.evaluate(ASK_WEBNN)
            page.wait_for_function(RESULT, timeout=300_000, polling=100)
            first = _result(page)
            assert first["backend"] == "wasm", "wasm shows the first image"
            page.wait_for_function(SETTLED, timeout=300_000, polling=100)
            said = page.locator(".vs-panel .vs-note").first.inner_text()
            if "refusals" in answer:  # this Chromium has the API but no backend for it
                assert said.endswith(f"WebNN: no context ({'; '.join(answer['refusals'])}); running on wasm."), said
                return
            # a Chromium that runs WebNN: it takes over only with wasm's boxes, and the next image gives them
            assert said.endswith("running on WebNN.") or "boxes differed" in said or "could not" in said, said
            if said.endswith("running on WebNN."):
                _runs_again_with_the_same_boxes(page, first, "webnn")
        finally:
            browser.close()
