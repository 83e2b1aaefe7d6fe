"""ONNX graphs for the study: which operators a graph has, and its int8 (static QDQ) and fp16 variants."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from generator import settings

CALIBRATION_IMAGES = 20


def has_op(model: Path, *op_types: str) -> bool:
    import onnx

    return any(n.op_type in op_types for n in onnx.load(model, load_external_data=False).graph.node)


def has_qdq(model: Path) -> bool:
    return has_op(model, "QuantizeLinear", "DequantizeLinear")


def quantize_int8(model: Path, runtime, out: Path) -> Path:
    """Static QDQ quantization calibrated on every 5th sample image; the box-decoding tail stays fp32."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from generator.preprocess import load_image, prepare

    images = sorted(settings.current().require("sample_images").glob("*.jpg"))[::5][:CALIBRATION_IMAGES]
    tensors = [prepare(load_image(p), runtime.input).tensor for p in images]
    graph = onnx.load(model).graph
    input_name = graph.input[0].name

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter({input_name: t} for t in tensors)

        def get_next(self):
            return next(self.items, None)

    pre = out.with_suffix(".pre.onnx")
    quant_pre_process(str(model), str(pre))
    quantize_static(
        str(pre),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        per_channel=True,
        nodes_to_exclude=sorted(head_tail(graph)),
    )
    pre.unlink()
    return out


def head_tail(graph) -> set[str]:
    """Names of the nodes from the Ultralytics head's Concat of the three scales (all inputs Reshapes) to the
    output: box decoding and class scores, which one 8-bit scale cannot hold together."""
    producer = {o: n for n in graph.node for o in n.output}
    consumers: dict[str, list] = defaultdict(list)
    for n in graph.node:
        for i in n.input:
            consumers[i].append(n)
    todo = [
        n
        for n in graph.node
        if n.op_type == "Concat"
        and len(n.input) >= 3
        and all(i in producer and producer[i].op_type == "Reshape" for i in n.input)
    ]
    tail: set[str] = set()
    while todo:
        n = todo.pop()
        if n.name not in tail:
            tail.add(n.name)
            todo += [c for o in n.output for c in consumers[o]]
    return tail


def convert_fp16(model: Path, out: Path) -> Path:
    import onnx
    from onnxruntime.transformers.float16 import convert_float_to_float16

    onnx.save(convert_float_to_float16(onnx.load(model), keep_io_types=True), out)
    return out
