"""The demo's "Measure on this device" records (wasm_demo/src/measure.js, run in Node) are `Measurement`s, and
its figures are bit for bit the ones `generator/bench/stats.py` computes from the same timings."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from generator.bench.stats import figure
from generator.measurement import Measurement

from .catalogs import ROOT

MEASURE_JS = ROOT / "wasm_demo" / "src" / "measure.js"

# Builds records the way demo.js does, from browser-like inputs given on stdin; prints them and figures.
SCRIPT = """
import { readFileSync } from 'node:fs';
import * as m from %s;
const input = JSON.parse(readFileSync(0, 'utf8'));
const timings = (t) => ({ preprocessMs: t * 0.1, inferenceMs: t, postprocessMs: t * 0.02, totalMs: t * 1.12 });
const records = input.cases.map((c) => {
  const machine = m.machineInfo(c.navigator, { highEntropy: c.highEntropy, gpu: c.gpu });
  const latency = m.browserLatency({ backend: c.backend, requestedThreads: c.requested, threads: c.threads, crossOriginIsolated: true, warmup: 3,
    coldMs: c.cold, runs: c.runs.map(timings), memoryBytes: c.memory });
  return m.measurementRecord({ entry: c.entry, latency, machine, software: m.softwareInfo(m.browserInfo(c.navigator, c.highEntropy), '1.30.0'),
    started: new Date(c.started), updated: new Date(c.started + 30000), commit: c.commit });
});
console.log(JSON.stringify({ records, figures: input.samples.map((s) => m.figure(s)) }));
"""

ENTRY = {
    "artifact": "yolo11n.coco",
    "card": "yolo11",
    "variant": "yolo11n.coco",
    "sha256": "984a1c4ce7d530f94f437992c332032a4c0f3254cf353dda8a7f1ece7243d666",
    "bytes": 10751765,
    "trained": True,
}
CHROME = {
    "hardwareConcurrency": 8,
    "deviceMemory": 8,
    "userAgentData": {
        "platform": "Windows",
        "brands": [{"brand": "Not)A;Brand", "version": "8"}, {"brand": "Google Chrome", "version": "156"}],
    },
}
FIREFOX = {
    "hardwareConcurrency": 2,
    "platform": "Linux x86_64",
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
}


def run_node(payload: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = SCRIPT % json.dumps(MEASURE_JS.as_uri())
    done = subprocess.run(
        [node, "--input-type=module", "-e", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_demo_records_validate_and_figures_match_python() -> None:
    rng = random.Random(5)
    samples = [[rng.uniform(1, 500) for _ in range(n)] for n in (1, 2, 3, 4, 5, 20, 23, 101)]
    samples.append([round(rng.uniform(100, 110), 3) for _ in range(20)])
    cases = [
        {
            "entry": ENTRY,
            "navigator": CHROME,
            "highEntropy": {
                "architecture": "x86",
                "bitness": "64",
                "fullVersionList": [{"brand": "Google Chrome", "version": "156.0.1.2"}],
            },
            "gpu": None,
            "backend": "wasm",
            "requested": 4,
            "threads": 4,
            "cold": 812.5,
            "runs": samples[5],
            "memory": 123456789,
            "started": 1_780_000_000_000,
            "commit": "49854cb",
        },
        {
            "entry": {
                **ENTRY,
                "artifact": "yolov12n.untrained",
                "card": "yolov12",
                "variant": "yolov12n.v1",
                "trained": False,
            },
            "navigator": FIREFOX,
            "highEntropy": None,
            "gpu": "apple metal-3",
            "backend": "webgpu",
            "requested": 2,
            "threads": None,
            "cold": None,
            "runs": samples[0],
            "memory": None,
            "started": 1_780_000_000_000,
            "commit": None,
        },
    ]
    # a WebNN run: the same record as the WebGPU one, the backend the Python schema must also take
    cases.append({**cases[1], "gpu": "WebNN npu", "backend": "webnn"})
    out = run_node({"cases": cases, "samples": samples})

    chrome, firefox, webnn = (Measurement.model_validate(r) for r in out["records"])
    assert webnn.browser[0].backend == "webnn" and webnn.browser[0].threads is None
    assert webnn.machine.gpu == "WebNN npu"
    assert chrome.recorded_by == "versus demo" and chrome.complete
    assert chrome.run == "20260528T202640Z-browser-windows-8c"
    assert chrome.machine.memory_bytes == 8 * 1024**3 and chrome.machine.os == "Windows x86 64-bit"
    assert chrome.software == {"browser": "Google Chrome 156.0.1.2", "onnxruntime-web": "1.30.0"}
    assert chrome.browser[0].inference == figure(samples[5])
    assert chrome.browser[0].threads == 4 and chrome.browser[0].cold.runs == 1
    assert chrome.pending() == [] and set(chrome.skipped) == {"native", "accuracy"}
    assert firefox.artifact.trained is False and firefox.accuracy is None
    assert firefox.browser[0].backend == "webgpu" and firefox.browser[0].threads is None
    assert (
        firefox.machine.name == "browser-linux-2c"
        and firefox.machine.memory_bytes is None
        and firefox.machine.gpu == "apple metal-3"
    )

    for values, js in zip(samples, out["figures"], strict=True):
        assert js == figure(values).model_dump(), values
