"""Claimed vs measured, explained: beside each claimed accuracy figure of a variant, Versus's own figure for the
artifact it measured, whether the claim falls inside that figure's bootstrap interval, and the differences that
can explain a gap, each named from the data: the record's protocol on one side, the claim's metric context
(data set, precision, input size, evaluation protocol) on the other. Pure functions.

Only records on the bench's val2017 set (`IMAGE_SET`) stand beside a claim; the train2017 quick set
(`QUICK_SET`) never does: its images trained most of these models. A claim is compared with the interval as the
page prints it (one decimal), so what a reader sees and what the page says agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .. import compare
from ..measurement import IMAGE_SET, Accuracy, AccuracyProtocol, Measurement
from ..schema import ModelCard, Registry
from .figures import ClaimView, claim_view

# Card metric id -> the record's figure of the same name. Only these metrics stand beside a record.
MEASURED_METRICS = {"map50_95": "map50_95", "map50": "map50"}
INTERVAL_METRIC = "map50_95"  # the figure the bootstrap interval is about (`Accuracy.interval`)

Standing = Literal["inside", "outside", "no-interval"]


@dataclass(frozen=True)
class Difference:
    """One setting that decides an accuracy figure, on both sides. `differs` None: the source does not say."""

    what: str
    ours: str
    theirs: str
    differs: bool | None


@dataclass(frozen=True)
class Beside:
    """Our figure for one claim, how the claim stands against it, and what differs between the two."""

    ours: float  # percent
    shown: str  # `37.2%`
    interval: tuple[float, float] | None  # percent, rounded as printed
    confidence: int  # 95
    interval_note: str | None  # how the interval was made, and what it does and does not say
    standing: Standing
    gap: float  # claim minus ours, percentage points
    verdict: str  # the standing in words, neutral
    run: str
    dataset: str  # the record's set, by its registry name
    differences: tuple[Difference, ...]  # settings that differ
    unstated: tuple[Difference, ...]  # settings the source does not state
    same: tuple[Difference, ...]  # settings both sides share


@dataclass(frozen=True)
class ClaimBeside:
    claim: ClaimView
    beside: Beside | None  # None: a figure Versus does not measure (latency, another metric)


@dataclass(frozen=True)
class ClaimsBeside:
    """A variant's claims, each with our figure where we measured the same metric. `note` says why no figure
    stands beside them when a record exists but cannot (only the train-set quick run measured accuracy);
    `others` names the card's other variants with claims of their own, when this one has none (their claims
    are about other weights, so none is set beside this artifact)."""

    subject: str
    claims: tuple[ClaimBeside, ...]
    trained: bool
    note: str | None
    others: tuple[str, ...] = ()


# --- The settings, in words -----------------------------------------------------------------


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def precision_family(text: str | None) -> str | None:
    """`full`, `half`, `8-bit` or `mixed` from a record's precision (`fp32`, `int8 (quantized weights)`, `fp32
    holding the tflite source's quantized weights …`) or a card's (`fp32`, `int8`, `not-stated`); None: unknown.
    Quantized weights in a float graph still compute what the 8-bit model computes, so they count as 8-bit."""
    if text is None or text.startswith(compare.NOT_STATED):
        return None
    low = text.lower()
    if "quantized" in low or low.startswith(("int8", "uint8")):
        return "8-bit"
    if low.startswith(("fp16", "bf16")):
        return "half"
    if low.startswith(("fp32", "fp64")):
        return "full"
    return "mixed" if low.startswith("mixed") else None


def _images(accuracy: Accuracy, claim: compare.Claim, registry: Registry) -> Difference:
    ours_set = registry.datasets[accuracy.dataset]
    # The set's name already says how many images it holds; the record's own count shows only if it differs.
    ours = ours_set.name if ours_set.images == accuracy.images else f"{ours_set.name}: {accuracy.images:,} images"
    if claim.metric.dataset is None:
        return Difference("images", ours, "data set not stated", None)
    theirs_set = registry.datasets[claim.metric.dataset]
    theirs = theirs_set.name + (f": {theirs_set.images:,} images" if theirs_set.images else "")
    return Difference("images", ours, theirs, claim.metric.dataset != accuracy.dataset)


def _labels(accuracy: Accuracy, protocol: AccuracyProtocol, claim: compare.Claim, registry: Registry) -> Difference:
    ours = f"{protocol.label_source}; {protocol.crowd}"
    if claim.metric.dataset is None:
        return Difference("labels and crowd regions", ours, "data set not stated", None)
    theirs = f"the labels of {registry.datasets[claim.metric.dataset].name} as the source evaluated them"
    return Difference("labels and crowd regions", ours, theirs, claim.metric.dataset != accuracy.dataset)


def _precision(protocol: AccuracyProtocol, claim: compare.Claim) -> Difference:
    stated = claim.metric.precision
    family: str | None
    if stated is None or stated == compare.NOT_STATED:
        theirs, family = "not stated: the full-precision model's, unless a source names a quantized one", "full"
    else:
        theirs, family = stated, precision_family(stated)
    ours_family = precision_family(protocol.precision)
    differs = None if ours_family is None or family is None else ours_family != family
    return Difference("precision of the model", protocol.precision, theirs, differs)


def _input_size(protocol: AccuracyProtocol, claim: compare.Claim) -> Difference:
    h, w = protocol.input_size
    th, tw = claim.key.input_size
    return Difference("input size", f"{h}×{w}, {protocol.resize}", f"{th}×{tw}", (h, w) != (th, tw))


def _nms(protocol: AccuracyProtocol, claim: compare.Claim) -> Difference:
    nms = protocol.nms
    if nms.where == "outside":
        scope = "class-aware" if nms.class_aware else "across classes"
        ours = f"after the graph, {scope}, IoU {nms.iou_threshold:g}"
    elif nms.where == "inside":
        ours = "inside the graph, with its own settings"
    else:
        ours = "none: an NMS-free head"
    stated = claim.metric.protocol.nms if claim.metric.protocol else compare.NOT_STATED
    if stated == compare.NOT_STATED:
        return Difference("NMS", ours, "not stated", None)
    theirs = "included" if stated == "included" else "none (NMS-free)"
    return Difference("NMS", ours, theirs, (nms.where == "none") != (stated == "none"))


def _score_threshold(accuracy: Accuracy, claim: compare.Claim) -> Difference:
    stated = claim.metric.protocol.score_threshold if claim.metric.protocol else compare.NOT_STATED
    ours = f"{accuracy.score_threshold:g}"
    if stated == compare.NOT_STATED:
        return Difference("score threshold", ours, "not stated", None)
    return Difference("score threshold", ours, f"{stated:g}", float(stated) != accuracy.score_threshold)


def _detections(accuracy: Accuracy, protocol: AccuracyProtocol, claim: compare.Claim) -> Difference:
    """What we keep per image is the smaller of the decoder's cap and the evaluation's."""
    kept = min(accuracy.max_detections, protocol.nms.max_kept)
    ours = f"{kept}" + (
        f" (the decoder keeps at most {protocol.nms.max_kept}, fewer than the evaluation's {accuracy.max_detections})"
        if kept < accuracy.max_detections
        else ""
    )
    stated = claim.metric.protocol.max_detections if claim.metric.protocol else compare.NOT_STATED
    if stated == compare.NOT_STATED:
        return Difference("detections per image", ours, "not stated", None)
    return Difference("detections per image", ours, f"{stated}", int(stated) != kept)


def _evaluator(accuracy: Accuracy, claim: compare.Claim, registry: Registry) -> Difference:
    stated = claim.metric.protocol.evaluator if claim.metric.protocol else compare.NOT_STATED
    if stated == compare.NOT_STATED:
        return Difference("evaluator", accuracy.tool, "not stated", None)
    info = registry.evaluators.get(stated)
    return Difference("evaluator", accuracy.tool, info.name if info else stated, accuracy.tool.split()[0] != stated)


def differences(accuracy: Accuracy, claim: compare.Claim, registry: Registry) -> tuple[Difference, ...]:
    """Every setting that decides the figure, ours beside the claim's, in the order a reader weighs them."""
    protocol = accuracy.protocol
    assert protocol is not None, "a val2017 record always carries its protocol (measurement.Accuracy)"
    return (
        _images(accuracy, claim, registry),
        _labels(accuracy, protocol, claim, registry),
        _precision(protocol, claim),
        _input_size(protocol, claim),
        _nms(protocol, claim),
        _score_threshold(accuracy, claim),
        _detections(accuracy, protocol, claim),
        _evaluator(accuracy, claim, registry),
    )


# --- The claim against our figure -------------------------------------------------------------


def standing(claimed: float, interval: tuple[float, float] | None) -> Standing:
    if interval is None:
        return "no-interval"
    return "inside" if interval[0] <= claimed <= interval[1] else "outside"


def verdict(claimed: float, ours: float, interval: tuple[float, float] | None, confidence: int) -> str:
    """The claim's standing in words, without judging either figure."""
    gap = round(claimed - ours, 1)
    relative = "equal to" if gap == 0 else f"{abs(gap):.1f} points {'above' if gap > 0 else 'below'}"
    where = standing(claimed, interval)
    if where == "no-interval":
        return f"the claim is {relative} our figure (no interval recorded for this figure)"
    assert interval is not None
    return (
        f"{where} our {confidence}% interval ({interval[0]:.1f}–{interval[1]:.1f}%); the claim is {relative} our figure"
    )


def beside(claim: compare.Claim, record: Measurement, registry: Registry) -> Beside | None:
    """Our figure for the claim's metric from a val2017 record, or None: not a metric we measure, or no such record."""
    accuracy = record.accuracy
    figure = MEASURED_METRICS.get(claim.metric.metric)
    if accuracy is None or figure is None or accuracy.dataset != IMAGE_SET:
        return None
    ours = getattr(accuracy, figure) * 100
    iv = accuracy.interval if claim.metric.metric == INTERVAL_METRIC else None
    interval = (round(iv.low * 100, 1), round(iv.high * 100, 1)) if iv else None
    confidence = round(iv.confidence * 100) if iv else 95
    found = differences(accuracy, claim, registry)
    return Beside(
        ours=ours,
        shown=_pct(ours),
        interval=interval,
        confidence=confidence,
        interval_note=(
            f"The interval: mAP50-95 on {iv.resamples:,} resamples of the {accuracy.images:,} images, each drawn "
            "with replacement; it shows how far a figure on this many images moves, not how far it lies from a "
            "figure on the whole data set."
            if iv
            else None
        ),
        standing=standing(claim.metric.value, interval),
        gap=claim.metric.value - ours,
        verdict=verdict(claim.metric.value, ours, interval, confidence),
        run=record.run,
        dataset=registry.datasets[accuracy.dataset].name,
        differences=tuple(d for d in found if d.differs),
        unstated=tuple(d for d in found if d.differs is None),
        same=tuple(d for d in found if d.differs is False),
    )


def val2017_record(records: Iterable[Measurement]) -> Measurement | None:
    """The first (latest) complete record measured on the bench's val2017 set; never a quick-set one."""
    return next((r for r in records if r.complete and r.accuracy is not None and r.accuracy.dataset == IMAGE_SET), None)


def quick_only_note(records: Iterable[Measurement], registry: Registry) -> str | None:
    """Why no figure stands beside the claims although accuracy was measured: only on the quick set."""
    sets = {r.accuracy.dataset for r in records if r.accuracy is not None}
    if not sets or IMAGE_SET in sets:
        return None
    names = ", ".join(sorted(registry.datasets[s].name for s in sets))
    return (
        f"Versus measured this artifact's accuracy only on {names}, not on {registry.datasets[IMAGE_SET].name}: "
        "that figure is not set beside the claims."
    )


def claims_beside(
    card: ModelCard, variant_id: str, trained: bool, records: Iterable[Measurement], registry: Registry
) -> ClaimsBeside:
    """The variant's claims, each with our figure from the latest val2017 record among `records` (one artifact's
    records, latest first, or the one record a comparison page shows)."""
    records = list(records)
    variant = next((v for v in card.variants if v.id == variant_id), None)
    if variant is None:
        return ClaimsBeside("this variant", (), trained, None)
    record = val2017_record(records) if trained else None
    out = []
    for metric in variant.metrics:
        claim = compare.Claim(card, variant, metric, compare.ComparisonKey.of(card, variant, metric, registry))
        out.append(ClaimBeside(claim_view(claim, registry), beside(claim, record, registry) if record else None))
    others = () if out else tuple(v.id for v in card.variants if v.metrics and v.id != variant.id)
    measurable = trained and any(m.metric in MEASURED_METRICS for m in variant.metrics)
    return ClaimsBeside(
        variant.id, tuple(out), trained, quick_only_note(records, registry) if measurable else None, others
    )
