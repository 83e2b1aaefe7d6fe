"""Bench figures as text for the terminal: one run's table, browser-vs-native ratios, and how two runs
differ. Pure functions on records."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..measurement import AGREEMENT, IMAGE_SET, QUICK_SET, Accuracy, BrowserAccuracy, Figure, Measurement


def fig(f: Figure | None) -> str:
    if f is None:
        return "—"
    return f"{f.median:.1f} ms (IQR {f.q1:.1f}–{f.q3:.1f}, n={f.runs})"


def run_table(records: Sequence[Measurement]) -> str:
    """Every figure of a run, one artifact after another."""
    lines = []
    for r in records:
        tag = "" if r.artifact.trained else "  [UNTRAINED: random weights, latency only]"
        lines.append(f"{r.artifact.artifact_id}  {r.artifact.bytes / 1e6:.1f} MB  sha256 {r.artifact.sha256[:12]}{tag}")
        for n in r.native:
            lines.append(
                f"  native {n.threads}t   inference {fig(n.inference)}   end-to-end {fig(n.end_to_end)}   "
                f"peak RSS {n.peak_rss_bytes / 1e6:.0f} MB"
            )
            if len(n.rounds) > 1:
                lines.append(
                    f"    rounds' inference medians {' / '.join(f'{x.inference_median:.1f}' for x in n.rounds)} ms: "
                    f"drift {n.drift:.0%}"
                    + (
                        ""
                        if n.settled
                        else f" > {AGREEMENT:.0%}: the machine's speed changed "
                        "during the run; judge this figure by its spread"
                    )
                )
        for b in r.browser:
            threads = f"{b.threads}t" if b.threads else "gpu"
            iso = "" if b.cross_origin_isolated else " (not isolated)"
            mem = f"   memory {b.memory_bytes / 1e6:.0f} MB" if b.memory_bytes else ""
            lines.append(
                f"  browser {b.backend} {threads}{iso}   inference {fig(b.inference)}   "
                f"end-to-end {fig(b.end_to_end)}   cold {fig(b.cold)}{mem}"
            )
            pre_post = b.preprocess.median + b.postprocess.median
            if b.inference.median:
                lines.append(f"    pre+post {pre_post:.1f} ms = {pre_post / b.inference.median:.0%} of inference")
        if r.accuracy:
            lines += accuracy_lines(r.accuracy)
        if r.browser_accuracy:
            lines.append(browser_accuracy_line(r.browser_accuracy))
        for section, why in r.skipped.items():
            lines.append(f"  {section}: skipped: {why}")
        if not r.complete:
            lines.append(f"  INCOMPLETE: {', '.join(r.pending()) or 'steps'} still to measure")
    return "\n".join(lines)


def _ap(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def accuracy_lines(a: Accuracy, classes: int = 5) -> list[str]:
    """The accuracy figures of a record: headline, interval, sizes, and the classes with the most labels."""
    what = {
        IMAGE_SET: f"{a.images} COCO val2017 images with people",
        QUICK_SET: f"{a.images} COCO train2017 images (training images: a quick check, not comparable with any claim)",
    }[a.dataset]
    lines = [
        f"  accuracy on {what}: mAP50-95 {a.map50_95:.3f}, mAP50 {a.map50:.3f}"
        + (f", mAP75 {a.map75:.3f}" if a.map75 is not None else "")
        + f" ({a.tool})"
    ]
    if a.interval is not None:
        lines.append(
            f"    mAP50-95 {a.interval.confidence:.0%} interval {a.interval.low:.3f}–{a.interval.high:.3f} "
            f"({a.interval.method} bootstrap over images, {a.interval.resamples} resamples; "
            f"{a.interval.share_below:.0%} of them below the figure)"
        )
    if a.map75 is not None:
        lines.append(f"    AP small {_ap(a.ap_small)}, medium {_ap(a.ap_medium)}, large {_ap(a.ap_large)}")
    if a.per_class:
        top = sorted(a.per_class, key=lambda c: -c.instances)[:classes]
        lines.append(
            "    "
            + ", ".join(f"{c.name} {c.ap50_95:.3f} ({c.instances})" for c in top)
            + f" … AP50-95 of {len(a.per_class)} classes (labelled boxes)"
        )
    return lines


def browser_accuracy_line(b: BrowserAccuracy) -> str:
    """The browser path's mAP beside native's on the same images, their difference and per-image agreement."""
    interval = (
        f" (95% paired interval {b.difference_interval[0]:+.4f} to {b.difference_interval[1]:+.4f})"
        if b.difference_interval
        else ""
    )
    a = b.agreement
    return (
        f"  browser accuracy ({b.backend}, first {b.images} images of the set): mAP50-95 {b.map50_95:.4f}, native "
        f"{b.native_map50_95:.4f}, difference {b.difference:+.4f}{interval}; mAP50 {b.map50:.4f} vs "
        f"{b.native_map50:.4f}; {a.images_agreeing}/{a.images} images agree, {a.matched}/{a.detections} confident "
        "detections have a twin"
    )


@dataclass(frozen=True)
class Ratio:
    artifact_id: str
    threads: int
    browser_ms: float
    native_ms: float

    @property
    def ratio(self) -> float:
        return self.browser_ms / self.native_ms


def browser_vs_native(records: Sequence[Measurement]) -> list[Ratio]:
    """Warm wasm inference against native inference with the same thread count (the demo's 2.5× target)."""
    out = []
    for r in records:
        native = {n.threads: n.inference.median for n in r.native}
        for b in r.browser:
            if b.backend == "wasm" and b.threads in native and native[b.threads] > 0:
                out.append(Ratio(r.artifact.artifact_id, b.threads, b.inference.median, native[b.threads]))
    return out


def ratio_table(ratios: Sequence[Ratio]) -> str:
    return "\n".join(
        f"  {r.artifact_id:32} {r.threads} thread(s): browser {r.browser_ms:7.1f} ms / native "
        f"{r.native_ms:6.1f} ms = {r.ratio:.2f}×"
        for r in ratios
    )


@dataclass(frozen=True)
class Difference:
    artifact_id: str
    figure: str
    a: float
    b: float

    @property
    def relative(self) -> float:
        return abs(self.a - self.b) / min(self.a, self.b) if min(self.a, self.b) > 0 else 0.0


def medians(record: Measurement) -> Iterator[tuple[str, float]]:
    for n in record.native:
        yield f"native {n.threads}t inference", n.inference.median
        yield f"native {n.threads}t end-to-end", n.end_to_end.median
    for b in record.browser:
        yield f"browser {b.requested_threads}t inference", b.inference.median
        yield f"browser {b.requested_threads}t end-to-end", b.end_to_end.median


def differences(run_a: Sequence[Measurement], run_b: Sequence[Measurement]) -> list[Difference]:
    """Every median both runs measured for the same artifact file."""
    by_file = {(r.artifact.artifact_id, r.artifact.sha256): dict(medians(r)) for r in run_b}
    out = []
    for r in run_a:
        other = by_file.get((r.artifact.artifact_id, r.artifact.sha256), {})
        out += [
            Difference(r.artifact.artifact_id, name, value, other[name]) for name, value in medians(r) if name in other
        ]
    return out


def difference_table(diffs: Sequence[Difference]) -> str:
    lines = [
        f"  {d.artifact_id:32} {d.figure:28} {d.a:8.1f} {d.b:8.1f} ms  {d.relative:6.1%}"
        + ("" if d.relative <= AGREEMENT else f"  > {AGREEMENT:.0%}")
        for d in diffs
    ]
    worst = max((d.relative for d in diffs), default=0.0)
    lines.append(f"  largest difference {worst:.1%} ({'within' if worst <= AGREEMENT else 'outside'} {AGREEMENT:.0%})")
    return "\n".join(lines)
