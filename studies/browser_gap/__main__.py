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
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from generator import settings

from .figures import load_average
from .levels import levels
from .operators import cpu_features, kernels, profile
from .runners import ROOT, native_child
from .study import Study
from .variants import variants

DEFAULT_ARTIFACTS = ("yolo11n.coco", "ssd-mobilenet-v2.coral-uint8")
SECTIONS = ("levels", "profile", "variants")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--native-child"]:
        print(json.dumps(native_child(json.loads(sys.stdin.read()))))
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
                levels(study, artifact)
            bench = study.bench()
            print(f"\n(browser side: {', '.join(f'{k} {v}' for k, v in bench.versions.items())})")
        if "profile" not in args.skip:
            log("per-operator profiles")
            for artifact in targets:
                profile(study, artifact)
            kernels(study)
        if "variants" not in args.skip:
            for artifact_id in variants_of:
                variants(study, everything[artifact_id])
    print(f"\nbrowser_gap: done in {time.perf_counter() - started:.0f} s ({load_average()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
