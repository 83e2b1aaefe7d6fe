"""`ultralytics` weights (.pt checkpoints): Ultralytics' own ONNX exporter (opset pinned in the converter
table, simplified with onnxslim), verified against Ultralytics' own predictor and against the PyTorch
module's raw output on the same tensors.

A checkpoint is a pickle: it is loaded only from a private copy whose sha256 was checked after copying.
Untrained artifacts (`build_untrained`) come from an architecture file (e.g. `yolo12n.yaml`) with random
weights from a fixed seed, and go through the same exporter.

Ultralytics reaches for the network on its own (online checks, pip auto-install of missing packages,
event sync). `offline()` turns that off through its environment switches before it is first imported.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..decode import Detection
from ..preprocess import Prepared
from ..schema import DemoRuntime, DetectionRows, UltralyticsHead
from ..weights import Resolved, copy_verified
from .agreement import EveryValue, Tolerance
from .conversion import Conversion, ConversionError, Converter

OFFLINE_ENVIRONMENT = {
    "YOLO_OFFLINE": "1",  # utils.is_online() -> False: no events, no update checks, no downloads attempted
    "YOLO_AUTOINSTALL": "false",  # check_requirements() reports a missing package instead of running pip
    "YOLO_VERBOSE": "false",
}


def offline() -> None:
    if "ultralytics" not in sys.modules:
        os.environ.update(OFFLINE_ENVIRONMENT)


def _yolo():
    offline()
    from ultralytics import YOLO

    return YOLO


def convert(source: Resolved, workdir: Path, runtime: DemoRuntime, converter: Converter) -> Conversion:
    local = copy_verified(source, workdir / "model.pt")  # hash checked on the copy, right before unpickling
    return export_checkpoint(local, runtime, converter)


def export_checkpoint(checkpoint: Path, runtime: DemoRuntime, converter: Converter) -> Conversion:
    """Export a checked (or self-made) checkpoint; the ONNX file lands beside it."""
    if not isinstance(runtime.decoder, UltralyticsHead):
        raise ConversionError(
            f"an ultralytics checkpoint needs the `ultralytics` decoder, the spec has {runtime.decoder.kind!r}"
        )
    height, width = runtime.input.size
    model = _yolo()(str(checkpoint))
    try:
        written = model.export(
            format="onnx",
            opset=converter.opset,
            simplify=True,
            imgsz=[height, width],
            dynamic=False,
            half=False,
            int8=False,
            nms=False,
            batch=1,
            device="cpu",
        )
    except Exception as exc:  # the exporter raises anything from AssertionError to RuntimeError
        raise ConversionError(f"ultralytics export of {checkpoint.name} failed: {type(exc).__name__}: {exc}") from exc
    gflops, tool, reason = _flops(model, height, width)
    options = {
        "opset": converter.opset,
        "simplify": True,
        "imgsz": [height, width],
        "dynamic": False,
        "half": False,
        "nms": False,
        "task": getattr(model, "task", None),
    }
    return Conversion(Path(written), options, Tolerance(), gflops, tool, reason, UltralyticsReference(checkpoint))


def build_untrained(architecture: str, seed: int, workdir: Path) -> Path:
    """A checkpoint of `architecture` (an Ultralytics model YAML) with random weights from `seed`."""
    import torch

    YOLO = _yolo()
    torch.manual_seed(seed)
    try:
        model = YOLO(architecture)
    except (FileNotFoundError, SyntaxError, KeyError) as exc:
        raise ConversionError(f"ultralytics has no architecture {architecture!r}: {exc}") from exc
    path = workdir / "model.pt"
    model.save(str(path))
    return path


def has_architecture(name: str) -> bool:
    """Whether Ultralytics can build `name` (a model YAML such as `yolo12n.yaml`) from its own files."""
    offline()
    from ultralytics.nn.tasks import yaml_model_load

    try:
        yaml_model_load(name)
    except (FileNotFoundError, OSError):
        return False
    return True


def _flops(model, height: int, width: int) -> tuple[float | None, str | None, str | None]:
    from ultralytics.utils.torch_utils import get_flops

    value = get_flops(model.model, [height, width])
    if value and value > 0:
        version = importlib.metadata.version("ultralytics-thop")
        return (
            round(float(value), 4),
            f"thop {version} (ultralytics.utils.torch_utils.get_flops) on the PyTorch model",
            None,
        )
    return None, None, "thop could not profile this model"


PREDICTOR = "Ultralytics' own predictor (YOLO(file).predict: its letterbox, box decoding and NMS) on the image"


def predict(model, image_rgb: np.ndarray, runtime: DemoRuntime, threshold: float) -> list[Detection]:
    """Detections in image pixels from Ultralytics' predictor, with the runtime spec's NMS settings. `model`
    is a `YOLO` of a .pt checkpoint or of an exported file (a .tflite runs through its AutoBackend)."""
    decoder = runtime.decoder
    if isinstance(decoder, UltralyticsHead):
        nms = {"iou": decoder.iou_threshold, "agnostic_nms": not decoder.class_aware_nms}
    elif isinstance(decoder, DetectionRows):
        nms = {}  # an end-to-end head (its metadata says end2end): the predictor runs no NMS
    else:
        raise ConversionError(
            f"Ultralytics' predictor needs the `ultralytics` or `detection-rows` decoder, the spec has {decoder.kind!r}"
        )
    results = model.predict(
        np.ascontiguousarray(image_rgb[..., ::-1]),  # the predictor takes OpenCV's BGR
        imgsz=list(runtime.input.size),
        rect=False,  # rect=False: the same square letterbox as the ONNX input
        conf=threshold,
        max_det=decoder.max_detections,
        device="cpu",
        verbose=False,
        **nms,
    )
    boxes = results[0].boxes
    return [
        Detection.of(box, score, label)
        for box, score, label in zip(boxes.xyxy.cpu().numpy(), boxes.conf.cpu().numpy(), boxes.cls.cpu().numpy())
    ]


def load(path: Path, task: str = "detect"):
    """`YOLO(path)`, offline. An exported file's task is given, not guessed from its name."""
    return _yolo()(str(path), task=task)


class UltralyticsReference:
    """Ultralytics' predictor for detections; the PyTorch module itself for raw outputs."""

    # The exporter fuses Conv+BN and onnxslim rewrites the graph: float rounding only. Box rows are in
    # input pixels (up to 640), score rows in 0-1; 1e-3 absolute plus 1e-3 relative covers rounding and
    # catches any real difference (a channel swap or wrong scaling moves values by whole units).
    raw_check = EveryValue(atol=1e-3, rtol=1e-3)
    raw_source = "the PyTorch module (eval) on the same input tensor"
    raw_note = ""
    decoded_by = PREDICTOR
    independent = True

    def __init__(self, checkpoint: Path) -> None:
        self.name = f"ultralytics {importlib.metadata.version('ultralytics')} predictor + PyTorch {importlib.metadata.version('torch')}"
        self.model = _yolo()(str(checkpoint))

    def run(self, tensor: np.ndarray, output_names: Sequence[str]) -> list[np.ndarray]:
        import torch

        module = self.model.model.eval()
        with torch.no_grad():
            out = module(torch.from_numpy(np.ascontiguousarray(tensor)))
        if isinstance(out, (tuple, list)):
            out = out[0]
        return [out.numpy()]

    def detections(
        self, image_rgb: np.ndarray, prepared: Prepared, raw: list[np.ndarray], runtime: DemoRuntime, threshold: float
    ) -> list[Detection]:
        return predict(self.model, image_rgb, runtime, threshold)
