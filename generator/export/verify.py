"""Run an ONNX file with onnxruntime on sample images and hold it to its runtime spec and to the source
framework: the I/O contract first, then every confident detection on either side needs a twin on the
other (same class, IoU and score within the converter's tolerance), then the raw outputs where the
converter gives a bound for them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..decode import decode
from ..preprocess import load_image, prepare
from ..schema import DemoRuntime
from . import contract
from .compare import Comparison, compare_image, raw_difference
from .converters import Conversion
from .manifest import TensorInfo, ToleranceInfo, VerificationInfo

MAX_REPORTED_MISSES = 20


class VerificationFailed(Exception):
    pass


def session(path: Path):
    import onnxruntime as ort

    ort.set_default_logger_severity(3)  # converter-made graphs trigger harmless deprecation warnings
    options = ort.SessionOptions()
    options.log_severity_level = 3  # converter-made graphs trigger harmless deprecation warnings
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def tensor_infos(sigs: Sequence[contract.TensorSig]) -> list[TensorInfo]:
    return [TensorInfo(name=s.name, shape=list(s.shape), dtype=s.dtype) for s in sigs]


def verify(
    onnx_path: Path,
    runtime: DemoRuntime,
    conversion: Conversion,
    images: Sequence[Path],
    image_set: str,
    class_names: Mapping[int, str],
) -> VerificationInfo:
    """Raises contract.ContractError or VerificationFailed; returns what was measured."""
    sess = session(onnx_path)
    inputs, outputs = contract.signature(sess)
    contract.check(inputs, outputs, runtime)
    names = [o.name for o in outputs]
    tolerance = conversion.tolerance
    reference = conversion.reference
    comparison = Comparison()
    raw_worst: float | None = None
    raw_ok = True
    for path in images:
        image = load_image(path)
        prepared = prepare(image, runtime.input)
        ours_raw = sess.run(None, {inputs[0].name: prepared.tensor})
        ours = decode(ours_raw, runtime, prepared.placement, tolerance.pool_threshold)
        if reference is None:
            continue
        theirs_raw = reference.run(prepared.tensor, names)
        relevant = ours_raw[: len(theirs_raw)]
        raw_worst = max(raw_worst or 0.0, raw_difference(relevant, theirs_raw))
        if reference.raw_check is not None and not reference.raw_check.holds(relevant, theirs_raw):
            raw_ok = False
        theirs = reference.detections(image, prepared, theirs_raw, runtime, tolerance.pool_threshold)
        compare_image(path.name, ours, theirs, tolerance, comparison)

    def describe(miss) -> str:
        d = miss.detection
        label = class_names.get(d.label, str(d.label))
        box = ", ".join(f"{v:.0f}" for v in d.box)
        return f"{miss.image}: {miss.side} {label} {d.score:.3f} at [{box}] has no twin (closest: {miss.closest})"

    info = VerificationInfo(
        reference=reference.name if reference else "none: an ONNX source is only run with onnxruntime",
        images=len(images),
        image_set=image_set,
        confident=comparison.confident,
        matched=comparison.matched,
        unmatched=len(comparison.misses),
        unmatched_share=round(comparison.unmatched_share, 4),
        max_score_delta=round(comparison.max_score_delta, 4) if comparison.matched else None,
        min_iou=round(comparison.min_iou, 4) if comparison.matched else None,
        raw_max_abs_diff=None if raw_worst is None else float(f"{raw_worst:.6g}"),
        raw_check=None if reference is None else (str(reference.raw_check) if reference.raw_check else reference.raw_note),
        tolerance=ToleranceInfo(confident=tolerance.confident, min_iou=tolerance.min_iou,
                                score_delta=tolerance.score_delta, unmatched_share=tolerance.unmatched_share,
                                why=tolerance.why),
        misses=[describe(m) for m in comparison.misses[:MAX_REPORTED_MISSES]],
    )
    problems = []
    if not comparison.passes(tolerance):
        problems.append(
            f"{len(comparison.misses)} of {comparison.confident} confident detections "
            f"({comparison.unmatched_share:.1%}) have no twin, {tolerance.unmatched_share:.0%} allowed "
            f"(same class, IoU >= {tolerance.min_iou}, score within {tolerance.score_delta}); first: "
            + "; ".join(info.misses[:5])
        )
    if not raw_ok:
        problems.append(f"raw outputs differ by up to {raw_worst:.4g}, beyond {reference.raw_check}")
    if problems:
        raise VerificationFailed(f"verification against {info.reference} on {len(images)} images failed: " + " | ".join(problems))
    return info
