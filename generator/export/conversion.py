"""What a converter is and what it makes: the types the converter table (`converters.py`) and each converter
module (`tflite.py`, `ultralytics_pt.py`) share, so that neither imports the other."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..decode import Detection
from ..preprocess import Prepared
from ..schema import DemoRuntime
from ..weights import Resolved
from .agreement import RawCheck, Tolerance

# Libraries every artifact depends on: the runtime that verifies it, the reference preprocessing and NMS.
COMMON_TOOLS = ("versus", "onnx", "onnxruntime", "numpy", "opencv-python", "torch", "torchvision")


class ConversionError(Exception):
    """The converter itself failed."""


class Reference(Protocol):
    """The source model run in its own framework, on the same images as the ONNX file."""

    name: str

    @property
    def raw_check(self) -> RawCheck | None: ...  # None: raw differences are reported, not held to a bound

    raw_source: str  # what made the reference's raw tensors
    raw_note: str  # why there is no bound, when `raw_check` is None
    decoded_by: str  # what turned the source's output into detections: its own post-processing where it has one
    independent: bool  # False when that was generator/decode.py itself: verification then checks accuracy too

    def run(self, tensor: np.ndarray, output_names: Sequence[str]) -> list[np.ndarray]:
        """Raw outputs for a prepared input tensor, in the ONNX file's output order."""

    def detections(
        self, image_rgb: np.ndarray, prepared: Prepared, raw: list[np.ndarray], runtime: DemoRuntime, threshold: float
    ) -> list[Detection]:
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
    convert: Callable[[Resolved, Path, DemoRuntime, Converter], Conversion]
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
