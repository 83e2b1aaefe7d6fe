"""The all-models page and the pair diff view in Chromium, on a site built from every artifact `versus export`
makes: each trained model's boxes on a sample match the Python reference, the models come from the Cache API on
a second visit, filters and sorting work, and the diff view's counts are the hand-matched ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.artifacts import load_artifacts
from generator.decode import Detection
from generator.export.agreement import Comparison, compare_image
from generator.export.manifest import by_size
from generator.loader import load_catalog
from generator.site import build_site

from .browser import browser_page, serve
from .catalogs import CATALOG, SETTINGS
from .demo_site import COMPARE_PAGE, reference

# Trained artifacts come from `versus export` with the weights mirror (or the network); the diff view's image from
# the val2017 set. Without them: a named skip (tests/conftest.py); with ../shared, missing artifacts fail.
pytestmark = pytest.mark.needs_shared("weights_mirror", "accuracy_images")
PAGE = "/demo/object-detection/"
DONE = "() => document.querySelector('.vs-all')?.dataset.runState === 'done'"


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(site, artifacts): the real catalog built with the project's artifacts folder (README: Settings), which
    `.ci/test` fills with `versus export` of every demo-able variant before the tests (exporting all of them again
    here would repeat each one's verification and accuracy check)."""
    artifacts = SETTINGS.require("artifacts")
    assert trained_artifacts(artifacts), f"no trained artifact in {artifacts}: run `versus export` first"
    site = tmp_path_factory.mktemp("all") / "site"
    build_site(load_catalog(CATALOG), site, artifacts=artifacts)
    return site, artifacts


def trained_artifacts(artifacts: Path) -> list[str]:
    """One tile per trained variant, running its default graph: the smallest (an int8 graph where one kept accuracy)."""
    found = load_artifacts(artifacts).values()
    return sorted(graphs[0].artifact_id for arts in found if (graphs := by_size([a for a in arts if a.trained])))


def sample_file(site: Path, frame_label: str) -> Path:
    """The published sample image a `sample:<name>` label names, through the site's own demo manifest."""
    manifest = json.loads((site / "demo" / "manifest.json").read_text(encoding="utf-8"))
    name = frame_label.removeprefix("sample:")
    (sample,) = [s for s in manifest["samples"] if s["name"] == name]
    return site / "samples" / Path(sample["url"]).name


def tiles(page) -> dict[str, dict]:
    return {
        el.get_attribute("data-artifact"): json.loads(el.get_attribute("data-result"))
        for el in page.query_selector_all(".vs-all-model[data-result]")
    }


def test_every_trained_model_matches_the_python_reference_and_is_cached(full_site: tuple[Path, Path]) -> None:
    site, artifacts = full_site
    expected_ids = trained_artifacts(artifacts)
    assert len(expected_ids) >= 11, expected_ids
    with serve(site) as url, browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{url}{PAGE}")
        page.wait_for_function(DONE, timeout=900_000, polling=200)
        errors = {
            el.get_attribute("data-artifact"): el.get_attribute("data-error")
            for el in page.query_selector_all(".vs-all-model[data-state=error]")
        }
        assert errors == {}
        results = tiles(page)
        assert sorted(results) == expected_ids, "one tile per trained artifact, each with a result"
        image = sample_file(site, page.locator(".vs-all").get_attribute("data-frame"))
        for artifact, result in results.items():
            assert result["source"] == f"sample:{image.name}" or result["source"].startswith("sample:")
            expected, tolerance, names = reference(artifacts, result, image)
            ours = [Detection(tuple(d["box"]), d["score"], names.index(d["className"])) for d in result["detections"]]
            comparison = Comparison()
            compare_image(image.name, ours, expected, tolerance, comparison, sides=("browser", "python"))
            assert comparison.confident > 0, artifact
            assert comparison.passes(tolerance), (artifact, comparison.misses)
            assert result["timings"]["inferenceMs"] > 0 and result["fromCache"] is False
        assert all(u.startswith(url) for u in requests), [u for u in requests if not u.startswith(url)]
        # one model at a time: each model file was fetched once, in the page's order
        models = [u.removeprefix(url) for u in requests if u.endswith("/model.onnx")]
        assert len(models) == len(expected_ids) == len(set(models)), models
        # onnxruntime-web's wasm binary: once for the page, not once per model's worker, and gzipped (ort-wasm.js)
        assert [u for u in requests if u.endswith((".wasm", ".wasm.gz"))] == [
            f"{url}/assets/versus-demo/ort/ort-wasm-simd-threaded.wasm.gz"
        ]

        # narrowing and sorting: what is shown passes the filter; by speed, fastest first
        licence = page.locator("select[data-filter=license] option").nth(1).get_attribute("value")
        page.select_option("select[data-filter=license]", licence)
        shown = [el for el in page.query_selector_all(".vs-all-model") if el.is_visible()]
        assert shown and all(el.get_attribute("data-license") == licence for el in shown)
        assert len(shown) < len(expected_ids)
        page.select_option("select[data-filter=license]", "")
        page.select_option("select[data-sort]", "speed")
        order = [el.get_attribute("data-artifact") for el in page.query_selector_all(".vs-all-model")]
        times = [results[a]["timings"]["inferenceMs"] for a in order]
        assert times == sorted(times)
        page.select_option("select[data-sort]", "detections")
        counts = [
            len(results[el.get_attribute("data-artifact")]["detections"])
            for el in page.query_selector_all(".vs-all-model")
        ]
        assert counts == sorted(counts, reverse=True)

        # a second visit takes the models from the Cache API: no model file is downloaded again
        requests.clear()
        page.reload()
        page.wait_for_selector(".vs-all-model[data-result]", timeout=300_000)
        first = next(iter(tiles(page).values()))
        assert first["fromCache"] is True
        assert not [u for u in requests if u.endswith("/model.onnx")], "the worker reads the cache, not the network"


# COCO val2017 image 9769, a street with a truck. The two models' detections at their own thresholds
# (Python reference, listed here so a failure says what changed), matched by hand (class and IoU >= 0.5, greedy by IoU):
#   SSD MobileNet v2: a0 truck [94.3,179.2,474.1,376.8] 0.95; a1 person [141.9,206.5,173.9,268.8] 0.58;
#     a2 car [478.6,239.8,508.5,256.8] 0.58; a3 car [496.1,239.5,530.0,257.8] 0.58;
#     a4 person [164.7,204.3,195.7,238.4] 0.34; a5 person [627.2,248.0,638.1,271.2] 0.27
#   YOLO11n: b0 truck [83.5,186.5,464.3,375.4] 0.86; b1 person [138.3,201.5,181.3,276.5] 0.62;
#     b2 car [493.3,237.8,532.2,260.4] 0.43; b3 fire hydrant [551.3,256.8,562.4,278.6] 0.41;
#     b4 person [138.4,200.4,202.5,278.4] 0.35
#   a0-b0: intersection 370 x 188.9 = 69,893, union 75,048 + 71,933 - 69,893 = 77,088: IoU 0.91, both.
#   a1 lies inside b1: 1,993.6 / 3,225 = 0.62, both (a1-b4: 1,993.6 / 5,000 = 0.40, no).
#   a4-b1: 566 / 3,716 = 0.15; a4 inside b4: 1,057 / 5,000 = 0.21: a4 only SSD; b4 only YOLO.
#   a3 lies inside b2: 620.4 / 879.1 = 0.71, both; a2-b2: 258.4 / 1,129 = 0.23: a2 only SSD.
#   a5 (far right) and b3 (no hydrant in SSD's list): only their own side.
# both 3 (truck, person, car), only SSD 3 (car, person, person), only YOLO 2 (fire hydrant, person).
DIFF_IMAGE = "000000009769.jpg"
DIFF_COUNTS = {"both": 3, "onlyA": 3, "onlyB": 2}
DIFF_CLASSES = {
    "ssd-mobilenet-v2.coral-uint8": ["truck", "person", "car", "car", "person", "person"],
    "yolo11n.coco": ["truck", "person", "car", "fire hydrant", "person"],
}


def test_the_diff_view_counts_the_hand_matched_boxes(full_site: tuple[Path, Path], tmp_path: Path) -> None:
    site, _ = full_site
    image = SETTINGS.require("accuracy_images") / "images" / DIFF_IMAGE
    with serve(site) as url, browser_page() as page:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.set_viewport_size({"width": 1280, "height": 1000})
        page.goto(f"{url}{COMPARE_PAGE}")
        page.wait_for_function("() => document.querySelector('section.vs-diff')?.dataset.diff", timeout=300_000)
        # both panels' workers share one download of onnxruntime-web's wasm (gzipped), and their threads fit the cores
        assert [u for u in requests if u.endswith((".wasm", ".wasm.gz"))] == [
            f"{url}/assets/versus-demo/ort/ort-wasm-simd-threaded.wasm.gz"
        ]
        cores = page.evaluate("() => navigator.hardwareConcurrency")
        threads = [json.loads(p.get_attribute("data-result"))["threads"] for p in page.query_selector_all(".vs-panel")]
        assert sum(threads) <= max(cores, len(threads)), (cores, threads)
        # the boxes above are the float graph's (the int8 graph, the panel's default, misses the 0.41 hydrant):
        # choose it in the graph menu
        page.locator("select.vs-graph:visible").select_option(index=1)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.vs-panel[data-result]')].some(p => JSON.parse(p.dataset.result).artifact === 'yolo11n.coco')",
            timeout=300_000,
        )
        page.locator(".vs-demo input[type=file][accept^='image']").first.set_input_files(str(image))
        page.wait_for_function(
            f"() => JSON.parse(document.querySelector('section.vs-diff').dataset.diff ?? 'null')?.source === 'upload:{DIFF_IMAGE}'",
            timeout=300_000,
            polling=50,
        )
        results = {
            json.loads(p.get_attribute("data-result"))["variant"]: json.loads(p.get_attribute("data-result"))
            for p in page.query_selector_all(".vs-panel[data-result]")
        }
        for variant, classes in DIFF_CLASSES.items():
            got = sorted(d["className"] for d in results[variant]["detections"])
            assert got == sorted(classes), (variant, results[variant]["detections"])
        diff = json.loads(page.locator("section.vs-diff").get_attribute("data-diff"))
        assert {k: diff[k] for k in DIFF_COUNTS} == DIFF_COUNTS, diff
        items = page.locator(".vs-diff-list li")
        assert items.count() == sum(DIFF_COUNTS.values())
        kinds = items.evaluate_all("els => els.map(e => e.dataset.kind)")
        assert kinds == ["both"] * 3 + ["onlyA"] * 3 + ["onlyB"] * 2
        counts = page.locator(".vs-diff-counts").inner_text()
        assert "both: 3" in counts and "only A: 3" in counts and "only B: 2" in counts
        items.nth(4).hover()  # highlights its box
        assert "vs-active" in (items.nth(4).get_attribute("class") or "")
        page.locator("section.vs-diff").screenshot(path=str(tmp_path / "diff.png"))
        print(f"screenshot: {tmp_path / 'diff.png'}")
