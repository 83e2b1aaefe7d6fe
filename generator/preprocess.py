"""Images to model input tensors, as a card's `DemoInput` spec says: the reference the export step
verifies with, and that the browser demo's golden tests and the bench are checked against.

`letterbox` reproduces Ultralytics' `LetterBox` (scale to fit, centred, padding rounded the same way,
bilinear `cv2.resize`), so that a tensor made here is the one Ultralytics' own predictor would make;
`align: top-left` puts the same resized image in the top-left corner (YOLOX). `int8` inputs are the float
values quantized as the spec says; `extra_inputs` (the image size, a scale factor) come from the placement.
Pure functions on numpy arrays; only `load_image` touches the disk. The image operations need OpenCV (the
`export` extra), imported where they run, so the geometry (`Placement`, `input_shape`) imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .schema import DemoInput


@dataclass(frozen=True)
class Placement:
    """Where the image sits inside the model input: input pixel = image pixel * scale + pad."""

    scale_x: float
    scale_y: float
    pad_x: float
    pad_y: float
    image_height: int
    image_width: int

    def to_image(self, boxes_xyxy: np.ndarray) -> np.ndarray:
        """Boxes in model-input pixels back to image pixels, clipped to the image."""
        out = np.asarray(boxes_xyxy, dtype=np.float64).reshape(-1, 4).copy()
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.scale_x
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.scale_y
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, self.image_width)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, self.image_height)
        return out


@dataclass(frozen=True)
class Prepared:
    tensor: np.ndarray
    placement: Placement
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # further graph inputs by name

    def feeds(self, image_input: str) -> dict[str, np.ndarray]:
        """Every graph input by name: the image tensor under `image_input`, then the extra inputs."""
        return {image_input: self.tensor, **self.extra}


def load_image(path: Path) -> np.ndarray:
    """An image file as an RGB uint8 array `[H, W, 3]`."""
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"{path}: not an image OpenCV can read")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def letterbox(
    image: np.ndarray, size: tuple[int, int], pad_value: int, align: str = "centre"
) -> tuple[np.ndarray, Placement]:
    """Scale to fit `size` (height, width) keeping the aspect ratio, centre (as Ultralytics) or put in the
    top-left corner, pad the rest."""
    import cv2

    height, width = image.shape[:2]
    target_h, target_w = size
    r = min(target_h / height, target_w / width)
    new_w, new_h = max(round(width * r), 1), max(round(height * r), 1)
    dw, dh = (target_w - new_w) / 2, (target_h - new_h) / 2
    if (new_w, new_h) != (width, height):
        image = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    if align == "top-left":
        top, bottom, left, right = 0, target_h - new_h, 0, target_w - new_w
    padded = cv2.copyMakeBorder(image, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(pad_value,) * 3)
    return padded, Placement(r, r, left, top, height, width)


def stretch(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, Placement]:
    """Resize to exactly `size` (height, width), ignoring the aspect ratio."""
    import cv2

    height, width = image.shape[:2]
    target_h, target_w = size
    resized = cv2.resize(image, (target_w, target_h), interpolation=cv2.INTER_LINEAR)
    return resized, Placement(target_w / width, target_h / height, 0.0, 0.0, height, width)


def prepare(image_rgb: np.ndarray, spec: DemoInput) -> Prepared:
    """An RGB image as the batch-of-one tensor `spec` describes."""
    size = (spec.size[0], spec.size[1])
    if spec.resize == "letterbox":
        pixels, placement = letterbox(image_rgb, size, spec.pad_value, spec.align)
    else:
        pixels, placement = stretch(image_rgb, size)
    if spec.color == "BGR":
        pixels = pixels[..., ::-1]
    if spec.dtype == "uint8":
        # Quantized graphs take raw 0-255 pixels; their normalization is inside the graph.
        tensor: np.ndarray = np.ascontiguousarray(pixels, dtype=np.uint8)
    else:
        values = pixels.astype(np.float32) * np.float32(spec.scale)
        tensor = (values - np.asarray(spec.mean, np.float32)) / np.asarray(spec.std, np.float32)
        if spec.dtype == "int8":
            q = spec.quantization
            assert q is not None  # the schema pairs int8 with its quantization
            levels = np.rint(tensor.astype(np.float64) / q.scale) + q.zero_point  # halves to even, as TFLite
            tensor = np.clip(levels, -128, 127).astype(np.int8)
    tensor = tensor[None]
    if spec.layout == "NCHW":
        tensor = tensor.transpose(0, 3, 1, 2)
    return Prepared(np.ascontiguousarray(tensor), placement, extra_inputs(spec, placement))


def extra_inputs(spec: DemoInput, placement: Placement) -> dict[str, np.ndarray]:
    """The spec's extra graph inputs, `[1, 2]` each, from where the image sits in the input."""
    out = {}
    for extra in spec.extra_inputs:
        values = {
            "image-size-wh": (placement.image_width, placement.image_height),
            "image-size-hw": (placement.image_height, placement.image_width),
            "scale-factor-hw": (placement.scale_y, placement.scale_x),
        }[extra.value]
        out[extra.name] = np.asarray([values], dtype=np.dtype(extra.dtype))
    return out


def input_shape(spec: DemoInput) -> list[int]:
    """The tensor shape `spec` describes, batch of one."""
    height, width = spec.size
    return [1, 3, height, width] if spec.layout == "NCHW" else [1, height, width, 3]


def image_input(spec: DemoInput, names: list[str]) -> str:
    """The graph input that takes the image: the spec's `name`, else the first input that is not an extra one."""
    if spec.name is not None:
        return spec.name
    extra = {e.name for e in spec.extra_inputs}
    return next(n for n in names if n not in extra)
