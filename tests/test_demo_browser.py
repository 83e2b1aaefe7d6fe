"""The live demo in Chromium, on a site built from real artifacts: detections match the Python reference,
nothing leaves the origin, and bad input stays in its panel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.decode import Detection
from generator.export.agreement import Comparison, compare_image
from generator.loader import load_catalog
from generator.site import build_site

from .browser import browser_page, serve
from .catalogs import CATALOG, export_artifacts
from .demo_site import VARIANTS, demo_site, panels, reference  # noqa: F401 (demo_site is a fixture)


def test_both_models_match_the_python_reference_in_the_browser(demo_site: tuple[Path, Path]) -> None:
    site, artifacts = demo_site
    check_panels(site, artifacts, "/compare/mobilenet-ssd-v2-vs-yolo11/", VARIANTS)


# Graphs fed the original image size (DEIMv2, int64) or a scale factor (PicoDet, float32) beside the image: the
# worker's extra inputs, and boxes the graph gives in image pixels.
EXTRA_INPUT_VARIANTS = ("deimv2-atto.coco", "picodet-xs.coco-320")


@pytest.fixture(scope="module")
def extra_input_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("extra")
    artifacts = export_artifacts(tmp / "artifacts", *EXTRA_INPUT_VARIANTS)
    build_site(load_catalog(CATALOG), tmp / "site", artifacts=artifacts)
    return tmp / "site", artifacts


def test_graphs_with_extra_inputs_match_the_python_reference_in_the_browser(
    extra_input_site: tuple[Path, Path],
) -> None:
    site, artifacts = extra_input_site
    check_panels(site, artifacts, "/compare/deimv2-vs-pp-picodet/", EXTRA_INPUT_VARIANTS)


def check_panels(site: Path, artifacts: Path, page_path: str, variants: tuple[str, ...]) -> None:
    """Each panel's detections in the browser against the Python reference on the same sample image."""
    manifest = json.loads((site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    shown = {s["name"]: (site / "demo" / s["url"]).resolve() for s in manifest["samples"]}  # the shipped samples
    with serve(site) as url, browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}{page_path}")
        results = panels(page)
        assert sorted(r["variant"] for r in results) == sorted(variants)
        for result in results:
            assert result["trained"] is True and result["backend"] == "wasm"
            image = shown[result["source"].removeprefix("sample:")]  # e.g. "sample:A train at a station platform"
            expected, tolerance, names = reference(artifacts, result, image)
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
        assert "This build has no trained YOLOv12." in text
        assert "Drop an .onnx file" in text
        page.locator(".vs-reason summary").click()  # the longer story, one click away
        assert "could not obtain trained weights for YOLOv12" in page.locator(".vs-demo").inner_text()


@pytest.fixture(scope="module")
def seed_site(demo_site: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed pair as `.ci/test` builds it: demo_site's two trained models plus YOLOv12's untrained test graph."""
    _, trained = demo_site
    artifacts = tmp_path_factory.mktemp("seed") / "artifacts"
    shutil.copytree(trained, artifacts)
    export_artifacts(artifacts, "--untrained", "yolov12n")
    out = artifacts.parent / "site"
    build_site(load_catalog(CATALOG), out, artifacts=artifacts)
    return out


def test_a_panel_that_cannot_run_its_model_offers_a_stand_in_named_as_itself(seed_site: Path, tmp_path: Path) -> None:
    yolo11 = load_catalog(CATALOG).card("yolo11")
    label = f"Stand-in: {yolo11.name} (yolo11n.coco) — not YOLOv12"  # e.g. "Stand-in: Ultralytics YOLO11 (yolo11n.coco) — not YOLOv12"
    name = f"{next(v.name for v in yolo11.variants if v.id == 'yolo11n.coco')} — stand-in, not YOLOv12"
    with serve(seed_site) as url, browser_page() as page:
        page.set_viewport_size({"width": 1280, "height": 1100})
        page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolov12/")
        page.wait_for_selector(".vs-panel[data-panel='0'][data-result]", timeout=90_000)
        yolov12 = page.locator(".vs-panel[data-panel='1']")
        assert yolov12.get_attribute("data-state") == "empty", "nothing runs in its place until the visitor picks"
        reason = yolov12.locator(".vs-reason summary")
        assert reason.inner_text() == "This build has no trained YOLOv12."
        line = reason.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        assert reason.bounding_box()["height"] < 1.5 * line, "the reason takes one line"
        picker = yolov12.locator("select[aria-label='Stand-in model']")
        # from the manifest: trained detectors of other cards; not the untrained graph, not the other side (the SSD)
        options = picker.locator("option").all_inner_texts()
        assert options == ["— pick a model —", label], options
        assert any(
            "Untrained test graph" in o for o in yolov12.locator("select.vs-variant option").all_inner_texts()
        ), "still offered as itself"

        picker.select_option(label=label)
        page.wait_for_function(
            "() => JSON.parse(document.querySelector(\".vs-panel[data-panel='1']\").dataset.result ?? 'null')?.standInFor === 'yolov12'",
            timeout=90_000,
            polling=50,
        )
        result = json.loads(yolov12.get_attribute("data-result"))
        assert (result["model"], result["variant"], result["trained"]) == ("yolo11", "yolo11n.coco", True)
        assert result["name"] == name
        assert (
            result["detections"]
            and result["source"]
            == json.loads(page.locator(".vs-panel[data-panel='0']").get_attribute("data-result"))["source"]
        )
        assert yolov12.locator(".vs-panel-title").inner_text() == name
        assert yolov12.locator(".vs-badge").inner_text() == "stand-in"
        text = yolov12.inner_text()
        assert f"{label}. Boxes, labels and timings here come from {name.split(' — ')[0]}." in text
        assert yolov12.locator("ol.vs-detections").get_attribute("aria-label") == f"Detections by {name}"
        assert "This build has no trained YOLOv12." in text, "the reason stays while the stand-in runs"
        yolov12.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "stand-in.png"), full_page=True)
        print(f"screenshot: {tmp_path / 'stand-in.png'}")

        # its measurement record names the stand-in's artifact, never YOLOv12
        page.evaluate(
            "() => { const d = document.querySelector('.vs-demo'); d.dataset.measureWarmup = '1'; d.dataset.measureRuns = '2'; }"
        )
        page.locator(".vs-measure-button").click()
        page.wait_for_function(
            "() => ['done', 'error'].includes(document.querySelector('.vs-demo').dataset.measureState)", timeout=120_000
        )
        assert page.locator(".vs-demo").get_attribute("data-measure-state") == "done", page.locator(
            ".vs-demo"
        ).get_attribute("data-measure-error")
        record = json.loads(yolov12.get_attribute("data-measurement"))
        assert record["artifact"]["card_id"] == "yolo11" and record["artifact"]["artifact_id"] == default_graph(
            seed_site, "yolo11n.coco"
        ), "the variant's default graph (the smallest) stands in"
        assert "yolov12" not in json.dumps(record).lower()
        assert page.locator(".vs-measure-table tr[data-panel='1'] td").first.inner_text() == name


def test_a_missing_model_file_stays_in_its_panel(demo_site: tuple[Path, Path], tmp_path: Path) -> None:
    site, _ = demo_site
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    (broken / "onnx" / default_graph(site, "yolo11n.coco") / "model.onnx").unlink()  # the graph the panel loads
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
        page.wait_for_function(
            "() => /not an image|could not|cannot/i.test(document.querySelector('.vs-demo').innerText)", timeout=30_000
        )
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
            before = max(
                json.loads(p.get_attribute("data-result"))["frame"]
                for p in page.query_selector_all(".vs-panel[data-result]")
            )
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
        results = [
            json.loads(p.get_attribute("data-result")) for p in page.query_selector_all(".vs-panel[data-result]")
        ]
        assert all(r["timings"]["warmRuns"] >= 20 for r in results)
        print(f"memory after 20 inferences per model: {warm / 1e6:.1f} MB, after 200: {after / 1e6:.1f} MB")
        assert after <= warm * 1.10, (warm, after)


def default_graph(site: Path, variant: str) -> str:
    """The artifact a panel loads for `variant`: its first entry in the site's demo manifest (the smallest graph)."""
    manifest = json.loads((site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    return next(m["artifact"] for m in manifest["models"] if m["variant"] == variant and m["trained"])
