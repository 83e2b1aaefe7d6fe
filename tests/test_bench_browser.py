"""The bench's browser driver and the demo's "Measure on this device" button, in Chromium, on artifacts
exported for real: the figures come through the demo's own worker code, and the records validate."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from generator.artifacts import load_artifacts
from generator.bench.browser import CHROMIUM_FLAGS, BrowserBench, BrowserUnavailable
from generator.loader import load_catalog
from generator.measurement import BrowserLatency, Measurement
from generator.site import build_site

from .browser import chromium_path, serve
from .catalogs import CATALOG, ROOT, export_artifacts

VARIANTS = ("ssd-mobilenet-v2.coral-uint8", "yolo11n.coco")
RAN = ("ssd-mobilenet-v2.coral-uint8", "yolo11n.coco.int8")  # the pair page's panels run each variant's smallest graph
# A camera that needs no hardware and no permission prompt: Chromium's test pattern.
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifacts = tmp_path_factory.mktemp("bench-browser") / "artifacts"
    return export_artifacts(artifacts, *VARIANTS)


def test_bench_measures_through_the_demo(exported: Path) -> None:
    artifacts = [a for found in load_artifacts(exported).values() for a in found]
    (yolo,) = [a for a in artifacts if a.artifact_id == "yolo11n.coco"]
    with BrowserBench(exported, artifacts, load_catalog(CATALOG), chromium=chromium_path()) as bench:
        assert bench.versions["onnxruntime-web"] == "1.30.0" and bench.versions["browser"].startswith("Chromium ")
        latency = bench.measure(yolo, threads=2, warmup=1, runs=3, cold_pages=1)
        single = bench.measure(yolo, threads=1, warmup=1, runs=3, cold_pages=0)

    assert isinstance(latency, BrowserLatency)
    assert latency.backend == "wasm" and latency.threads == 2 and latency.requested_threads == 2
    assert latency.cross_origin_isolated and latency.warmup == 1
    assert latency.inference.runs == 3 and latency.inference.median > 0
    assert latency.end_to_end.median >= latency.inference.median * 0.99
    # cold (session creation + the first inference) is timed on another page than the warm runs: on a host whose
    # speed drifts, comparing the two would test the host, so only that it was measured is asserted
    assert latency.cold is not None and latency.cold.runs == 1 and latency.cold.median > 0
    # memory only on one thread: Chromium's measurement would wait a minute for the idle wasm thread pool
    assert latency.memory_bytes is None
    assert single.threads == 1 and single.cold is None and single.memory_bytes > yolo.file.bytes


def test_session_options_knob_reaches_the_workers_session(exported: Path) -> None:
    """The benchmarking knob (studies/browser_gap/): absent by default; when given, the options
    reach onnxruntime-web's InferenceSession.create in the demo's worker (an invalid level is refused by
    onnxruntime-web itself), and they cannot move the session off the worker's execution provider."""
    artifacts = [a for found in load_artifacts(exported).values() for a in found]
    (yolo,) = [a for a in artifacts if a.artifact_id == "yolo11n.coco"]
    with BrowserBench(exported, artifacts, load_catalog(CATALOG), chromium=chromium_path()) as bench:
        assert "session-options" not in bench.page_url(yolo, threads=1, warmup=1, runs=1)
        with pytest.raises(BrowserUnavailable, match="unsupported graph optimization level: bogus"):
            bench.measure(
                yolo, threads=1, warmup=0, runs=1, cold_pages=0, session_options={"graphOptimizationLevel": "bogus"}
            )
        latency = bench.measure(
            yolo,
            threads=1,
            warmup=0,
            runs=1,
            cold_pages=0,
            session_options={"graphOptimizationLevel": "basic", "executionProviders": ["webgpu"]},
        )
    assert latency.backend == "wasm" and latency.inference.runs == 1


def test_no_chromium_says_so(exported: Path, tmp_path: Path) -> None:
    artifacts = [a for found in load_artifacts(exported).values() for a in found]
    missing = tmp_path / "no-such-chromium"
    with (
        pytest.raises(BrowserUnavailable, match=f"chromium not found at {missing}"),
        BrowserBench(exported, artifacts, load_catalog(CATALOG), chromium=str(missing)),
    ):
        pass


def test_measure_button_on_the_site_stops_the_webcam_and_offers_records(exported: Path, tmp_path: Path) -> None:
    """The built site (its CSP included): two panels measured one after the other on a webcam still, each
    with a record that validates, downloadable as versus-measurement-<artifact>.json."""
    from playwright.sync_api import sync_playwright

    site = tmp_path / "site"
    build_site(load_catalog(CATALOG), site, artifacts=exported)
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path(), args=[*CHROMIUM_FLAGS, *FAKE_CAMERA], headless=True
        )
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(f"{url}/compare/mobilenet-ssd-v2-vs-yolo11/")
            page.wait_for_function(
                "() => document.querySelectorAll('.vs-panel[data-result]').length === 2", timeout=120_000, polling=50
            )
            page.evaluate(
                "() => Object.assign(document.querySelector('.vs-demo').dataset, {measureWarmup: '1', measureRuns: '2'})"
            )
            page.get_by_role("button", name="Webcam").click()
            page.wait_for_function(
                "() => [...document.querySelectorAll('.vs-panel[data-result]')].every(p => JSON.parse(p.dataset.result).source === 'webcam')",
                timeout=60_000,
                polling=50,
            )
            button = page.get_by_role("button", name="Measure on this device")
            button.click()
            page.wait_for_function(
                "() => document.querySelector('.vs-demo').dataset.measureState !== undefined", polling=50
            )
            assert button.is_disabled()
            page.wait_for_function(
                "() => ['done', 'error'].includes(document.querySelector('.vs-demo').dataset.measureState)",
                timeout=300_000,
                polling=50,
            )
            demo = page.evaluate("() => ({...document.querySelector('.vs-demo').dataset})")
            assert demo["measureState"] == "done", demo.get("measureError")
            assert page.get_by_role("button", name="Webcam").get_attribute("aria-pressed") == "false", (
                "measuring stops the webcam"
            )
            assert button.is_enabled()

            records = [
                Measurement.model_validate_json(p.get_attribute("data-measurement"))
                for p in page.query_selector_all(".vs-panel")
            ]
            assert sorted(r.artifact.artifact_id for r in records) == sorted(RAN)
            assert len({r.run for r in records}) == 1 and records[0].recorded_by == "versus demo"
            head = subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.strip()
            assert {r.commit.removesuffix("+dirty") for r in records} == {head}, (
                "the site's build commit names the demo code"
            )
            for record in records:
                (latency,) = record.browser
                assert (
                    latency.backend == "wasm"
                    and latency.cross_origin_isolated
                    and latency.inference.runs == 2
                    and latency.warmup == 1
                )
                assert record.software["onnxruntime-web"] == "1.30.0" and record.machine.cores >= 1
            assert page.locator(".vs-measure-table tbody tr").count() == 2

            with page.expect_download() as download_info:
                page.locator("a.vs-record[download='versus-measurement-yolo11n.coco.int8.json']").click()
            downloaded = Path(download_info.value.path()).read_text(encoding="utf-8")
            assert Measurement.model_validate(json.loads(downloaded)).artifact.artifact_id == "yolo11n.coco.int8"
        finally:
            browser.close()
