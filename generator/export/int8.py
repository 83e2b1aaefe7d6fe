"""A smaller int8 graph of a verified float artifact, where a variant asks for one (`int8_graph` in its card):
onnxruntime's own static quantizer (QDQ, per-channel int8 weights, uint8 activations) calibrated on images that
are not the accuracy images, then both graphs scored on the same labelled images. The int8 graph is published only
when it loses at most `MAX_MAP_LOSS` mAP50-95; it keeps float inputs and outputs, so the float graph's runtime spec
decodes it, in Python and in the browser alike.

Measured on YOLO11n (the first 100 val2017 images of the accuracy set, 32 calibration images, 2026-12-03): every
node quantized, 3.2 MB and mAP50-95 0.413 against the float graph's 0.438 (boxes come out of one uint8 tensor in
1/255 steps of the input); with the decode tail kept float (`decode_tail`), 3.4 MB and 0.441.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# The int8 graph is published when it loses at most this much mAP50-95 (0-1) against the float graph on the same
# images: 2 points, about the spread of one model's figure between two 100-image halves of the accuracy set, and
# well below the gap between neighbouring models in the catalog (YOLO11n and YOLOv8n are 5 points apart).
MAX_MAP_LOSS = 0.02
CALIBRATION_COUNT = 32  # images fed to the calibrator: MinMax ranges from 32 images held YOLO11n's accuracy
# Layers whose weight tensor has more elements than this count as the network's learned layers; smaller ones are
# fixed parts of the decoder (Ultralytics' DFL convolution holds the 16 weights 0..15).
WEIGHTED_MIN = 64
WEIGHTED_OPS = ("Conv", "ConvTranspose", "MatMul", "Gemm")
SUFFIX = ".int8"
# When two runs of the int8 graph give the same detection (the browser's against Python's, in tests and the bench):
# integer kernels round differently through the whole network, not just at the head. Measured on YOLO11n's int8
# graph, 50 val2017 images, onnxruntime's fused integer kernels against its QDQ reference path (no graph
# optimization): with a score delta of 0.10, 4 of 376 confident detections (1.1%) had no twin; with 0.15, none;
# boxes of twins stayed above IoU 0.85. Keeping the last learned layers float too did not narrow it.
SCORE_DELTA = 0.15
UNMATCHED_SHARE = 0.03
TOLERANCE_WHY = (
    "QDQ int8 graph: integer kernels (onnxruntime's fused ones, its QDQ reference path, onnxruntime-web's wasm) round "
    "differently through the whole network; allowed a score delta of 0.15 and 3% of confident detections without twin "
    "(measured on YOLO11n, 50 val2017 images, fused against reference kernels: 0.10 left 1.1% without twin, 0.15 none)"
)
# Part of the int8 cache key: bump when the recipe changes in a way the settings do not show.
# 2: the calibration set's name no longer repeats the image count (the record has it).
RECIPE_VERSION = 2


def artifact_id(float_id: str) -> str:
    return float_id + SUFFIX


def decode_tail(model) -> list[str]:
    """Names of the nodes after the graph's last weighted layer: nodes none of whose descendants (nor themselves)
    is a learned layer (`WEIGHTED_OPS` with more than `WEIGHTED_MIN` weights). In a detector that is the head's
    concatenation, box decoding and score activation. Nodes must be in topological order, as ONNX requires."""
    inits = {i.name: i for i in model.graph.initializer}

    def learned(node) -> bool:
        if node.op_type not in WEIGHTED_OPS or len(node.input) < 2 or node.input[1] not in inits:
            return False
        size = 1
        for dim in inits[node.input[1]].dims:
            size *= dim
        return size > WEIGHTED_MIN

    consumers: dict[str, list[int]] = {}
    for index, node in enumerate(model.graph.node):
        for name in node.input:
            consumers.setdefault(name, []).append(index)
    feeds = [False] * len(model.graph.node)
    for index in reversed(range(len(model.graph.node))):
        node = model.graph.node[index]
        feeds[index] = learned(node) or any(feeds[c] for out in node.output for c in consumers.get(out, ()))
    return [node.name for node, f in zip(model.graph.node, feeds, strict=True) if not f]


def calibration_paths(
    candidates: Sequence[Path], accuracy: Iterable[Path], count: int = CALIBRATION_COUNT
) -> list[Path]:
    """The first `count` candidates that are not accuracy images (by file name): calibrating on the images the
    gate scores would flatter the int8 graph."""
    scored = {p.name for p in accuracy}
    return [p for p in candidates if p.name not in scored][:count]


def image_digest(paths: Sequence[Path]) -> str:
    """sha256 over each image's name and sha256, in order: which calibration images, in a manifest."""
    outer = hashlib.sha256()
    for path in paths:
        outer.update(f"{path.name} {hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return outer.hexdigest()


def refusal(float_map: float, int8_map: float, bound: float = MAX_MAP_LOSS) -> str | None:
    """Why the int8 graph is not published, or None when it keeps accuracy (loses at most `bound`)."""
    loss = float_map - int8_map
    if loss <= bound + 1e-9:
        return None
    return (
        f"the int8 graph lost {loss:.4f} mAP50-95 against the float graph ({int8_map:.4f} vs {float_map:.4f}), "
        f"more than the bound {bound:g}"
    )


def settings(model, keep_float: str) -> dict[str, Any]:
    """The quantizer's settings for this graph, as recorded in the manifest."""
    return {
        "quant_format": "QDQ",
        "per_channel": True,
        "weight_type": "QInt8",
        "activation_type": "QUInt8",
        "calibrate_method": "MinMax",
        "keep_float": keep_float,
        "nodes_to_exclude": decode_tail(model) if keep_float == "decode-tail" else [],
    }


def quantize(float_path: Path, out_path: Path, runtime, images: Sequence[Path], chosen: dict[str, Any]) -> None:
    """onnxruntime's quantize_static with `chosen` settings, calibrated on `images` through the reference
    pre-processing (generator/preprocess.py), so the ranges are those of the inputs the graph really gets."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    from ..preprocess import image_input, load_image, prepare
    from .verify import session

    input_name = image_input(runtime.input, [i.name for i in session(float_path).get_inputs()])

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.paths = iter(images)

        def get_next(self):
            path = next(self.paths, None)
            return None if path is None else prepare(load_image(path), runtime.input).feeds(input_name)

    quantize_static(
        str(float_path),
        str(out_path),
        Reader(),
        quant_format=QuantFormat[chosen["quant_format"]],
        per_channel=chosen["per_channel"],
        weight_type=QuantType[chosen["weight_type"]],
        activation_type=QuantType[chosen["activation_type"]],
        calibrate_method=CalibrationMethod[chosen["calibrate_method"]],
        nodes_to_exclude=list(chosen["nodes_to_exclude"]),
    )


def quantizer_version() -> str:
    import onnxruntime

    return f"onnxruntime {onnxruntime.__version__} quantization.quantize_static"
