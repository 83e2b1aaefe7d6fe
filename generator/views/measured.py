"""Which measurement records a page shows, and how their figures line up. Pure functions.

Records of different runs are never averaged or merged. A model page shows each run apart, latest first; a
comparison page takes both models from one run, so both sides share a machine; the chart draws one series
per run and setting. Measured figures are kept apart from claimed ones (`generator/compare.py`): they were measured on
other hardware and, for accuracy, on other images, named from each record's dataset id (`IMAGE_SET`, the bench's
val2017 subset, or `QUICK_SET`, the train2017 sample of quick runs, which never stands beside a claim). Beside a
claim, `claims.py` sets our val2017 figure and what differs.

Incomplete records (`complete: false`, a run that was interrupted or is still going) are shown on model
pages, marked with what is still pending; comparisons and the chart use complete records only, so a pair is
never lined up against a half-measured side.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ..measurement import (
    IMAGE_SET,
    Accuracy,
    BrowserAccuracy,
    BrowserLatency,
    Figure,
    Machine,
    Measurement,
    NativeLatency,
)
from ..schema import ModelCard, Registry

# How pages name the demo's accelerated backends (wasm_demo/src/accelerators.js).
ACCELERATOR_NAMES = {"webgpu": "WebGPU", "webnn": "WebNN"}

# --- Runs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """The records one run wrote, one per artifact. Every record of a run shares its machine and start."""

    id: str
    records: tuple[Measurement, ...]

    @property
    def first(self) -> Measurement:
        return self.records[0]

    @property
    def machine(self) -> Machine:
        return self.first.machine

    def of_card(self, card_id: str) -> tuple[Measurement, ...]:
        return tuple(r for r in self.records if r.artifact.card_id == card_id)


def runs(records: Iterable[Measurement]) -> list[Run]:
    """Records grouped by run, latest run first; within a run, by artifact id."""
    groups: dict[str, list[Measurement]] = defaultdict(list)
    for record in records:
        groups[record.run].append(record)
    out = [Run(run, tuple(sorted(rs, key=lambda r: r.artifact.artifact_id))) for run, rs in groups.items()]
    return sorted(out, key=lambda run: (run.first.started, run.id), reverse=True)


# --- A model page -----------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactHistory:
    """One artifact of a card as every run measured it, latest run first."""

    artifact_id: str
    variant_id: str
    trained: bool
    records: tuple[Measurement, ...]


def card_history(records: Iterable[Measurement], card: ModelCard) -> list[ArtifactHistory]:
    """The card's measured artifacts in the card's variant order, trained before untrained."""
    by_artifact: dict[str, list[Measurement]] = defaultdict(list)
    for run in runs(records):
        for record in run.of_card(card.id):
            by_artifact[record.artifact.artifact_id].append(record)
    order = {v.id: i for i, v in enumerate(card.variants)}
    out = [
        ArtifactHistory(artifact_id, rs[0].artifact.variant_id, rs[0].artifact.trained, tuple(rs))
        for artifact_id, rs in by_artifact.items()
    ]
    return sorted(out, key=lambda h: (order.get(h.variant_id, len(order)), not h.trained, h.artifact_id))


# --- A comparison page -------------------------------------------------------------------


@dataclass(frozen=True)
class PairRun:
    """The run a comparison page shows: both models measured on one machine in one run."""

    run: Run
    a: tuple[Measurement, ...]
    b: tuple[Measurement, ...]

    @property
    def records(self) -> tuple[Measurement, ...]:
        return self.a + self.b


def pair_run(records: Iterable[Measurement], a_id: str, b_id: str) -> PairRun | None:
    """The latest run with complete records of both cards, or None: no run has measured both yet. A bench run
    (native, browser and accuracy) goes before a visitor's browser-only one, however recent that is."""
    complete = runs(r for r in records if r.complete)
    for run in sorted(complete, key=lambda run: run.first.recorded_by != "versus bench"):  # stable: latest first
        a, b = run.of_card(a_id), run.of_card(b_id)
        if a and b:
            return PairRun(run, a, b)
    return None


def runs_of(records: Iterable[Measurement], card_id: str) -> int:
    """How many runs measured the card at all (for saying where to look instead)."""
    return len({r.run for r in records if r.artifact.card_id == card_id})


# --- Figures in a table --------------------------------------------------------------------

Kind = Literal["figure", "rounds", "ms", "bytes", "percent", "text"]


@dataclass(frozen=True)
class Reading:
    """One measured figure of a record: the setting it was measured in, what it is, and its value."""

    order: tuple[int, str, int]  # lines rows up across records: section, setting, figure
    setting: str  # e.g. "onnxruntime CPU · 1 thread"
    what: str  # e.g. "inference"
    kind: Kind
    value: Figure | NativeLatency | float | int | str  # "rounds": the NativeLatency whose rounds to show

    @property
    def key(self) -> tuple[str, str]:
        return (self.setting, self.what)


def native_setting(threads: int) -> str:
    return f"onnxruntime CPU · {threads} thread{'s' if threads != 1 else ''}"


def browser_setting(b: BrowserLatency) -> str:
    """The setting a browser figure was measured in; says so when the browser ran fewer threads than asked."""
    if b.backend != "wasm":
        return f"browser · {ACCELERATOR_NAMES[b.backend]}"
    detail = f"{b.threads} thread{'s' if b.threads != 1 else ''}" if b.threads else "threads not reported"
    notes = [f"{b.requested_threads} asked for"] if b.threads != b.requested_threads else []
    notes += [] if b.cross_origin_isolated else ["not cross-origin isolated"]
    return f"browser · wasm · {detail}" + (f" ({'; '.join(notes)})" if notes else "")


def readings(record: Measurement, registry: Registry) -> list[Reading]:
    """Every figure a record holds, in display order. Accuracy is labelled with its dataset's registry name."""
    out: list[Reading] = []
    for n in sorted(record.native, key=lambda n: n.threads):
        setting, o = native_setting(n.threads), (0, f"{n.threads:04d}")
        out.append(Reading((*o, 0), setting, "inference", "figure", n.inference))
        if len(n.rounds) > 1:
            out.append(Reading((*o, 1), setting, "inference, each round's median", "rounds", n))
        out += [
            Reading((*o, 2), setting, "end-to-end", "figure", n.end_to_end),
            Reading((*o, 3), setting, "session creation", "ms", n.session_ms),
            Reading((*o, 4), setting, "peak memory (RSS)", "bytes", n.peak_rss_bytes),
        ]
        if n.rss_before_session_bytes is not None:
            out.append(
                Reading((*o, 5), setting, "memory before the session (RSS)", "bytes", n.rss_before_session_bytes)
            )
    for b in record.browser:
        setting = browser_setting(b)
        o = (1, f"{b.backend}{b.threads or 0:04d}")
        out += [
            Reading((*o, 0), setting, "inference (warm)", "figure", b.inference),
            Reading((*o, 1), setting, "end-to-end (warm)", "figure", b.end_to_end),
        ]
        if b.cold is not None:
            out.append(Reading((*o, 2), setting, "cold start (session + first inference)", "figure", b.cold))
        if b.memory_bytes is not None:
            out.append(Reading((*o, 3), setting, "memory (page and workers)", "bytes", b.memory_bytes))
    out.append(Reading((2, "", 0), "download", "model.onnx size", "bytes", record.artifact.bytes))
    if record.accuracy is not None:
        dataset = registry.datasets[record.accuracy.dataset].name
        out += [
            Reading((3, "", 0), dataset, "mAP50-95", "percent", record.accuracy.map50_95 * 100),
            Reading((3, "", 1), dataset, "mAP50", "percent", record.accuracy.map50 * 100),
        ]
        more = [
            ("mAP75", record.accuracy.map75),
            ("AP small", record.accuracy.ap_small),
            ("AP medium", record.accuracy.ap_medium),
            ("AP large", record.accuracy.ap_large),
        ]
        out += [
            Reading((3, "", 2 + i), dataset, what, "percent", value * 100)
            for i, (what, value) in enumerate(more)
            if value is not None
        ]
        out += [
            Reading((3, "", 10 + i), dataset, what, "text", text)
            for i, (what, text) in enumerate(protocol_readings(record.accuracy))
        ]
    if record.browser_accuracy is not None:
        out += browser_accuracy_readings(record.browser_accuracy, registry)
    return out


def browser_accuracy_readings(b: BrowserAccuracy, registry: Registry) -> list[Reading]:
    """The demo's own path (onnxruntime-web, its pre-processing and decoding) against native onnxruntime on the
    same images: whether what runs in the browser loses accuracy, and by how much."""
    setting = f"in the browser ({b.backend}): the first {b.images} of the {registry.datasets[b.dataset].name}"
    diff = f"{b.difference * 100:+.2f} points"
    if b.difference_interval is not None:
        low, high = b.difference_interval
        diff += f" (95% interval {low * 100:+.2f} to {high * 100:+.2f})"
    agree = b.agreement
    agreeing = (
        f"{agree.matched} of {agree.detections} confident detections have a twin; "
        f"{agree.images_agreeing} of {agree.images} images agree fully"
    )
    return [
        Reading((4, "", 0), setting, "mAP50-95 in the browser", "percent", b.map50_95 * 100),
        Reading((4, "", 1), setting, "mAP50-95 native, same images", "percent", b.native_map50_95 * 100),
        Reading((4, "", 2), setting, "browser minus native", "text", diff),
        Reading((4, "", 3), setting, "detections, browser vs native", "text", agreeing),
    ]


def protocol_readings(accuracy: Accuracy) -> list[tuple[str, str]]:
    """The settings of one artifact's accuracy figure that differ between artifacts, in words: its interval,
    input, precision, NMS and caps. What a whole set shares (labels, crowd regions) is in `accuracy_sets`."""
    out = []
    if accuracy.interval is not None:
        iv = accuracy.interval
        out.append(
            (
                f"mAP50-95, {iv.confidence:.0%} interval",
                f"{iv.low * 100:.1f}–{iv.high * 100:.1f}% ({iv.resamples:,} bootstrap resamples of the images)",
            )
        )
    protocol = accuracy.protocol
    if protocol is not None:
        h, w = protocol.input_size
        nms = protocol.nms
        if nms.where == "outside":
            scope = "class-aware" if nms.class_aware else "across classes"
            nms_text = f"after the graph, {scope}, IoU {nms.iou_threshold:g}, keeps {nms.max_kept}"
        elif nms.where == "inside":
            nms_text = f"inside the graph (its own settings), keeps {nms.max_kept}"
        else:
            nms_text = f"none (an NMS-free head), keeps {nms.max_kept}"
        out += [
            ("input", f"{h}×{w}, {protocol.resize}"),
            ("precision of the artifact", protocol.precision),
            ("NMS", nms_text),
        ]
    out.append(
        (
            "scored detections",
            f"score ≥ {accuracy.score_threshold:g}, at most {accuracy.max_detections} per image, {accuracy.tool}",
        )
    )
    return out


@dataclass(frozen=True)
class AccuracySet:
    """A set the shown records measured accuracy on, and what every figure on it shares."""

    name: str
    description: str
    beside_claims: bool  # only the bench's val2017 set stands beside a claim
    label_source: str | None
    crowd: str | None
    size_buckets: str | None


def accuracy_sets(records: Iterable[Measurement], registry: Registry) -> tuple[AccuracySet, ...]:
    """The sets behind the accuracy figures of `records`, the bench's set first: the page's note names them
    from the records' dataset ids and protocols, never from a fixed sentence."""
    found: dict[str, Accuracy] = {}
    for record in records:
        if record.accuracy is not None:
            kept = found.get(record.accuracy.dataset)
            if kept is None or (kept.protocol is None and record.accuracy.protocol is not None):
                found[record.accuracy.dataset] = record.accuracy
    out = []
    for dataset_id in sorted(found, key=lambda d: (d != IMAGE_SET, d)):
        info, protocol = registry.datasets[dataset_id], found[dataset_id].protocol
        out.append(
            AccuracySet(
                info.name,
                info.description,
                dataset_id == IMAGE_SET,
                protocol.label_source if protocol else None,
                protocol.crowd if protocol else None,
                protocol.size_buckets if protocol else None,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class Row:
    setting: str
    what: str
    cells: tuple[Reading | None, ...]  # one per record, None where that record lacks the figure


def reading_rows(records: Sequence[Measurement], registry: Registry) -> list[Row]:
    """Rows of figures with one column per record (runs or artifacts), lined up by setting and figure.
    Columns stay apart: a row holds each record's own value, never a combination of them."""
    per_record = [{r.key: r for r in readings(record, registry)} for record in records]
    orders: dict[tuple[str, str], tuple[int, str, int]] = {}
    for found in per_record:
        for key, reading in found.items():
            orders.setdefault(key, reading.order)
    return [Row(*key, tuple(found.get(key) for found in per_record)) for key in sorted(orders, key=lambda k: orders[k])]


# --- Chart series ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredPoint:
    record: Measurement
    latency: Figure
    accuracy: float  # mAP50-95 in percent, on the record's image set


@dataclass(frozen=True)
class MeasuredSeries:
    """One run in one setting: one machine, one runtime and thread count, latency of inference alone.
    The run's machine and date are on its points' records."""

    run: str
    setting: str


def measured_series(records: Iterable[Measurement]) -> dict[MeasuredSeries, list[MeasuredPoint]]:
    """Latest run first. Only complete records of trained artifacts with an accuracy: an untrained
    artifact has random weights, so it has no point on an accuracy chart."""
    series: dict[MeasuredSeries, list[MeasuredPoint]] = {}
    for run in runs(r for r in records if r.complete and r.artifact.trained and r.accuracy is not None):
        for record in run.records:
            assert record.accuracy is not None
            y = record.accuracy.map50_95 * 100
            settings = [
                (native_setting(n.threads), n.inference) for n in sorted(record.native, key=lambda n: n.threads)
            ]
            settings += [(browser_setting(b), b.inference) for b in record.browser]
            for setting, figure in settings:
                series.setdefault(MeasuredSeries(run.id, setting), []).append(MeasuredPoint(record, figure, y))
    return series
