"""COCO accuracy through the browser path: the artifact in onnxruntime-web (wasm) in headless Chromium, each image
decoded, pre-processed, run, decoded and NMS-ed by the demo's own code (`wasm_demo/src/image-source.js`,
`worker.js` with `preprocess.js`, `decoders.js`, `nms.js`), beside native onnxruntime with the Python reference
(`accuracy.detections_by_image`) on the very same images, both scored by `generator/coco_eval.py`.

Nobody publishes accuracy of the browser's execution provider; a visitor's boxes come from this path, so the bench
measures it. The question is whether the browser *loses* accuracy against native, so the comparison is paired:
the same images, the same evaluator, the same threshold (`SCORE_THRESHOLD`) and cap (`MAX_DETECTIONS`). The
record keeps both mAPs, their difference with a paired bootstrap interval over images, and how many images'
confident detections agree one by one (the artifact's export parity tolerance).

`DEFAULT_IMAGES` (200, the first of the 800 listed val2017 images in the set's order, which is by COCO id and so
unrelated to content): a loss worth reporting is a systematic one (a resize, colour or letterbox difference), which
moves the boxes of nearly every image (a 16 px letterbox offset costs 0.08-0.24 mAP50-95 on 8 images,
tests/test_accuracy_browser.py); on 200 images the paired interval of the difference is far narrower (yolo11n:
browser 0.4009, native 0.4007, 95% interval -0.0000 to +0.0004, all 1556 confident detections with their twin),
while the browser run stays a quarter of the whole set's (studies/accuracy_time/README.md).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from .. import coco_eval, labelled_set
from ..decode import Detection
from ..demo import SCRIPTS
from ..export.agreement import Comparison, Tolerance, compare_image
from ..export.manifest import MODEL_NAME, OnnxArtifact
from ..labelled_set import LabelledSet
from ..measurement import AccuracySetId, Backend, BrowserAccuracy, DetectionAgreement
from .accuracy import MAX_DETECTIONS, SCORE_THRESHOLD, detections_by_image, image_sizes
from .browser import PAGE_TIMEOUT_MS, BrowserBench, BrowserUnavailable

DEFAULT_IMAGES = 200
IMAGES_FOLDER = "accuracy-images"
CONFIDENCE = 0.95
UNTRAINED = "untrained artifact: random weights, so accuracy would mean nothing; latency only"

Progress = Callable[[int, int], None]

# Runs in the staged demo page's origin: the demo's modules, one model worker, the options a COCO evaluation needs.
SETUP_JS = """async ({scripts, artifact, threads, minScore, maxDetections}) => {
  const root = new URL(`/${scripts}/`, location.href);
  const {normalizeManifest} = await import(new URL('manifest.js', root).href);
  const {decodeImageFile} = await import(new URL('image-source.js', root).href);
  const {WorkerClient} = await import(new URL('worker-client.js', root).href);
  const {STATUS} = await import(new URL('worker-protocol.js', root).href);
  const manifestUrl = new URL('/demo/manifest.json', location.href).href;
  const manifest = normalizeManifest(await (await fetch(manifestUrl)).json(), manifestUrl);
  const entry = manifest.models.find((m) => m.artifact === artifact);
  if (!entry) throw new Error(`${artifact} is not in the staged demo manifest`);
  const inbox = [];
  let waiter = null;
  const deliver = () => {
    if (!waiter || !inbox.length) return;
    const m = inbox.shift();
    const w = waiter;
    waiter = null;
    if (m.status === STATUS.ERROR || m.status === 'worker-error') w.reject(new Error(m.message));
    else w.resolve(m);
  };
  const next = (wanted) => new Promise((resolve, reject) => {
    waiter = {
      resolve: (m) => (wanted.includes(m.status) ? resolve(m) : next(wanted).then(resolve, reject)),
      reject,
    };
    deliver();
  });
  const client = new WorkerClient(new URL('worker.js', root).href, 0, {
    onMessage: (m) => { inbox.push(m); deliver(); },
    onError: (e) => { inbox.push({status: 'worker-error', message: e.message || 'the model worker failed'}); deliver(); },
    onMessageError: () => { inbox.push({status: 'worker-error', message: 'unreadable worker message'}); deliver(); },
  });
  client.load({ortBase: new URL('ort/', root).href, numThreads: threads, accelerator: 'off', resampler: 'auto',
               sessionOptions: null, model: entry, runtime: entry.runtime});
  const ready = await next([STATUS.READY]);
  await next([STATUS.IDLE]);
  let id = 0;
  window.__versusAccuracy = {
    async run(url) {
      const blob = await (await fetch(url)).blob();
      const frame = await decodeImageFile(blob);
      id += 1;
      client.run({id, bitmap: frame.bitmap, sourceSize: {width: frame.width, height: frame.height},
                  options: {minScore, scoreThreshold: minScore}});
      const result = await next([STATUS.RESULT]);
      await next([STATUS.IDLE]);
      return {width: frame.width, height: frame.height,
              detections: result.detections.slice(0, maxDetections).map((d) => [...d.box, d.score, d.classId])};
    },
    dispose() { client.dispose(); },
  };
  return {backend: ready.backend, threads: ready.numThreads, crossOriginIsolated: ready.crossOriginIsolated,
          ortVersion: ready.ortVersion};
}"""


@dataclass(frozen=True)
class BrowserRun:
    """What the browser found on each image, and where it ran."""

    detections: list[list[Detection]]
    backend: Backend
    threads: int
    setup_seconds: float  # demo modules imported, model downloaded, session created
    seconds: float  # the images: fetched, decoded, pre-processed, run, decoded and NMS-ed, one after another


def subset(labelled: LabelledSet, images: int) -> LabelledSet:
    """The first `images` images of the set, in its order (all when it has fewer)."""
    if images < 1:
        raise ValueError(f"browser accuracy: at least 1 image, got {images}")
    return replace(labelled, images=labelled.images[:images])


def names_sha256(labelled: LabelledSet) -> str:
    """As the accuracy protocol's `images_sha256`: the image file names, one a line."""
    return hashlib.sha256("".join(f"{i.path.name}\n" for i in labelled.images).encode()).hexdigest()


def browser_detections(
    bench: BrowserBench,
    artifact: OnnxArtifact,
    labelled: LabelledSet,
    *,
    threads: int = 2,
    progress: Progress | None = None,
) -> BrowserRun:
    """Each image through the demo's worker in `bench`'s Chromium; raises BrowserUnavailable with the cause."""
    names = {f"{i:05d}-{item.path.name}": item.path for i, item in enumerate(labelled.images)}
    base = bench.serve_files(IMAGES_FOLDER, names)
    where = f"{artifact.artifact_id} in chromium (browser accuracy)"
    context = bench.new_context()
    errors: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        response = page.goto(f"{bench.base_url}/demo.html")  # without ?manifest= it mounts nothing
        if response is None or not response.ok:
            raise BrowserUnavailable(f"{where}: the staged demo page did not load")
        started = time.perf_counter()
        info = _evaluate(
            page,
            SETUP_JS,
            {
                "scripts": SCRIPTS,
                "artifact": artifact.artifact_id,
                "threads": threads,
                "minScore": SCORE_THRESHOLD,
                "maxDetections": MAX_DETECTIONS,
            },
            where,
            errors,
        )
        if not info["crossOriginIsolated"]:
            raise BrowserUnavailable(f"{where}: the worker is not cross-origin isolated (check the COOP/COEP headers)")
        setup = time.perf_counter() - started
        found = []
        for n, (name, item) in enumerate(zip(names, labelled.images, strict=True), start=1):
            got = _evaluate(page, "(url) => window.__versusAccuracy.run(url)", base + name, f"{where}: {name}", errors)
            if item.size is not None and (got["height"], got["width"]) != item.size:
                raise BrowserUnavailable(
                    f"{where}: {item.path} decodes to {got['width']}x{got['height']} in the browser, "
                    f"the set says {item.size[1]}x{item.size[0]}"
                )
            found.append([Detection(tuple(d[:4]), float(d[4]), int(d[5])) for d in got["detections"]])
            if progress:
                progress(n, len(names))
        return BrowserRun(
            found, info["backend"], info["threads"] or threads, setup, time.perf_counter() - started - setup
        )
    finally:
        context.close()


def _evaluate(page: Any, script: str, arg: Any, where: str, errors: list[str]) -> Any:
    from playwright.sync_api import Error as PlaywrightError

    try:
        return page.evaluate(script, arg)
    except PlaywrightError as exc:
        detail = f"; page errors: {' | '.join(errors[-3:])}" if errors else ""
        raise BrowserUnavailable(f"{where}: {exc.message.splitlines()[0]}{detail}") from exc


def rows(detections: Sequence[Sequence[Detection]], label_names: Sequence[str | None], set_names) -> list[dict]:
    out: list[dict] = []
    for image_id, found in enumerate(detections, start=1):
        out.extend(coco_eval.detection_rows(image_id, found, label_names, set_names))  # type: ignore[arg-type]
    return out


def agreement(
    native: Sequence[Sequence[Detection]], browser: Sequence[Sequence[Detection]], tolerance: Tolerance
) -> DetectionAgreement:
    """Image by image: each confident detection of either side has a twin on the other (`compare_image`)."""
    total, agreeing = Comparison(), 0
    for i, (ours, theirs) in enumerate(zip(browser, native, strict=True)):
        one = Comparison()
        compare_image(str(i), ours, theirs, tolerance, one, sides=("browser", "native"))
        compare_image(str(i), ours, theirs, tolerance, total, sides=("browser", "native"))
        agreeing += not one.misses
    return DetectionAgreement(
        confident=tolerance.confident,
        min_iou=tolerance.min_iou,
        score_delta=tolerance.score_delta,
        images=len(native),
        images_agreeing=agreeing,
        detections=total.confident,
        matched=total.matched,
    )


def paired_interval(truth: dict, native: list[dict], browser: list[dict], resamples: int) -> tuple[float, float]:
    """95% percentile interval of browser minus native mAP50-95 over `resamples` draws of the images, the same
    draws for both sides (coco_eval's bootstrap, which re-accumulates COCOeval's per-image results)."""
    draws = coco_eval.resample_draws(len(truth["images"]), resamples)
    maps = [coco_eval.bootstrap_maps(truth, r, draws) for r in (browser, native)]
    low, high = np.percentile(maps[0] - maps[1], [100 * (1 - CONFIDENCE) / 2, 100 * (1 + CONFIDENCE) / 2])
    return float(low), float(high)


def score(
    labelled: LabelledSet,
    dataset: AccuracySetId,
    native: Sequence[Sequence[Detection]],
    run: BrowserRun,
    label_names: Sequence[str | None],
    tolerance: Tolerance,
    resamples: int = 0,
) -> BrowserAccuracy:
    """Both sides scored by the same evaluator on the same images, their difference and their agreement."""
    if len(native) != len(run.detections) or len(native) != len(labelled.images):
        raise ValueError(f"{len(labelled.images)} images, {len(native)} native results, {len(run.detections)} browser")
    truth = coco_eval.ground_truth(
        labelled, image_sizes(labelled)
    )  # recorded sizes, else decoded (the train2017 sample)
    native_rows, browser_rows = (rows(d, label_names, labelled.names) for d in (native, run.detections))
    b50_95, b50 = coco_eval.coco_map(truth, browser_rows)
    n50_95, n50 = coco_eval.coco_map(truth, native_rows)
    return BrowserAccuracy(
        dataset=dataset,
        images=len(labelled.images),
        images_sha256=names_sha256(labelled),
        backend=run.backend,
        threads=run.threads,
        map50_95=b50_95,
        map50=b50,
        native_map50_95=n50_95,
        native_map50=n50,
        difference=b50_95 - n50_95,
        difference_interval=paired_interval(truth, native_rows, browser_rows, resamples)
        if resamples and native_rows and browser_rows
        else None,
        agreement=agreement(native, run.detections, tolerance),
        tool=coco_eval.evaluator_version(),
        score_threshold=SCORE_THRESHOLD,
        max_detections=MAX_DETECTIONS,
    )


def tolerance_of(artifact: OnnxArtifact) -> Tolerance:
    """The artifact's export parity tolerance (what its converter's arithmetic is allowed to move)."""
    t = artifact.verification.tolerance
    return Tolerance(t.confident, t.min_iou, t.score_delta, t.unmatched_share, t.why)


def measure(
    bench: BrowserBench,
    artifact: OnnxArtifact,
    artifact_root: Path,
    labelled: LabelledSet,
    dataset: AccuracySetId,
    label_names: Sequence[str | None],
    *,
    threads: int = 2,
    resamples: int = 0,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> BrowserAccuracy:
    """Native first (seconds), then the browser on the same images, then both scored."""
    started = time.perf_counter()
    native = list(detections_by_image(artifact_root / artifact.artifact_id / MODEL_NAME, artifact.runtime, labelled))
    native_s = time.perf_counter() - started
    run = browser_detections(bench, artifact, labelled, threads=threads, progress=progress)
    result = score(labelled, dataset, native, run, label_names, tolerance_of(artifact), resamples)
    if log:
        log(
            f"{artifact.artifact_id}: browser accuracy on {result.images} images: mAP50-95 {result.map50_95:.4f} "
            f"(native {result.native_map50_95:.4f}, difference {result.difference:+.4f}); native {native_s:.0f} s, "
            f"browser {run.seconds:.0f} s"
        )
    return result


def bench_step(measurer: Any, record: Any, artifact: OnnxArtifact) -> dict[str, Any]:
    """The changes the bench's `browser-accuracy` step makes to a record (`run._Measurer` calls it): skipped with the
    reason when it cannot run here; raises BrowserUnavailable or LabelledSetError when it failed and may be retried."""
    from . import accuracy

    if not artifact.trained:
        return {"skipped": {**record.skipped, "browser-accuracy": UNTRAINED}}
    spec = accuracy.SETS[measurer.ctx.accuracy_set]
    try:
        if measurer._sample is None:
            measurer._sample = measurer._load_set(spec)
    except labelled_set.LabelledSetError as exc:
        return {"skipped": {**record.skipped, "browser-accuracy": f"no labelled set here ({exc})"}}
    browser = measurer._open_browser()
    if browser is None:
        return {"skipped": {**record.skipped, "browser-accuracy": measurer._browser_missing}}
    from ..demo import labels_by_id

    names = labels_by_id(measurer.ctx.catalog.registry.labels[artifact.runtime.labels].labels)
    result = measure(
        browser,
        artifact,
        measurer.ctx.artifact_root,
        subset(measurer._sample.labelled, measurer.plan.browser_accuracy_images),
        cast(AccuracySetId, spec.dataset),
        names,
        threads=max(measurer.plan.threads),
        resamples=measurer.plan.bootstrap,
        progress=measurer.on_images,
        log=measurer.log,
    )
    import onnxruntime

    native = {"onnxruntime": onnxruntime.__version__}  # the native side of the comparison
    return {"browser_accuracy": result, "software": {**record.software, **native, **browser.versions}}
