"""The I/O contract: an ONNX graph's inputs and outputs against the card's runtime spec. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..preprocess import input_shape
from ..schema import DemoRuntime, NmsInGraph, UltralyticsHead

Dim = int | str | None


@dataclass(frozen=True)
class TensorSig:
    name: str
    shape: list[Dim]
    dtype: str  # numpy name: float32, uint8, ...

    def __str__(self) -> str:
        return f"{self.name!r} {_shape(self.shape)} {self.dtype}"


class ContractError(Exception):
    """The graph does not take or give what the runtime spec says; every difference is listed."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("contract error: " + "; ".join(problems))
        self.problems = problems


def _shape(shape: Sequence[Dim]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def check(inputs: Sequence[TensorSig], outputs: Sequence[TensorSig], runtime: DemoRuntime) -> None:
    """Raise ContractError naming expected and actual shapes and dtypes where they differ."""
    problems: list[str] = []
    spec = runtime.input
    want = input_shape(spec)
    if len(inputs) != 1:
        problems.append(f"expected one input, the graph has {len(inputs)}: {', '.join(map(str, inputs))}")
    else:
        got = inputs[0]
        if got.shape != want or got.dtype != spec.dtype:
            problems.append(
                f"input {got.name!r}: expected {_shape(want)} {spec.dtype} ({spec.layout}, from the runtime spec), "
                f"got {_shape(got.shape)} {got.dtype}"
            )
    decoder = runtime.decoder
    if isinstance(decoder, UltralyticsHead):
        problems += _ultralytics(outputs, decoder)
    else:
        problems += _nms_in_graph(outputs, decoder)
    if problems:
        raise ContractError(problems)


def _ultralytics(outputs: Sequence[TensorSig], decoder: UltralyticsHead) -> list[str]:
    if not outputs:
        return ["expected an output [1, 4 + classes, N], the graph has none"]
    out = outputs[0]
    rows = 4 + decoder.classes
    ok = (
        len(out.shape) == 3
        and out.shape[:2] == [1, rows]
        and isinstance(out.shape[2], int)
        and out.shape[2] > 0
        and out.dtype == "float32"
    )
    if ok:
        return []
    return [
        f"output {out.name!r}: expected [1, {rows}, N] float32 (ultralytics head: 4 box rows + {decoder.classes} classes), "
        f"got {_shape(out.shape)} {out.dtype}"
    ]


def _nms_in_graph(outputs: Sequence[TensorSig], decoder: NmsInGraph) -> list[str]:
    index = decoder.outputs
    n = decoder.max_detections
    want = {
        "boxes": (index.boxes, [1, n, 4]),
        "classes": (index.classes, [1, n]),
        "scores": (index.scores, [1, n]),
        "count": (index.count, [1]),
    }
    problems = []
    for role, (i, shape) in want.items():
        if i >= len(outputs):
            problems.append(f"{role}: expected output #{i} {_shape(shape)} float32, the graph has {len(outputs)} outputs")
            continue
        out = outputs[i]
        if out.shape != shape or out.dtype != "float32":
            problems.append(f"{role} (output #{i} {out.name!r}): expected {_shape(shape)} float32, got {_shape(out.shape)} {out.dtype}")
    return problems


_ORT_TYPES = {"tensor(float)": "float32", "tensor(uint8)": "uint8", "tensor(int8)": "int8", "tensor(int32)": "int32",
              "tensor(int64)": "int64", "tensor(float16)": "float16", "tensor(double)": "float64"}


def signature(session) -> tuple[list[TensorSig], list[TensorSig]]:
    """Inputs and outputs of an onnxruntime session."""

    def sig(arg) -> TensorSig:
        shape = [d if isinstance(d, int) else (d or None) for d in arg.shape]
        return TensorSig(arg.name, shape, _ORT_TYPES.get(arg.type, arg.type))

    return [sig(a) for a in session.get_inputs()], [sig(a) for a in session.get_outputs()]
