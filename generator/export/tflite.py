"""`tflite` weights: converted with tf2onnx, verified against the TFLite interpreter (ai-edge-litert).

How a file is quantized decides the recipe, read from the file's own tensors (`quantization`):

- `activations` (e.g. Coral's uint8 SSD: uint8 input, every activation uint8): converted as it is, to a
  graph of QuantizeLinear/DequantizeLinear around the ops. `--dequantize` would replace the integer
  arithmetic TFLite runs with float arithmetic (and make the SSD 24 MB instead of 6.3 MB).
- `weights` (dynamic-range int8, e.g. the Ultralytics YOLO exports: float input and activations, int8
  weights): `--dequantize`. ONNX has no hybrid kernels; without the flag every run dequantizes the
  weights again (measured: the same outputs within 1.5e-6, YOLO11n 90 ms instead of 50 ms in
  onnxruntime with 2 threads). The price is the file size: 10.7 MB instead of 3.0 MB.
- `float`: nothing to decide.

Tolerances for verification follow from the same property; see `tolerance` and `raw_check`.

The reference decodes the TFLite file its own way wherever the file has one (`TfliteReference`): the
interpreter's `TFLite_Detection_PostProcess` output read by that op's contract, or Ultralytics' predictor for
files Ultralytics exported (their embedded metadata says so). Only other files fall back to
`generator/decode.py`, the decoder the ONNX side uses, and the manifest says so.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..decode import Detection, decode
from ..preprocess import Prepared
from ..schema import DemoRuntime, DetectionRows, UltralyticsHead
from ..weights import Resolved, copy_verified
from .agreement import DetectionHead, Tolerance
from .conversion import NO_FLOPS_TOOL, Conversion, ConversionError, Converter


@dataclass(frozen=True)
class Quantization:
    kind: str  # "activations", "weights" or "float"
    logit_scale: float | None  # largest quantization scale of a LOGISTIC input (class logits), if quantized


def quantization(path: Path) -> Quantization:
    """Whether the graph's activations, only its weights, or nothing is quantized (from the flatbuffer)."""
    from ai_edge_litert import schema_py_generated as fb

    model = fb.Model.GetRootAs(path.read_bytes(), 0)
    op_names = {value: key for key, value in vars(fb.BuiltinOperator).items() if not key.startswith("_")}
    quantized_types = {fb.TensorType.UINT8, fb.TensorType.INT8, fb.TensorType.INT16}

    def scale(tensor) -> float | None:
        q = tensor.Quantization()
        if tensor.Type() not in quantized_types or q is None or not q.ScaleLength():
            return None
        return float(q.ScaleAsNumpy().max())

    activations, weights, logit_scales = False, False, []
    for s in range(model.SubgraphsLength()):
        graph = model.Subgraphs(s)
        for t in range(graph.TensorsLength()):
            weights |= graph.Tensors(t).Type() in quantized_types
        for o in range(graph.OperatorsLength()):
            op = graph.Operators(o)
            code = model.OperatorCodes(op.OpcodeIndex())
            name = op_names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "")
            activations |= any(scale(graph.Tensors(i)) is not None for i in op.OutputsAsNumpy() if i >= 0)
            if name == "LOGISTIC" and (s_in := scale(graph.Tensors(op.Inputs(0)))) is not None:
                logit_scales.append(s_in)
    kind = "activations" if activations else "weights" if weights else "float"
    return Quantization(kind, max(logit_scales) if logit_scales else None)


# The raw-output bound for float graphs (int8 weights dequantized, or float) with an `ultralytics` head,
# `[1, 4 + C, N]`. What the rows mean sets the units: box rows are centres and sizes, compared in input
# pixels (normalized rows times the input size); class scores are in 0-1. Measured on the 100 coco-sample
# images, onnxruntime against the TFLite interpreter (YOLO11n / YOLOv8n int8-weight exports):
# - Differences are heavy-tailed, and not from the conversion: TFLite's own kernels disagree as much with
#   each other (XNNPACK against its built-in kernels: up to 0.90 on one score of one image), because the
#   hybrid kernels quantize activations to int8 on the fly. Single values go far: a score 0.899 in TFLite
#   is 0.016 in onnxruntime (YOLO11n, 000000000446.jpg, an anchor of the stride-32 level whose object a
#   neighbouring anchor also finds), the box rows of background anchors move by up to 292 px. A bound on
#   the largest difference would have to allow all of that, and would catch nothing.
# - Scores, every anchor and class (67.2M values): beyond 0.05 (the detection score tolerance) 3.3e-6 /
#   2.4e-6 of them, 4.1e-6 at most in any quarter of the images. Allowed: 1e-5.
# - Box rows of anchors scoring >= the spec's score threshold (0.25) on either side, the boxes a page can
#   draw (15,312 / 14,148 values): beyond 2 px 1.3% / 1.7%, 2.4% at most in a quarter of the images (beyond
#   1 px 3.6% / 4.0%; 99th percentile 2.6 / 3.0 px; largest 65.5 / 30.0 px). Allowed: 4%.
# A conversion fault moves most values, not a tail: half a stride off in the grid is >= 4 px on every box,
# a wrong scale or layout or a swapped row changes most scores.
BOX_PX, BOX_SHARE = 2.0, 0.04
SCORE_DELTA, SCORE_SHARE = 0.05, 1e-5
RAW_WHY = (
    f"Raw outputs of [1, 4 + C, N] heads, by what they mean: class scores (0-1) within {SCORE_DELTA:g} on all but "
    f"{SCORE_SHARE * 100:g}% of values (measured on 100 images: 0.00033% YOLO11n, 0.00024% YOLOv8n); box "
    f"coordinates in input pixels, on anchors either side scores at or above the spec's score threshold, within "
    f"{BOX_PX:g} px on all but {BOX_SHARE:.0%} (measured 1.3% and 1.7%; 99th percentile 2.6 and 3.0 px). The "
    "largest differences are not bounded: TFLite's hybrid kernels move single values by up to 0.88 in score and "
    "65 px on drawn boxes, and TFLite's own kernels (XNNPACK against built-in) disagree as much; a conversion fault "
    "moves most values instead."
)


def raw_check(q: Quantization, runtime: DemoRuntime) -> DetectionHead | None:
    """The raw-output bound for a float graph (`weights` or `float`) with an `ultralytics` head; None where
    raw values cannot be held elementwise (see `RAW_NOTES`)."""
    decoder = runtime.decoder
    if q.kind == "activations" or not isinstance(decoder, UltralyticsHead):
        return None
    return DetectionHead(
        input_size=(runtime.input.size[0], runtime.input.size[1]),
        normalized=decoder.coordinates == "normalized",
        sigmoid=decoder.score_activation == "sigmoid",
        draw_threshold=decoder.score_threshold,
        box_px=BOX_PX,
        box_share=BOX_SHARE,
        score=SCORE_DELTA,
        score_share=SCORE_SHARE,
    )


def raw_note(q: Quantization, runtime: DemoRuntime) -> str:
    if q.kind == "activations":
        return (
            "quantized activations: TFLite and onnxruntime round integer arithmetic differently (one step of "
            "a uint8 score is up to 0.08), so raw values are reported, not bounded"
        )
    return (
        "the outputs are ordered lists of detections (after NMS, or an end-to-end head's top rows): a neighbouring "
        "anchor changes the order, so values are compared as detections"
    )


def tolerance(q: Quantization, runtime: DemoRuntime | None = None) -> Tolerance:
    """How closely onnxruntime must agree with the TFLite interpreter, by quantization.

    Measured on the 100 coco-sample images (every confident detection, score >= 0.5, both sides):
    - uint8 SSD MobileNet v2 (activations): with the default 0.05 score tolerance 71 of 505 have no
      twin (14%): the scores of both sides sit on the grid sigmoid(k * 0.331) of the uint8 class-logit
      tensor, and one step of that grid is up to 0.083 in score. Allowing one step (scale / 4, the
      largest change one step makes, since sigmoid' <= 1/4) leaves 22 of 505 (4.4%) without twin: about
      half are boxes at IoU 0.76-0.84 (box encodings are uint8 too, one step 0.09), the rest detections
      at exactly 0.5-0.58 whose counterpart NMS or the 20-box cap replaced by a neighbouring anchor.
      Allowed: one step of score and 10% unmatched (twice the measured share, as a smaller image set
      varies more).
    - int8-weight YOLO exports (weights), with their cards' specs (iou 0.7): YOLO11n 8 of 650 (1.2%),
      YOLOv8n 10 of 641 (1.6%) without twin at the default 0.05 when the reference was our decoder on
      TFLite's raw outputs; 5 of 648 (0.8%) and 4 of 644 (0.6%) with Ultralytics' predictor running the
      .tflite file, the reference now. TFLite's hybrid kernels quantize activations to int8 on the fly,
      onnxruntime computes in float; the misses are scores 0.05-0.07 apart or boxes at IoU 0.79-0.85.
      Allowed: 3% (about twice the worse of the first measurement).
    The SSD figure is the same with either reference (the interpreter's post-processing read by the op's
    contract, or our decoder on the same tensors): 22 of 505.

    - int8-weight end-to-end heads (`detection-rows`, YOLO26n's 300 NMS-free rows), against Ultralytics'
      predictor running the .tflite file: 18 of 584 (3.1%) without twin, every one the same box (IoU 0.99)
      with scores 0.05-0.11 apart: without NMS each row's score is one anchor's, so the hybrid kernels' noise
      is not averaged out by a neighbouring anchor taking over. Allowed: 6% (twice the measurement).

    Raw outputs: see `RAW_WHY` (float graphs with an `ultralytics` head) and `raw_note`.
    """
    if q.kind == "activations":
        step = (q.logit_scale or 0.0) / 4
        return Tolerance(
            score_delta=max(0.05, round(step, 4)),
            unmatched_share=0.10,
            why=(
                f"uint8 activations: onnxruntime and TFLite do not round integer arithmetic identically; "
                f"allowed one quantization step of score ({step:.4f} = class-logit scale {q.logit_scale or 0:.4f} / 4) "
                "and 10% of confident detections without twin (measured 4.4% on 100 images for SSD MobileNet v2)"
            ),
        )
    if q.kind == "weights" and runtime is not None and isinstance(runtime.decoder, DetectionRows):
        return Tolerance(
            unmatched_share=0.06,
            why=(
                "int8 weights, end-to-end head (no NMS): TFLite's hybrid kernels quantize activations on the fly, "
                "onnxruntime computes in float, and each output row's score is a single anchor's; allowed 6% of confident "
                "detections without twin (measured on 100 images against Ultralytics' predictor: YOLO26n 3.1%, all the "
                "same box at IoU 0.99 with scores 0.05-0.11 apart)"
            ),
        )
    if q.kind == "weights":
        return Tolerance(
            unmatched_share=0.03,
            why=(
                "int8 weights: TFLite's hybrid kernels quantize activations on the fly, onnxruntime computes in "
                "float; allowed 3% of confident detections without twin (measured on 100 images against Ultralytics' "
                "predictor: YOLO11n 0.8%, YOLOv8n 0.6%; against our decoder on TFLite's outputs 1.2% and 1.6%). "
                + RAW_WHY
            ),
        )
    if q.kind == "float":
        return Tolerance(why="float graph: the same arithmetic up to rounding. " + RAW_WHY)
    return Tolerance()


def convert(source: Resolved, workdir: Path, runtime: DemoRuntime, converter: Converter) -> Conversion:
    local = copy_verified(source, workdir / "source.tflite")
    q = quantization(local)
    dequantize = q.kind == "weights"
    target = workdir / "converted.onnx"
    command = [
        sys.executable,
        "-m",
        "tf2onnx.convert",
        "--tflite",
        str(local),
        "--output",
        str(target),
        "--opset",
        str(converter.opset),
    ]
    if dequantize:
        command.append("--dequantize")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800, check=False)
    if done.returncode != 0 or not target.is_file():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise ConversionError(f"tf2onnx failed on {source.url} (exit {done.returncode}):\n{tail}")
    options = {
        "opset": converter.opset,
        "quantization": q.kind,
        "dequantize": dequantize,
        "why": {
            "activations": "quantized activations kept as a QDQ graph, to compute what TFLite computes",
            "weights": "int8 weights only: --dequantize gives the same outputs, and runs faster in onnxruntime",
            "float": "float graph",
        }[q.kind],
    }
    reference = TfliteReference(local, raw_check(q, runtime), raw_note(q, runtime))
    return Conversion(target, options, tolerance(q, runtime), None, None, NO_FLOPS_TOOL, reference)


POSTPROCESS_OP = "TFLite_Detection_PostProcess"
METADATA_LIMIT = 1 << 20


def ultralytics_metadata(path: Path) -> dict | None:
    """The metadata Ultralytics embeds in the .tflite files it exports (a `metadata.json` zip entry appended
    to the flatbuffer), when its author is Ultralytics; else None."""
    import json
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("metadata.json")
            if info.file_size > METADATA_LIMIT:
                return None
            data = json.loads(archive.read(info))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("author") == "Ultralytics" else None


class TfliteReference:
    """The TFLite interpreter (ai-edge-litert): its raw outputs for the raw comparison, and detections decoded
    its own way (see the module docstring)."""

    raw_source = "the TFLite interpreter's output tensors on the same input tensor"

    def __init__(self, path: Path, raw_check: DetectionHead | None = None, raw_note: str = "") -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.path = path
        self.raw_check = raw_check
        self.raw_note = raw_note
        self.name = f"TFLite interpreter (ai-edge-litert {importlib.metadata.version('ai-edge-litert')})"
        self.interpreter = Interpreter(model_path=str(path), num_threads=2)
        self.interpreter.allocate_tensors()
        self._last: dict[int, np.ndarray] = {}
        ops = [op for op in self.interpreter._get_ops_details() if op["op_name"] == POSTPROCESS_OP]
        self.postprocess = [int(i) for i in ops[0]["outputs"]] if len(ops) == 1 else None
        self.metadata = None if self.postprocess else ultralytics_metadata(path)
        self._predictor = None
        # False: the detections come from generator/decode.py, so verification adds the accuracy check
        self.independent = bool(self.postprocess or self.metadata)
        if self.postprocess:
            self.decoded_by = (
                f"the interpreter's own {POSTPROCESS_OP} output, read by that op's contract (boxes ymin, "
                "xmin, ymax, xmax normalized to the input; 0-based class index plus the spec's class_offset)"
            )
        elif self.metadata:
            from .ultralytics_pt import PREDICTOR

            self.decoded_by = (
                f"{PREDICTOR}, running this .tflite file (exported by Ultralytics {self.metadata.get('version', '?')})"
            )
        else:
            self.decoded_by = (
                "generator/decode.py on the interpreter's raw outputs: this file has no post-processing of its "
                "own and no Ultralytics metadata, so no independent decoder"
            )

    def run(self, tensor: np.ndarray, output_names: Sequence[str]) -> list[np.ndarray]:
        it = self.interpreter
        it.set_tensor(it.get_input_details()[0]["index"], tensor)
        it.invoke()
        details = it.get_output_details()
        self._last = {d["index"]: it.get_tensor(d["index"]).copy() for d in details}
        by_name = {d["name"]: self._last[d["index"]] for d in details}
        if set(output_names) <= set(by_name):
            return [by_name[name] for name in output_names]
        return [self._last[d["index"]] for d in details]

    def detections(
        self, image_rgb: np.ndarray, prepared: Prepared, raw: list[np.ndarray], runtime: DemoRuntime, threshold: float
    ) -> list[Detection]:
        if self.postprocess:
            return self._postprocessed(prepared, runtime, threshold)
        if self.metadata:
            from . import ultralytics_pt

            if self._predictor is None:
                self._predictor = ultralytics_pt.load(self.path, self.metadata.get("task", "detect"))
            return ultralytics_pt.predict(self._predictor, image_rgb, runtime, threshold)
        return decode(raw, runtime, prepared.placement, threshold)

    def _postprocessed(self, prepared: Prepared, runtime: DemoRuntime, threshold: float) -> list[Detection]:
        """The op's four outputs (boxes, classes, scores, count), in the op's order, not the spec's."""
        assert self.postprocess is not None  # only called when the op's outputs were found
        boxes, classes, scores, count = (self._last[i] for i in self.postprocess)
        n = int(np.asarray(count).reshape(-1)[0])
        yxyx = np.asarray(boxes, np.float64).reshape(-1, 4)[:n]
        _, height, width, _ = self.interpreter.get_input_details()[0]["shape"]  # NHWC, as TFLite is
        xyxy = np.stack([yxyx[:, 1] * width, yxyx[:, 0] * height, yxyx[:, 3] * width, yxyx[:, 2] * height], axis=1)
        in_image = prepared.placement.to_image(xyxy)
        labels = np.rint(np.asarray(classes).reshape(-1)[:n]).astype(np.int64) + getattr(
            runtime.decoder, "class_offset", 0
        )
        values = np.asarray(scores, np.float64).reshape(-1)[:n]
        order = [i for i in np.argsort(-values, kind="stable") if values[i] >= threshold]
        return [Detection.of(in_image[i], values[i], labels[i]) for i in order]
