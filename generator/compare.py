"""What two cards have in common and how their claims line up. Pure functions.

Numbers are only put side by side when they were measured the same way: same
metric, dataset, hardware, runtime, precision, batch and pre/post-processing.
Several sourced values for one fact are kept apart as disagreements, never merged.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from .schema import DemoRuntime, Metric, MetricInfo, ModelCard, Registry, TaskState, Variant

# --- Pairs and tasks ------------------------------------------------------------


def pair_slug(a: str, b: str) -> str:
    """`compare/<a>-vs-<b>/` with ids in alphabetical order."""
    first, second = sorted((a, b))
    return f"{first}-vs-{second}"


def pairs(cards: Sequence[ModelCard]) -> Iterator[tuple[ModelCard, ModelCard]]:
    ordered = sorted(cards, key=lambda c: c.id)
    return itertools.combinations(ordered, 2)


@dataclass(frozen=True)
class SharedTask:
    task: str
    state_a: TaskState
    state_b: TaskState

    @property
    def both_pretrained(self) -> bool:
        return self.state_a == self.state_b == "pretrained"


def shared_tasks(a: ModelCard, b: ModelCard) -> list[SharedTask]:
    """Tasks both cards list with a state other than `none`."""
    out = []
    for task in a.tasks:
        state_b = b.task_state(task.task)
        if task.state != "none" and state_b != "none":
            out.append(SharedTask(task.task, task.state, state_b))
    return out


def runtime_of(variant: Variant) -> DemoRuntime | None:
    """The first runtime spec the variant can be run with: its own, else its weights'."""
    if variant.runtime is not None:
        return variant.runtime
    return next((w.runtime for w in variant.weights if w.runtime is not None), None)


def demo_variants(card: ModelCard, task: str) -> list[Variant]:
    """Variants of `task` with trained weights and a runtime spec, i.e. that the demo could run."""
    return [
        v
        for v in card.variants
        if v.task == task and runtime_of(v) is not None and any(w.trained for w in v.weights)
    ]


@dataclass(frozen=True)
class DemoPlan:
    """Whether a pair can share a live demo, and if not, exactly what is missing."""

    task: str | None
    reason: str

    @property
    def possible(self) -> bool:
        return self.task is not None


def demo_plan(a: ModelCard, b: ModelCard, registry: Registry) -> DemoPlan:
    shared = shared_tasks(a, b)
    if not shared:
        tasks_a = ", ".join(_task_name(t.task, registry) for t in a.tasks if t.state != "none")
        tasks_b = ", ".join(_task_name(t.task, registry) for t in b.tasks if t.state != "none")
        return DemoPlan(None, f"{a.name} and {b.name} share no task: {a.name} does {tasks_a}; {b.name} does {tasks_b}.")
    missing = []
    for st in shared:
        name = _task_name(st.task, registry)
        if not st.both_pretrained:
            untrained = [c.name for c, s in ((a, st.state_a), (b, st.state_b)) if s != "pretrained"]
            missing.append(f"{name}: {' and '.join(untrained)} publish{'es' if len(untrained) == 1 else ''} no trained weights for it")
            continue
        lacking = [c.name for c in (a, b) if not demo_variants(c, st.task)]
        if not lacking:
            return DemoPlan(st.task, f"Both run {name.lower()} in the browser.")
        missing.append(f"{name}: no browser runtime spec with trained weights for {' or '.join(lacking)}")
    return DemoPlan(None, "No live demo for this pair. " + "; ".join(missing) + ".")


def _task_name(task: str, registry: Registry) -> str:
    info = registry.tasks.get(task)
    return info.name if info else task


# --- Metrics ------------------------------------------------------------------


@dataclass(frozen=True)
class MetricContext:
    """Everything that must agree before two numbers are comparable."""

    metric: str
    dataset: str | None
    hardware: str | None
    runtime: str | None
    precision: str | None
    batch: int | str | None
    includes_pre_post: bool | str | None

    @classmethod
    def of(cls, m: Metric) -> MetricContext:
        return cls(m.metric, m.dataset, m.hardware, m.runtime, m.precision, m.batch, m.includes_pre_post)

    def sort_key(self) -> tuple[str, ...]:
        return tuple("" if v is None else str(v) for v in dataclasses.astuple(self))


@dataclass(frozen=True)
class Claim:
    card: ModelCard
    variant: Variant
    metric: Metric


@dataclass(frozen=True)
class AlignedMetric:
    context: MetricContext
    info: MetricInfo
    claims: tuple[Claim, ...]  # both cards, best first

    @property
    def best(self) -> Claim:
        return self.claims[0]

    def is_best(self, claim: Claim) -> bool:
        """Ties share the mark."""
        return claim.metric.value == self.best.metric.value


def claims(card: ModelCard) -> Iterator[Claim]:
    for variant in card.variants:
        for metric in variant.metrics:
            yield Claim(card, variant, metric)


def aligned_metrics(cards: Sequence[ModelCard], registry: Registry) -> list[AlignedMetric]:
    """Contexts in which every card in `cards` has at least one claim."""
    groups: dict[MetricContext, list[Claim]] = defaultdict(list)
    for card in cards:
        for claim in claims(card):
            groups[MetricContext.of(claim.metric)].append(claim)
    out = []
    for context, group in sorted(groups.items(), key=lambda kv: kv[0].sort_key()):
        if {c.card.id for c in group} != {c.id for c in cards}:
            continue
        info = registry.metrics[context.metric]
        ranked = sorted(group, key=lambda c: c.metric.value, reverse=info.better == "higher")
        out.append(AlignedMetric(context, info, tuple(ranked)))
    return out


def unaligned_contexts(card: ModelCard, aligned: Iterable[AlignedMetric]) -> list[MetricContext]:
    """A card's metric contexts that have no counterpart on the other side."""
    seen = {a.context for a in aligned}
    return sorted({MetricContext.of(c.metric) for c in claims(card)} - seen, key=MetricContext.sort_key)


# --- Disagreements -----------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """One fact with several sourced values that differ."""

    fact: str
    values: tuple[tuple[str, str], ...]  # (shown value, source id)


def disagreements(card: ModelCard) -> list[Disagreement]:
    out = []
    by_event: dict[str, list] = defaultdict(list)
    for r in card.release_date:
        by_event[r.event].append(r)
    for event, dates in by_event.items():
        if len({d.date for d in dates}) > 1:
            out.append(Disagreement(f"release date ({event})", tuple((str(d.date), d.source) for d in dates)))
    for v in card.variants:
        for label, facts in (("parameters (M)", v.params), ("FLOPs (G)", v.flops)):
            if len({f.value for f in facts}) > 1:
                out.append(Disagreement(f"{v.id} {label}", tuple((f"{f.value:g}", f.source) for f in facts)))
        groups: dict[MetricContext, list[Metric]] = defaultdict(list)
        for m in v.metrics:
            groups[MetricContext.of(m)].append(m)
        for context, ms in groups.items():
            if len({m.value for m in ms}) > 1:
                out.append(Disagreement(f"{v.id} {context.metric}", tuple((f"{m.value:g}", m.source) for m in ms)))
    return out


# --- Accuracy vs latency --------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    card: ModelCard
    variant: Variant
    accuracy: Metric
    latency: Metric


def accuracy_latency_series(
    cards: Sequence[ModelCard], accuracy_metric: str = "map50_95", dataset: str = "coco-val2017"
) -> dict[MetricContext, list[ChartPoint]]:
    """One series per latency context; a variant appears in a series only with a
    latency measured in exactly that context and an accuracy on `dataset`."""
    series: dict[MetricContext, list[ChartPoint]] = defaultdict(list)
    for card in cards:
        for variant in card.variants:
            accuracy = next(
                (m for m in variant.metrics if m.metric == accuracy_metric and m.dataset == dataset), None
            )
            if accuracy is None:
                continue
            for latency in variant.metrics:
                if latency.metric == "latency_ms":
                    series[MetricContext.of(latency)].append(ChartPoint(card, variant, accuracy, latency))
    return dict(sorted(series.items(), key=lambda kv: kv[0].sort_key()))
