"""A variant's demo runtime spec: the input it takes and the output head that decides how it is decoded, in
Python (`generator/decode.py`) and in the browser (`wasm_demo/src/decoders.js`) alike."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    ValidationInfo,
    model_validator,
)

from .base import Cited, LabelSetId, ShortText, Strict, TaskId, Text, _context, rule_error

# --- Demo runtime spec ------------------------------------------------------


class Quantization(Strict):
    """An int8 tensor's affine quantization: real value = (q - zero_point) * scale."""

    scale: float = Field(gt=0)
    zero_point: Annotated[int, Field(ge=-128, le=255)]


class ExtraInput(Strict):
    """A graph input besides the image, computed from where the image sits in the model input (`[1, 2]`)."""

    name: ShortText
    value: Literal["image-size-wh", "image-size-hw", "scale-factor-hw"] = Field(
        description="`image-size-wh`: the original image's width and height (graphs that return boxes in image "
        "pixels); `image-size-hw` the same as height, width; `scale-factor-hw`: model input size over image size, "
        "height then width."
    )
    dtype: Literal["float32", "int64"]


class DemoInput(Strict):
    """How to turn an image into the model's input tensor."""

    name: ShortText | None = None
    size: Annotated[list[Annotated[int, Field(gt=0, le=4096)]], Field(min_length=2, max_length=2)] = Field(
        description="`[height, width]`."
    )
    layout: Literal["NCHW", "NHWC"]
    dtype: Literal["float32", "uint8", "int8"] = Field(
        description="`uint8`: raw 0-255 pixels; `int8`: the float value quantized with `quantization`."
    )
    quantization: Quantization | None = Field(
        None, description="Required for `int8`: q = round(value / scale) + zero_point."
    )
    color: Literal["RGB", "BGR"] = "RGB"
    resize: Literal["letterbox", "stretch"]
    align: Literal["centre", "top-left"] = Field(
        "centre", description="Where a letterboxed image sits: centred (Ultralytics) or at the top-left corner (YOLOX)."
    )
    pad_value: Annotated[int, Field(ge=0, le=255)] = 114
    scale: float = Field(1.0, gt=0, description="Multiply 0-255 pixel values by this first.")
    mean: Annotated[list[float], Field(min_length=3, max_length=3)] = [0.0, 0.0, 0.0]  # noqa: RUF012 - pydantic copies defaults per instance
    std: Annotated[list[float], Field(min_length=3, max_length=3)] = [1.0, 1.0, 1.0]  # noqa: RUF012 - pydantic copies defaults per instance
    extra_inputs: list[ExtraInput] = Field(
        default_factory=list, description="Further graph inputs (e.g. the original image size), fed `[1, 2]`."
    )

    @model_validator(mode="after")
    def _quantized_int8(self) -> DemoInput:
        if (self.dtype == "int8") != (self.quantization is not None):
            raise rule_error(
                "`quantization` goes with dtype int8, and only with it",
                "copy scale and zero point from the graph's input",
            )
        if self.resize == "stretch" and self.align != "centre":
            raise rule_error("`align` is for letterboxed inputs", "leave `align` out with `resize: stretch`")
        return self


class NmsOutside(Strict):
    """The settings of the NMS the decoder runs after a raw head (the graph has none inside)."""

    nms: Literal["outside"] = "outside"
    class_aware_nms: bool = True
    score_threshold: float = Field(0.25, ge=0, le=1)
    iou_threshold: float = Field(0.45, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)] = 300


class UltralyticsHead(NmsOutside):
    """`[1, 4 + classes, N]`: boxes then per-class scores; NMS runs outside the graph."""

    kind: Literal["ultralytics"]
    box_format: Literal["cxcywh", "xyxy"] = Field("cxcywh", description="`xyxy`: YOLOv10's one-to-many head.")
    coordinates: Literal["pixels", "normalized"]
    classes: Annotated[int, Field(gt=0)]
    score_activation: Literal["none", "sigmoid"] = "none"
    output_quantization: Quantization | None = Field(
        None, description="An int8 output: values are (q - zero_point) * scale before decoding."
    )


class RowColumns(Strict):
    """Where each field sits in a detection row: `box` is the first of four box columns."""

    box: Annotated[int, Field(ge=0)]
    score: Annotated[int, Field(ge=0)]
    label: Annotated[int, Field(ge=0)]


class DetectionRows(Strict):
    """One output of final detections, one row each (`[1, N, K]` or `[N, K]`): NMS-free heads (YOLO26's
    end-to-end head) or graphs that ran NMS. No NMS here: rows above the threshold, best first."""

    kind: Literal["detection-rows"]
    output: Annotated[int, Field(ge=0)] = 0
    columns: RowColumns
    box_format: Literal["xyxy"] = "xyxy"
    coordinates: Literal["pixels", "normalized", "image"] = Field(
        description="`image`: pixels of the original image (graphs fed the image size as an extra input)."
    )
    classes: Annotated[int, Field(gt=0)]
    class_offset: int = 0
    nms: Literal["none", "inside"] = "none"
    score_threshold: float = Field(0.25, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)] = 300


class YoloxHead(NmsOutside):
    """YOLOX's raw head `[1, N, 5 + classes]`, anchors level by level (strides), row-major cells: box offsets
    from the cell (x, y) and log sizes (w, h) in stride units, objectness, class scores (both after sigmoid).
    Score = objectness x class score; NMS runs outside the graph."""

    kind: Literal["yolox"]
    strides: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1)]
    classes: Annotated[int, Field(gt=0)]


class GflLevel(Strict):
    """One pyramid level of a GFL head: output indices of its scores `[1, N, classes]` and distance
    distributions `[1, N, 4 * (reg_max + 1)]`."""

    stride: Annotated[int, Field(gt=0)]
    scores: Annotated[int, Field(ge=0)]
    distances: Annotated[int, Field(ge=0)]


class GflHead(NmsOutside):
    """Generalized Focal Loss head (NanoDet): per level, class scores (after sigmoid) and for each side
    (left, top, right, bottom) a distribution over 0..reg_max; distance = softmax expectation x stride from
    the cell's centre ((x + cell_offset) x stride). NMS runs outside the graph."""

    kind: Literal["gfl"]
    levels: Annotated[list[GflLevel], Field(min_length=1)]
    reg_max: Annotated[int, Field(gt=0)]
    cell_offset: float = Field(0.0, ge=0, le=1, description="Where the centre sits in its cell, in cells.")
    classes: Annotated[int, Field(gt=0)]


class DetectionOutputs(Strict):
    """Output indices of a graph that already ran NMS (e.g. TFLite_Detection_PostProcess)."""

    boxes: Annotated[int, Field(ge=0)]
    classes: Annotated[int, Field(ge=0)]
    scores: Annotated[int, Field(ge=0)]
    count: Annotated[int, Field(ge=0)] | None = Field(None, description="Null: every row is a detection.")


class NmsInGraph(Strict):
    """Boxes, classes, scores (and a count), already filtered by NMS or top-k inside the graph."""

    kind: Literal["nms-in-graph"]
    box_format: Literal["yxyx", "xyxy"]
    coordinates: Literal["pixels", "normalized", "image"]
    classes: Annotated[int, Field(gt=0)]
    class_offset: int = Field(0, description="Added to the graph's class output to index the label list.")
    score_activation: Literal["none"] = "none"
    nms: Literal["inside", "none"] = Field(
        "inside",
        description="`inside`: the graph ran NMS (e.g. TFLite_Detection_PostProcess); `none`: its filter is a "
        "top-k over an NMS-free head (DETR-style graphs such as DEIMv2's), so accuracy records say NMS-free.",
    )
    outputs: DetectionOutputs
    score_threshold: float = Field(0.25, ge=0, le=1)
    max_detections: Annotated[int, Field(gt=0)]


Decoder = Annotated[UltralyticsHead | NmsInGraph | DetectionRows | YoloxHead | GflHead, Field(discriminator="kind")]


class DemoRuntime(Cited):
    """Everything the export step and the browser demo need to feed and decode the model.
    The decoder is chosen from `decoder.kind`, never from the model's name."""

    task: TaskId
    input: DemoInput
    decoder: Decoder
    labels: LabelSetId = Field(description="A label list in `catalog/registry/labels.yaml`.")

    @model_validator(mode="after")
    def _labels_fit_decoder(self, info: ValidationInfo) -> DemoRuntime:
        ctx = _context(info)
        labels = ctx.registry.labels.get(self.labels) if ctx and ctx.registry else None
        if labels is None:
            return self
        decoder = self.decoder
        if isinstance(decoder, (UltralyticsHead, YoloxHead, GflHead)) and decoder.classes != len(labels.labels):
            raise rule_error(
                f"decoder has {decoder.classes} classes but label list {self.labels!r} has {len(labels.labels)}",
                "use the label list the model was trained with",
            )
        if isinstance(decoder, (NmsInGraph, DetectionRows)) and decoder.classes - 1 + decoder.class_offset > max(
            labels.labels
        ):
            raise rule_error(
                f"class index {decoder.classes - 1} + offset {decoder.class_offset} is past label id {max(labels.labels)}",
                "check `classes` and `class_offset` against the label list",
            )
        return self


class Int8Graph(Strict):
    """Opt-in for a smaller graph: after this variant's float artifact is verified, `versus export` quantizes
    it to int8 (QDQ) with onnxruntime's own quantizer, calibrated on images that are not the accuracy images,
    scores both graphs on the same labelled COCO val2017 images, and publishes the int8 graph as a second
    artifact of the variant only when it loses at most the export's bound in mAP50-95
    (`generator/export/int8.py`, `MAX_MAP_LOSS`). The int8 graph keeps float inputs and outputs, so the same
    runtime spec decodes it."""

    keep_float: Literal["decode-tail", "none"] = Field(
        "decode-tail",
        description="Which nodes stay float. `decode-tail`: every node after the graph's last weighted layer "
        "(the head's concatenation, box decoding and score activation: boxes in 1/255 steps of the input cost "
        "YOLO11n 0.025 mAP50-95); `none`: quantize every node the quantizer can.",
    )
    note: Text | None = None
