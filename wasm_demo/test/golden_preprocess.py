"""The pre-processing golden file, `preprocess.json`, for make_golden.py (wasm_demo/test/golden.test.js).

Letterbox geometry for many image sizes and target sizes, and small images turned into tensors by
generator/preprocess.py (the Python reference) under a range of input specs: the JS pre-processing must give the
same geometry and the same tensors. `placement_json` is shared: every golden file writes a placement this way.
Imported by make_golden.py, which puts this checkout's `generator` on the path first.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from generator.preprocess import letterbox, prepare
from generator.schema import DemoInput


def placement_json(p) -> dict:
    return {
        "scaleX": p.scale_x,
        "scaleY": p.scale_y,
        "padX": p.pad_x,
        "padY": p.pad_y,
        "imageWidth": p.image_width,
        "imageHeight": p.image_height,
    }


def geometry_of(width: int, height: int, size: tuple[int, int]) -> dict:
    """Letterbox geometry measured from the reference: a white image padded with black."""
    image = np.full((height, width, 3), 255, np.uint8)
    padded, placement = letterbox(image, size, 0)
    mask = padded[..., 0] > 0
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return {
        "width": width,
        "height": height,
        "size": list(size),
        "resizedWidth": int(cols[-1] - cols[0] + 1),
        "resizedHeight": int(rows[-1] - rows[0] + 1),
        "left": int(cols[0]),
        "top": int(rows[0]),
        "right": int(size[1] - cols[-1] - 1),
        "bottom": int(size[0] - rows[-1] - 1),
        "placement": placement_json(placement),
    }


def make_preprocess(out: Path) -> None:
    sizes = [
        (640, 427),
        (427, 640),
        (810, 1080),
        (500, 375),
        (333, 500),
        (335, 500),
        (1, 1),
        (10, 5),
        (1000, 1),
        (3, 1000),
        (641, 640),
        (639, 641),
        (1920, 1080),
        (612, 612),
        (300, 200),
        (7, 13),
    ]
    targets = [(640, 640), (320, 640), (640, 5), (300, 300), (416, 256)]
    geometry = [geometry_of(w, h, t) for w, h in sizes for t in targets]
    rng = np.random.default_rng(7)
    cases = []
    specs = [
        {
            "size": [16, 16],
            "layout": "NCHW",
            "dtype": "float32",
            "color": "RGB",
            "resize": "letterbox",
            "pad_value": 114,
            "scale": 1 / 255,
        },
        {"size": [12, 20], "layout": "NHWC", "dtype": "uint8", "color": "RGB", "resize": "stretch"},
        {
            "size": [20, 12],
            "layout": "NCHW",
            "dtype": "float32",
            "color": "BGR",
            "resize": "letterbox",
            "pad_value": 0,
            "scale": 1 / 255,
            "mean": [0.485, 0.456, 0.406],
            "std": [0.229, 0.224, 0.225],
        },
        {
            "size": [11, 17],
            "layout": "NHWC",
            "dtype": "float32",
            "color": "RGB",
            "resize": "letterbox",
            "pad_value": 114,
            "scale": 1.0,
            "mean": [127.5, 127.5, 127.5],
            "std": [127.5, 127.5, 127.5],
        },
        {"size": [9, 9], "layout": "NHWC", "dtype": "float32", "color": "RGB", "resize": "stretch", "scale": 1 / 255},
        # YOLOX: BGR 0-255, the image at the top-left corner
        {
            "size": [14, 20],
            "layout": "NCHW",
            "dtype": "float32",
            "color": "BGR",
            "resize": "letterbox",
            "align": "top-left",
            "pad_value": 114,
            "scale": 1.0,
        },
        # a fully int8 TFLite input: RGB 0-1 quantized
        {
            "size": [16, 16],
            "layout": "NHWC",
            "dtype": "int8",
            "quantization": {"scale": 0.01865844801068306, "zero_point": -14},
            "color": "RGB",
            "resize": "letterbox",
            "pad_value": 114,
            "scale": 1 / 255,
        },
    ]
    for h, w in [(23, 37)]:
        # smooth content plus a little noise: bilinear results then differ from OpenCV's fixed point by <= 1
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([xx * 200 / max(w - 1, 1), yy * 200 / max(h - 1, 1), (xx + yy) * 100 / (w + h)], -1)
        image = np.clip(base + rng.integers(0, 40, base.shape), 0, 255).astype(np.uint8)
        for spec in specs:
            prepared = prepare(image, DemoInput(**spec))
            cases.append(
                {
                    "image": {"width": w, "height": h, "rgb": image.reshape(-1).tolist()},
                    "input": spec,
                    "dims": list(prepared.tensor.shape),
                    "tensor": [float(np.format_float_positional(v, unique=True)) for v in prepared.tensor.reshape(-1)],
                    "placement": placement_json(prepared.placement),
                }
            )
    (out / "preprocess.json").write_text(
        json.dumps({"geometry": geometry, "cases": cases}, separators=(",", ":")) + "\n"
    )
