#!/usr/bin/env python
"""Golden data for the browser demo's JavaScript tests (wasm_demo/test/golden.test.js).

Run from the repository root with the project's environment (onnxruntime, numpy, Pillow, OpenCV, and torch
for the reference NMS):

    .venv/bin/python wasm_demo/test/make_golden.py [--artifacts artifacts] [--images N]

It writes, into wasm_demo/test/golden/:

- `preprocess.json`: letterbox geometry for many image sizes and small images turned into tensors by
  generator/preprocess.py (the Python reference), for the JS pre-processing tests.
- `tiny-ultralytics.onnx` (+ `.json`): a 1 KB graph with Ultralytics-style metadata (names, imgsz) whose
  output is a fixed detection head, for the bring-your-own-model path; it runs in onnxruntime-web.
- for every `artifacts/<id>/model.onnx` with a `manifest.json` beside it, and each chosen sample image:
  `<id>__<image>.json` + `.out.bin` (+ a shared `frame-*.rgb.gz`): the input tensor's hash, the model's raw
  output as onnxruntime (Python) computes it, and the reference detections from generator/decode.py.

To stay small (a few hundred KB in all), the input is not stored as a 640x640 float tensor. A sample
image is reduced to a *frame* about 160 pixels across (PIL, once, here), and the frame's pixels are repeated
k x k (nearest) to get the image that is fed through generator/preprocess.prepare: its size is exactly what
the resize step asks for, so no resampling happens in either language and the JS tensor must equal the
Python one bit for bit (the test compares SHA-256). Ultralytics outputs ([1, 4+C, 8400]) are stored as the
columns whose best class score passes the lowest threshold tested (plus every 400th column, so that even
an untrained graph's raw output is compared); the other columns cannot affect any decode at or above that
threshold, and the JS test fills them with zeros. The real resampling (OpenCV vs. JS bilinear) is checked
on small images in `preprocess.json`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import types
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # this checkout's `generator`, whatever the environment has installed

from golden_preprocess import make_preprocess, placement_json

from generator import settings
from generator.preprocess import image_input, prepare
from generator.schema import Decoder, DemoInput, UltralyticsHead

DEFAULT_IMAGES = ["000000000488.jpg", "000000000357.jpg"]
LOW_THRESHOLD = 0.15  # the re-filter path is checked at this confidence too
FRAME_SIDE = 160  # the stored frame's longer side, about: it is repeated up to the model's input size
SAMPLED_COLUMNS = 400  # also keep every 400th column of an Ultralytics output (raw comparison of any model)


def reference_decode():
    try:
        from generator.decode import decode
    except Exception as err:  # noqa: BLE001 - report any import problem
        sys.exit(f"generator/decode.py is not importable ({err}); it is the reference the golden files hold")
    return decode


def decoder_model(decoder: dict):
    """The runtime spec's decoder as its pydantic model, whichever kind it is."""
    from pydantic import TypeAdapter

    return TypeAdapter(Decoder).validate_python(dict(decoder))


def labels_array(class_names: dict) -> list:
    from generator.demo import labels_by_id

    return labels_by_id(class_names)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def graph_sha256(data: bytes) -> str:
    """SHA-256 of the serialized graph (ModelProto field 7) only: stable when a re-export changes nothing
    but metadata. The JS test computes the same with onnx-info.js `graphRange`."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        result = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7

    found = None
    while pos < len(data):
        tag = varint()
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            varint()
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length = varint()
            if field == 7:
                found = data[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"wire type {wire}")
    if found is None:
        raise ValueError("no graph in the ONNX file")
    return sha256(found)


def detections_json(dets, labels) -> list:
    return [
        {
            "classId": d.label,
            "className": labels[d.label] if 0 <= d.label < len(labels) and labels[d.label] else f"class {d.label}",
            "score": d.score,
            "box": list(d.box),
        }
        for d in dets
    ]


# --- a tiny Ultralytics-style model for bring-your-own-model ----------------------------------------


def make_tiny(out: Path, decode) -> None:
    import onnx
    import onnxruntime as ort
    from onnx import TensorProto, helper

    classes, n = 2, 4
    head = np.zeros((1, 4 + classes, n), np.float32)
    #             cx    cy    w     h     apple  orange
    anchors = [
        (8.0, 8.0, 8.0, 8.0, 0.9, 0.1),
        (9.0, 8.0, 8.0, 8.0, 0.8, 0.0),  # overlaps the first, same class: NMS removes it
        (24.0, 20.0, 10.0, 6.0, 0.05, 0.6),
        (16.0, 16.0, 40.0, 40.0, 0.2, 0.1),
    ]  # below 0.25
    for i, a in enumerate(anchors):
        head[0, :, i] = a
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["images"], ["mean"], keepdims=0),
            helper.make_node("Mul", ["mean", "zero"], ["nothing"]),
            helper.make_node("Add", ["nothing", "head"], ["output0"]),
        ],
        "tiny_ultralytics_head",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 4 + classes, n])],
        [
            helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0]),
            helper.make_tensor("head", TensorProto.FLOAT, head.shape, head.reshape(-1).tolist()),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="versus-test")
    model.ir_version = 8
    names = {0: "apple", 1: "o'range"}
    for key, value in {
        "description": "a test graph, not a model",
        "author": "Ultralytics (format only)",
        "task": "detect",
        "stride": "32",
        "batch": "1",
        "imgsz": "[32, 32]",
        "names": str(names),
        "end2end": "False",
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    path = out / "tiny-ultralytics.onnx"
    path.write_bytes(model.SerializeToString())

    runtime = types.SimpleNamespace(
        input=DemoInput(
            size=[32, 32], layout="NCHW", dtype="float32", color="RGB", resize="letterbox", pad_value=114, scale=1 / 255
        ),
        decoder=UltralyticsHead(kind="ultralytics", coordinates="pixels", classes=2, iou_threshold=0.7),
    )
    image = np.full((48, 64, 3), 90, np.uint8)  # a 64x48 image: r = 0.5, 32x24 inside 32x32, pad 4 on top
    prepared = prepare(image, runtime.input)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    raw = sess.run(None, {"images": prepared.tensor})
    dets = decode(raw, runtime, prepared.placement)
    labels = [names[0], names[1]]
    (out / "tiny-ultralytics.json").write_text(
        json.dumps(
            {
                "model": path.name,
                "model_sha256": sha256(path.read_bytes()),
                "image": {"width": 64, "height": 48, "value": 90},
                "placement": placement_json(prepared.placement),
                "labels": labels,
                "detections": detections_json(dets, labels),
            },
            indent=1,
        )
        + "\n"
    )


# --- artifacts ----------------------------------------------------------------------------------------


def frame_for(image_path: Path, input_spec: DemoInput, out: Path) -> tuple[np.ndarray, dict]:
    """The stored low-resolution frame and the image fed to the model (the frame repeated 2x2)."""
    from PIL import Image

    src = Image.open(image_path).convert("RGB")
    h, w = input_spec.size
    repeat = max(1, round(max(h, w) / FRAME_SIDE))
    while h % repeat or w % repeat:
        repeat -= 1
    if input_spec.resize == "stretch":
        fw, fh = w // repeat, h // repeat
    elif src.width / src.height >= w / h:
        fw = w // repeat
        fh = max(1, round(src.height * fw / src.width))
    else:
        fh = h // repeat
        fw = max(1, round(src.width * fh / src.height))
    frame = np.asarray(src.resize((fw, fh), Image.Resampling.BILINEAR), np.uint8)
    if input_spec.resize == "letterbox":
        # the fed image must keep r == 1 in the letterbox, i.e. fit the input with one side equal
        assert max(fw * repeat / w, fh * repeat / h) == 1, (fw, fh, repeat)
    name = f"frame-{image_path.stem}-{fw}x{fh}.rgb.gz"
    target = out / name
    data = gzip.compress(frame.tobytes(), compresslevel=9, mtime=0)
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)
    image = expand(frame, repeat)
    return image, {"file": name, "width": fw, "height": fh, "repeat": repeat}


def expand(frame: np.ndarray, k: int) -> np.ndarray:
    """Integer bilinear upsampling by k (pixel centres at +0.5, edges clamped, rounded half up), written
    out so that the JS test can do exactly the same arithmetic (test/golden.test.js `expandFrame`)."""
    if k == 1:
        return frame.copy()
    den = 2 * k

    def taps(n: int):
        o = np.arange(n * k)
        num = 2 * o + 1 - k  # source position * den
        i0 = np.floor_divide(num, den)
        f = num - i0 * den
        low = i0 < 0
        i0[low], f[low] = 0, 0
        high = i0 >= n - 1
        i0[high], f[high] = n - 1, 0
        return i0, np.minimum(i0 + 1, n - 1), f

    h, w = frame.shape[:2]
    x0, x1, fx = taps(w)
    y0, y1, fy = taps(h)
    src = frame.astype(np.int64)
    rows = src[:, x0] * (den - fx)[None, :, None] + src[:, x1] * fx[None, :, None]
    full = rows[y0] * (den - fy)[:, None, None] + rows[y1] * fy[:, None, None]
    return ((full + den * den // 2) // (den * den)).astype(np.uint8)


def name_index(names: list[str], name: str) -> int:
    return names.index(name)


def rows_to_keep(raw: list, decoder) -> dict[int, np.ndarray]:
    """Grid heads (`[1, N, K]` per output): the anchors whose best score passes the lowest threshold tested
    (plus every 400th, so that raw outputs are compared on any model), by output index; the JS test fills the
    other rows with zeros, which score nothing. The same rows of a level's scores and distances."""

    def pick(best: np.ndarray) -> np.ndarray:
        wanted = best > np.float32(LOW_THRESHOLD) - np.float32(0.005)
        wanted[::SAMPLED_COLUMNS] = True
        return np.flatnonzero(wanted)

    if decoder.kind == "yolox":
        rows = np.asarray(raw[0])[0]
        return {0: pick((rows[:, 5:] * rows[:, 4:5]).max(axis=1))}
    if decoder.kind == "gfl":
        out = {}
        for level in decoder.levels:
            chosen = pick(np.asarray(raw[level.scores])[0].max(axis=1))
            out[level.scores] = out[level.distances] = chosen
        return out
    return {}


def make_artifact(folder: Path, images: list[Path], out: Path, decode) -> list[str]:
    import onnxruntime as ort

    manifest = json.loads((folder / "manifest.json").read_text())
    runtime_json = dict(manifest["runtime"])
    labels = labels_array(manifest["class_names"])
    model_path = folder / "model.onnx"
    model_sha = graph_sha256(model_path.read_bytes())
    input_spec = DemoInput(**runtime_json["input"])
    decoder = decoder_model(runtime_json["decoder"])
    runtime = types.SimpleNamespace(input=input_spec, decoder=decoder)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    sess = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    output_names = [o.name for o in sess.get_outputs()]
    written = []
    for image_path in images:
        image, frame = frame_for(image_path, input_spec, out)
        prepared = prepare(image, input_spec)
        tensor = np.ascontiguousarray(prepared.tensor)
        image_name = image_input(input_spec, [i.name for i in sess.get_inputs()])
        raw = sess.run(None, prepared.feeds(image_name))
        wanted_rows = rows_to_keep(raw, decoder)
        reference = decode(raw, runtime, prepared.placement)
        low = decode(raw, runtime, prepared.placement, score_threshold=LOW_THRESHOLD)
        stem = f"{folder.name}__{image_path.stem}"
        blob = bytearray()
        outputs = []
        for name, array in zip(output_names, raw):
            array = np.asarray(array)
            entry = {"name": name, "dims": list(array.shape), "dtype": str(array.dtype)}
            if decoder.kind == "ultralytics" and array.ndim == 3 and array.shape[1] == 4 + decoder.classes:
                scores = array[0, 4:].astype(np.float32)
                if (q := decoder.output_quantization) is not None:  # int8 outputs: real values pick the columns
                    scores = (scores - np.float32(q.zero_point)) * np.float32(q.scale)
                if decoder.score_activation == "sigmoid":
                    scores = 1 / (1 + np.exp(-scores))
                best = scores.max(axis=0)
                wanted = best > np.float32(LOW_THRESHOLD) - np.float32(0.005)
                wanted[::SAMPLED_COLUMNS] = True
                columns = np.flatnonzero(wanted)
                values = np.ascontiguousarray(array[0][:, columns].T, np.float32)  # [k, 4 + C]
                entry.update(
                    encoding="columns",
                    columns=columns.tolist(),
                    offset=len(blob),
                    count=values.size,
                    fill=0 if q is None else q.zero_point,
                )  # the other columns: values that decode as 0
                blob += values.astype("<f4").tobytes()
            elif name_index(output_names, name) in wanted_rows:
                rows = wanted_rows[name_index(output_names, name)]
                values = np.ascontiguousarray(array[0][rows], np.float32)  # [k, K]
                entry.update(encoding="rows", rows=rows.tolist(), offset=len(blob), count=values.size)
                blob += values.astype("<f4").tobytes()
            else:
                values = np.ascontiguousarray(array, np.float32).reshape(-1)
                entry.update(encoding="full", offset=len(blob), count=values.size)
                blob += values.astype("<f4").tobytes()
            outputs.append(entry)
        (out / f"{stem}.out.bin").write_bytes(bytes(blob))
        doc = {
            "artifact": folder.name,
            "card": manifest.get("card_id"),
            "variant": manifest.get("variant_id"),
            "trained": manifest.get("trained", True),
            "graph_sha256": model_sha,
            "image": image_path.name,
            "frame": frame,
            "runtime": {**runtime_json, "labels": labels},
            "placement": placement_json(prepared.placement),
            "input": {
                "dims": list(tensor.shape),
                "dtype": str(tensor.dtype),
                "sha256": sha256(tensor.tobytes()),
            },
            "outputs": outputs,
            "outputs_file": f"{stem}.out.bin",
            "low_threshold": LOW_THRESHOLD,
            "reference": detections_json(reference, labels),
            "reference_low": detections_json(low, labels),
            # an int8 graph versus export quantized (float I/O, integer kernels inside): its manifest's own tolerance
            "integer_kernels": _integer_tolerance(manifest),
            "versions": {"onnxruntime": ort.__version__, "numpy": np.__version__},
        }
        (out / f"{stem}.json").write_text(json.dumps(doc, indent=1) + "\n")
        written.append(f"{stem}: {len(reference)} detections (>= spec threshold), {len(low)} at {LOW_THRESHOLD}")
    return written


def _integer_tolerance(manifest: dict) -> dict | None:
    """{min_iou, score_delta} of a QDQ int8 graph (`quantization` in its manifest), else None: integer kernels round
    differently through the whole network, so raw values are not compared and detections use this tolerance."""
    if not manifest.get("quantization"):
        return None
    tolerance = manifest["verification"]["tolerance"]
    return {"min_iou": tolerance["min_iou"], "score_delta": tolerance["score_delta"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--artifacts", type=Path, default=None, help="artifacts folder (default: the settings', README: Settings)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "golden")
    parser.add_argument("--images", nargs="*", default=DEFAULT_IMAGES, help="sample image file names")
    parser.add_argument("--only", nargs="*", default=None, help="artifact ids (default: every one with a manifest)")
    args = parser.parse_args()
    where = settings.current()
    args.artifacts = args.artifacts or where.artifacts
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    decode = reference_decode()
    make_preprocess(out)
    print("preprocess.json")
    make_tiny(out, decode)
    print("tiny-ultralytics.onnx, tiny-ultralytics.json")
    folders = sorted(p.parent for p in args.artifacts.glob("*/model.onnx"))
    images = [where.require("sample_images") / name for name in args.images] if folders else []
    if not folders:
        print(f"no artifacts under {args.artifacts}: only the model-free golden files were written")
    for folder in folders:
        if args.only and folder.name not in args.only:
            continue
        if not (folder / "manifest.json").exists():
            print(f"{folder.name}: no manifest.json beside model.onnx, skipped")
            continue
        for line in make_artifact(folder, images, out, decode):
            print(line)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"golden/: {total / 1024:.0f} KB")


if __name__ == "__main__":
    main()
