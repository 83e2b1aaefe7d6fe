"""The I/O contract: an ONNX graph's inputs and outputs against the card's runtime spec. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..preprocess import input_shape
from ..schema import DemoRuntime, DetectionRows, GflHead, NmsInGraph, UltralyticsHead, YoloxHead

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
    extra = {e.name: e for e in spec.extra_inputs}
    images = [i for i in inputs if i.name not in extra]
    named = {i.name: i for i in inputs}
    if len(images) != 1:
        problems.append(
            f"expected one image input besides {sorted(extra) or 'nothing'}, the graph has "
            f"{len(inputs)}: {', '.join(map(str, inputs))}"
        )
    else:
        got = images[0]
        if spec.name is not None and got.name != spec.name:
            problems.append(f"input {got.name!r}: the runtime spec names it {spec.name!r}")
        if not _fits(got.shape, want) or got.dtype != spec.dtype:
            problems.append(
                f"input {got.name!r}: expected {_shape(want)} {spec.dtype} ({spec.layout}, from the runtime spec), "
                f"got {_shape(got.shape)} {got.dtype}"
            )
    for name, e in extra.items():
        found = named.get(name)
        if found is None:
            problems.append(f"extra input {name!r} ({e.value}): the graph has no such input")
        elif not _fits(found.shape, [1, 2]) or found.dtype != e.dtype:
            problems.append(f"extra input {name!r}: expected [1, 2] {e.dtype}, got {_shape(found.shape)} {found.dtype}")
    decoder = runtime.decoder
    if isinstance(decoder, UltralyticsHead):
        problems += _ultralytics(outputs, decoder)
    elif isinstance(decoder, YoloxHead):
        problems += _yolox(outputs, decoder)
    elif isinstance(decoder, GflHead):
        problems += _gfl(outputs, decoder)
    elif isinstance(decoder, DetectionRows):
        problems += _rows(outputs, decoder)
    else:
        problems += _nms_in_graph(outputs, decoder)
    if problems:
        raise ContractError(problems)


def _fits(got: Sequence[Dim], want: Sequence[int]) -> bool:
    """Equal shapes, where a symbolic dimension (a name or None) fits any size."""
    return len(got) == len(want) and all(not isinstance(g, int) or g == w for g, w in zip(got, want))


def _output(outputs: Sequence[TensorSig], index: int, what: str) -> tuple[TensorSig | None, list[str]]:
    if index >= len(outputs):
        return None, [f"{what}: expected output #{index}, the graph has {len(outputs)} outputs"]
    return outputs[index], []


def _yolox(outputs: Sequence[TensorSig], decoder: YoloxHead) -> list[str]:
    out, problems = _output(outputs, 0, "yolox head")
    if out is None:
        return problems
    if (
        len(out.shape) != 3
        or not _fits(out.shape[:1] + out.shape[2:], [1, 5 + decoder.classes])
        or out.dtype != "float32"
    ):
        return [
            (
                f"output {out.name!r}: expected [1, N, {5 + decoder.classes}] float32 (yolox head: 4 box values, "
                f"objectness, {decoder.classes} classes), got {_shape(out.shape)} {out.dtype}"
            )
        ]
    return []


def _gfl(outputs: Sequence[TensorSig], decoder: GflHead) -> list[str]:
    problems = []
    for level in decoder.levels:
        for role, index, width in (
            ("scores", level.scores, decoder.classes),
            ("distances", level.distances, 4 * (decoder.reg_max + 1)),
        ):
            out, missing = _output(outputs, index, f"stride {level.stride} {role}")
            problems += missing
            if out is not None and (
                len(out.shape) != 3 or not _fits([out.shape[0], out.shape[2]], [1, width]) or out.dtype != "float32"
            ):
                problems.append(
                    f"stride {level.stride} {role} (output #{index} {out.name!r}): expected [1, N, {width}] float32, "
                    f"got {_shape(out.shape)} {out.dtype}"
                )
    return problems


def _rows(outputs: Sequence[TensorSig], decoder: DetectionRows) -> list[str]:
    out, problems = _output(outputs, decoder.output, "detection rows")
    if out is None:
        return problems
    width = max(decoder.columns.box + 4, decoder.columns.score + 1, decoder.columns.label + 1)
    last = out.shape[-1] if out.shape else None
    if (
        len(out.shape) not in (2, 3)
        or (isinstance(last, int) and last < width)
        or (len(out.shape) == 3 and not _fits(out.shape[:1], [1]))
        or out.dtype != "float32"
    ):
        problems.append(
            f"output {out.name!r}: expected [1, N, K] or [N, K] float32 rows with K >= {width}, "
            f"got {_shape(out.shape)} {out.dtype}"
        )
    return problems


def _ultralytics(outputs: Sequence[TensorSig], decoder: UltralyticsHead) -> list[str]:
    if not outputs:
        return ["expected an output [1, 4 + classes, N], the graph has none"]
    out = outputs[0]
    rows = 4 + decoder.classes
    dtype = "int8" if decoder.output_quantization is not None else "float32"
    ok = (
        len(out.shape) == 3
        and out.shape[:2] == [1, rows]
        and isinstance(out.shape[2], int)
        and out.shape[2] > 0
        and out.dtype == dtype
    )
    if ok:
        return []
    return [
        (
            f"output {out.name!r}: expected [1, {rows}, N] {dtype} (ultralytics head: 4 box rows + {decoder.classes} classes), "
            f"got {_shape(out.shape)} {out.dtype}"
        )
    ]


def _nms_in_graph(outputs: Sequence[TensorSig], decoder: NmsInGraph) -> list[str]:
    """Fixed-size outputs (`count` given: `[1, max_detections, ...]`), or any number of rows (no count)."""
    index = decoder.outputs
    n = decoder.max_detections
    want: dict[str, tuple[int, list[int | None], tuple[str, ...]]]
    if index.count is not None:
        want = {
            "boxes": (index.boxes, [1, n, 4], ("float32",)),
            "classes": (index.classes, [1, n], ("float32",)),
            "scores": (index.scores, [1, n], ("float32",)),
            "count": (index.count, [1], ("float32",)),
        }
    else:
        want = {
            "boxes": (index.boxes, [1, None, 4], ("float32",)),
            "classes": (index.classes, [1, None], ("float32", "int64", "int32")),
            "scores": (index.scores, [1, None], ("float32",)),
        }
    problems = []
    for role, (i, shape, dtypes) in want.items():
        if i >= len(outputs):
            problems.append(
                f"{role}: expected output #{i} {_shape(shape)} {dtypes[0]}, the graph has {len(outputs)} outputs"
            )
            continue
        out = outputs[i]
        fits = len(out.shape) == len(shape) and all(
            w is None or not isinstance(g, int) or g == w for g, w in zip(out.shape, shape)
        )
        if not fits or out.dtype not in dtypes:
            problems.append(
                f"{role} (output #{i} {out.name!r}): expected {_shape(shape)} {' or '.join(dtypes)}, "
                f"got {_shape(out.shape)} {out.dtype}"
            )
    return problems


_ORT_TYPES = {
    "tensor(float)": "float32",
    "tensor(uint8)": "uint8",
    "tensor(int8)": "int8",
    "tensor(int32)": "int32",
    "tensor(int64)": "int64",
    "tensor(float16)": "float16",
    "tensor(double)": "float64",
}


def signature(session) -> tuple[list[TensorSig], list[TensorSig]]:
    """Inputs and outputs of an onnxruntime session."""

    def sig(arg) -> TensorSig:
        shape = [d if isinstance(d, int) else (d or None) for d in arg.shape]
        return TensorSig(arg.name, shape, _ORT_TYPES.get(arg.type, arg.type))

    return [sig(a) for a in session.get_inputs()], [sig(a) for a in session.get_outputs()]
