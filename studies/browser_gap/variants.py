"""Q4: int8 and fp16 variants of an fp32 artifact, built in a temporary folder (never in artifacts/ or the
catalog): size, mAP on the sample images, native and browser latency."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable

from generator import settings
from generator.measurement import Figure

from .figures import Arm, interleaved, ratio, table
from .graphs import CALIBRATION_IMAGES, convert_fp16, quantize_int8
from .operators import profile
from .runners import NativeJob
from .study import NO_QDQ_FUSION, Study


def variants(study: Study, artifact) -> None:
    from generator.bench import accuracy
    from generator.bench.browser import BrowserBench
    from generator.demo import labels_by_id
    from generator.export.manifest import FileInfo, manifest_json
    from generator.weights import sha256_file

    a = study.args
    study.log(f"{artifact.artifact_id}: building int8 and fp16 variants in {study.tmp}")
    files = {"fp32 (the artifact)": study.model(artifact)}
    t0 = time.perf_counter()
    files["int8 QDQ (static, per-channel)"] = quantize_int8(
        study.model(artifact), artifact.runtime, study.tmp / f"{artifact.artifact_id}.int8.onnx"
    )
    files["fp16 (fp32 I/O)"] = convert_fp16(study.model(artifact), study.tmp / f"{artifact.artifact_id}.fp16.onnx")
    study.log(f"  variants built in {time.perf_counter() - t0:.0f} s")

    names = labels_by_id(study.catalog.registry.labels[artifact.runtime.labels].labels)
    sample = accuracy.read_sample_set(settings.current().require("sample_set"))
    acc = {label: accuracy.measure_accuracy(path, artifact.runtime, names, sample) for label, path in files.items()}

    # Each variant gets its own staged demo (the demo manifest lists a catalog variant once) and, since
    # Playwright's sync API runs one instance per process, its own BrowserBench for each measurement.
    study.close_bench()
    staged = {}
    for label, path in files.items():
        kind = "fp32" if path == study.model(artifact) else path.suffixes[-2].lstrip(".")
        variant = artifact.model_copy(
            update={
                "artifact_id": f"{artifact.artifact_id}.{kind}",
                "file": FileInfo(name="model.onnx", bytes=path.stat().st_size, sha256=sha256_file(path)),
            }
        )
        root = study.tmp / f"root-{kind}"
        (root / variant.artifact_id).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, root / variant.artifact_id / "model.onnx")
        (root / variant.artifact_id / "manifest.json").write_text(manifest_json(variant), encoding="utf-8")
        staged[label] = (root, variant)

    def browser(label: str, threads: int, options: dict | None) -> Callable[[], Figure]:
        root, variant = staged[label]

        def measure() -> Figure:
            with BrowserBench(root, [variant], study.catalog) as bench:
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
        native = study.native(artifact)
        for t in (1, 2):
            arms.append(
                Arm((label, "native", t), lambda t=t, path=path, native=native: native.figure(NativeJob(path, t)))
            )
        for t in a.variant_browser_threads:
            arms.append(Arm((label, "browser", t), browser(label, t, None)))
    int8 = "int8 QDQ (static, per-channel)"
    arms.append(Arm((int8, "browser QDQ fusion off", 2), browser(int8, 2, NO_QDQ_FUSION)))
    study.log(f"{artifact.artifact_id}: variants, {len(arms)} settings x {a.rounds} rounds")
    got = interleaved(arms, a.rounds, study.log)

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
                got[(label, "browser", t)].median / got[(fp32, "browser", t)].median for t in a.variant_browser_threads
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
        profile(study, artifact, files["int8 QDQ (static, per-channel)"], f"{artifact.artifact_id} int8 QDQ variant")
