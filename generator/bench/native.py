"""Native latency: onnxruntime's CPU execution provider, one thread setting at a time, each round in a fresh
process so that thread pools, memory arenas and peak memory belong to that setting alone.

A figure pools several rounds (`pooled`): on a shared host the speed of a second core can change for minutes
at a time, so the bench spreads the rounds over its run rather than timing one block.

The parent calls `measure_round`; the child (`python -m generator.bench.native`) reads its job as JSON on
stdin and prints one JSON result with the raw timings. The child creates the session and times inference before it imports
OpenCV or torch, so `peak_rss_bytes` is onnxruntime and the model, not the pre- and post-processing
libraries; end-to-end timing (pre-processing, inference, decoding and NMS) comes after.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..measurement import NativeLatency, NativeRound
from .stats import figure


class NativeFailed(Exception):
    """The measuring process failed; the message carries its error output."""


@dataclass(frozen=True)
class Settings:
    """How long to measure: at least `min_runs` timed runs and at least `min_seconds` of them."""

    warmup: int = 5
    min_runs: int = 30
    min_seconds: float = 3.0
    max_runs: int = 1000

    def per_round(self, rounds: int) -> Settings:
        """The share of one round when `rounds` of them make up these totals (warm-up is per process)."""
        return Settings(
            warmup=self.warmup,
            min_runs=math.ceil(self.min_runs / rounds),
            min_seconds=self.min_seconds / rounds,
            max_runs=math.ceil(self.max_runs / rounds),
        )


@dataclass(frozen=True)
class RoundSamples:
    """One measuring process's raw timings (milliseconds), kept until every round of its figure is in."""

    started: str  # ISO 8601, UTC
    session_ms: float
    peak_rss_bytes: int
    rss_before_session_bytes: int
    inference: list[float] = field(default_factory=list)
    end_to_end: list[float] = field(default_factory=list)


def measure_round(
    model: Path, runtime_json: str, image: Path, threads: int, settings: Settings, timeout: float = 1800
) -> tuple[RoundSamples, dict[str, str]]:
    """One round of one thread setting in a fresh process, and the library versions that produced it."""
    job = {
        "model": str(model),
        "runtime": json.loads(runtime_json),
        "image": str(image),
        "threads": threads,
        "settings": asdict(settings),
    }
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    done = subprocess.run(
        [sys.executable, "-m", "generator.bench.native"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        raise NativeFailed(f"{model}: native measurement with {threads} thread(s) failed:\n{tail}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return RoundSamples(started=started, **result["round"]), result["versions"]


def pooled(threads: int, warmup: int, rounds: Sequence[RoundSamples]) -> NativeLatency:
    """One figure from every round's timings; memory from the round that peaked highest."""
    if not rounds:
        raise ValueError("no rounds to pool")
    peak = max(rounds, key=lambda r: r.peak_rss_bytes)
    return NativeLatency(
        threads=threads,
        warmup=warmup,
        session_ms=statistics.median(r.session_ms for r in rounds),
        inference=figure([t for r in rounds for t in r.inference]),
        end_to_end=figure([t for r in rounds for t in r.end_to_end]),
        peak_rss_bytes=peak.peak_rss_bytes,
        rss_before_session_bytes=peak.rss_before_session_bytes,
        rounds=[
            NativeRound(
                started=dt.datetime.fromisoformat(r.started),
                inference_median=statistics.median(r.inference),
                end_to_end_median=statistics.median(r.end_to_end),
                runs=len(r.inference),
            )
            for r in rounds
        ],
    )


def _peak_rss_bytes() -> int:
    """This process's high-water mark. Not `getrusage`'s ru_maxrss: Linux carries that across fork and exec,
    so a child of a large parent would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # not Linux: the best there is


def _current_rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def timed(fn, settings: Settings) -> list[float]:
    """Milliseconds per call of `fn` after `settings.warmup` discarded calls."""
    for _ in range(settings.warmup):
        fn()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < settings.max_runs and (
        len(samples) < settings.min_runs or time.perf_counter() - started < settings.min_seconds
    ):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def session_options(threads: int, level: str = "ORT_ENABLE_ALL"):
    """The one native setting: `threads` intra-op threads, one inter-op, sequential, quiet. `level` names a
    `GraphOptimizationLevel` (the speed study varies it)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, level)
    options.log_severity_level = 3
    return options


def _child(job: dict) -> dict:
    import numpy as np
    import onnxruntime as ort

    settings = Settings(**job["settings"])
    options = session_options(job["threads"])
    spec = job["runtime"]
    dtype = {"uint8": np.uint8, "int8": np.int8}.get(spec["input"]["dtype"], np.float32)
    extra = spec["input"].get("extra_inputs") or []

    before = _current_rss_bytes()
    t0 = time.perf_counter()
    session = ort.InferenceSession(job["model"], options, providers=["CPUExecutionProvider"])
    session_ms = (time.perf_counter() - t0) * 1000
    extra_names = {e["name"] for e in extra}
    input_meta = next(
        i for i in session.get_inputs() if i.name == (spec["input"].get("name") or i.name) and i.name not in extra_names
    )
    shape = [d if isinstance(d, int) else 1 for d in input_meta.shape]
    rng = np.random.default_rng(0)
    probe = (
        rng.integers(0, 256, size=shape)
        if dtype is np.uint8
        else rng.integers(-128, 128, size=shape)
        if dtype is np.int8
        else rng.random(size=shape)
    ).astype(dtype)
    # Extra inputs (image size, scale factor) for a probe as large as the input itself.
    height, width = spec["input"]["size"]
    probe_extra = {
        e["name"]: np.asarray(
            [{"image-size-wh": (width, height), "image-size-hw": (height, width)}.get(e["value"], (1, 1))],
            dtype=e["dtype"],
        )
        for e in extra
    }
    # Peak memory first, while only numpy and onnxruntime are loaded: a few runs on a tensor of the right
    # shape and type reach the arena's steady state.
    timed(
        lambda: session.run(None, {input_meta.name: probe, **probe_extra}),
        Settings(warmup=2, min_runs=3, min_seconds=0),
    )
    peak = _peak_rss_bytes()

    # Timings on the real image: a random tensor can change how much work an in-graph NMS does.
    from ..decode import decode
    from ..preprocess import load_image, prepare
    from ..schema import DemoRuntime

    runtime = DemoRuntime.model_validate(spec)
    image = load_image(Path(job["image"]))
    feeds = prepare(image, runtime.input).feeds(input_meta.name)
    inference = timed(lambda: session.run(None, feeds), settings)

    def end_to_end() -> None:
        prepared = prepare(image, runtime.input)
        outputs = session.run(None, prepared.feeds(input_meta.name))
        decode(outputs, runtime, prepared.placement)

    e2e = timed(end_to_end, settings)
    import cv2

    timings = {
        "session_ms": round(session_ms, 4),
        "peak_rss_bytes": peak,
        "rss_before_session_bytes": before,
        "inference": [round(t, 4) for t in inference],
        "end_to_end": [round(t, 4) for t in e2e],
    }
    versions = {"onnxruntime": ort.__version__, "numpy": np.__version__, "opencv": cv2.__version__}
    return {"round": timings, "versions": versions}


if __name__ == "__main__":
    print(json.dumps(_child(json.loads(sys.stdin.read()))))
