"""The live demo in Chromium, on a site built from real artifacts: detections match the Python reference,
nothing leaves the origin, and bad input stays in its panel."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from generator.artifacts import load_artifacts
from generator.decode import Detection, decode
from generator.demo import labels_by_id
from generator.export.compare import Comparison, Tolerance, compare_image
from generator.loader import load_catalog
from generator.preprocess import load_image, prepare

from .browser import browser_page, serve
from .catalogs import CATALOG, SHARED
from .demo_site import VARIANTS, demo_site, panels  # noqa: F401 (demo_site is a fixture)


def reference(artifacts: Path, variant: str, image: Path) -> tuple[list[Detection], Tolerance, list[str]]:
    import onnxruntime as ort

    (artifact,) = load_artifacts(artifacts)[variant]
    session = ort.InferenceSession(str(artifacts / artifact.artifact_id / "model.onnx"), providers=["CPUExecutionProvider"])
    prepared = prepare(load_image(image), artifact.runtime.input)
    outputs = session.run(None, {session.get_inputs()[0].name: prepared.tensor})
    t = artifact.verification.tolerance
    tolerance = Tolerance(t.confident, t.min_iou, t.score_delta, t.unmatched_share, t.why)
    names = labels_by_id(load_catalog(CATALOG).registry.labels[artifact.runtime.labels].labels)
    return decode(outputs, artifact.runtime, prepared.placement), tolerance, names


def test_both_models_match_the_python_reference_in_the_browser(demo_site: tuple[Path, Path]) -> None:
    site, artifacts = demo_site
    with serve(site) as url, browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/")
        results = panels(page)
        assert sorted(r["variant"] for r in results) == sorted(VARIANTS)
        for result in results:
            assert result["trained"] is True and result["backend"] == "wasm"
            number = int(re.search(r"\d+", result["source"]).group())  # e.g. "sample:COCO image 36"
            image = SHARED / "images" / "coco-sample" / "images" / f"{number:012d}.jpg"
            expected, tolerance, names = reference(artifacts, result["variant"], image)
            ours = [Detection(tuple(d["box"]), d["score"], names.index(d["className"])) for d in result["detections"]]
            comparison = Comparison()
            compare_image(image.name, ours, expected, tolerance, comparison, sides=("browser", "python"))
            assert comparison.confident > 0
            assert comparison.passes(tolerance), (result["variant"], comparison.misses)
            assert result["timings"]["inferenceMs"] > 0
        assert all(u.startswith(url) for u in requests), [u for u in requests if not u.startswith(url)]


def test_missing_weights_are_explained_and_a_dropped_file_is_accepted(demo_site: tuple[Path, Path]) -> None:
    site, _ = demo_site
    with serve(site) as url, browser_page() as page:
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolov12/")
        page.wait_for_selector(".vs-panel[data-result]", timeout=90_000)
        text = page.locator(".vs-demo").inner_text()
        assert "could not obtain trained weights for YOLOv12" in text
        assert "Drop an .onnx file" in text


def test_a_missing_model_file_stays_in_its_panel(demo_site: tuple[Path, Path], tmp_path: Path) -> None:
    site, _ = demo_site
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    (broken / "onnx" / "yolo11n.coco" / "model.onnx").unlink()
    with serve(broken) as url, browser_page() as page:
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/")
        page.wait_for_selector(".vs-panel[data-state=error]", timeout=90_000)
        page.wait_for_selector(".vs-panel[data-result]", timeout=90_000)
        error = page.locator(".vs-panel[data-state=error]").get_attribute("data-error")
        assert "404" in error or "not found" in error.lower(), error
        working = json.loads(page.locator(".vs-panel[data-result]").first.get_attribute("data-result"))
        assert working["variant"] == "ssd-mobilenet-v2.coral-uint8" and working["detections"]


def test_a_file_that_is_not_an_image_gets_a_message(demo_site: tuple[Path, Path], tmp_path: Path) -> None:
    site, _ = demo_site
    not_image = tmp_path / "notes.jpg"
    not_image.write_text("this is not an image")
    with serve(site) as url, browser_page() as page:
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/")
        panels(page)
        page.locator(".vs-demo input[type=file][accept^='image']").first.set_input_files(str(not_image))
        page.wait_for_function("() => /not an image|could not|cannot/i.test(document.querySelector('.vs-demo').innerText)", timeout=30_000)
        assert page.evaluate("() => 1 + 1") == 2  # the page still answers


def test_two_hundred_inferences_do_not_grow_memory(demo_site: tuple[Path, Path]) -> None:
    """Each sample switch runs both models; sessions are reused and tensors released, so after warm-up the
    page's memory (workers included, measured by Chromium) stays flat."""
    site, _ = demo_site
    with serve(site) as url, browser_page() as page:
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/")
        panels(page)
        select = page.locator(".vs-demo select").first
        values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]

        def run_once(i: int) -> None:
            before = max(json.loads(p.get_attribute("data-result"))["frame"] for p in page.query_selector_all(".vs-panel[data-result]"))
            select.select_option(values[i % 2])
            page.wait_for_function(
                f"() => [...document.querySelectorAll('.vs-panel[data-result]')].every(p => JSON.parse(p.dataset.result).frame > {before})",
                timeout=60_000,
                polling=50,
            )

        def memory() -> int:
            return page.evaluate("async () => (await performance.measureUserAgentSpecificMemory()).bytes")

        assert page.evaluate("() => crossOriginIsolated")
        for i in range(1, 21):
            run_once(i)
        warm = memory()
        for i in range(21, 201):
            run_once(i)
        after = memory()
        results = [json.loads(p.get_attribute("data-result")) for p in page.query_selector_all(".vs-panel[data-result]")]
        assert all(r["timings"]["warmRuns"] >= 20 for r in results)
        print(f"memory after 20 inferences per model: {warm / 1e6:.1f} MB, after 200: {after / 1e6:.1f} MB")
        assert after <= warm * 1.10, (warm, after)
