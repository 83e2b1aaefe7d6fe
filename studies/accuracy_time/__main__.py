"""How long the 800-image val2017 accuracy run takes per model, natively and in the browser.

For each artifact, native onnxruntime with the Python reference (`generator/bench/accuracy.py`) and the demo's
own code in headless Chromium (`generator/bench/browser_accuracy.py`) each run on the first `--images` images of
the set. The per-image figure excludes the first image (session creation, and in the browser the module imports
and the model download, are reported apart as set-up). COCOeval with the bootstrap is timed on 800 images made by
repeating the subset's images and detections (its cost depends on the number of images and detections and on the
resamples, not on which images). The 800-image estimate is set-up + 800 x per image + evaluation.

Every figure is given twice: wall-clock seconds, which depend on what else the machine runs (the load average is
printed), and CPU seconds (this process for native; Chromium's processes, which run the wasm threads, for the
browser), which depend much less on it. On an idle machine the wall time of a step lies between its CPU time
divided by the threads it uses and its CPU time.

    .venv/bin/python -m studies.accuracy_time [--images 40] [--bootstrap 1000] [--threads 2] [ID ...]

IDs are artifact ids (default: yolo11n.coco ssd-mobilenet-v2.coral-uint8 deimv2-atto.coco).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import psutil

from generator import coco_eval, settings
from generator.artifacts import load_artifacts
from generator.bench import accuracy
from generator.bench import browser_accuracy as ba
from generator.bench.browser import BrowserBench
from generator.demo import labels_by_id
from generator.export.manifest import MODEL_NAME
from generator.loader import load_catalog

DEFAULT_IDS = ("yolo11n.coco", "ssd-mobilenet-v2.coral-uint8", "deimv2-atto.coco")


@dataclass
class Clock:
    """Wall and CPU seconds from a first mark to the last."""

    cpu: Callable[[], float]
    first: tuple[float, float] | None = None
    last: tuple[float, float] | None = None
    marks: int = 0

    def mark(self, *_: object) -> None:
        now = (time.perf_counter(), self.cpu())
        self.marks += 1
        if self.first is None:
            self.first = now
        self.last = now

    def per_mark(self) -> tuple[float, float]:
        """(wall, CPU) seconds per mark after the first."""
        assert self.first and self.last and self.marks > 1, "time at least 2 images"
        n = self.marks - 1
        return (self.last[0] - self.first[0]) / n, (self.last[1] - self.first[1]) / n


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process under this one (the browser, its renderer with the wasm threads)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in child.name():
                times = child.cpu_times()
                total += times.user + times.system
    return total


def tiled(labelled, detections: list, images: int):
    """`images` images made by repeating the subset's, with their detections: an evaluation of that size."""
    reps = [i % len(labelled.images) for i in range(images)]
    return replace(labelled, images=tuple(labelled.images[i] for i in reps)), [detections[i] for i in reps]


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
        spec,
        found.require("accuracy_images"),
        labels_by_id(catalog.registry.labels[spec.label_list].labels),
        catalog.root,
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
    print(
        f"{n} of the {total} images timed on each side; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    with BrowserBench(root, targets, catalog) as bench:
        print(
            f"{bench.versions['browser']}, onnxruntime-web {bench.versions['onnxruntime-web']}, {args.threads} threads"
        )
        for artifact in targets:
            names = labels_by_id(catalog.registry.labels[artifact.runtime.labels].labels)
            native_clock = Clock(time.process_time)
            started = time.perf_counter()
            native = []
            for found in accuracy.detections_by_image(
                root / artifact.artifact_id / MODEL_NAME, artifact.runtime, labelled
            ):
                native.append(found)
                native_clock.mark()
            native_setup = native_clock.first[0] - started if native_clock.first else 0.0
            browser_clock = Clock(chromium_cpu)
            run = ba.browser_detections(bench, artifact, labelled, threads=args.threads, progress=browser_clock.mark)
            big, big_native = tiled(labelled, native, total)
            truth = coco_eval.ground_truth(big, accuracy.image_sizes(big))
            started, cpu = time.perf_counter(), time.process_time()
            coco_eval.evaluate(truth, ba.rows(big_native, names, big.names), resamples=args.bootstrap)
            eval_wall, eval_cpu = time.perf_counter() - started, time.process_time() - cpu
            result = ba.score(labelled, spec.dataset, native, run, names, ba.tolerance_of(artifact))  # type: ignore[arg-type]
            (nw, nc), (bw, bc) = native_clock.per_mark(), browser_clock.per_mark()
            print(
                f"{artifact.artifact_id}\n"
                f"  per image     native {nw:6.3f} s wall, {nc:6.3f} s CPU | browser {bw:6.3f} s wall, {bc:6.3f} s CPU\n"
                f"  set-up        native {native_setup:6.1f} s wall | browser {run.setup_seconds:6.1f} s wall\n"
                f"  COCOeval + {args.bootstrap} bootstrap resamples on {total} images: {eval_wall:.0f} s wall, "
                f"{eval_cpu:.0f} s CPU\n"
                f"  {total} images: native {minutes(native_setup + total * nw + eval_wall)} wall "
                f"({minutes(total * nc + eval_cpu)} CPU), browser {minutes(run.setup_seconds + total * bw + eval_wall)} "
                f"wall ({minutes(total * bc + eval_cpu)} CPU)\n"
                f"  mAP50-95 on the {n}: native {result.native_map50_95:.3f}, browser {result.map50_95:.3f}; "
                f"load average now {os.getloadavg()[0]:.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
