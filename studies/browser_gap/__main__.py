"""Where the browser-vs-native latency gap goes (GitHub issue #4): prints figures, records nothing.

    .venv/bin/python -m studies.browser_gap [ARTIFACT ...] [--rounds N] [--skip SECTION]

Default artifacts: yolo11n.coco and ssd-mobilenet-v2.coral-uint8 (from the artifacts folder, README: Settings).
Four questions, each a table of warm inference latency (ms; median, IQR, and each round's median so that drift
shows):

1. graph optimization level (disabled / basic / extended / layout / all) in the browser and natively (1 and 2
   threads), and other session options at 2 threads: natively 'all' without the NCHWc layout transformer,
   intra-op spinning off (both sides), QuickGelu fusion off, QDQ fusion off (graphs with QDQ nodes), and in the
   browser onnxruntime-web's memory arena and memory pattern switched on (off by default in onnxruntime-web);
2. threads: 1 vs 2 in the browser and natively;
3. per-operator profile, one thread: native onnxruntime (SessionOptions.enable_profiling) against the demo's
   own onnxruntime-web wasm build run in Node (`ort_web_node.mjs`; the browser prints its profile to the console
   only; Node 20's older V8 lands within about 5-20% of Chromium's time, printed as a check), at 'all' and
   'basic', with GEMM micro-benchmarks (fp32 MatMul, u8xs8 and u8xu8 MatMulInteger) for the kernels' raw speed
   and a check that the shipped wasm has no relaxed-SIMD instruction (wabt's wasm-validate, when installed);
4. int8 (static QDQ, calibrated on 20 sample images) and fp16 variants of each fp32 Ultralytics artifact
   (yolo11n.coco by default): size, mAP on the 100 sample images, native and browser latency. The variants are
   study material: written to a temporary folder, never to artifacts/ or the catalog.

Browser figures come from `generator.bench.browser.BrowserBench`: the demo's page and worker in headless
Chromium, "Measure on this device", with the benchmarking knob `session_options` for the levels. Native figures
come from a fresh process per setting, timed like `generator/bench/native.py` (its `timed` loop and
`session_options`). Settings are measured in rounds, each round in the reverse order of the previous one
(A B ... B A), so drift on this shared 2-core machine falls on all of them; a round's figure is the median of its runs, and a setting's figure is the
median of its rounds' medians (quartiles likewise). Needs the `export` extra, the dev group (Playwright), Debian's
chromium and `npm ci --prefix wasm_demo`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from generator import settings
from generator.bench.native import Settings, session_options, timed
from generator.bench.stats import figure
from generator.measurement import Figure

DEFAULT_ARTIFACTS = ("yolo11n.coco", "ssd-mobilenet-v2.coral-uint8")
SECTIONS = ("levels", "profile", "variants")
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
CALIBRATION_IMAGES = 20
UNSTEADY = 1.2  # rounds' medians further apart than this are marked "!"
DISABLE_QDQ = "session.disable_quant_qdq"  # onnxruntime: keep DequantizeLinear -> op -> QuantizeLinear unfused
NO_QDQ_FUSION = {"extra": {"session": {"disable_quant_qdq": "1"}}}  # the same, as onnxruntime-web session options
NO_QUICKGELU = {"extra": {"optimization": {"disable_specified_optimizers": "QuickGeluFusion"}}}  # x*sigmoid(x) unfused


# --- figures ---------------------------------------------------------------------------------------------


@dataclass
class Rounds:
    """One setting's figures, one per round."""

    figures: list[Figure] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(f.median for f in self.figures)

    def text(self) -> str:
        if not self.figures:
            return "—"
        q1 = statistics.median(f.q1 for f in self.figures)
        q3 = statistics.median(f.q3 for f in self.figures)
        rounds = "/".join(f"{f.median:.1f}" for f in self.figures)
        medians = [f.median for f in self.figures]
        unsteady = " !" if max(medians) > UNSTEADY * min(medians) else ""
        return f"{self.median:6.1f} (IQR {q1:.1f}–{q3:.1f}; rounds {rounds}){unsteady}"


@dataclass(frozen=True)
class Arm:
    """One setting to time: `measure` returns one round's figure."""

    key: tuple
    measure: Callable[[], Figure]


def interleaved(arms: list[Arm], rounds: int, log: Callable[[str], None]) -> dict[tuple, Rounds]:
    """Every arm once per round, each round in the reverse order of the one before (A B C, C B A, ...)."""
    out = {arm.key: Rounds() for arm in arms}
    for r in range(rounds):
        for arm in arms if r % 2 == 0 else arms[::-1]:
            out[arm.key].figures.append(arm.measure())
        log(f"  round {r + 1}/{rounds} done ({load_average()})")
    return out


def ratio(a: Rounds | None, b: Rounds | None) -> str:
    if not a or not b or not a.figures or not b.figures:
        return "—"
    return f"{a.median / b.median:.2f}×"


def load_average() -> str:
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load ?"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


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


def _native_child(job: dict) -> dict:
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


# --- the study -------------------------------------------------------------------------------------------


@dataclass
class Study:
    args: argparse.Namespace
    catalog: object
    image: Path
    stack: ExitStack
    tmp: Path
    log: Callable[[str], None] = print
    _bench: object = None
    _bench_stack: ExitStack = field(default_factory=ExitStack)
    results: dict = field(default_factory=dict)

    def native(self, artifact) -> Native:
        return Native(
            artifact.runtime.model_dump_json(),
            self.image,
            Settings(warmup=3, min_runs=self.args.native_runs, min_seconds=self.args.native_seconds),
        )

    def bench(self):
        """One BrowserBench on artifacts/ for the levels (started on first use; Playwright's sync API allows one
        at a time in a process, so `close_bench` ends it before the variants get their own)."""
        if self._bench is None:
            from generator.bench.browser import BrowserBench

            self._bench = self._bench_stack.enter_context(
                BrowserBench(self.args.artifacts, list(self.all_artifacts.values()), self.catalog)
            )
        return self._bench

    def close_bench(self) -> None:
        self._bench_stack.close()
        self._bench = None

    @property
    def all_artifacts(self) -> dict:
        from generator.artifacts import load_artifacts

        return {a.artifact_id: a for found in load_artifacts(self.args.artifacts).values() for a in found}

    def model(self, artifact) -> Path:
        return self.args.artifacts / artifact.artifact_id / "model.onnx"

    # Q1 and Q2 ----------------------------------------------------------------------------------------

    def levels(self, artifact) -> None:
        a = self.args
        native = self.native(artifact)
        model = self.model(artifact)
        arms = []
        for t in (1, 2):
            for level in LEVELS:
                arms.append(
                    Arm(("native", t, level), lambda t=t, level=level: native.figure(NativeJob(model, t, level)))
                )
            arms.append(
                Arm(
                    ("native", t, "all, no NCHWc"),
                    lambda t=t: native.figure(NativeJob(model, t, "all", disabled_optimizers=("NchwcTransformer",))),
                )
            )
        arms.append(
            Arm(
                ("native", 2, "all, spinning off"),
                lambda: native.figure(NativeJob(model, 2, "all", config=(("session.intra_op.allow_spinning", "0"),))),
            )
        )
        if has_op(model, "Sigmoid"):
            arms.append(
                Arm(
                    ("native", 2, "all, QuickGeluFusion off"),
                    lambda: native.figure(NativeJob(model, 2, "all", disabled_optimizers=("QuickGeluFusion",))),
                )
            )
        if has_qdq(model):
            arms.append(
                Arm(
                    ("native", 2, "all, QDQ fusion off"),
                    lambda: native.figure(NativeJob(model, 2, "all", config=((DISABLE_QDQ, "1"),))),
                )
            )
        bench = self.bench()
        browser = {f"{level}": {"graphOptimizationLevel": level} for level in LEVELS}
        browser["all"] = None  # the demo's own options, untouched
        browser["all + arena & mem pattern"] = {"enableCpuMemArena": True, "enableMemPattern": True}
        browser["all, spinning off"] = {"extra": {"session": {"intra_op": {"allow_spinning": "0"}}}}
        if has_op(model, "Sigmoid"):
            browser["all, QuickGeluFusion off"] = NO_QUICKGELU
        if has_qdq(model):
            browser["all, QDQ fusion off"] = NO_QDQ_FUSION
        for name, options in browser.items():
            arms.append(
                Arm(("browser", 2, name), browser_arm(bench, artifact, 2, a.browser_warmup, a.browser_runs, options))
            )
        for level in LEVELS:  # one thread: the steadiest comparison on a shared 2-core VM
            arms.append(
                Arm(
                    ("browser", 1, level),
                    browser_arm(
                        bench,
                        artifact,
                        1,
                        a.browser_warmup,
                        a.browser_runs,
                        None if level == "all" else {"graphOptimizationLevel": level},
                    ),
                )
            )
        self.log(f"{artifact.artifact_id}: levels and threads, {len(arms)} settings x {a.rounds} rounds")
        got = interleaved(arms, a.rounds, self.log)
        self.results[(artifact.artifact_id, "levels")] = got

        rows = []
        for name in [
            *LEVELS,
            "all, no NCHWc",
            "all, spinning off",
            "all + arena & mem pattern",
            "all, QuickGeluFusion off",
            "all, QDQ fusion off",
        ]:
            cells = {
                k: got.get((side, t, name))
                for k, (side, t) in {
                    "b1": ("browser", 1),
                    "n1": ("native", 1),
                    "b2": ("browser", 2),
                    "n2": ("native", 2),
                }.items()
            }
            if not any(cells.values()):
                continue
            label = name + (" (demo and bench default)" if name == "all" else "")
            text = {k: v.text() if v else "—" for k, v in cells.items()}
            rows.append(
                [
                    label,
                    text["b1"],
                    text["n1"],
                    ratio(cells["b1"], cells["n1"]),
                    text["b2"],
                    text["n2"],
                    ratio(cells["b2"], cells["n2"]),
                    ratio(cells["b2"], got[("native", 2, "all")]),
                ]
            )
        print(
            f"\n== Q1 {artifact.artifact_id}: graph optimization level and session options, warm inference ms "
            f"(median, IQR, per-round medians; ! = rounds more than {UNSTEADY:.1f}x apart)"
        )
        print(
            table(
                [
                    "setting",
                    "browser 1t",
                    "native 1t",
                    "ratio 1t",
                    "browser 2t",
                    "native 2t",
                    "ratio 2t",
                    "ratio 2t vs native 'all'",
                ],
                rows,
            )
        )
        for t in (1, 2):
            default = got[("browser", t, "all")]
            name, best = min(
                ((k[2], v) for k, v in got.items() if k[0] == "browser" and k[1] == t), key=lambda kv: kv[1].median
            )
            beaten = sum(f.median < d.median for f, d in zip(best.figures, default.figures, strict=True))
            print(
                f"   browser {t}t: fastest setting '{name}' {best.median:.1f} ms vs the default's {default.median:.1f} ms "
                f"({best.median / default.median - 1:+.0%}; faster in {beaten} of {len(default.figures)} rounds)"
            )
        b1, b2 = got[("browser", 1, "all")], got[("browser", 2, "all")]
        n1, n2 = got[("native", 1, "all")], got[("native", 2, "all")]
        print(f"\n== Q2 {artifact.artifact_id}: threads (level 'all')")
        print(
            table(
                ["", "1 thread", "2 threads", "speed-up 1t→2t"],
                [
                    ["browser (wasm)", b1.text(), b2.text(), f"{b1.median / b2.median:.2f}×"],
                    ["native", n1.text(), n2.text(), f"{n1.median / n2.median:.2f}×"],
                    ["browser / native", ratio(b1, n1), ratio(b2, n2), ""],
                ],
            )
        )
        sys.stdout.flush()

    # Q3 ------------------------------------------------------------------------------------------------

    def profile(self, artifact, model: Path | None = None, label: str | None = None) -> None:
        model = model or self.model(artifact)
        label = label or artifact.artifact_id
        native = self.native(artifact)
        profiled = Settings(warmup=3, min_runs=10, min_seconds=0)
        native = Native(native.runtime_json, self.image, profiled)
        nat = native.run(NativeJob(model, 1, "all", profile=True))["profile"]
        no_nchwc = native.run(NativeJob(model, 1, "all", disabled_optimizers=("NchwcTransformer",), profile=True))[
            "profile"
        ]
        wasm = node_wasm(
            model,
            artifact.runtime.model_dump_json(),
            self.image,
            threads=1,
            warmup=3,
            runs=9,
            options={"enableProfiling": True},
        )["profile"]
        basic = node_wasm(
            model,
            artifact.runtime.model_dump_json(),
            self.image,
            threads=1,
            warmup=3,
            runs=9,
            options={"enableProfiling": True, "graphOptimizationLevel": "basic"},
        )["profile"]
        ops = sorted(
            set(nat["ops"]) | set(wasm["ops"]) | set(no_nchwc["ops"]) | set(basic["ops"]),
            key=lambda op: (-(wasm["ops"].get(op, 0) - nat["ops"].get(op, 0)), -basic["ops"].get(op, 0)),
        )
        gap = sum(wasm["ops"].values()) - sum(nat["ops"].values())
        rows = []
        for op in ops:
            w, n, x, b = (p["ops"].get(op, 0.0) for p in (wasm, nat, no_nchwc, basic))
            if max(w, n, x, b) < 0.05:
                continue
            rows.append(
                [
                    op,
                    f"{n:.2f}",
                    f"{x:.2f}",
                    f"{w:.2f}",
                    f"{w / n:.1f}×" if n > 0.01 else "—",
                    f"{(w - n) / gap:.0%}" if gap > 0 else "—",
                    f"{b:.2f}",
                ]
            )
        total = lambda p: sum(p["ops"].values())
        rows.append(
            [
                "sum of operator medians",
                f"{total(nat):.1f}",
                f"{total(no_nchwc):.1f}",
                f"{total(wasm):.1f}",
                f"{total(wasm) / total(nat):.1f}×",
                "100%",
                f"{total(basic):.1f}",
            ]
        )
        rows.append(
            [
                "model_run (profiled)",
                f"{nat['run_ms']:.1f}",
                f"{no_nchwc['run_ms']:.1f}",
                f"{wasm['run_ms']:.1f}",
                f"{wasm['run_ms'] / nat['run_ms']:.1f}×",
                "",
                f"{basic['run_ms']:.1f}",
            ]
        )
        print(
            f"\n== Q3 {label}: per-operator time, 1 thread, median ms per run (profiled runs: native {nat['runs']}, wasm {wasm['runs']})"
        )
        print(
            "   native = onnxruntime 'all' (NCHWc layout where MLAS has it); 'no NCHWc' = 'all' without NchwcTransformer;"
        )
        print(
            "   wasm = the demo's onnxruntime-web build (ort-wasm-simd-threaded.wasm) in Node, 'all'; 'share of gap' = (wasm − native) / total gap;"
        )
        print(
            "   wasm basic = the same at level 'basic' (no fusions: x*sigmoid(x) stays Sigmoid + Mul, QDQ stays DequantizeLinear -> fp32 op -> QuantizeLinear)"
        )
        print(
            table(
                ["op type", "native", "native no NCHWc", "wasm (Node)", "wasm/native", "share of gap", "wasm basic"],
                rows,
            )
        )
        b1 = self.results.get((artifact.artifact_id, "levels"), {}).get(("browser", 1, "all"))
        if b1 and model == self.model(artifact):
            print(
                f"   check: wasm in Node {wasm['run_ms']:.1f} ms per profiled run vs the browser's 1-thread median {b1.median:.1f} ms"
            )
        sys.stdout.flush()

    def kernels(self) -> None:
        """fp32 and int8 GEMM throughput, native vs wasm, one thread: the kernels' raw speed."""
        import numpy as np
        import onnx
        from onnx import TensorProto, helper, numpy_helper

        m, k, n = 6400, 576, 64  # an 80x80 feature map, 3x3x64 im2col, 64 output channels
        rng = np.random.default_rng(0)
        models = {}
        a = helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])
        w = numpy_helper.from_array(rng.random((k, n), dtype=np.float32), "w")
        graph = helper.make_graph([helper.make_node("MatMul", ["a", "w"], ["y"])], "gemm_fp32", [a], [y], [w])
        models["fp32 MatMul"] = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
        a8 = helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k])
        y32 = helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])
        w8 = numpy_helper.from_array(rng.integers(-127, 128, (k, n)).astype(np.int8), "w")
        za = numpy_helper.from_array(np.array(128, np.uint8), "za")
        zw = numpy_helper.from_array(np.array(0, np.int8), "zw")
        graph = helper.make_graph(
            [helper.make_node("MatMulInteger", ["a", "w", "za", "zw"], ["y"])], "gemm_u8s8", [a8], [y32], [w8, za, zw]
        )
        models["u8×s8 MatMulInteger"] = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8
        )
        # uint8 weights, as in the Coral SSD graph (TFLite's older asymmetric quantization)
        wu8 = numpy_helper.from_array(rng.integers(0, 256, (k, n)).astype(np.uint8), "w")
        zu = numpy_helper.from_array(np.array(128, np.uint8), "zw")
        graph = helper.make_graph(
            [helper.make_node("MatMulInteger", ["a", "w", "za", "zw"], ["y"])], "gemm_u8u8", [a8], [y32], [wu8, za, zu]
        )
        models["u8×u8 MatMulInteger"] = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8
        )
        ops = 2 * m * k * n
        rows = []
        for name, proto in models.items():
            path = self.tmp / f"{name.split()[0].replace('×', 'x')}-gemm.onnx"  # fp32, u8xs8, u8xu8
            onnx.save(proto, path)
            native = Native(None, self.image, Settings(warmup=5, min_runs=30, min_seconds=1.0)).figure(
                NativeJob(path, 1)
            )
            wasm = figure(node_wasm(path, None, self.image, threads=1, warmup=5, runs=30)["samples"])
            g_n, g_w = ops / native.median / 1e6, ops / wasm.median / 1e6
            rows.append(
                [
                    name,
                    f"{native.median:.2f}",
                    f"{g_n:.0f}",
                    f"{wasm.median:.2f}",
                    f"{g_w:.0f}",
                    f"{wasm.median / native.median:.1f}×",
                ]
            )
        print(f"\n== Q3 kernels: GEMM {m}x{k} · {k}x{n} ({ops / 2e6:.0f} M multiply-adds), 1 thread, median of 30 runs")
        print(
            table(["kernel", "native ms", "native G(FL)OP/s", "wasm ms (Node)", "wasm G(FL)OP/s", "wasm/native"], rows)
        )
        print(
            "   per instruction: AVX-512 FMA 16 lanes x 2 = 32 FLOP vs SIMD128 f32x4.mul + f32x4.add = 8 FLOP in two (8x);"
            " AVX-512 VNNI vpdpbusd 64 u8xs8 multiply-adds vs i32x4.dot_i16x8_s 8 (after widening u8/s8 to i16);"
            " VNNI has no u8xu8 form, so native u8xu8 runs at about half its u8xs8 speed"
        )
        print("   " + cpu_features())
        print("   " + wasm_simd_check())
        sys.stdout.flush()

    # Q4 ------------------------------------------------------------------------------------------------

    def variants(self, artifact) -> None:
        from generator.bench import accuracy
        from generator.bench.browser import BrowserBench
        from generator.demo import labels_by_id
        from generator.export.manifest import FileInfo, manifest_json
        from generator.weights import sha256_file

        a = self.args
        self.log(f"{artifact.artifact_id}: building int8 and fp16 variants in {self.tmp}")
        files = {"fp32 (the artifact)": self.model(artifact)}
        t0 = time.perf_counter()
        files["int8 QDQ (static, per-channel)"] = quantize_int8(
            self.model(artifact), artifact.runtime, self.tmp / f"{artifact.artifact_id}.int8.onnx"
        )
        files["fp16 (fp32 I/O)"] = convert_fp16(self.model(artifact), self.tmp / f"{artifact.artifact_id}.fp16.onnx")
        self.log(f"  variants built in {time.perf_counter() - t0:.0f} s")

        names = labels_by_id(self.catalog.registry.labels[artifact.runtime.labels].labels)
        sample = accuracy.read_sample_set(settings.current().require("sample_set"))
        acc = {label: accuracy.measure_accuracy(path, artifact.runtime, names, sample) for label, path in files.items()}

        # Each variant gets its own staged demo (the demo manifest lists a catalog variant once) and, since
        # Playwright's sync API runs one instance per process, its own BrowserBench for each measurement.
        self.close_bench()
        staged = {}
        for label, path in files.items():
            kind = "fp32" if path == self.model(artifact) else path.suffixes[-2].lstrip(".")
            variant = artifact.model_copy(
                update={
                    "artifact_id": f"{artifact.artifact_id}.{kind}",
                    "file": FileInfo(name="model.onnx", bytes=path.stat().st_size, sha256=sha256_file(path)),
                }
            )
            root = self.tmp / f"root-{kind}"
            (root / variant.artifact_id).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / variant.artifact_id / "model.onnx")
            (root / variant.artifact_id / "manifest.json").write_text(manifest_json(variant), encoding="utf-8")
            staged[label] = (root, variant)

        def browser(label: str, threads: int, options: dict | None) -> Callable[[], Figure]:
            root, variant = staged[label]

            def measure() -> Figure:
                with BrowserBench(root, [variant], self.catalog) as bench:
                    return bench.measure(
                        variant,
                        threads=threads,
                        warmup=a.browser_warmup,
                        runs=a.browser_runs,
                        cold_pages=0,
                        session_options=options,
                    ).inference

            return measure

        arms = []
        for label, path in files.items():
            native = self.native(artifact)
            for t in (1, 2):
                arms.append(
                    Arm((label, "native", t), lambda t=t, path=path, native=native: native.figure(NativeJob(path, t)))
                )
            for t in a.variant_browser_threads:
                arms.append(Arm((label, "browser", t), browser(label, t, None)))
        int8 = "int8 QDQ (static, per-channel)"
        arms.append(Arm((int8, "browser QDQ fusion off", 2), browser(int8, 2, NO_QDQ_FUSION)))
        self.log(f"{artifact.artifact_id}: variants, {len(arms)} settings x {a.rounds} rounds")
        got = interleaved(arms, a.rounds, self.log)

        fp32 = next(iter(files))
        print(
            f"\n== Q4 {artifact.artifact_id}: int8 and fp16 variants (study only, never in artifacts/), warm inference ms"
        )
        print(
            f"   int8: onnxruntime.quantization.quantize_static, QDQ, uint8 activations / int8 per-channel weights, MinMax on "
            f"{CALIBRATION_IMAGES} of the 100 sample images (every 5th: they are also in the accuracy set); the box-decoding tail after "
            "the head's Concat stays fp32. fp16: onnxruntime.transformers.float16, fp32 inputs and outputs."
        )
        rows = []
        for label, path in files.items():
            row = [
                label,
                f"{path.stat().st_size / 1e6:.1f}",
                f"{acc[label].map50_95:.3f}",
                f"{acc[label].map50:.3f}",
                got[(label, "native", 1)].text(),
                got[(label, "native", 2)].text(),
            ]
            for t in a.variant_browser_threads:
                b = got[(label, "browser", t)]
                row += [b.text(), ratio(b, got[(label, "native", t)]), ratio(b, got[(fp32, "native", t)])]
            rows.append(row)
        header = ["variant", "MB", "mAP50-95", "mAP50", "native 1t", "native 2t"]
        for t in a.variant_browser_threads:
            header += [f"browser {t}t", f"browser/native {t}t (same model)", f"browser/native fp32 {t}t"]
        print(table(header, rows))
        for label in files:
            if label != fp32:
                b = [
                    got[(label, "browser", t)].median / got[(fp32, "browser", t)].median
                    for t in a.variant_browser_threads
                ]
                print(
                    f"   {label}: browser {' / '.join(f'{x:.2f}' for x in b)} of fp32's time; "
                    f"native 2t {got[(label, 'native', 2)].median / got[(fp32, 'native', 2)].median:.2f}; "
                    f"mAP50-95 {acc[label].map50_95 - acc[fp32].map50_95:+.3f}"
                )
        nofuse = got[(int8, "browser QDQ fusion off", 2)]
        print(
            f"   {int8} in the browser, 2 threads, with QDQ fusion off (DequantizeLinear -> fp32 op -> QuantizeLinear, "
            f"no QLinearConv): {nofuse.text()} vs fused {got[(int8, 'browser', 2)].text()}"
        )
        sys.stdout.flush()
        if a.profile_variants and "profile" not in a.skip:
            self.profile(artifact, files["int8 QDQ (static, per-channel)"], f"{artifact.artifact_id} int8 QDQ variant")


def has_op(model: Path, *op_types: str) -> bool:
    import onnx

    return any(n.op_type in op_types for n in onnx.load(model, load_external_data=False).graph.node)


def has_qdq(model: Path) -> bool:
    return has_op(model, "QuantizeLinear", "DequantizeLinear")


def quantize_int8(model: Path, runtime, out: Path) -> Path:
    """Static QDQ quantization calibrated on every 5th sample image; the box-decoding tail stays fp32."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from generator.preprocess import load_image, prepare

    images = sorted(settings.current().require("sample_images").glob("*.jpg"))[::5][:CALIBRATION_IMAGES]
    tensors = [prepare(load_image(p), runtime.input).tensor for p in images]
    graph = onnx.load(model).graph
    input_name = graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter({input_name: t} for t in tensors)

        def get_next(self):
            return next(self.items, None)

    pre = out.with_suffix(".pre.onnx")
    quant_pre_process(str(model), str(pre))
    quantize_static(
        str(pre),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=sorted(head_tail(graph)),
    )
    pre.unlink()
    return out


def head_tail(graph) -> set[str]:
    """Names of the nodes from the Ultralytics head's Concat of the three scales (all inputs Reshapes) to the
    output: box decoding and class scores, which one 8-bit scale cannot hold together."""
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list] = defaultdict(list)
    for n in graph.node:
        for i in n.input:
            consumers[i].append(n)
    todo = [
        n
        for n in graph.node
        if n.op_type == "Concat"
        and len(n.input) >= 3
        and all(i in producer and producer[i].op_type == "Reshape" for i in n.input)
    ]
    tail: set[str] = set()
    while todo:
        n = todo.pop()
        if n.name not in tail:
            tail.add(n.name)
            todo += [c for o in n.output for c in consumers[o]]
    return tail


def convert_fp16(model: Path, out: Path) -> Path:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    onnx.save(convert_float_to_float16(onnx.load(model), keep_io_types=True), out)
    return out


def cpu_features() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "CPU features: unknown"
    flags = next((line.split(":")[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    model = next((line.split(":")[1].strip() for line in text.splitlines() if line.startswith("model name")), "?")
    wanted = ["avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16"]
    return f"CPU {model}: " + ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in wanted)


def wasm_simd_check() -> str:
    """Does onnxruntime-web ship a relaxed-SIMD build (f32x4.relaxed_madd = FMA, relaxed int8 dot products)?
    A module that validates with every wasm feature but relaxed SIMD switched on has no relaxed-SIMD instruction."""
    wasm = sorted(p.name for p in ORT_DIST.glob("*.wasm"))
    relaxed_files = [w for w in wasm if "relaxed" in w]
    text = f"onnxruntime-web wasm files: {', '.join(wasm)}; files named relaxed: {relaxed_files or 'none'}"
    validate = shutil.which("wasm-validate")
    if not validate:
        return text + " (install wabt for the instruction-level check)"
    features = [
        "--enable-threads",
        "--enable-exceptions",
        "--enable-function-references",
        "--enable-tail-call",
        "--enable-gc",
        "--enable-extended-const",
        "--enable-multi-memory",
        "--enable-memory64",
    ]
    verdicts = []
    for w in wasm:
        if subprocess.run([validate, *features, str(ORT_DIST / w)], capture_output=True, check=False).returncode == 0:
            verdicts.append(f"{w}: no relaxed-SIMD instruction")
        elif (
            subprocess.run([validate, "--enable-all", str(ORT_DIST / w)], capture_output=True, check=False).returncode
            == 0
        ):
            verdicts.append(f"{w}: USES relaxed SIMD")
        else:
            verdicts.append(f"{w}: wabt cannot read it")
    return text + ".\n   wabt wasm-validate with every feature but relaxed SIMD: " + "; ".join(verdicts)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--native-child"]:
        print(json.dumps(_native_child(json.loads(sys.stdin.read()))))
        return 0
    parser = argparse.ArgumentParser(prog="python -m studies.browser_gap", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "ids", nargs="*", default=list(DEFAULT_ARTIFACTS), help=f"artifact ids (default: {' '.join(DEFAULT_ARTIFACTS)})"
    )
    parser.add_argument("--skip", action="append", default=[], choices=SECTIONS, help="leave a section out")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per setting, alternating order (default: 3)")
    parser.add_argument("--browser-runs", type=int, default=12, help="browser: timed runs per round (default: 12)")
    parser.add_argument("--browser-warmup", type=int, default=2, help="browser: discarded runs per round (default: 2)")
    parser.add_argument(
        "--native-runs", type=int, default=15, help="native: at least this many timed runs per round (default: 15)"
    )
    parser.add_argument(
        "--native-seconds", type=float, default=1.5, help="native: and at least this long (default: 1.5)"
    )
    parser.add_argument(
        "--variants-of",
        nargs="*",
        default=None,
        help="artifacts to build int8/fp16 variants of (default: the fp32 Ultralytics ones among ids)",
    )
    parser.add_argument("--variant-browser-threads", default="2", help="browser threads for the variants (default: 2)")
    parser.add_argument(
        "--no-variant-profile",
        dest="profile_variants",
        action="store_false",
        help="do not profile the int8 variant per operator",
    )
    parser.add_argument(
        "--artifacts", type=Path, default=None, help="artifacts folder (default: the setting, README: Settings)"
    )
    parser.add_argument("--catalog", type=Path, default=ROOT / "catalog")
    args = parser.parse_args(argv)
    args.variant_browser_threads = tuple(int(t) for t in args.variant_browser_threads.split(","))

    from generator.loader import load_catalog

    where = settings.current()
    args.artifacts = args.artifacts or where.artifacts
    started = time.perf_counter()
    catalog = load_catalog(args.catalog)
    log = lambda msg: print(f"[{time.perf_counter() - started:5.0f} s] {msg}", file=sys.stderr, flush=True)
    image = where.require("sample_images") / "000000000036.jpg"  # the image the study's findings were measured on
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="versus-browser-gap-") as tmp:
        study = Study(args, catalog, image, stack, Path(tmp), log)
        stack.callback(study.close_bench)
        everything = study.all_artifacts
        missing = [i for i in args.ids if i not in everything]
        if missing:
            print(
                f"browser_gap: no artifact {', '.join(missing)} in {args.artifacts} (have: {', '.join(sorted(everything))})",
                file=sys.stderr,
            )
            return 2
        targets = [everything[i] for i in args.ids]
        variants_of = (
            args.variants_of
            if args.variants_of is not None
            else [
                a.artifact_id
                for a in targets
                if a.trained and a.runtime.decoder.kind == "ultralytics" and a.runtime.input.dtype == "float32"
            ]
        )
        import onnxruntime

        onnxruntime.set_default_logger_severity(3)  # the converted graphs' deprecation warnings
        print(
            f"browser_gap: {', '.join(args.ids)}; {cpu_features()}; {os.cpu_count()} cores; onnxruntime "
            f"{onnxruntime.__version__}; image {image.name}; {args.rounds} rounds; {load_average()}"
        )
        if "levels" not in args.skip:
            for artifact in targets:
                study.levels(artifact)
            bench = study.bench()
            print(f"\n(browser side: {', '.join(f'{k} {v}' for k, v in bench.versions.items())})")
        if "profile" not in args.skip:
            log("per-operator profiles")
            for artifact in targets:
                study.profile(artifact)
            study.kernels()
        if "variants" not in args.skip:
            for artifact_id in variants_of:
                study.variants(everything[artifact_id])
    print(f"\nbrowser_gap: done in {time.perf_counter() - started:.0f} s ({load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
