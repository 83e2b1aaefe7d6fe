"""The bench's browser side: the demo's own page and worker code in headless Chromium, one artifact at a time.

`BrowserBench` stages the standalone demo page with the files the site publishes (the demo scripts,
onnxruntime-web's CPU build, the models, the first sample image and a demo manifest of exactly the artifacts
to bench), serves it on 127.0.0.1 with the cross-origin isolation headers (`generator/serve.py`) and drives
Debian's chromium through Playwright. A figure therefore comes from the same code a visitor runs:

- cold: session creation + first inference, as the demo's worker times it, one sample per fresh browser
  context (empty Cache API, so the model is downloaded again, though the download is not counted);
- warm: the demo's "Measure on this device" button, whose record (`data-measurement`, made by
  `wasm_demo/src/measure.js`) is read back and validated against `generator/measurement.py`.

Playwright is a dev dependency: without it, or without chromium, `BrowserUnavailable` says why and the run
records the browser section as skipped with that reason.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlencode

from pydantic import ValidationError

from ..demo import SCRIPTS, demo_files
from ..export.manifest import OnnxArtifact
from ..loader import Catalog
from ..measurement import BrowserLatency, Measurement
from ..samples import SamplesError
from ..samples import load as shipped_samples
from ..serve import make_server
from ..site import PROJECT
from ..staging import BuildError, stage_demo
from .stats import figure

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

    from playwright.sync_api import Browser, Playwright

# Flags that work headless on these machines (without the background-networking ones chromium hangs on a
# closed network). tests/browser.py uses the same list.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# performance.measureUserAgentSpecificMemory() answers at once instead of at the next garbage collection.
EAGER_MEMORY_FLAG = "--enable-blink-features=ForceEagerMeasureMemory"
POLL_MS = 50
PAGE_TIMEOUT_MS = 180_000
RUN_TIMEOUT_MS = 30_000  # per timed or warm-up run, on top of PAGE_TIMEOUT_MS


class BrowserUnavailable(Exception):
    """The browser section cannot be measured here; the message says why (and the run records it as skipped)."""


class BrowserBench:
    """One local server and one headless Chromium for a whole run; `measure` once per artifact and thread count."""

    def __init__(
        self,
        artifact_root: Path,
        artifacts: list[OnnxArtifact],
        catalog: Catalog,
        *,
        chromium: str = "/usr/bin/chromium",
        webgpu: bool = False,
        project: Path = PROJECT,
    ) -> None:
        self.artifact_root = Path(artifact_root)
        self.artifacts = list(artifacts)
        self.catalog = catalog
        self.chromium = chromium
        self.webgpu = webgpu
        self.project = project
        self.versions: dict[str, str] = {}
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._server: ThreadingHTTPServer | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._base = ""
        self._listed: set[str] = set()

    # --- set-up ---

    def __enter__(self) -> Self:
        if not Path(self.chromium).is_file():
            raise BrowserUnavailable(
                f"chromium not found at {self.chromium} (install Debian's chromium: apt-get install chromium)"
            )
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise BrowserUnavailable(
                f"playwright is not installed ({exc}); it is in the dev dependencies: uv sync --group dev"
            ) from exc
        self._tmp = tempfile.TemporaryDirectory(prefix="versus-bench-browser-")
        try:
            folder = Path(self._tmp.name)
            self._listed = stage_page(folder, self.artifact_root, self.artifacts, self.catalog, project=self.project)
            server = self._server = make_server(folder, port=0)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._base = f"http://127.0.0.1:{server.server_address[1]}"
            playwright = self._playwright = sync_playwright().start()
            flags = [f for f in CHROMIUM_FLAGS if not (self.webgpu and f == "--disable-gpu")] + [EAGER_MEMORY_FLAG]
            if self.webgpu:
                flags.append("--enable-unsafe-webgpu")
            try:
                browser = self._browser = playwright.chromium.launch(
                    executable_path=self.chromium, args=flags, headless=True
                )
            except PlaywrightError as exc:
                raise BrowserUnavailable(
                    f"chromium at {self.chromium} did not start: {exc.message.splitlines()[0]}"
                ) from exc
            self.versions = {
                "browser": f"Chromium {browser.version} (headless)",
                "onnxruntime-web": ort_web_version(self.project / "wasm_demo" / "node_modules"),
            }
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # --- other pages on the same server (generator/bench/browser_accuracy.py) ---

    def serve_files(self, folder: str, files: dict[str, Path]) -> str:
        """Links `files` (name -> path) into `folder` of the served root; returns that folder's URL."""
        if self._tmp is None:
            raise RuntimeError("BrowserBench.serve_files outside its `with` block")
        target = Path(self._tmp.name) / folder
        target.mkdir(parents=True, exist_ok=True)
        for name, path in files.items():
            link = target / name
            if not link.is_symlink():
                link.symlink_to(Path(path).resolve())
        return f"{self._base}/{folder}/"

    def new_context(self) -> Any:
        """A fresh browser context (empty profile) on the run's Chromium; the caller closes it."""
        if self._browser is None:
            raise RuntimeError("BrowserBench.new_context outside its `with` block")
        return self._browser.new_context()

    @property
    def base_url(self) -> str:
        return self._base

    # --- measuring ---

    def page_url(
        self,
        artifact: OnnxArtifact,
        *,
        threads: int,
        warmup: int,
        runs: int,
        session_options: dict[str, Any] | None = None,
    ) -> str:
        query = {
            "manifest": "demo/manifest.json",
            "ort": f"{SCRIPTS}/ort/",
            "models": artifact.artifact_id,
            "panels": "1",
            "threads": str(threads),
            "accelerator": "auto" if self.webgpu else "off",
            "measure-warmup": str(warmup),
            "measure-runs": str(runs),
        }
        if session_options:
            query["session-options"] = json.dumps(session_options, separators=(",", ":"))
        return f"{self._base}/demo.html?{urlencode(query)}"

    def measure(
        self,
        artifact: OnnxArtifact,
        *,
        threads: int,
        warmup: int,
        runs: int,
        cold_pages: int,
        session_options: dict[str, Any] | None = None,
    ) -> BrowserLatency:
        """Cold: one sample per fresh browser context (`cold_pages` of them; null when 0). Warm: the demo's
        "Measure on this device" path with `warmup` and `runs`, in the last of those pages.

        `session_options` is a benchmarking knob (`studies/browser_gap/`): onnxruntime-web session
        options merged over the demo worker's own (the page's `session-options` parameter). `versus bench` never
        sets it, and figures measured with it describe the override, not the demo: never record them."""
        if self._browser is None:
            raise RuntimeError("BrowserBench.measure outside its `with` block")
        if artifact.artifact_id not in self._listed:
            raise BrowserUnavailable(
                f"{artifact.artifact_id}: not in the staged demo manifest (its card or variant is not in the catalog)"
            )
        if threads < 1 or warmup < 0 or runs < 1 or cold_pages < 0:
            raise ValueError(
                f"threads >= 1, warmup >= 0, runs >= 1, cold_pages >= 0; got {threads}, {warmup}, {runs}, {cold_pages}"
            )
        url = self.page_url(artifact, threads=threads, warmup=warmup, runs=runs, session_options=session_options)
        where = f"{artifact.artifact_id} in chromium ({threads} thread{'s' if threads != 1 else ''})"
        cold: list[float] = []
        context = None
        try:
            for i in range(max(cold_pages, 1)):
                if context is not None:
                    context.close()
                context = self._browser.new_context()  # a fresh profile: empty Cache API, new workers
                page, errors = self._open(context, url, where)
                result = first_result(page, where, errors)
                if i < cold_pages:
                    cold.append(float(result["timings"]["coldMs"]))
            record = self._click_measure(page, where, errors, warmup + runs)
        finally:
            if context is not None:
                context.close()
        return browser_latency(record, artifact, threads=threads, webgpu=self.webgpu, cold_ms=cold, where=where)

    def _open(self, context: Any, url: str, where: str) -> tuple[Any, list[str]]:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        response = page.goto(url)
        if response is None or not response.ok:
            raise BrowserUnavailable(
                f"{where}: the demo page did not load ({url}: HTTP {response.status if response else '?'})"
            )
        return page, errors

    def _click_measure(self, page: Any, where: str, errors: list[str], total_runs: int) -> dict:
        page.click(".vs-measure-button")
        wait(
            page,
            "() => ['done', 'error'].includes(document.querySelector('.vs-demo').dataset.measureState)",
            PAGE_TIMEOUT_MS + total_runs * RUN_TIMEOUT_MS,
            f"{where}: 'Measure on this device' did not finish",
            errors,
        )
        state = page.evaluate("() => ({...document.querySelector('.vs-demo').dataset})")
        if state.get("measureState") != "done":
            raise BrowserUnavailable(f"{where}: {state.get('measureError', 'the measurement failed')}")
        text = page.get_attribute(".vs-panel", "data-measurement")
        if not text:
            raise BrowserUnavailable(f"{where}: the panel has no data-measurement record after measuring")
        return json.loads(text)


def wait(page: Any, expression: str, timeout_ms: int, what: str, errors: list[str]) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(expression, timeout=timeout_ms, polling=POLL_MS)
    except PlaywrightTimeout as exc:
        detail = f"; page errors: {' | '.join(errors[-3:])}" if errors else ""
        raise BrowserUnavailable(f"{what} within {timeout_ms / 1000:.0f} s{detail}") from exc


def first_result(page: Any, where: str, errors: list[str]) -> dict:
    """The panel's first result (the autorun sample), or the error the page shows instead."""
    wait(
        page,
        "() => { const d = document.querySelector('.vs-demo'); const p = document.querySelector('.vs-panel');"
        " return d?.dataset.state === 'error' || (p && (p.dataset.result || p.dataset.state === 'error')); }",
        PAGE_TIMEOUT_MS,
        f"{where}: the demo showed no result",
        errors,
    )
    panel = page.query_selector(".vs-panel")
    if panel is None or panel.get_attribute("data-state") == "error":
        message = panel.get_attribute("data-error") if panel else page.inner_text(".vs-demo")
        raise BrowserUnavailable(f"{where}: the demo failed: {message}")
    result = json.loads(panel.get_attribute("data-result"))
    if not result.get("crossOriginIsolated"):
        raise BrowserUnavailable(
            f"{where}: the page is not cross-origin isolated, so wasm threads are off (check the COOP/COEP headers)"
        )
    return result


def browser_latency(
    record_json: dict, artifact: OnnxArtifact, *, threads: int, webgpu: bool, cold_ms: list[float], where: str
) -> BrowserLatency:
    """The demo's record, checked (format, artifact, isolation, threads), with the bench's cold samples."""
    try:
        record = Measurement.model_validate(record_json)
    except ValidationError as exc:
        raise BrowserUnavailable(f"{where}: the demo's record does not validate: {exc}") from exc
    if record.artifact.sha256 != artifact.file.sha256 or record.artifact.artifact_id != artifact.artifact_id:
        raise BrowserUnavailable(
            f"{where}: the page measured {record.artifact.artifact_id} ({record.artifact.sha256[:12]}…), not this artifact"
        )
    (latency,) = record.browser
    if not latency.cross_origin_isolated:
        raise BrowserUnavailable(f"{where}: the worker was not cross-origin isolated")
    if latency.backend != "wasm" and not webgpu:
        raise BrowserUnavailable(f"{where}: ran on {latency.backend} although the bench asked for wasm")
    if latency.requested_threads != threads:
        raise BrowserUnavailable(
            f"{where}: the page's thread setting is {latency.requested_threads}, not the {threads} asked for"
        )
    fields = latency.model_dump()
    fields["cold"] = figure(cold_ms).model_dump() if cold_ms else None
    return BrowserLatency.model_validate(fields)


def stage_page(
    folder: Path,
    artifact_root: Path,
    artifacts: list[OnnxArtifact],
    catalog: Catalog,
    *,
    project: Path = PROJECT,
) -> set[str]:
    """The standalone demo page with the site's demo files and a manifest of exactly `artifacts` (untrained ones
    included, marked `trained: false`). Returns the artifact ids the manifest lists."""
    node_modules = project / "wasm_demo" / "node_modules"
    try:
        samples = shipped_samples()
    except SamplesError as exc:
        raise BrowserUnavailable(f"the bench needs the shipped sample images: {exc}") from exc
    first = samples[0].path
    by_variant: dict[str, list[OnnxArtifact]] = {}
    for artifact in artifacts:
        by_variant.setdefault(artifact.variant_id, []).append(artifact)
    demo = demo_files(catalog, by_variant, artifact_root, samples)
    if demo is None:
        raise BrowserUnavailable("none of the artifacts to bench belongs to a variant of the catalog")
    if not demo.manifest["samples"] or not demo.manifest["samples"][0]["url"].endswith(first.name):
        raise BrowserUnavailable(f"the demo manifest does not start with the sample {first.name}")
    try:
        stage_demo(demo, folder, node_modules, project)
    except BuildError as exc:
        raise BrowserUnavailable(str(exc)) from exc
    shutil.copyfile(project / "wasm_demo" / "demo.html", folder / "demo.html")
    # demo.html imports ./src/demo.js: point it at the staged copies, the very files the site publishes
    (folder / "src").symlink_to(SCRIPTS, target_is_directory=True)
    return {m["artifact"] for m in demo.manifest["models"]}


def ort_web_version(node_modules: Path) -> str:
    package = node_modules / "onnxruntime-web" / "package.json"
    try:
        return json.loads(package.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError) as exc:
        raise BrowserUnavailable(
            f"{package}: cannot read onnxruntime-web's version ({exc}); run `npm ci --prefix wasm_demo`"
        ) from exc
