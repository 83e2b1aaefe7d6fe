"""`versus bench` as a command, run for real on an exported artifact, and what it says when something is missing."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.measurement import read_record

from .bench_fixtures import exported  # noqa: F401 - a fixture
from .catalogs import ARTIFACTS, ROOT

# Every test here reads the shared image sets; without them each is a named skip (tests/conftest.py).
pytestmark = pytest.mark.needs_shared("sample_set", "accuracy_images")


def test_versus_bench_measures_and_records(exported: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "bench",
            "yolo11n.coco",
            "yolov12n.untrained",
            "--no-export",
            "--artifacts",
            str(exported),
            "--records",
            str(records),
            "--skip",
            "browser",
            "--accuracy-set",
            "sample100",
            "--bootstrap",
            "100",
            "--threads",
            "1",
            "--rounds",
            "2",
            "--runs",
            "3",
            "--min-seconds",
            "0",
            "--warmup",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = records.iterdir()
    found = {p.stem: read_record(p) for p in run.glob("*.json")}
    assert set(found) == {"yolo11n.coco", "yolov12n.untrained"}
    trained, untrained = found["yolo11n.coco"], found["yolov12n.untrained"]
    assert trained.complete and trained.commit and trained.machine.cores == os.cpu_count()
    (native,) = trained.native
    assert native.threads == 1 and native.inference.runs >= 3 and native.inference.median > 1
    assert len(native.rounds) == 2 and sum(r.runs for r in native.rounds) == native.inference.runs
    assert not (run / ".rounds").exists()
    # End-to-end runs in its own timing loop after inference's, so on a host whose speed drifts its median can
    # fall below inference's minimum (CI saw 117 ms against 127 ms): only that it was measured is asserted.
    assert native.end_to_end.runs >= 3 and native.end_to_end.median > 1
    assert all(r.end_to_end_median > 1 for r in native.rounds)
    assert native.peak_rss_bytes > native.rss_before_session_bytes > 0
    assert 0.3 < trained.accuracy.map50_95 < trained.accuracy.map50 < 0.9
    assert trained.accuracy.dataset == "coco-train2017-sample100" and trained.accuracy.interval.resamples == 100
    assert (
        trained.accuracy.map75
        and trained.accuracy.per_class
        and trained.accuracy.protocol.precision
        == ("fp32 holding the tflite source's quantized weights (dequantized on conversion)")
    )
    assert trained.software["onnxruntime"] and trained.software["pycocotools"]
    assert untrained.accuracy is None and untrained.native and not untrained.artifact.trained
    assert "UNTRAINED" in done.stdout and "100 COCO train2017 images (training images: a quick check" in done.stdout
    # tqdm redraws at most every 0.1 s and clears the finished image bar, so which counts show depends on speed
    assert re.search(r"accuracy: +\d+%\|.*\| \d+/100 \[", done.stderr), "image progress with a time estimate"
    assert "accuracy on 100 images in" in done.stderr, "the step's time"
    assert started_recently(trained.started)


def started_recently(when: dt.datetime) -> bool:
    return abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 3600


def test_versus_bench_names_what_it_cannot_find(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "bench",
            "nope",
            "--no-export",
            "--artifacts",
            str(ARTIFACTS),
            "--records",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no artifact for nope" in done.stderr and "yolo11n.coco" in done.stderr
    assert not any(tmp_path.iterdir())
