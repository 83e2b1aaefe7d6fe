"""Q3: per-operator profiles (native onnxruntime vs the demo's wasm build in Node), GEMM micro-benchmarks, and
what the CPU and the shipped wasm files can do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generator.bench.native import Settings
from generator.bench.stats import figure

from .figures import table
from .runners import ORT_DIST, Native, NativeJob, node_wasm
from .study import Study


def profile(study: Study, artifact, model: Path | None = None, label: str | None = None) -> None:
    model = model or study.model(artifact)
    label = label or artifact.artifact_id
    native = study.native(artifact)
    profiled = Settings(warmup=3, min_runs=10, min_seconds=0)
    native = Native(native.runtime_json, study.image, profiled)
    nat = native.run(NativeJob(model, 1, "all", profile=True))["profile"]
    no_nchwc = native.run(NativeJob(model, 1, "all", disabled_optimizers=("NchwcTransformer",), profile=True))[
        "profile"
    ]
    wasm = node_wasm(
        model,
        artifact.runtime.model_dump_json(),
        study.image,
        threads=1,
        warmup=3,
        runs=9,
        options={"enableProfiling": True},
    )["profile"]
    basic = node_wasm(
        model,
        artifact.runtime.model_dump_json(),
        study.image,
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
    b1 = study.results.get((artifact.artifact_id, "levels"), {}).get(("browser", 1, "all"))
    if b1 and model == study.model(artifact):
        print(
            f"   check: wasm in Node {wasm['run_ms']:.1f} ms per profiled run vs the browser's 1-thread median {b1.median:.1f} ms"
        )
    sys.stdout.flush()


def kernels(study: Study) -> None:
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
    models["u8×s8 MatMulInteger"] = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    # uint8 weights, as in the Coral SSD graph (TFLite's older asymmetric quantization)
    wu8 = numpy_helper.from_array(rng.integers(0, 256, (k, n)).astype(np.uint8), "w")
    zu = numpy_helper.from_array(np.array(128, np.uint8), "zw")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w", "za", "zw"], ["y"])], "gemm_u8u8", [a8], [y32], [wu8, za, zu]
    )
    models["u8×u8 MatMulInteger"] = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    ops = 2 * m * k * n
    rows = []
    for name, proto in models.items():
        path = study.tmp / f"{name.split()[0].replace('×', 'x')}-gemm.onnx"  # fp32, u8xs8, u8xu8
        onnx.save(proto, path)
        native = Native(None, study.image, Settings(warmup=5, min_runs=30, min_seconds=1.0)).figure(NativeJob(path, 1))
        wasm = figure(node_wasm(path, None, study.image, threads=1, warmup=5, runs=30)["samples"])
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
    print(table(["kernel", "native ms", "native G(FL)OP/s", "wasm ms (Node)", "wasm G(FL)OP/s", "wasm/native"], rows))
    print(
        "   per instruction: AVX-512 FMA 16 lanes x 2 = 32 FLOP vs SIMD128 f32x4.mul + f32x4.add = 8 FLOP in two (8x);"
        " AVX-512 VNNI vpdpbusd 64 u8xs8 multiply-adds vs i32x4.dot_i16x8_s 8 (after widening u8/s8 to i16);"
        " VNNI has no u8xu8 form, so native u8xu8 runs at about half its u8xs8 speed"
    )
    print("   " + cpu_features())
    print("   " + wasm_simd_check())
    sys.stdout.flush()


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
