"""Run an ONNX file with onnxruntime on sample images and hold it to its runtime spec and to the source
framework: the I/O contract first, then every confident detection on either side needs a twin on the
other (same class, IoU and score within the converter's tolerance), then the raw outputs where the
converter gives a bound for them. The result is a status (`VerificationInfo`): `matched`, `raw-only`
or `not-compared`; anything else fails the export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..decode import decode
from ..preprocess import image_input, load_image, prepare
from ..schema import DemoRuntime
from . import contract
from .agreement import Comparison, RawTally, compare_image, raw_difference
from .conversion import Conversion
from .manifest import AccuracyInfo, DetectionsInfo, RawGroupInfo, RawInfo, TensorInfo, ToleranceInfo, VerificationInfo

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
    labelled=None,
    no_labelled_reason: str | None = None,
) -> VerificationInfo:
    """Raises contract.ContractError or VerificationFailed; returns what was measured, with its status
    (see `VerificationInfo`): never a pass on 0 of 0 confident detections without a raw-output bound that
    held, never a pass with a bound broken."""
    sess = session(onnx_path)
    inputs, outputs = contract.signature(sess)
    contract.check(inputs, outputs, runtime)
    names = [o.name for o in outputs]
    image_name = image_input(runtime.input, [i.name for i in inputs])
    tolerance = conversion.tolerance
    reference = conversion.reference
    comparison = Comparison()
    raw_worst = 0.0
    raw_outputs: list[str] = []
    tallies = [RawTally(b) for b in reference.raw_check.bounds] if reference and reference.raw_check else []
    ours_confident = 0
    for path in images:
        image = load_image(path)
        prepared = prepare(image, runtime.input)
        ours_raw = sess.run(None, prepared.feeds(image_name))
        ours = decode(ours_raw, runtime, prepared.placement, tolerance.pool_threshold)
        ours_confident += sum(d.score >= tolerance.confident for d in ours)
        if reference is None:
            continue
        theirs_raw = reference.run(prepared.tensor, names)
        relevant = ours_raw[: len(theirs_raw)]
        raw_outputs = names[: len(theirs_raw)]
        raw_worst = max(raw_worst, raw_difference(relevant, theirs_raw))
        if reference.raw_check is not None:
            for tally, (a, b) in zip(tallies, reference.raw_check.groups(relevant, theirs_raw), strict=True):
                tally.add(a, b)
        theirs = reference.detections(image, prepared, theirs_raw, runtime, tolerance.pool_threshold)
        compare_image(path.name, ours, theirs, tolerance, comparison)

    tolerance_info = ToleranceInfo(
        confident=tolerance.confident,
        min_iou=tolerance.min_iou,
        score_delta=tolerance.score_delta,
        unmatched_share=tolerance.unmatched_share,
        why=tolerance.why,
    )
    on_images = f"{len(images)} images ({image_set})"
    contract_line = "the I/O contract: input and output names, shapes and dtypes against the runtime spec"
    # The accuracy check: where nothing independent decoded the same weights (no source framework, or a reference
    # decoded by generator/decode.py itself, which a wrong spec fools the same way on both sides).
    accuracy_info = None
    needs_accuracy = reference is None or not getattr(reference, "independent", True)
    if needs_accuracy and labelled is not None:
        accuracy_info = _accuracy(sess, runtime, class_names, labelled)
    accuracy_line = (
        None
        if accuracy_info is None
        else (
            f"accuracy on {accuracy_info.image_set}: mAP50-95 {accuracy_info.map50_95:.3f}, mAP50 "
            f"{accuracy_info.map50:.3f} ({accuracy_info.tool}; a figure below {accuracy_info.min_map50_95:g} "
            "fails the export, as a mis-decoded model scores about 0)"
        )
    )
    no_accuracy = (
        f"accuracy: not checked ({no_labelled_reason}), so nothing independent checked the decoder spec"
        if no_labelled_reason
        else "accuracy: no labelled images were given, so nothing independent checked the decoder spec"
    )
    if reference is None:
        compared = [
            contract_line,
            (
                f"ran in onnxruntime on {on_images}: {ours_confident} detections at or above {tolerance.confident:g} "
                "(not checked against anything)"
            ),
        ]
        not_compared = [
            (
                "detections and raw outputs: there is no source framework to run the same weights in, "
                "so nothing independent of onnxruntime ran them"
            )
        ]
        if accuracy_line:
            compared.append(accuracy_line)
        else:
            not_compared.append(no_accuracy)
        return VerificationInfo(
            status="not-compared",
            summary="not compared with a source framework: the weights are already ONNX",
            compared=compared,
            not_compared=not_compared,
            reference=None,
            images=len(images),
            image_set=image_set,
            detections=None,
            raw=None,
            tolerance=tolerance_info,
            accuracy=accuracy_info,
        )

    def describe(miss) -> str:
        d = miss.detection
        label = class_names.get(d.label, str(d.label))
        box = ", ".join(f"{v:.0f}" for v in d.box)
        return f"{miss.image}: {miss.side} {label} {d.score:.3f} at [{box}] has no twin (closest: {miss.closest})"

    detections = DetectionsInfo(
        decoded_by=reference.decoded_by,
        confident=comparison.confident,
        matched=comparison.matched,
        unmatched=len(comparison.misses),
        unmatched_share=round(comparison.unmatched_share, 4),
        max_score_delta=round(comparison.max_score_delta, 4) if comparison.matched else None,
        min_iou=round(comparison.min_iou, 4) if comparison.matched else None,
        misses=[describe(m) for m in comparison.misses[:MAX_REPORTED_MISSES]],
    )
    groups = [
        RawGroupInfo(
            group=t.bound.group,
            unit=t.bound.unit,
            bound=str(t.bound),
            atol=t.bound.atol,
            rtol=t.bound.rtol,
            allowed_share=t.bound.allowed_share,
            values=t.values,
            beyond=t.beyond,
            max_abs_diff=None if t.worst is None else _sig(t.worst),
            held=t.held,
        )
        for t in tallies
    ]
    raw_held = all(g.held for g in groups) if reference.raw_check is not None else None
    raw = RawInfo(
        reference=reference.raw_source,
        outputs=raw_outputs,
        max_abs_diff=_sig(raw_worst),
        bound=str(reference.raw_check) if reference.raw_check is not None else None,
        note=None if reference.raw_check is not None else reference.raw_note,
        held=raw_held,
        groups=groups,
    )

    problems = []
    if not comparison.passes(tolerance):
        problems.append(
            f"{len(comparison.misses)} of {comparison.confident} confident detections "
            f"({comparison.unmatched_share:.1%}) have no twin, {tolerance.unmatched_share:.0%} allowed "
            f"(same class, IoU >= {tolerance.min_iou}, score within {tolerance.score_delta}); first: "
            + "; ".join(detections.misses[:5])
        )
    for g in groups:
        if not g.held:
            problems.append(
                f"raw outputs beyond their bound: {g.group}: {g.beyond} of {g.values} values beyond "
                f"{g.bound} (largest difference {g.max_abs_diff:g}{' ' + g.unit if g.unit else ''})"
            )
    if comparison.confident == 0 and reference.raw_check is None:
        problems.append(
            f"no confident detections (score >= {tolerance.confident:g}) on either side and no raw-output "
            f"bound for this converter ({reference.raw_note}): nothing was verified, and 0 of 0 is not a pass"
        )
    if problems:
        raise VerificationFailed(
            f"verification against {reference.name} on {len(images)} images failed: " + " | ".join(problems)
        )

    raw_line = _raw_sentence(raw, reference.raw_check is not None)
    detection_line = (
        f"detections: {comparison.matched} of {comparison.confident} confident detections (score >= "
        f"{tolerance.confident:g}, either side) matched, the reference's from {reference.decoded_by}"
    )
    if comparison.confident:
        status, summary = (
            "matched",
            f"verified: {comparison.matched} of {comparison.confident} confident detections matched on {len(images)} images",
        )
        compared, not_compared = [contract_line, detection_line, raw_line], []
        if accuracy_line:
            compared.append(accuracy_line)
        elif needs_accuracy:
            not_compared.append(no_accuracy)
        if reference.raw_check is None:
            not_compared.append(f"raw outputs were not held to a bound: {reference.raw_note}")
    else:
        status = "raw-only"
        summary = "no confident detections on the samples: compared raw outputs only"
        compared = [contract_line, raw_line]
        not_compared = [
            (
                f"detections: neither side found any at or above {tolerance.confident:g} on {len(images)} images "
                f"(the reference's from {reference.decoded_by}), so there was nothing to match"
            )
        ]
    return VerificationInfo(
        status=status,
        summary=summary,
        compared=compared,
        not_compared=not_compared,
        reference=reference.name,
        images=len(images),
        image_set=image_set,
        detections=detections,
        raw=raw,
        tolerance=tolerance_info,
        accuracy=accuracy_info,
    )


def _accuracy(sess, runtime: DemoRuntime, class_names: Mapping[int, str], labelled) -> AccuracyInfo:
    """COCO mAP on the labelled images; below the floor the export fails (see `generator/export/accuracy.py`)."""
    from . import accuracy

    figures = accuracy.measure(sess, runtime, class_names, labelled)
    if figures["map50_95"] < accuracy.MIN_MAP50_95:
        raise VerificationFailed(
            f"accuracy on {labelled.name}: mAP50-95 {figures['map50_95']:.4f} (mAP50 {figures['map50']:.4f}) is below "
            f"{accuracy.MIN_MAP50_95:g}: the runtime spec does not decode this model (check the decoder kind, box units, "
            "colour order, letterbox alignment and normalization)"
        )
    return accuracy.info(labelled.name, len(labelled.paths), figures)


def _sig(value: float) -> float:
    return float(f"{value:.6g}")


def _raw_sentence(raw: RawInfo, bounded: bool) -> str:
    head = f"raw outputs ({', '.join(raw.outputs)}) against {raw.reference}: largest difference {raw.max_abs_diff:g}"
    if not bounded:
        return head + " (reported only)"
    parts = []
    for g in raw.groups:
        unit = f" {g.unit}" if g.unit else ""
        worst = (
            "no values"
            if g.max_abs_diff is None
            else f"{g.beyond:,} of {g.values:,} beyond, largest {g.max_abs_diff:g}{unit}"
        )
        parts.append(f"{g.group}: {worst}; bound {g.bound}")
    return head + "; " + "; ".join(parts)
