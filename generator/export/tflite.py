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

Tolerances for verification follow from the same property; see `tolerance`.
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
from ..schema import DemoRuntime
from ..weights import Resolved, copy_verified
from .compare import Tolerance
from .converters import NO_FLOPS_TOOL, Conversion, ConversionError, Converter


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


def tolerance(q: Quantization) -> Tolerance:
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
      YOLOv8n 10 of 641 (1.6%) without twin at the default 0.05: TFLite's hybrid kernels quantize
      activations to int8 on the fly, onnxruntime computes in float; the misses are scores 0.05-0.07
      apart or boxes at IoU 0.79-0.85. Allowed: 3% (about twice the worse of the two).
    """
    if q.kind == "activations":
        step = (q.logit_scale or 0.0) / 4
        return Tolerance(
            score_delta=max(0.05, round(step, 4)),
            unmatched_share=0.10,
            why=(f"uint8 activations: onnxruntime and TFLite do not round integer arithmetic identically; "
                 f"allowed one quantization step of score ({step:.4f} = class-logit scale {q.logit_scale or 0:.4f} / 4) "
                 "and 10% of confident detections without twin (measured 4.4% on 100 images for SSD MobileNet v2)"),
        )
    if q.kind == "weights":
        return Tolerance(
            unmatched_share=0.03,
            why=("int8 weights: TFLite's hybrid kernels quantize activations on the fly, onnxruntime computes in "
                 "float; allowed 3% of confident detections without twin (measured on 100 images: YOLO11n 1.2%, "
                 "YOLOv8n 1.6%)"),
        )
    return Tolerance()


def convert(source: Resolved, workdir: Path, runtime: DemoRuntime, converter: Converter) -> Conversion:
    local = copy_verified(source, workdir / "source.tflite")
    q = quantization(local)
    dequantize = q.kind == "weights"
    target = workdir / "converted.onnx"
    command = [sys.executable, "-m", "tf2onnx.convert", "--tflite", str(local), "--output", str(target),
               "--opset", str(converter.opset)]
    if dequantize:
        command.append("--dequantize")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1800)
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
    return Conversion(target, options, tolerance(q), None, None, NO_FLOPS_TOOL, TfliteReference(local))


class TfliteReference:
    raw_check = None
    raw_note = "reported only: quantized kernels differ between TFLite and onnxruntime, and NMS-in-graph outputs are ordered lists"

    def __init__(self, path: Path) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.name = f"TFLite interpreter (ai-edge-litert {importlib.metadata.version('ai-edge-litert')})"
        self.interpreter = Interpreter(model_path=str(path), num_threads=2)
        self.interpreter.allocate_tensors()

    def run(self, tensor: np.ndarray, output_names: Sequence[str]) -> list[np.ndarray]:
        it = self.interpreter
        it.set_tensor(it.get_input_details()[0]["index"], tensor)
        it.invoke()
        details = it.get_output_details()
        by_name = {d["name"]: it.get_tensor(d["index"]).copy() for d in details}
        if set(output_names) <= set(by_name):
            return [by_name[name] for name in output_names]
        return [it.get_tensor(d["index"]).copy() for d in details]

    def detections(self, image_rgb: np.ndarray, prepared: Prepared, raw: list[np.ndarray],
                   runtime: DemoRuntime, threshold: float) -> list[Detection]:
        return decode(raw, runtime, prepared.placement, threshold)
