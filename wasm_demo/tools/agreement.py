#!/usr/bin/env python
"""Measure how well the browser demo agrees with the Python reference on the sample images.

Runs wasm_demo/demo.html in headless Chromium (Playwright driving /usr/bin/chromium), feeds every sample
image through the page's own upload input, reads each panel's `data-result`, and compares it with
generator/preprocess.py + onnxruntime + generator/decode.py on the same file:
every detection scoring >= --confident on either side needs a twin on the other side (same class,
box IoU >= --min-iou, score within --score-delta). Prints figures; exits non-zero only on errors, or
with --strict when the agreement is below the bounds.

    .venv/bin/python wasm_demo/tools/agreement.py [--artifacts artifacts] [--images DIR] [--limit N]

It builds a throw-away site in a temporary folder (symlinks to wasm_demo/, the artifacts and the images,
plus a demo manifest made from artifacts/*/manifest.json), serves it with wasm_demo/tools/serve.mjs
(cross-origin isolated) on a free local port, and checks that the page requests nothing from any
other origin.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent
ROOT = DEMO.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def labels_array(class_names: dict) -> list:
    from generator.demo import labels_by_id

    return labels_by_id(class_names)


def build_site(artifacts: Path, images: list[Path], site: Path) -> list[dict]:
    (site / "onnx").mkdir(parents=True)
    (site / "samples").mkdir()
    (site / "demo").mkdir()
    os.symlink(DEMO, site / "wasm_demo")
    models = []
    for folder in sorted(p.parent for p in artifacts.glob("*/model.onnx")):
        manifest_path = folder / "manifest.json"
        if not manifest_path.exists():
            continue
        m = json.loads(manifest_path.read_text())
        (site / "onnx" / folder.name).mkdir()
        os.symlink(folder / "model.onnx", site / "onnx" / folder.name / "model.onnx")
        runtime = {k: v for k, v in m["runtime"].items() if k not in ("source", "part", "note")}
        runtime["labels"] = labels_array(m["class_names"])
        models.append({
            "card": m["card_id"],
            "variant": m["variant_id"],
            "name": folder.name,
            "trained": m["trained"],
            "url": f"../onnx/{folder.name}/model.onnx",
            "bytes": m["file"]["bytes"],
            "sha256": m["file"]["sha256"],
            "runtime": runtime,
            "artifact": folder.name,
            "tolerance": m.get("verification", {}).get("tolerance"),
        })
    for image in images:
        os.symlink(image, site / "samples" / image.name)
    manifest = {"version": 1, "models": models,
                "samples": [{"url": f"../samples/{images[0].name}", "name": images[0].name, "credit": "COCO"}]}
    (site / "demo" / "manifest.json").write_text(json.dumps(manifest))
    return models


def reference(models: list[dict], artifacts: Path, images: list[Path]) -> dict:
    import onnxruntime as ort

    from generator.decode import decode
    from generator.preprocess import load_image, prepare
    from generator.schema import DemoInput, NmsInGraph, UltralyticsHead

    out = {}
    for m in models:
        rt = m["runtime"]
        decoder = (UltralyticsHead if rt["decoder"]["kind"] == "ultralytics" else NmsInGraph)(**rt["decoder"])
        runtime = types.SimpleNamespace(input=DemoInput(**rt["input"]), decoder=decoder)
        options = ort.SessionOptions()
        options.log_severity_level = 3
        sess = ort.InferenceSession(str(artifacts / m["artifact"] / "model.onnx"), options,
                                    providers=["CPUExecutionProvider"])
        name = sess.get_inputs()[0].name
        per_image = {}
        for image in images:
            prepared = prepare(load_image(image), runtime.input)
            dets = decode(sess.run(None, {name: prepared.tensor}), runtime, prepared.placement)
            per_image[image.name] = [
                {"className": rt["labels"][d.label] or f"class {d.label}", "score": d.score, "box": list(d.box)}
                for d in dets
            ]
        out[m["artifact"]] = per_image
    return out


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def twins(side, other, tol):
    """For each confident detection on `side`: its best twin on `other` (same class) or None."""
    found = []
    for d in side:
        if d["score"] < tol["confident"]:
            continue
        best, best_iou = None, -1.0
        for o in other:
            if o["className"] != d["className"]:
                continue
            v = iou(d["box"], o["box"])
            if v > best_iou:
                best, best_iou = o, v
        ok = best is not None and best_iou >= tol["min_iou"] and abs(best["score"] - d["score"]) <= tol["score_delta"]
        found.append((d, best, best_iou, ok))
    return found


def run_browser(models, images, port, args):
    from playwright.sync_api import sync_playwright

    results = {m["artifact"]: {} for m in models}
    timings = {m["artifact"]: [] for m in models}
    foreign = set()
    origin = f"http://127.0.0.1:{port}"
    pairs = [models[i:i + 2] for i in range(0, len(models), 2)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_FLAGS)
        for pair in pairs:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(origin) or r.url.startswith("data:") or r.url.startswith("blob:") else foreign.add(r.url))
            refs = ",".join(f"{m['card']}/{m['variant']}" for m in pair)
            page.goto(f"{origin}/wasm_demo/demo.html?manifest=/demo/manifest.json&models={refs}&autorun=false&threads={args.threads}&resampler={args.resampler}")
            page.wait_for_function(
                f"document.querySelectorAll('.vs-panel[data-state=ready]').length >= {len(pair)}", timeout=120_000)
            for image in images:
                page.set_input_files(".vs-upload input", str(image))
                want = f"upload:{image.name}"
                keys = [f"{m['card']}/{m['variant']}" for m in pair]
                page.wait_for_function(
                    """([want, keys]) => keys.every(k => [...document.querySelectorAll('.vs-panel[data-result]')]
                        .map(e => JSON.parse(e.dataset.result))
                        .some(r => r.source === want && `${r.model}/${r.variant}` === k))""",
                    arg=[want, keys], timeout=120_000)
                for el in page.query_selector_all(".vs-panel[data-result]"):
                    r = json.loads(el.get_attribute("data-result"))
                    art = next((m["artifact"] for m in pair if m["variant"] == r["variant"] and m["card"] == r["model"]), None)
                    if art is None:
                        continue
                    results[art][image.name] = r["detections"]
                    timings[art].append(r["timings"])
                    results[art]["__backend"] = (r["backend"], r["threads"], r["crossOriginIsolated"])
            page.close()
        browser.close()
    return results, timings, foreign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    parser.add_argument("--images", type=Path, default=Path("/work/shared/images/coco-sample/images"))
    parser.add_argument("--limit", type=int, default=0, help="first N images only")
    parser.add_argument("--confident", type=float, default=0.5)
    parser.add_argument("--min-iou", type=float, default=0.85)
    parser.add_argument("--score-delta", type=float, default=0.05)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--only", nargs="*", help="artifact ids (default: all with a manifest)")
    parser.add_argument("--resampler", choices=["auto", "js", "canvas"], default="auto",
                        help="how the page resizes images (demo data-resampler)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    images = sorted(args.images.glob("*.jpg"))
    if args.limit:
        images = images[: args.limit]
    with tempfile.TemporaryDirectory(prefix="versus-agreement-") as tmp:
        site = Path(tmp)
        models = build_site(args.artifacts, images, site)
        if args.only:
            models = [m for m in models if m["artifact"] in args.only]
        if not models:
            print(f"no artifacts with a manifest.json under {args.artifacts}")
            return 1
        t0 = time.time()
        ref = reference(models, args.artifacts, images)
        print(f"python reference: {len(models)} models x {len(images)} images in {time.time() - t0:.0f} s")
        server = subprocess.Popen(["node", str(HERE / "serve.mjs"), "--root", str(site), "--port", "0"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            port = int(re.search(r":(\d+)/", line).group(1))
            t0 = time.time()
            browser, timings, foreign = run_browser(models, images, port, args)
            print(f"chromium: {len(images)} images in {time.time() - t0:.0f} s")
        finally:
            server.terminate()
            server.wait(timeout=10)
    figures = {}
    all_ok = True
    for m in models:
        art = m["artifact"]
        tol = {"confident": args.confident, "min_iou": args.min_iou, "score_delta": args.score_delta, "unmatched_share": 0.0}
        if m["runtime"]["input"]["dtype"] == "uint8" and m.get("tolerance"):
            # quantized graphs: what the export step's verification allowed for this artifact
            tol = {k: m["tolerance"][k] for k in tol}
        confident = matched = 0
        worst_delta, worst_iou = 0.0, 1.0
        misses = []
        for image in images:
            js = browser[art].get(image.name, [])
            py = ref[art][image.name]
            for side, other, who in ((js, py, "browser"), (py, js, "python")):
                for d, twin, v, ok in twins(side, other, tol):
                    confident += 1
                    if ok:
                        matched += 1
                        worst_delta = max(worst_delta, abs(twin["score"] - d["score"]))
                        worst_iou = min(worst_iou, v)
                    else:
                        misses.append(f"{image.name}: {who} {d['className']} {d['score']:.2f} "
                                      f"(best twin IoU {v:.2f}, score {twin['score']:.2f})" if twin else
                                      f"{image.name}: {who} {d['className']} {d['score']:.2f} (no same-class twin)")
        t = timings[art]
        med = lambda key: float(np.median([x[key] for x in t[1:] or t])) if t else float("nan")  # noqa: E731
        backend = browser[art].get("__backend")
        figures[art] = {
            "trained": m["trained"], "backend": backend, "confident": confident, "matched": matched,
            "unmatched": confident - matched, "max_score_delta": round(worst_delta, 4), "min_iou": round(worst_iou, 4),
            "median_ms": {k: round(med(k), 1) for k in ("preprocessMs", "inferenceMs", "postprocessMs")},
            "cold_ms": round(t[0]["coldMs"], 1) if t else None, "misses": misses[:20],
        }
        share = (confident - matched) / confident if confident else 0.0
        figures[art]["tolerance"] = tol
        figures[art]["within_tolerance"] = share <= tol["unmatched_share"]
        all_ok &= share <= tol["unmatched_share"]
        print(f"\n{art} ({'trained' if m['trained'] else 'UNTRAINED test graph'}) on {backend}:"
              f" {matched}/{confident} confident detections matched ({share:.1%} unmatched),"
              f" max score delta {worst_delta:.3f}, min IoU {worst_iou:.3f};"
              f" twin = same class, IoU >= {tol['min_iou']}, score within {tol['score_delta']};"
              f" allowed unmatched {tol['unmatched_share']:.0%}: {'OK' if share <= tol['unmatched_share'] else 'NOT OK'}")
        print(f"  median pre {figures[art]['median_ms']['preprocessMs']} ms, inference {figures[art]['median_ms']['inferenceMs']} ms,"
              f" post {figures[art]['median_ms']['postprocessMs']} ms (both models running side by side)")
        for miss in misses[:10]:
            print("  miss:", miss)
    print("\nrequests to other origins:", sorted(foreign) or "none")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if foreign:
        return 2
    return 1 if args.strict and not all_ok else 0


if __name__ == "__main__":
    sys.exit(main())
