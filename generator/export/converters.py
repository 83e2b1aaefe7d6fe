"""The table of converters, keyed by a weights entry's `format`. Each row says how to make an ONNX file
from a verified source file, which libraries it depends on (their versions are part of the artifact
cache key and the manifest), and how to run the source in its own framework for verification."""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..decode import Detection
from ..preprocess import Prepared
from ..schema import DemoRuntime
from ..weights import Resolved
from .compare import RawCheck, Tolerance

# Libraries every artifact depends on: the runtime that verifies it, the reference preprocessing and NMS.
COMMON_TOOLS = ("versus", "onnx", "onnxruntime", "numpy", "opencv-python", "torch", "torchvision")


class ConversionError(Exception):
    """The converter itself failed."""


class Reference(Protocol):
    """The source model run in its own framework, on the same images as the ONNX file."""

    name: str
    raw_check: RawCheck | None  # None: raw differences are reported, not held to a bound
    raw_source: str  # what made the reference's raw tensors
    raw_note: str  # why there is no bound, when `raw_check` is None
    decoded_by: str  # what turned the source's output into detections: its own post-processing where it has one
    independent: bool  # False when that was generator/decode.py itself: verification then checks accuracy too


    def run(self, tensor: np.ndarray, output_names: Sequence[str]) -> list[np.ndarray]:
        """Raw outputs for a prepared input tensor, in the ONNX file's output order."""

    def detections(self, image_rgb: np.ndarray, prepared: Prepared, raw: list[np.ndarray],
                   runtime: DemoRuntime, threshold: float) -> list[Detection]:
        """Detections in image pixels, as the source framework makes them (called after `run` on the same
        image). `generator/decode.py`, which decodes the ONNX side, is the last resort here: a reference
        decoded our way cannot catch a wrong decoder spec."""


@dataclass
class Conversion:
    """What a converter made."""

    onnx_path: Path
    options: dict[str, Any]
    tolerance: Tolerance
    gflops: float | None
    flops_tool: str | None
    flops_reason: str | None
    reference: Reference | None


@dataclass(frozen=True)
class Converter:
    format: str
    name: str
    opset: int
    tools: tuple[str, ...]
    recipe_version: int  # bump when the conversion or verification changes in a way versions do not show
    convert: Callable[[Resolved, Path, DemoRuntime, "Converter"], Conversion]
    compares: bool = True  # False: no source framework to compare with, so the export needs the accuracy check

    def versions(self) -> dict[str, str]:
        return tool_versions((*COMMON_TOOLS, *self.tools))


def tool_versions(names: Sequence[str]) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


NO_FLOPS_TOOL = "no FLOPs counter for ONNX graphs is installed (onnx-tool or onnx-opcounter would compute one)"


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
    opset = max((o.version for o in onnx.load(str(target), load_external_data=False).opset_import if o.domain in ("", "ai.onnx")), default=0)
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
    "ultralytics": Converter("ultralytics", "ultralytics ONNX exporter", 18,
                             ("ultralytics", "onnxslim", "ultralytics-thop"), 2, _ultralytics),
    # TFLite through tf2onnx; quantized activations stay quantized (see tflite.py).
    "tflite": Converter("tflite", "tf2onnx (--tflite)", 13, ("tf2onnx", "tensorflow-cpu", "ai-edge-litert"), 3, _tflite),
    # Already ONNX: copied and checked. The opset is the file's own (the number here is unused).
    # Recipe 3: checked for accuracy on labelled images (generator/export/accuracy.py).
    "onnx": Converter("onnx", "copy + onnx.checker", 0, ("pycocotools",), 3, _convert_onnx, compares=False),
}
