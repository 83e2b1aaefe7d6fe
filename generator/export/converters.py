"""The table of converters, keyed by a weights entry's `format`. Each row says how to make an ONNX file
from a verified source file, which libraries it depends on (their versions are part of the artifact
cache key and the manifest), and how to run the source in its own framework for verification."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ..schema import DemoRuntime
from ..weights import Resolved
from .agreement import Tolerance
from .conversion import NO_FLOPS_TOOL, Conversion, ConversionError, Converter


def _convert_onnx(source: Resolved, workdir: Path, runtime: DemoRuntime, converter: Converter) -> Conversion:
    """An ONNX file is copied and checked; there is no other framework to compare it with."""
    import onnx

    target = workdir / "converted.onnx"
    shutil.copyfile(source.path, target)
    options: dict[str, Any] = {"copied": True}
    try:
        onnx.checker.check_model(str(target), full_check=True)
    except onnx.shape_inference.InferenceError as exc:
        # Strict shape inference refuses some exporters' declared shapes (PaddleDetection's NMS graphs declare a fixed
        # batch where inference finds a dynamic one); the structural check must still pass, and onnxruntime must run
        # the file and score on labelled images before it is written.
        options["full_check"] = "shape inference disagreed with declared shapes: " + str(exc).splitlines()[0][:300]
        try:
            onnx.checker.check_model(str(target))
        except onnx.checker.ValidationError as inner:
            raise ConversionError(f"{source.url}: not a valid ONNX file: {inner}") from inner
    except onnx.checker.ValidationError as exc:
        raise ConversionError(f"{source.url}: not a valid ONNX file: {exc}") from exc
    opset = max(
        (
            o.version
            for o in onnx.load(str(target), load_external_data=False).opset_import
            if o.domain in ("", "ai.onnx")
        ),
        default=0,
    )
    options["opset_found"] = opset
    return Conversion(target, options, Tolerance(), None, None, NO_FLOPS_TOOL, None)


def _tflite(*args):
    from . import tflite

    return tflite.convert(*args)


def _ultralytics(*args):
    from . import ultralytics_pt

    return ultralytics_pt.convert(*args)


CONVERTERS: dict[str, Converter] = {
    # Recipe versions: 2 (onnx, ultralytics) and 3 (tflite) record the verification status and raw bounds.
    # .pt checkpoint through Ultralytics' own ONNX exporter, simplified with onnxslim.
    "ultralytics": Converter(
        "ultralytics", "ultralytics ONNX exporter", 18, ("ultralytics", "onnxslim", "ultralytics-thop"), 2, _ultralytics
    ),
    # TFLite through tf2onnx; quantized activations stay quantized (see tflite.py).
    "tflite": Converter(
        "tflite", "tf2onnx (--tflite)", 13, ("tf2onnx", "tensorflow-cpu", "ai-edge-litert"), 3, _tflite
    ),
    # Already ONNX: copied and checked. The opset is the file's own (the number here is unused).
    # Recipe 3: checked for accuracy on labelled images (generator/export/accuracy.py).
    "onnx": Converter("onnx", "copy + onnx.checker", 0, ("pycocotools",), 3, _convert_onnx, compares=False),
}
