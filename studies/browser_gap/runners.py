"""Where a model is timed: native onnxruntime in a fresh process per setting (as generator/bench/native.py),
the demo's onnxruntime-web wasm build in Node (`ort_web_node.mjs`, for per-operator profiles), and the demo itself
in the browser through BrowserBench."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator import settings
from generator.bench.native import Settings, session_options, timed
from generator.bench.stats import figure
from generator.measurement import Figure

LEVELS = ("disabled", "basic", "extended", "layout", "all")
NATIVE_LEVELS = {
    "disabled": "ORT_DISABLE_ALL",
    "basic": "ORT_ENABLE_BASIC",
    "extended": "ORT_ENABLE_EXTENDED",
    "layout": "ORT_ENABLE_LAYOUT",
    "all": "ORT_ENABLE_ALL",
}
ROOT = settings.ROOT
ORT_DIST = ROOT / "wasm_demo" / "node_modules" / "onnxruntime-web" / "dist"
NODE_SCRIPT = Path(__file__).with_name("ort_web_node.mjs")


# --- native: a fresh process per setting, as generator/bench/native.py ----------------------------------


@dataclass(frozen=True)
class NativeJob:
    model: Path
    threads: int
    level: str = "all"
    disabled_optimizers: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()  # session config entries, e.g. session.intra_op.allow_spinning
    profile: bool = False


class Native:
    def __init__(self, runtime_json: str | None, image: Path, settings: Settings):
        self.runtime_json, self.image, self.settings = runtime_json, image, settings

    def run(self, job: NativeJob) -> dict:
        payload = {
            "model": str(job.model),
            "threads": job.threads,
            "level": job.level,
            "disabled_optimizers": list(job.disabled_optimizers),
            "config": dict(job.config),
            "profile": job.profile,
            "runtime": json.loads(self.runtime_json) if self.runtime_json else None,
            "image": str(self.image),
            "settings": self.settings.__dict__,
        }
        done = subprocess.run(
            [sys.executable, "-m", "studies.browser_gap", "--native-child"],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=900,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"native child failed for {job}:\n" + "\n".join(done.stderr.strip().splitlines()[-8:]))
        return json.loads(done.stdout.strip().splitlines()[-1])

    def figure(self, job: NativeJob) -> Figure:
        return figure(self.run(job)["samples"])


def _feeds(session, runtime_json: dict | None, image: Path) -> dict:
    """The prepared sample image when the model has a runtime spec (an in-graph NMS's work depends on it),
    else a seeded random tensor per input (micro-benchmarks)."""
    import numpy as np

    if runtime_json is not None:
        from generator.preprocess import load_image, prepare
        from generator.schema import DemoRuntime

        spec = DemoRuntime.model_validate(runtime_json)
        return {session.get_inputs()[0].name: prepare(load_image(image), spec.input).tensor}
    rng = np.random.default_rng(0)
    dtypes = {"tensor(float)": np.float32, "tensor(uint8)": np.uint8, "tensor(int8)": np.int8}
    feeds = {}
    for meta in session.get_inputs():
        dtype = dtypes[meta.type]
        shape = [d if isinstance(d, int) else 1 for d in meta.shape]
        value = rng.random(shape) if dtype is np.float32 else rng.integers(0, 128, size=shape)
        feeds[meta.name] = value.astype(dtype)
    return feeds


def native_child(job: dict) -> dict:
    import onnxruntime as ort

    settings = Settings(**job["settings"])
    options = session_options(job["threads"], NATIVE_LEVELS[job["level"]])
    for key, value in job["config"].items():
        options.add_session_config_entry(key, value)
    profile_dir = None
    if job["profile"]:
        profile_dir = tempfile.mkdtemp(prefix="versus-gap-profile-")
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(profile_dir) / "native")
    session = ort.InferenceSession(
        job["model"],
        options,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=job["disabled_optimizers"] or None,
    )
    feeds = _feeds(session, job["runtime"], Path(job["image"]))
    samples = timed(lambda: session.run(None, feeds), settings)
    result = {"samples": samples, "version": ort.__version__}
    if profile_dir:
        events = json.loads(Path(session.end_profiling()).read_text())
        result["profile"] = op_profile(events, skip_runs=settings.warmup)
        shutil.rmtree(profile_dir, ignore_errors=True)
    return result


# --- onnxruntime-web's wasm in Node ----------------------------------------------------------------------


def node_wasm(
    model: Path,
    runtime_json: str | None,
    image: Path,
    *,
    threads: int = 1,
    warmup: int = 3,
    runs: int = 10,
    options: dict | None = None,
) -> dict:
    """The demo's onnxruntime-web build in Node on the same input as the native side: samples and, with
    options={'enableProfiling': True}, the per-operator profile."""
    import numpy as np
    import onnxruntime as ort

    quiet = ort.SessionOptions()
    quiet.log_severity_level = 3
    session = ort.InferenceSession(str(model), quiet, providers=["CPUExecutionProvider"])
    feeds = _feeds(session, json.loads(runtime_json) if runtime_json else None, image)
    del session
    types = {np.dtype(np.float32): "float32", np.dtype(np.uint8): "uint8", np.dtype(np.int8): "int8"}
    with tempfile.TemporaryDirectory(prefix="versus-gap-node-") as tmp:
        inputs = []
        for i, (name, value) in enumerate(feeds.items()):
            file = Path(tmp) / f"input{i}.bin"
            file.write_bytes(np.ascontiguousarray(value).tobytes())
            inputs.append({"name": name, "type": types[value.dtype], "dims": list(value.shape), "file": str(file)})
        job = {
            "dist": str(ORT_DIST),
            "model": str(model),
            "threads": threads,
            "warmup": warmup,
            "runs": runs,
            "options": options or {},
            "out": str(Path(tmp) / "out.json"),
            "inputs": inputs,
        }
        done = subprocess.run(
            ["node", str(NODE_SCRIPT)], input=json.dumps(job), capture_output=True, text=True, timeout=900, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"onnxruntime-web in Node failed on {model}:\n{done.stderr[-2000:]}")
        result = json.loads((Path(tmp) / "out.json").read_text())
    if options and options.get("enableProfiling"):
        events = []
        for line in done.stdout.splitlines():
            line = line.strip().rstrip(",")
            if line.startswith("{"):
                try:
                    events.append(json.loads(line))
                except ValueError:
                    pass
        result["profile"] = op_profile(events, skip_runs=warmup)
    return result


def op_profile(events: list[dict], skip_runs: int) -> dict:
    """onnxruntime profile events (native JSON file or onnxruntime-web's console output, one format) as
    {"run_ms": median model_run, "ops": {op type: median ms per run}, "runs": n}, warm-up runs left out.
    Medians over runs, so that a run disturbed by other work on the machine does not move the figures."""
    runs = sorted(
        (e for e in events if e.get("cat") == "Session" and e.get("name") == "model_run"), key=lambda e: e["ts"]
    )
    timed = runs[skip_runs:] or runs
    per_run: list[dict[str, float]] = [defaultdict(float) for _ in timed]
    for e in events:
        if e.get("cat") != "Node" or not str(e.get("name", "")).endswith("_kernel_time"):
            continue
        for i, run in enumerate(timed):
            if run["ts"] <= e["ts"] <= run["ts"] + run["dur"]:
                per_run[i][e["args"]["op_name"]] += e["dur"] / 1000
                break
    names = {op for ops in per_run for op in ops}
    ops = {op: statistics.median(r.get(op, 0.0) for r in per_run) for op in names}
    return {
        "run_ms": statistics.median(e["dur"] / 1000 for e in timed) if timed else 0.0,
        "ops": ops,
        "runs": len(timed),
    }


# --- the browser: the demo itself, through BrowserBench --------------------------------------------------


def browser_arm(bench, artifact, threads: int, warmup: int, runs: int, options: dict | None) -> Callable[[], Figure]:
    return lambda: (
        bench.measure(
            artifact, threads=threads, warmup=warmup, runs=runs, cold_pages=0, session_options=options
        ).inference
    )
