"""How long the 800-image val2017 accuracy run takes per model, natively and in the browser.

For each artifact: native onnxruntime with the Python reference (`generator/bench/accuracy.py`) and the demo's
own code in headless Chromium (`generator/bench/browser_accuracy.py`) each run on the first `--images` images of
the set; the per-image time is scaled to the whole set, plus the fixed costs measured once (native session, the
browser's module import + model download + session), plus COCOeval and the bootstrap, timed on the subset's
detections and scaled linearly by images (COCOeval's matching is per image; the bootstrap re-accumulates per
resample). Both sides' mAP on the subset is printed too, as a check that the timed runs did real work.

    .venv/bin/python -m studies.accuracy_time [--images 40] [--bootstrap 1000] [--threads 2] ID [ID ...]

IDs are artifact ids (default: yolo11n.coco ssd-mobilenet-v2.coral-uint8 deimv2-atto.coco).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from generator import coco_eval, settings
from generator.artifacts import load_artifacts
from generator.bench import accuracy
from generator.bench import browser_accuracy as ba
from generator.bench.browser import BrowserBench
from generator.demo import labels_by_id
from generator.export.manifest import MODEL_NAME
from generator.loader import load_catalog

DEFAULT_IDS = ("yolo11n.coco", "ssd-mobilenet-v2.coral-uint8", "deimv2-atto.coco")


def minutes(seconds: float) -> str:
    return f"{seconds / 60:5.1f} min"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m studies.accuracy_time", description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", default=list(DEFAULT_IDS), metavar="ID")
    parser.add_argument("--images", type=int, default=40, help="images timed on each side (default: 40)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples, as the bench's default (1000)")
    parser.add_argument("--threads", type=int, default=2, help="wasm threads in the browser (default: 2)")
    parser.add_argument("--artifacts", type=Path, default=None, help="default: the setting (README: Settings)")
    args = parser.parse_args(argv)
    found = settings.current()
    root = args.artifacts or found.artifacts
    catalog = load_catalog(settings.ROOT / "catalog")
    spec = accuracy.SETS["val2017"]
    full = accuracy.load_set(
        spec, found.require("accuracy_images"), labels_by_id(catalog.registry.labels[spec.label_list].labels), catalog.root
    )
    total = len(full.labelled.images)
    labelled = ba.subset(full.labelled, args.images)
    n = len(labelled.images)
    every = {a.artifact_id: a for group in load_artifacts(root).values() for a in group}
    missing = [i for i in args.ids if i not in every]
    if missing:
        print(f"not in {root}: {', '.join(missing)} (run `versus export` for them)", file=sys.stderr)
        return 2
    targets = [every[i] for i in args.ids]
    print(f"{n} of the {total} images timed on each side, scaled to {total}; load average {os.getloadavg()[0]:.1f}")
    truth = coco_eval.ground_truth(labelled)
    with BrowserBench(root, targets, catalog) as bench:
        print(f"{bench.versions['browser']}, onnxruntime-web {bench.versions['onnxruntime-web']}, {args.threads} threads")
        for artifact in targets:
            names = labels_by_id(catalog.registry.labels[artifact.runtime.labels].labels)
            started = time.perf_counter()
            native = list(
                accuracy.detections_by_image(root / artifact.artifact_id / MODEL_NAME, artifact.runtime, labelled)
            )
            native_s = time.perf_counter() - started
            run = ba.browser_detections(bench, artifact, labelled, threads=args.threads)
            rows = ba.rows(native, names, labelled.names)
            started = time.perf_counter()
            coco_eval.evaluate(truth, rows, resamples=args.bootstrap)
            eval_s = time.perf_counter() - started
            result = ba.score(labelled, spec.dataset, native, run, names, ba.tolerance_of(artifact))  # type: ignore[arg-type]
            scale = total / n
            native_total = native_s * scale + eval_s * scale
            browser_total = run.setup_seconds + run.seconds * scale + eval_s * scale
            print(
                f"{artifact.artifact_id:30} native {native_s / n:5.2f} s/image, browser {run.seconds / n:5.2f} s/image "
                f"(+{run.setup_seconds:.1f} s set-up), COCOeval+bootstrap {eval_s:.1f} s on {n}\n"
                f"{'':30} 800 images: native {minutes(native_total)}, browser {minutes(browser_total)} "
                f"(mAP50-95 on the {n}: native {result.native_map50_95:.3f}, browser {result.map50_95:.3f}; "
                f"load {os.getloadavg()[0]:.1f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
